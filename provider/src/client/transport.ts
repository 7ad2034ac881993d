/**
 * The transport: one function that sends a request, checks the status, parses and validates the body, and
 * throws a typed error; retries and pacing around it.
 *
 * Headers (shared/partner-center-api.md, "Base URLs and headers"): `Authorization: Bearer`, `Accept`,
 * `MS-RequestId` (one GUID per logical request, resent on every retry: "If there's a timeout, the retry call
 * should include the same value"), `MS-CorrelationId` (a new GUID for every call, retries included: "The value
 * should be reset for every call", "Partner Center REST and response headers",
 * https://learn.microsoft.com/partner-center/developer/headers), `X-Locale`, `User-Agent`, and
 * `Content-Type: application/json; charset=utf-8` on bodies.
 *
 * Nothing documents that a retried PATCH is answered from a replay of the first, so a failure says whether an
 * earlier attempt of the same request may have been applied ({@link PartnerCenterError.mayHaveApplied}).
 *
 * Retries: 429 (after its Retry-After; the shared limiter decides whether the whole scope waits too, see
 * pacing.ts), 5xx and connection errors, with jittered exponential backoff, at most `maxAttempts` attempts and
 * within `deadlineMs`; one more attempt with a new token after a 401 that is not 900421 (MFA). A Retry-After
 * longer than what is left of the deadline fails at once as throttled, naming the wait (waiting it out could
 * only end in a timeout), and so does a request whose scope is closed that long.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { request, type Dispatcher } from "undici";
import type { z } from "zod";
import {
  ApiError,
  AuthenticationError,
  ConnectionError,
  MfaRequiredError,
  NotFoundError,
  PartnerCenterError,
  ListTooLargeError,
  PermissionDeniedError,
  printable,
  redactAndTruncate,
  ResponseValidationError,
  ThrottledError,
  type ErrorContext,
} from "../errors";
import { settingName, type Settings } from "../settings";
import { GateClosedError, type Limiter, type Permit } from "./pacing";
import { errorBodySchema, normalizeKeys } from "./schemas";
import type { TokenSource } from "./auth";

/** Retry options. Defaults in {@link DEFAULT_RETRY}. */
export interface RetryOptions {
  /** Attempts per logical request, the first included. */
  maxAttempts: number;
  /** First backoff; doubles per attempt, with jitter. */
  baseDelayMs: number;
  /** Longest backoff between two attempts (Retry-After may ask for more, within the deadline). */
  maxDelayMs: number;
  /** Total time for one logical request, waits and retries included. */
  deadlineMs: number;
  /** Time for one attempt, from sending to the last byte of the body. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  deadlineMs: 5 * 60_000,
  attemptTimeoutMs: 60_000,
};

/** Largest JSON body accepted; past it the body is destroyed, not buffered. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Longest service description kept in an error (redacted before it is cut). */
const MAX_DESCRIPTION_CHARS = 500;

/**
 * Bounds of one list (every page of it together), so that a service that keeps sending pages cannot exhaust
 * the host's memory. Far above any real customer's subscriptions or entitlements; a client option
 * (`limits` of PartnerCenterClient) raises them.
 */
export interface ListLimits {
  /** Items across all pages of one list. */
  maxListItems: number;
  /** Body bytes across all pages of one list. */
  maxListBytes: number;
}

export const DEFAULT_LIST_LIMITS: ListLimits = { maxListItems: 50_000, maxListBytes: 64 * 1024 * 1024 };

/** `pulumi-partner-center/<version> node/<version>`. */
export const USER_AGENT = `pulumi-partner-center/${packageVersion()} node/${process.versions.node}`;

function packageVersion(): string {
  try {
    // ../../package.json from both src/client and dist/client.
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** One logical request. */
export interface TransportRequest<T> {
  method: "GET" | "PATCH" | "POST" | "PUT" | "DELETE";
  /** Path under the endpoint, segments already encoded (`/v1/customers/<id>`), or a service-given `links.next` uri. */
  path: string;
  query?: Readonly<Record<string, string | undefined>>;
  body?: unknown;
  /** Extra headers, e.g. `If-Match`, `MS-ContinuationToken`. */
  headers?: Readonly<Record<string, string>>;
  /** MS-RequestId; a new GUID when absent. Fixed across the retries of this request. */
  requestId?: string | undefined;
  /**
   * AUDIT HOOK (issue 17): called before every attempt with the ids it sends. MS-CorrelationId is new for
   * every call, retries included, so the last call names the attempt whose answer counted.
   */
  onIds?: ((ids: { requestId: string; correlationId: string }) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** The customer this request is about: the pacing scope for per-customer throttling. */
  customerId?: string | undefined;
  /** Validates the (key-normalised) JSON body. */
  schema: z.ZodType<T>;
}

/** A successful response. */
export interface TransportResponse<T> {
  status: number;
  data: T;
  /** The parsed body as sent (keys not normalised): for resources that must be sent back whole. */
  raw: unknown;
  /** Size of the body in bytes. */
  bytes: number;
  requestId: string;
  /** MS-CorrelationId of the call that succeeded (a new one per call). */
  correlationId: string;
}

/** Counters for benchmarks and tests. */
export interface TransportStats {
  /** Attempts sent to Partner Center (retries included, token requests excluded). */
  requests: number;
  responses429: number;
  retries: number;
}

/** Transport dependencies and options. */
export interface TransportOptions {
  retry?: Partial<RetryOptions> | undefined;
  logger?: ((line: string) => void) | undefined;
  /** Bounds of one list; {@link DEFAULT_LIST_LIMITS} by default. */
  limits?: Partial<ListLimits> | undefined;
}

/** Sends requests to Partner Center: see the file comment. */
export class Transport {
  readonly counters: TransportStats = { requests: 0, responses429: 0, retries: 0 };
  /** Bounds applied by {@link listAll}. */
  readonly limits: ListLimits;
  private readonly base: URL;
  private readonly retry: RetryOptions;
  private readonly log: (line: string) => void;

  constructor(
    settings: Settings,
    private readonly dispatcher: Dispatcher,
    private readonly auth: TokenSource,
    private readonly limiter: Limiter,
    options: TransportOptions = {},
  ) {
    this.base = new URL(settings.endpoint);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.log = options.logger ?? (() => undefined);
    this.limits = { ...DEFAULT_LIST_LIMITS, ...options.limits };
  }

  /** Sends one logical request (with its retries) and returns the validated body. */
  async request<T>(req: TransportRequest<T>): Promise<TransportResponse<T>> {
    const requestId = req.requestId ?? randomUUID();
    const url = this.resolve(req.path, req.query);
    const operation = `${req.method} ${url.pathname}`;
    const ctx: ErrorContext = { requestId, operation };
    const started = Date.now();
    // Timers cleared in `finally`: AbortSignal.timeout/any would keep every request's closures alive until
    // the deadline fires (minutes), which grows the provider host by tens of MiB over a large estate.
    const deadline = timedSignal(this.retry.deadlineMs, req.signal);
    try {
      const overall = deadline.signal;
      const body = req.body === undefined ? undefined : JSON.stringify(req.body);
      let renewed = false;
      let last: PartnerCenterError | undefined;
      // Whether an attempt so far may have been applied: carried by every error of this request.
      let applied = false;

      for (let attempt = 1; ; attempt++) {
        let outcome: Attempt<T>;
        // A new MS-CorrelationId for every call (the headers page), retries included.
        const actx: ErrorContext = {
          ...ctx,
          correlationId: randomUUID(),
          attempts: attempt,
          mayHaveApplied: applied,
        };
        req.onIds?.({ requestId, correlationId: actx.correlationId! }); // AUDIT HOOK (issue 17): the ids sent
        try {
          outcome = await this.attempt(req, url, body, actx, overall, renewed, started);
        } catch (e) {
          // The deadline or the caller's signal ended the wait (token, limiter or send); a send cut short may
          // have been applied.
          if (req.signal?.aborted) throw req.signal.reason;
          if (deadline.timedOut()) throw this.deadlineError(last, { ...actx, mayHaveApplied: true });
          throw e;
        }
        if (outcome.kind === "ok") return { ...outcome.response, requestId };
        last = outcome.error;
        applied ||= outcome.error.mayHaveApplied;
        if (outcome.kind === "renew") {
          renewed = true;
          this.counters.retries++;
          this.log(`${operation}: HTTP 401, retrying once with a new token (MS-RequestId ${requestId}).`);
          continue;
        }
        if (outcome.kind === "fail") throw outcome.error;
        if (attempt >= this.retry.maxAttempts) throw outcome.error;
        // 429: this request waits its Retry-After (attempt() failed it already if that passes the deadline).
        const wait =
          outcome.retryAfterMs !== undefined
            ? outcome.retryAfterMs + Math.random() * Math.min(this.retry.baseDelayMs, 250)
            : backoff(attempt, this.retry.baseDelayMs, this.retry.maxDelayMs);
        this.counters.retries++;
        this.log(
          `${operation}: ${describeFailure(outcome.error)}; attempt ${attempt + 1} of ${this.retry.maxAttempts} in ${Math.round(outcome.retryAfterMs ?? wait)} ms (MS-RequestId ${requestId}).`,
        );
        try {
          await sleep(wait, overall);
        } catch {
          if (req.signal?.aborted) throw req.signal.reason;
          throw this.deadlineError(last, { ...ctx, attempts: attempt, mayHaveApplied: applied });
        }
      }
    } finally {
      deadline.dispose();
    }
  }

  private deadlineError(last: PartnerCenterError | undefined, ctx: ErrorContext): PartnerCenterError {
    if (last) return last;
    return new ConnectionError(`No answer from Partner Center within ${this.retry.deadlineMs} ms.`, {
      ...ctx,
      action: "Retry later; if Partner Center is slow rather than down, raise the deadline.",
    });
  }

  /** One attempt: token, pacing, send, read, validate. Never throws for an HTTP or network failure. */
  private async attempt<T>(
    req: TransportRequest<T>,
    url: URL,
    body: string | undefined,
    ctx: ErrorContext,
    overall: AbortSignal,
    renewed: boolean,
    started: number,
  ): Promise<Attempt<T>> {
    const token = await this.auth.token(overall);
    const left = (): number => this.retry.deadlineMs - (Date.now() - started);
    let permit: Permit;
    try {
      permit = await this.limiter.acquire(req.customerId, overall, left());
    } catch (e) {
      if (!(e instanceof GateClosedError)) throw e;
      const error = new ThrottledError(
        `Partner Center asked to wait ${seconds(e.waitMs)} before more requests ${req.customerId ? "for this customer" : "of this partner"} (an earlier Retry-After); that is past this request's deadline (${seconds(left())} left).`,
        { ...ctx, retryAfterSeconds: Math.ceil(e.waitMs / 1000), action: THROTTLED_ACTION },
      );
      return { kind: "fail", error };
    }
    this.counters.requests++;
    const timeout = timedSignal(this.retry.attemptTimeoutMs, overall);
    try {
      const signal = timeout.signal;
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          dispatcher: this.dispatcher,
          method: req.method,
          headers: this.headers(token, req, ctx, body !== undefined),
          body: body ?? null,
          signal,
          headersTimeout: this.retry.attemptTimeoutMs,
          bodyTimeout: this.retry.attemptTimeoutMs,
        });
      } catch (e) {
        permit.done({ kind: "failed" });
        if (overall.aborted) throw e;
        return this.networkFailure(e, ctx, timeout.timedOut());
      }
      const status = res.statusCode;
      ctx.status = status;
      ctx.correlationId = header(res.headers, "ms-correlationid") ?? ctx.correlationId;

      if (status === 429) {
        this.counters.responses429++;
        const retryAfterMs = retryAfter(res.headers);
        const errBody = await readError(res.body);
        const waitMs =
          retryAfterMs ?? secondsInMessage(errBody?.partnerCenterDescription) ?? this.retry.baseDelayMs;
        permit.done({ kind: "throttled", retryAfterMs: waitMs });
        const tooLong = waitMs > left();
        const error = new ThrottledError(
          tooLong
            ? `Partner Center is throttling requests (HTTP 429) and asked to wait ${seconds(waitMs)}; that is past this request's deadline (${seconds(left())} left), so it fails now.`
            : `Partner Center is throttling requests (HTTP 429, wait ${seconds(waitMs)}).`,
          {
            ...ctx,
            ...errBody,
            retryAfterSeconds: Math.ceil(waitMs / 1000),
            action: THROTTLED_ACTION,
          },
        );
        return tooLong ? { kind: "fail", error } : { kind: "retry", retryAfterMs: waitMs, error };
      }
      permit.done({ kind: "served" });

      if (status >= 200 && status < 300) {
        let raw: unknown;
        let bytes: number;
        try {
          ({ json: raw, bytes } = await readJson(res.body, res.headers));
        } catch (e) {
          if (e instanceof ResponseValidationError) {
            return {
              kind: "fail",
              // A 2xx was answered: the change, if any, was made.
              error: new ResponseValidationError(e.message, {
                ...ctx,
                mayHaveApplied: true,
                action: VALIDATION_ACTION,
              }),
            };
          }
          if (overall.aborted) throw e;
          return this.networkFailure(e, ctx, timeout.timedOut());
        }
        const parsed = req.schema.safeParse(normalizeKeys(raw));
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
          return {
            kind: "fail",
            error: new ResponseValidationError(
              `Partner Center's answer did not have the documented shape (${issues.slice(0, 3).join("; ")}).`,
              { ...ctx, issues, mayHaveApplied: true, action: VALIDATION_ACTION },
            ),
          };
        }
        return {
          kind: "ok",
          response: { status, data: parsed.data, raw, bytes, correlationId: ctx.correlationId ?? "" },
        };
      }

      const errBody = await readError(res.body);
      const full: ErrorContext = { ...ctx, ...errBody };
      const pcCode = errBody?.partnerCenterCode;
      if (status === 401) {
        if (pcCode === "900421") return { kind: "fail", error: new MfaRequiredError(full) };
        if (!renewed && this.auth.renewable) {
          this.auth.invalidate(token);
          return { kind: "renew", error: new AuthenticationError("Partner Center refused the token.", full) };
        }
        return {
          kind: "fail",
          error: new AuthenticationError("Partner Center refused the access token (HTTP 401).", {
            ...full,
            action: this.auth.renewable
              ? `A new token from the refresh token was refused too. Check that the app registration (${settingName("clientId")}) is consented for Partner Center in tenant ${settingName("tenantId")}, and that the refresh token belongs to a user with access to Partner Center.`
              : `Check ${settingName("accessToken")}: it may be expired, or issued for another resource than ${"https://api.partnercenter.microsoft.com"}. Or set the refresh-token settings instead so tokens are renewed.`,
          }),
        };
      }
      if (status === 403 && pcCode === "20002") {
        return {
          kind: "fail",
          error: new NotFoundError(
            "The partner has no relationship with this customer (Partner Center code 20002).",
            {
              ...full,
              action: "Check the customer id; the relationship may have been removed already.",
            },
          ),
        };
      }
      if (status === 403) {
        return {
          kind: "fail",
          error: new PermissionDeniedError("Partner Center denied this call (HTTP 403).", {
            ...full,
            action:
              pcCode === "900150"
                ? "The signed-in user needs the Admin agent role in Partner Center: obtain the refresh token (Secure Application Model consent) as a user with that role."
                : "This call needs an App+User token from a user with the Admin agent role; check the roles of the user behind the refresh token.",
          }),
        };
      }
      if (status === 404) {
        return {
          kind: "fail",
          error: new NotFoundError("Partner Center has no such resource (HTTP 404).", {
            ...full,
            action: "Check the id; the customer or subscription may have been removed from this partner.",
          }),
        };
      }
      const error = new ApiError(`Partner Center answered HTTP ${status}.`, {
        ...full,
        // A 5xx does not say whether the change was made before the failure.
        mayHaveApplied: full.mayHaveApplied || status >= 500,
        action:
          status >= 500
            ? "Partner Center failed; retry later. If it persists, contact Microsoft support with the MS-CorrelationId."
            : "Partner Center rejected the request; its description says why.",
      });
      return status >= 500 ? { kind: "retry", error } : { kind: "fail", error };
    } finally {
      timeout.dispose();
    }
  }

