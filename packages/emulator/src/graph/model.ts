/**
 * The GDAP model of the emulator's Graph: what it stores (relationships, their requests, access assignments), the
 * request and result of a Graph route, Graph's error shape, and the bodies it answers (graph/gdap.ts moves them).
 */
import { randomBytes, randomUUID } from "node:crypto";

/** A relationship as the emulator stores it. */
export interface GdapRelationshipState {
  id: string;
  displayName: string;
  status: string;
  customer: { tenantId: string; displayName?: string };
  duration: string;
  autoExtendDuration: string;
  roles: string[];
  createdDateTime: string;
  lastModifiedDateTime: string;
  activatedDateTime: string | null;
  endDateTime: string | null;
  etag: string;
  /** A status that applies at `at` (ms), on the first read from then on. */
  next: { status: string; at: number } | null;
  requests: {
    id: string;
    action: string;
    status: string;
    createdDateTime: string;
    lastModifiedDateTime: string;
  }[];
  assignments: GdapAssignmentState[];
  /** Long-running operations (`resources/delegatedadminrelationshipoperation`). */
  operations: GdapOperationState[];
}

/**
 * A long-running operation: an access assignment's role update, or the removal of Global Administrator from an
 * active relationship ("Update delegatedAdminAccessAssignment", "Update delegatedAdminRelationship": 202 with a
 * Location of `.../operations/{id}`). Its change applies when it completes (`at`).
 */
export interface GdapOperationState {
  id: string;
  operationType: "delegatedAdminAccessAssignmentUpdate" | "delegatedAdminRelationshipUpdate";
  status: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  /** The roles the target gets on completion, and which target (an assignment id, or the relationship). */
  roles: string[];
  assignmentId: string | null;
  at: number;
}

export interface GdapAssignmentState {
  id: string;
  status: string;
  securityGroupId: string;
  roles: string[];
  createdDateTime: string;
  lastModifiedDateTime: string;
  etag: string;
  next: { status: string; at: number } | null;
}

/** What routes/graph.ts passes for one request. */
export interface GraphRequest {
  method: string;
  /** Path without query string, e.g. `/v1.0/tenantRelationships/delegatedAdminRelationships`. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
  header(name: string): string | undefined;
  /** `http://127.0.0.1:port`: base of Location and `@odata.nextLink`. */
  origin: string;
}

/** An answer; the body is sent as is (no casing switch). */
export interface GraphResult {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  applied?: boolean;
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ENDED = new Set(["terminationRequested", "terminating", "terminated", "expired"]);
/** Where `terminate` is accepted in the lenient mode (`GdapLifecycle.terminateOnlyWhenActive = false`). */
export const TERMINABLE = new Set(["approvalPending", "approved", "activating", "active", "expiring"]);
/** Microsoft Entra Global Administrator (role template id). */
export const GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10";
export const AUTO_EXTEND = new Set(["PT0S", "P0D", "P180D"]);
export const PREFIX = "/v1.0/tenantRelationships";

/** True for the paths this module answers. */
export function isGraphPath(path: string): boolean {
  return path.toLowerCase().startsWith(PREFIX.toLowerCase());
}

/** Days of an ISO 8601 duration between P1D and P2Y, or null (`delegatedadminrelationship`, `duration`). */
export function durationDays(d: unknown): number | null {
  if (typeof d !== "string") return null;
  const days = /^P(\d{1,4})D$/.exec(d);
  if (days) {
    const n = Number(days[1]);
    return n >= 1 && n <= 730 ? n : null;
  }
  return d === "P1Y" ? 365 : d === "P2Y" ? 730 : null;
}

/** The Graph error body. */
export function graphError(
  status: number,
  code: string,
  message: string,
  requestId: string = randomUUID(),
  headers: Record<string, string> = {},
): GraphResult {
  return {
    status,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d+Z$/, ""),
          "request-id": requestId,
          "client-request-id": requestId,
        },
      },
    },
    headers: { "request-id": requestId, "client-request-id": requestId, ...headers },
  };
}

export function etag(): string {
  return `W/"${Buffer.from(`"${randomBytes(8).toString("hex")}"`).toString("base64")}"`;
}

export function ok(status: number, body: unknown): GraphResult {
  return { status, body, headers: {} };
}

export function ifMatch(req: GraphRequest, current: string, rid: string): GraphResult | undefined {
  const given = req.header("if-match");
  if (!given) return graphError(400, "Request_BadRequest", "The If-Match header is required.", rid);
  if (given !== "*" && given !== current) {
    return graphError(
      412,
      "PreconditionFailed",
      "The etag does not match: the object changed since it was read.",
      rid,
    );
  }
  return undefined;
}

export function parseJson(req: GraphRequest): { value: Record<string, unknown> } | { error: string } {
  const text = req.body.toString("utf8").trim();
  if (!text) return { error: "A JSON request body is required." };
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return { error: "The body must be a JSON object." };
    return { value: v as Record<string, unknown> };
  } catch {
    return { error: "The request body is not valid JSON." };
  }
}

export function rolesOf(details: unknown): string[] | string {
  const list = (details as { unifiedRoles?: unknown } | undefined)?.unifiedRoles;
  if (!Array.isArray(list) || list.length === 0)
    return "accessDetails.unifiedRoles must list at least one role.";
  const out: string[] = [];
  for (const x of list) {
    const id = (x as { roleDefinitionId?: unknown } | null)?.roleDefinitionId;
    if (typeof id !== "string" || !GUID.test(id))
      return "Each unifiedRoles entry needs a roleDefinitionId GUID.";
    out.push(id.toLowerCase());
  }
  return out;
}

export function relBody(r: GdapRelationshipState): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
    "@odata.etag": r.etag,
    id: r.id,
    displayName: r.displayName,
    duration: r.duration,
    customer: r.customer,
    accessDetails: { unifiedRoles: r.roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
    status: r.status,
    autoExtendDuration: r.autoExtendDuration,
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: r.lastModifiedDateTime,
    activatedDateTime: r.activatedDateTime,
    endDateTime: r.endDateTime,
  };
}

export function requestBody(q: GdapRelationshipState["requests"][number]): Record<string, unknown> {
  return { "@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest", ...q };
}

export function operationBody(o: GdapOperationState, data: unknown): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.delegatedAdminRelationshipOperation",
    "@odata.etag": `W/"${Buffer.from(`"${o.lastModifiedDateTime}"`).toString("base64")}"`,
    id: o.id,
    operationType: o.operationType,
    data: JSON.stringify(data),
    status: o.status,
    createdDateTime: o.createdDateTime,
    lastModifiedDateTime: o.lastModifiedDateTime,
  };
}

export function assignmentBody(a: GdapAssignmentState | undefined): Record<string, unknown> | undefined {
  if (!a) return undefined;
  return {
    "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
    "@odata.etag": a.etag,
    id: a.id,
    status: a.status,
    createdDateTime: a.createdDateTime,
    lastModifiedDateTime: a.lastModifiedDateTime,
    accessContainer: { accessContainerId: a.securityGroupId, accessContainerType: "securityGroup" },
    accessDetails: { unifiedRoles: a.roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
  };
}
