/**
 * Pacing: one limiter shared by every caller of a client (so by every resource of a provider process).
 *
 * Partner Center throttles some APIs per partner tenant and others per partner and customer tenant ("500
 * requests per minute per tenant identifier" on the customer and subscription pages), in fixed windows, does
 * not publish every limit, and counts the partner's other tools (the portal, scripts, other pipelines) against
 * the same budget (docs/design/partner-center-contract.md#throttling). So a 429 is not always caused by our own rate,
 * and nothing is assumed up front:
 *
 * 1. At most `maxConcurrency` requests in flight.
 * 2. An adaptive rate per throttle scope actually observed. A "lane" holds a rate, a gate and counters: one
 *    partner lane that every request passes, and one lane per customer.
 * 3. An optional fixed cap (`maxRequestsPerMinute`), as evenly spaced starts.
 *
 * What a 429 means is weighed, not assumed (a sequential test, as in Wald's SPRT):
 * - Every 429 is waited out by the throttled request itself and by its own customer's scope (Retry-After).
 * - A full bucket answers 429 to every request until its window ends; a stray 429 (another tool, a hiccup)
 *   is followed by served answers. So a lane's 429s form a "run" until an answer served to a request sent
 *   after the run began breaks it. Only a run of `k` 429s is taken as evidence of the limit, where `k` is the
 *   smallest run that stray 429s alone would produce with a chance of at most `falseAlarm` per request, given
 *   the share of 429s seen recently (`p^k <= falseAlarm`; a prior of `noisePrior` counts until there are
 *   answers). A clean service gives k = 1 (the first 429 acts, as before); 3 % of stray 429s gives k = 2, 10 %
 *   gives k = 3. An isolated 429 thus never cuts the rate, and a run does within one or two more requests.
 * - A run closes the lane's gate until its Retry-After and cuts the rate (multiplicative decrease) to
 *   `decreaseFactor` x the rate the service served over the cycle that just ended (answers between the
 *   previous reopening and the new one; with fixed windows this spans whole windows, so it measures the
 *   limit, not a burst). 429s of requests sent before that cut only extend the gate.
 * - Recovery: the rate climbs back by `increasePerSecond` x that measure per second up to `nearLimit` x the
 *   measure (about 1.5 s after a cut), then probes beyond it, slowly at first, twice as fast every
 *   `probeDoublingMs` without a run (as CUBIC's convex phase), so a measure taken at a stray run, or a limit
 *   Microsoft raised, is found again within seconds rather than minutes.
 *
 * Which lane a 429 counts for: a request without a customer (customer list, invitation link) is partner-wide
 * by definition. A customer with a small share of the recent answers (`customerShareForPartnerScope`) is
 * throttled by the partner's limit: a per-customer limit is only reached by a customer that makes much of
 * the traffic. Otherwise the 429 counts for that customer's lane only, so its run slows that customer and no
 * other (a partner-wide limit then shows in the 429s of the other customers).
 *
 * Slow start: with many callers and a fast service, every request in flight when a fixed window runs out is
 * answered 429. Starting the partner lane at `slowStart.initialPerSecond`, evenly spaced, and multiplying the
 * rate by (1 + `growthPerResponse`) per answer keeps that burst to a request or two on a fast link.
 *
 * Waiters form one FIFO queue. Each pass starts, in order, every waiter whose lanes allow it now (a waiter
 * held by its own customer's gate does not hold back the others) and sets one timer for the next, only while
 * someone waits. A waiter whose scope stays closed past its deadline fails at once ({@link GateClosedError}),
 * and one that gives up (abort) cancels the timer if it was the last, so no timer outlives its waiters or
 * keeps a finished process (a CLI) alive.
 *
 * Why this design (compared with well-kept limiters): TCP's congestion control, and AIMD limiters such as
 * Netflix's concurrency-limits (and this limiter before), treat every drop as congestion, which is right
 * for a queue we fill ourselves but not for a quota other tools share (3 % of stray 429s brought a run down
 * to 0.13 of the limit). Envoy's adaptive concurrency reacts to latency (its gradient controller compares
 * sampled latency with a measured minimum RTT), which says nothing here: a 429 comes back as fast as a
 * success. Octokit's throttling plugin waits Retry-After and retries when its callback says so, with a fixed
 * spacing for writes: safe under noise, but it never learns the limit, so every window ends in 429s. A
 * token bucket sized from Retry-After needs the window length, which Partner Center does not publish.
 * Weighing each 429 by how often 429s come keeps AIMD's learned rate (0.9+ of the limit, under 1 % of
 * requests answered 429 on a clean service) while stray 429s only delay the request they hit. From CUBIC it
 * takes the shape of the climb: quick back to just under the last measure, then a probe that speeds up.
 */

