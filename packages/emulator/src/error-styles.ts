/**
 * How each API words what the pipeline answers on its behalf (apis.ts): refusals before a route runs (404, 405,
 * 401, 429), injected faults, and the headers of every answer. The bodies themselves are built in results.ts.
 */
import type { AuthFailure } from "./auth";
import type { Ctx } from "./context";
import { aadError, graphError, pcError, throttled, type ApiResult } from "./results";

export interface ErrorStyle {
  /** An error of `status`; `code` and `description` as the API spells them, defaults when absent (faults). */
  error(
    ctx: Ctx,
    status: number,
    code: string | number | undefined,
    description: string | undefined,
  ): ApiResult;
  /** Rate limited: 429, `Retry-After` when known. */
  throttled(ctx: Ctx, retryAfterSeconds: number | undefined): ApiResult;
  /** The token lacks multi-factor authentication (the `mfa` fault). */
  mfaRequired(ctx: Ctx, description: string | undefined): ApiResult;
  unauthenticated(ctx: Ctx, why: AuthFailure): ApiResult;
  notFound(ctx: Ctx): ApiResult;
  notAllowed(ctx: Ctx, allow: string[], noun: string | undefined): ApiResult;
  /** Headers of every answer (the result's own headers override them). */
  headers(ctx: Ctx): Record<string, string>;
}

/** Headers of every Partner Center answer (doc "Base URLs and headers"). */
function partnerCenterHeaders(ctx: Ctx): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "MS-RequestId": ctx.requestId,
    "MS-CorrelationId": ctx.correlationId,
    "X-Locale": ctx.locale,
  };
}

const PC_DENIED: Record<AuthFailure, string> = {
  missing: "Access denied: send an Authorization: Bearer <access token> header.",
  malformed: "Access denied: the Authorization header must be a Bearer token.",
  unknown: "Access denied: the access token is not valid.",
  expired: "Access denied: the access token has expired.",
  audience: "Access denied: the access token is not for Partner Center.",
};

/** Partner Center: `{code, description, data, source}`; the throttling answer is not that schema (doc "Throttling"). */
export const PARTNER_CENTER_STYLE: ErrorStyle = {
  error: (_ctx, status, code, description) =>
    pcError(status, code ?? status, description ?? `Injected fault: HTTP ${status}.`),
  throttled: (_ctx, retryAfter) => throttled(retryAfter),
  // Doc "Authentication": App+User calls without MFA get 401 with code 900421 since 1 April 2026.
  mfaRequired: (_ctx, description) =>
    pcError(
      401,
      900421,
      description ??
        "The access token was issued without multi-factor authentication (MFA). Partner Center requires MFA for App+User access: sign in again with MFA and get a new refresh token.",
      { "WWW-Authenticate": 'Bearer error="insufficient_claims"' },
    ),
  unauthenticated: (_ctx, why) => pcError(401, 400, PC_DENIED[why], { "WWW-Authenticate": "Bearer" }),
  notFound: (ctx) => pcError(404, 1000, `Resource not found: no route for ${ctx.method} ${ctx.path}.`),
  notAllowed: (ctx, allow) =>
    pcError(405, 405, `${ctx.method} is not supported on ${ctx.path}.`, { Allow: allow.join(", ") }),
  headers: partnerCenterHeaders,
};

/** Graph's error codes for an injected status (the `code` table of "Microsoft Graph error responses"). */
const GRAPH_CODES: Record<number, string> = {
  400: "invalidRequest",
  401: "unauthenticated",
  403: "accessDenied",
  404: "itemNotFound",
  409: "nameAlreadyExists",
  429: "TooManyRequests",
  500: "generalException",
  503: "serviceNotAvailable",
};

/** Microsoft Graph: `{"error":{"code","message","innerError"}}` ("Microsoft Graph error responses"). */
export const GRAPH_STYLE: ErrorStyle = {
  error: (ctx, status, code, description) =>
    graphError(
      ctx,
      status,
      String(code ?? GRAPH_CODES[status] ?? "generalException"),
      description ?? `Injected fault: HTTP ${status}.`,
    ),
  // "Microsoft Graph throttling guidance": 429 with Retry-After, in Graph's error shape.
  throttled: (ctx, retryAfter) =>
    graphError(ctx, 429, "TooManyRequests", "Too many requests.", {
      "Retry-After": String(Math.max(1, Math.ceil(retryAfter ?? 1))),
    }),
  mfaRequired: (ctx, description) =>
    graphError(
      ctx,
      401,
      "InvalidAuthenticationToken",
      description ?? "The access token was issued without multi-factor authentication (MFA).",
      { "WWW-Authenticate": 'Bearer error="insufficient_claims"' },
    ),
  unauthenticated: (ctx, why) =>
    why === "audience"
      ? graphError(
          ctx,
          401,
          "InvalidAuthenticationToken",
          "Access token validation failure. Invalid audience.",
          {
            "WWW-Authenticate":
              'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
          },
        )
      : graphError(ctx, 401, "InvalidAuthenticationToken", "Access token is empty or invalid.", {
          "WWW-Authenticate": "Bearer",
        }),
  notFound: (ctx) => {
    // The first segment Graph does not know under /v1.0/tenantRelationships.
    const seg = ctx.path.split("/").filter(Boolean).slice(2);
    const unknown = seg[0]?.toLowerCase() !== "delegatedadminrelationships" ? seg[0] : (seg[2] ?? seg.at(-1));
    return graphError(ctx, 404, "UnknownError", `Resource not found for the segment '${unknown ?? ""}'.`);
  },
  notAllowed: (ctx, _allow, noun) =>
    graphError(ctx, 405, "BadRequest", `${ctx.method} is not allowed on ${noun ?? ctx.path}.`),
  headers: (ctx) => ({
    ...partnerCenterHeaders(ctx),
    "request-id": ctx.clientRequestId,
    "client-request-id": ctx.clientRequestId,
  }),
};

/**
 * Entra's token endpoint: `{"error", "error_description": "AADSTS…", ...}` ("Microsoft identity platform and
 * OAuth 2.0 authorization code flow", error response). Throttling there is not documented: the emulator answers
 * Partner Center's throttling body, as it always has.
 */
export const ENTRA_STYLE: ErrorStyle = {
  error: (_ctx, status, code, description) =>
    aadError(
      status,
      String(code ?? "temporarily_unavailable"),
      description ?? "AADSTS90033: Injected fault.",
    ),
  throttled: (_ctx, retryAfter) => throttled(retryAfter),
  mfaRequired: (_ctx, description) =>
    aadError(
      400,
      "interaction_required",
      description ??
        "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
    ),
  unauthenticated: () => aadError(401, "invalid_client", "AADSTS7000215: Invalid client credentials."),
  notFound: (ctx) => aadError(404, "invalid_request", `AADSTS90027: No endpoint at ${ctx.path}.`),
  notAllowed: () =>
    aadError(405, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests."),
  headers: () => ({
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store, no-cache",
    Pragma: "no-cache",
  }),
};
