/**
 * `/v1.0/tenantRelationships/delegatedAdminRelationships[/{id}]`: list (`$filter`, `$top` max 300,
 * `@odata.nextLink`), create (201 + Location + `@odata.etag`), get, update and delete a delegated admin
 * relationship ("List delegatedAdminRelationships", "Create delegatedAdminRelationship", "Update
 * delegatedAdminRelationship", "Delete delegatedAdminRelationship", Microsoft Graph v1.0). Errors in Graph's shape.
 *
 * Emulator's choices (Microsoft documents no more):
 * - Missing If-Match: 400 `Request_BadRequest`; stale If-Match: 412 `PreconditionFailed`.
 * - A displayName already used, by any relationship, ended ones included: 409 `Conflict` ("delegatedAdminRelationship
 *   resource type": unique across all relationships of the partner).
 * - PATCH: any property while `created`; while `active`, `autoExtendDuration`, and removing the Global Administrator
 *   role, which answers 202 with the Location of a long-running operation (operations.ts); anything else 400.
 * - autoExtendDuration P180D with the Global Administrator role: 400 (Partner Center, "Don't autoextend GDAP with
 *   Global Administrator").
 * - DELETE only while `created`.
 * - `$filter` understands `customer/tenantId eq '...'` and `displayName eq '...'`, joined by `and`.
 */
import { randomUUID } from "node:crypto";
import type { Ctx } from "../../context";
import { isResult, type ApiResult } from "../../results";
import type { Store } from "../../state";
import {
  AUTO_EXTEND,
  durationDays,
  etag,
  GLOBAL_ADMIN,
  GUID,
  type GdapRelationshipState,
} from "../../gdap-model";
import { relBody } from "./bodies";
import { operationStarted } from "./operations";
import {
  bad,
  ifMatch,
  ok,
  origin,
  parseJson,
  relationshipOf,
  relationshipUrl,
  rolesOf,
  sameRoles,
} from "./request";

const GA_AUTO_EXTEND =
  "A relationship with the Global Administrator role cannot be auto-extended: autoExtendDuration must be PT0S or P0D.";

export function listRelationships(ctx: Ctx, _params: string[], state: Store): ApiResult {
  const query = ctx.url.searchParams;
  const filter = query.get("$filter");
  const clauses: [string, string][] = [];
  if (filter) {
    for (const part of filter.split(/\s+and\s+/i)) {
      const c = /^\s*(customer\/tenantId|displayName)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(part);
      if (!c) return bad(ctx, "BadRequest", `Invalid filter clause: ${part}`);
      clauses.push([c[1]!.toLowerCase(), c[2]!.replace(/''/g, "'")]);
    }
  }
  const topRaw = query.get("$top");
  const top = topRaw === null ? 100 : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > 300) {
    return bad(ctx, "BadRequest", "$top must be a whole number from 1 to 300.");
  }
  const skip = Number(query.get("$skiptoken") ?? "0");
  const all = state.gdap
    .list()
    .filter((r) =>
      clauses.every(([k, v]) =>
        k === "displayname" ? r.displayName === v : r.customer.tenantId === v.toLowerCase(),
      ),
    );
  const size = Math.min(top, state.gdap.pageSize);
  const page = all.slice(skip, skip + size);
  const body: Record<string, unknown> = {
    "@odata.context": `${origin(ctx)}/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships`,
    value: page.map(relBody),
  };
  if (skip + size < all.length) {
    const q = new URLSearchParams(query);
    q.set("$skiptoken", String(skip + size));
    body["@odata.nextLink"] = `${origin(ctx)}${ctx.path}?${q.toString()}`;
  }
  return ok(200, body);
}

/** A 409 when any relationship, ended or not, already has this name; else undefined. */
function nameTaken(
  ctx: Ctx,
  state: Store,
  name: string,
  except?: GdapRelationshipState,
): ApiResult | undefined {
  const r = state.gdap.named(name, except);
  return r
    ? bad(
        ctx,
        "Conflict",
        `A relationship named '${name}' already exists (${r.id}, ${r.status}); display names are unique across all relationships of the partner.`,
        409,
      )
    : undefined;
}

