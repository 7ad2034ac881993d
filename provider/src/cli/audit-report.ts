#!/usr/bin/env node
/**
 * `partner-center-audit`: renders an audit trail (`partnercenter:auditLog`, see audit.ts) for people: what
 * each operation checked, what blocked it, what it changed (before and after, with the MS-RequestId and
 * MS-CorrelationId to quote to Microsoft) and how it ended. `--markdown` writes a summary for a pipeline's
 * job summary (`>> "$GITHUB_STEP_SUMMARY"`). Exit code 0 when the trail was rendered, 2 on bad usage or an
 * unreadable file.
 *
 * Server text (company and offer names, messages) may contain anything: control and bidi characters are
 * stripped before it is shown, and Markdown/HTML syntax is escaped in the Markdown form.
 */
import {
  openIntents,
  parseTrail,
  readTrailFile,
  reconcileTrail,
  type AuditOutcome,
  type AuditRecord,
  type Trail,
} from "../audit";
import { PartnerCenterClient } from "../client";
import { getSharedGraphClient } from "../gdap/graph";
import { plainLine, printableLines } from "../redact";
import { readArgs } from "./io";
import { assertCredentials, loadSettings } from "../settings";

export { parseTrail, type Trail };

/** Exit codes. */
export const EXIT = {
  /** Rendered; every operation ended well (removed, already gone, adopted, a GDAP write done). */
  ok: 0,
  /** Rendered; some operation needs a person: failed, blocked, unconfirmed, or incomplete. */
  attention: 1,
  /** Bad usage, an unreadable file, or (with --reconcile) settings that do not allow reading Partner Center. */
  usage: 2,
} as const;

const USAGE = `Usage: partner-center-audit [--markdown | --json] [--operation ID] [--reconcile] FILE

Renders an audit trail written by the provider (partnercenter:auditLog / PARTNER_CENTER_AUDIT_LOG).
  FILE            the trail (JSON lines)
  --markdown      a Markdown summary, e.g. for >> "$GITHUB_STEP_SUMMARY"
  --json          one JSON document: every operation with its id, outcome, writes and their ids
  --operation ID  only the records of this operationId (the ids the report shows)
  --reconcile     first settle each write that has an intent but no outcome (a killed run) by reading
                  Partner Center (and Microsoft Graph for GDAP writes), appending what was found to FILE;
                  reads the PARTNER_CENTER_* environment variables, as the provider does
Exit code: 0 every operation ended well, 1 some operation failed, is blocked, unconfirmed or incomplete
(an intent with no outcome), 2 bad usage, an unreadable file, or settings --reconcile cannot use.`;

/** One operation (one create or delete of one resource, or one GDAP write), from its records. */
export interface OperationSummary {
  operationId: string;
  op: AuditRecord["op"];
  customer: AuditRecord["customer"];
  started: string;
  ended: string;
  /**
   * `incomplete`: no outcome was recorded (the process stopped, or the trail failed). When a later run
   * reconciled its last write, the outcome found then (see `reconciled`).
   */
  outcome: AuditOutcome | "incomplete";
  /** The outcome comes from a `reconciled` record (read by a later run), not from the operation itself. */
  reconciled: boolean;
  /** The latest main record (the outcome, once written): its checks and blockers are the final ones. */
  last: AuditRecord;
  /** The `checked` record, written before any change. */
  checked: AuditRecord | undefined;
  /** Subscription changes (suspend, cancel), and reconciled writes, in order. */
  changes: AuditRecord[];
  /** Writes with an intent and no outcome, not reconciled (yet). */
  open: AuditRecord[];
}

/** Outcomes that need a person. */
const ATTENTION: readonly (AuditOutcome | "incomplete")[] = [
  "failed",
  "blocked",
  "unconfirmed",
  "incomplete",
  "notApplied",
];