export {
  MAX_TIMER_MS,
  systemClock,
  DEFAULT_PACING,
  GateClosedError,
  type Clock,
  type PacingOptions,
  type Outcome,
  type Permit,
  type PacingSnapshot,
} from "./pacing-options";
import {
  DEFAULT_PACING,
  GateClosedError,
  type PacingOptions,
  type PacingSnapshot,
  type Permit,
} from "./pacing-options";
import { Lane } from "./pacing-lane";

interface Held {
  key: string | undefined;
  sentAt: number;
}

interface Waiter {
  key: string | undefined;
  /** Latest time this waiter may start (its caller's deadline). */
  deadline: number;
  grant(p: Permit): void;
  fail(e: Error): void;
}

/** Starts due within this are due now: `now + (t - now)` need not equal `t` in floating point. */
const EPSILON_MS = 0.01;

/** Keys of the last answers, to tell a customer's share of the traffic. */
const SHARE_WINDOW = 100;

/**
 * The shared limiter: `const permit = await limiter.acquire(customerId, signal)`, send, then
 * `permit.done(outcome)`. See the file comment.
 */
export class Limiter {
  private readonly o: PacingOptions;
  private readonly partner: Lane;
  private readonly cap: Lane | undefined;
  private readonly customers = new Map<string, Lane>();
  private readonly queue: Waiter[] = [];
  private inFlight = 0;
  private runs = 0;
  private strays = 0;
  private timer: { at: number; cancel: AbortController } | undefined;
  /** Exponentially weighted counts of answers and of 429s (see `noiseHorizon`). */
  private answers = 0;
  private throttled = 0;
  private readonly recent: (string | undefined)[] = [];
  private readonly recentCount = new Map<string, number>();

  constructor(options: Partial<PacingOptions> = {}) {
    this.o = { ...DEFAULT_PACING, ...options };
    const ss = this.o.slowStart;
    this.partner = new Lane(ss ? ss.initialPerSecond : Infinity, ss !== false);
    this.cap =
      this.o.maxRequestsPerMinute === undefined
        ? undefined
        : new Lane(this.o.maxRequestsPerMinute / 60, false, true);
  }

