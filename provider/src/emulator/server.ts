/**
 * The Partner Center emulator's request handling: the token endpoint, the Partner Center API routes,
 * and the admin API. `index.ts` wraps it in a `node:http` server.
 *
 * Behaviour follows /work/shared/partner-center-api.md ("the doc" below); where Microsoft documents
 * nothing, the choice made here is marked "emulator's choice".
 *
 * ## API routes (Authorization: Bearer <token> required; every answer carries MS-RequestId,
 * MS-CorrelationId (echoed, generated when absent), X-Locale and Content-Type: application/json)
 * - `POST /{tenant}/oauth2/token`, `POST /{tenant}/oauth2/v2.0/token`: refresh-token grant (doc "Authentication").
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
import { randomBytes, randomUUID } from "node:crypto";
import { DEFAULT_CONFIG, mergeConfig, type EmulatorConfig } from "./config";
import {
  isGuid,
  isReservedInstanceType,
  newEtag,
  normaliseEstate,
  EstateValidationError,
  SUBSCRIPTION_STATUSES,
  type CustomerState,
  type EntitlementState,
  type EstateState,
  type SubscriptionState,
  type SubscriptionStatus,
} from "./estate";
import { disguise, FaultQueue, miscount, seededRandom, type Fault, type FaultKind } from "./faults";
import { FixedWindowThrottle } from "./throttle";
import { GraphGdap, graphError, isGraphPath } from "./graph"; // GDAP (issue 16)

/** One API request, as the emulator saw and answered it. */
export interface RequestLogEntry {
  /** Sequence number, from 1. */
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  /** Path as sent (no query string). */
  path: string;
  /** Query string without the `?` ("" when none). */
  query: string;
  /** HTTP status answered; null when the connection was destroyed without an answer. */
  status: number | null;
  /** MS-RequestId (the client's, or generated). */
  requestId: string;
  /** MS-CorrelationId (the client's, or generated). */
  correlationId: string;
  /** Customer tenant id from the path, lower case; null when none. */
  customerId: string | null;
  /** The scripted fault that hit this request, if any. */
  fault: FaultKind | null;
  /** True when this request changed state (a PATCH applied). */
  applied: boolean;
  /** True when this was a repeated MS-RequestId answered from the idempotency cache. */
  replayed: boolean;
  /** Milliseconds from arrival to the end of the answer (or the reset). */
  durationMs: number;
}

/** Counters since start or the last reset. */
export interface EmulatorCounters {
  /** API requests (token and admin calls excluded). */
  requests: number;
  /** API requests answered 429 (throttle and scripted 429s). */
  throttled: number;
  /** Calls to the token endpoint. */
  tokenRequests: number;
  /** Access tokens issued. */
  tokensIssued: number;
  /** PATCH requests that changed state (relationship removals plus subscription updates). */
  patchesApplied: number;
  relationshipsRemoved: number;
  subscriptionsUpdated: number;
  /** Repeated MS-RequestIds answered from the idempotency cache. */
  replays: number;
  /** Scripted faults that hit a request (token endpoint included). */
  faultsFired: number;
}

/** A snapshot of the emulator (a copy: changing it changes nothing). */
export interface EmulatorState {
  partnerTenantId: string;
  /** Every tenant of the estate, with its current relationship, subscriptions and entitlements. */
  customers: CustomerState[];
  counters: EmulatorCounters;
  /** Every access and refresh token issued and still known to the emulator (for leak checks in tests). */
  issuedTokens: string[];
  pendingFaults: { fault: Fault; remaining: number | null }[];
  config: EmulatorConfig;
}

interface ApiResult {
  status: number;
  body: unknown;
  /** The casing of this route's documented example, when it is not camelCase (casing `documented`). */
  documentedCasing?: "pascal";
  headers?: Record<string, string>;
  /** Changed state. */
  applied?: boolean;
  /** Body sent as is, without the casing switch (throttling body, Azure AD bodies). */
  raw?: boolean;
}

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  path: string;
  url: URL;
  body: Buffer;
  requestId: string;
  correlationId: string;
  locale: string;
  customerId: string | null;
  started: number;
  entry: RequestLogEntry | null;
  /** Azure AD answers (token endpoint) instead of Partner Center ones. */
  aad: boolean;
}

type Handler = (ctx: Ctx, params: string[]) => ApiResult;

const MAX_REQUEST_BODY = 1024 * 1024;
const DEFAULT_OVERSIZE = 20 * 1024 * 1024;

function zeroCounters(): EmulatorCounters {
  return {
    requests: 0,
    throttled: 0,
    tokenRequests: 0,
    tokensIssued: 0,
    patchesApplied: 0,
    relationshipsRemoved: 0,
    subscriptionsUpdated: 0,
    replays: 0,
    faultsFired: 0,
  };
}

/**
 * The Partner Center error body (doc "Errors"): `{code, description, data, source}`, `code` a string as the
 * error-codes page documents its type (https://learn.microsoft.com/partner-center/developer/error-codes).
 */
function pcError(
  status: number,
  code: number | string,
  description: string,
  headers?: Record<string, string>,
): ApiResult {
  const r: ApiResult = {
    status,
    body: { code: String(code), description, data: [], source: "PartnerFD" },
  };
  if (headers) r.headers = headers;
  return r;
}

/** The throttling answer (doc "Throttling"): NOT the error schema. */
function throttled(retryAfterSeconds: number | undefined): ApiResult {
  const n = retryAfterSeconds === undefined ? undefined : Math.max(0, Math.ceil(retryAfterSeconds));
  const r: ApiResult = {
    status: 429,
    raw: true,
    body: {
      statusCode: 429,
      message:
        n === undefined
          ? "Rate limit is exceeded. Try again later."
          : `Rate limit is exceeded. Try again in ${n} seconds.`,
    },
  };
  if (n !== undefined) r.headers = { "Retry-After": String(n) };
  return r;
}

function aadError(status: number, error: string, description: string): ApiResult {
  const now = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  return {
    status,
    raw: true,
    body: {
      error,
      error_description: `${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${now}`,
      error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
      timestamp: now,
    },
  };
}

function isResult(x: unknown): x is ApiResult {
  return (
    typeof x === "object" &&
    x !== null &&
    "body" in x &&
    typeof (x as { status?: unknown }).status === "number"
  );
}

/** Legacy subscriptions have an etag; new-commerce (OnlineServicesNCE, Software) and Azure ones have none. */
function hasEtag(s: SubscriptionState): boolean {
  return !["onlineservicesnce", "software", "azure"].includes(s.productType.id.toLowerCase());
}

/**
 * Issue 14. A reservation entitlement still live: not expired (`expiryDate`, "Get a collection of
 * entitlements") and some quantity not in an ended status. Only live ones hold up a removal.
 */
