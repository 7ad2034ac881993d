/**
 * The transport: one logical request within its deadline, as a loop of attempts. Each attempt takes a token,
 * a pacing permit, sends (headers: send.ts), reads (body.ts) and validates the answer; classify.ts maps a
 * failure to a typed error and says whether it is retried; retry.ts says when. Paging is pagination.ts.
 *
 * Headers (docs/design/partner-center-contract.md): `Authorization: Bearer`, `Accept`,
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
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { request, type Dispatcher } from "undici";
import type { z } from "zod";
import {
  ConnectionError,
  PartnerCenterError,
  ResponseValidationError,
  type ErrorContext,
} from "../../errors";
import type { Settings } from "../../settings";
import type { TokenSource } from "./auth";
import { header, readError, readJson } from "./body";
import {
  errorAnswer,
  gateClosedPastDeadline,
  invalidAnswer,
  networkFailure,
  PARTNER_CENTER_WORDING,
  throttledAnswer,
  type ErrorWording,
} from "./classify";
import { GateClosedError, type Limiter, type Permit } from "./pacing";
import { resolveUrl } from "./path";
import {
  backoff,
  DEFAULT_RETRY,
  describeFailure,
  retryAfter,
  secondsInMessage,
  timedSignal,
  type Attempt,
  type RetryOptions,
} from "./retry";
import { normalizeKeys } from "./schemas";
import { retry } from "./wait";
import { requestHeaders } from "./send";

export { DEFAULT_RETRY, retryAfter, type RetryOptions } from "./retry";
export { MAX_BODY_BYTES } from "./body";
export { USER_AGENT } from "./send";

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

/** Options for one logical request. */
export interface RequestOptions {
  /** Cancels the request and its retries. */
  signal?: AbortSignal;
  /** MS-RequestId to use (fixed across retries). A new GUID when absent. For a list: its first page. */
  requestId?: string;
  /**
   * Receives the MS-RequestId and MS-CorrelationId of each attempt this request sends
   * (the correlation id is new for every call; the last one names the attempt whose answer counted).
   */
  onIds?: (ids: SentIds) => void;
  /** See {@link TransportRequest.beforeSend}. */
  beforeSend?: WriteHook;
}

/**
 * Awaited before each attempt of a write (any method but GET) is sent, with the ids that attempt will send.
 * The audit trail writes its `intent` record here: if the hook throws, that attempt is not sent.
 */
export type WriteHook = (ids: SentIds) => Promise<void>;

const ambientWriteHook = new AsyncLocalStorage<WriteHook>();

/**
 * Runs `fn` with `hook` as the {@link WriteHook} of every write it sends that has none of its own: for a
 * client whose methods take no request options (the Graph client), so that its writes are on record before
 * they are sent.
 */
export function withWriteHook<T>(hook: WriteHook, fn: () => Promise<T>): Promise<T> {
  return ambientWriteHook.run(hook, fn);
}

let writesStoppedBecause: string | undefined;

/**
 * From now on, no write (any method but GET) is sent by any transport of this process, retries included:
 * each fails with {@link ConnectionError} naming `reason`. Reads go on. For a provider process whose
 * engine is gone: nobody is left to record or act on what a new write would do.
 */
export function stopWrites(reason: string): void {
  writesStoppedBecause ??= reason;
}

/** Why writes were stopped, if they were ({@link stopWrites}). */
export function writesStopped(): string | undefined {
  return writesStoppedBecause;
}

/** What one attempt sent: the audit trail records it for each write, as sent rather than rebuilt. */
export interface SentIds {
  method: string;
  /** The path as sent, segments encoded. */
  path: string;
  requestId: string;
  correlationId: string;
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
   * Called before every attempt with the ids it sends. MS-CorrelationId is new for
   * every call, retries included, so the last call names the attempt whose answer counted.
   */
  onIds?: ((ids: SentIds) => void) | undefined;
  /**
   * Awaited before each attempt of a write with the ids it will send (the audit trail's `intent`); when
   * absent, the hook of an enclosing {@link withWriteHook}. If it throws, that attempt is not sent.
   */
  beforeSend?: WriteHook | undefined;
  signal?: AbortSignal | undefined;
  /** The customer this request is about: the pacing scope for per-customer throttling. */
  customerId?: string | undefined;
  /** Validates the (key-normalised) JSON body. */
  schema: z.ZodType<T>;
  /** The call in words ("terminate the relationship"), for a service that words its errors (`wording`). */
  what?: string | undefined;
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
  /** The Location header (Graph's long-running operations answer 202 with one). */
  location?: string | undefined;
  /** The Retry-After header, in ms. */
  retryAfterMs?: number | undefined;
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
  /** How the service's errors are worded (the per-service seam); Partner Center's by default. */
  wording?: ErrorWording | undefined;
}