  private networkFailure(e: unknown, ctx: ErrorContext, timedOut: boolean): Attempt<never> {
    const code = (e as { code?: unknown }).code;
    const permanent = code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ERR_TLS_CERT_ALTNAME_INVALID";
    const error = new ConnectionError(
      timedOut
        ? `Partner Center did not answer within ${this.retry.attemptTimeoutMs} ms.`
        : `The connection to Partner Center failed${typeof code === "string" ? ` (${code})` : ""}.`,
      {
        ...ctx,
        // No answer: the request may have reached the service and been applied.
        mayHaveApplied: true,
        cause: e,
        action: `Check network access to ${this.base.origin} (${settingName("endpoint")}), then retry.`,
      },
    );
    return permanent ? { kind: "fail", error } : { kind: "retry", error };
  }

  private headers(token: string, req: TransportRequest<unknown>, ctx: ErrorContext, hasBody: boolean) {
    const h: Record<string, string> = {};
    // Caller headers first, but never those the transport owns.
    for (const [k, v] of Object.entries(req.headers ?? {})) {
      if (!OWNED_HEADERS.has(k.toLowerCase())) h[k] = v;
    }
    h["authorization"] = `Bearer ${token}`;
    h["accept"] = "application/json";
    h["ms-requestid"] = ctx.requestId ?? "";
    h["ms-correlationid"] = ctx.correlationId ?? "";
    h["x-locale"] = "en-US";
    h["user-agent"] = USER_AGENT;
    if (hasBody) h["content-type"] = "application/json; charset=utf-8";
    return h;
  }