/** Groups records by operation, in the order operations started. */
export function summarize(records: readonly AuditRecord[]): OperationSummary[] {
  const ops = new Map<string, OperationSummary>();
  for (const r of records) {
    let s = ops.get(r.operationId);
    if (!s) {
      s = {
        operationId: r.operationId,
        op: r.op,
        customer: r.customer,
        started: r.time,
        ended: r.time,
        outcome: "incomplete",
        reconciled: false,
        last: r,
        checked: undefined,
        changes: [],
        open: [],
      };
      ops.set(r.operationId, s);
    }
    s.ended = r.time;
    if (r.customer.name) s.customer = r.customer;
    if (r.phase === "intent") continue;
    if (r.phase === "reconciled") {
      s.changes.push(r);
      // The operation's own outcome, when it has one, stands; otherwise what the later run found.
      if (s.outcome === "incomplete" || s.reconciled) {
        if (r.outcome) s.outcome = r.outcome;
        s.reconciled = true;
      }
      continue;
    }
    if (r.op === "suspend" || r.op === "cancel") {
      s.changes.push(r);
      continue;
    }
    s.op = r.op;
    s.last = r;
    if (r.phase === "checked") s.checked = r;
    if (r.phase === "outcome" && r.outcome) {
      s.outcome = r.outcome;
      s.reconciled = false;
    }
  }
  const open = new Set(openIntents(records));
  for (const r of open) ops.get(r.operationId)?.open.push(r);
  for (const s of ops.values()) {
    // A removal whose relationship PATCH was reconciled still never recorded its end: it stays incomplete
    // unless the reconciliation shows the relationship gone, which is the end of a removal.
    if (s.reconciled && s.op === "removal" && s.outcome !== "removed") s.outcome = "incomplete";
    if (s.open.length > 0 && s.outcome !== "failed") s.outcome = "incomplete";
  }
  return [...ops.values()];
}

/** Whether some operation needs a person (exit code 1). */
export function needsAttention(ops: readonly OperationSummary[]): boolean {
  return ops.some((s) => ATTENTION.includes(s.outcome));
}

// -------------------------------------------------------------------------------------------- rendering

/**
 * Text from the trail made safe to show: one line, no control or bidi characters (the provider's own rule,
 * {@link plainLine}), at most `max` characters. Every field goes through this, not only server text: the
 * file may have been edited.
 */
