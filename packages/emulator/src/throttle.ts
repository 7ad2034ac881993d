/**
 * Fixed-window rate limiting, as Partner Center applies it (docs/design/partner-center-contract.md#throttling): a limit
 * of requests per window, counted per partner tenant or per partner and customer tenant, answered with
 * HTTP 429, a `Retry-After` header and a body that is NOT the Partner Center error schema.
 */

/** Throttle settings. */
export interface ThrottleConfig {
  /** Requests allowed per window and key. The customer and subscription pages say 500 a minute. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /**
   * `partnerAndCustomer`: one budget per partner and customer tenant (calls against one customer are
   * throttled while calls against others still pass; calls without a customer in the path share the
   * partner's budget). `partner`: one budget for the whole partner tenant.
   */
  scope: "partner" | "partnerAndCustomer";
  /**
   * Share (0..1) of requests answered 429 with `Retry-After: 1` whatever the budget, without using it up:
   * the throttling a partner's other tools (the portal, scripts, other pipelines) and the service's own
   * hiccups cause, which a client's own rate did not. Default 0. Drawn from the emulator's seeded generator.
   */
  noise?: number | undefined;
}

/** The realistic default: 500 requests a minute per partner and customer (docs/design/partner-center-contract.md#throttling). */
export const DEFAULT_THROTTLE: ThrottleConfig = Object.freeze({
  limit: 500,
  windowMs: 60_000,
  scope: "partnerAndCustomer",
});

/** Outcome of {@link FixedWindowThrottle.take}. */
export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** One fixed window per key, started by the key's first request. Rejected requests do not use up budget. */
export class FixedWindowThrottle {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** The budget key of a request under `config`. */
  static key(config: ThrottleConfig, partnerTenantId: string, customerId: string | null): string {
    return config.scope === "partnerAndCustomer" && customerId
      ? `${partnerTenantId}|${customerId}`
      : partnerTenantId;
  }

  /**
   * Counts one request against `key`, or says how long to wait (whole seconds, rounded up, at least 1).
   * `random` draws the stray 429s of `config.noise`.
   */
  take(
    key: string,
    config: ThrottleConfig,
    now: number = Date.now(),
    random: () => number = Math.random,
  ): ThrottleDecision {
    if (config.noise && random() < config.noise) return { allowed: false, retryAfterSeconds: 1 };
    let w = this.windows.get(key);
    if (!w || now >= w.start + config.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= config.limit) {
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((w.start + config.windowMs - now) / 1000)),
      };
    }
    w.count++;
    return { allowed: true };
  }

  /** Forgets every window. */
  reset(): void {
    this.windows.clear();
  }
}

/** Validates a throttle setting (a full or partial object {limit, windowMs, scope, noise} merged over `base`, or `false`). */
export function parseThrottle(
  value: unknown,
  base: ThrottleConfig = DEFAULT_THROTTLE,
): ThrottleConfig | false {
  if (value === false) return false;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("throttle must be false or an object {limit, windowMs, scope}");
  }
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (!["limit", "windowMs", "scope", "noise"].includes(k))
      throw new TypeError(`throttle.${k} is not a known property (limit, windowMs, scope, noise)`);
  }
  const limit = v.limit ?? base.limit;
  const windowMs = v.windowMs ?? base.windowMs;
  const scope = v.scope ?? base.scope;
  const noise = "noise" in v ? v.noise : base.noise;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1)
    throw new TypeError(`throttle.limit must be an integer >= 1, got ${String(limit)}`);
  if (typeof windowMs !== "number" || !Number.isFinite(windowMs) || windowMs < 1) {
    throw new TypeError(`throttle.windowMs must be a number >= 1, got ${String(windowMs)}`);
  }
  if (scope !== "partner" && scope !== "partnerAndCustomer") {
    throw new TypeError(
      `throttle.scope must be "partner" or "partnerAndCustomer", got ${JSON.stringify(scope)}`,
    );
  }
  if (noise !== undefined && (typeof noise !== "number" || !(noise >= 0 && noise <= 1)))
    throw new TypeError(`throttle.noise must be a number from 0 to 1, got ${String(noise)}`);
  return noise ? { limit, windowMs, scope, noise } : { limit, windowMs, scope };
}