function isLiveReservation(e: EntitlementState, now: number): boolean {
  if (!isReservedInstanceType(e.entitlementType)) return false;
  if (Date.parse(e.expiryDate) <= now) return false;
  const ended = ["cancelled", "canceled", "expired", "deleted", "disabled", "suspended", "refunded"];
  return (
    e.quantityDetails.length === 0 || e.quantityDetails.some((q) => !ended.includes(q.status.toLowerCase()))
  );
}

/**
 * Issue 14. Why Partner Center would refuse to remove the relationship now, or null. Microsoft's rules ("Remove a
 * reseller relationship with a customer"; "How to remove a reseller relationship with a customer in Partner
 * Center"): open reserved instance orders cancelled (the observed text, missing space included), and no active
 * subscription, new commerce included (a suspended one would still bill, so it must be cancelled: an active
 * one is refused here like any other). Software entitlements (perpetual purchases) are not checked: the REST
 * page and sample do not, and the PATCH's answer to them is not documented.
 */
function removalRefusal(c: CustomerState, now: number): ApiResult | null {
  const riOrders = c.entitlements.filter((e) => isLiveReservation(e, now)).map((e) => e.referenceOrder.id);
  const activePlans = c.subscriptions.filter(
    (s) => s.status === "active" && s.productType.id.toLowerCase() === "azure" && s.billingType === "usage",
  );
  const orders = [...new Set([...riOrders, ...activePlans.map((s) => s.orderId)])];
  if (orders.length > 0) {
    return pcError(
      400,
      3000,
      `Customer relationship cannot be removed due to active Azure reserved instances.Please cancel the following orders: ${orders.join(", ")}`,
    );
  }
  const active = c.subscriptions.filter((s) => s.status === "active");
  if (active.length > 0) {
    return pcError(
      400,
      3000,
      `Customer relationship cannot be removed due to active subscriptions.Please suspend the following subscriptions: ${active.map((s) => s.id).join(", ")}`,
    );
  }
  return null;
}

/**
 * Issue 14. Whether a subscription may be cancelled (status `deleted`) now: new commerce and software
 * subscriptions only, inside their cancellation window ("Cancel a commercial marketplace or new commerce
 * subscription": after the window "the API will throw an error", 400 code 900117 in the error table).
 */
function cancellationRefusal(s: SubscriptionState, now: number): ApiResult | null {
  const until = s.cancellationAllowedUntilDate;
  const cancellable = ["onlineservicesnce", "software"].includes(s.productType.id.toLowerCase());
  if (cancellable && until !== null && Date.parse(until) >= now) return null;
  return pcError(
    400,
    900117,
    `Subscription ${s.id} cannot be cancelled: ${!cancellable || until === null ? "only new-commerce subscriptions can be cancelled, inside their cancellation window" : `its cancellation window ended at ${until}`}. Suspend it instead.`,
  );
}

function link(uri: string) {
  return { uri, method: "GET", headers: [] as unknown[] };
}

/** Deep property-name casing switch (doc "Casing"); values, enum values included, are untouched. */
export function recase(value: unknown, casing: "camel" | "pascal"): unknown {
  if (casing === "camel") return value;
  if (Array.isArray(value)) return value.map((v) => recase(v, casing));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k.charAt(0).toUpperCase() + k.slice(1)] = recase(v, casing);
    return out;
  }
  return value;
}

/** Reads a property whatever its casing: the .NET SDK sends PascalCase (doc "Casing"). */
function getCI(o: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : o[key];
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === "" ? undefined : s.trim();
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

function opaque(prefix: string): string {
  // Hex after a fixed prefix: never JWT-shaped, and obviously fake when it turns up in a log.
  return `${prefix}${randomBytes(24).toString("hex")}`;
}

function encodeContinuation(kind: string, scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ k: kind, s: scope, o: offset })).toString("base64url");
}

function decodeContinuation(token: string, kind: string, scope: string): number | null {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      k?: unknown;
      s?: unknown;
      o?: unknown;
    };
    if (v.k !== kind || v.s !== scope || typeof v.o !== "number" || !Number.isInteger(v.o) || v.o < 0)
      return null;
    return v.o;
  } catch {
    return null;
  }
}

/** The emulator's state and request handling; `index.ts` owns the HTTP server. */
export class EmulatorCore {
  private readonly startConfig: EmulatorConfig;
  private readonly startEstate: unknown;
  config: EmulatorConfig;
  private estate: EstateState;
  private log: RequestLogEntry[] = [];
  private seq = 0;
  private counters = zeroCounters();
  private readonly faults = new FaultQueue();
  private random: () => number;
  private readonly throttle = new FixedWindowThrottle();
  private readonly accessTokens = new Map<string, number>();
  private readonly refreshTokens = new Set<string>();
  private issued: string[] = [];
  private readonly idempotency = new Map<string, ApiResult>();
  /** Removed relationships still shown by GET until `until` (propagation), by customer id. */
  private readonly propagating = new Map<string, { until: number; relationship: string }>();
  private readonly closing = new AbortController();
  /** Pending delays, woken at once by {@link close}. */
  private readonly sleepers = new Set<() => void>();
  /** GDAP (issue 16): Microsoft Graph's delegated admin relationships (graph.ts). */
  readonly gdap = new GraphGdap(() => this.partnerTenantId());

  constructor(
    config: EmulatorConfig,
    estate: unknown,
    private readonly requestLogLimit = 100_000,
  ) {
    this.startConfig = config;
    this.config = config;
    this.startEstate = structuredClone(estate);
    this.estate = normaliseEstate(estate);
    this.random = seededRandom(config.seed);
  }

  // ---------------------------------------------------------------- programmatic admin API

  /** Replaces the estate (validated first: a bad estate changes nothing). */
  loadEstate(estate: unknown): void {
    this.estate = normaliseEstate(estate);
    this.idempotency.clear();
    this.propagating.clear();
  }

  /** A copy of the current state. */
  state(): EmulatorState {
    return structuredClone({
      partnerTenantId: this.partnerTenantId(),
      customers: this.estate.customers,
      counters: this.counters,
      issuedTokens: this.issued,
      pendingFaults: this.faults.pending(),
      config: this.config,
    });
  }

