/**
 * The emulator's Microsoft Graph GDAP routes: delegated admin relationships, their requests and
 * access assignments, over a store. app.ts dispatches (routes/graph.ts) `/v1.0/tenantRelationships/...`
 * here after its own authentication, throttling, fault injection and request log.
 *
 * Shapes, statuses and rules follow Microsoft Graph v1.0 documentation (the pages cited in
 * provider/src/gdap/graph.ts): 201 + Location + `@odata.etag` on creation; `$filter`, `$top` (max 300) and
 * `@odata.nextLink` on lists; DELETE of a relationship only while `created` ("Delete delegatedAdminRelationship");
 * PATCH of a relationship ("Update delegatedAdminRelationship") with `If-Match`: any property while `created`,
 * `autoExtendDuration` while `created` or `active`, and, while `active`, removing the Global Administrator role,
 * which answers 202 with a Location of a long-running operation; an access assignment's PATCH ("Update
 * delegatedAdminAccessAssignment") answers 202 with Location and Retry-After and an empty object, or 200 with
 * the assignment when nothing changes; the operation is read at `.../operations/{id}`
 * ("Get delegatedAdminRelationshipOperation"); displayName is unique across *all* relationships of the partner,
 * ended ones included ("delegatedAdminRelationship resource type"); requests `lockForApproval` and `terminate`
 * answer 201 with status `created` and the relationship's status moves afterwards; errors
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 *
 * Emulator's choices (Microsoft documents no more; the store and its status transitions are in lifecycle.ts):
 * - Missing If-Match: 400 `Request_BadRequest`; stale If-Match: 412 `PreconditionFailed`.
 * - A displayName already used, by any relationship: 409 `Conflict`.
 * - autoExtendDuration P180D with the Global Administrator role: 400 (Partner Center, "Don't autoextend GDAP with
 *   Global Administrator"). Any other change of an active relationship: 400 `Request_BadRequest`.
 * - One live access assignment per security group and relationship: a second one is 409 `Conflict`.
 * - `$filter` understands `customer/tenantId eq '...'` and `displayName eq '...'`, joined by `and`.
 */
import { randomUUID } from "node:crypto";
import {
  assignmentBody,
  AUTO_EXTEND,
  durationDays,
  etag,
  GLOBAL_ADMIN,
  type GdapOperationState,
  type GdapAssignmentState,
  type GdapRelationshipState,
  graphError,
  type GraphRequest,
  type GraphResult,
  GUID,
  ifMatch,
  ok,
  parseJson,
  operationBody,
  PREFIX,
  relBody,
  requestBody,
  rolesOf,
} from "./model";
import { GdapLifecycle } from "./lifecycle";

const GA_AUTO_EXTEND =
  "A relationship with the Global Administrator role cannot be auto-extended: autoExtendDuration must be PT0S or P0D.";

/** The same roles, in any order. */
function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** The GDAP store (lifecycle.ts) and its routes. */
export class GraphGdap extends GdapLifecycle {
  /** Access tokens issued for https://graph.microsoft.com (Partner Center tokens are refused here). */
  readonly graphTokens = new Set<string>();

  constructor(private readonly partnerTenantId: () => string) {
    super();
  }

  /** Answers one Graph request. `token` is the bearer token the server already authenticated. */
  handle(req: GraphRequest, token: string | undefined, staticToken: boolean): GraphResult {
    const rid = req.header("client-request-id") ?? randomUUID();
    if (!staticToken && (token === undefined || !this.graphTokens.has(token))) {
      return graphError(
        401,
        "InvalidAuthenticationToken",
        "Access token validation failure. Invalid audience.",
        rid,
        {
          "WWW-Authenticate":
            'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
        },
      );
    }
    const rest = req.path.slice(PREFIX.length).replace(/\/+$/, "");
    const seg = rest
      .split("/")
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    const out = this.route(req, seg, rid);
    out.headers = { "request-id": rid, "client-request-id": rid, ...out.headers };
    return out;
  }

