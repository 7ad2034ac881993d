/**
 * The emulator's one request pipeline, for every API it serves (apis.ts: Partner Center, the Entra token
 * endpoints, Microsoft Graph): the admin API (admin/routes.ts) apart, then the API that owns the path, the body
 * (413 over 1 MiB), and the steps of {@link PIPELINE} in order, each in the API's error style
 * (error-styles.ts); then the answer (respond.ts). `server.ts` listens and closes; the store is state.ts.
 *
 * Behaviour follows Microsoft's pages as docs/design/partner-center-contract.md sums them up ("the doc" below); where Microsoft documents
 * nothing, the choice made here is marked "emulator's choice".
 *
 * ## API routes (Authorization: Bearer <token> required; every answer carries MS-RequestId,
 * MS-CorrelationId (echoed, generated when absent), X-Locale and Content-Type: application/json)
 * - `POST /{tenant}/oauth2/token`, `POST /{tenant}/oauth2/v2.0/token`: refresh-token grant (doc "Authentication");
 *   on v2 also the device-code grant, started by `POST /{tenant}/oauth2/v2.0/devicecode` (device-codes.ts, routes/token.ts).
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
import { admin } from "./admin/routes";
import { apiFor, type Api } from "./apis";
import { authenticate } from "./auth";
import { context, type Ctx } from "./context";
import type { Fault } from "./faults";
import { deliver, destroy, send, writeError } from "./respond";
import type { ApiResult } from "./results";
import { matchRoute, type Handler } from "./router";
import type { Store } from "./state";
import { FixedWindowThrottle } from "./throttle";

const MAX_REQUEST_BODY = 1024 * 1024;

/** One request on its way through {@link PIPELINE}. */
export interface Pass {
  state: Store;
  api: Api;
  ctx: Ctx;
  fault?: Fault | undefined;
  route?: { handler: Handler; params: string[] };
}

/** What a step decides: go on (undefined), answer now, or drop the connection without an answer. */
export type StepOutcome = undefined | { answer: ApiResult } | "destroy";

export interface Step {
  name: string;
  run(p: Pass): StepOutcome | Promise<StepOutcome>;
}

/** The steps every API request takes, in order; the first that answers ends it. The README lists them. */
export const PIPELINE: readonly Step[] = [
  {
    // The request log and counters (the token endpoint counts its calls, and logs none).
    name: "record",
    run({ state, api, ctx }) {
      if (!api.logged) {
        state.counters.tokenRequests++;
        return undefined;
      }
      ctx.entry = {
        seq: ++state.seq,
        time: new Date(ctx.started).toISOString(),
        method: ctx.method,
        path: ctx.path,
        query: ctx.url.search.replace(/^\?/, ""),
        status: null,
        requestId: ctx.requestId,
        correlationId: ctx.correlationId,
        customerId: ctx.customerId,
        fault: null,
        applied: false,
        replayed: false,
        durationMs: 0,
      };
      state.log.push(ctx.entry);
      if (state.log.length > state.requestLogLimit)
        state.log.splice(0, state.log.length - state.requestLogLimit);
      state.counters.requests++;
      return undefined;
    },
  },
  {
    // The first pending fault that matches (faults.ts); `reset` drops the connection before anything happens.
    name: "fault",
    run(p) {
      const { state, api, ctx } = p;
      p.fault = state.faults.take(ctx.method, ctx.path, ctx.customerId, api.faultsByPathOnly, state.random);
      if (!p.fault) return undefined;
      if (ctx.entry) ctx.entry.fault = p.fault.kind;
      state.counters.faultsFired++;
      return p.fault.kind === "reset" ? "destroy" : undefined;
    },
  },
  {
    name: "latency",
    async run({ state, api }) {
      if (!api.logged) return undefined;
      await state.sleep(state.config.latencyMs);
      return state.closing.signal.aborted ? "destroy" : undefined;
    },
  },
  {
    // Faults that answer instead of the route, in the API's error style; nothing is applied.
    name: "earlyFault",
    run({ state, api, ctx, fault }) {
      const answer = fault && earlyFault(state, api, ctx, fault);
      return answer ? { answer } : undefined;
    },
  },
  {
    name: "route",
    run(p) {
      const m = matchRoute(p.api.routes, p.ctx.method, p.ctx.path);
      if ("handler" in m) {
        p.route = m;
        return undefined;
      }
      const style = p.api.style;
      return {
        answer:
          m.miss === "notFound" ? style.notFound(p.ctx) : style.notAllowed(p.ctx, m.allow, m.route.noun),
      };
    },
  },
  {
    name: "authenticate",
    run({ state, api, ctx }) {
      if (!api.auth) return undefined;
      const why = authenticate(state, ctx.req, api.auth.audience);
      return why ? { answer: api.style.unauthenticated(ctx, why) } : undefined;
    },
  },
  {
    name: "throttle",
    run({ state, api, ctx }) {
      const t = state.config.throttle;
      if (!api.throttled || t === false) return undefined;
      const key = FixedWindowThrottle.key(t, state.partnerTenantId(), ctx.customerId);
      const d = state.throttle.take(key, t, Date.now(), state.random);
      if (d.allowed) return undefined;
      state.counters.throttled++;
      return { answer: api.style.throttled(ctx, d.retryAfterSeconds) };
    },
  },
  {
    // Doc "Base URLs and headers": MS-RequestId is an idempotency key; a retry resends it (`replayRequestIds`).
    name: "replay",
    run({ state, api, ctx }) {
      const first = replayKey(state, api, ctx) && state.idempotency.get(replayKey(state, api, ctx)!);
      if (!first) return undefined;
      state.counters.replays++;
      if (ctx.entry) ctx.entry.replayed = true;
      return { answer: { ...first, applied: false } };
    },
  },
  {
    name: "handler",
    run({ state, api, ctx, route }) {
      const result = route!.handler(ctx, route!.params, state);
      const key = replayKey(state, api, ctx);
      if (key && result.status >= 200 && result.status < 300) state.idempotency.set(key, result);
      if (result.applied) {
        if (api.partnerCenterWrites) state.counters.patchesApplied++;
        if (ctx.entry) ctx.entry.applied = true;
      }
      return { answer: result };
    },
  },
];