  /** A copy of the request log. */
  requests(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  clearRequests(): void {
    this.log = [];
  }

  addFault(fault: Fault | readonly Fault[]): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** The customer accepts the reseller invitation: its relationship becomes `reseller`. */
  acceptInvitation(customerId: string): void {
    const c = this.find(customerId);
    if (!c)
      throw new Error(
        `acceptInvitation: no tenant "${customerId}" in the estate; add it with loadEstate first`,
      );
    c.relationshipToPartner = "reseller";
    c.removedAt = null;
    this.propagating.delete(c.id);
  }

  /** Changes run-time options; invalid ones throw and change nothing. */
  configure(partial: unknown): EmulatorConfig {
    const next = mergeConfig(this.config, partial);
    if (next.seed !== this.config.seed) this.random = seededRandom(next.seed);
    if (JSON.stringify(next.throttle) !== JSON.stringify(this.config.throttle)) this.throttle.reset();
    this.config = next;
    return structuredClone(next);
  }

  /** Every issued access token expires now (static tokens excepted); returns how many. */
  expireTokens(): number {
    const n = this.accessTokens.size;
    for (const t of this.accessTokens.keys()) this.accessTokens.set(t, 0);
    return n;
  }

  /**
   * Back to the start: estate and options as given to `startEmulator`, request log, faults, counters,
   * throttle windows and idempotency cache cleared. Issued tokens stay valid, so a client's cached token
   * keeps working from one test to the next.
   */
  reset(): void {
    this.estate = normaliseEstate(this.startEstate);
    this.config = this.startConfig;
    this.random = seededRandom(this.config.seed);
    this.log = [];
    this.counters = zeroCounters();
    this.faults.clear();
    this.throttle.reset();
    this.idempotency.clear();
    this.propagating.clear();
    this.gdap.reset(); // GDAP (issue 16)
  }

  /** Aborts pending delays (latency, slow faults, streaming) so the server can close at once. */
  close(): void {
    this.closing.abort();
    for (const wake of [...this.sleepers]) wake();
  }

  // ---------------------------------------------------------------- HTTP entry point

  /** Handles one HTTP request. Never throws. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const path = url.pathname;
    try {
      const body = await this.readBody(req);
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
      if (path === "/_emulator" || path.startsWith("/_emulator/")) return this.admin(req, res, url, body);
      const token = /^\/[^/]+\/oauth2\/(v2\.0\/)?token\/?$/i.exec(path);
      if (token) return await this.tokenEndpoint(req, res, url, body, token[1] !== undefined);
      return await this.api(req, res, url, body);
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

  private readBody(req: http.IncomingMessage): Promise<Buffer | null> {
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

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closing.signal.aborted) return Promise.resolve();
    // One shared set of sleepers, not one abort listener per request on the shared `closing` signal: under
    // load that is hundreds of listeners on one EventTarget and a MaxListenersExceededWarning.
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private context(
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

  private async api(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    body: Buffer,
  ): Promise<void> {
    const ctx = this.context(req, res, url, body, false);
    const entry: RequestLogEntry = {
      seq: ++this.seq,
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
    this.log.push(entry);
    if (this.log.length > this.requestLogLimit) this.log.splice(0, this.log.length - this.requestLogLimit);
    this.counters.requests++;

    const fault = this.faults.take(ctx.method, ctx.path, ctx.customerId, false, this.random);
    if (fault) {
      entry.fault = fault.kind;
      this.counters.faultsFired++;
    }
    if (fault?.kind === "reset") return this.destroy(ctx);
    await this.sleep(this.config.latencyMs);
    if (this.closing.signal.aborted) return this.destroy(ctx);

    const early = fault ? this.earlyFault(fault, ctx) : undefined;
    if (early) return this.send(ctx, early);
    const result = this.dispatch(ctx);
    return this.deliver(ctx, result, fault);
  }

  /** Faults that answer before anything is applied. */
  private earlyFault(fault: Fault, ctx: Ctx): ApiResult | undefined {
    switch (fault.kind) {
      case "status": {
        const status = fault.status ?? 500;
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined)
          headers["Retry-After"] = String(Math.ceil(fault.retryAfterSeconds));
        if (status === 429) {
          const r = throttled(fault.retryAfterSeconds);
          this.counters.throttled++;
          return r;
        }
        if (ctx.aad) {
          const r = aadError(
            status,
            String(fault.code ?? "temporarily_unavailable"),
            fault.description ?? "AADSTS90033: Injected fault.",
          );
          r.headers = headers;
          return r;
        }
        return pcError(
          status,
          fault.code ?? status,
          fault.description ?? `Injected fault: HTTP ${status}.`,
          headers,
        );
      }
      case "mfa":
        if (ctx.aad) {
          return aadError(
            400,
            "interaction_required",
            fault.description ??
              "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
          );
        }
        // Doc "Authentication": App+User calls without MFA get 401 with code 900421 since 1 April 2026.
        return pcError(
          401,
          900421,
          fault.description ??
            "The access token was issued without multi-factor authentication (MFA). Partner Center requires MFA for App+User access: sign in again with MFA and get a new refresh token.",
          { "WWW-Authenticate": 'Bearer error="insufficient_claims"' },
        );
      case "throttle":
        this.counters.throttled++;
        return throttled(fault.retryAfterSeconds ?? 1);
      case "body":
        return { status: fault.status ?? 200, body: fault.body ?? null, raw: true };
      default:
        return undefined;
    }
  }

  /** Faults that act on the answer after the request was applied, then the answer itself. */
  private async deliver(ctx: Ctx, result: ApiResult, fault: Fault | undefined): Promise<void> {
    if (fault?.kind === "resetAfterApply") return this.destroy(ctx);
    if (!result.raw && result.status < 300) {
      if (fault?.kind === "disguise") result = { ...result, body: disguise(result.body, this.random) };
      if (fault?.kind === "inflateTotalCount" || fault?.kind === "duplicateItem")
        result = { ...result, body: miscount(result.body, fault.kind) };
    }
    if (fault?.kind === "slow") {
      await this.sleep(fault.delayMs ?? 1000);
      if (this.closing.signal.aborted) return this.destroy(ctx);
    }
    const json = this.serialize(result);
    if (fault?.kind === "malformedJson") {
      // Looks like JSON, is not: a trailing comma and an unquoted word.
      return this.send(ctx, result, `${json.slice(0, -1)}, unexpected: }`);
    }
    if (fault?.kind === "truncatedJson") {
      // Cut mid-document with correct framing (Content-Length of the cut body), as a faulty proxy would.
      return this.send(ctx, result, json.slice(0, Math.max(1, Math.floor(json.length / 2))));
    }
    if (fault?.kind === "oversizedBody")
      return this.stream(ctx, result, json, fault.sizeBytes ?? DEFAULT_OVERSIZE);
    return this.send(ctx, result, json);
  }

  /** The body as JSON, in the configured casing (`documented`: the casing of the route's documented example). */
  private serialize(result: ApiResult): string {
    if (result.raw) return JSON.stringify(result.body);
    const c = this.config.casing;
    return JSON.stringify(recase(result.body, c === "documented" ? (result.documentedCasing ?? "camel") : c));
  }

