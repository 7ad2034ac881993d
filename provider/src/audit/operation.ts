/**
 * How an operation is recorded in the audit trail (the record format and the writer are in trail.ts), without
 * touching the domain rules in relationship/: the operation runs on an audited view of the client
 * (audited-client.ts) that sees every read and every write and reports them here.
 * - `checked`: as soon as the removal's check has read both the subscriptions and the entitlements (the
 *   design's delete reads both before any change), the counts and blockers are written, and the operation
 *   continues only once that record is on disk. If it cannot be written the read itself fails, so the
 *   operation fails before any change is sent. A write that would go out without a `checked` record first
 *   writes one, under the same rule.
 * - each write (relationship PATCH, suspend, cancel) is written ahead: an `intent` record with the
 *   MS-RequestId and MS-CorrelationId the attempt is about to send is on disk before it is sent (the
 *   transport awaits `RequestOptions.beforeSend`; every attempt, retries included); if it cannot be written,
 *   that attempt is not sent. A subscription change then gets its own outcome record right after Partner
 *   Center answers: before and after state, and the ids it sent (reported through `RequestOptions.onIds`).
 *   An intent that never gets an outcome (the process was killed) is settled by a later run (reconcile.ts).
 * - the `outcome` record closes the operation: removed, alreadyGone, blocked, failed (with the error code)
 *   or unconfirmed.
 * Records after a change has been sent never fail the operation (the change happened; failing would hide
 * it): a record that cannot be written then is reported in a warning line naming the file.
 */
import { randomUUID } from "node:crypto";
import type { Customer, Entitlement, Subscription } from "../client";
import type { SentIds, WriteHook } from "../client/core/transport";
import { ChangeNotAppliedError, RemovalBlockedError } from "../errors";
import { findBlockers } from "../relationship";
import { settingName, type Settings } from "../settings";
import {
  AUDIT_SCHEMA_VERSION,
  AuditTrailError,
  errorOf,
  serializeRecord,
  thisWriter,
  type AuditLogger,
  type AuditOp,
  type AuditOutcome,
  type AuditPhase,
  type AuditRead,
  type AuditRecord,
  type AuditRequest,
  type TrailWriter,
} from "./trail";

interface OperationContext {
  op: AuditOp;
  customerId: string;
  companyName?: string | undefined;
  /** The relationship as the stack state last recorded it. */
  relationshipBefore?: string | undefined;
  suspendActiveSubscriptions?: boolean | undefined;
  cancelNewCommerceSubscriptionsInWindow?: boolean | undefined;
  log?: AuditLogger | undefined;
}

/** One provider operation being recorded. */
export class Operation {
  readonly id = randomUUID();
  private readonly reads: AuditRead[] = [];
  private subscriptions: Subscription[] | undefined;
  private entitlements: Entitlement[] | undefined;
  private checked: Promise<void> | undefined;
  private companyName: string | undefined;
  /** The relationship after the PATCH, and what confirmed it. */
  relationshipAfter: Record<string, string | null> | null = null;
  readonly patches: AuditRequest[] = [];

  /** The relationship as the stack state last recorded it. */
  get relationshipBefore(): string | undefined {
    return this.ctx.relationshipBefore;
  }

  constructor(
    private readonly writer: TrailWriter,
    private readonly settings: Settings,
    private readonly ctx: OperationContext,
  ) {
    this.companyName = ctx.companyName;
  }

  private base(phase: AuditPhase, op: AuditOp = this.ctx.op): AuditRecord {
    const s = this.subscriptions;
    const e = this.entitlements;
    return {
      version: AUDIT_SCHEMA_VERSION,
      time: new Date().toISOString(),
      operationId: this.id,
      op,
      phase,
      customer: { id: this.ctx.customerId, name: this.companyName ?? null },
      partnerTenantId: this.settings.tenantId ?? null,
      endpoint: this.settings.endpoint,
      subject: { kind: "relationship", id: this.ctx.customerId, name: this.companyName ?? null },
      options:
        this.ctx.op === "removal"
          ? {
              suspendActiveSubscriptions: this.ctx.suspendActiveSubscriptions ?? false,
              ...(this.ctx.cancelNewCommerceSubscriptionsInWindow && {
                cancelNewCommerceSubscriptionsInWindow: true,
              }),
            }
          : null,
      checks:
        this.reads.length > 0
          ? {
              subscriptionsRead: s?.length ?? null,
              entitlementsRead: e?.length ?? null,
              reads: [...this.reads],
            }
          : null,
      blockers: s && e ? findBlockers(s, e) : [],
      before: null,
      after: null,
      requests: [],
      outcome: null,
      error: null,
      writer: thisWriter(),
    };
  }