/** Handles one HTTP request. Never throws. */
export async function handle(
  state: Store,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const path = url.pathname;
  const admin_ = path === "/_emulator" || path.startsWith("/_emulator/");
  const api = apiFor(path);
  try {
    const body = await readBody(req);
    if (body === null) {
      const r = api.style.error(bare(req, res, url), 413, undefined, "Request body larger than 1 MiB.");
      return writeError(res, r, { Connection: "close" });
    }
    if (admin_) return admin(state, req, res, url, body);
    const ctx = context(req, res, url, body, {
      customerId: api.customerId(path),
      headers: api.style.headers,
    });
    const p: Pass = { state, api, ctx };
    for (const step of PIPELINE) {
      const out = await step.run(p);
      if (out === "destroy") return destroy(ctx);
      if (out) {
        const answer = api.recased ? out.answer : { ...out.answer, raw: true };
        // Faults that answer early are final; the others act on the route's answer (respond.ts).
        return step.name === "earlyFault" ? send(state, ctx, answer) : deliver(state, ctx, answer, p.fault);
      }
    }
  } catch (e) {
    if (!res.headersSent && !res.destroyed)
      writeError(res, api.style.error(bare(req, res, url), 500, undefined, `Emulator error: ${String(e)}`));
    else res.destroy();
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

/** A context for an answer given before the body is read or after the pipeline failed. */
function bare(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Ctx {
  return context(req, res, url, Buffer.alloc(0), { customerId: null });
}

/** The idempotency-cache key of a Partner Center PATCH, when `replayRequestIds` is on. */
function replayKey(state: Store, api: Api, ctx: Ctx): string | null {
  return api.partnerCenterWrites && ctx.method === "PATCH" && state.config.replayRequestIds
    ? `${ctx.path.toLowerCase()}|${ctx.requestId}`
    : null;
}

/** Faults that answer before anything is applied, in the API's error style. */
function earlyFault(state: Store, api: Api, ctx: Ctx, fault: Fault): ApiResult | undefined {
  switch (fault.kind) {
    case "status": {
      const status = fault.status ?? 500;
      if (status === 429) {
        state.counters.throttled++;
        return api.style.throttled(ctx, fault.retryAfterSeconds);
      }
      const r = api.style.error(ctx, status, fault.code, fault.description);
      if (fault.retryAfterSeconds === undefined) return r;
      return { ...r, headers: { ...r.headers, "Retry-After": String(Math.ceil(fault.retryAfterSeconds)) } };
    }
    case "mfa":
      return api.style.mfaRequired(ctx, fault.description);
    case "throttle":
      state.counters.throttled++;
      return api.style.throttled(ctx, fault.retryAfterSeconds ?? 1);
    case "body":
      return { status: fault.status ?? 200, body: fault.body ?? null, raw: true };
    default:
      return undefined;
  }
}