export function createRelationship(ctx: Ctx, _params: string[], state: Store): ApiResult {
  const parsed = parseJson(ctx);
  if ("error" in parsed) return bad(ctx, "BadRequest", parsed.error);
  const b = parsed.value;
  const refuse = (msg: string) => bad(ctx, "BadRequest", msg);
  if (typeof b.displayName !== "string" || !b.displayName.trim() || b.displayName.length > 50) {
    return refuse("displayName is required and must be at most 50 characters.");
  }
  if (durationDays(b.duration) === null)
    return refuse("duration must be an ISO 8601 duration from P1D to P2Y.");
  const auto = b.autoExtendDuration ?? "PT0S";
  if (typeof auto !== "string" || !AUTO_EXTEND.has(auto))
    return refuse("autoExtendDuration must be P0D, PT0S or P180D.");
  const customer = b.customer as { tenantId?: unknown; displayName?: unknown } | undefined;
  if (customer !== undefined && (typeof customer.tenantId !== "string" || !GUID.test(customer.tenantId))) {
    return refuse("customer.tenantId must be a tenant GUID.");
  }
  const roles = rolesOf(b.accessDetails);
  if (typeof roles === "string") return refuse(roles);
  if (auto === "P180D" && roles.includes(GLOBAL_ADMIN)) return refuse(GA_AUTO_EXTEND);
  const taken = nameTaken(ctx, state, b.displayName);
  if (taken) return taken;
  const iso = new Date().toISOString();
  const r: GdapRelationshipState = {
    // Graph's ids are `{guid}-{partner tenant id}`, as in the documented examples.
    id: `${randomUUID()}-${state.gdap.partnerTenantId()}`,
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
  state.gdap.add(r);
  return { status: 201, body: relBody(r), headers: { Location: relationshipUrl(ctx, r) }, applied: true };
}

export function getRelationship(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  return isResult(r) ? r : ok(200, relBody(r));
}

export function deleteRelationship(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  if (isResult(r)) return r;
  const pre = ifMatch(ctx, r.etag);
  if (pre) return pre;
  if (r.status !== "created") {
    return bad(
      ctx,
      "Request_BadRequest",
      `The relationship can only be deleted in the 'created' status; it is '${r.status}'.`,
    );
  }
  state.gdap.remove(r);
  return { status: 204, body: "", applied: true };
}

export function patchRelationship(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  if (isResult(r)) return r;
  const pre = ifMatch(ctx, r.etag);
  if (pre) return pre;
  const parsed = parseJson(ctx);
  if ("error" in parsed) return bad(ctx, "BadRequest", parsed.error);
  const b = parsed.value;
  const refuse = (msg: string) => bad(ctx, "Request_BadRequest", msg);
  const auto = b.autoExtendDuration;
  if (auto !== undefined && (typeof auto !== "string" || !AUTO_EXTEND.has(auto))) {
    return refuse("autoExtendDuration must be P0D, PT0S or P180D.");
  }
  const roles = b.accessDetails === undefined ? undefined : rolesOf(b.accessDetails);
  if (typeof roles === "string") return refuse(roles);
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
      return refuse(
        `An active relationship accepts only autoExtendDuration and the removal of the Global Administrator role; ${others.length ? others.join(", ") : "these roles"} cannot be changed.`,
      );
    }
    if (auto === "P180D" && (roles ?? r.roles).includes(GLOBAL_ADMIN)) return refuse(GA_AUTO_EXTEND);
    if (auto !== undefined) {
      r.autoExtendDuration = auto;
      state.gdap.touch(r, r.status);
    }
    if (gaRemoval) return operationStarted(ctx, state, r, "delegatedAdminRelationshipUpdate", roles, null);
    // Nothing else asked: 200 and the relationship.
    return { ...ok(200, relBody(r)), applied: auto !== undefined };
  }
  if (r.status !== "created") {
    return refuse(`The relationship can only be updated in the 'created' status; it is '${r.status}'.`);
  }
  if (b.displayName !== undefined) {
    if (typeof b.displayName !== "string" || !b.displayName.trim() || b.displayName.length > 50) {
      return refuse("displayName must be at most 50 characters.");
    }
    const taken = nameTaken(ctx, state, b.displayName, r);
    if (taken) return taken;
  }
  if (b.duration !== undefined && durationDays(b.duration) === null) {
    return refuse("duration must be an ISO 8601 duration from P1D to P2Y.");
  }
  if ((auto ?? r.autoExtendDuration) === "P180D" && (roles ?? r.roles).includes(GLOBAL_ADMIN)) {
    return refuse(GA_AUTO_EXTEND);
  }
  if (typeof b.displayName === "string") r.displayName = b.displayName;
  if (typeof b.duration === "string") r.duration = b.duration;
  if (roles !== undefined) r.roles = roles;
  if (auto !== undefined) r.autoExtendDuration = auto;
  state.gdap.touch(r, r.status);
  return { ...ok(200, relBody(r)), applied: true };
}