  /**
   * The URL of a path: `/v1/...` under the endpoint; a `links.next` uri may be absolute (same origin only: the
   * token must never go elsewhere) or relative to `/v1` (`/customers?...`).
   */
  private resolve(path: string, query: TransportRequest<unknown>["query"]): URL {
    const basePath = this.base.pathname.replace(/\/+$/, "");
    let url: URL;
    if (/^https?:\/\//i.test(path)) {
      url = new URL(path);
      if (url.origin !== this.base.origin) {
        throw new ResponseValidationError(
          `Partner Center sent a next-page link to another host (${url.host}).`,
          {
            operation: `GET ${url.pathname}`,
            action: VALIDATION_ACTION,
          },
        );
      }
    } else {
      const p = path.startsWith("/") ? path : `/${path}`;
      url = new URL(`${this.base.origin}${basePath}${/^\/v1(\/|\?|$)/i.test(p) ? "" : "/v1"}${p}`);
    }
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }
}

const OWNED_HEADERS = new Set([
  "authorization",
  "accept",
  "ms-requestid",
  "ms-correlationid",
  "x-locale",
  "user-agent",
  "content-type",
  "content-length",
  "host",
  "cookie",
  "transfer-encoding",
  "connection",
]);

const THROTTLED_ACTION = `Retry later. If other tools share the partner's Partner Center quota, set ${settingName("maxRequestsPerMinute")} below the limit to leave them room, or lower ${settingName("maxConcurrency")}.`;

