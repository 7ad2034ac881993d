/**
 * Emulator options: the ones fixed at start ({@link EmulatorOptions}) and the ones that can change at
 * run time ({@link RuntimeOptions}, through `configure()` or `PATCH /_emulator/config`).
 */
import type { Estate } from "./estate";
import { isGuid } from "./estate";
import { DEFAULT_THROTTLE, parseThrottle, type ThrottleConfig } from "./throttle";

/**
 * Property-name casing of API responses (docs/design/partner-center-contract.md#casing): `documented` answers each route in
 * the casing of Microsoft's own example (PascalCase for the relationship removal and the subscription PATCH,
 * camelCase for the rest); `camel` and `pascal` force one casing everywhere.
 */
export type Casing = "documented" | "camel" | "pascal";

/** Credentials the token endpoint insists on; each one left out accepts any value. */
export interface RequiredCredentials {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  refreshToken?: string | undefined;
}

/** Options that can also be changed while the emulator runs. */
export interface RuntimeOptions {
  /** Response property names: `documented` (default: as each route's documented example), `camel` or `pascal` everywhere. */
  casing?: Casing | undefined;
  /** Milliseconds added before each API response (not token or admin calls). Default 0. */
  latencyMs?: number | undefined;
  /** Rate limit, or `false` for none. Default 500 requests a minute per partner and customer. A partial object is merged over the current one. */
  throttle?: Partial<ThrottleConfig> | false | undefined;
  /** Lifetime of issued access tokens in seconds (fractions allowed, for tests). Default 3600. */
  tokenLifetimeSeconds?: number | undefined;
  /** Credentials the token endpoint requires. Default: any client id and any non-empty refresh token. */
  requireCredentials?: RequiredCredentials | undefined;
  /** Bearer tokens accepted without the token endpoint, for users who set an access token directly. */
  staticAccessTokens?: readonly string[] | undefined;
  /** Page size for every customer's subscriptions and entitlements; `null` (default): unpaged, as documented, unless a customer sets its own. */
  subscriptionPageSize?: number | null | undefined;
  /** Page size of `GET /v1/customers` (and the cap on its `size` parameter). Default 100. */
  customerPageSize?: number | undefined;
  /** What requests about a customer whose relationship was removed get: 404 code 1000 (default) or 403 code 20002. */
  removedCustomerStatus?: 404 | 403 | undefined;
  /** What requests about an estate tenant that never had a relationship get: 403 code 20002 (default) or 404 code 1000. */
  unrelatedCustomerStatus?: 404 | 403 | undefined;
  /** The partner tenant id in the invitation link and throttle keys; overrides the estate's. */
  partnerTenantId?: string | undefined;
  /** Seed of the generator behind fault `probability`. Default 1. */
  seed?: number | undefined;
  /**
   * Answer a PATCH whose MS-RequestId was already answered with 2xx on the same path from a replay of the
   * first answer, changing nothing. Default false: Microsoft documents MS-RequestId as an idempotency key but
   * not that a retried PATCH is answered from a replay, so clients must be right without it.
   */
  replayRequestIds?: boolean | undefined;
  /**
   * Seconds during which `GET /v1/customers/{id}` still shows the old relationship after a removal was applied
   * (Microsoft's removal sample waits "for changes to propagate"). Default 0: instant.
   */
  propagationDelaySeconds?: number | undefined;
  /** Lifetime of a device code, in seconds (`expires_in` of the device-code answer). Default 900, as documented. */
  deviceCodeExpiresSeconds?: number | undefined;
  /** Seconds between polls the device-code answer asks for (`interval`). Default 5; 0 in tests. */
  deviceCodeIntervalSeconds?: number | undefined;
}

/** Options of `startEmulator`. All optional. */
export interface EmulatorOptions extends RuntimeOptions {
  /** TCP port; default 0 (any free port: read `Emulator.url`). */
  port?: number | undefined;
  /** Listening address; default 127.0.0.1. Only loopback addresses unless `allowNonLoopback`. */
  host?: string | undefined;
  /** Allow a non-loopback `host`. The emulator has no real security: keep it on loopback. */
  allowNonLoopback?: boolean | undefined;
  /** The estate served; default `DEFAULT_ESTATE`. `reset()` returns to it. */
  estate?: Estate | undefined;
  /** Most request-log entries kept (oldest dropped first). Default 100000. */
  requestLogLimit?: number | undefined;
}

/** Every run-time setting, resolved. */
export interface EmulatorConfig {
  casing: Casing;
  latencyMs: number;
  throttle: ThrottleConfig | false;
  tokenLifetimeSeconds: number;
  requireCredentials: RequiredCredentials;
  staticAccessTokens: string[];
  subscriptionPageSize: number | null;
  customerPageSize: number;
  removedCustomerStatus: 404 | 403;
  unrelatedCustomerStatus: 404 | 403;
  partnerTenantId: string | null;
  seed: number;
  replayRequestIds: boolean;
  propagationDelaySeconds: number;
  deviceCodeExpiresSeconds: number;
  deviceCodeIntervalSeconds: number;
}

