/** A manual clock for the limiter: time moves only when the test runs it. */
import type { Clock } from "../../../provider/src/client/core/pacing";

export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

export class FakeClock implements Clock {
  t = 0;
  private timers: { at: number; resolve: () => void }[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = { at: this.t + Math.max(0, ms), resolve };
      this.timers.push(timer);
      signal.addEventListener(
        "abort",
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Timers not yet fired or cancelled. */
  pending(): number {
    return this.timers.length;
  }

  /** When the earliest pending timer fires (Infinity: none). */
  nextAt(): number {
    let next = Infinity;
    for (const x of this.timers) next = Math.min(next, x.at);
    return next;
  }

  /** Runs every timer due up to `t`, in time order, letting promise chains settle in between. */
  async runUntil(t: number): Promise<void> {
    for (;;) {
      await flush();
      let next = Infinity;
      for (const x of this.timers) next = Math.min(next, x.at);
      if (next > t) break;
      this.t = Math.max(this.t, next);
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers = this.timers.filter((x) => x.at > this.t);
      for (const x of due) x.resolve();
    }
    this.t = Math.max(this.t, t);
    await flush();
  }
}
