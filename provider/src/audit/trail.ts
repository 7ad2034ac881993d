/**
 * The audit trail's records and their writing: the record format ({@link AuditRecord}, `version` 2,
 * a stable contract: fields are only ever added; a change of meaning gets a new `version`; version 1 records
 * are still read), and the writer.
 *
 * Writing (see {@link TrailWriter}): one queue per file in the process; each batch of whole lines is one
 * `write(2)` on a descriptor opened with O_APPEND, then `fdatasync(2)`, and only then are the records of the
 * batch acknowledged.
 */
import { constants as fsc } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { ConfigurationError, PartnerCenterError, printable, redact, type RemovalBlocker } from "../errors";
import { settingName, type Settings } from "../settings";
/**
 * The schema version written in every record. Version 2 added the `intent` and `reconciled` phases, the GDAP
 * ops, outcomes and subjects, and the `writer` field; a version 1 record reads as a version 2 one without them.
 */
export const AUDIT_SCHEMA_VERSION = 2;

/** The record versions a reader understands. */
export const AUDIT_SCHEMA_VERSIONS_READ: readonly number[] = [1, 2];

/**
 * What a record is about: a Partner Center operation or write (`adopt`, `removal` and its relationship
 * PATCH, `suspend`, `cancel`), or a Microsoft Graph (GDAP) write: `gdapCreation` (a new delegated admin
 * relationship), `gdapApprovalRequest` (lockForApproval), `gdapTermination` (terminate request),
 * `gdapDeletion` (DELETE of a relationship not yet approved), `gdapUpdate` (PATCH of a relationship:
 * autoExtendDuration, or Global Administrator removed), `gdapAccessAssignment` (create, update or delete of an
 * access assignment: the request's method says which).
 */
export type AuditOp =
  | "adopt"
  | "suspend"
  | "cancel"
  | "removal"
  | "gdapCreation"
  | "gdapApprovalRequest"
  | "gdapTermination"
  | "gdapDeletion"
  | "gdapUpdate"
  | "gdapAccessAssignment";

/**
 * `checked`: the check is done and no change has been sent yet. `intent`: one write is about to be sent
 * (on disk before it is). `outcome`: what happened. `reconciled`: a later run read what an `intent` with no
 * outcome did.
 */
export type AuditPhase = "checked" | "intent" | "outcome" | "reconciled";

/** The result of an operation or of one change. */
export type AuditOutcome =
  | "adopted"
  | "suspended"
  | "cancelled"
  | "removed"
  | "alreadyGone"
  | "blocked"
  | "failed"
  | "unconfirmed"
  | "terminated"
  /** GDAP: a relationship or assignment created, updated, deleted; a request (approval, termination) accepted. */
  | "created"
  | "updated"
  | "deleted"
  | "requested"
  /** Reconciled: Partner Center (or Graph) still shows the state before the write. */
  | "notApplied";

/** One read made by the check. */
export interface AuditRead {
  what: "customer" | "subscriptions" | "entitlements" | "azureEntitlements";
  /** For `azureEntitlements`: the Azure plan subscription id. */
  of?: string;
  /** Items read (every page); null when the read failed. */
  count: number | null;
  /** The error code when the read failed (`PPC_NOT_FOUND`...). */
  error?: string;
}

/** One write sent to Partner Center. */
export interface AuditRequest {
  method: string;
  /** Path under the endpoint, e.g. `/v1/customers/{id}`. */
  path: string;
  /** MS-RequestId sent (the idempotency key; the same on every retry). */
  requestId: string;
  /** MS-CorrelationId sent. */
  correlationId: string;
}

