/**
 * The one waiting toolkit: the clock, `sleep`, the retry loop and the poll loop. Every wait of the client and of
 * the domain code (adoption, removal confirmation, the GDAP waits, the device-code sign-in) goes through these,
 * with an AbortSignal; each takes a clock (the system's unless given), which the tests of these primitives and of
 * the sign-in inject. Whether and how long to wait is the caller's policy (retry.ts for requests); these only
 * schedule.
 */

/** Time source, injectable for tests. Times are milliseconds on a monotonic clock. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Longest delay a Node timer takes; longer ones fire at once with a TimeoutOverflowWarning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock: `performance.now()` and timers capped to Node's range. Timers are kept (not unref'd) on
 * purpose: one exists only while a caller waits for it, and an unref'd one would let a CLI exit in the middle
 * of its work.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

const never = new AbortController().signal;

/** Waits `ms` on `clock`; rejects with the signal's reason when `signal` aborts first (or already has). */
export async function sleep(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  if (signal?.aborted) throw signal.reason;
  await clock.sleep(ms, signal ?? never);
  if (signal?.aborted) throw signal.reason;
}

/** What one attempt of {@link retry} came to: its value, or another attempt (after `afterMs`, else at once). */
export type Step<T> = { done: T } | { again: true; afterMs?: number };

/** Options of {@link retry}. */
export interface RetryLoopOptions {
  /** Ends a wait between attempts: the loop then throws {@link RetryLoopOptions.interrupted}'s error. */
  signal?: AbortSignal | undefined;
  clock?: Clock | undefined;
  /** The error thrown when `signal` ends a wait after attempt `attempt` (default: the signal's reason). */
  interrupted?: ((attempt: number, reason: unknown) => unknown) | undefined;
}

/**
 * Runs `attempt(1)`, `attempt(2)`, ... until one returns `{ done }` (its value is returned) or throws (the
 * error is thrown). `{ again }` runs the next attempt, after `afterMs` when given. Whether to go on, how often and how
 * long to wait are the attempt's to say: it knows the outcome and the policy.
 */
export async function retry<T>(
  attempt: (n: number) => Promise<Step<T>>,
  opts: RetryLoopOptions = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    const step = await attempt(n);
    if ("done" in step) return step.done;
    if (step.afterMs === undefined) continue;
    try {
      await sleep(step.afterMs, opts.signal, opts.clock);
    } catch (reason) {
      throw opts.interrupted ? opts.interrupted(n, reason) : reason;
    }
  }
}

/** Options of {@link poll}. */
export interface PollOptions<T> {
  /** Stops when this holds for the value read. */
  done: (value: T) => boolean;
  /**
   * When to stop waiting, on the clock, given the last value (a wait may begin only once a state is seen). A
   * number: that time.
   */
  deadline: number | ((value: T, now: number) => number);
  /** The pause before the next read, given the reads so far (0 for the first pause). */
  intervalMs: number | ((pauses: number) => number);
  /** Start from this value instead of reading first (the caller has just read it). */
  start?: { value: T };
  signal?: AbortSignal | undefined;
  clock?: Clock | undefined;
}

/**
 * Reads with `read` until `done` holds or the deadline passes, pausing between reads (never past the
 * deadline). Returns the last value read: the caller tells from it whether the wait succeeded.
 */
export async function poll<T>(read: () => Promise<T>, opts: PollOptions<T>): Promise<T> {
  const clock = opts.clock ?? systemClock;
  let last = opts.start ? opts.start.value : await read();
  for (let pauses = 0; ; pauses++) {
    if (opts.done(last)) return last;
    const now = clock.now();
    const until = typeof opts.deadline === "number" ? opts.deadline : opts.deadline(last, now);
    const left = until - now;
    if (left <= 0) return last;
    const interval = typeof opts.intervalMs === "number" ? opts.intervalMs : opts.intervalMs(pauses);
    await sleep(Math.min(interval, left), opts.signal, clock);
    last = await read();
  }
}

/** The time `ms` from now on `clock`: a {@link poll} deadline. */
export function deadlineAfter(ms: number, clock: Clock = systemClock): number {
  return clock.now() + ms;
}
