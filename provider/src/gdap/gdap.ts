/**
 * The domain rules of GDAP (granular delegated admin privileges) relationships, issue 16: create one and lock it
 * for the customer's approval, wait for the approval, terminate it and confirm, end every admin relationship
 * of a customer at offboarding, and manage access assignments. No HTTP here: everything goes through
 * {@link GraphClient}.
 *
 * Lifecycle (Graph v1.0 `resources/delegatedadminrelationship`): created → (lockForApproval) approvalPending →
 * (the customer approves in the admin center) approved/activating → active → expiring → expired, or
 * (terminate) terminationRequested/terminating → terminated. A relationship can be changed or deleted only while
 * `created` (`delegatedadminrelationship-update`, `-delete`); after that its roles are fixed.
 */
import type { AccessAssignment, AdminRelationship, GraphClient } from "./graph";
import {
  ApiError,
  ConfigurationError,
  NotFoundError,
  PartnerCenterError,
  RelationshipNotEstablishedError,
  RemovalUnconfirmedError,
} from "../errors";

/** Where progress lines go. */
export type Logger = (line: string) => void;

/**
 * The link a global administrator of the customer's tenant opens to approve the relationship (Partner Center
 * docs, "Obtain granular admin permissions to manage a customer's service": the approval link has this form).
 */
export function approvalUrl(relationshipId: string): string {
  return `https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/${relationshipId}`;
}

/** Statuses in which the partner holds, or is about to hold, admin roles in the customer's tenant. */
export const GRANTING = new Set(["approved", "activating", "active", "expiring"]);
/** Statuses after which the relationship will never grant anything again. */
export const ENDED = new Set(["terminationRequested", "terminating", "terminated", "expired"]);

/** One line of a customer's remaining admin access, as ResellerRelationship reports it. */
export interface AdminRelationshipSummary {
  id: string;
  displayName: string;
  status: string;
  /** Present once the relationship is active (activatedDateTime + duration). */
  endDateTime?: string;
}

export function summarize(r: AdminRelationship): AdminRelationshipSummary {
  return {
    id: r.id,
    displayName: r.displayName,
    status: r.status,
    ...(r.endDateTime !== undefined && { endDateTime: r.endDateTime }),
  };
}

