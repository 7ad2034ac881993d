/** Audit trail test helpers: a record to start from, a temporary trail, reading one back, a writer in memory. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TrailWriter, type AuditRecord } from "../../provider/src/audit/trail";

/** A complete version 2 removal outcome record, with `over` set. */
export function record(over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    version: 2,
    time: "2025-01-02T03:04:05.000Z",
    operationId: "op-1",
    op: "removal",
    phase: "outcome",
    customer: { id: "c", name: "Contoso" },
    partnerTenantId: null,
    endpoint: "http://127.0.0.1:1",
    subject: { kind: "relationship", id: "c", name: null },
    options: { suspendActiveSubscriptions: false },
    checks: { subscriptionsRead: 0, entitlementsRead: 0, reads: [] },
    blockers: [],
    before: null,
    after: null,
    requests: [],
    outcome: "removed",
    error: null,
    ...over,
  };
}

/** A new empty directory under the system's temporary directory. */
export const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "ppc-trail-"));

/** A path for a trail file that does not exist yet, in a new temporary directory. */
export const tmpTrail = () => path.join(tmpDir(), "trail.jsonl");

/** Every record of the trail file, which must end with a whole line. */
export function readTrail(file: string): AuditRecord[] {
  const text = fs.readFileSync(file, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as AuditRecord);
}

/**
 * A trail kept in memory: each record is handed to `onAppend` first, which may wait (to prove the caller
 * waits for the record) or throw (to fail that record's write), and is kept only when it returns.
 */
export class MemoryWriter extends TrailWriter {
  readonly records: AuditRecord[] = [];

  constructor(private readonly onAppend?: (r: AuditRecord) => void | Promise<void>) {
    super("memory-trail.jsonl");
  }

  override async append(line: string): Promise<void> {
    const r = JSON.parse(line) as AuditRecord;
    await this.onAppend?.(r);
    this.records.push(r);
  }
}

/** `op/phase/outcome` of each record, to compare a trail's sequence at a glance. */
export const sequence = (records: readonly AuditRecord[]) =>
  records.map((r) => `${r.op}/${r.phase}/${r.outcome}`);
