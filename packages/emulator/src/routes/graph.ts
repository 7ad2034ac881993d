/** GDAP: the Microsoft Graph routes, behind the same authentication and throttle as Partner Center's. */
import { authenticate } from "../auth";
import { graphError } from "../graph";
import { header, type ApiResult, type Ctx } from "../results";
import type { Store } from "../state";
import { FixedWindowThrottle } from "../throttle";

/**
 * GDAP: Microsoft Graph paths. The same authentication and throttle as Partner Center routes, but
 * Graph's error shape (`{"error":{"code","message","innerError"}}`), then graph.ts.
 */
export function graphDispatch(state: Store, ctx: Ctx): ApiResult {
  const denied = authenticate(state, ctx.req);
  if (denied) {
    const r = graphError(401, "InvalidAuthenticationToken", "Access token is empty or invalid.", undefined, {
      "WWW-Authenticate": "Bearer",
    });
    return { ...r, raw: true };
  }
  const t = state.config.throttle;
  if (t !== false) {
    const d = state.throttle.take(FixedWindowThrottle.key(t, state.partnerTenantId(), null), t);
    if (!d.allowed) {
      state.counters.throttled++;
      const wait = String(Math.max(1, Math.ceil(d.retryAfterSeconds ?? 1)));
      const r = graphError(429, "TooManyRequests", "Too many requests.", undefined, {
        "Retry-After": wait,
      });
      return { ...r, raw: true };
    }
  }
  const token = /^Bearer\s+(\S+)$/i.exec(header(ctx.req, "authorization") ?? "")?.[1];
  const r = state.gdap.handle(
    {
      method: ctx.method,
      path: ctx.path,
      query: ctx.url.searchParams,
      body: ctx.body,
      header: (name) => header(ctx.req, name),
      origin: `http://${ctx.req.headers.host ?? "127.0.0.1"}`,
    },
    token,
    token !== undefined && state.config.staticAccessTokens.includes(token),
  );
  if (r.applied && ctx.entry) ctx.entry.applied = true;
  return { status: r.status, body: r.body, headers: r.headers, raw: true, applied: r.applied ?? false };
}
