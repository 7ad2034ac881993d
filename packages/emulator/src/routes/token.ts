/**
 * The token endpoint (Azure AD): `POST /{tenant}/oauth2/token` and `/oauth2/v2.0/token`, refresh-token grant, and
 * on v2 the device-code grant started at `POST /{tenant}/oauth2/v2.0/devicecode` (device-codes.ts). Other
 * methods are answered 405 AADSTS900561 by the pipeline (error-styles.ts).
 */
import { randomBytes } from "node:crypto";
import { GRAPH_RESOURCE, PC_RESOURCE } from "../audience";
import { aadError, header, missingParameter, type ApiResult, type Ctx } from "../results";
import type { Route } from "../router";
import type { Store } from "../state";
import { DEVICE_CODE_GRANT, multipleResources, resourcesOf } from "../device-codes";

/** The Entra route table (apis.ts). */
export const TOKEN_ROUTES: readonly Route[] = [
  {
    re: /^\/[^/]+\/oauth2\/token\/?$/i,
    methods: { POST: (ctx, _p, state) => issueToken(state, ctx, false) },
  },
  {
    re: /^\/[^/]+\/oauth2\/v2\.0\/token\/?$/i,
    methods: { POST: (ctx, _p, state) => issueToken(state, ctx, true) },
  },
  {
    re: /^\/[^/]+\/oauth2\/v2\.0\/devicecode\/?$/i,
    methods: { POST: (ctx, _p, state) => startDeviceCode(state, ctx) },
  },
];

/** `POST /{tenant}/oauth2/v2.0/devicecode`: starts a device authorization (device-codes.ts). */
export function startDeviceCode(state: Store, ctx: Ctx): ApiResult {
  const form = new URLSearchParams(ctx.body.toString("utf8"));
  const c = state.config;
  return state.deviceCodes.start(form, c.deviceCodeExpiresSeconds, c.deviceCodeIntervalSeconds);
}

/** Refresh-token grant (doc "Authentication"; Azure AD error shape, not Partner Center's). */
export function issueToken(state: Store, ctx: Ctx, v2: boolean): ApiResult {
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
  if (!grant) return missingParameter("grant_type");
  if (grant === DEVICE_CODE_GRANT && v2) {
    const r = state.deviceCodes.redeem(form);
    if (!("scopes" in r)) return r;
    // The one resource its scopes name (an unprefixed scope is Graph's), Partner Center when only OIDC ones.
    const resource = resourcesOf(r.scopes)[0] ?? PC_RESOURCE;
    return mint(state, true, resource === GRAPH_RESOURCE ? GRAPH_RESOURCE : PC_RESOURCE, {
      consented: r.consented,
      refresh: r.scopes.some((s) => s.toLowerCase() === "offline_access"),
    });
  }
  if (grant !== "refresh_token") {
    return aadError(
      400,
      "unsupported_grant_type",
      `AADSTS70003: The app requested an unsupported grant type '${grant}'. The emulator implements refresh_token${v2 ? ` and ${DEVICE_CODE_GRANT}` : ""} only.`,
    );
  }
  const clientId = form.get("client_id");
  if (!clientId) return missingParameter("client_id");
  if (need.clientId !== undefined && clientId !== need.clientId) {
    return aadError(
      400,
      "unauthorized_client",
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.`,
    );
  }
  const refresh = form.get("refresh_token");
  if (!refresh) return missingParameter("refresh_token");
  // A refresh token of a device-code sign-in was issued to a public client, which holds no secret: Entra refuses
  // one presented with it ("Microsoft Entra authentication and authorization error codes": AADSTS700025
  // InvalidClientPublicClientWithCredential; seen on the device-code refresh in canonical/authd#1881).
  const publicClient = state.deviceCodes.consent.has(refresh);
  if (publicClient && (form.has("client_secret") || form.has("client_assertion"))) {
    return aadError(
      401,
      "invalid_client",
      "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    );
  }
  if (!publicClient && need.clientSecret !== undefined && form.get("client_secret") !== need.clientSecret) {
    return aadError(
      401,
      "invalid_client",
      "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
    );
  }
  if (need.refreshToken !== undefined && refresh !== need.refreshToken && !state.refreshTokens.has(refresh)) {
    return aadError(400, "invalid_grant", "AADSTS70000: Provided grant is invalid or malformed.");
  }
  const audience = v2 ? form.get("scope") : form.get("resource");
  // One resource per token request (see device-codes.ts).
  if (v2 && audience !== null) {
    const scopes = audience.split(/\s+/).filter(Boolean);
    if (resourcesOf(scopes).length > 1) return multipleResources(scopes);
  }
  const graph = audience !== null && /^https:\/\/graph\.microsoft\.com\b/i.test(audience);
  if (audience !== null && !/partnercenter/i.test(audience) && !graph) {
    return aadError(
      400,
      "invalid_resource",
      `AADSTS500011: The resource principal named ${audience} was not found in the tenant. Request a token for https://api.partnercenter.microsoft.com.`,
    );
  }
  const resource = graph ? GRAPH_RESOURCE : PC_RESOURCE;
  // A refresh token from a device-code sign-in carries its user's consent (and the app's admin consent): a
  // resource outside it is refused.
  const consented = state.deviceCodes.consentOf(refresh, clientId);
  if (consented && !consented.some((s) => s.toLowerCase().startsWith(`${resource}/`))) {
    return aadError(
      400,
      "invalid_grant",
      `AADSTS65001: The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource (${resource}).`,
    );
  }
  return mint(state, v2, resource, { consented, refresh: true, v1Resource: form.get("resource") });
}