/** A wait for messages: "86400 s". */
function seconds(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))} s`;
}

const VALIDATION_ACTION =
  "This is unexpected: report it with the MS-CorrelationId. Nothing was changed on the basis of this answer.";

type Attempt<T> =
  | { kind: "ok"; response: { status: number; data: T; raw: unknown; bytes: number; correlationId: string } }
  /** Retryable: 429 (with the wait), 5xx, connection errors. */
  | { kind: "retry"; error: PartnerCenterError; retryAfterMs?: number }
  /** 401 that a new token may cure. */
  | { kind: "renew"; error: PartnerCenterError }
  | { kind: "fail"; error: PartnerCenterError };

function header(h: Dispatcher.ResponseData["headers"], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Retry-After in ms: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3; Partner Center sends seconds,
 * partner-center-api.md "Throttling"). Anything else (negative, "soon", exponents) is unreadable: undefined,
 * so the caller falls back to its own backoff. Huge values stay huge (finite): the caller compares them with
 * its deadline and never hands them to a timer.
 */
export function retryAfter(h: Dispatcher.ResponseData["headers"]): number | undefined {
  const v = header(h, "retry-after")?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(Number.MAX_SAFE_INTEGER, Number(v) * 1000);
  // IMF-fixdate, RFC 850 and asctime dates all start with the day name; Date.parse alone accepts "-1" or "2".
  if (!/^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,? /i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** "Rate limit is exceeded. Try again in 57 seconds." → 57000, for 429s without Retry-After. */
function secondsInMessage(text: string | undefined): number | undefined {
  const m = /in (\d+) seconds?/i.exec(text ?? "");
  return m ? Number(m[1]) * 1000 : undefined;
}

function backoff(attempt: number, base: number, max: number): number {
  const d = Math.min(max, base * 2 ** (attempt - 1));
  return d / 2 + Math.random() * (d / 2);
}

function describeFailure(e: PartnerCenterError): string {
  if (e.status !== undefined)
    return `HTTP ${e.status}${e.partnerCenterCode ? ` (code ${printable(e.partnerCenterCode)})` : ""}`;
  return e instanceof ConnectionError ? "connection failed" : e.code;
}

/** An abort signal that fires after `ms` or when `parent` aborts; `dispose()` clears its timer and listener. */
interface TimedSignal {
  signal: AbortSignal;
  timedOut(): boolean;
  dispose(): void;
}

function timedSignal(ms: number, parent?: AbortSignal): TimedSignal {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort(new DOMException("The operation timed out.", "TimeoutError"));
  }, ms);
  timer.unref?.();
  const onAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => fired,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason as Error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Reads a body up to `cap` bytes; past it destroys the stream and throws. */
async function readCapped(
  body: Dispatcher.ResponseData["body"],
  cap: number,
  length: string | undefined,
): Promise<Buffer | undefined> {
  if (length !== undefined && Number(length) > cap) {
    body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readJson(
  body: Dispatcher.ResponseData["body"],
  h: Dispatcher.ResponseData["headers"],
): Promise<{ json: unknown; bytes: number }> {
  const buf = await readCapped(body, MAX_BODY_BYTES, header(h, "content-length"));
  if (buf === undefined) {
    throw new ResponseValidationError(`Partner Center's answer is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  const text = buf.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "") return { json: {}, bytes: buf.length };
  try {
    return { json: JSON.parse(text) as unknown, bytes: buf.length };
  } catch {
    throw new ResponseValidationError("Partner Center's answer is not valid JSON.");
  }
}

