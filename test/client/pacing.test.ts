/**
 * The limiter on a fake clock: concurrency bound, fixed cap spacing, the 429 gate for every caller, the scope
 * of a 429 learned from the service, and a simulated fixed-window throttle like the emulator's (the window
 * starts with the first request; Retry-After in whole seconds, rounded up).
 */
import { Limiter, type PacingOptions, type Permit } from "../../provider/src/client/pacing";
import { FakeClock, flush } from "./fake-clock";

function limiter(clock: FakeClock, o: Partial<PacingOptions> = {}): Limiter {
  return new Limiter({ clock, slowStart: false, ...o });
}

/** Starts an acquire and records when it was granted. */
function track(l: Limiter, clock: FakeClock, key?: string) {
  const r: { at?: number; permit?: Permit } = {};
  void l.acquire(key).then((p) => {
    r.at = clock.now();
    r.permit = p;
  });
  return r;
}

describe("Limiter", () => {
  test("bounds the requests in flight", async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { maxConcurrency: 2 });
    const a = track(l, clock, "a");
    const b = track(l, clock, "b");
    const c = track(l, clock, "c");
    await flush();
    expect([a.at, b.at, c.at]).toEqual([0, 0, undefined]);
    expect(l.snapshot().inFlight).toBe(2);
    a.permit!.done({ kind: "served" });
    await flush();
    expect(c.at).toBe(0);
  });

  test("maxRequestsPerMinute spaces starts evenly", async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { maxRequestsPerMinute: 60 });
    const rs = [track(l, clock, "a"), track(l, clock, "b"), track(l, clock), track(l, clock, "a")];
    await clock.runUntil(5000);
    expect(rs.map((r) => r.at)).toEqual([0, 1000, 2000, 3000]);
  });

  test("unlimited until the first 429 when slow start is off", async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { maxConcurrency: 100 });
    const rs = Array.from({ length: 50 }, (_, i) => track(l, clock, `c${i}`));
    await flush();
    expect(rs.every((r) => r.at === 0)).toBe(true);
  });

  test("slow start spaces the first requests, then reaches unlimited", async () => {
    const clock = new FakeClock();
    const l = new Limiter({
      clock,
      maxConcurrency: 1000,
      slowStart: { initialPerSecond: 100, growthPerResponse: 0.5, unlimitedAbovePerSecond: 1000 },
    });
    const first = [track(l, clock, "a"), track(l, clock, "b")];
    await clock.runUntil(0);
    expect(first[0]!.at).toBe(0);
    expect(first[1]!.at).toBeUndefined(); // 10 ms later at 100/s
    await clock.runUntil(10);
    expect(first[1]!.at).toBe(10);
    for (let i = 0; i < 10; i++) {
      const r = track(l, clock, `x${i}`);
      await clock.runUntil(clock.now() + 20);
      r.permit!.done({ kind: "served" });
    }
    expect(l.snapshot().partnerRate).toBe(Infinity);
  });

  test("a 429 without a customer closes the gate for every caller until Retry-After", async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    const p = await l.acquire();
    p.done({ kind: "throttled", retryAfterMs: 2000 });
    const rs = [track(l, clock, "a"), track(l, clock, "b"), track(l, clock)];
    await clock.runUntil(1999);
    expect(rs.map((r) => r.at)).toEqual([undefined, undefined, undefined]);
    await clock.runUntil(2000);
    expect(rs[0]!.at).toBe(2000);
    expect(l.snapshot().partnerScope).toBe(true);
  });

  test("a per-customer throttle holds that customer only, once a probe shows others are served", async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    // Customer "hot" made all the traffic: its 429 is ambiguous.
    for (let i = 0; i < 20; i++) (await l.acquire("hot")).done({ kind: "served" });
    (await l.acquire("hot")).done({ kind: "throttled", retryAfterMs: 5000 });
    const hot = track(l, clock, "hot");
    const probe = track(l, clock, "cold1");
    const other = track(l, clock, "cold2");
    await flush();
    expect(probe.at).toBe(0); // one probe goes
    expect(other.at).toBeUndefined(); // the others wait for its answer
    probe.permit!.done({ kind: "served" });
    await clock.runUntil(1);
    expect(other.at).toBe(0);
    expect(hot.at).toBeUndefined();
    expect(l.snapshot().partnerScope).toBe(false);
    expect(l.snapshot().limitedCustomers).toBe(1);
    await clock.runUntil(5000);
    expect(hot.at).toBe(5000);
  });

  test("a partner-wide throttle found by the probe holds every caller", async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    for (let i = 0; i < 20; i++) (await l.acquire("hot")).done({ kind: "served" });
    (await l.acquire("hot")).done({ kind: "throttled", retryAfterMs: 5000 });
    const probe = track(l, clock, "cold1");
    const other = track(l, clock, "cold2");
    await flush();
    probe.permit!.done({ kind: "throttled", retryAfterMs: 5000 });
    await clock.runUntil(4999);
    expect(other.at).toBeUndefined();
    expect(l.snapshot().partnerScope).toBe(true);
    await clock.runUntil(5000);
    expect(other.at).toBe(5000);
  });

  test("a 429 for a customer with a small share of the traffic is partner-wide at once", async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    for (let i = 0; i < 30; i++) (await l.acquire(`c${i}`)).done({ kind: "served" });
    (await l.acquire("c31")).done({ kind: "throttled", retryAfterMs: 3000 });
    const r = track(l, clock, "c40");
    await clock.runUntil(2999);
    expect(r.at).toBeUndefined();
    await clock.runUntil(3000);
    expect(r.at).toBe(3000);
  });

  test("after a 429 the rate drops to 0.9 x what was served over the cycle", async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    for (let i = 0; i < 60; i++) (await l.acquire(`c${i}`)).done({ kind: "served" });
    await clock.runUntil(1000);
    (await l.acquire("z")).done({ kind: "throttled", retryAfterMs: 5000 });
    // 60 served from 0 to the reopening at 6000 ms: 10/s, so 9/s.
    expect(l.snapshot().partnerRate).toBeCloseTo(9, 5);
  });

  test("an aborted wait rejects and frees nothing it did not take", async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { maxConcurrency: 1 });
    const held = await l.acquire("a");
    const ac = new AbortController();
    const waiting = l.acquire("b", ac.signal);
    ac.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    held.done({ kind: "served" });
    expect(l.snapshot().inFlight).toBe(0);
  });
});

