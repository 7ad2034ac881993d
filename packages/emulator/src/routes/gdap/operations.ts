/**
 * Long-running operations of a relationship: `GET .../delegatedAdminRelationships/{id}/operations[/{operationId}]`
 * ("Get delegatedAdminRelationshipOperation"), and the 202 that starts one (an access assignment's role update, the
 * removal of Global Administrator from an active relationship). Emulator's choice: an operation is `running` until
 * `asyncMs` has passed, then `succeeded` (the status of the documented example), and its change applies then.
 */
import type { Ctx } from "../../context";
import { isResult, type ApiResult } from "../../results";
import type { Store } from "../../state";
import type { GdapOperationState, GdapRelationshipState } from "../../gdap-model";
import { assignmentBody, operationBody, relBody } from "./bodies";
import { bad, ok, relationshipOf, relationshipUrl } from "./request";

/** An operation as Graph shows it: `data` is the target's JSON as it is (or will be) after the operation. */
function operationAnswer(state: Store, r: GdapRelationshipState, o: GdapOperationState) {
  state.gdap.settleOperation(r, o, Date.now());
  const a = o.assignmentId === null ? undefined : r.assignments.find((x) => x.id === o.assignmentId);
  const target = o.assignmentId === null ? relBody(r) : assignmentBody(a);
  return operationBody(o, {
    ...target,
    accessDetails: { unifiedRoles: o.roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
  });
}

export function listOperations(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  if (isResult(r)) return r;
  return ok(200, { value: r.operations.map((o) => operationAnswer(state, r, o)) });
}

export function getOperation(ctx: Ctx, [id, operationId]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  if (isResult(r)) return r;
  const o = r.operations.find((x) => x.id === operationId);
  return o
    ? ok(200, operationAnswer(state, r, o))
    : bad(ctx, "ResourceNotFound", "The operation was not found.", 404);
}

/** 202 Accepted, Location of the operation, Retry-After, an empty object; the change applies when it completes. */
export function operationStarted(
  ctx: Ctx,
  state: Store,
  r: GdapRelationshipState,
  type: "delegatedAdminAccessAssignmentUpdate" | "delegatedAdminRelationshipUpdate",
  roles: string[],
  assignmentId: string | null,
): ApiResult {
  const o = state.gdap.startOperation(r, type, roles, assignmentId);
  return {
    status: 202,
    body: {},
    headers: { Location: `${relationshipUrl(ctx, r)}/operations/${o.id}`, "Retry-After": "1" },
    applied: true,
  };
}
