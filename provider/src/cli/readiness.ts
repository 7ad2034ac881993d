#!/usr/bin/env node
/**
 * `partner-center-readiness`: for pipelines, before `pulumi destroy`. For the given customers (or all of the
 * partner's customers), prints whether each reseller relationship can be removed now and what blocks it,
 * using the same rules as the provider's delete. Exit code 0 when every one is removable, 1 when any is
 * blocked or unreadable, 2 on bad usage or settings.
 */
import { PartnerCenterClient } from "../client";
import { PartnerCenterError, printable } from "../errors";
import type { RemovalBlocker } from "../errors";
import { assessReadiness, describeBlocker, nextStep, type Readiness } from "../relationship";
import { assertCredentials, loadSettings } from "../settings";

const USAGE = `Usage: partner-center-readiness [--json] [--all | CUSTOMER_ID ...]

Prints whether each customer's reseller relationship can be removed now, and what blocks it.
  CUSTOMER_ID   customer tenant ids (GUIDs); or --all for every customer of the partner
  --json        one JSON document instead of a table
  --concurrency N   customers checked at once (default 8)

Settings come from the environment, as for the provider: PARTNER_CENTER_ENDPOINT, PARTNER_CENTER_AUTHORITY,
PARTNER_CENTER_TENANT_ID, PARTNER_CENTER_CLIENT_ID, PARTNER_CENTER_CLIENT_SECRET, PARTNER_CENTER_REFRESH_TOKEN
(or PARTNER_CENTER_ACCESS_TOKEN).
Exit code: 0 all removable, 1 any blocked or unreadable, 2 bad usage or settings.`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One line of the report. */
export interface ReadinessRow {
  customerId: string;
  companyName: string | null;
  relationship: string | null;
  removable: boolean;
  blockers: (RemovalBlocker & { nextStep: string })[];
  error: { code: string; message: string } | null;
}

interface Args {
  json: boolean;
  all: boolean;
  ids: string[];
  concurrency: number;
}

/** Parses the command line; throws a usage message naming the bad argument. */
export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { json: false, all: false, ids: [], concurrency: 8 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--json") a.json = true;
    else if (arg === "--all") a.all = true;
    else if (arg === "--concurrency") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 64)
        throw new Error("--concurrency takes a whole number from 1 to 64");
      a.concurrency = n;
    } else if (GUID.test(arg)) a.ids.push(arg.toLowerCase());
    else
      throw new Error(
        `unknown argument "${arg}": expected --json, --all, --concurrency N or a customer tenant GUID`,
      );
  }
  if (a.all === a.ids.length > 0)
    throw new Error("give customer tenant ids, or --all (not both, not neither)");
  return a;
}

function row(r: Readiness): ReadinessRow {
  const subs = new Map(r.subscriptions.map((s) => [s.id, s]));
  return {
    customerId: r.customerId,
    companyName: r.customer?.companyName ?? null,
    relationship: r.gone ? null : (r.customer?.relationshipToPartner ?? null),
    removable: r.removable,
    blockers: r.blockers.map((b) => ({ ...b, nextStep: nextStep(b, subs.get(b.id)) })),
    error: null,
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/** Checks each customer; a failure to read one is reported on its row, not thrown. */
export async function readinessReport(
  client: PartnerCenterClient,
  ids: readonly string[],
  concurrency = 8,
): Promise<ReadinessRow[]> {
  return mapLimit(ids, concurrency, async (id) => {
    try {
      const r = await assessReadiness(client, id);
      if (r.gone) {
        return {
          ...row(r),
          error: { code: "PPC_NOT_FOUND", message: "not a customer of this partner (gone or never related)" },
        };
      }
      return row(r);
    } catch (e) {
      const code = e instanceof PartnerCenterError ? e.code : "ERROR";
      return {
        customerId: id,
        companyName: null,
        relationship: null,
        removable: false,
        blockers: [],
        error: { code, message: e instanceof Error ? e.message : String(e) },
      };
    }
  });
}

/** The report as a text table, blockers and their next steps under each customer. */
export function formatTable(rows: readonly ReadinessRow[]): string {
  const head = ["CUSTOMER", "COMPANY", "RELATIONSHIP", "REMOVABLE", "BLOCKERS"];
  // Service text (names, statuses) goes through printable(): no escape sequence or bidi override reaches the terminal.
  const body = rows.map((r) => [
    printable(r.customerId),
    printable(r.companyName ?? "-"),
    printable(r.relationship ?? "-"),
    r.error ? "unknown" : r.removable ? "yes" : "no",
    r.error ? r.error.code : String(r.blockers.length),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  const lines = [fmt(head)];
  rows.forEach((r, i) => {
    lines.push(fmt(body[i] as string[]));
    for (const b of r.blockers) lines.push(`    ${describeBlocker(b, "token")}: ${b.nextStep}`);
    if (r.error) lines.push(`    ${printable(r.error.message).replace(/\\u000a/g, "\n    ")}`);
  });
  const blocked = rows.filter((r) => !r.removable).length;
  lines.push("", `${rows.length - blocked} of ${rows.length} removable, ${blocked} blocked or unreadable.`);
  return lines.join("\n");
}

/** The command: returns the exit code. */
export async function main(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void } = {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(USAGE);
    return 0;
  }
  let args: Args;
  let client: PartnerCenterClient;
  try {
    args = parseArgs(argv);
    const settings = loadSettings({}, env);
    // Incomplete credentials are a usage error of the whole run, not a failure of each customer.
    assertCredentials(settings);
    client = new PartnerCenterClient(settings);
  } catch (e) {
    io.err(`partner-center-readiness: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  try {
    const ids = args.all
      ? (await client.customers.list()).filter((c) => c.relationshipToPartner === "reseller").map((c) => c.id)
      : args.ids;
    const rows = await readinessReport(client, ids, args.concurrency);
    io.out(args.json ? JSON.stringify({ customers: rows }, null, 2) : formatTable(rows));
    return rows.every((r) => r.removable) ? 0 : 1;
  } catch (e) {
    io.err(`partner-center-readiness: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof PartnerCenterError && e.code === "PPC_CONFIGURATION" ? 2 : 1;
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`partner-center-readiness: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