  private route(req: GraphRequest, seg: string[], rid: string): GraphResult {
    const m = req.method;
    const bad = (code: string, msg: string, status = 400) => graphError(status, code, msg, rid);
    if (seg[0]?.toLowerCase() !== "delegatedadminrelationships") {
      return bad("UnknownError", `Resource not found for the segment '${seg[0] ?? ""}'.`, 404);
    }
    if (seg.length === 1) {
      if (m === "GET") return this.listRelationships(req);
      if (m === "POST") return this.createRelationship(req, rid);
      return bad("BadRequest", `${m} is not allowed on delegatedAdminRelationships.`, 405);
    }
    const r = this.rels.get(seg[1]!.toLowerCase());
    if (!r)
      return bad("ResourceNotFound", `The delegated admin relationship '${seg[1]}' was not found.`, 404);
    this.settle(r, Date.now());
    const relUrl = `${req.origin}${PREFIX}/delegatedAdminRelationships/${r.id}`;
    if (seg.length === 2) {
      if (m === "GET") return ok(200, relBody(r));
      if (m === "PATCH" || m === "DELETE") {
        const pre = ifMatch(req, r.etag, rid);
        if (pre) return pre;
        if (m === "PATCH") return this.patchRelationship(req, r, relUrl, rid);
        if (r.status !== "created") {
          return bad(
            "Request_BadRequest",
            `The relationship can only be deleted in the 'created' status; it is '${r.status}'.`,
          );
        }
        this.rels.delete(r.id);
        return { status: 204, body: "", headers: {}, applied: true };
      }
      return bad("BadRequest", `${m} is not allowed on a delegated admin relationship.`, 405);
    }
    const sub = seg[2]!.toLowerCase();
    if (sub === "requests") {
      if (seg.length === 3 && m === "POST") return this.createRequest(req, r, relUrl, rid);
      if (seg.length === 3 && m === "GET") return ok(200, { value: r.requests.map(requestBody) });
      const q = seg.length === 4 && m === "GET" ? r.requests.find((x) => x.id === seg[3]) : undefined;
      return q ? ok(200, requestBody(q)) : bad("ResourceNotFound", "The request was not found.", 404);
    }
    if (sub === "operations" && m === "GET") {
      const now = Date.now();
      if (seg.length === 3) {
        return ok(200, { value: r.operations.map((o) => this.operationAnswer(r, o, now)) });
      }
      const o = seg.length === 4 ? r.operations.find((x) => x.id === seg[3]) : undefined;
      return o
        ? ok(200, this.operationAnswer(r, o, now))
        : bad("ResourceNotFound", "The operation was not found.", 404);
    }
    if (sub === "accessassignments") {
      if (seg.length === 3 && m === "GET") {
        const now = Date.now();
        return ok(200, {
          value: r.assignments.map((a) => assignmentBody(this.settleAssignment(r, a, now))).filter(Boolean),
        });
      }
      if (seg.length === 3 && m === "POST") return this.createAssignment(req, r, relUrl, rid);
      const a = r.assignments.find((x) => x.id === seg[3]);
      if (!a || seg.length !== 4) return bad("ResourceNotFound", "The access assignment was not found.", 404);
      this.settleAssignment(r, a, Date.now());
      if (!r.assignments.includes(a))
        return bad("ResourceNotFound", "The access assignment was not found.", 404);
      if (m === "GET") return ok(200, assignmentBody(a));
      const pre = ifMatch(req, a.etag, rid);
      if (pre) return pre;
      if (m === "DELETE") {
        this.deleteAssignment(a);
        return { status: 204, body: "", headers: {}, applied: true };
      }
      if (m === "PATCH") {
        const body = parseJson(req);
        if ("error" in body) return bad("BadRequest", body.error);
        const roles = rolesOf(body.value.accessDetails);
        if (typeof roles === "string") return bad("BadRequest", roles);
        const outside = roles.filter((x) => !r.roles.includes(x));
        if (outside.length)
          return bad("BadRequest", `Roles ${outside.join(", ")} are not part of the relationship.`);
        // Identical values: 200 with the assignment as it is; otherwise 202 and a long-running operation.
        if (sameRoles(a.roles, roles)) return ok(200, assignmentBody(a));
        return this.startOperation(r, relUrl, "delegatedAdminAccessAssignmentUpdate", roles, a.id);
      }
      return bad("BadRequest", `${m} is not allowed on an access assignment.`, 405);
    }
    return bad("UnknownError", `Resource not found for the segment '${seg[2]}'.`, 404);
  }

