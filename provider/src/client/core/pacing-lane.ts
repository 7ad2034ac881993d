/**
 * Pacing's throttle scopes (pacing.ts has the design): a lane holds one scope's rate, gate and counters (the
 * partner, a customer, or the fixed cap), and moves its rate up as requests start and down when a run of 429s
 * is taken as the limit.
 */
import type { PacingOptions } from "./pacing-options";

/** Consecutive 429s of a lane, not yet broken by a served answer. */
export interface Run {
  /** When its first 429 arrived: answers to requests sent since then are evidence. */
  startedAt: number;
  count: number;
  until: number;
}

/** One throttle scope: the partner, a customer, or the fixed cap. */
export class Lane {
  rate: number;
  /** Earliest start of the next request (even spacing at `rate`). */
  next = 0;
  gateUntil = 0;
  estimate: number | undefined;
  served = 0;
  cycleStart: number | undefined;
  /** Requests sent before this time belong to the last cut: their 429s only extend the gate. */
  lastDecreaseAt = -Infinity;
  lastIncrease = 0;
  /** When the rate reached `nearLimit` x the estimate (the probe starts). */
  plateauSince: number | undefined;
  slowStart: boolean;
  run: Run | undefined;
  /**
   * @param fixed The fixed cap (`maxRequestsPerMinute`): its rate never moves.
   */
  constructor(
    rate: number,
    slowStart: boolean,
    readonly fixed = false,
  ) {
    this.rate = rate;
    this.slowStart = slowStart;
  }

  /** Climbs back towards, then probes beyond, the estimate (additive increase, CUBIC-shaped). */
  increase(o: PacingOptions, now: number): void {
    this.cycleStart ??= now;
    const dt = Math.min(1000, Math.max(0, now - this.lastIncrease));
    this.lastIncrease = now;
    if (this.slowStart || this.fixed || this.estimate === undefined || !Number.isFinite(this.rate)) return;
    const target = o.nearLimit * this.estimate;
    if (this.rate < target) {
      this.rate = Math.min(target, this.rate + (o.increasePerSecond * this.estimate * dt) / 1000);
      if (this.rate >= target) this.plateauSince = now;
      return;
    }
    this.plateauSince ??= now;
    const boost = Math.min(64, 2 ** ((now - this.plateauSince) / o.probeDoublingMs));
    this.rate += (o.probePerSecond * boost * this.estimate * dt) / 1000;
  }

  /** Closes the gate until `until` (a Retry-After), pushing the next start behind it. */
  extendGate(until: number): void {
    this.gateUntil = Math.max(this.gateUntil, until);
    this.next = Math.max(this.next, this.gateUntil);
  }

  /**
   * A run of 429s taken as the limit: closes the gate until `until`, measures the limit from the answers served
   * over the cycle that ends, and cuts the rate to `decreaseFactor` x that measure (multiplicative decrease).
   */
  decrease(o: PacingOptions, until: number, now: number): void {
    this.extendGate(until);
    this.lastDecreaseAt = now;
    this.plateauSince = undefined;
    // Too few answers to measure a rate (another process may have used the budget): honour the gate only.
    if (this.served < o.minServedToMeasure) return;
    const start = this.cycleStart ?? now;
    let estimate: number;
    if (this.estimate === undefined || !Number.isFinite(this.rate)) {
      // From unlimited (or slow start): the burst, then the wait, spans the window; served over both is the limit.
      estimate = (this.served * 1000) / Math.max(1, until - start);
    } else {
      // Paced: the rate served since the last reopening, which is where the bucket ran full (or a stray run
      // struck). One run moves the estimate down by `decreaseFactor` at most (a run right after a reopening,
      // or at a quiet time, measures little), and up no further than the rate the lane was allowed.
      const measured = (this.served * 1000) / Math.max(1, now - start);
      estimate = Math.min(
        Math.max(measured, o.decreaseFactor * this.estimate),
        Math.max(this.estimate, this.rate),
      );
    }
    this.estimate = Math.max(o.minRatePerSecond, estimate);
    this.rate = Math.max(o.minRatePerSecond, o.decreaseFactor * estimate);
    this.slowStart = false;
    this.cycleStart = this.gateUntil;
    this.served = 0;
  }
}
