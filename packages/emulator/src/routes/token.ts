/** The token endpoint (Azure AD): `POST /{tenant}/oauth2/token` and `/oauth2/v2.0/token`, refresh-token grant. */
import { randomBytes } from "node:crypto";
import { aadError, header, type ApiResult, type Ctx } from "../results";
import type { Store } from "../state";

/** Refresh-token grant (doc "Authentication"; Azure AD error shape, not Partner Center's). */
export function issueToken(state: Store, ctx: Ctx, v2: boolean): ApiResult {
  if (ctx.method !== "POST")
    return aadError(405, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.");
  const type = header(ctx.req, "content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded/i.test(type)) {
    return aadError(
      400,
      "invalid_request",
      "AADSTS900144: The request body must be form-encoded (application/x-www-form-urlencoded).",
    );
  }
  const form = new URLSearchParams(ctx.body.toString("utf8"));
  const need = state.config.requireCredentials;
  const grant = form.get("grant_type");
  if (!grant)
    return aadError(
      400,
      "invalid_request",
      "AADSTS900144: The request body must contain the following parameter: 'grant_type'.",
    );
  if (grant !== "refresh_token") {
    return aadError(
      400,
      "unsupported_grant_type",
      `AADSTS70003: The app requested an unsupported grant type '${grant}'. The emulator implements refresh_token only.`,
    );
  }
  const clientId = form.get("client_id");
  if (!clientId)
    return aadError(
      400,
      "invalid_request",
      "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
    );
  if (need.clientId !== undefined && clientId !== need.clientId) {
    return aadError(
      400,
      "unauthorized_client",
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.`,
    );
  }
  if (need.clientSecret !== undefined && form.get("client_secret") !== need.clientSecret) {
    return aadError(
      401,
      "invalid_client",
      "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
    );
  }
  const refresh = form.get("refresh_token");
  if (!refresh)
    return aadError(
      400,
      "invalid_request",
      "AADSTS900144: The request body must contain the following parameter: 'refresh_token'.",
    );
  if (need.refreshToken !== undefined && refresh !== need.refreshToken && !state.refreshTokens.has(refresh)) {
    return aadError(400, "invalid_grant", "AADSTS70000: Provided grant is invalid or malformed.");
  }
  const audience = v2 ? form.get("scope") : form.get("resource");
  const graph = audience !== null && /^https:\/\/graph\.microsoft\.com\b/i.test(audience); // GDAP (issue 16)
  if (audience !== null && !/partnercenter/i.test(audience) && !graph) {
    return aadError(
      400,
      "invalid_resource",
      `AADSTS500011: The resource principal named ${audience} was not found in the tenant. Request a token for https://api.partnercenter.microsoft.com.`,
    );
  }
  const lifetime = state.config.tokenLifetimeSeconds;
  const access = opaque("pcemu-at-");
  const rotated = opaque("pcemu-rt-");
  const now = Date.now();
  state.accessTokens.set(access, now + lifetime * 1000);
  if (graph) state.gdap.graphTokens.add(access); // GDAP (issue 16): Graph routes accept only these
  state.refreshTokens.add(rotated);
  state.issued.push(access, rotated);
  state.counters.tokensIssued++;
  const seconds = Math.max(0, Math.floor(lifetime));
  const resource = "https://api.partnercenter.microsoft.com";
  const body = v2
    ? {
        token_type: "Bearer",
        scope: `${resource}/user_impersonation`,
        expires_in: seconds,
        ext_expires_in: seconds,
        access_token: access,
        refresh_token: rotated,
      }
    : {
        // Azure AD v1 answers these numbers as strings.
        token_type: "Bearer",
        scope: "user_impersonation",
        expires_in: String(seconds),
        ext_expires_in: String(seconds),
        expires_on: String(Math.floor(now / 1000) + seconds),
        not_before: String(Math.floor(now / 1000)),
        resource: form.get("resource") ?? resource,
        access_token: access,
        refresh_token: rotated,
      };
  return { status: 200, raw: true, body };
}

function opaque(prefix: string): string {
  // Hex after a fixed prefix: never JWT-shaped, and obviously fake when it turns up in a log.
  return `${prefix}${randomBytes(24).toString("hex")}`;
}
