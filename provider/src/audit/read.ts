/** Reading a trail back: its records (versions 1 and 2), the lines that cannot be used, the open intents. */
import { constants as fsc } from "node:fs";
import { open } from "node:fs/promises";
import { AUDIT_SCHEMA_VERSIONS_READ, kindOf, notRegular, type AuditRecord } from "./trail";

/**
 * The text of a trail file, undefined when there is none. Never blocks: a FIFO or a device is refused
 * (reading a FIFO with no writer would wait for ever).
 */
export async function readTrailFile(path: string): Promise<string | undefined> {
  const fh = await open(path, fsc.O_RDONLY | fsc.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  if (!fh) return undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw notRegular(path, kindOf(st));
    return await fh.readFile("utf8");
  } finally {
    await fh.close();
  }
}

/** A trail as read: the records, and the lines that could not be used (line numbers from 1). */
export interface Trail {
  records: AuditRecord[];
  invalid: { line: number; reason: string }[];
}

/** Parses a trail. Never throws: a line that is not a record of a known version is listed in `invalid`. */
export function parseTrail(text: string): Trail {
  const trail: Trail = { records: [], invalid: [] };
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      // A crash or a full disk during a write leaves a fragment; the writer starts the next record on a new
      // line, so the fragment is a line of its own.
      trail.invalid.push({ line: i + 1, reason: "not JSON (a partial write?)" });
      return;
    }
    const r = v as Partial<AuditRecord> | null;
    if (r === null || typeof r !== "object" || typeof r.operationId !== "string" || !r.customer) {
      trail.invalid.push({ line: i + 1, reason: "not an audit record" });
    } else if (!AUDIT_SCHEMA_VERSIONS_READ.includes(r.version as number)) {
      trail.invalid.push({
        line: i + 1,
        reason: `record version ${String(r.version)} (this tool reads ${AUDIT_SCHEMA_VERSIONS_READ.join(" and ")})`,
      });
    } else {
      trail.records.push({ ...r, requests: Array.isArray(r.requests) ? r.requests : [] } as AuditRecord);
    }
  });
  return trail;
}

/**
 * The writes on record with no outcome: for each MS-RequestId of an `intent` record that no `outcome` or
 * `reconciled` record lists, its latest intent (the last attempt sent).
 */
export function openIntents(records: readonly AuditRecord[]): AuditRecord[] {
  const settled = new Set<string>();
  const open = new Map<string, AuditRecord>();
  for (const r of records) {
    for (const q of r.requests) {
      if (r.phase === "intent") open.set(q.requestId, r);
      else if (r.phase === "outcome" || r.phase === "reconciled") settled.add(q.requestId);
    }
  }
  return [...open].filter(([id]) => !settled.has(id)).map(([, r]) => r);
}