/** The relationship, or undefined when Graph has none with this id (404). */
export async function findRelationship(
  graph: GraphClient,
  id: string,
): Promise<AdminRelationship | undefined> {
  try {
    return await graph.getRelationship(id);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

/** What a DelegatedAdminRelationship declares. */
export interface RelationshipSpec {
  displayName: string;
  customerId: string;
  duration: string;
  roles: readonly string[];
  autoExtendDuration?: string | undefined;
}

/** Options of {@link establishRelationship}. */
export interface EstablishOptions {
  /** Wait up to this long for the customer's approval (0: return at approvalPending). */
  approvalTimeoutSeconds?: number;
  log?: Logger;
  /** Poll interval while waiting for a status; default 2 s (a tenth of the timeout at most). */
  pollIntervalMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `get` until `done` holds or `timeoutMs` passes; returns the last value read. */
async function pollUntil<T>(
  get: () => Promise<T>,
  done: (t: T) => boolean,
  timeoutMs: number,
  intervalMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await get();
  while (!done(last) && Date.now() < deadline) {
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
    last = await get();
  }
  return last;
}

/** A clear refusal (4xx but 408/429) was not applied; anything else may have been. */
function isRefusal(e: unknown): boolean {
  return (
    e instanceof PartnerCenterError &&
    e.status !== undefined &&
    e.status >= 400 &&
    e.status < 500 &&
    e.status !== 408 &&
    e.status !== 429
  );
}

/**
 * Creates the relationship and locks it for approval, then returns it with its approval link; with
 * `approvalTimeoutSeconds`, waits for the customer's approval and fails with the link when it does not come.
 *
 * Adoption: a relationship of this partner with the same display name (unique per partner, per the docs) and
 * customer that has not ended is taken over instead of creating a second one. That makes a create whose answer
 * was lost, or a create that failed waiting for approval, safe to run again: `pulumi up` picks it up.
 */
export async function establishRelationship(
  graph: GraphClient,
  spec: RelationshipSpec,
  opts: EstablishOptions = {},
): Promise<AdminRelationship> {
  const log = opts.log ?? (() => undefined);
  const interval = opts.pollIntervalMs ?? 2_000;
  let rel = await adoptable(graph, spec);
  if (rel) {
    log(`adopted delegated admin relationship ${rel.id} ("${rel.displayName}", ${rel.status}).`);
  } else {
    try {
      rel = await graph.createRelationship({
        displayName: spec.displayName,
        duration: spec.duration,
        customerTenantId: spec.customerId,
        roles: spec.roles,
        autoExtendDuration: spec.autoExtendDuration,
      });
    } catch (e) {
      // The POST may have been applied without us seeing the answer, and the transport's retry then refused
      // as a duplicate (409): look before failing.
      rel = await adoptable(graph, spec);
      if (!rel) throw e;
    }
  }
  if (rel.status === "created") {
    try {
      await graph.createRequest(rel.id, "lockForApproval");
    } catch (e) {
      const now = await graph.getRelationship(rel.id);
      if (now.status === "created") throw e; // not applied
    }
    // The relationship's status follows the request asynchronously (created → approvalPending).
    rel = await pollUntil(
      () => graph.getRelationship(rel!.id),
      (r) => r.status !== "created",
      30_000,
      Math.min(interval, 1_000),
    );
  }
  const link = approvalUrl(rel.id);
  const timeoutMs = Math.max(0, opts.approvalTimeoutSeconds ?? 0) * 1000;
  if (rel.status === "approvalPending" && timeoutMs > 0) {
    log(
      `relationship ${rel.id} awaits the customer's approval. Send this link to a global administrator of tenant ${spec.customerId}: ${link} ; waiting up to ${opts.approvalTimeoutSeconds} s.`,
    );
    rel = await pollUntil(
      () => graph.getRelationship(rel!.id),
      (r) => r.status !== "approvalPending",
      timeoutMs,
      Math.min(interval, Math.max(100, timeoutMs / 10)),
    );
    if (rel.status === "approvalPending") {
      throw new RelationshipNotEstablishedError(
        `The customer did not approve delegated admin relationship ${rel.id} ("${rel.displayName}") within ${opts.approvalTimeoutSeconds} s. Send this link to a global administrator of tenant ${spec.customerId}: ${link} . Once approved, run \`pulumi up\` again: it adopts this relationship (same displayName).`,
        spec.customerId,
        link,
      );
    }
  } else if (rel.status === "approvalPending") {
    log(
      `relationship ${rel.id} awaits the customer's approval: send this link to a global administrator of tenant ${spec.customerId}: ${link}`,
    );
  }
  if (ENDED.has(rel.status)) {
    throw new ApiError(
      `Delegated admin relationship ${rel.id} is ${rel.status}: it grants nothing and cannot be reused.`,
      { action: "Give the resource another displayName, then run `pulumi up` again." },
    );
  }
  return rel;
}

async function adoptable(graph: GraphClient, spec: RelationshipSpec): Promise<AdminRelationship | undefined> {
  const same = await graph.listRelationships({ displayName: spec.displayName });
  const live = same.filter((r) => r.displayName === spec.displayName && !ENDED.has(r.status));
  const other = live.find((r) => r.customerTenantId !== spec.customerId);
  if (other) {
    throw new ConfigurationError(
      `displayName "${spec.displayName}" is already used by delegated admin relationship ${other.id} with tenant ${other.customerTenantId}; display names are unique per partner.`,
      { action: "Choose another displayName for this resource." },
    );
  }
  return live[0];
}

/** What {@link endRelationship} did. */
export type EndOutcome = "terminated" | "deleted" | "alreadyEnded" | "gone";

/**
 * Ends a relationship: DELETE while `created` (If-Match with its etag), else a `terminate` request; then
 * confirms by reading it back (terminationRequested, terminating, terminated, or gone). A relationship already
 * ended or gone is success. @throws RemovalUnconfirmedError when Graph does not confirm.
 */
export async function endRelationship(
  graph: GraphClient,
  id: string,
  opts: { log?: Logger; pollIntervalMs?: number; confirmTimeoutMs?: number } = {},
): Promise<EndOutcome> {
  const log = opts.log ?? (() => undefined);
  const rel = await findRelationship(graph, id);
  if (!rel) {
    log(`delegated admin relationship ${id} is already gone.`);
    return "gone";
  }
  if (ENDED.has(rel.status)) {
    log(`delegated admin relationship ${id} is already ${rel.status}.`);
    return "alreadyEnded";
  }
  let lost: unknown;
  const deleting = rel.status === "created" && rel.etag !== undefined;
  try {
    if (deleting) await graph.deleteRelationship(id, rel.etag!);
    else await graph.createRequest(id, "terminate");
  } catch (e) {
    // May have been applied (a lost answer, whose retry was then refused as already ended): read it back.
    const now = await findRelationship(graph, id);
    if (isRefusal(e) && now !== undefined && !ENDED.has(now.status)) throw e;
    lost = e;
  }
  const after = await pollUntil(
    () => findRelationship(graph, id),
    (r) => r === undefined || ENDED.has(r.status),
    opts.confirmTimeoutMs ?? 30_000,
    opts.pollIntervalMs ?? 1_000,
  );
  if (after !== undefined && !ENDED.has(after.status)) {
    throw new RemovalUnconfirmedError(
      `Microsoft Graph did not confirm the end of delegated admin relationship ${id} ("${rel.displayName}"): it is still ${after.status}${lost instanceof Error ? ` (${lost.message})` : ""}.`,
      {
        action:
          "The resource stays in the stack. Run the command again, or terminate it in Partner Center (Customers > the customer > Admin relationships).",
      },
    );
  }
  const outcome: EndOutcome = deleting ? "deleted" : "terminated";
  log(
    `${outcome === "deleted" ? "deleted" : "terminated"} delegated admin relationship ${id} ("${rel.displayName}"): Graph shows ${after?.status ?? "it gone"}.`,
  );
  return outcome;
}

/** A customer's relationships that still grant, or may come to grant, admin access. */
export function stillGranting(rels: readonly AdminRelationship[]): AdminRelationship[] {
  return rels.filter((r) => !ENDED.has(r.status));
}

/** The customer's admin relationships, every status, as ResellerRelationship reports them. */
export async function adminAccessOf(
  graph: GraphClient,
  customerId: string,
): Promise<AdminRelationshipSummary[]> {
  return (await graph.listRelationships({ customerTenantId: customerId })).map(summarize);
}

/**
 * Offboarding: ends every relationship of this customer that has not ended — active ones and also created or
 * approvalPending ones, whose link could otherwise still be approved by the ex-customer. One at a time; the
 * first failure stops with the list of what remains. Returns what was ended.
 */
export async function endAdminAccess(
  graph: GraphClient,
  customerId: string,
  log: Logger = () => undefined,
): Promise<AdminRelationshipSummary[]> {
  const live = stillGranting(await graph.listRelationships({ customerTenantId: customerId }));
  const ended: AdminRelationshipSummary[] = [];
  for (const r of live) {
    try {
      await endRelationship(graph, r.id, { log });
    } catch (e) {
      const left = live.filter((x) => !ended.some((d) => d.id === x.id));
      if (e instanceof PartnerCenterError) {
        Object.defineProperty(e, "message", {
          value: `${e.message} Admin access still open for customer ${customerId}: ${left.map((x) => `${x.id} ("${x.displayName}", ${x.status})`).join(", ")}.`,
        });
      }
      throw e;
    }
    ended.push(summarize(r));
  }
  log(
    live.length
      ? `ended ${live.length} delegated admin relationship(s) of customer ${customerId}: admin access is over.`
      : `customer ${customerId} has no open delegated admin relationship.`,
  );
  return ended;
}

// ------------------------------------------------------------------------------------- access assignments

/**
 * Creates an access assignment (a security group gets some of the relationship's roles). The relationship must
 * be active and the roles a subset of its roles (`delegatedadminrelationship-post-accessassignments`).
 */
export async function assignAccess(
  graph: GraphClient,
  relationshipId: string,
  securityGroupId: string,
  roles: readonly string[],
): Promise<AccessAssignment> {
  const rel = await findRelationship(graph, relationshipId);
  if (!rel) {
    throw new NotFoundError(`Delegated admin relationship ${relationshipId} does not exist.`, {
      action: "Check relationshipId (the id output of the DelegatedAdminRelationship resource).",
    });
  }
  if (!GRANTING.has(rel.status) || rel.status === "approved" || rel.status === "activating") {
    throw new RelationshipNotEstablishedError(
      `Delegated admin relationship ${relationshipId} is ${rel.status}: access can be assigned only once it is active.${rel.status === "approvalPending" ? ` Send this link to a global administrator of the customer's tenant: ${approvalUrl(relationshipId)} , then run \`pulumi up\` again.` : ""}`,
      rel.customerTenantId,
      approvalUrl(relationshipId),
    );
  }
  const missing = roles.filter((r) => !rel.roles.includes(r));
  if (missing.length) {
    throw new ConfigurationError(
      `roles ${missing.join(", ")} are not roles of delegated admin relationship ${relationshipId}; an access assignment can only use the relationship's roles (${rel.roles.join(", ")}).`,
      { action: "Remove them from roles, or add them to the relationship (which replaces it)." },
    );
  }
  const existing = (await graph.listAssignments(relationshipId)).find(
    (a) => a.securityGroupId === securityGroupId && a.status !== "deleted" && a.status !== "deleting",
  );
  // One assignment per security group and relationship: adopt it (and align its roles) rather than fail.
  if (existing) return alignRoles(graph, relationshipId, existing, roles);
  return graph.createAssignment(relationshipId, securityGroupId, roles);
}

/** PATCHes an assignment's roles when they differ (a fresh etag first). */
export async function alignRoles(
  graph: GraphClient,
  relationshipId: string,
  a: AccessAssignment,
  roles: readonly string[],
): Promise<AccessAssignment> {
  if (sameSet(a.roles, roles)) return a;
  const fresh = await graph.getAssignment(relationshipId, a.id);
  return graph.updateAssignment(relationshipId, a.id, fresh.etag ?? "*", roles);
}

/** Deletes an assignment (If-Match with a fresh etag) and confirms: gone, deleting or deleted is success. */
export async function removeAccess(graph: GraphClient, relationshipId: string, id: string): Promise<void> {
  const find = async () => {
    try {
      return await graph.getAssignment(relationshipId, id);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  };
  const a = await find();
  if (!a || a.status === "deleted" || a.status === "deleting") return;
  try {
    await graph.deleteAssignment(relationshipId, id, a.etag ?? "*");
  } catch (e) {
    if (isRefusal(e) && !(e instanceof NotFoundError)) throw e;
  }
  const after = await find();
  if (after && after.status !== "deleted" && after.status !== "deleting") {
    throw new RemovalUnconfirmedError(
      `Microsoft Graph did not confirm the deletion of access assignment ${id}: it is still ${after.status}.`,
      { action: "The resource stays in the stack. Run the command again." },
    );
  }
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map((s) => s.toLowerCase()));
  const y = new Set(b.map((s) => s.toLowerCase()));
  return x.size === y.size && [...x].every((s) => y.has(s));
}