  private listRelationships(req: GraphRequest): GraphResult {
    const filter = req.query.get("$filter");
    const clauses: [string, string][] = [];
    if (filter) {
      for (const part of filter.split(/\s+and\s+/i)) {
        const c = /^\s*(customer\/tenantId|displayName)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(part);
        if (!c) return graphError(400, "BadRequest", `Invalid filter clause: ${part}`);
        clauses.push([c[1]!.toLowerCase(), c[2]!.replace(/''/g, "'")]);
      }
    }
    const topRaw = req.query.get("$top");
    const top = topRaw === null ? 100 : Number(topRaw);
    if (!Number.isInteger(top) || top < 1 || top > 300) {
      return graphError(400, "BadRequest", "$top must be a whole number from 1 to 300.");
    }
    const skip = Number(req.query.get("$skiptoken") ?? "0");
    const now = Date.now();
    const all = [...this.rels.values()]
      .map((r) => this.settle(r, now))
      .filter((r) =>
        clauses.every(([k, v]) =>
          k === "displayname" ? r.displayName === v : r.customer.tenantId === v.toLowerCase(),
        ),
      );
    const size = Math.min(top, this.pageSize);
    const page = all.slice(skip, skip + size);
    const body: Record<string, unknown> = {
      "@odata.context": `${req.origin}/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships`,
      value: page.map(relBody),
    };
    if (skip + size < all.length) {
      const q = new URLSearchParams(req.query);
      q.set("$skiptoken", String(skip + size));
      body["@odata.nextLink"] = `${req.origin}${req.path}?${q.toString()}`;
    }
    return ok(200, body);
  }

  private createRelationship(req: GraphRequest, rid: string): GraphResult {
    const parsed = parseJson(req);
    if ("error" in parsed) return graphError(400, "BadRequest", parsed.error, rid);
    const b = parsed.value;
    const bad = (msg: string) => graphError(400, "BadRequest", msg, rid);
    if (typeof b.displayName !== "string" || !b.displayName.trim() || b.displayName.length > 50) {
      return bad("displayName is required and must be at most 50 characters.");
    }
    if (durationDays(b.duration) === null)
      return bad("duration must be an ISO 8601 duration from P1D to P2Y.");
    const auto = b.autoExtendDuration ?? "PT0S";
    if (typeof auto !== "string" || !AUTO_EXTEND.has(auto))
      return bad("autoExtendDuration must be P0D, PT0S or P180D.");
    const customer = b.customer as { tenantId?: unknown; displayName?: unknown } | undefined;
    if (customer !== undefined && (typeof customer.tenantId !== "string" || !GUID.test(customer.tenantId))) {
      return bad("customer.tenantId must be a tenant GUID.");
    }
    const roles = rolesOf(b.accessDetails);
    if (typeof roles === "string") return bad(roles);
    if (auto === "P180D" && roles.includes(GLOBAL_ADMIN)) return bad(GA_AUTO_EXTEND);
    const now = Date.now();
    const taken = this.nameTaken(b.displayName);
    if (taken) return taken;
    const iso = new Date(now).toISOString();
    const r: GdapRelationshipState = {
      // Graph's ids are `{guid}-{partner tenant id}`, as in the documented examples.
      id: `${randomUUID()}-${this.partnerTenantId()}`,
      displayName: b.displayName,
      status: "created",
      customer: {
        tenantId: String(customer?.tenantId ?? "").toLowerCase(),
        ...(typeof customer?.displayName === "string" && { displayName: customer.displayName }),
      },
      duration: b.duration as string,
      autoExtendDuration: auto,
      roles,
      createdDateTime: iso,
      lastModifiedDateTime: iso,
      activatedDateTime: null,
      endDateTime: null,
      etag: etag(),
      next: null,
      requests: [],
      assignments: [],
      operations: [],
    };
    this.rels.set(r.id, r);
    return {
      status: 201,
      body: relBody(r),
      headers: { Location: `${req.origin}${PREFIX}/delegatedAdminRelationships/${r.id}` },
      applied: true,
    };
  }

