/**
 * Pacing: one limiter shared by every caller of a client (so by every resource of a provider process).
 *
 * Partner Center throttles some APIs per partner tenant and others per partner and customer tenant ("500
 * requests per minute per tenant identifier" on the customer and subscription pages), in fixed windows, and
 * does not publish every limit (shared/partner-center-api.md, "Throttling"). So nothing is assumed up front:
 *
 * 1. At most `maxConcurrency` requests in flight.
 * 2. An adaptive rate per throttle scope actually observed (AIMD). A "lane" holds a rate, a gate and counters:
 *    one partner lane that every request passes, and one lane per customer. Until the first 429 customer
 *    lanes are unlimited and the partner lane only does a short slow start (below). A 429 closes the gate of
 *    its scope until its Retry-After, and that lane's rate drops to `decreaseFactor` x the rate the service
 *    served over the cycle that just ended (answers between the previous reopening and the new one; with
 *    fixed windows this spans whole windows, so it measures the limit itself, not a burst). The rate then
 *    climbs back by a fraction of that measure per second (additive increase): quickly up to `nearLimit` x
 *    the measure, very slowly beyond, so a throttled run settles just under the limit instead of bouncing
 *    off it. Several 429s of requests already in flight count as one event.
 * 3. An optional fixed cap (`maxRequestsPerMinute`), as evenly spaced starts.
 *
 * Which scope a 429 belongs to is learned from the service's own answers:
 * - no customer in the request (customer list, invitation link): partner-wide by definition;
 * - a customer with a small share of the recent answers (`customerShareForPartnerScope`): partner-wide, since a
 *   per-customer limit is only reached by a customer that makes much of the traffic;
 * - otherwise the question stays open: customer K's gate closes and the other customers go one request at a
 *   time (a probe; requests in flight sent after K's count too). Served: the limit is K's own, only K slows
 *   down. Throttled: partner-wide, every caller waits and the partner lane slows down; later 429s are then
 *   taken as partner-wide for `scopeMemoryMs`.
 *
 * Slow start: with many callers and a fast service, every request in flight when a fixed window runs out is
 * answered 429. Starting the partner lane at `slowStart.initialPerSecond`, evenly spaced, and multiplying the
 * rate by (1 + `growthPerResponse`) per answer keeps that burst to a request or two on a fast link, and
 * reaches unlimited after about 200 answers (some 0.2 s). On a slow link the burst is bounded by
 * `maxConcurrency` (requests already sent cannot be recalled).
 *
 * Waiters form one FIFO queue. Each pass starts, in order, every waiter whose lanes allow it now (a waiter
 * held by its own customer's gate does not hold back the others) and sets one timer for the next.
 */

/** Time source, injectable for tests. Times are milliseconds on a monotonic clock. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock: `performance.now()` and unref'd timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

/** Limiter options. Every field has a default ({@link DEFAULT_PACING}). */
export interface PacingOptions {
  /** Requests in flight at once. */
  maxConcurrency: number;
  /** Fixed cap on starts per minute, evenly spaced; `undefined`: none. */
  maxRequestsPerMinute: number | undefined;
  /** After a 429 the rate becomes this × the rate served over the cycle that ended. */
  decreaseFactor: number;
  /** Additive increase per second of activity, as a fraction of the measured rate, below `nearLimit`. */
  increasePerSecond: number;
  /** Additive increase per second of activity above `nearLimit` (probing for a raised limit). */
  probePerSecond: number;
  /** Fraction of the measured rate up to which the rate climbs quickly. */
  nearLimit: number;
  /** The rate never drops below this (requests per second). */
  minRatePerSecond: number;
  /** A 429 after fewer answers than this in the cycle only closes the gate: too little to measure a rate. */
  minServedToMeasure: number;
  /** Slow start of the partner lane; `false` for none (unlimited until the first 429). */
  slowStart: { initialPerSecond: number; growthPerResponse: number; unlimitedAbovePerSecond: number } | false;
  /**
   * A 429 for a customer whose share of the responses served recently is at most this is taken as
   * partner-wide at once (no probe).
   */
  customerShareForPartnerScope: number;
  /** How long a partner-wide 429 makes later 429s count as partner-wide without probing. */
  scopeMemoryMs: number;
  /** Customer lanes kept at most (least recently used ones are forgotten). */
  maxTrackedKeys: number;
  clock: Clock;
}

