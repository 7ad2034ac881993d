#!/usr/bin/env node
/**
 * `partner-center-readiness`: for pipelines, before `pulumi destroy`. For the given customers (or all of the
 * partner's customers), prints whether each reseller relationship can be removed now and what blocks it,
 * using the same rules as the provider's delete: each blocker with its class, the date that matters and the
 * next step, and what does not block (ended reservations, software purchases) as notes. Exit codes, for
 * pipelines: {@link EXIT}.
 */
import { PartnerCenterClient, type ClientOptions } from "../client";
import { AuthenticationError, PartnerCenterError, printable } from "../errors";
import { printableLines } from "../redact";
import { isTokenFailure } from "../client/core/auth";
import type { RemovalBlocker } from "../errors";
import {
  assessReadiness,
  describeBlocker,
  describeClass,
  nextStep,
  type Readiness,
  type RemovalNote,
} from "../relationship";
import { loadSettings, missingCredentials, SETTINGS } from "../settings";
import { readArgs } from "./io";
import { GUID } from "../guid";

const USAGE = `Usage: partner-center-readiness [--json] [--all | CUSTOMER_ID ...]

Prints whether each customer's reseller relationship can be removed now, and what blocks it.
  CUSTOMER_ID   customer tenant ids (GUIDs); or --all for every customer of the partner
  --json        one JSON document instead of a table
  --concurrency N   customers checked at once (default 8)

Settings come from environment variables only (not from a stack's config): PARTNER_CENTER_ENDPOINT,
PARTNER_CENTER_AUTHORITY, PARTNER_CENTER_TENANT_ID, PARTNER_CENTER_CLIENT_ID, PARTNER_CENTER_CLIENT_SECRET,
PARTNER_CENTER_REFRESH_TOKEN (or PARTNER_CENTER_ACCESS_TOKEN).
Exit code:
  0  every customer removable now, or already removed (nothing left to remove)
  1  some blocked (every customer was checked)
  2  bad usage or settings (nothing checked)
  3  could not check some customer (a read failed, or not a reseller customer of this partner)
  4  no access token (token endpoint unreachable, hanging or refusing the grant; or the token refused):
     the run stopped at the first such failure
  5  --all found no reseller customer: nothing was checked`;

/**
 * Exit codes: `allRemovable` 0 (each customer removable now or already removed); `someBlocked` 1 (every
 * customer checked, at least one blocked); `usage` 2 (bad arguments or settings, nothing checked);
 * `couldNotCheck` 3 (at least one customer could not be checked: a read failed, or it is not a reseller
 * customer of this partner), which wins over `someBlocked`; `authentication` 4 (no access token could be had,
 * or Partner Center refused it: the run stops at the first such failure, since every later call needs one);
 * `noCustomers` 5 (`--all` found no reseller customer: an empty estate is not "every customer removable").
 */
export const EXIT = {
  allRemovable: 0,
  someBlocked: 1,
  usage: 2,
  couldNotCheck: 3,
  authentication: 4,
  noCustomers: 5,
} as const;

/**
 * What the report found for one customer. `alreadyRemoved`: Partner Center no longer shows the customer to
 * this partner, or shows it with no relationship: nothing is left to remove (a re-run of a partly finished
 * offboarding), which is not a failure.
 */
export type Outcome = "removable" | "blocked" | "alreadyRemoved" | "couldNotCheck";

/** One line of the report. */
export interface ReadinessRow {
  customerId: string;
  companyName: string | null;
  relationship: string | null;
  outcome: Outcome;
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
  summary: {
    removable: number;
    blocked: number;
    alreadyRemoved: number;
    couldNotCheck: number;
    exitCode: number;
  };
}

/** The exit code of a report ({@link EXIT}). */
export function exitCode(rows: readonly ReadinessRow[]): number {
  if (rows.some((r) => r.outcome === "couldNotCheck")) return EXIT.couldNotCheck;
  return rows.some((r) => r.outcome === "blocked") ? EXIT.someBlocked : EXIT.allRemovable;
}

/** The `--json` document of a report. */
export function jsonDocument(rows: readonly ReadinessRow[]): ReadinessDocument {
  const count = (o: Outcome) => rows.filter((r) => r.outcome === o).length;
  return {
    customers: [...rows],
    summary: {
      removable: count("removable"),
      blocked: count("blocked"),
      alreadyRemoved: count("alreadyRemoved"),
      couldNotCheck: count("couldNotCheck"),
      exitCode: exitCode(rows),
    },
  };
}

