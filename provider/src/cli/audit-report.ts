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
import { readFileSync } from "node:fs";
import { AUDIT_SCHEMA_VERSION, type AuditOutcome, type AuditRecord } from "../audit";
import { plainLine } from "../redact";

const USAGE = `Usage: partner-center-audit [--markdown] [--operation ID] FILE

Renders an audit trail written by the provider (partnercenter:auditLog / PARTNER_CENTER_AUDIT_LOG).
  FILE            the trail (JSON lines)
  --markdown      a Markdown summary, e.g. for >> "$GITHUB_STEP_SUMMARY"
  --operation ID  only the records of this operationId
Exit code: 0 rendered, 2 bad usage or unreadable file.`;

/** A trail as read: the records, and the lines that could not be used (line numbers from 1). */
export interface Trail {
  records: AuditRecord[];
  invalid: { line: number; reason: string }[];
}

/** Parses a trail. Never throws: a line that is not a version-1 record is listed in `invalid`. */
export function parseTrail(text: string): Trail {
  const trail: Trail = { records: [], invalid: [] };
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      // A crash or a full disk during a write leaves at most one partial line.
      trail.invalid.push({ line: i + 1, reason: "not JSON (a partial write?)" });
      return;
    }
    const r = v as Partial<AuditRecord> | null;
    if (r === null || typeof r !== "object" || typeof r.operationId !== "string" || !r.customer) {
      trail.invalid.push({ line: i + 1, reason: "not an audit record" });
    } else if (r.version !== AUDIT_SCHEMA_VERSION) {
      trail.invalid.push({ line: i + 1, reason: `record version ${String(r.version)} (this tool reads 1)` });
    } else {
      trail.records.push(r as AuditRecord);
    }
  });
  return trail;
}

/** One operation (one create or delete of one resource), from its records. */
export interface OperationSummary {
  operationId: string;
  op: AuditRecord["op"];
  customer: AuditRecord["customer"];
  started: string;
  ended: string;
  /** `incomplete`: a `checked` record without an outcome (the process stopped, or the trail failed). */
  outcome: AuditOutcome | "incomplete";
  /** The latest main record (the outcome, once written): its checks and blockers are the final ones. */
  last: AuditRecord;
  /** The `checked` record, written before any change. */
  checked: AuditRecord | undefined;
  /** Subscription changes (suspend, cancel). */
  changes: AuditRecord[];
}

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
        last: r,
        checked: undefined,
        changes: [],
      };
      ops.set(r.operationId, s);
    }
    s.ended = r.time;
    if (r.customer.name) s.customer = r.customer;
    if (r.op === "suspend" || r.op === "cancel") {
      s.changes.push(r);
      continue;
    }
    s.op = r.op;
    s.last = r;
    if (r.phase === "checked") s.checked = r;
    if (r.phase === "outcome" && r.outcome) s.outcome = r.outcome;
  }
  return [...ops.values()];
}

// -------------------------------------------------------------------------------------------- rendering

/**
 * Server text made safe to show: one line, no control or bidi characters (the provider's own rule,
 * {@link plainLine}), at most `max` characters.
 */