/** The error body, whatever its shape: `{code, description}` or the 429 `{statusCode, message}`. Never throws. */
async function readError(
  body: Dispatcher.ResponseData["body"],
): Promise<{ partnerCenterCode?: string; partnerCenterDescription?: string } | undefined> {
  let text: string;
  try {
    const buf = await readCapped(body, MAX_ERROR_BODY_BYTES, undefined);
    if (!buf) return undefined;
    text = buf.toString("utf8").replace(/^\uFEFF/, "");
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Redacted before it is cut: a secret cut at the boundary would no longer be recognised.
    const t = redactAndTruncate(text.trim(), MAX_DESCRIPTION_CHARS);
    return t ? { partnerCenterDescription: t } : undefined;
  }
  // GDAP (issue 16): Microsoft Graph's error body is {"error":{"code","message","innerError"}} (Graph docs,
  // "Microsoft Graph error responses and resource types"); its code and message fill the same two fields.
  const graph = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (graph && typeof graph === "object" && typeof graph.code === "string") {
    return typeof graph.message === "string"
      ? { partnerCenterCode: graph.code, partnerCenterDescription: graph.message }
      : { partnerCenterCode: graph.code };
  }
  const parsed = errorBodySchema.safeParse(normalizeKeys(json));
  if (!parsed.success) return undefined;
  const out: { partnerCenterCode?: string; partnerCenterDescription?: string } = {};
  const { code, description, message } = parsed.data;
  if (code !== null && code !== undefined) out.partnerCenterCode = String(code);
  const d = description ?? message;
  if (d) out.partnerCenterDescription = redactAndTruncate(d, MAX_DESCRIPTION_CHARS);
  return out;
}