/**
 * The `--json` text: every character that the table escapes (C1 controls, bidi overrides, other invisible
 * format characters, line and paragraph separators) written as a JSON `\uXXXX` escape, so that the document
 * cannot reorder or forge what a terminal or log viewer shows, and still parses back to the same values.
 */
export function formatJson(rows: readonly ReadinessRow[]): string {
  // JSON.stringify escapes C0 controls inside strings, so a raw line feed is the layout's own; any other such
  // character can appear only inside a string, where the escape stands for the same character.
  return JSON.stringify(jsonDocument(rows), null, 2).split("\n").map(printable).join("\n");
}

interface Args {
  json: boolean;
  all: boolean;
  ids: string[];
  concurrency: number;
}

/** Parses the command line; throws a usage message naming the bad argument. */
export function parseArgs(argv: readonly string[]): Args {
  const { values, positionals, unknown } = readArgs(argv, {
    json: { type: "boolean" },
    all: { type: "boolean" },
    concurrency: { type: "string" },
  });
  const notExpected = (arg: string): Error =>
    new Error(`unknown argument "${arg}": expected --json, --all, --concurrency N or a customer tenant GUID`);
  if (unknown !== undefined) throw notExpected(unknown);
  const a: Args = { json: values.json === true, all: values.all === true, ids: [], concurrency: 8 };
  if (values.concurrency !== undefined) {
    const n = Number(values.concurrency);
    if (values.concurrency === "" || !Number.isInteger(n) || n < 1 || n > 64)
      throw new Error("--concurrency takes a whole number from 1 to 64");
    a.concurrency = n;
  }
  for (const arg of positionals) {
    if (!GUID.test(arg)) throw notExpected(arg);
    a.ids.push(arg.toLowerCase());
  }
  if (a.all === a.ids.length > 0)
    throw new Error("give customer tenant ids, or --all (not both, not neither)");
  return a;
}

function row(r: Readiness): ReadinessRow {
  const relationship = r.gone ? null : (r.customer?.relationshipToPartner ?? null);
  const outcome: Outcome =
    r.gone || relationship === "none" ? "alreadyRemoved" : r.removable ? "removable" : "blocked";
  return {
    customerId: r.customerId,
    companyName: r.customer?.companyName ?? null,
    relationship,
    outcome,
    removable: r.removable,
    blockers: r.blockers.map((b) => ({ ...b, nextStep: nextStep(b) })),
    notes: r.notes,
    error: null,
  };
}

/** `fn` over `items`, `limit` at a time; no new item is started once `stop()` is true. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
  stop: () => boolean = () => false,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && !stop()) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * An authentication failure: no token could be had (the token endpoint unreachable, hanging or refusing), or
 * Partner Center refused the token. Every later call would fail the same way, so the report stops.
 */
export function isAuthenticationFailure(e: unknown): boolean {
  return isTokenFailure(e) || e instanceof AuthenticationError;
}

/**
 * Checks each customer; a failure to read one is reported on its row, not thrown. An authentication failure
 * ({@link isAuthenticationFailure}) is thrown instead, and no further customer is started.
 */
export async function readinessReport(
  client: PartnerCenterClient,
  ids: readonly string[],
  concurrency = 8,
): Promise<ReadinessRow[]> {
  let fatal: { error: unknown } | undefined;
  const rows = await mapLimit(
    ids,
    concurrency,
    async (id): Promise<ReadinessRow> => {
      try {
        const r = await assessReadiness(client, id);
        const checked = row(r);
        if (checked.outcome === "blocked" && !r.isReseller && checked.blockers.length === 0) {
          // Shown, but not a reseller customer of this partner: nothing this command can judge.
          return {
            ...checked,
            outcome: "couldNotCheck",
            error: {
              code: "PPC_NOT_FOUND",
              message: `not a reseller customer of this partner (relationship "${checked.relationship ?? "-"}")`,
            },
          };
        }
        return checked;
      } catch (e) {
        if (isAuthenticationFailure(e)) fatal ??= { error: e };
        const code = e instanceof PartnerCenterError ? e.code : "ERROR";
        return {
          customerId: id,
          companyName: null,
          relationship: null,
          outcome: "couldNotCheck",
          removable: false,
          blockers: [],
          notes: [],
          error: { code, message: e instanceof Error ? e.message : String(e) },
        };
      }
    },
    () => fatal !== undefined,
  );
  if (fatal) throw fatal.error;
  return rows;
}

