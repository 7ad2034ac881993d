/**
 * The emulator's GDAP store and its lifecycle rules: the delegated admin relationships, their requests, operations
 * and access assignments, and what happens to them over time, apart from HTTP (the Graph routes, routes/gdap/,
 * answer over it).
 *
 * Emulator's choices (Microsoft documents no more):
 * - A status change caused by a request (lock, approve, terminate, assignment create or delete) is never visible in
 *   the answer to that request: it applies on the first read at least `asyncMs` later (default 0).
 * - `terminate` is documented for an active relationship only (the lifecycle diagram of "Granular delegated admin
 *   privileges (GDAP) API overview"): by default (`terminateOnlyWhenActive`) it is refused (400) in any other
 *   status. Set `terminateOnlyWhenActive = false` for the lenient variant: accepted in approvalPending, approved,
 *   activating, active and expiring, refused in created (DELETE it instead) and once ended.
 * - Terminating a relationship deletes its access assignments when the termination applies.
 * - A long-running operation (202) is `running` until `asyncMs` has passed, then `succeeded` (the status of the
 *   documented example; the enum on the resource page says `complete`), and its change applies then.
 */
import { randomUUID } from "node:crypto";
import {
  durationDays,
  etag,
  type GdapAssignmentState,
  type GdapOperationState,
  type GdapRelationshipState,
  TERMINABLE,
} from "./gdap-model";

/** The relationships, their pending status changes, and the test controls over them. */
export class GdapStore {
  private readonly rels = new Map<string, GdapRelationshipState>();
  /** Delay of asynchronous status changes (ms). */
  asyncMs = 0;
  /** Largest page a list answers, whatever `$top` asks (tests of `@odata.nextLink` paging). */
  pageSize = 300;
  /** Refuse `terminate` outside status `active`, as documented (false: the lenient variant, see above). */
  terminateOnlyWhenActive = true;

  /**
   * @param partnerTenantId the partner, the suffix of relationship ids.
   * @param graphTokens access tokens issued for https://graph.microsoft.com (the store's token set for that
   *   audience: the Graph routes accept only these, and static tokens).
   */
  constructor(
    readonly partnerTenantId: () => string,
    readonly graphTokens: Set<string> = new Set(),
  ) {}

  /** Forgets every relationship (tokens stay valid, as for the rest of the emulator). */
  reset(): void {
    this.rels.clear();
    this.asyncMs = 0;
    this.pageSize = 300;
    this.terminateOnlyWhenActive = true;
  }

  /** A copy of every relationship (statuses settled). */
  state(): GdapRelationshipState[] {
    const now = Date.now();
    return structuredClone([...this.rels.values()].map((r) => this.settle(r, now)));
  }

  /** The relationship `id` with its due changes applied, or undefined. */
  get(id: string): GdapRelationshipState | undefined {
    const r = this.rels.get(id.toLowerCase());
    return r && this.settle(r, Date.now());
  }

  /** Every relationship, due changes applied (live objects, for the routes). */
  list(): GdapRelationshipState[] {
    const now = Date.now();
    return [...this.rels.values()].map((r) => this.settle(r, now));
  }

  add(r: GdapRelationshipState): void {
    this.rels.set(r.id, r);
  }

  /** Deletes a relationship (DELETE while `created`). */
  remove(r: GdapRelationshipState): void {
    this.rels.delete(r.id);
  }

  /** The relationship, ended or not, other than `except`, that already has this name: names are unique. */
  named(name: string, except?: GdapRelationshipState): GdapRelationshipState | undefined {
    return [...this.rels.values()].find((r) => r !== except && r.displayName === name);
  }

  /** Starts a long-running operation; its change applies when it completes, `asyncMs` from now. */
  startOperation(
    r: GdapRelationshipState,
    operationType: GdapOperationState["operationType"],
    roles: string[],
    assignmentId: string | null,
  ): GdapOperationState {
    const now = Date.now();
    const iso = new Date(now).toISOString();
    const o: GdapOperationState = {
      id: randomUUID(),
      operationType,
      status: "running",
      createdDateTime: iso,
      lastModifiedDateTime: iso,
      roles,
      assignmentId,
      at: now + this.asyncMs,
    };
    r.operations.push(o);
    return o;
  }