/** Issues an access token for `resource` (and a new refresh token carrying the same consent). */
function mint(
  state: Store,
  v2: boolean,
  resource: string,
  o: { consented: string[] | undefined; refresh: boolean; v1Resource?: string | null },
): ApiResult {
  const lifetime = state.config.tokenLifetimeSeconds;
  const access = opaque("pcemu-at-");
  const rotated = o.refresh ? opaque("pcemu-rt-") : undefined;
  const now = Date.now();
  state.accessTokens.set(access, now + lifetime * 1000);
  // Its audience: the Graph routes accept only tokens issued for Graph (auth.ts).
  state.tokensFor(resource).add(access);
  state.issued.push(access);
  if (rotated) {
    state.refreshTokens.add(rotated);
    state.issued.push(rotated);
    if (o.consented) state.deviceCodes.consent.set(rotated, o.consented);
  }
  state.counters.tokensIssued++;
  const seconds = Math.max(0, Math.floor(lifetime));
  // `scope`: what the token is valid for. Without a recorded consent, Partner Center's user_impersonation (and
  // Graph's GDAP permission for a Graph token), as before.
  const granted = (
    o.consented ?? [
      resource === GRAPH_RESOURCE
        ? `${GRAPH_RESOURCE}/DelegatedAdminRelationship.ReadWrite.All`
        : `${PC_RESOURCE}/user_impersonation`,
    ]
  ).filter((s) => s.toLowerCase().startsWith(`${resource}/`));
  const withRefresh = rotated ? { refresh_token: rotated } : {};
  const body = v2
    ? {
        token_type: "Bearer",
        scope: granted.join(" "),
        expires_in: seconds,
        ext_expires_in: seconds,
        access_token: access,
        ...withRefresh,
      }
    : {
        // Azure AD v1 answers these numbers as strings, and the scope names without their resource.
        token_type: "Bearer",
        scope: granted.map((s) => s.slice(resource.length + 1)).join(" "),
        expires_in: String(seconds),
        ext_expires_in: String(seconds),
        expires_on: String(Math.floor(now / 1000) + seconds),
        not_before: String(Math.floor(now / 1000)),
        resource: o.v1Resource ?? resource,
        access_token: access,
        ...withRefresh,
      };
  return { status: 200, raw: true, body };
}

function opaque(prefix: string): string {
  // Hex after a fixed prefix: never JWT-shaped, and obviously fake when it turns up in a log.
  return `${prefix}${randomBytes(24).toString("hex")}`;
}