  private destroy(ctx: Ctx): void {
    if (ctx.entry) {
      ctx.entry.status = null;
      ctx.entry.durationMs = Date.now() - ctx.started;
    }
    ctx.req.socket.destroy();
  }

  private headersFor(ctx: Ctx, result: ApiResult, length: number): Record<string, string> {
    const h: Record<string, string> = ctx.aad
      ? {
          "Content-Type": "application/json; charset=utf-8",
          "Cache-Control": "no-store, no-cache",
          Pragma: "no-cache",
        }
      : {
          "Content-Type": "application/json",
          "MS-RequestId": ctx.requestId,
          "MS-CorrelationId": ctx.correlationId,
          "X-Locale": ctx.locale,
        };
    h["Content-Length"] = String(length);
    return { ...h, ...result.headers };
  }

  private send(ctx: Ctx, result: ApiResult, text?: string): void {
    // A 204 has no content and no Content-Length (RFC 9110 §8.6, §15.3.5): `""` with Content-Length 2 made
    // undici fail the read, and the client retry a DELETE that had been applied.
    const noContent = result.status === 204;
    const json = noContent ? "" : (text ?? this.serialize(result));
    if (ctx.entry) {
      ctx.entry.status = result.status;
      ctx.entry.durationMs = Date.now() - ctx.started;
    }
    if (ctx.res.destroyed) return;
    const headers = this.headersFor(ctx, result, Buffer.byteLength(json));
    if (noContent) delete headers["Content-Length"];
    ctx.res.writeHead(result.status, headers);
    ctx.res.end(json);
  }