/** Sends requests to Partner Center: see the file comment. */
export class Transport {
  readonly counters: TransportStats = { requests: 0, responses429: 0, retries: 0 };
  /** Bounds applied by {@link listAll}. */
  readonly limits: ListLimits;
  private readonly base: URL;
  private readonly retry: RetryOptions;
  private readonly log: (line: string) => void;
  private readonly wording: ErrorWording;

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
    this.wording = options.wording ?? PARTNER_CENTER_WORDING;
  }

  /** Sends one logical request (with its retries) and returns the validated body. */
  async request<T>(req: TransportRequest<T>): Promise<TransportResponse<T>> {
    if (this.wording === PARTNER_CENTER_WORDING) return this.send(req);
    try {
      return await this.send(req);
    } catch (e) {
      throw this.wording.word(e, req.what ?? `${req.method} ${req.path}`);
    }
  }

  /** {@link request} in Partner Center's words. */
  private async send<T>(req: TransportRequest<T>): Promise<TransportResponse<T>> {
    const requestId = req.requestId ?? randomUUID();
    const url = resolveUrl(this.base, req.path, req.query);
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

      return await retry<TransportResponse<T>>(
        async (attempt) => {
          let outcome: Attempt<T>;
          // A new MS-CorrelationId for every call (the headers page), retries included.
          const actx: ErrorContext = {
            ...ctx,
            correlationId: randomUUID(),
            attempts: attempt,
            mayHaveApplied: applied,
          };
          const ids: SentIds = {
            method: req.method,
            path: url.pathname,
            requestId,
            correlationId: actx.correlationId!,
          };
          if (req.method !== "GET") {
            const stopped = writesStopped();
            if (stopped !== undefined) {
              throw new ConnectionError(`${operation} was not sent: ${stopped}.`, {
                ...actx,
                attempts: attempt - 1,
                action: "Nothing more is sent by this process. Run the command again.",
              });
            }
            // Write-ahead: the record of this attempt is on disk before it is sent.
            const hook = req.beforeSend ?? ambientWriteHook.getStore();
            if (hook) await hook(ids);
          }
          // What this attempt sends, for the audit trail: only an attempt that goes out.
          req.onIds?.(ids);
          try {
            outcome = await this.attempt(req, url, body, actx, overall, renewed, started);
          } catch (e) {
            // The deadline or the caller's signal ended the wait (token, limiter or send); a send cut short may
            // have been applied.
            if (req.signal?.aborted) throw req.signal.reason;
            if (deadline.timedOut()) throw this.deadlineError(last, { ...actx, mayHaveApplied: true });
            throw e;
          }
          if (outcome.kind === "ok") return { done: { ...outcome.response, requestId } };
          last = outcome.error;
          applied ||= outcome.error.mayHaveApplied;
          if (outcome.kind === "renew") {
            renewed = true;
            this.counters.retries++;
            this.log(`${operation}: HTTP 401, retrying once with a new token (MS-RequestId ${requestId}).`);
            return { again: true };
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
          return { again: true, afterMs: wait };
        },
        {
          signal: overall,
          interrupted: (attempt) =>
            req.signal?.aborted
              ? req.signal.reason
              : this.deadlineError(last, { ...ctx, attempts: attempt, mayHaveApplied: applied }),
        },
      );
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
      return gateClosedPastDeadline(
        ctx,
        e.waitMs,
        left(),
        req.customerId !== undefined && req.customerId !== "",
      );
    }
    this.counters.requests++;
    const timeout = timedSignal(this.retry.attemptTimeoutMs, overall);
    const failed = (e: unknown): Attempt<never> =>
      networkFailure(e, ctx, timeout.timedOut(), this.retry.attemptTimeoutMs, this.base.origin);
    try {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          dispatcher: this.dispatcher,
          method: req.method,
          headers: requestHeaders(token, req.headers, ctx, body !== undefined),
          body: body ?? null,
          signal: timeout.signal,
          headersTimeout: this.retry.attemptTimeoutMs,
          bodyTimeout: this.retry.attemptTimeoutMs,
        });
      } catch (e) {
        permit.done({ kind: "failed" });
        if (overall.aborted) throw e;
        return failed(e);
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
        return throttledAnswer(ctx, errBody, waitMs, left());
      }
      permit.done({ kind: "served" });

      if (status >= 200 && status < 300) {
        let raw: unknown;
        let bytes: number;
        try {
          ({ json: raw, bytes } = await readJson(res.body, res.headers));
        } catch (e) {
          // A 2xx was answered: the change, if any, was made.
          if (e instanceof ResponseValidationError) return invalidAnswer(ctx, e.message);
          if (overall.aborted) throw e;
          return failed(e);
        }
        const parsed = req.schema.safeParse(normalizeKeys(raw));
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
          return invalidAnswer(
            ctx,
            `Partner Center's answer did not have the documented shape (${issues.slice(0, 3).join("; ")}).`,
            issues,
          );
        }
        return {
          kind: "ok",
          response: {
            status,
            data: parsed.data,
            raw,
            bytes,
            correlationId: ctx.correlationId ?? "",
            // Read only where they mean something: a 202's long-running operation (Graph).
            ...(status === 202 && {
              location: header(res.headers, "location"),
              retryAfterMs: retryAfter(res.headers),
            }),
          },
        };
      }

      const errBody = await readError(res.body);
      const outcome = errorAnswer(
        status,
        { ...ctx, ...errBody },
        { renewable: this.auth.renewable, renewed },
      );
      if (outcome.kind === "renew") this.auth.invalidate(token);
      return outcome;
    } finally {
      timeout.dispose();
    }
  }
}