/** Defaults of {@link PacingOptions}. */
export const DEFAULT_PACING: PacingOptions = {
  maxConcurrency: 32,
  maxRequestsPerMinute: undefined,
  decreaseFactor: 0.9,
  increasePerSecond: 0.01,
  probePerSecond: 0.001,
  nearLimit: 0.97,
  minRatePerSecond: 0.1,
  minServedToMeasure: 5,
  slowStart: { initialPerSecond: 300, growthPerResponse: 0.02, unlimitedAbovePerSecond: 20_000 },
  customerShareForPartnerScope: 0.1,
  scopeMemoryMs: 10 * 60_000,
  maxTrackedKeys: 10_000,
  clock: systemClock,
};

/** How a paced request ended. */
export type Outcome =
  /** The service answered (any status but 429): it counts as served. */
  | { kind: "served" }
  /** HTTP 429 with the wait it asked for. */
  | { kind: "throttled"; retryAfterMs: number }
  /** No answer (connection error, timeout, abort): says nothing about the limit. */
  | { kind: "failed" };

/** A granted start; call {@link Permit.done} exactly once. */
export interface Permit {
  done(outcome: Outcome): void;
}

/** A snapshot for logs and tests. */
export interface PacingSnapshot {
  inFlight: number;
  queued: number;
  /** Requests per second allowed by the partner lane (Infinity: unlimited). */
  partnerRate: number;
  partnerGateOpenInMs: number;
  /** Customer lanes currently rate-limited. */
  limitedCustomers: number;
  /** Partner-wide throttling observed within `scopeMemoryMs`. */
  partnerScope: boolean;
}

/** One throttle scope: the partner, a customer, or the fixed cap. */
class Lane {
  rate: number;
  /** Earliest start of the next request (even spacing at `rate`). */
  next = 0;
  gateUntil = 0;
  estimate: number | undefined;
  served = 0;
  cycleStart: number | undefined;
  /** Requests sent before this time belong to the last decrease: their 429s only extend the gate. */
  lastDecreaseAt = -Infinity;
  lastIncrease = 0;
  slowStart: boolean;
  constructor(rate: number, slowStart: boolean) {
    this.rate = rate;
    this.slowStart = slowStart;
  }
}

/** An open question: was this 429 for customer `key` per customer or partner-wide? */
interface Pending {
  key: string;
  /** When the throttled request was sent: requests sent later are evidence of the scope. */
  sentAt: number;
  startedAt: number;
  until: number;
  probeInFlight: boolean;
}

interface Held {
  key: string | undefined;
  sentAt: number;
  probe: boolean;
  pending: Pending | undefined;
}

interface Waiter {
  key: string | undefined;
  grant(p: Permit): void;
}

/**
 * The shared limiter: `const permit = await limiter.acquire(customerId, signal)`, send, then
 * `permit.done(outcome)`. Waiters form one FIFO queue; each pass starts, in order, every waiter whose lanes
 * allow it now (a waiter held by its own customer's gate does not hold the others back), then sets one timer
 * for the earliest time another could start.
 */
export class Limiter {
  private readonly o: PacingOptions;
  private readonly partner: Lane;
  private readonly cap: Lane | undefined;
  private readonly customers = new Map<string, Lane>();
  private readonly queue: Waiter[] = [];
  private pending: Pending | undefined;
  private partnerScopeUntil = -Infinity;
  private inFlight = 0;
  private timer: { at: number; cancel: AbortController } | undefined;

  constructor(options: Partial<PacingOptions> = {}) {
    this.o = { ...DEFAULT_PACING, ...options };
    const ss = this.o.slowStart;
    this.partner = new Lane(ss ? ss.initialPerSecond : Infinity, ss !== false);
    this.cap =
      this.o.maxRequestsPerMinute === undefined
        ? undefined
        : new Lane(this.o.maxRequestsPerMinute / 60, false);
  }

