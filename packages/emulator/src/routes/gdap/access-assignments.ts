/**
 * `.../delegatedAdminRelationships/{id}/accessAssignments[/{assignmentId}]`: list, create (201, `pending`, then
 * `active`), get, update and delete an access assignment ("Create delegatedAdminAccessAssignment", "Update
 * delegatedAdminAccessAssignment", "Delete delegatedAdminAccessAssignment"). An update answers 202 with Location
 * and Retry-After and an empty object (operations.ts), or 200 with the assignment when nothing changes.
 *
 * Emulator's choices: access is assigned only in an active (or expiring) relationship; one live access assignment
 * per security group and relationship (a second one is 409 `Conflict`); a deleted assignment answers 404.
 */
import { randomUUID } from "node:crypto";
import type { Ctx } from "../../context";
import { isResult, type ApiResult } from "../../results";
import type { Store } from "../../state";
import { etag, GUID, type GdapAssignmentState, type GdapRelationshipState } from "../../gdap-model";
import { assignmentBody } from "./bodies";
import { operationStarted } from "./operations";
import { bad, ifMatch, ok, parseJson, relationshipOf, relationshipUrl, rolesOf, sameRoles } from "./request";

export function listAssignments(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  if (isResult(r)) return r;
  const now = Date.now();
  return ok(200, {
    value: r.assignments.map((a) => assignmentBody(state.gdap.settleAssignment(r, a, now))).filter(Boolean),
  });
}

export function createAssignment(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  if (isResult(r)) return r;
  if (r.status !== "active" && r.status !== "expiring") {
    return bad(
      ctx,
      "Request_BadRequest",
      `Access can be assigned only in an active relationship; it is '${r.status}'.`,
    );
  }
  const parsed = parseJson(ctx);
  if ("error" in parsed) return bad(ctx, "BadRequest", parsed.error);
  const c = parsed.value.accessContainer as
    { accessContainerId?: unknown; accessContainerType?: unknown } | undefined;
  if (
    !c ||
    typeof c.accessContainerId !== "string" ||
    !GUID.test(c.accessContainerId) ||
    c.accessContainerType !== "securityGroup"
  ) {
    return bad(
      ctx,
      "BadRequest",
      "accessContainer must be {accessContainerId: <group GUID>, accessContainerType: 'securityGroup'}.",
    );
  }
  const roles = rolesOf(parsed.value.accessDetails);
  if (typeof roles === "string") return bad(ctx, "BadRequest", roles);
  const outside = roles.filter((x) => !r.roles.includes(x));
  if (outside.length)
    return bad(ctx, "BadRequest", `Roles ${outside.join(", ")} are not part of the relationship.`);
  const group = c.accessContainerId.toLowerCase();
  if (
    r.assignments.some(
      (a) => a.securityGroupId === group && a.status !== "deleted" && a.status !== "deleting",
    )
  ) {
    return bad(
      ctx,
      "Conflict",
      `Security group ${group} already has an access assignment in this relationship.`,
      409,
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
  a.next = { status: "active", at: Date.now() + state.gdap.asyncMs };
  return {
    status: 201,
    body: answer,
    headers: { Location: `${relationshipUrl(ctx, r)}/accessAssignments/${a.id}` },
    applied: true,
  };
}

/** The relationship and its assignment `assignmentId` (due changes applied), or Graph's 404. */
function assignmentOf(
  ctx: Ctx,
  [id, assignmentId]: string[],
  state: Store,
): { r: GdapRelationshipState; a: GdapAssignmentState } | ApiResult {
  const r = relationshipOf(ctx, id!, state);
  if (isResult(r)) return r;
  const a = r.assignments.find((x) => x.id === assignmentId);
  const notFound = () => bad(ctx, "ResourceNotFound", "The access assignment was not found.", 404);
  if (!a) return notFound();
  state.gdap.settleAssignment(r, a, Date.now());
  return r.assignments.includes(a) ? { r, a } : notFound();
}

export function getAssignment(ctx: Ctx, params: string[], state: Store): ApiResult {
  const found = assignmentOf(ctx, params, state);
  return isResult(found) ? found : ok(200, assignmentBody(found.a));
}

export function deleteAssignment(ctx: Ctx, params: string[], state: Store): ApiResult {
  const found = assignmentOf(ctx, params, state);
  if (isResult(found)) return found;
  const pre = ifMatch(ctx, found.a.etag);
  if (pre) return pre;
  state.gdap.deleteAssignment(found.a);
  return { status: 204, body: "", applied: true };
}

export function patchAssignment(ctx: Ctx, params: string[], state: Store): ApiResult {
  const found = assignmentOf(ctx, params, state);
  if (isResult(found)) return found;
  const { r, a } = found;
  const pre = ifMatch(ctx, a.etag);
  if (pre) return pre;
  const body = parseJson(ctx);
  if ("error" in body) return bad(ctx, "BadRequest", body.error);
  const roles = rolesOf(body.value.accessDetails);
  if (typeof roles === "string") return bad(ctx, "BadRequest", roles);
  const outside = roles.filter((x) => !r.roles.includes(x));
  if (outside.length)
    return bad(ctx, "BadRequest", `Roles ${outside.join(", ")} are not part of the relationship.`);
  // Identical values: 200 with the assignment as it is; otherwise 202 and a long-running operation.
  if (sameRoles(a.roles, roles)) return ok(200, assignmentBody(a));
  return operationStarted(ctx, state, r, "delegatedAdminAccessAssignmentUpdate", roles, a.id);
}
