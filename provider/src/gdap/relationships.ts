/**
 * The domain rules of GDAP (granular delegated admin privileges) relationships: create one and lock it
 * for the customer's approval, wait for the approval, terminate it and confirm, end every admin relationship
 * of a customer at offboarding (access assignments: assignments.ts). No HTTP here: everything goes through
 * {@link GraphClient}.
 *
 * Lifecycle (Graph v1.0 `resources/delegatedadminrelationship`): created → (lockForApproval) approvalPending →
 * (the customer approves in the admin center) approved/activating → active → expiring → expired, or
 * (terminate) terminationRequested/terminating → terminated. A relationship can be deleted only while `created`
 * (`delegatedadminrelationship-delete`); it can be changed while `created`, and once `active` only its
 * autoExtendDuration and the removal of Global Administrator (`delegatedadminrelationship-update`).
 */
import { deadlineAfter, poll } from "../client/core/wait";
import type { AdminRelationship, GraphClient, Updated } from "./graph";
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
import { isRefusal } from "../client/core/classify";

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
const OVER = new Set(["terminated", "expired"]);

/** Microsoft Entra Global Administrator (role template id, "Microsoft Entra built-in roles"). */
export const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";

/** "GDAP relationship requests expire after 90 days" (Partner Center, "GDAP frequently asked questions"). */
const REQUEST_EXPIRY_DAYS = 90;

/**
 * The number of days of an ISO 8601 duration as GDAP uses them, or undefined. Graph documents the range "between
 * P1D and P2Y inclusive" and gives every example in days (P730D); Partner Center's portal takes "730 days (2
 * years)" at most. So a year is 365 days here (P1Y = P365D, P2Y = P730D); weeks (PnW) are 7 days. Durations are
 * compared by this value, never as text.
 */
export function durationDays(d: unknown): number | undefined {
  if (typeof d !== "string") return undefined;
  const m = /^P(?:(\d{1,4})Y)?(?:(\d{1,4})W)?(?:(\d{1,4})D)?$/.exec(d.trim().toUpperCase());
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 365 + Number(m[2] ?? 0) * 7 + Number(m[3] ?? 0);
}