/** One line of the audit trail. Every field is always present (null when it does not apply). */
export interface AuditRecord {
  /** 2 when written by this version; 1 in older trails (without the version 2 additions). */
  version: 1 | 2;
  /** ISO 8601 UTC time the record was made. */
  time: string;
  /** Links every record of one provider operation (one create or delete of one resource). */
  operationId: string;
  op: AuditOp;
  phase: AuditPhase;
  customer: { id: string; name: string | null };
  /** The partner tenant (the `tenantId` setting), or null. */
  partnerTenantId: string | null;
  /** The Partner Center endpoint (the emulator's, in tests and the demo). */
  endpoint: string;
  /** What the change applies to: the relationship, or one subscription. */
  subject: {
    kind: "relationship" | "subscription" | "adminRelationship" | "accessAssignment";
    id: string;
    name: string | null;
    /** For an access assignment: its delegated admin relationship (version 2). */
    relationshipId?: string;
  };
  /** Options that decide what may change. */
  options: { suspendActiveSubscriptions: boolean; cancelNewCommerceSubscriptionsInWindow?: boolean } | null;
  /** Counts of the latest subscription and entitlement lists, and every read, in order. */
  checks: { subscriptionsRead: number | null; entitlementsRead: number | null; reads: AuditRead[] } | null;
  /** What blocked (or would block) the removal at the time of the record. */
  blockers: RemovalBlocker[];
  /** State before the change: `{status}` of a subscription, `{relationshipToPartner}` of the relationship. */
  before: Record<string, string | null> | null;
  /** State after, as Partner Center answered it. */
  after: Record<string, string | null> | null;
  /** Every write this record covers, with the ids it sent. */
  requests: AuditRequest[];
  /** Null in a `checked` record. */
  outcome: AuditOutcome | null;
  error: {
    code: string;
    status: number | null;
    partnerCenterCode: string | null;
    requestId: string | null;
    correlationId: string | null;
    message: string;
  } | null;
  /**
   * Version 2: the process that wrote the record. A later run settles an `intent` with no outcome only once
   * that process is gone (on this host), so it never reads Partner Center while the write is in flight.
   */
  writer?: { host: string; pid: number } | null;
}

/** The `error` field of a record, from what was thrown. */
export function errorOf(e: unknown): NonNullable<AuditRecord["error"]> {
  if (e instanceof PartnerCenterError) {
    return {
      code: e.code,
      status: e.status ?? null,
      partnerCenterCode: e.partnerCenterCode ?? null,
      requestId: e.requestId ?? null,
      correlationId: e.correlationId ?? null,
      message: e.message,
    };
  }
  return {
    code: "UNEXPECTED",
    status: null,
    partnerCenterCode: null,
    requestId: null,
    correlationId: null,
    message: e instanceof Error ? e.message : String(e),
  };
}

/** This process, as recorded in {@link AuditRecord.writer}. */
export function thisWriter(): { host: string; pid: number } {
  return { host: hostname(), pid: process.pid };
}

/** Where warnings about records that could not be written go (the provider passes its log). */
export type AuditLogger = (line: string) => void;

/** The audit trail could not be written before a change: nothing was changed. Code `PPC_CONFIGURATION`. */
export class AuditTrailError extends ConfigurationError {
  static override readonly errorName: string = "AuditTrailError";
}

// ---------------------------------------------------------------------------------------------- writing

function redactDeep(v: unknown): unknown {
  if (typeof v === "string") return redact(v);
  if (Array.isArray(v)) return v.map(redactDeep);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x)]));
  }
  return v;
}

/**
 * One record as one line: every string redacted (no registered secret or token can appear, whatever the
 * service put in a name or a message), unsafe characters escaped, `\n` at the end.
 */
export function serializeRecord(record: AuditRecord): string {
  // JSON.stringify escapes C0 controls; printable() escapes the rest that is valid JSON but unsafe in a file
  // people read or tools split into lines (C1, bidi, invisible format characters, line separators), as
  // `\uXXXX`, so a parser reads back the server's text unchanged.
  return `${printable(JSON.stringify(redactDeep(record)))}\n`;
}

/**
 * Appends lines to one file. Within a process, a queue: records are written in the order given, and
 * concurrent operations never interleave inside a line. Across processes, each batch is a single `write(2)`
 * on an O_APPEND descriptor: on local POSIX file systems (ext4, xfs, btrfs, APFS) the kernel appends the
 * whole buffer at the end without interleaving it with another process's append. NFS and some network or
 * FUSE file systems do not honour O_APPEND atomically: give each process its own file there.
 * A short write (disk full) is reported as a failure of the batch.
 *
 * Durability: `fdatasync` per batch (group commit). A record's promise resolves only after the batch that
 * holds it is synced, so a crash loses only records not yet acknowledged, and no operation goes past a record
 * it waits for. Under concurrency, one sync covers every record queued meanwhile.
 */