/** The defaults. */
export const DEFAULT_CONFIG: EmulatorConfig = Object.freeze({
  casing: "documented",
  latencyMs: 0,
  throttle: DEFAULT_THROTTLE,
  tokenLifetimeSeconds: 3600,
  requireCredentials: {},
  staticAccessTokens: [],
  subscriptionPageSize: null,
  customerPageSize: 100,
  removedCustomerStatus: 404,
  unrelatedCustomerStatus: 403,
  partnerTenantId: null,
  seed: 1,
  replayRequestIds: false,
  propagationDelaySeconds: 0,
  deviceCodeExpiresSeconds: 900,
  deviceCodeIntervalSeconds: 5,
}) as EmulatorConfig;

const RUNTIME_KEYS = Object.keys(DEFAULT_CONFIG);

/**
 * Merges `partial` (run-time options, e.g. from JSON) over `base`, validating each one.
 * @throws TypeError naming the bad option.
 */
export function mergeConfig(
  base: EmulatorConfig,
  partial: unknown,
  ignore: readonly string[] = [],
): EmulatorConfig {
  if (typeof partial !== "object" || partial === null || Array.isArray(partial))
    throw new TypeError("options must be an object");
  const p = partial as Record<string, unknown>;
  const out: EmulatorConfig = {
    ...base,
    requireCredentials: { ...base.requireCredentials },
    staticAccessTokens: [...base.staticAccessTokens],
  };
  for (const [k, v] of Object.entries(p)) {
    if (ignore.includes(k)) continue;
    if (!RUNTIME_KEYS.includes(k))
      throw new TypeError(`${k} is not a known option (${RUNTIME_KEYS.join(", ")})`);
    if (v === undefined) continue;
    const bad = (what: string): never => {
      throw new TypeError(`${k} must be ${what}, got ${JSON.stringify(v)}`);
    };
    const positiveInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x >= 1;
    switch (k) {
      case "casing":
        if (v !== "documented" && v !== "camel" && v !== "pascal") bad('"documented", "camel" or "pascal"');
        out.casing = v as Casing;
        break;
      case "latencyMs":
      case "propagationDelaySeconds":
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) bad("a number >= 0");
        out[k] = v as number;
        break;
      case "throttle":
        out.throttle = parseThrottle(v, base.throttle === false ? DEFAULT_THROTTLE : base.throttle);
        break;
      case "deviceCodeExpiresSeconds":
      case "deviceCodeIntervalSeconds":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0) bad("a whole number >= 0");
        out[k] = v as number;
        break;
      case "tokenLifetimeSeconds":
        if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) bad("a number > 0");
        out.tokenLifetimeSeconds = v as number;
        break;
      case "requireCredentials": {
        if (typeof v !== "object" || v === null || Array.isArray(v))
          bad("an object {clientId?, clientSecret?, refreshToken?}");
        const r: RequiredCredentials = {};
        for (const [ck, cv] of Object.entries(v as Record<string, unknown>)) {
          if (!["clientId", "clientSecret", "refreshToken"].includes(ck))
            throw new TypeError(`requireCredentials.${ck} is not a known property`);
          if (cv === undefined) continue;
          if (typeof cv !== "string" || cv === "")
            throw new TypeError(`requireCredentials.${ck} must be a non-empty string`);
          r[ck as keyof RequiredCredentials] = cv;
        }
        out.requireCredentials = r;
        break;
      }
      case "staticAccessTokens":
        if (!Array.isArray(v) || v.some((t) => typeof t !== "string" || t === ""))
          bad("an array of non-empty strings");
        out.staticAccessTokens = [...(v as string[])];
        break;
      case "subscriptionPageSize":
        if (v !== null && !positiveInt(v)) bad("null or an integer >= 1");
        out.subscriptionPageSize = v as number | null;
        break;
      case "customerPageSize":
        if (!positiveInt(v)) bad("an integer >= 1");
        out.customerPageSize = v as number;
        break;
      case "removedCustomerStatus":
      case "unrelatedCustomerStatus":
        if (v !== 404 && v !== 403) bad("404 or 403");
        out[k] = v as 404 | 403;
        break;
      case "partnerTenantId":
        if (v !== null && (typeof v !== "string" || !isGuid(v))) bad("a tenant GUID");
        out.partnerTenantId = v === null ? null : (v as string).toLowerCase();
        break;
      case "seed":
        if (typeof v !== "number" || !Number.isInteger(v)) bad("an integer");
        out.seed = v as number;
        break;
      case "replayRequestIds":
        if (typeof v !== "boolean") bad("true or false");
        out.replayRequestIds = v as boolean;
        break;
    }
  }
  return out;
}