/** The same duration by value (P2Y == P730D); an unreadable one equals only the same text. */
export function sameDuration(a: unknown, b: unknown): boolean {
  const x = durationDays(a);
  const y = durationDays(b);
  return x !== undefined && y !== undefined ? x === y : a === b;
}

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
    rel = await poll(() => graph.getRelationship(rel!.id), {
      done: (r) => r.status !== "created",
      deadline: deadlineAfter(30_000),
      intervalMs: Math.min(interval, 1_000),
    });
  }
  const link = approvalUrl(rel.id);
  const timeoutMs = Math.max(0, opts.approvalTimeoutSeconds ?? 0) * 1000;
  if (rel.status === "approvalPending" && timeoutMs > 0) {
    log(
      `relationship ${rel.id} awaits the customer's approval. Send this link to a global administrator of tenant ${spec.customerId}: ${link} ; waiting up to ${opts.approvalTimeoutSeconds} s.`,
    );
    rel = await poll(() => graph.getRelationship(rel!.id), {
      done: (r) => r.status !== "approvalPending",
      deadline: deadlineAfter(timeoutMs),
      intervalMs: Math.min(interval, Math.max(100, timeoutMs / 10)),
    });
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

/**
 * The relationship to adopt: one of this customer with this name that has not ended. A name used by any other
 * relationship, ended ones included, is refused before anything is sent: displayName "must be unique across all
 * delegated admin relationships of the partner" ("delegatedAdminRelationship resource type"), and terminated
 * relationships keep their names.
 */
async function adoptable(graph: GraphClient, spec: RelationshipSpec): Promise<AdminRelationship | undefined> {
  const same = (await graph.listRelationships({ displayName: spec.displayName })).filter(
    (r) => r.displayName === spec.displayName,
  );
  const mine = same.find((r) => r.customerTenantId === spec.customerId && !ENDED.has(r.status));
  if (mine) return mine;
  const other = same[0];
  if (other) {
    throw new ConfigurationError(
      `displayName "${spec.displayName}" is already used by delegated admin relationship ${other.id} (tenant ${other.customerTenantId || "unknown"}, ${other.status}); Microsoft Graph keeps the names of ended relationships and refuses a second one.`,
      {
        action:
          "Remove displayName from the resource (the provider then derives a unique name from the resource name), or give it a displayName never used before.",
      },
    );
  }
  return undefined;
}

/**
 * What {@link endRelationship} did. `ending`: Graph accepted the termination (terminationRequested or
 * terminating) but had not finished when the wait ended: admin access continues until it does.
 * `expiresOnItsOwn`: no API ends it (a pending request, or an expiring relationship Graph would not terminate).
 */
export type EndOutcome = "terminated" | "deleted" | "alreadyEnded" | "ending" | "gone" | "expiresOnItsOwn";

/** When a relationship request not yet approved expires: createdDateTime + 90 days, or undefined. */
function requestExpiry(r: AdminRelationship): string | undefined {
  const created = r.createdDateTime ? Date.parse(r.createdDateTime) : NaN;
  return Number.isNaN(created)
    ? undefined
    : new Date(created + REQUEST_EXPIRY_DAYS * 86_400_000).toISOString();
}

/**
 * Ends a relationship, by the ending Graph documents for its status, then confirms by reading it back until it
 * is terminated or gone. A relationship already ended, ending or gone is not sent anything.
 * - `created`: DELETE with If-Match ("A relationship can only be deleted if it's in the 'created' status").
 * - `active`: a `terminate` request (the lifecycle diagram of "Granular delegated admin privileges (GDAP) API
 *   overview"); `approved`/`activating` are waited for until active, then terminated.
 * - `approvalPending`: no API ends it (delete is for `created`, terminate for `active`), so nothing is sent: it
 *   expires on its own 90 days after its creation (GDAP FAQ), and until then the customer can still approve it.
 *   The outcome says so, with the date, instead of failing on every run until then.
 * - `expiring`: a terminate is tried; refused, it ends by itself at endDateTime, which the outcome says.
 * A termination Graph accepted but has not finished (terminationRequested, terminating) is waited for a little
 * (`finishWaitMs`, default 10 s), then reported as `ending`, never as ended.
 * @throws RemovalUnconfirmedError when Graph does not confirm.
 */
export async function endRelationship(
  graph: GraphClient,
  id: string,
  opts: { log?: Logger; pollIntervalMs?: number; confirmTimeoutMs?: number; finishWaitMs?: number } = {},
): Promise<EndOutcome> {
  const log = opts.log ?? (() => undefined);
  const interval = opts.pollIntervalMs ?? 1_000;
  const timeout = opts.confirmTimeoutMs ?? 30_000;
  let rel = await findRelationship(graph, id);
  if (rel && (rel.status === "approved" || rel.status === "activating")) {
    // Moments after the customer's approval: terminate once it is active.
    rel = await poll(() => findRelationship(graph, id), {
      done: (r) => r === undefined || (r.status !== "approved" && r.status !== "activating"),
      deadline: deadlineAfter(timeout),
      intervalMs: interval,
    });
  }
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
  if (rel.status === "approvalPending") {
    const expiry = requestExpiry(rel);
    log(
      `delegated admin relationship ${id} ("${rel.displayName}") awaits the customer's approval, and Microsoft Graph has no call that withdraws a pending request: nothing was sent. It expires on its own${expiry ? ` on ${expiry}` : " 90 days after its creation"}; until then a global administrator of tenant ${rel.customerTenantId} can still approve it (its approval link stays valid). Ask the customer not to approve it; if it is approved, terminate it in Partner Center (Customers > the customer > Admin relationships).`,
    );
    return "expiresOnItsOwn";
  }
  let lost: unknown;
  const deleting = rel.status === "created" && rel.etag !== undefined;
  try {
    if (deleting) await graph.deleteRelationship(id, rel.etag!);
    else await graph.createRequest(id, "terminate");
  } catch (e) {
    // May have been applied (a lost answer, whose retry was then refused as already ended): read it back.
    const now = await findRelationship(graph, id);
    if (isRefusal(e) && now !== undefined && !ENDED.has(now.status)) {
      if (now.status === "expiring") {
        log(
          `Microsoft Graph refused to terminate delegated admin relationship ${id} ("${rel.displayName}") while it is expiring: it ends on its own${now.endDateTime ? ` on ${now.endDateTime}` : ""}.`,
        );
        return "expiresOnItsOwn";
      }
      throw e;
    }
    lost = e;
  }
  const deadline = deadlineAfter(timeout);
  const finishWait = opts.finishWaitMs ?? 10_000;
  let endingSince: number | undefined;
  const after = await poll(() => findRelationship(graph, id), {
    done: (r) => r === undefined || OVER.has(r.status),
    // A termination Graph has begun is waited for `finishWait` from when it is first seen.
    deadline: (r, now) => {
      if (r !== undefined && ENDING.has(r.status)) endingSince ??= now;
      return endingSince === undefined ? deadline : Math.min(deadline, endingSince + finishWait);
    },
    intervalMs: interval,
  });
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
async function relationshipsOf(
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
  const pending: AdminRelationship[] = [];
  for (const r of live) {
    let outcome: EndOutcome;
    try {
      outcome = await endRelationship(graph, r.id, { ...opts, log });
      // A pending request cannot be ended by API: it is logged with its expiry and does not fail the run.
      if (outcome === "expiresOnItsOwn") {
        pending.push(r);
        continue;
      }
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
  const parts: string[] = [];
  if (over) parts.push(`ended ${over} delegated admin relationship(s) of customer ${customerId}`);
  if (ending.length)
    parts.push(
      `termination requested for ${ending.length} (${ending.map((x) => `${x.id} ("${x.displayName}")`).join(", ")}) and not finished by Microsoft Graph: admin access continues until Graph finishes terminating ${ending.length > 1 ? "them" : "it"} (\`pulumi refresh\` shows their status)`,
    );
  if (pending.length)
    parts.push(
      `${pending.length} pending request(s) could not be withdrawn and expire on their own: ${pending.map((x) => `${x.id} ("${x.displayName}") on ${requestExpiry(x) ?? "its 90th day"}`).join(", ")}`,
    );
  log(
    parts.length === 0
      ? `customer ${customerId} has no open delegated admin relationship.`
      : ending.length || pending.length
        ? `${parts.join("; ")}.`
        : `${parts[0]}: admin access is over.`,
  );
  return done;
}

/** Options of the waits on Graph's long-running operations. */
export interface OperationOptions {
  /** Default 120 s. */
  timeoutMs?: number;
  /** Default: the answer's Retry-After, else 2 s. */
  pollIntervalMs?: number;
}

/**
 * Follows a 202's long-running operation until it succeeds. @throws ApiError when Graph reports it failed, and
 * RemovalUnconfirmedError-like ApiError when it is still running after the timeout (the change was accepted).
 */
export async function completed<T>(
  graph: GraphClient,
  answer: Updated<T>,
  what: string,
  opts: OperationOptions,
): Promise<void> {
  if (answer.kind === "done") return;
  const op = await poll(() => graph.getOperation(answer.operation), {
    done: (o) => o.status !== "notStarted" && o.status !== "running",
    deadline: deadlineAfter(opts.timeoutMs ?? 120_000),
    intervalMs: opts.pollIntervalMs ?? answer.retryAfterMs ?? 2_000,
  });
  if (op.status === "succeeded" || op.status === "complete") return;
  throw new ApiError(
    op.status === "failed"
      ? `Microsoft Graph accepted ${what} but its operation ${op.id} failed.`
      : `Microsoft Graph accepted ${what}; its operation ${op.id} is still ${op.status}.`,
    {
      mayHaveApplied: true,
      action:
        "Run `pulumi refresh` to see what Graph applied, then `pulumi up` again (an unchanged value is not sent twice).",
    },
  );
}

/**
 * Updates a relationship in place: `autoExtendDuration` (while created or active) and the removal of the Global
 * Administrator role (while active: a long-running operation, followed to completion). Returns it as read back.
 */
export async function changeRelationship(
  graph: GraphClient,
  id: string,
  change: { autoExtendDuration?: string; roles?: readonly string[] },
  opts: OperationOptions = {},
): Promise<AdminRelationship> {
  const fresh = await graph.getRelationship(id);
  const answer = await graph.updateRelationship(id, fresh.etag ?? "*", change);
  await completed(graph, answer, `the update of delegated admin relationship ${id}`, opts);
  return answer.kind === "done" && change.roles === undefined ? answer.value : graph.getRelationship(id);
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map((s) => s.toLowerCase()));
  const y = new Set(b.map((s) => s.toLowerCase()));
  return x.size === y.size && [...x].every((s) => y.has(s));
}
