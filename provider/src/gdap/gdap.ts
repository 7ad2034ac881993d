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
  printable,
  RelationshipNotEstablishedError,
  RemovalUnconfirmedError,
  ResponseValidationError,
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
/**
 * Statuses of a termination Graph accepted but has not finished: the roles still work until the relationship is
 * `terminated` (`resources/delegatedadminrelationship`, status enum: terminationRequested, terminating,
 * terminated). Nothing more can be sent (a second terminate is refused), so they are "ending", not "ended".
 */
export const ENDING = new Set(["terminationRequested", "terminating"]);
/** Statuses in which no admin access remains. */
export const OVER = new Set(["terminated", "expired"]);

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
      rel = await adoptable(graph, spec).catch((lookup: unknown) => {
        if (lookup instanceof ConfigurationError) throw lookup;
        return undefined;
      });
      if (!rel) throw mayHaveCreated(e, spec);
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

/**
 * A create that failed other than by a clear refusal may have been applied (a lost or unreadable answer, a 5xx):
 * say so, and what the next run does, instead of any "nothing was changed".
 */
function mayHaveCreated(e: unknown, spec: RelationshipSpec): unknown {
  if (!(e instanceof PartnerCenterError) || (isRefusal(e) && !e.mayHaveApplied)) return e;
  Object.defineProperty(e, "message", {
    value: `${e.message} The relationship may have been created all the same: Microsoft Graph may have applied the request although its answer could not be read, and it could not be found by displayName just now. The next \`pulumi up\` looks for a live relationship named "${spec.displayName}" with tenant ${spec.customerId} and adopts it instead of creating a second one.`,
  });
  return e;
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

/**
 * What {@link endRelationship} did. `ending`: Graph accepted the termination (terminationRequested or
 * terminating) but had not finished when the wait ended: admin access continues until it does.
 */
export type EndOutcome = "terminated" | "deleted" | "alreadyEnded" | "ending" | "gone";

/**
 * Ends a relationship: DELETE while `created` (If-Match with its etag), else a `terminate` request; then
 * confirms by reading it back until it is terminated or gone. A termination Graph accepted but has not finished
 * (terminationRequested, terminating) is waited for a little (`finishWaitMs`, default 10 s), then reported as
 * `ending`, never as ended. A relationship already ended, ending or gone is not sent anything.
 * @throws RemovalUnconfirmedError when Graph does not confirm.
 */
export async function endRelationship(
  graph: GraphClient,
  id: string,
  opts: { log?: Logger; pollIntervalMs?: number; confirmTimeoutMs?: number; finishWaitMs?: number } = {},
): Promise<EndOutcome> {
  const log = opts.log ?? (() => undefined);
  const rel = await findRelationship(graph, id);
  if (!rel) {
    log(`delegated admin relationship ${id} is already gone.`);
    return "gone";
  }
  if (ENDING.has(rel.status)) {
    log(endingLine(id, rel.displayName, rel.status));
    return "ending";
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
  const interval = opts.pollIntervalMs ?? 1_000;
  const deadline = Date.now() + (opts.confirmTimeoutMs ?? 30_000);
  const finishWait = opts.finishWaitMs ?? 10_000;
  let after = await findRelationship(graph, id);
  let endingSince: number | undefined;
  for (;;) {
    if (after === undefined || OVER.has(after.status)) break;
    if (ENDING.has(after.status)) endingSince ??= Date.now();
    const until = endingSince === undefined ? deadline : Math.min(deadline, endingSince + finishWait);
    if (Date.now() >= until) break;
    await sleep(Math.min(interval, Math.max(0, until - Date.now())));
    after = await findRelationship(graph, id);
  }
  if (after !== undefined && !ENDED.has(after.status)) {
    throw new RemovalUnconfirmedError(
      `Microsoft Graph did not confirm the end of delegated admin relationship ${id} ("${rel.displayName}"): it is still ${after.status}${lost instanceof Error ? ` (${lost.message})` : ""}.`,
      {
        action:
          "The resource stays in the stack. Run the command again, or terminate it in Partner Center (Customers > the customer > Admin relationships).",
      },
    );
  }
  if (after !== undefined && ENDING.has(after.status)) {
    log(endingLine(id, rel.displayName, after.status));
    return "ending";
  }
  const outcome: EndOutcome = deleting ? "deleted" : "terminated";
  log(
    `${outcome === "deleted" ? "deleted" : "terminated"} delegated admin relationship ${id} ("${rel.displayName}"): Graph shows ${after?.status ?? "it gone"}.`,
  );
  return outcome;
}

function endingLine(id: string, displayName: string, status: string): string {
  return `termination of delegated admin relationship ${id} ("${displayName}") is requested and Microsoft Graph shows it ${status}: admin access continues until Graph finishes (then it is terminated; \`pulumi refresh\` shows its status).`;
}

/** A customer's relationships that still grant, or may come to grant, admin access (nothing sent to end them yet). */
export function stillGranting<T extends { status: string }>(rels: readonly T[]): T[] {
  return rels.filter((r) => !ENDED.has(r.status));
}

/** Two tenant ids name the same tenant (GUIDs: case does not matter). */
export function sameTenant(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** A customer's relationships as one list call answered them, each item checked against the customer. */
export interface CustomerRelationships {
  /** The customer's own relationships, each id once. */
  mine: AdminRelationship[];
  /** Items of other tenants (or of none): the server did not apply the customer filter. */
  foreign: AdminRelationship[];
}

/**
 * Lists the customer's relationships with the `customer/tenantId` filter, and does not trust the filter: every
 * item's `customer.tenantId` is compared with the customer (case-insensitively), and an item of another tenant
 * is set apart and logged, never reported or acted on as this customer's. An id listed twice counts once (the
 * copy that still grants wins, so a stale duplicate never hides live access).
 */
export async function relationshipsOf(
  graph: GraphClient,
  customerId: string,
  log: Logger = () => undefined,
): Promise<CustomerRelationships> {
  const byId = new Map<string, AdminRelationship>();
  const foreign: AdminRelationship[] = [];
  for (const r of await graph.listRelationships({ customerTenantId: customerId })) {
    if (!sameTenant(r.customerTenantId, customerId)) {
      foreign.push(r);
      continue;
    }
    const key = r.id.toLowerCase();
    const seen = byId.get(key);
    if (!seen || (ENDED.has(seen.status) && !ENDED.has(r.status))) byId.set(key, r);
  }
  if (foreign.length) {
    log(
      `Microsoft Graph answered the list of customer ${customerId}'s delegated admin relationships with ${foreign.length} relationship(s) of other tenants (${describeForeign(foreign)}): it ignored or mis-applied the customer filter. They are not this customer's and are left alone.`,
    );
  }
  return { mine: [...byId.values()], foreign };
}

function describeForeign(foreign: readonly AdminRelationship[]): string {
  const shown = foreign
    .slice(0, 5)
    .map((r) => `${printable(r.id)} of tenant ${printable(r.customerTenantId) || "(none)"}`);
  return `${shown.join(", ")}${foreign.length > 5 ? `, and ${foreign.length - 5} more` : ""}`;
}

/** The customer's admin relationships, every status, each once, never another customer's. */
export async function adminAccessOf(
  graph: GraphClient,
  customerId: string,
  log: Logger = () => undefined,
): Promise<AdminRelationshipSummary[]> {
  return (await relationshipsOf(graph, customerId, log)).mine.map(summarize);
}

/**
 * Offboarding: ends every relationship of this customer that has not ended — active ones and also created or
 * approvalPending ones, whose link could otherwise still be approved by the ex-customer. One at a time; the
 * first failure stops with the list of what remains. Returns what was ended or is ending (status as Graph last
 * showed it).
 *
 * Fails closed when the list holds a relationship of another tenant: a server that ignored the customer filter
 * once is not trusted for a termination, which cannot be undone, so nothing is ended.
 * @throws ResponseValidationError when the list is not only this customer's (nothing was ended).
 */
export async function endAdminAccess(
  graph: GraphClient,
  customerId: string,
  log: Logger = () => undefined,
  opts: { pollIntervalMs?: number; finishWaitMs?: number } = {},
): Promise<AdminRelationshipSummary[]> {
  const { mine, foreign } = await relationshipsOf(graph, customerId, log);
  if (foreign.length) {
    throw new ResponseValidationError(
      `Microsoft Graph's list of customer ${customerId}'s delegated admin relationships also held ${foreign.length} relationship(s) of other tenants (${describeForeign(foreign)}): the customer filter was ignored or mis-applied, so the list is not trusted and no admin relationship was ended.`,
      {
        action:
          "The resource stays in the stack. Run the command again later; if this persists, terminate the customer's relationships in Partner Center (Customers > the customer > Admin relationships) and report it.",
      },
    );
  }
  const live = stillGranting(mine);
  const done: AdminRelationshipSummary[] = [];
  const ending: AdminRelationshipSummary[] = mine.filter((r) => ENDING.has(r.status)).map(summarize);
  for (const r of live) {
    let outcome: EndOutcome;
    try {
      outcome = await endRelationship(graph, r.id, { ...opts, log });
    } catch (e) {
      const left = live.filter((x) => !done.some((d) => d.id === x.id));
      if (e instanceof PartnerCenterError) {
        Object.defineProperty(e, "message", {
          value: `${e.message} Admin access still open for customer ${customerId}: ${left.map((x) => `${x.id} ("${x.displayName}", ${x.status})`).join(", ")}.`,
        });
      }
      throw e;
    }
    const status =
      outcome === "ending" ? "terminationRequested" : outcome === "terminated" ? "terminated" : "deleted";
    const s = { ...summarize(r), status };
    done.push(s);
    if (outcome === "ending") ending.push(s);
  }
  const over = done.length - done.filter((d) => ending.includes(d)).length;
  if (ending.length) {
    log(
      `${over ? `ended ${over} delegated admin relationship(s) of customer ${customerId}; ` : ""}termination requested for ${ending.length} (${ending.map((x) => `${x.id} ("${x.displayName}")`).join(", ")}) and not finished by Microsoft Graph: admin access continues until Graph finishes terminating ${ending.length > 1 ? "them" : "it"} (\`pulumi refresh\` shows their status).`,
    );
  } else {
    log(
      over
        ? `ended ${over} delegated admin relationship(s) of customer ${customerId}: admin access is over.`
        : `customer ${customerId} has no open delegated admin relationship.`,
    );
  }
  return done;
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