  /**
   * The write-ahead hook of one write: before each attempt is sent, an `intent` record naming `subject`,
   * with the ids the attempt will send, is written and synced; if it cannot be, the attempt is not sent.
   */
  intentHook(
    op: AuditOp,
    subject: AuditRecord["subject"] | undefined,
    before: AuditRecord["before"],
  ): WriteHook {
    return async (ids: SentIds) => {
      if (this.ctx.op === "removal") await this.writeChecked();
      const r = this.base("intent", op);
      if (subject) r.subject = subject;
      r.before = before;
      r.requests = [{ ...ids }];
      await this.writeRequired(
        r,
        `The ${op} of ${r.subject.kind} ${r.subject.id} (customer ${this.ctx.customerId}) was not sent.`,
      );
    };
  }

  /** Before any change: throws {@link AuditTrailError} when the record cannot be written. */
  writeChecked(): Promise<void> {
    if (!this.checked) {
      const r = this.base("checked");
      r.before = { relationshipToPartner: this.ctx.relationshipBefore ?? null };
      this.checked = this.writeRequired(r, `Nothing was changed for customer ${this.ctx.customerId}.`).catch(
        (e: unknown) => {
          this.checked = undefined; // a later write tries again, under the same rule
          throw e;
        },
      );
    }
    return this.checked;
  }

  /** A record of this operation with `fields` set over the common ones. */
  record(phase: AuditPhase, op: AuditOp, fields: Partial<AuditRecord>): AuditRecord {
    return { ...this.base(phase, op), ...fields };
  }

  /** A record the operation cannot go on without: its failure throws {@link AuditTrailError}. */
  async writeRequired(r: AuditRecord, consequence: string): Promise<void> {
    try {
      await this.writer.append(serializeRecord(r));
    } catch (e) {
      throw new AuditTrailError(
        `The audit trail ${this.writer.path} (${settingName("auditLog")}) cannot be written: ${errorOf(e).message}. ${consequence}`,
        {
          action:
            "Point the setting at a file in a writable directory (or unset it to run without a trail), then run the command again.",
        },
      );
    }
  }

  /** After a change or at the end: never throws; a failure becomes a warning. */
  async writeAfter(r: AuditRecord): Promise<boolean> {
    try {
      await this.writer.append(serializeRecord(r));
      return true;
    } catch (e) {
      this.ctx.log?.(
        `warning: the audit trail ${this.writer.path} could not record the ${r.op} ${r.phase} (${r.outcome ?? ""}) of customer ${this.ctx.customerId}: ${errorOf(e).message}. The change itself stands; MS-RequestId(s): ${r.requests.map((q) => q.requestId).join(", ") || "none"}.`,
      );
      return false;
    }
  }

  /**
   * A read settled. Once the removal has read both lists, the check is complete: the `checked` record is
   * written before the read returns, so the domain rules see the data only when the record is on disk.
   */
  async noteRead(read: AuditRead, list?: { subscriptions?: Subscription[]; entitlements?: Entitlement[] }) {
    this.reads.push(read);
    if (list?.subscriptions) this.subscriptions = list.subscriptions;
    if (list?.entitlements) this.entitlements = list.entitlements;
    if (this.ctx.op === "removal" && this.subscriptions && this.entitlements) await this.writeChecked();
  }

  noteCustomer(c: Customer | undefined): void {
    if (c?.companyName) this.companyName = c.companyName;
  }

  /** The record of one subscription change. */
  changeRecord(
    op: "suspend" | "cancel",
    before: Subscription,
    after: Subscription | undefined,
    requests: AuditRequest[],
    error: unknown,
  ): AuditRecord {
    const r = this.base("outcome", op);
    r.subject = {
      kind: "subscription",
      id: before.id,
      name: before.offerName ?? before.friendlyName ?? null,
    };
    r.before = { status: before.status };
    r.after = after ? { status: after.status } : null;
    r.requests = requests;
    r.outcome = error === undefined ? (op === "suspend" ? "suspended" : "cancelled") : "failed";
    if (error instanceof ChangeNotAppliedError) {
      // Answered with success but not applied: never "cancelled"/"suspended"; the status seen afterwards.
      r.outcome = "unconfirmed";
      r.after = { status: error.observedStatus ?? null };
    }
    r.error = error === undefined ? null : errorOf(error);
    return r;
  }

  /** The closing record of the operation. */
  outcomeRecord(outcome: AuditOutcome, error?: unknown): AuditRecord {
    const r = this.base("outcome");
    if (this.ctx.op === "removal") {
      r.before = { relationshipToPartner: this.ctx.relationshipBefore ?? null };
      r.after = this.relationshipAfter;
      r.requests = [...this.patches];
      if (error instanceof RemovalBlockedError) r.blockers = [...error.blockers];
    }
    r.outcome = outcome;
    r.error = error === undefined ? null : errorOf(error);
    return r;
  }
}