  /** Waits for the right to start one request for `customerId` (or a partner-level request without one). */
  acquire(customerId?: string, signal?: AbortSignal): Promise<Permit> {
    const key = customerId?.toLowerCase();
    return new Promise<Permit>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        key,
        grant: (p) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(p);
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
      partnerScope: this.partnerScopeUntil > now,
    };
  }

  /** Starts every waiter that may start now, in order; then sets a timer for the next one. */
  private pump(): void {
    const now = this.o.clock.now();
    if (this.pending && now >= this.pending.until) this.resolveCustomer(this.pending);
    let wakeAt = Infinity;
    for (let i = 0; i < this.queue.length && this.inFlight < this.o.maxConcurrency;) {
      const w = this.queue[i]!;
      const p = this.pending;
      // While a 429's scope is unknown, other customers go one at a time (the probe).
      const probe = p !== undefined && w.key !== p.key;
      if (probe && p.probeInFlight) {
        wakeAt = Math.min(wakeAt, p.until);
        i++;
        continue;
      }
      const lanes = this.lanesFor(w.key, now);
      let t = now;
      for (const l of lanes) t = Math.max(t, l.gateUntil, l.next);
      if (t > now) {
        wakeAt = Math.min(wakeAt, t);
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      for (const l of lanes) {
        this.increase(l, now);
        l.next = Number.isFinite(l.rate) ? now + 1000 / l.rate : now;
      }
      if (probe) p.probeInFlight = true;
      this.inFlight++;
      w.grant(this.permit({ key: w.key, sentAt: now, probe, pending: probe ? p : undefined }));
    }
    if (this.timer && this.timer.at !== wakeAt) {
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
        if (h.probe && h.pending && this.pending === h.pending) h.pending.probeInFlight = false;
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

  private increase(l: Lane, now: number): void {
    l.cycleStart ??= now;
    const dt = Math.min(1000, Math.max(0, now - l.lastIncrease));
    l.lastIncrease = now;
    if (l.slowStart || l === this.cap || l.estimate === undefined || !Number.isFinite(l.rate)) return;
    const fraction =
      l.rate < this.o.nearLimit * l.estimate ? this.o.increasePerSecond : this.o.probePerSecond;
    l.rate += (fraction * l.estimate * dt) / 1000;
  }

  private onServed(h: Held): void {
    const lanes = [this.partner];
    if (h.key !== undefined) {
      const c = this.customers.get(h.key);
      if (c) lanes.push(c);
    }
    for (const l of lanes) if (l.cycleStart === undefined || h.sentAt >= l.cycleStart) l.served++;
    const ss = this.o.slowStart;
    if (this.partner.slowStart && ss) {
      this.partner.rate *= 1 + ss.growthPerResponse;
      if (this.partner.rate >= ss.unlimitedAbovePerSecond) {
        this.partner.rate = Infinity;
        this.partner.slowStart = false;
      }
    }
    const p = this.pending;
    // Sent after K's throttled request, for another customer, and served: the partner still had quota.
    if (p && h.key !== p.key && h.sentAt >= p.sentAt) this.resolveCustomer(p);
  }

  private onThrottled(h: Held, retryAfterMs: number): void {
    const now = this.o.clock.now();
    const until = now + Math.max(0, retryAfterMs);
    const p = this.pending;
    if (h.key === undefined || this.partnerScopeUntil > now) return this.partnerEvent(h, until, now);
    if (p && h.key !== p.key) {
      // Another customer throttled, sent after K's throttled request: the limit is the partner's.
      if (h.sentAt >= p.sentAt) return this.partnerEvent(h, Math.max(until, p.until), now);
      this.extendGate(this.customerLane(h.key, now), until);
      return;
    }
    const lane = this.customerLane(h.key, now);
    if (p) {
      this.extendGate(lane, until);
      p.until = Math.max(p.until, until);
      return;
    }
    if (h.sentAt < lane.lastDecreaseAt) return this.extendGate(lane, until);
    // A per-customer limit (500 a minute) is reached only by a customer that made much of the recent traffic;
    // a customer with a small share was throttled by the partner's limit.
    if (
      this.partner.served >= 10 &&
      lane.served <= this.o.customerShareForPartnerScope * this.partner.served
    ) {
      return this.partnerEvent(h, until, now);
    }
    this.extendGate(lane, until);
    this.pending = { key: h.key, sentAt: h.sentAt, startedAt: now, until, probeInFlight: false };
  }

  private extendGate(l: Lane, until: number): void {
    l.gateUntil = Math.max(l.gateUntil, until);
    l.next = Math.max(l.next, l.gateUntil);
  }

  private decrease(l: Lane, until: number, now: number): void {
    this.extendGate(l, until);
    l.lastDecreaseAt = now;
    // Too few answers to measure a rate (another process may have used the budget): honour the gate only.
    if (l.served < this.o.minServedToMeasure) return;
    const span = Math.max(1, until - (l.cycleStart ?? now));
    const measured = (l.served * 1000) / span;
    l.estimate = Math.max(this.o.minRatePerSecond, measured);
    l.rate = Math.max(this.o.minRatePerSecond, this.o.decreaseFactor * measured);
    l.slowStart = false;
    l.cycleStart = l.gateUntil;
    l.served = 0;
  }

  private partnerEvent(h: Held, until: number, now: number): void {
    this.partnerScopeUntil = now + this.o.scopeMemoryMs;
    this.pending = undefined;
    if (h.sentAt < this.partner.lastDecreaseAt) this.extendGate(this.partner, until);
    else this.decrease(this.partner, until, now);
  }

  private resolveCustomer(p: Pending): void {
    if (this.pending !== p) return;
    this.pending = undefined;
    const lane = this.customers.get(p.key);
    if (lane) this.decrease(lane, p.until, p.startedAt);
  }
}