  /** A valid JSON body of `size` bytes, written in chunks with back-pressure, never held whole in memory. */
  private async stream(ctx: Ctx, result: ApiResult, json: string, size: number): Promise<void> {
    const empty = json === "{}";
    const prefix = Buffer.from(`${json.slice(0, -1)}${empty ? "" : ","}"padding":"`);
    const suffix = Buffer.from('"}');
    const padding = Math.max(0, size - prefix.length - suffix.length);
    const res = ctx.res;
    if (ctx.entry) ctx.entry.status = result.status;
    if (res.destroyed) return;
    res.writeHead(result.status, this.headersFor(ctx, result, prefix.length + padding + suffix.length));
    res.write(prefix);
    const chunk = Buffer.alloc(64 * 1024, "x");
    let left = padding;
    while (left > 0 && !res.destroyed && !this.closing.signal.aborted) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.on("drain", done);
          res.on("close", done);
        });
      }
    }
    if (left > 0) {
      res.destroy();
      return;
    }
    res.end(suffix);
    if (ctx.entry) ctx.entry.durationMs = Date.now() - ctx.started;
  }

  private static readonly routes: { re: RegExp; methods: Record<string, keyof EmulatorCore> }[] = [
    { re: /^\/v1\/customers\/?$/i, methods: { GET: "listCustomers" } },
    // Before /v1/customers/{id}: "relationshiprequests" is not a customer id.
    { re: /^\/v1\/customers\/relationshiprequests\/?$/i, methods: { GET: "relationshipRequest" } },
    { re: /^\/v1\/customers\/([^/]+)\/?$/i, methods: { GET: "getCustomer", PATCH: "patchCustomer" } },
    { re: /^\/v1\/customers\/([^/]+)\/subscriptions\/?$/i, methods: { GET: "listSubscriptions" } },
    {
      re: /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/azureentitlements\/?$/i,
      methods: { GET: "listAzureEntitlements" },
    },
    {
      re: /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/?$/i,
      methods: { GET: "getSubscription", PATCH: "patchSubscription" },
    },
    { re: /^\/v1\/customers\/([^/]+)\/entitlements\/?$/i, methods: { GET: "listEntitlements" } },
  ];

  private dispatch(ctx: Ctx): ApiResult {
    if (isGraphPath(ctx.path)) return this.graphDispatch(ctx); // GDAP (issue 16)
    let handler: Handler | undefined;
    let params: string[] = [];
    for (const r of EmulatorCore.routes) {
      const m = r.re.exec(ctx.path);
      if (!m) continue;
      const name = r.methods[ctx.method];
      if (!name) {
        return pcError(405, 405, `${ctx.method} is not supported on ${ctx.path}.`, {
          Allow: Object.keys(r.methods).join(", "),
        });
      }
      handler = (this[name] as unknown as Handler).bind(this);
      params = m.slice(1).map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          return p;
        }
      });
      break;
    }
    if (!handler) return pcError(404, 1000, `Resource not found: no route for ${ctx.method} ${ctx.path}.`);

    const denied = this.authenticate(ctx.req);
    if (denied) return denied;

    const t = this.config.throttle;
    if (t !== false) {
      const key = FixedWindowThrottle.key(t, this.partnerTenantId(), ctx.customerId);
      const d = this.throttle.take(key, t, Date.now(), this.random);
      if (!d.allowed) {
        this.counters.throttled++;
        return throttled(d.retryAfterSeconds);
      }
    }

    // Doc "Base URLs and headers": MS-RequestId is an idempotency key; a retry resends it.
    const idemKey =
      ctx.method === "PATCH" && this.config.replayRequestIds
        ? `${ctx.path.toLowerCase()}|${ctx.requestId}`
        : null;
    if (idemKey) {
      const first = this.idempotency.get(idemKey);
      if (first) {
        this.counters.replays++;
        if (ctx.entry) ctx.entry.replayed = true;
        return { ...first, applied: false };
      }
    }
    const result = handler(ctx, params);
    if (idemKey && result.status >= 200 && result.status < 300) this.idempotency.set(idemKey, result);
    if (result.applied) {
      this.counters.patchesApplied++;
      if (ctx.entry) ctx.entry.applied = true;
    }
    return result;
  }

  /**
   * GDAP (issue 16): Microsoft Graph paths. The same authentication and throttle as Partner Center routes, but
   * Graph's error shape (`{"error":{"code","message","innerError"}}`), then graph.ts.
   */
  private graphDispatch(ctx: Ctx): ApiResult {
    const denied = this.authenticate(ctx.req);
    if (denied) {
      const r = graphError(
        401,
        "InvalidAuthenticationToken",
        "Access token is empty or invalid.",
        undefined,
        {
          "WWW-Authenticate": "Bearer",
        },
      );
      return { ...r, raw: true };
    }
    const t = this.config.throttle;
    if (t !== false) {
      const d = this.throttle.take(FixedWindowThrottle.key(t, this.partnerTenantId(), null), t);
      if (!d.allowed) {
        this.counters.throttled++;
        const wait = String(Math.max(1, Math.ceil(d.retryAfterSeconds ?? 1)));
        const r = graphError(429, "TooManyRequests", "Too many requests.", undefined, {
          "Retry-After": wait,
        });
        return { ...r, raw: true };
      }
    }
    const token = /^Bearer\s+(\S+)$/i.exec(header(ctx.req, "authorization") ?? "")?.[1];
    const r = this.gdap.handle(
      {
        method: ctx.method,
        path: ctx.path,
        query: ctx.url.searchParams,
        body: ctx.body,
        header: (name) => header(ctx.req, name),
        origin: `http://${ctx.req.headers.host ?? "127.0.0.1"}`,
      },
      token,
      token !== undefined && this.config.staticAccessTokens.includes(token),
    );
    if (r.applied && ctx.entry) ctx.entry.applied = true;
    return { status: r.status, body: r.body, headers: r.headers, raw: true, applied: r.applied ?? false };
  }

  private authenticate(req: http.IncomingMessage): ApiResult | null {
    const wa = { "WWW-Authenticate": "Bearer" };
    const h = header(req, "authorization");
    if (!h)
      return pcError(401, 400, "Access denied: send an Authorization: Bearer <access token> header.", wa);
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) return pcError(401, 400, "Access denied: the Authorization header must be a Bearer token.", wa);
    const token = m[1]!;
    if (this.config.staticAccessTokens.includes(token)) return null;
    const exp = this.accessTokens.get(token);
    if (exp === undefined) return pcError(401, 400, "Access denied: the access token is not valid.", wa);
    if (exp <= Date.now()) return pcError(401, 400, "Access denied: the access token has expired.", wa);
    return null;
  }

  // ---------------------------------------------------------------- token endpoint (Azure AD)

  private async tokenEndpoint(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    body: Buffer,
    v2: boolean,
  ): Promise<void> {
    const ctx = this.context(req, res, url, body, true);
    this.counters.tokenRequests++;
    const fault = this.faults.take(ctx.method, ctx.path, null, true, this.random);
    if (fault) this.counters.faultsFired++;
    if (fault?.kind === "reset") return this.destroy(ctx);
    const early = fault ? this.earlyFault(fault, ctx) : undefined;
    if (early) return this.send(ctx, early);
    return this.deliver(ctx, this.issueToken(ctx, v2), fault);
  }

  /** Refresh-token grant (doc "Authentication"; Azure AD error shape, not Partner Center's). */
  private issueToken(ctx: Ctx, v2: boolean): ApiResult {
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
    const need = this.config.requireCredentials;
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
    if (
      need.refreshToken !== undefined &&
      refresh !== need.refreshToken &&
      !this.refreshTokens.has(refresh)
    ) {
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
    const lifetime = this.config.tokenLifetimeSeconds;
    const access = opaque("pcemu-at-");
    const rotated = opaque("pcemu-rt-");
    const now = Date.now();
    this.accessTokens.set(access, now + lifetime * 1000);
    if (graph) this.gdap.graphTokens.add(access); // GDAP (issue 16): Graph routes accept only these
    this.refreshTokens.add(rotated);
    this.issued.push(access, rotated);
    this.counters.tokensIssued++;
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

  // ---------------------------------------------------------------- estate helpers

  private partnerTenantId(): string {
    return this.config.partnerTenantId ?? this.estate.partnerTenantId;
  }

  private find(id: string): CustomerState | undefined {
    const k = id.toLowerCase();
    return this.estate.customers.find((c) => c.id === k);
  }

  /** The customer if the partner has a relationship with it, else the error Partner Center answers. */
  private related(id: string): CustomerState | ApiResult {
    if (!isGuid(id)) return pcError(400, 3000, `The customer tenant id '${id}' is not a GUID.`);
    const c = this.find(id);
    if (!c) return pcError(404, 60003, `Tenant ${id.toLowerCase()} was not found.`);
    if (c.relationshipToPartner.toLowerCase() !== "none") return c;
    const status = c.removedAt ? this.config.removedCustomerStatus : this.config.unrelatedCustomerStatus;
    return status === 404
      ? pcError(404, 1000, `Customer ${c.id} was not found: it is not a customer of this partner.`)
      : pcError(403, 20002, `There is no relationship between the partner and the customer ${c.id}.`);
  }

  private subscription(c: CustomerState, sid: string): SubscriptionState | ApiResult {
    const s = c.subscriptions.find((x) => x.id.toLowerCase() === sid.toLowerCase());
    return s ?? pcError(404, 20003, `Subscription ${sid} was not found for customer ${c.id}.`);
  }

  private parseBody(ctx: Ctx): { error: ApiResult } | { value: Record<string, unknown> } {
    const text = ctx.body.toString("utf8").trim();
    if (!text)
      return { error: pcError(400, 3000, "The request body is empty: a JSON resource is required.") };
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return { error: pcError(400, 3000, "The request body is not valid JSON.") };
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      return { error: pcError(400, 3000, "The request body must be a JSON object.") };
    }
    return { value: v as Record<string, unknown> };
  }

  /** One page of `all`, `links.next` carrying the MS-ContinuationToken (doc "Paging"). */
  private page<T>(
    ctx: Ctx,
    all: T[],
    size: number | null,
    kind: string,
    scope: string,
    selfUri: string,
    nextUri: string,
  ): ApiResult {
    let offset = 0;
    const token = header(ctx.req, "ms-continuationtoken");
    if (token !== undefined) {
      const o = decodeContinuation(token, kind, scope);
      if (o === null)
        return pcError(400, 3000, "The MS-ContinuationToken header is not valid for this collection.");
      offset = o;
    }
    const items = size === null ? all.slice(offset) : all.slice(offset, offset + size);
    const links: Record<string, unknown> = { self: link(selfUri) };
    if (size !== null && offset + size < all.length) {
      links.next = {
        uri: nextUri,
        method: "GET",
        headers: [{ key: "MS-ContinuationToken", value: encodeContinuation(kind, scope, offset + size) }],
      };
    }
    return {
      status: 200,
      body: { totalCount: items.length, items, links, attributes: { objectType: "Collection" } },
    };
  }

  private customerResource(c: CustomerState): Record<string, unknown> {
    return {
      id: c.id,
      commerceId: c.commerceId,
      companyProfile: {
        tenantId: c.id,
        domain: c.domain,
        companyName: c.companyName,
        address: {
          country: "US",
          region: "WA",
          city: "Redmond",
          addressLine1: "1 Microsoft Way",
          postalCode: "98052",
          phoneNumber: "4255550100",
        },
        email: `admin@${c.domain}`,
        links: { self: link(`/customers/${c.id}/profiles/company`) },
        attributes: { objectType: "CustomerCompanyProfile" },
      },
      billingProfile: {
        id: c.commerceId.replace(/^(.{8})/, "b0000000"),
        firstName: "Billing",
        lastName: "Admin",
        email: `billing@${c.domain}`,
        culture: "EN-US",
        language: "En",
        companyName: c.companyName,
        defaultAddress: {
          country: "US",
          city: "Redmond",
          state: "WA",
          addressLine1: "1 Microsoft Way",
          postalCode: "98052",
          firstName: "Billing",
          lastName: "Admin",
          phoneNumber: "4255550100",
        },
        links: { self: link(`/customers/${c.id}/profiles/billing`) },
        attributes: { etag: c.commerceId.slice(0, 8), objectType: "CustomerBillingProfile" },
      },
      relationshipToPartner: c.relationshipToPartner,
      allowDelegatedAccess: c.allowDelegatedAccess,
      customDomains: [c.domain],
      links: { self: link(`/customers/${c.id}`) },
      attributes: { objectType: "Customer" },
    };
  }

  private subscriptionResource(c: CustomerState, s: SubscriptionState): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: s.id,
      offerId: s.offerId,
      offerName: s.offerName,
      friendlyName: s.friendlyName,
      quantity: s.quantity,
      unitType: s.unitType,
      hasPurchasableAddons: false,
      creationDate: s.creationDate,
      effectiveStartDate: s.effectiveStartDate,
      commitmentEndDate: s.commitmentEndDate,
      status: s.status,
      autoRenewEnabled: s.autoRenewEnabled,
      isTrial: false,
      billingType: s.billingType,
      billingCycle: "monthly",
      contractType: "subscription",
      productType: { ...s.productType },
      orderId: s.orderId,
      publisherName: "Microsoft Corporation",
    };
    if (s.termDuration !== null) out.termDuration = s.termDuration;
    if (s.cancellationAllowedUntilDate !== null)
      out.cancellationAllowedUntilDate = s.cancellationAllowedUntilDate;
    if (s.status === "suspended") out.suspensionReasons = ["CustomerCancellation"];
    const self = link(`/customers/${c.id}/subscriptions/${s.id}`);
    if (hasEtag(s)) {
      // Legacy: the fields of the "Get a customer's subscriptions" and "Suspend a subscription" examples.
      out.entitlementId = s.orderId.replace(/^(.{8})/, "e0000000");
      out.parentSubscriptionId = null;
      out.partnerId = null;
      out.links = {
        offer: link(`/v1/offers/${s.offerId}`),
        entitlement: link(`/customers/${c.id}/entitlements?subscriptionId=${s.id}`),
        self,
      };
    } else {
      // New commerce: the fields of the new-commerce examples ("Change the quantity of a subscription").
      const [product = s.offerId, sku = "0001", availability = sku] = s.offerId.split(":");
      const window = s.cancellationAllowedUntilDate;
      out.renewalTermDuration = "";
      out.refundOptions =
        window !== null && Date.parse(window) > Date.now() ? [{ type: "Full", expiresAt: window }] : [];
      out.isMicrosoftProduct = true;
      out.partnerId = "";
      out.attentionNeeded = false;
      out.actionTaken = false;
      out.links = {
        product: link(`/products/${product}?country=US`),
        sku: link(`/products/${product}/skus/${sku}?country=US`),
        availability: link(`/products/${product}/skus/${sku}/availabilities/${availability}?country=US`),
        self,
      };
    }
    // Only in attributes, and only for legacy subscriptions (see the file comment).
    out.attributes = hasEtag(s)
      ? { etag: s.etag, objectType: "Subscription" }
      : { objectType: "Subscription" };
    return out;
  }

  // ---------------------------------------------------------------- route handlers

  listCustomers(ctx: Ctx): ApiResult {
    const cap = this.config.customerPageSize;
    const raw = ctx.url.searchParams.get("size");
    let size = cap;
    if (raw !== null) {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1)
        return pcError(400, 3000, `The size parameter must be a positive integer, got '${raw}'.`);
      size = Math.min(n, cap);
    }
    // Doc "Preconditions": a removed customer disappears from the partner's customer list.
    const related = this.estate.customers.filter((c) => c.relationshipToPartner.toLowerCase() !== "none");
    return this.page(
      ctx,
      related.map((c) => this.customerResource(c)),
      size,
      "customers",
      this.partnerTenantId(),
      `/v1/customers?size=${size}`,
      `/v1/customers?size=${size}`,
    );
  }

  relationshipRequest(ctx: Ctx): ApiResult {
    const indirect =
      ctx.url.searchParams.get("indirectResellerId") ?? ctx.url.searchParams.get("indirectresellerid");
    if (indirect !== null && !isGuid(indirect))
      return pcError(400, 3000, `indirectResellerId must be a tenant GUID, got '${indirect}'.`);
    const extra = indirect ? `&indirectCSPId=${indirect.toLowerCase()}` : "";
    return {
      status: 200,
      body: {
        url: `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${this.partnerTenantId()}&msppId=0&DAP=false${extra}#/BillingAccounts/partner-invitation`,
        attributes: { objectType: "RelationshipRequest" },
      },
    };
  }

  getCustomer(_ctx: Ctx, [id]: string[]): ApiResult {
    // Propagation: a removal applied moments ago may not show yet.
    const p = isGuid(id!) ? this.propagating.get(id!.toLowerCase()) : undefined;
    const found = p && p.until > Date.now() ? this.find(id!) : undefined;
    if (found)
      return {
        status: 200,
        body: this.customerResource({ ...found, relationshipToPartner: p!.relationship }),
      };
    const c = this.related(id!);
    return isResult(c) ? c : { status: 200, body: this.customerResource(c) };
  }

  /** Remove the reseller relationship (seed: remove-a-reseller-relationship). */
  patchCustomer(ctx: Ctx, [id]: string[]): ApiResult {
    const parsed = this.parseBody(ctx);
    if ("error" in parsed) return parsed.error;
    const b = parsed.value;
    const rel = getCI(b, "relationshipToPartner");
    if (typeof rel !== "string" || rel.toLowerCase() !== "none") {
      return pcError(
        400,
        3000,
        `Invalid property relationshipToPartner: only "none" (remove the reseller relationship) can be set, got ${JSON.stringify(rel ?? null)}.`,
      );
    }
    for (const [k, v] of Object.entries(b)) {
      const key = k.toLowerCase();
      if (key === "relationshiptopartner") continue;
      if (key === "attributes") {
        if (v === null) continue;
        const ot =
          typeof v === "object" && !Array.isArray(v)
            ? getCI(v as Record<string, unknown>, "objectType")
            : "bad";
        if (ot !== undefined && ot !== null && String(ot).toLowerCase() !== "customer") {
          return pcError(
            400,
            3000,
            `Invalid property attributes.objectType: expected "Customer", got ${JSON.stringify(ot)}.`,
          );
        }
        continue;
      }
      // The .NET SDK sends the whole Customer with nulls; an id equal to the path's is harmless.
      if (v === null || (key === "id" && typeof v === "string" && v.toLowerCase() === id!.toLowerCase()))
        continue;
      return pcError(
        400,
        3000,
        `Invalid property ${k}: only relationshipToPartner can be changed by this request.`,
      );
    }
    if (!isGuid(id!)) return pcError(400, 3000, `The customer tenant id '${id}' is not a GUID.`);
    const c = this.find(id!);
    if (!c) return pcError(404, 60003, `Tenant ${id!.toLowerCase()} was not found.`);
    if (c.relationshipToPartner.toLowerCase() === "none") {
      return pcError(400, 3000, "The relationship between the partner and customer does not exist.");
    }
    const refused = removalRefusal(c, Date.now());
    if (refused) return refused;
    const delay = this.config.propagationDelaySeconds;
    if (delay > 0) {
      this.propagating.set(c.id, { until: Date.now() + delay * 1000, relationship: c.relationshipToPartner });
    }
    c.relationshipToPartner = "none";
    c.removedAt = new Date().toISOString();
    this.counters.relationshipsRemoved++;
    return {
      status: 200,
      applied: true,
      // Exactly the seed's example response, PascalCase as documented.
      documentedCasing: "pascal",
      body: {
        id: null,
        commerceId: null,
        companyProfile: null,
        billingProfile: null,
        relationshipToPartner: "none",
        allowDelegatedAccess: null,
        userCredentials: null,
        customDomains: null,
        associatedPartnerId: null,
        attributes: { objectType: "Customer" },
      },
    };
  }

  listSubscriptions(ctx: Ctx, [id]: string[]): ApiResult {
    const c = this.related(id!);
    if (isResult(c)) return c;
    const base = `/v1/customers/${c.id}/subscriptions`;
    // Doc "Paging": none documented for subscriptions; paged only when configured.
    const size = c.subscriptionPageSize ?? this.config.subscriptionPageSize;
    const items = c.subscriptions.map((s) => this.subscriptionResource(c, s));
    return this.page(ctx, items, size, "subscriptions", c.id, base, base);
  }

  getSubscription(_ctx: Ctx, [id, sid]: string[]): ApiResult {
    const c = this.related(id!);
    if (isResult(c)) return c;
    const s = this.subscription(c, sid!);
    return isResult(s) ? s : { status: 200, body: this.subscriptionResource(c, s) };
  }

  /**
   * Suspend, reactivate or cancel a subscription ("Suspend a subscription": PATCH with the full resource).
   * If-Match is optional; a stale one is 400 code 2055 (see the file comment).
   */
  patchSubscription(ctx: Ctx, [id, sid]: string[]): ApiResult {
    const c = this.related(id!);
    if (isResult(c)) return c;
    const s = this.subscription(c, sid!);
    if (isResult(s)) return s;
    const ifMatch = header(ctx.req, "if-match");
    if (ifMatch !== undefined && ifMatch !== "*" && hasEtag(s)) {
      const tag = ifMatch.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
      if (tag !== s.etag) return pcError(400, 2055, "Etag is no longer valid");
    }
    const parsed = this.parseBody(ctx);
    if ("error" in parsed) return parsed.error;
    const b = parsed.value;

    const rawStatus = getCI(b, "status");
    let target: SubscriptionStatus = s.status;
    if (rawStatus !== undefined && rawStatus !== null) {
      const t =
        typeof rawStatus === "string"
          ? SUBSCRIPTION_STATUSES.find((x) => x === rawStatus.toLowerCase())
          : undefined;
      if (!t)
        return pcError(
          400,
          3000,
          `Invalid property status: ${JSON.stringify(rawStatus)} is not a subscription status (${SUBSCRIPTION_STATUSES.join(", ")}).`,
        );
      target = t;
    }
    const friendlyName = getCI(b, "friendlyName");
    const quantity = getCI(b, "quantity");
    const autoRenew = getCI(b, "autoRenewEnabled");
    if (
      friendlyName !== undefined &&
      friendlyName !== null &&
      (typeof friendlyName !== "string" || friendlyName === "")
    ) {
      return pcError(400, 3000, "Invalid property friendlyName: must be a non-empty string.");
    }
    if (
      quantity !== undefined &&
      quantity !== null &&
      (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1)
    ) {
      return pcError(400, 3000, "Invalid property quantity: must be a positive integer.");
    }
    if (autoRenew !== undefined && autoRenew !== null && typeof autoRenew !== "boolean") {
      return pcError(400, 3000, "Invalid property autoRenewEnabled: must be true or false.");
    }

    if (target !== s.status || ["deleted", "expired", "disabled", "none"].includes(s.status)) {
      const refused = this.transitionError(c, s, target);
      if (refused) return refused;
    }
    let changed = false;
    if (target !== s.status) {
      s.status = target;
      changed = true;
    }
    if (typeof friendlyName === "string" && friendlyName !== s.friendlyName) {
      s.friendlyName = friendlyName;
      changed = true;
    }
    if (typeof quantity === "number" && quantity !== s.quantity) {
      s.quantity = quantity;
      changed = true;
    }
    if (typeof autoRenew === "boolean" && autoRenew !== s.autoRenewEnabled) {
      s.autoRenewEnabled = autoRenew;
      changed = true;
    }
    if (changed) {
      s.etag = newEtag();
      this.counters.subscriptionsUpdated++;
    }
    // The suspend example's answer is PascalCase.
    return {
      status: 200,
      applied: changed,
      documentedCasing: "pascal",
      body: this.subscriptionResource(c, s),
    };
  }

  private transitionError(
    c: CustomerState,
    s: SubscriptionState,
    target: SubscriptionStatus,
  ): ApiResult | null {
    const cannot = () =>
      pcError(400, 800091, `Subscription status cannot be changed from ${s.status} to ${target}.`);
    if (["deleted", "expired", "disabled", "none", "pending"].includes(s.status)) return cannot();
    if (target === "suspended") {
      if (s.productType.id.toLowerCase() === "azure") {
        const active = (c.azureEntitlements[s.id.toLowerCase()] ?? []).filter(
          (a) => a.status.toLowerCase() === "active",
        );
        if (active.length > 0) {
          // Doc "Preconditions": the Azure subscriptions must be cancelled before the plan is suspended.
          return pcError(
            403,
            900115,
            `The Azure plan cannot be suspended while it has active Azure subscriptions: ${active.map((a) => a.id).join(", ")}. Cancel them in the Azure portal first.`,
          );
        }
      }
      return null;
    }
    if (target === "active") return null; // reactivating a suspended subscription
    if (target === "deleted") return cancellationRefusal(s, Date.now());
    return cannot();
  }

  listAzureEntitlements(_ctx: Ctx, [id, sid]: string[]): ApiResult {
    const c = this.related(id!);
    if (isResult(c)) return c;
    const s = this.subscription(c, sid!);
    if (isResult(s)) return s;
    const items = (c.azureEntitlements[s.id.toLowerCase()] ?? []).map((a) => ({ ...a }));
    return {
      status: 200,
      body: { totalCount: items.length, items, attributes: { objectType: "Collection" } },
    };
  }

  listEntitlements(ctx: Ctx, [id]: string[]): ApiResult {
    const c = this.related(id!);
    if (isResult(c)) return c;
    const q = ctx.url.searchParams;
    const type = q.get("entitlementType");
    const showExpiry = (q.get("showExpiry") ?? "").toLowerCase() === "true";
    const items = c.entitlements
      .filter((e) => type === null || e.entitlementType.toLowerCase() === type.toLowerCase())
      .map((e) => {
        const out: Record<string, unknown> = {
          includedEntitlements: [],
          referenceOrder: { ...e.referenceOrder },
          productId: e.productId,
          quantity: e.quantity,
          quantityDetails: e.quantityDetails.map((d) => ({ ...d })),
          skuId: e.skuId,
          // Each artifact with its link and resource id, as in "Get a collection of entitlements".
          entitledArtifacts: e.entitledArtifacts.map((a, i) => {
            const resourceId = a.resourceId ?? `${e.referenceOrder.id}-${i}`;
            return {
              link: link(
                `/customers/${c.id}/artifacts/${a.artifactType}/groups/${e.referenceOrder.id}/lineitems/${e.referenceOrder.lineItemId}/resource/${resourceId}`,
              ),
              resourceId,
              ...structuredClone(a),
            };
          }),
          entitlementType: e.entitlementType,
          fulfillmentState: e.fulfillmentState,
        };
        // The example carries the reservation type on the entitlement itself.
        const dyn = e.entitledArtifacts.find((a) => a.dynamicAttributes)?.dynamicAttributes;
        if (isReservedInstanceType(e.entitlementType)) {
          out.dynamicAttributes = { reservationType: "virtualmachines", ...dyn };
        }
        if (showExpiry) out.expiryDate = e.expiryDate;
        return out;
      });
    const keep = new URLSearchParams();
    if (type !== null) keep.set("entitlementType", type);
    if (showExpiry) keep.set("showExpiry", "true");
    const uri = `/v1/customers/${c.id}/entitlements${keep.size ? `?${keep.toString()}` : ""}`;
    const size = c.entitlementPageSize ?? this.config.subscriptionPageSize;
    return this.page(ctx, items, size, "entitlements", `${c.id}|${type ?? ""}`, uri, uri);
  }

  // ---------------------------------------------------------------- admin API

  private admin(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer): void {
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/\/+$/, "");
    const reply = (status: number, value?: unknown) => {
      const text = value === undefined ? "" : JSON.stringify(value, null, 2);
      res.writeHead(status, {
        "Content-Type": "application/json",
        "Content-Length": String(Buffer.byteLength(text)),
      });
      res.end(text);
    };
    const json = (): unknown => {
      const t = body.toString("utf8").trim();
      if (!t) throw new TypeError("a JSON body is required");
      try {
        return JSON.parse(t);
      } catch (e) {
        throw new TypeError(`the body is not valid JSON: ${(e as Error).message}`);
      }
    };
    try {
      const accept = /^\/_emulator\/customers\/([^/]+)\/accept$/i.exec(path);
      if (accept && method === "POST") {
        const id = decodeURIComponent(accept[1]!);
        if (!this.find(id)) return reply(404, { error: `no tenant "${id}" in the estate` });
        this.acceptInvitation(id);
        return reply(200, { id: id.toLowerCase(), relationshipToPartner: "reseller" });
      }
      // GDAP (issue 16): the customer approves a delegated admin relationship (what its approval link does).
      const approve = /^\/_emulator\/gdap\/([^/]+)\/approve$/i.exec(path);
      if (approve && method === "POST") return reply(200, this.gdap.approve(decodeURIComponent(approve[1]!)));
      if (path === "/_emulator/gdap" && method === "GET") return reply(200, this.gdap.state());
      switch (`${method} ${path}`) {
        case "GET /_emulator/health":
          return reply(200, { status: "ok" });
        case "GET /_emulator/state":
          return reply(200, this.state());
        case "PUT /_emulator/estate": {
          this.loadEstate(json());
          return reply(200, { loaded: this.estate.customers.length });
        }
        case "GET /_emulator/requests":
          return reply(200, this.requests());
        case "DELETE /_emulator/requests":
          this.clearRequests();
          return reply(204);
        case "GET /_emulator/faults":
          return reply(200, this.faults.pending());
        case "POST /_emulator/faults":
          this.addFault(json() as Fault | Fault[]);
          return reply(201, { pending: this.faults.pending().length });
        case "DELETE /_emulator/faults":
          this.clearFaults();
          return reply(204);
        case "GET /_emulator/config":
          return reply(200, this.config);
        case "PATCH /_emulator/config":
          return reply(200, this.configure(json()));
        case "POST /_emulator/tokens/expire":
          return reply(200, { expired: this.expireTokens() });
        case "POST /_emulator/reset":
          this.reset();
          return reply(200, { reset: true });
        default:
          return reply(404, {
            error: `no admin route ${method} ${path}`,
            routes: [
              "GET /_emulator/health",
              "GET /_emulator/state",
              "PUT /_emulator/estate",
              "GET|DELETE /_emulator/requests",
              "GET|POST|DELETE /_emulator/faults",
              "POST /_emulator/customers/{id}/accept",
              "GET /_emulator/gdap", // GDAP (issue 16)
              "POST /_emulator/gdap/{id}/approve", // GDAP (issue 16)
              "GET|PATCH /_emulator/config",
              "POST /_emulator/tokens/expire",
              "POST /_emulator/reset",
            ],
          });
      }
    } catch (e) {
      const err = e as Error;
      return reply(
        400,
        err instanceof EstateValidationError
          ? { error: err.message, field: err.field }
          : { error: err.message },
      );
    }
  }
}

/** The start configuration from options (exported for index.ts). */
export function startConfig(options: Record<string, unknown>): EmulatorConfig {
  return mergeConfig(DEFAULT_CONFIG, options, [
    "port",
    "host",
    "allowNonLoopback",
    "estate",
    "requestLogLimit",
  ]);
}
