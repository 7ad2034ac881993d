#!/usr/bin/env node
/**
 * `partner-center-readiness`: for pipelines, before `pulumi destroy`. For the given customers (or all of the
 * partner's customers), prints whether each reseller relationship can be removed now and what blocks it,
 * using the same rules as the provider's delete: each blocker with its class, the date that matters and the
 * next step, and what does not block (ended reservations, software purchases) as notes. Exit codes, for
 * pipelines: {@link EXIT}.
 */
import { PartnerCenterClient } from "../client";
import { PartnerCenterError, printable } from "../errors";
import type { RemovalBlocker } from "../errors";
import {
  assessReadiness,
  describeBlocker,
  describeClass,
  nextStep,
  type Readiness,
  type RemovalNote,
} from "../relationship";
import { assertCredentials, loadSettings } from "../settings";

const USAGE = `Usage: partner-center-readiness [--json] [--all | CUSTOMER_ID ...]

Prints whether each customer's reseller relationship can be removed now, and what blocks it.
  CUSTOMER_ID   customer tenant ids (GUIDs); or --all for every customer of the partner
  --json        one JSON document instead of a table
  --concurrency N   customers checked at once (default 8)

Settings come from the environment, as for the provider: PARTNER_CENTER_ENDPOINT, PARTNER_CENTER_AUTHORITY,
PARTNER_CENTER_TENANT_ID, PARTNER_CENTER_CLIENT_ID, PARTNER_CENTER_CLIENT_SECRET, PARTNER_CENTER_REFRESH_TOKEN
(or PARTNER_CENTER_ACCESS_TOKEN).
Exit code: 0 all removable; 1 some blocked (every customer was checked); 2 bad usage or settings;
3 could not check some customer (unreadable, or not a reseller customer of this partner).`;

/**
 * Exit codes: `allRemovable` 0; `someBlocked` 1 (every customer checked, at least one blocked); `usage` 2 (bad
 * arguments or settings, nothing checked); `couldNotCheck` 3 (at least one customer could not be checked: a
 * read failed, or it is not a reseller customer of this partner), which wins over `someBlocked`.
 */
export const EXIT = { allRemovable: 0, someBlocked: 1, usage: 2, couldNotCheck: 3 } as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One line of the report. */
export interface ReadinessRow {
  customerId: string;
  companyName: string | null;
  relationship: string | null;
  removable: boolean;
  /** Each blocker with its class, next step and (when one matters) its date and what the date means. */
  blockers: (RemovalBlocker & { nextStep: string })[];
  /** What was looked at and does not block. */
  notes: RemovalNote[];
  error: { code: string; message: string } | null;
}

/** The `--json` document. */
export interface ReadinessDocument {
  customers: ReadinessRow[];
  summary: { removable: number; blocked: number; couldNotCheck: number; exitCode: number };
}

/** The exit code of a report ({@link EXIT}). */
export function exitCode(rows: readonly ReadinessRow[]): number {
  if (rows.some((r) => r.error)) return EXIT.couldNotCheck;
  return rows.every((r) => r.removable) ? EXIT.allRemovable : EXIT.someBlocked;
}

/** The `--json` document of a report. */
export function jsonDocument(rows: readonly ReadinessRow[]): ReadinessDocument {
  const couldNotCheck = rows.filter((r) => r.error).length;
  const removable = rows.filter((r) => !r.error && r.removable).length;
  return {
    customers: [...rows],
    summary: {
      removable,
      blocked: rows.length - couldNotCheck - removable,
      couldNotCheck,
      exitCode: exitCode(rows),
    },
  };
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
  return {
    customerId: r.customerId,
    companyName: r.customer?.companyName ?? null,
    relationship: r.gone ? null : (r.customer?.relationshipToPartner ?? null),
    removable: r.removable,
    blockers: r.blockers.map((b) => ({ ...b, nextStep: nextStep(b) })),
    notes: r.notes,
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
        notes: [],
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
    for (const b of r.blockers) {
      lines.push(`    ${describeBlocker(b, "token")} ${describeClass(b)}: ${printable(b.nextStep)}`);
    }
    for (const n of r.notes) {
      lines.push(`    note: ${n.kind} ${printable(n.id)} "${printable(n.name)}": ${printable(n.note)}`);
    }
    if (r.error) lines.push(`    ${printable(r.error.message).replace(/\\u000a/g, "\n    ")}`);
  });
  const { summary } = jsonDocument(rows);
  lines.push(
    "",
    `${summary.removable} of ${rows.length} removable, ${summary.blocked} blocked, ${summary.couldNotCheck} could not be checked.`,
  );
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
    return EXIT.usage;
  }
  try {
    const ids = args.all
      ? (await client.customers.list()).filter((c) => c.relationshipToPartner === "reseller").map((c) => c.id)
      : args.ids;
    const rows = await readinessReport(client, ids, args.concurrency);
    io.out(args.json ? JSON.stringify(jsonDocument(rows), null, 2) : formatTable(rows));
    return exitCode(rows);
  } catch (e) {
    io.err(`partner-center-readiness: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof PartnerCenterError && e.code === "PPC_CONFIGURATION"
      ? EXIT.usage
      : EXIT.couldNotCheck;
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`partner-center-readiness: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.couldNotCheck;
    },
  );
}