/**
 * 32 callers against a partner-wide fixed-window throttle of 50 requests per 6 s (as the benchmark), every
 * request to a different customer, 2 ms per request.
 */
async function simulate(o: {
  limit: number;
  windowMs: number;
  scope: "partner" | "customer";
  callers: number;
  durationMs: number;
  latencyMs: number;
  keys: (caller: number, n: number) => string;
}) {
  const clock = new FakeClock();
  const l = new Limiter({ clock, maxConcurrency: 32 });
  const windows = new Map<string, { start: number; count: number }>();
  let served = 0;
  let throttled = 0;
  let stop = false;
  const take = (key: string): number | undefined => {
    const now = clock.now();
    let w = windows.get(key);
    if (!w || now >= w.start + o.windowMs) windows.set(key, (w = { start: now, count: 0 }));
    if (w.count >= o.limit) return Math.max(1, Math.ceil((w.start + o.windowMs - now) / 1000)) * 1000;
    w.count++;
    return undefined;
  };
  async function caller(i: number): Promise<void> {
    for (let n = 0; !stop; n++) {
      const key = o.keys(i, n);
      const permit = await l.acquire(key);
      if (stop) return permit.done({ kind: "failed" });
      const wait = take(o.scope === "partner" ? "p" : key);
      await clock.sleep(o.latencyMs, new AbortController().signal);
      if (wait === undefined) {
        served++;
        permit.done({ kind: "served" });
      } else {
        throttled++;
        permit.done({ kind: "throttled", retryAfterMs: wait });
        n--; // retry the same request
      }
    }
  }
  const all = Array.from({ length: o.callers }, (_, i) => caller(i));
  await clock.runUntil(o.durationMs);
  stop = true;
  await clock.runUntil(o.durationMs + 60_000);
  await Promise.all(all);
  const allowed = (o.limit * o.durationMs) / o.windowMs;
  return { served, throttled, utilisation: served / allowed, share429: throttled / (served + throttled) };
}

describe("Limiter under a simulated fixed-window throttle", () => {
  test("partner-wide 50 per 6 s, 32 callers: >= 90 % of the allowed rate, <= 1 % answered 429", async () => {
    const r = await simulate({
      limit: 50,
      windowMs: 6000,
      scope: "partner",
      callers: 32,
      durationMs: 120_000,
      latencyMs: 2,
      keys: (i, n) => `customer-${i}-${n}`,
    });
    expect(r.utilisation).toBeGreaterThanOrEqual(0.9);
    expect(r.share429).toBeLessThanOrEqual(0.01);
  });

  test("per-customer 50 per 6 s, all callers on one customer: same bounds", async () => {
    const r = await simulate({
      limit: 50,
      windowMs: 6000,
      scope: "customer",
      callers: 32,
      durationMs: 120_000,
      latencyMs: 2,
      keys: () => "one-customer",
    });
    expect(r.utilisation).toBeGreaterThanOrEqual(0.9);
    expect(r.share429).toBeLessThanOrEqual(0.01);
  });
});