/** The largest number of pages followed for one list (a loop guard, far above any real collection). */
const MAX_PAGES = 10_000;

/** Options of {@link listAll}. */
export interface ListRequest<T> extends Omit<TransportRequest<unknown>, "schema" | "method" | "body"> {
  /** Schema of a page: `collectionSchema(itemSchema)` from schemas.ts. */
  schema: z.ZodType<CollectionPage<T>>;
  /** Keep each item as sent (for a resource that must be sent back whole); otherwise only the parsed fields. */
  keepRaw?: boolean;
}

/**
 * Every item of a collection, following `links.next` (resending its MS-ContinuationToken header) until there
 * is none: a missed page could hide an active subscription. Fails closed when the list cannot be trusted: it
 * passes the transport's {@link ListLimits}, or a page's `totalCount` is larger than the items received
 * across all pages. Returns each item, with its raw (as sent) form only when `keepRaw` asks for it.
 */
export async function listAll<T>(
  transport: Transport,
  req: ListRequest<T>,
): Promise<{ item: T; raw: unknown }[]> {
  const { keepRaw, ...base } = req;
  const out: { item: T; raw: unknown }[] = [];
  const schema = req.schema;
  const { maxListItems, maxListBytes } = transport.limits;
  const seen = new Set<string>();
  let bytes = 0;
  let announced = 0;
  let last: TransportResponse<CollectionPage<T>> | undefined;
  let next: TransportRequest<CollectionPage<T>> | undefined = { ...base, method: "GET", schema };
  for (let page = 0; next; page++) {
    if (page >= MAX_PAGES) {
      throw new ResponseValidationError(
        `Partner Center returned more than ${MAX_PAGES} pages for ${req.path}.`,
        {
          action: VALIDATION_ACTION,
        },
      );
    }
    const res: TransportResponse<CollectionPage<T>> = await transport.request(next);
    last = res;
    const ctx = { requestId: res.requestId, correlationId: res.correlationId, operation: `GET ${req.path}` };
    bytes += res.bytes;
    if (bytes > maxListBytes) throw new ListTooLargeError("maxListBytes", maxListBytes, req.path, ctx);
    if (out.length + res.data.items.length > maxListItems) {
      throw new ListTooLargeError("maxListItems", maxListItems, req.path, ctx);
    }
    announced = Math.max(announced, res.data.totalCount ?? 0);
    const rawItems = keepRaw ? rawItemsOf(res.raw) : [];
    res.data.items.forEach((item, i) => out.push({ item, raw: rawItems[i] }));
    const link = res.data.links?.next;
    next = undefined;
    if (link) {
      const headers: Record<string, string> = {};
      for (const { key, value } of link.headers ?? []) {
        // Only Partner Center's own MS-* paging headers are resent (MS-ContinuationToken), and only values
        // that can be sent: a CR/LF would otherwise surface as a misleading connection error.
        if (!/^ms-/i.test(key)) continue;
        if (!/^[\x20-\x7e]*$/.test(value) || !/^[A-Za-z0-9-]+$/.test(key)) {
          throw new ResponseValidationError(
            `Partner Center sent a next-page header for ${req.path} that cannot be sent back (control or non-ASCII characters).`,
            { ...ctx, action: VALIDATION_ACTION },
          );
        }
        headers[key] = value;
      }
      const fingerprint = `${link.uri}\n${JSON.stringify(headers)}`;
      if (seen.has(fingerprint)) {
        throw new ResponseValidationError(
          `Partner Center sent the same next-page link twice for ${req.path}.`,
          {
            ...ctx,
            action: VALIDATION_ACTION,
          },
        );
      }
      seen.add(fingerprint);
      next = {
        path: link.uri,
        method: "GET",
        headers,
        schema,
        signal: req.signal,
        customerId: req.customerId,
      };
    }
  }
  if (announced > out.length) {
    // totalCount counts at least the items of its page: more than we received means items are missing.
    throw new ResponseValidationError(
      `Partner Center's list ${req.path} announced ${announced} items (totalCount) but sent ${out.length} across all pages; a list that does not add up is not trusted, and nothing was changed.`,
      {
        requestId: last?.requestId,
        correlationId: last?.correlationId,
        operation: `GET ${req.path}`,
        action: `Run the command again; if it persists, report it with the MS-CorrelationId.`,
      },
    );
  }
  return out;
}

/** A page of a collection, as {@link collectionSchema} in schemas.ts parses it. */
export interface CollectionPage<T> {
  totalCount?: number | null | undefined;
  items: T[];
  links?:
    | {
        next?:
          { uri: string; headers?: { key: string; value: string }[] | null | undefined } | null | undefined;
      }
    | null
    | undefined;
}

/** The `items` array of a raw (not normalised) collection body, whatever the casing of its key. */
function rawItemsOf(raw: unknown): unknown[] {
  if (raw === null || typeof raw !== "object") return [];
  for (const [k, v] of Object.entries(raw)) if (k.toLowerCase() === "items" && Array.isArray(v)) return v;
  return [];
}