  /**
   * Waits for the right to start one request for `customerId` (or a partner-level request without one).
   * Rejects with `signal`'s reason when it aborts, and with {@link GateClosedError} at once when the scope's
   * gate stays closed more than `maxWaitMs` from now.
   */
  acquire(customerId?: string, signal?: AbortSignal, maxWaitMs = Infinity): Promise<Permit> {
    const key = customerId?.toLowerCase();
    return new Promise<Permit>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason);
        this.pump(); // cancels the timer if no one is left to wake
      };
      const waiter: Waiter = {
        key,
        deadline: this.o.clock.now() + maxWaitMs,
        grant: (p) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(p);
        },
        fail: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Counters for logs and tests. */
  snapshot(): PacingSnapshot {
    const now = this.o.clock.now();
    let limited = 0;
    for (const l of this.customers.values()) if (Number.isFinite(l.rate) || l.gateUntil > now) limited++;
    return {
      inFlight: this.inFlight,
      queued: this.queue.length,
      partnerRate: Math.min(this.partner.rate, this.cap?.rate ?? Infinity),
      partnerGateOpenInMs: Math.max(0, this.partner.gateUntil - now),
      limitedCustomers: limited,
      throttledShare: this.throttledShare(),
      runLength: this.runLength(),
      runs: this.runs,
      strays: this.strays,
    };
  }

  /** Starts every waiter that may start now, in order; then sets a timer for the next one. */
  private pump(): void {
    const now = this.o.clock.now();
    let wakeAt = Infinity;
    for (let i = 0; i < this.queue.length && this.inFlight < this.o.maxConcurrency;) {
      const w = this.queue[i]!;
      const lanes = this.lanesFor(w.key, now);
      let gate = 0;
      let t = now;
      for (const l of lanes) {
        gate = Math.max(gate, l.gateUntil);
        t = Math.max(t, l.gateUntil, l.next);
      }
      if (gate > w.deadline) {
        // A Retry-After longer than this caller can wait: fail now, as throttled, rather than at the deadline.
        this.queue.splice(i, 1);
        w.fail(new GateClosedError(gate - now));
        continue;
      }
      if (t > now + EPSILON_MS) {
        wakeAt = Math.min(wakeAt, t);
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      for (const l of lanes) {
        l.increase(this.o, now);
        l.next = Number.isFinite(l.rate) ? now + 1000 / l.rate : now;
      }
      this.inFlight++;
      w.grant(this.permit({ key: w.key, sentAt: now }));
    }
    if (this.timer && (this.timer.at !== wakeAt || this.queue.length === 0)) {
      this.timer.cancel.abort();
      this.timer = undefined;
    }
    if (!this.timer && Number.isFinite(wakeAt) && this.queue.length > 0) {
      const timer = { at: wakeAt, cancel: new AbortController() };
      this.timer = timer;
      void this.o.clock.sleep(wakeAt - now, timer.cancel.signal).then(() => {
        if (timer.cancel.signal.aborted) return;
        this.timer = undefined;
        this.pump();
      });
    }
  }

  private permit(h: Held): Permit {
    let finished = false;
    return {
      done: (outcome) => {
        if (finished) return;
        finished = true;
        this.inFlight--;
        if (outcome.kind === "served") this.onServed(h);
        else if (outcome.kind === "throttled") this.onThrottled(h, outcome.retryAfterMs);
        this.pump();
      },
    };
  }

  private lanesFor(key: string | undefined, now: number): Lane[] {
    const lanes = [this.partner];
    if (this.cap) lanes.push(this.cap);
    if (key !== undefined) lanes.push(this.customerLane(key, now));
    return lanes;
  }

  private customerLane(key: string, now: number): Lane {
    let lane = this.customers.get(key);
    if (lane) {
      this.customers.delete(key); // keep the Map in least-recently-used order
    } else {
      lane = new Lane(Infinity, false);
      lane.cycleStart = now;
    }
    this.customers.set(key, lane);
    for (const [k, l] of this.customers) {
      if (this.customers.size <= this.o.maxTrackedKeys) break;
      if (k !== key && l.gateUntil <= now) this.customers.delete(k);
    }
    return lane;
  }

  /** Share of 429s among recent answers, with the prior weighed in. */
  private throttledShare(): number {
    const { share, weight } = this.o.noisePrior;
    return (this.throttled + share * weight) / (this.answers + weight);
  }

  /** The shortest run of 429s that stray ones would make with a chance of at most `falseAlarm`. */
  private runLength(): number {
    const p = Math.min(0.5, this.throttledShare());
    return Math.min(8, Math.max(1, Math.ceil(Math.log(this.o.falseAlarm) / Math.log(p) - 1e-9)));
  }

  /** Counts one answer for the 429 share and the customers' shares of the traffic. */
  private record(key: string | undefined, throttled: boolean): void {
    const keep = 1 - 1 / this.o.noiseHorizon;
    this.answers = this.answers * keep + 1;
    this.throttled = this.throttled * keep + (throttled ? 1 : 0);
    this.recent.push(key);
    if (key !== undefined) this.recentCount.set(key, (this.recentCount.get(key) ?? 0) + 1);
    if (this.recent.length > SHARE_WINDOW) {
      const old = this.recent.shift();
      if (old !== undefined) {
        const n = (this.recentCount.get(old) ?? 1) - 1;
        if (n > 0) this.recentCount.set(old, n);
        else this.recentCount.delete(old);
      }
    }
  }

  private onServed(h: Held): void {
    this.record(h.key, false);
    const lanes = [this.partner];
    if (h.key !== undefined) {
      const c = this.customers.get(h.key);
      if (c) lanes.push(c);
    }
    for (const l of lanes) {
      if (l.cycleStart === undefined || h.sentAt >= l.cycleStart) l.served++;
      // Served after the run began: the bucket had room, so the run's 429s were stray.
      if (l.run && h.sentAt >= l.run.startedAt) l.run = undefined;
    }
    const ss = this.o.slowStart;
    if (this.partner.slowStart && ss) {
      this.partner.rate *= 1 + ss.growthPerResponse;
      if (this.partner.rate >= ss.unlimitedAbovePerSecond) {
        this.partner.rate = Infinity;
        this.partner.slowStart = false;
      }
    }
  }

  private onThrottled(h: Held, retryAfterMs: number): void {
    const now = this.o.clock.now();
    const until = now + Math.max(0, retryAfterMs);
    // Every 429 is waited out by its own customer's scope (the throttled request waits it out too).
    const own = h.key === undefined ? undefined : this.customerLane(h.key, now);
    if (own) own.extendGate(until);
    const lane = own && !this.smallShare(h.key!) ? own : this.partner;
    if (h.sentAt < lane.lastDecreaseAt) {
      // Sent before the last cut: part of the run that caused it.
      lane.extendGate(until);
      return;
    }
    const k = this.runLength();
    this.record(h.key, true);
    const run = (lane.run ??= { startedAt: now, count: 0, until });
    run.count++;
    run.until = Math.max(run.until, until);
    if (run.count < k) {
      // Not (yet) evidence of a full bucket. Its slot is given back: a 429 the limit did not cause used no
      // budget, and the retry is a request the rate has to make room for.
      this.strays++;
      if (Number.isFinite(this.partner.rate)) {
        this.partner.next = Math.max(
          now,
          this.partner.gateUntil,
          this.partner.next - 1000 / this.partner.rate,
        );
      }
      return;
    }
    // The run was the limit, not noise: only its first 429 (which looked like any stray one) stays counted.
    this.strays -= run.count - 1;
    this.throttled = Math.max(0, this.throttled - (run.count - 1));
    this.runs++;
    lane.run = undefined;
    const before = lane.rate;
    lane.decrease(this.o, run.until, now);
    const scope = lane === this.partner ? "every request of the partner" : `customer ${h.key!}`;
    const perMinute = (r: number): string => (Number.isFinite(r) ? `${Math.round(r * 60)}/min` : "unlimited");
    const then = !Number.isFinite(lane.rate)
      ? "then goes on unpaced (too few answers yet to measure a rate)"
      : `then goes at ${perMinute(lane.rate)}${lane.rate === before ? "" : ` (was ${perMinute(before)})`}, climbing back as answers come`;
    this.o.log(
      `Partner Center throttling: ${run.count} 429 answer(s) in a row, taken as the limit; ${scope} waits ` +
        `${Math.ceil((run.until - now) / 1000)} s (Retry-After), ${then}.`,
    );
  }

  /** True when `key` made a small share of the recent answers: its 429 is the partner's limit. */
  private smallShare(key: string): boolean {
    if (this.recent.length < 10) return false;
    return (this.recentCount.get(key) ?? 0) <= this.o.customerShareForPartnerScope * this.recent.length;
  }
}