export function printable(text: string | null | undefined, max = 120): string {
  const t = plainLine(text ?? "").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Printable text with Markdown and HTML syntax escaped (table cells included). */
export function markdownText(text: string | null | undefined, max = 120): string {
  return printable(text, max)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|~#])/g, "\\$1");
}

function who(c: AuditRecord["customer"], esc: (s: string) => string): string {
  return c.name ? `${esc(c.name)} (${esc(c.id)})` : esc(c.id);
}

function counts(ops: readonly OperationSummary[]): [string, number][] {
  const order: (AuditOutcome | "incomplete")[] = [
    "removed",
    "alreadyGone",
    "blocked",
    "failed",
    "unconfirmed",
    "incomplete",
    "adopted",
    "suspended",
    "cancelled",
    "terminated",
  ];
  return order
    .map((o) => [o, ops.filter((s) => s.outcome === o).length] as [string, number])
    .filter(([o, n]) => n > 0 || ["removed", "blocked", "failed", "unconfirmed", "incomplete"].includes(o));
}

function checkLine(r: AuditRecord): string | undefined {
  const c = r.checks;
  if (!c) return undefined;
  const parts: string[] = [];
  if (c.reads.some((x) => x.what === "customer" && x.count !== null)) parts.push("the customer");
  if (c.subscriptionsRead !== null) parts.push(`${c.subscriptionsRead} subscription(s)`);
  if (c.entitlementsRead !== null) parts.push(`${c.entitlementsRead} entitlement(s)`);
  const plans = c.reads.filter((x) => x.what === "azureEntitlements").length;
  if (plans) parts.push(`the Azure subscriptions of ${plans} Azure plan(s)`);
  const failed = c.reads.filter((x) => x.count === null).map((x) => `${x.what} (${x.error ?? "failed"})`);
  return `read ${parts.join(", ") || "nothing"}${failed.length ? `; failed reads: ${failed.join(", ")}` : ""}`;
}

function ids(r: AuditRecord, esc: (s: string) => string): string {
  return r.requests
    .map((q) => `MS-RequestId ${esc(q.requestId)}, MS-CorrelationId ${esc(q.correlationId)}`)
    .join("; ");
}

function state(s: Record<string, string | null> | null, key: string): string {
  return s?.[key] ?? "?";
}

/** The lines of one operation's details (before escaping the structure), shared by both forms. */
function details(s: OperationSummary, esc: (t: string) => string): string[] {
  const out: string[] = [];
  const check = checkLine(s.last);
  if (check) out.push(`checked: ${check}`);
  const list = (bs: AuditRecord["blockers"]) =>
    bs.map((b) => `${b.kind} ${esc(b.id)}${b.name ? ` "${esc(b.name)}"` : ""} (${esc(b.status)})`).join("; ");
  if (s.last.blockers.length) out.push(`blockers: ${list(s.last.blockers)}`);
  else if (s.checked?.blockers.length && s.changes.length) {
    out.push(`blockers at the check, cleared by the changes below: ${list(s.checked.blockers)}`);
  }
  for (const c of s.changes) {
    const name = c.subject.name ? ` "${esc(c.subject.name)}"` : "";
    const change =
      c.outcome === "failed"
        ? `${c.op} of subscription ${esc(c.subject.id)}${name} FAILED (${esc(c.error?.code ?? "")}${c.error?.status ? `, HTTP ${c.error.status}` : ""})`
        : `${c.op}ed subscription ${esc(c.subject.id)}${name}: ${esc(state(c.before, "status"))} -> ${esc(state(c.after, "status"))}`;
    out.push(`${change}${c.requests.length ? ` [${ids(c, esc)}]` : ""}`);
  }
  if (s.op === "removal" && s.last.requests.length) {
    const after = s.last.after;
    const confirmed = after?.confirmedBy
      ? `, confirmed by ${after.confirmedBy === "patchResponse" ? "the PATCH response" : after.confirmedBy === "get" ? "a GET of the customer" : "the customer being gone"}`
      : "";
    out.push(
      `relationship: ${esc(state(s.last.before, "relationshipToPartner"))} -> ${esc(state(after, "relationshipToPartner"))}${confirmed} [${ids(s.last, esc)}]`,
    );
  }
  if (s.last.error && s.outcome !== "blocked") {
    out.push(`error ${esc(s.last.error.code)}: ${esc(s.last.error.message)}`);
  }
  if (s.outcome === "incomplete") {
    out.push(
      "no outcome recorded: the process stopped or the trail could not be written after the check. Check the customer in Partner Center.",
    );
  }
  return out;
}

function describeOutcome(s: OperationSummary): string {
  return s.outcome === "alreadyGone" ? "already gone" : s.outcome;
}

/** The report for a terminal or a log. */
export function renderText(trail: Trail, source = "trail"): string {
  const ops = summarize(trail.records);
  const esc = (t: string) => printable(t, 600);
  const lines = [
    `Audit trail ${printable(source, 200)}: ${ops.length} operation(s) (${counts(ops)
      .map(([o, n]) => `${n} ${o}`)
      .join(
        ", ",
      )}); ${trail.records.length} record(s)${trail.invalid.length ? `; ${trail.invalid.length} unreadable line(s): ${trail.invalid.map((x) => `line ${x.line} ${x.reason}`).join(", ")}` : ""}.`,
  ];
  for (const s of ops) {
    lines.push("", `${who(s.customer, esc)}: ${s.op} ${describeOutcome(s).toUpperCase()} at ${esc(s.ended)}`);
    for (const d of details(s, esc)) lines.push(`  ${d}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The Markdown summary, for `$GITHUB_STEP_SUMMARY` or an Azure DevOps summary attachment. */
export function renderMarkdown(trail: Trail, source = "trail"): string {
  const ops = summarize(trail.records);
  const esc = (t: string) => markdownText(t, 200);
  const lines = [
    "## Partner Center audit trail",
    "",
    `${esc(source)}: ${ops.length} operation(s), ${trail.records.length} record(s).`,
    "",
    `| ${counts(ops)
      .map(([o]) => o)
      .join(" | ")} |`,
    `| ${counts(ops)
      .map(() => "---:")
      .join(" | ")} |`,
    `| ${counts(ops)
      .map(([, n]) => String(n))
      .join(" | ")} |`,
  ];
  if (trail.invalid.length) {
    lines.push(
      "",
      `**${trail.invalid.length} unreadable line(s)**: ${trail.invalid.map((x) => `line ${x.line} (${x.reason})`).join(", ")}.`,
    );
  }
  if (ops.length) {
    lines.push(
      "",
      "| Customer | Operation | Outcome | Time (UTC) | Details |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const s of ops) {
      const outcome = ["failed", "unconfirmed", "incomplete"].includes(s.outcome)
        ? `**${describeOutcome(s)}**`
        : describeOutcome(s);
      lines.push(
        `| ${who(s.customer, esc)} | ${s.op} | ${outcome} | ${esc(s.ended)} | ${details(s, esc).join("<br>") || "-"} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

// ----------------------------------------------------------------------------------------------- command

interface Args {
  markdown: boolean;
  operation?: string;
  file: string;
}

/** Parses the command line; throws a usage message naming the bad argument. */
export function parseArgs(argv: readonly string[]): Args {
  let markdown = false;
  let operation: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--markdown") markdown = true;
    else if (a === "--operation") {
      operation = argv[++i];
      if (!operation) throw new Error("--operation takes an operationId");
    } else if (a.startsWith("--"))
      throw new Error(`unknown option "${a}": expected --markdown or --operation ID`);
    else files.push(a);
  }
  if (files.length !== 1) throw new Error("give exactly one trail FILE");
  return { markdown, file: files[0] as string, ...(operation !== undefined && { operation }) };
}

/** Runs the command; returns the exit code. */
export function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    out(`${USAGE}\n`);
    return 0;
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err(`partner-center-audit: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(args.file, "utf8");
  } catch (e) {
    err(
      `partner-center-audit: cannot read ${args.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`,
    );
    return 2;
  }
  const trail = parseTrail(text);
  if (args.operation) trail.records = trail.records.filter((r) => r.operationId === args.operation);
  out(args.markdown ? renderMarkdown(trail, args.file) : renderText(trail, args.file));
  return 0;
}

if (require.main === module) {
  process.exitCode = main(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
}
