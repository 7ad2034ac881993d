/**
 * client/core/pacing-options.ts: the limiter's defaults (the numbers docs/design/pacing.md promises), how a
 * limiter takes them, its clock, and the error of a scope closed past a caller's deadline.
 */
import { Limiter } from "../../../provider/src/client/core/pacing";
import {
  DEFAULT_PACING,
  GateClosedError,
  MAX_TIMER_MS,
  systemClock,
  type Permit,
} from "../../../provider/src/client/core/pacing-options";
import * as wait from "../../../provider/src/client/core/wait";
import { FakeClock, flush } from "./fake-clock";

describe("DEFAULT_PACING", () => {
  test("the documented numbers: 32 in flight, no fixed cap, a cut to 0.9, back to 0.97, 0.5 % false alarms", () => {
    expect(DEFAULT_PACING).toMatchObject({
      maxConcurrency: 32,
      maxRequestsPerMinute: undefined,
      decreaseFactor: 0.9,
      nearLimit: 0.97,
      falseAlarm: 0.005,
    });
  });

  test("the climb from a cut back to 0.97 of the measure takes about 1.5 s", () => {
    const seconds =
      (DEFAULT_PACING.nearLimit - DEFAULT_PACING.decreaseFactor) / DEFAULT_PACING.increasePerSecond;
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThanOrEqual(1.5);
  });

  test("the real clock, the one wait.ts schedules on, and Node's longest timer", () => {
    expect(DEFAULT_PACING.clock).toBe(systemClock);
    expect(systemClock).toBe(wait.systemClock);
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });
});

describe("a limiter on the defaults", () => {
  /** Starts `n` acquires and returns how many were granted at once. */
  async function grantedAtOnce(l: Limiter, n: number): Promise<Permit[]> {
    const granted: Permit[] = [];
    for (let i = 0; i < n; i++) void l.acquire(`c${i}`).then((p) => granted.push(p));
    await flush();
    return granted;
  }

  test("without options: 32 in flight, the partner lane slow-starting at 300 per second", async () => {
    const clock = new FakeClock();
    const l = new Limiter({ clock });
    expect(l.snapshot().partnerRate).toBe(300);
    // Slow start spaces the starts; run the clock until every one that may start has.
    for (let i = 0; i < 40; i++) void l.acquire(`c${i}`);
    await clock.runUntil(1_000);
    expect(l.snapshot()).toMatchObject({ inFlight: 32, queued: 8 });
  });

  test("an option given replaces that field only", async () => {
    const clock = new FakeClock();
    const two = new Limiter({ clock, maxConcurrency: 2 });
    expect(two.snapshot().partnerRate).toBe(300); // slow start kept
    const noSlowStart = new Limiter({ clock, slowStart: false });
    expect(noSlowStart.snapshot().partnerRate).toBe(Infinity);
    expect(await grantedAtOnce(noSlowStart, 40)).toHaveLength(32); // concurrency kept
  });

  test("a fixed cap per minute becomes the partner rate", () => {
    const l = new Limiter({ clock: new FakeClock(), slowStart: false, maxRequestsPerMinute: 120 });
    expect(l.snapshot().partnerRate).toBe(2);
  });
});

test("GateClosedError: how long the scope stays closed, in ms, and in whole seconds rounded up", () => {
  const e = new GateClosedError(1_001);
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe("GateClosedError");
  expect(e.waitMs).toBe(1_001);
  expect(e.message).toBe("The throttled scope reopens in 2 s, after this request's deadline.");
  expect(new GateClosedError(86_400_000).message).toContain("reopens in 86400 s");
});