  /** A 409 when any relationship, ended or not, already has this name; else undefined. */
  private nameTaken(name: string, except?: GdapRelationshipState): GraphResult | undefined {
    for (const r of this.rels.values()) {
      if (r !== except && r.displayName === name) {
        return graphError(
          409,
          "Conflict",
          `A relationship named '${name}' already exists (${r.id}, ${r.status}); display names are unique across all relationships of the partner.`,
        );
      }
    }
    return undefined;
  }

  private patchRelationship(
    req: GraphRequest,
    r: GdapRelationshipState,
    relUrl: string,
    rid: string,
  ): GraphResult {
    const parsed = parseJson(req);
    if ("error" in parsed) return graphError(400, "BadRequest", parsed.error, rid);
    const b = parsed.value;
    const bad = (msg: string) => graphError(400, "Request_BadRequest", msg, rid);
    const auto = b.autoExtendDuration;
    if (auto !== undefined && (typeof auto !== "string" || !AUTO_EXTEND.has(auto))) {
      return bad("autoExtendDuration must be P0D, PT0S or P180D.");
    }
    const roles = b.accessDetails === undefined ? undefined : rolesOf(b.accessDetails);
    if (typeof roles === "string") return bad(roles);
    if (r.status === "active") {
      // Active: autoExtendDuration, and removing Global Administrator (a long-running operation), nothing else.
      const others = Object.keys(b).filter((k) => k !== "autoExtendDuration" && k !== "accessDetails");
      const gaRemoval =
        roles !== undefined &&
        r.roles.includes(GLOBAL_ADMIN) &&
        sameRoles(
          roles,
          r.roles.filter((x) => x !== GLOBAL_ADMIN),
        );
      if (others.length || (roles !== undefined && !gaRemoval && !sameRoles(roles, r.roles))) {
        return bad(
          `An active relationship accepts only autoExtendDuration and the removal of the Global Administrator role; ${others.length ? others.join(", ") : "these roles"} cannot be changed.`,
        );
      }
      if (auto === "P180D" && (roles ?? r.roles).includes(GLOBAL_ADMIN)) return bad(GA_AUTO_EXTEND);
      if (auto !== undefined) {
        r.autoExtendDuration = auto;
        this.touch(r, r.status);
      }
      if (gaRemoval) return this.startOperation(r, relUrl, "delegatedAdminRelationshipUpdate", roles, null);
      // Nothing else asked: 200 and the relationship.
      return { ...ok(200, relBody(r)), applied: auto !== undefined };
    }
    if (r.status !== "created") {
      return bad(`The relationship can only be updated in the 'created' status; it is '${r.status}'.`);
    }
    if (b.displayName !== undefined) {
      if (typeof b.displayName !== "string" || !b.displayName.trim() || b.displayName.length > 50) {
        return bad("displayName must be at most 50 characters.");
      }
      const taken = this.nameTaken(b.displayName, r);
      if (taken) return taken;
    }
    if (b.duration !== undefined && durationDays(b.duration) === null) {
      return bad("duration must be an ISO 8601 duration from P1D to P2Y.");
    }
    if ((auto ?? r.autoExtendDuration) === "P180D" && (roles ?? r.roles).includes(GLOBAL_ADMIN)) {
      return bad(GA_AUTO_EXTEND);
    }
    if (typeof b.displayName === "string") r.displayName = b.displayName;
    if (typeof b.duration === "string") r.duration = b.duration;
    if (roles !== undefined) r.roles = roles;
    if (auto !== undefined) r.autoExtendDuration = auto;
    this.touch(r, r.status);
    return { ...ok(200, relBody(r)), applied: true };
  }

