/**
 * `.../delegatedAdminRelationships/{id}/requests[/{requestId}]`: `lockForApproval` and `terminate`
 * ("Create delegatedAdminRelationshipRequest"): 201 with status `created`; the relationship's status moves
 * afterwards, never within this answer (the store's lifecycle rules, gdap-store.ts, say where and when).
 */
import { randomUUID } from "node:crypto";
import type { Ctx } from "../../context";
import { isResult, type ApiResult } from "../../results";
import type { Store } from "../../state";
import { requestBody } from "./bodies";
import { bad, ok, parseJson, relationshipOf, relationshipUrl } from "./request";

export function listRequests(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  return isResult(r) ? r : ok(200, { value: r.requests.map(requestBody) });
}

export function getRequest(ctx: Ctx, [id, requestId]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  if (isResult(r)) return r;
  const q = r.requests.find((x) => x.id === requestId);
  return q ? ok(200, requestBody(q)) : bad(ctx, "ResourceNotFound", "The request was not found.", 404);
}

export function createRequest(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const r = relationshipOf(ctx, id!, state);
  if (isResult(r)) return r;
  const parsed = parseJson(ctx);
  if ("error" in parsed) return bad(ctx, "BadRequest", parsed.error);
  const action = parsed.value.action;
  const now = Date.now();
  const move = state.gdap.requestTransition(r, action, now);
  if ("refused" in move) return bad(ctx, move.code, move.refused);
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
  r.next = { status: move.target, at: now + state.gdap.asyncMs };
  return {
    status: 201,
    body: answer,
    headers: { Location: `${relationshipUrl(ctx, r)}/requests/${q.id}` },
    applied: true,
  };
}