export class TrailWriter {
  private queue: { line: string; done: (e?: unknown) => void }[] = [];
  private draining = false;
  private dirSynced = false;

  constructor(readonly path: string) {}

  /** Appends one line (already serialized, ending in `\n`); resolves when it is on disk. */
  append(line: string): Promise<void> {
    return new Promise((res, rej) => {
      this.queue.push({ line, done: (e) => (e === undefined ? res() : rej(e as Error)) });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length);
        let failure: unknown;
        try {
          await this.write(batch.map((b) => b.line).join(""));
        } catch (e) {
          failure = e ?? new Error("write failed");
        }
        for (const b of batch) b.done(failure);
      }
    } finally {
      this.draining = false;
    }
  }

  private async write(text: string): Promise<void> {
    // O_NONBLOCK: a FIFO with no reader would otherwise block the open for ever (and every record queued
    // behind it). 0o600: the trail names customers; it is the partner's record, not the world's.
    const fh: FileHandle = await open(
      this.path,
      fsc.O_RDWR | fsc.O_APPEND | fsc.O_CREAT | fsc.O_NONBLOCK,
      0o600,
    ).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENXIO") throw notRegular(this.path, "a FIFO or socket");
      throw e;
    });
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw notRegular(this.path, kindOf(st));
      // A torn last line (an earlier short write, here or in another process) must not swallow this batch:
      // start on a fresh line; the reader skips the fragment with a warning. Another process's large write
      // still in progress can look the same: then the fresh line leaves an empty line, which the reader skips.
      if (st.size > 0) {
        const last = Buffer.alloc(1);
        await fh.read(last, 0, 1, st.size - 1);
        if (last[0] !== 0x0a) text = `\n${text}`;
      }
      const buf = Buffer.from(text, "utf8");
      const { bytesWritten } = await fh.write(buf, 0, buf.length);
      if (bytesWritten !== buf.length) {
        // Take the fragment back when nothing else was appended meanwhile (the file ends with it); otherwise
        // it stays, and the next batch starts on a fresh line.
        const now = (await fh.stat()).size;
        if (now === st.size + bytesWritten) await fh.truncate(st.size).catch(() => undefined);
        throw new Error(`only ${bytesWritten} of ${buf.length} bytes were written (is the disk full?)`);
      }
      await fh.datasync();
    } finally {
      await fh.close();
    }
    if (!this.dirSynced) {
      // The first append may have created the file: sync its directory entry too (POSIX needs both).
      this.dirSynced = true;
      await syncDir(dirname(this.path));
    }
  }
}

export function kindOf(st: { isFIFO(): boolean; isDirectory(): boolean; isSocket(): boolean }): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isDirectory()) return "a directory";
  if (st.isSocket()) return "a socket";
  return "a device or special file";
}

/** The trail must be a regular file: anything else can block, lose or reorder records. */
export function notRegular(path: string, kind: string): Error {
  return new Error(
    `${path} is ${kind}, not a regular file; ${settingName("auditLog")} must name a regular file (or a path where one can be created)`,
  );
}

async function syncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, fsc.O_RDONLY);
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Not supported everywhere (Windows); the file's own data is synced regardless.
  }
}

const writers = new Map<string, TrailWriter>();

/** The process-wide writer of a trail file (one queue per resolved path). */
export function trailWriter(path: string): TrailWriter {
  const abs = resolve(path);
  let w = writers.get(abs);
  if (!w) {
    w = new TrailWriter(abs);
    writers.set(abs, w);
  }
  return w;
}

/**
 * The audit trail file of these settings, or undefined when none is configured. A relative path is resolved
 * against the current directory: inside the Pulumi provider host, the project directory.
 */
export function auditLogPath(settings: Settings): string | undefined {
  return settings.auditLog ? resolve(settings.auditLog) : undefined;
}
