/**
 * Retry policy: the options and their defaults, whether an outcome is retried (the {@link Attempt} union that
 * classify.ts produces), when (Retry-After in seconds or an HTTP-date, the seconds in a 429 message, jittered
 * exponential backoff), and the deadline signal of a request. The waiting itself is wait.ts.
 */
import type { Dispatcher } from "undici";
import { ConnectionError, printable, type PartnerCenterError } from "../../errors";
import { header } from "./body";

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

/** What one attempt came to: whether the transport retries it. */
export type Attempt<T> =
  | {
      kind: "ok";
      response: {
        status: number;
        data: T;
        raw: unknown;
        bytes: number;
        correlationId: string;
        location?: string | undefined;
        retryAfterMs?: number | undefined;
      };
    }
  /** Retryable: 429 (with the wait), 5xx, connection errors. */
  | { kind: "retry"; error: PartnerCenterError; retryAfterMs?: number }
  /** 401 that a new token may cure. */
  | { kind: "renew"; error: PartnerCenterError }
  | { kind: "fail"; error: PartnerCenterError };

/**
 * Retry-After in ms: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3; Partner Center sends seconds,
 * docs/design/partner-center-contract.md#throttling). Anything else (negative, "soon", exponents) is unreadable: undefined,
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
export function secondsInMessage(text: string | undefined): number | undefined {
  const m = /in (\d+) seconds?/i.exec(text ?? "");
  return m ? Number(m[1]) * 1000 : undefined;
}

export function backoff(attempt: number, base: number, max: number): number {
  const d = Math.min(max, base * 2 ** (attempt - 1));
  return d / 2 + Math.random() * (d / 2);
}

export function describeFailure(e: PartnerCenterError): string {
  if (e.status !== undefined)
    return `HTTP ${e.status}${e.partnerCenterCode ? ` (code ${printable(e.partnerCenterCode)})` : ""}`;
  return e instanceof ConnectionError ? "connection failed" : e.code;
}

/** An abort signal that fires after `ms` or when `parent` aborts; `dispose()` clears its timer and listener. */
export interface TimedSignal {
  signal: AbortSignal;
  timedOut(): boolean;
  dispose(): void;
}

export function timedSignal(ms: number, parent?: AbortSignal): TimedSignal {
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