  /** 202 Accepted, Location of the operation, Retry-After, an empty object; the change applies when it completes. */
  private startOperation(
    r: GdapRelationshipState,
    relUrl: string,
    operationType: GdapOperationState["operationType"],
    roles: string[],
    assignmentId: string | null,
  ): GraphResult {
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
    return {
      status: 202,
      body: {},
      headers: { Location: `${relUrl}/operations/${o.id}`, "Retry-After": "1" },
      applied: true,
    };
  }

  /** An operation as Graph shows it: `data` is the target's JSON as it is (or will be) after the operation. */
  private operationAnswer(r: GdapRelationshipState, o: GdapOperationState, now: number) {
    this.settleOperation(r, o, now);
    const a = o.assignmentId === null ? undefined : r.assignments.find((x) => x.id === o.assignmentId);
    const target = o.assignmentId === null ? relBody(r) : assignmentBody(a);
    return operationBody(o, {
      ...target,
      accessDetails: { unifiedRoles: o.roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
    });
  }

  private createRequest(
    req: GraphRequest,
    r: GdapRelationshipState,
    relUrl: string,
    rid: string,
  ): GraphResult {
    const parsed = parseJson(req);
    if ("error" in parsed) return graphError(400, "BadRequest", parsed.error, rid);
    const action = parsed.value.action;
    const now = Date.now();
    const move = this.requestTransition(r, action, now);
    if ("refused" in move) return graphError(400, move.code, move.refused, rid);
    const iso = new Date(now).toISOString();
    const q = {
      id: randomUUID(),
      action: String(action), // lockForApproval or terminate, checked above
      status: "created",
      createdDateTime: iso,
      lastModifiedDateTime: iso,
    };
    r.requests.push(q);
    const answer = requestBody(q);
    // The request succeeds and the relationship moves afterwards, never within this answer.
    q.status = "succeeded";
    r.next = { status: move.target, at: now + this.asyncMs };
    return { status: 201, body: answer, headers: { Location: `${relUrl}/requests/${q.id}` }, applied: true };
  }

  private createAssignment(
    req: GraphRequest,
    r: GdapRelationshipState,
    relUrl: string,
    rid: string,
  ): GraphResult {
    if (r.status !== "active" && r.status !== "expiring") {
      return graphError(
        400,
        "Request_BadRequest",
        `Access can be assigned only in an active relationship; it is '${r.status}'.`,
        rid,
      );
    }
    const parsed = parseJson(req);
    if ("error" in parsed) return graphError(400, "BadRequest", parsed.error, rid);
    const c = parsed.value.accessContainer as
      { accessContainerId?: unknown; accessContainerType?: unknown } | undefined;
    if (
      !c ||
      typeof c.accessContainerId !== "string" ||
      !GUID.test(c.accessContainerId) ||
      c.accessContainerType !== "securityGroup"
    ) {
      return graphError(
        400,
        "BadRequest",
        "accessContainer must be {accessContainerId: <group GUID>, accessContainerType: 'securityGroup'}.",
        rid,
      );
    }
    const roles = rolesOf(parsed.value.accessDetails);
    if (typeof roles === "string") return graphError(400, "BadRequest", roles, rid);
    const outside = roles.filter((x) => !r.roles.includes(x));
    if (outside.length) {
      return graphError(
        400,
        "BadRequest",
        `Roles ${outside.join(", ")} are not part of the relationship.`,
        rid,
      );
    }
    const group = c.accessContainerId.toLowerCase();
    if (
      r.assignments.some(
        (a) => a.securityGroupId === group && a.status !== "deleted" && a.status !== "deleting",
      )
    ) {
      return graphError(
        409,
        "Conflict",
        `Security group ${group} already has an access assignment in this relationship.`,
        rid,
      );
    }
    const iso = new Date().toISOString();
    const a: GdapAssignmentState = {
      id: randomUUID(),
      status: "pending",
      securityGroupId: group,
      roles,
      createdDateTime: iso,
      lastModifiedDateTime: iso,
      etag: etag(),
      next: null,
    };
    r.assignments.push(a);
    const answer = assignmentBody(a);
    a.next = { status: "active", at: Date.now() + this.asyncMs };
    return {
      status: 201,
      body: answer,
      headers: { Location: `${relUrl}/accessAssignments/${a.id}` },
      applied: true,
    };
  }
}
