/**
 * The Partner Center emulator's request pipeline, in order: read the body (413 over 1 MiB); the admin API
 * (admin/routes.ts); the token endpoint (routes/token.ts); else the API: request log, fault, latency, early
 * fault, route match (routes/index.ts), authentication, throttle, idempotency replay, the handler, then the
 * answer (respond.ts). `server.ts` listens and closes; the store is state.ts.
 *
 * Behaviour follows Microsoft's pages as docs/design/partner-center-contract.md sums them up ("the doc" below); where Microsoft documents
 * nothing, the choice made here is marked "emulator's choice".
 *
 * ## API routes (Authorization: Bearer <token> required; every answer carries MS-RequestId,
 * MS-CorrelationId (echoed, generated when absent), X-Locale and Content-Type: application/json)
 * - `POST /{tenant}/oauth2/token`, `POST /{tenant}/oauth2/v2.0/token`: refresh-token grant (doc "Authentication");
 *   on v2 also the device-code grant, started by `POST /{tenant}/oauth2/v2.0/devicecode` (routes/device-code.ts).
 * - `GET /v1/customers` (paged: `size`, `links.next`, `MS-ContinuationToken` header).
 * - `GET /v1/customers/relationshiprequests[?indirectResellerId=]`: the invitation link.
 * - `GET /v1/customers/{id}`, `PATCH /v1/customers/{id}` (remove the reseller relationship).
 * - `GET /v1/customers/{id}/subscriptions`, `GET|PATCH /v1/customers/{id}/subscriptions/{sid}` (If-Match).
 * - `GET /v1/customers/{id}/subscriptions/{sid}/azureEntitlements`.
 * - `GET /v1/customers/{id}/entitlements[?entitlementType=&showExpiry=true]`.
 *
 * ## Admin API (`/_emulator/...`: no bearer token, never throttled, never delayed, not in the request log)
 * | route | what it does |
 * | --- | --- |
 * | `GET /_emulator/health` | `{"status":"ok"}` |
 * | `GET /_emulator/state` | customers (with relationship, subscriptions, entitlements), counters, issued tokens, pending faults, config |
 * | `PUT /_emulator/estate` | load an estate (JSON body); 400 `{"error","field"}` naming the bad field |
 * | `GET /_emulator/requests` / `DELETE /_emulator/requests` | the API request log / clear it |
 * | `GET /_emulator/faults` / `POST /_emulator/faults` / `DELETE /_emulator/faults` | pending faults / queue one or an array / clear |
 * | `POST /_emulator/customers/{id}/accept` | the customer accepts the invitation: relationship becomes `reseller` |
 * | `GET /_emulator/config` / `PATCH /_emulator/config` | run-time options (latencyMs, casing, throttle, removedCustomerStatus, ...) |
 * | `POST /_emulator/tokens/expire` | every issued access token expires now (static tokens excepted) |
 * | `GET /_emulator/devicecode`, `POST /_emulator/devicecode/{userCode}/{approve,decline,expire,slowdown}` | the device-code sign-ins, and the user's answer in the browser |
 * | `POST /_emulator/consent` `{clientId, scopes}` | an administrator's tenant-wide consent for an app's permissions |
 * | `POST /_emulator/reset` | back to the start estate and options; log, faults, counters, throttle windows cleared |
 *
 * ## Emulator's choices (undocumented by Microsoft)
 * - Relationship PATCH refused: 400 code 3000 with the observed reserved-instance text, or a similar
 *   text naming the active subscriptions. An active Azure plan is refused with the reserved-instance text
 *   naming the plan's order, as observed in Partner-Center-PowerShell issue #215.
 * - Relationship PATCH on a tenant without a relationship: 400 code 3000 "The relationship between the
 *   partner and customer does not exist." (the doc's error table).
 * - After removal: GET and sub-resources answer 404 code 1000 (default) or 403 code 20002
 *   (`removedCustomerStatus`); a tenant that never was a customer: 403 20002 (default) or 404 1000
 *   (`unrelatedCustomerStatus`); a GUID not in the estate: 404 code 60003.
 * - Subscription etags: only legacy subscriptions have one, in `attributes.etag` (the Subscription
 *   resource's ResourceAttributes; new-commerce and Azure plan examples carry none). If-Match is optional
 *   (the REST reference for updating a subscription lists none); a stale one is answered 400 code "2055"
 *   "Etag is no longer valid" ("Partner Center REST error codes"), quoted or not.
 * - Error `code` is a string, as the error-codes page documents its type.
 * - `totalCount` counts the items of the page returned, not the whole collection.
 * - Idempotency replay (`replayRequestIds`, off by default: undocumented): a PATCH whose MS-RequestId was
 *   already answered with 2xx on the same path gets the first response again and changes nothing.
 * - Propagation (`propagationDelaySeconds`, default 0): GET of a customer shows the old relationship for that
 *   long after its removal was applied.
 * - Token endpoint: v1 answers `expires_in` etc. as strings (as Azure AD v1 does), v2 as numbers.
 */
import type * as http from "node:http";
import { randomUUID } from "node:crypto";
import { admin } from "./admin/routes";
import { authenticate } from "./auth";
import { isGraphPath } from "./graph";
import { deliver, destroy, earlyFault, send } from "./respond";
import { header, isResult, throttled, type ApiResult, type Ctx } from "./results";
import { graphDispatch } from "./routes/graph";
import { matchRoute } from "./routes/index";
import { issueToken, startDeviceCode } from "./routes/token";
import type { RequestLogEntry, Store } from "./state";
import { FixedWindowThrottle } from "./throttle";

const MAX_REQUEST_BODY = 1024 * 1024;