  /**
   * The customer's global administrator approves (what the approval link does): approvalPending → active,
   * through activating; activatedDateTime now, endDateTime = activatedDateTime + duration.
   * @throws Error when there is no such relationship or it is not awaiting approval.
   */
  approve(id: string): GdapRelationshipState {
    const r = this.rels.get(id.toLowerCase());
    if (!r) throw new Error(`no delegated admin relationship "${id}"`);
    this.settle(r, Date.now());
    if (r.status !== "approvalPending") {
      throw new Error(`relationship ${r.id} is ${r.status}, not approvalPending: nothing to approve`);
    }
    const now = Date.now();
    this.touch(r, "activating");
    r.activatedDateTime = new Date(now).toISOString();
    r.endDateTime = new Date(now + (durationDays(r.duration) ?? 0) * 86_400_000).toISOString();
    r.next = { status: "active", at: now + this.asyncMs };
    return structuredClone(r);
  }

  /**
   * Sets a relationship's status directly (tests: expired, terminated outside Pulumi...), and optionally its
   * autoExtendDuration (a change made in Partner Center's portal) or its createdDateTime.
   */
  setStatus(
    id: string,
    status: string,
    more: { autoExtendDuration?: string; createdDateTime?: string } = {},
  ): GdapRelationshipState {
    const r = this.rels.get(id.toLowerCase());
    if (!r) throw new Error(`no delegated admin relationship "${id}"`);
    this.touch(r, status);
    r.next = null;
    if (more.autoExtendDuration !== undefined) r.autoExtendDuration = more.autoExtendDuration;
    if (more.createdDateTime !== undefined) r.createdDateTime = more.createdDateTime;
    return structuredClone(r);
  }

  /**
   * Where a `lockForApproval` or `terminate` request takes the relationship, or why it is refused (the Graph error
   * code and message of a 400). A termination marks the relationship terminationRequested and ends it now.
   */
  requestTransition(
    r: GdapRelationshipState,
    action: unknown,
    now: number,
  ): { target: string } | { code: string; refused: string } {
    if (action === "lockForApproval") {
      if (r.status !== "created") {
        return {
          code: "Request_BadRequest",
          refused: `The relationship is '${r.status}': only a 'created' relationship can be locked for approval.`,
        };
      }
      return { target: "approvalPending" };
    }
    if (action === "terminate") {
      if (this.terminateOnlyWhenActive ? r.status !== "active" : !TERMINABLE.has(r.status)) {
        return {
          code: "Request_BadRequest",
          refused: `The relationship is '${r.status}' and cannot be terminated${r.status === "created" ? ": delete it instead" : ""}.`,
        };
      }
      this.touch(r, "terminationRequested");
      r.endDateTime = new Date(now).toISOString();
      return { target: "terminated" };
    }
    return {
      code: "BadRequest",
      refused: `action must be lockForApproval or terminate, not '${String(action)}'.`,
    };
  }

  /** An assignment's DELETE: deleting now, deleted (gone) `asyncMs` later. */
  deleteAssignment(a: GdapAssignmentState): void {
    a.status = "deleting";
    a.etag = etag();
    a.next = { status: "deleted", at: Date.now() + this.asyncMs };
  }

  /** A new status, etag and lastModifiedDateTime. */
  touch(r: GdapRelationshipState, status: string): void {
    r.status = status;
    r.etag = etag();
    r.lastModifiedDateTime = new Date().toISOString();
  }

  /** Applies a due status change, and the changes of completed operations. */
  settle(r: GdapRelationshipState, now: number): GdapRelationshipState {
    for (const o of r.operations) this.settleOperation(r, o, now);
    if (r.next && now >= r.next.at) {
      this.touch(r, r.next.status);
      r.next = null;
      if (r.status === "terminated") {
        for (const a of r.assignments) a.status = "deleted";
      }
    }
    return r;
  }

  /** Completes a due operation and applies its change. */
  settleOperation(r: GdapRelationshipState, o: GdapOperationState, now: number): GdapOperationState {
    if (o.status !== "running" || now < o.at) return o;
    o.status = "succeeded";
    o.lastModifiedDateTime = new Date(now).toISOString();
    if (o.assignmentId === null) {
      r.roles = o.roles;
      r.etag = etag();
      r.lastModifiedDateTime = o.lastModifiedDateTime;
    } else {
      const a = r.assignments.find((x) => x.id === o.assignmentId);
      if (a) {
        a.roles = o.roles;
        a.etag = etag();
        a.lastModifiedDateTime = o.lastModifiedDateTime;
      }
    }
    return o;
  }

  /** Applies a due assignment change; a deleted assignment leaves the relationship (404 from then on). */
  settleAssignment(
    r: GdapRelationshipState,
    a: GdapAssignmentState,
    now: number,
  ): GdapAssignmentState | undefined {
    if (a.next && now >= a.next.at) {
      a.status = a.next.status;
      a.etag = etag();
      a.lastModifiedDateTime = new Date(now).toISOString();
      a.next = null;
    }
    if (a.status === "deleted") {
      r.assignments = r.assignments.filter((x) => x !== a);
      return undefined;
    }
    return a;
  }
}