/** The report as a text table, blockers and their next steps under each customer. */
export function formatTable(rows: readonly ReadinessRow[]): string {
  const head = ["CUSTOMER", "COMPANY", "RELATIONSHIP", "REMOVABLE", "BLOCKERS"];
  // Service text (names, statuses) goes through printable(): no escape sequence or bidi override reaches the terminal.
  const body = rows.map((r) => [
    printable(r.customerId),
    printable(r.companyName ?? "-"),
    printable(r.relationship ?? "-"),
    r.outcome === "alreadyRemoved" ? "already removed" : r.error ? "unknown" : r.removable ? "yes" : "no",
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
    for (const group of groupNotes(r.notes)) lines.push(`    ${describeNotes(group)}`);
    if (r.error) lines.push(`    ${printable(r.error.message).replace(/\\u000a/g, "\n    ")}`);
  });
  const { summary } = jsonDocument(rows);
  lines.push(
    "",
    `${summary.removable} of ${rows.length} removable, ${summary.blocked} blocked, ${summary.alreadyRemoved} already removed, ${summary.couldNotCheck} could not be checked.`,
  );
  return lines.join("\n");
}

/** Notes saying the same thing (same kind, text and date), in first-seen order: one line each in the table. */
function groupNotes(notes: readonly RemovalNote[]): RemovalNote[][] {
  const groups = new Map<string, RemovalNote[]>();
  for (const n of notes) {
    const key = JSON.stringify([n.kind, n.note, n.date ?? null]);
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups.values()];
}

/** How many items a grouped note line names before "and N more". */
const NOTE_ITEMS_SHOWN = 3;

function describeNotes(group: readonly RemovalNote[]): string {
  const [first] = group as [RemovalNote, ...RemovalNote[]];
  const item = (n: RemovalNote) => `${printable(n.id)} "${printable(n.name)}"`;
  if (group.length === 1) return `note: ${first.kind} ${item(first)}: ${printable(first.note)}`;
  const shown = group.slice(0, NOTE_ITEMS_SHOWN).map(item).join(", ");
  const more = group.length > NOTE_ITEMS_SHOWN ? `, and ${group.length - NOTE_ITEMS_SHOWN} more` : "";
  return `note: ${group.length} × ${first.kind} (${shown}${more}): ${printable(first.note)}`;
}

/** The command: returns the exit code. */
export async function main(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void } = {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  },
  env: NodeJS.ProcessEnv = process.env,
  /** Client options (tests shorten the token deadlines). */
  clientOptions: ClientOptions = {},
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
    // Incomplete credentials are a usage error of the whole run, not a failure of each customer. This
    // command reads the environment only, so the message names environment variables, not stack config.
    const missing = missingCredentials(settings);
    if (missing.length > 0) {
      throw new Error(
        `Partner Center credentials are incomplete: missing the environment variable${missing.length > 1 ? "s" : ""} ${missing.map((k) => SETTINGS[k].env).join(", ")}. ` +
          `Export ${missing.length > 1 ? "them" : "it"} (this command reads only environment variables, not a Pulumi stack's config), ` +
          `or export only PARTNER_CENTER_ACCESS_TOKEN to use an access token as it is.`,
      );
    }
    client = new PartnerCenterClient(settings, clientOptions);
  } catch (e) {
    io.err(`partner-center-readiness: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const ids = args.all
      ? (await client.customers.list()).filter((c) => c.relationshipToPartner === "reseller").map((c) => c.id)
      : args.ids;
    if (ids.length === 0) {
      io.err(
        "partner-center-readiness: --all found no reseller customer of this partner: nothing was checked. " +
          "Check PARTNER_CENTER_ENDPOINT and PARTNER_CENTER_TENANT_ID name the partner you mean.",
      );
      return EXIT.noCustomers;
    }
    const rows = await readinessReport(client, ids, args.concurrency);
    io.out(args.json ? formatJson(rows) : formatTable(rows));
    return exitCode(rows);
  } catch (e) {
    const message = printableLines(e instanceof Error ? e.message : String(e));
    if (isAuthenticationFailure(e)) {
      io.err(
        `partner-center-readiness: stopped at the first authentication failure (every further check needs a token): ${message}`,
      );
      return EXIT.authentication;
    }
    io.err(`partner-center-readiness: ${message}`);
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
