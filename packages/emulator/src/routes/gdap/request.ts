/** What every Graph route reads from a request: its relationship, If-Match, the JSON body, roles, the origin. */
import type { Ctx } from "../../context";
import { graphError, header, type ApiResult } from "../../results";
import type { Store } from "../../state";
import { GUID, type GdapRelationshipState } from "../../gdap-model";

export const PREFIX = "/v1.0/tenantRelationships";

/** `http://127.0.0.1:port`: base of Location and `@odata.nextLink`. */
export function origin(ctx: Ctx): string {
  return `http://${ctx.req.headers.host ?? "127.0.0.1"}`;
}

export function ok(status: number, body: unknown): ApiResult {
  return { status, body };
}

/** A Graph 400 (or `status`) with `code`. */
export function bad(ctx: Ctx, code: string, message: string, status = 400): ApiResult {
  return graphError(ctx, status, code, message);
}

/** The relationship `id` (its due status changes applied), or Graph's 404. */
export function relationshipOf(ctx: Ctx, id: string, state: Store): GdapRelationshipState | ApiResult {
  const r = state.gdap.get(id);
  return r ?? bad(ctx, "ResourceNotFound", `The delegated admin relationship '${id}' was not found.`, 404);
}

/** Its URL, base of the Location of what is created under it. */
export function relationshipUrl(ctx: Ctx, r: GdapRelationshipState): string {
  return `${origin(ctx)}${PREFIX}/delegatedAdminRelationships/${r.id}`;
}

export function ifMatch(ctx: Ctx, current: string): ApiResult | undefined {
  const given = header(ctx.req, "if-match");
  if (!given) return bad(ctx, "Request_BadRequest", "The If-Match header is required.");
  if (given !== "*" && given !== current) {
    return bad(
      ctx,
      "PreconditionFailed",
      "The etag does not match: the object changed since it was read.",
      412,
    );
  }
  return undefined;
}

export function parseJson(ctx: Ctx): { value: Record<string, unknown> } | { error: string } {
  const text = ctx.body.toString("utf8").trim();
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

/** The same roles, in any order. */
export function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