export function shortLine(text: string | number | null | undefined, max = 120): string {
  const t = plainLine(String(text ?? "")).trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Printable text with Markdown and HTML syntax escaped (table cells included). */
export function markdownText(text: string | number | null | undefined, max = 120): string {
  return shortLine(text, max)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|~#!()])/g, "\\$1")
    .replace(/:\/\//g, ":&#47;&#47;"); // no autolink
}

type Esc = (t: string | number | null | undefined) => string;

function who(c: AuditRecord["customer"], esc: Esc): string {
  return c.name ? `${esc(c.name)} (${esc(c.id)})` : esc(c.id);
}

const COUNTED: readonly (AuditOutcome | "incomplete")[] = [
  "removed",
  "alreadyGone",
  "blocked",
  "failed",
  "unconfirmed",
  "incomplete",
  "notApplied",
  "adopted",
  "suspended",
  "cancelled",
  "terminated",
  "created",
  "updated",
  "deleted",
  "requested",
];

function counts(ops: readonly OperationSummary[]): [string, number][] {
  const rows = COUNTED.map((o) => [o, ops.filter((s) => s.outcome === o).length] as [string, number]).filter(
    ([o, n]) => n > 0 || ["removed", "blocked", "failed", "unconfirmed", "incomplete"].includes(o),
  );
  const gdapTerminations = ops.filter((s) => s.op === "gdapTermination").length;
  if (gdapTerminations > 0) rows.push(["GDAP termination(s)", gdapTerminations]);
  return rows;
}

function checkLine(r: AuditRecord, esc: Esc): string | undefined {
  const c = r.checks;
  if (!c) return undefined;
  const reads = Array.isArray(c.reads) ? c.reads : [];
  const parts: string[] = [];
  if (reads.some((x) => x.what === "customer" && x.count !== null)) parts.push("the customer");
  if (c.subscriptionsRead !== null) parts.push(`${esc(c.subscriptionsRead)} subscription(s)`);
  if (c.entitlementsRead !== null) parts.push(`${esc(c.entitlementsRead)} entitlement(s)`);
  const plans = reads.filter((x) => x.what === "azureEntitlements").length;
  if (plans) parts.push(`the Azure subscriptions of ${plans} Azure plan(s)`);
  const failed = reads
    .filter((x) => x.count === null)
    .map((x) => `${esc(x.what)} (${esc(x.error ?? "failed")})`);
  return `read ${parts.join(", ") || "nothing"}${failed.length ? `; failed reads: ${failed.join(", ")}` : ""}`;
}

function ids(r: AuditRecord, esc: Esc): string {
  return r.requests
    .map((q) => `MS-RequestId ${esc(q.requestId)}, MS-CorrelationId ${esc(q.correlationId)}`)
    .join("; ");
}

function state(s: Record<string, string | null> | null, key: string): string | null {
  return s?.[key] ?? "?";
}

const PAST: Partial<Record<string, string>> = {
  suspend: "suspended",
  cancel: "cancelled",
  removal: "removed",
};

/** A reconciled write, as one line. */
function reconciledLine(c: AuditRecord, esc: Esc): string {
  const after = c.after ? Object.entries(c.after).map(([k, v]) => `${esc(k)} ${esc(v)}`) : [];
  return `reconciled at ${esc(c.time)}: the ${esc(c.op)} of ${esc(c.subject.kind)} ${esc(c.subject.id || c.subject.name)} had no outcome on record; a later read found ${esc(c.outcome)}${after.length ? ` (${after.join(", ")})` : ""} [${ids(c, esc)}]`;
}

/** The lines of one operation's details (before escaping the structure), shared by both forms. */
function details(s: OperationSummary, esc: Esc): string[] {
  const out: string[] = [];
  const check = checkLine(s.last, esc);
  if (check) out.push(`checked: ${check}`);
  const list = (bs: AuditRecord["blockers"]) =>
    (Array.isArray(bs) ? bs : [])
      .map((b) => `${esc(b.kind)} ${esc(b.id)}${b.name ? ` "${esc(b.name)}"` : ""} (${esc(b.status)})`)
      .join("; ");
  if (s.last.blockers?.length) out.push(`blockers: ${list(s.last.blockers)}`);
  else if (s.checked?.blockers?.length && s.changes.length) {
    out.push(`blockers at the check, cleared by the changes below: ${list(s.checked.blockers)}`);
  }
  for (const c of s.changes) {
    if (c.phase === "reconciled") {
      out.push(reconciledLine(c, esc));
      continue;
    }
    const name = c.subject.name ? ` "${esc(c.subject.name)}"` : "";
    const change =
      c.outcome === "failed"
        ? `${esc(c.op)} of subscription ${esc(c.subject.id)}${name} FAILED (${esc(c.error?.code ?? "")}${c.error?.status ? `, HTTP ${esc(c.error.status)}` : ""})`
        : `${esc(PAST[c.op] ?? c.op)} subscription ${esc(c.subject.id)}${name}: ${esc(state(c.before, "status"))} -> ${esc(state(c.after, "status"))}`;
    out.push(`${change}${c.requests.length ? ` [${ids(c, esc)}]` : ""}`);
  }
  if (s.op === "removal" && s.last.phase === "outcome" && s.last.requests.length) {
    const after = s.last.after;
    const confirmed = after?.confirmedBy
      ? `, confirmed by ${after.confirmedBy === "patchResponse" ? "the PATCH response" : after.confirmedBy === "get" ? "a GET of the customer" : after.confirmedBy === "customerGone" ? "the customer being gone" : esc(after.confirmedBy)}`
      : "";
    out.push(
      `relationship: ${esc(state(s.last.before, "relationshipToPartner"))} -> ${esc(state(after, "relationshipToPartner"))}${confirmed} [${ids(s.last, esc)}]`,
    );
  }
  if (s.op.startsWith("gdap") && s.last.phase === "outcome") {
    const subj = s.last.subject;
    const after = s.last.after ? Object.entries(s.last.after).map(([k, v]) => `${esc(k)} ${esc(v)}`) : [];
    out.push(
      `${esc(subj.kind)} ${esc(subj.id || "(new)")}${subj.name ? ` "${esc(subj.name)}"` : ""}${subj.relationshipId ? ` in relationship ${esc(subj.relationshipId)}` : ""}${after.length ? `: ${after.join(", ")}` : ""}${s.last.requests.length ? ` [${ids(s.last, esc)}]` : ""}`,
    );
  }
  if (s.last.error && s.outcome !== "blocked") {
    out.push(`error ${esc(s.last.error.code)}: ${esc(s.last.error.message)}`);
  }
  for (const i of s.open) {
    out.push(
      `sent with no outcome on record: the ${esc(i.op)} of ${esc(i.subject.kind)} ${esc(i.subject.id || i.subject.name)} [${ids(i, esc)}]. Run partner-center-audit --reconcile (or pulumi refresh) to settle it.`,
    );
  }
  if (s.outcome === "incomplete" && s.open.length === 0) {
    out.push(
      "no outcome recorded: the process stopped or the trail could not be written after the check. Check the customer in Partner Center, then run the command again.",
    );
  }
  return out;
}

function describeOutcome(s: OperationSummary): string {
  const o =
    s.outcome === "alreadyGone" ? "already gone" : s.outcome === "notApplied" ? "not applied" : s.outcome;
  return s.reconciled ? `${o} (reconciled)` : o;
}

/** The report for a terminal or a log. */
export function renderText(trail: Trail, source = "trail", ops = summarize(trail.records)): string {
  const esc: Esc = (t) => shortLine(t, 600);
  const lines = [
    `Audit trail ${esc(source)}: ${ops.length} operation(s) (${counts(ops)
      .map(([o, n]) => `${n} ${o}`)
      .join(
        ", ",
      )}); ${trail.records.length} record(s)${trail.invalid.length ? `; ${trail.invalid.length} unreadable line(s): ${trail.invalid.map((x) => `line ${x.line} ${esc(x.reason)}`).join(", ")}` : ""}.`,
  ];
  for (const s of ops) {
    lines.push(
      "",
      `${who(s.customer, esc)}: ${esc(s.op)} ${esc(describeOutcome(s).toUpperCase())} at ${esc(s.ended)} (operation ${esc(s.operationId)})`,
    );
    for (const d of details(s, esc)) lines.push(`  ${d}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The Markdown summary, for `$GITHUB_STEP_SUMMARY` or an Azure DevOps summary attachment. */
export function renderMarkdown(trail: Trail, source = "trail", ops = summarize(trail.records)): string {
  const esc: Esc = (t) => markdownText(t, 200);
  const table = counts(ops);
  const lines = [
    "## Partner Center audit trail",
    "",
    `${esc(source)}: ${ops.length} operation(s), ${trail.records.length} record(s).`,
    "",
    `| ${table.map(([o]) => esc(o)).join(" | ")} |`,
    `| ${table.map(() => "---:").join(" | ")} |`,
    `| ${table.map(([, n]) => String(n)).join(" | ")} |`,
  ];
  if (trail.invalid.length) {
    lines.push(
      "",
      `**${trail.invalid.length} unreadable line(s)**: ${trail.invalid.map((x) => `line ${x.line} (${esc(x.reason)})`).join(", ")}.`,
    );
  }
  if (ops.length) {
    lines.push(
      "",
      "| Customer | Operation | Outcome | Time (UTC) | Operation id | Details |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const s of ops) {
      const outcome = ATTENTION.includes(s.outcome)
        ? `**${esc(describeOutcome(s))}**`
        : esc(describeOutcome(s));
      lines.push(
        `| ${who(s.customer, esc)} | ${esc(s.op)} | ${outcome} | ${esc(s.ended)} | ${esc(s.operationId)} | ${details(s, esc).join("<br>") || "-"} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The JSON document: each operation with its outcome and writes. Values are the trail's, with control and
 * bidi characters escaped (JSON keeps them readable as data; a terminal printing the document is safe).
 */
export function renderJson(trail: Trail, source = "trail", ops = summarize(trail.records)): string {
  const doc = {
    source,
    attention: needsAttention(ops),
    counts: Object.fromEntries(counts(ops)),
    records: trail.records.length,
    unreadableLines: trail.invalid,
    operations: ops.map((s) => ({
      operationId: s.operationId,
      op: s.op,
      customer: s.customer,
      outcome: s.outcome,
      reconciled: s.reconciled,
      started: s.started,
      ended: s.ended,
      subject: s.last.subject,
      blockers: s.last.blockers ?? [],
      writes: [
        ...s.changes.map((c) => ({
          op: c.op,
          phase: c.phase,
          subject: c.subject,
          before: c.before,
          after: c.after,
          outcome: c.outcome,
          requests: c.requests,
        })),
        ...(s.last.phase === "outcome" && s.last.requests.length
          ? [
              {
                op: s.last.op,
                phase: s.last.phase,
                subject: s.last.subject,
                before: s.last.before,
                after: s.last.after,
                outcome: s.last.outcome,
                requests: s.last.requests,
              },
            ]
          : []),
      ],
      openIntents: s.open.map((i) => ({ op: i.op, subject: i.subject, requests: i.requests })),
      error: s.last.error ?? null,
    })),
  };
  // The JSON text through printableLines(): C1, bidi and separators as \uXXXX, valid JSON that reads back as
  // the original (C0 is escaped by JSON itself; the layout's line feeds stay).
  return `${printableLines(JSON.stringify(doc, null, 2))}\n`;
}

// ----------------------------------------------------------------------------------------------- command

interface Args {
  format: "text" | "markdown" | "json";
  operation?: string;
  reconcile: boolean;
  file: string;
}

/** Parses the command line; throws a usage message naming the bad argument. */
export function parseArgs(argv: readonly string[]): Args {
  const { values, positionals, unknown } = readArgs(argv, AUDIT_OPTIONS);
  if (unknown !== undefined)
    throw new Error(
      `unknown option "${unknown}": expected --markdown, --json, --operation ID or --reconcile`,
    );
  if (values.markdown && values.json) throw new Error("give --markdown or --json, not both");
  const format: Args["format"] = values.json ? "json" : values.markdown ? "markdown" : "text";
  const operation = values.operation as string | undefined;
  if (operation === "") throw new Error("--operation takes an operationId");
  if (positionals.length !== 1) throw new Error("give exactly one trail FILE");
  return {
    format,
    reconcile: values.reconcile === true,
    file: positionals[0] as string,
    ...(operation !== undefined && { operation }),
  };
}

const AUDIT_OPTIONS = {
  markdown: { type: "boolean" },
  json: { type: "boolean" },
  reconcile: { type: "boolean" },
  operation: { type: "string" },
} as const;

/** Whether the command line names the trail FILE itself (else `partner-center audit` adds the configured one). */
export function namesTrailFile(argv: readonly string[]): boolean {
  return readArgs(argv, AUDIT_OPTIONS).positionals.length > 0;
}

type Io = { out: (s: string) => void; err: (s: string) => void };

/** `--reconcile`: settles the open intents of the file; false (after a message) when it could not. */
async function reconcile(file: string, env: NodeJS.ProcessEnv, io: Io): Promise<boolean> {
  let client: PartnerCenterClient;
  let settings;
  try {
    settings = loadSettings({}, env);
    assertCredentials(settings);
    client = new PartnerCenterClient(settings);
  } catch (e) {
    io.err(`partner-center-audit: --reconcile: ${e instanceof Error ? e.message : String(e)}\n`);
    return false;
  }
  try {
    const r = await reconcileTrail(file, settings, {
      client,
      graph: async () => getSharedGraphClient(client, settings),
    });
    io.err(
      `partner-center-audit: reconciled ${r.settled.length} write(s) with no outcome${r.open.length ? `; ${r.open.length} left open: ${r.open.map((o) => `${shortLine(o.intent.requests[0]?.requestId)} (${shortLine(o.reason, 300)})`).join(", ")}` : ""}.\n`,
    );
    return true;
  } catch (e) {
    io.err(`partner-center-audit: --reconcile: ${e instanceof Error ? e.message : String(e)}\n`);
    return false;
  } finally {
    await client.close();
  }
}

/** Runs the command; resolves to the exit code ({@link EXIT}). */
export async function main(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    out(`${USAGE}\n`);
    return EXIT.ok;
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err(`partner-center-audit: ${(e as Error).message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (args.reconcile && !(await reconcile(args.file, env, { out, err }))) return EXIT.usage;
  // The trail's own reader: a FIFO or a device named as the trail is refused at once, never waited on.
  let text: string | undefined;
  let why = "ENOENT";
  try {
    text = await readTrailFile(args.file);
  } catch (e) {
    why = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
  }
  if (text === undefined) {
    err(`partner-center-audit: cannot read ${shortLine(args.file, 300)}: ${why}\n`);
    return EXIT.usage;
  }
  const trail = parseTrail(text);
  for (const x of trail.invalid) {
    err(`partner-center-audit: warning: line ${x.line} skipped: ${x.reason}\n`);
  }
  if (args.operation) trail.records = trail.records.filter((r) => r.operationId === args.operation);
  const render = { text: renderText, markdown: renderMarkdown, json: renderJson }[args.format];
  const ops = summarize(trail.records);
  out(render(trail, args.file, ops));
  return needsAttention(ops) ? EXIT.attention : EXIT.ok;
}

if (require.main === module) {
  main(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  ).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`partner-center-audit: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.usage;
    },
  );
}