/** Handles one HTTP request. Never throws. */
export async function handle(
  state: Store,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const path = url.pathname;
  try {
    const body = await readBody(req);
    if (body === null) {
      res.writeHead(413, { "Content-Type": "application/json", Connection: "close" });
      res.end(
        JSON.stringify({
          code: "413",
          description: "Request body larger than 1 MiB.",
          data: [],
          source: "PartnerFD",
        }),
      );
      return;
    }
    if (path === "/_emulator" || path.startsWith("/_emulator/")) return admin(state, req, res, url, body);
    const token = /^\/[^/]+\/oauth2\/(v2\.0\/)?(token|devicecode)\/?$/i.exec(path);
    if (token && (token[2]!.toLowerCase() === "token" || token[1] !== undefined))
      return await tokenEndpoint(state, req, res, url, body, token[1] !== undefined, token[2]!.toLowerCase());
    return await api(state, req, res, url, body);
  } catch (e) {
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          code: "500",
          description: `Emulator error: ${String(e)}`,
          data: [],
          source: "PartnerFD",
        }),
      );
    } else res.destroy();
  }
}

export function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(tooBig ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function context(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  body: Buffer,
  aad: boolean,
): Ctx {
  return {
    req,
    res,
    method: (req.method ?? "GET").toUpperCase(),
    path: url.pathname,
    url,
    body,
    // The doc ("Base URLs and headers"): the service echoes MS-CorrelationId; we echo MS-RequestId too.
    requestId: header(req, "ms-requestid") ?? randomUUID(),
    correlationId: header(req, "ms-correlationid") ?? randomUUID(),
    locale: header(req, "x-locale") ?? "en-US",
    customerId: aad ? null : customerIdFromPath(url.pathname),
    started: Date.now(),
    entry: null,
    aad,
  };
}

// ---------------------------------------------------------------- Partner Center API

export async function api(
  state: Store,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  body: Buffer,
): Promise<void> {
  const ctx = context(req, res, url, body, false);
  const entry: RequestLogEntry = {
    seq: ++state.seq,
    time: new Date(ctx.started).toISOString(),
    method: ctx.method,
    path: ctx.path,
    query: url.search.replace(/^\?/, ""),
    status: null,
    requestId: ctx.requestId,
    correlationId: ctx.correlationId,
    customerId: ctx.customerId,
    fault: null,
    applied: false,
    replayed: false,
    durationMs: 0,
  };
  ctx.entry = entry;
  state.log.push(entry);
  if (state.log.length > state.requestLogLimit) state.log.splice(0, state.log.length - state.requestLogLimit);
  state.counters.requests++;

  const fault = state.faults.take(ctx.method, ctx.path, ctx.customerId, false, state.random);
  if (fault) {
    entry.fault = fault.kind;
    state.counters.faultsFired++;
  }
  if (fault?.kind === "reset") return destroy(ctx);
  await state.sleep(state.config.latencyMs);
  if (state.closing.signal.aborted) return destroy(ctx);

  const early = fault ? earlyFault(state, fault, ctx) : undefined;
  if (early) return send(state, ctx, early);
  const result = dispatch(state, ctx);
  return deliver(state, ctx, result, fault);
}

export function dispatch(state: Store, ctx: Ctx): ApiResult {
  if (isGraphPath(ctx.path)) return graphDispatch(state, ctx);
  const route = matchRoute(ctx.method, ctx.path);
  if (isResult(route)) return route;
  const { handler, params } = route;

  const denied = authenticate(state, ctx.req);
  if (denied) return denied;

  const t = state.config.throttle;
  if (t !== false) {
    const key = FixedWindowThrottle.key(t, state.partnerTenantId(), ctx.customerId);
    const d = state.throttle.take(key, t, Date.now(), state.random);
    if (!d.allowed) {
      state.counters.throttled++;
      return throttled(d.retryAfterSeconds);
    }
  }

  // Doc "Base URLs and headers": MS-RequestId is an idempotency key; a retry resends it.
  const idemKey =
    ctx.method === "PATCH" && state.config.replayRequestIds
      ? `${ctx.path.toLowerCase()}|${ctx.requestId}`
      : null;
  if (idemKey) {
    const first = state.idempotency.get(idemKey);
    if (first) {
      state.counters.replays++;
      if (ctx.entry) ctx.entry.replayed = true;
      return { ...first, applied: false };
    }
  }
  const result = handler(ctx, params, state);
  if (idemKey && result.status >= 200 && result.status < 300) state.idempotency.set(idemKey, result);
  if (result.applied) {
    state.counters.patchesApplied++;
    if (ctx.entry) ctx.entry.applied = true;
  }
  return result;
}

export async function tokenEndpoint(
  state: Store,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  body: Buffer,
  v2: boolean,
  kind = "token",
): Promise<void> {
  const ctx = context(req, res, url, body, true);
  state.counters.tokenRequests++;
  const fault = state.faults.take(ctx.method, ctx.path, null, true, state.random);
  if (fault) state.counters.faultsFired++;
  if (fault?.kind === "reset") return destroy(ctx);
  const early = fault ? earlyFault(state, fault, ctx) : undefined;
  if (early) return send(state, ctx, early);
  const result = kind === "devicecode" ? startDeviceCode(state, ctx) : issueToken(state, ctx, v2);
  return deliver(state, ctx, result, fault);
}

function customerIdFromPath(path: string): string | null {
  const m = /^\/v1\/customers\/([^/]+)/i.exec(path);
  if (!m || m[1]!.toLowerCase() === "relationshiprequests") return null;
  try {
    return decodeURIComponent(m[1]!).toLowerCase();
  } catch {
    return m[1]!.toLowerCase();
  }
}
