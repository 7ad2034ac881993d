/**
 * The limiter on a fake clock: concurrency bound, fixed cap spacing, the 429 gate for every caller, the scope
 * of a 429 learned from the service, and a simulated fixed-window throttle like the emulator's (the window
 * starts with the first request; Retry-After in whole seconds, rounded up).
 */
import {
  GateClosedError,
  Limiter,
  type Outcome,
  type PacingOptions,
  type Permit,
} from "../../../provider/src/client/core/pacing";
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

  test("on a clean service the first 429 without a customer closes the gate for every caller", async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const l = limiter(clock, { log: (line) => lines.push(line) });
    expect(l.snapshot().runLength).toBe(1); // no 429s seen: the first one is evidence
    const p = await l.acquire();
    p.done({ kind: "throttled", retryAfterMs: 2000 });
    const rs = [track(l, clock, "a"), track(l, clock, "b"), track(l, clock)];
    await clock.runUntil(1999);
    expect(rs.map((r) => r.at)).toEqual([undefined, undefined, undefined]);
    await clock.runUntil(2000);
    expect(rs[0]!.at).toBe(2000);
    expect(l.snapshot().runs).toBe(1);
    // One line for the operator per run of 429s taken as the limit.
    expect(lines).toEqual([
      "Partner Center throttling: 1 429 answer(s) in a row, taken as the limit; every request of the partner waits 2 s (Retry-After), then goes on unpaced (too few answers yet to measure a rate).",
    ]);
  });

  test("a run of 429s on one dominant customer slows that customer only", async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    // Customer "hot" made all the traffic: a per-customer limit (500 a minute per customer) is plausible.
    for (let i = 0; i < 20; i++) (await l.acquire("hot")).done({ kind: "served" });
    (await l.acquire("hot")).done({ kind: "throttled", retryAfterMs: 5000 });
    const hot = track(l, clock, "hot");
    const others = [track(l, clock, "cold1"), track(l, clock, "cold2"), track(l, clock)];
    await flush();
    expect(others.map((r) => r.at)).toEqual([0, 0, 0]);
    const s = l.snapshot();
    expect(s).toMatchObject({ runs: 1, limitedCustomers: 1, partnerGateOpenInMs: 0, partnerRate: Infinity });
    await clock.runUntil(4999);
    expect(hot.at).toBeUndefined();
    await clock.runUntil(5000);
    expect(hot.at).toBe(5000);
  });

  test("429s in a row from customers with a small share are the partner's limit: every caller waits", async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    for (let i = 0; i < 30; i++) (await l.acquire(`c${i}`)).done({ kind: "served" });
    (await l.acquire("c31")).done({ kind: "throttled", retryAfterMs: 3000 });
    const r = track(l, clock, "c40");
    await clock.runUntil(2999);
    expect(r.at).toBeUndefined();
    expect(l.snapshot().partnerGateOpenInMs).toBe(1);
    await clock.runUntil(3000);
    expect(r.at).toBe(3000);
  });

  test("after a 429 the rate drops to 0.9 x what was served over the cycle", async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const l = limiter(clock, { log: (line) => lines.push(line) });
    for (let i = 0; i < 60; i++) (await l.acquire(`c${i}`)).done({ kind: "served" });
    await clock.runUntil(1000);
    (await l.acquire("z")).done({ kind: "throttled", retryAfterMs: 5000 });
    // 60 served from 0 to the reopening at 6000 ms: 10/s, so 9/s.
    expect(l.snapshot().partnerRate).toBeCloseTo(9, 5);
    expect(lines[0]).toMatch(
      /every request of the partner waits 5 s \(Retry-After\), then goes at 540\/min \(was unlimited\)/,
    );
  });

  test("a Retry-After past a waiter's deadline fails it at once, naming the wait, and leaves no timer", async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    (await l.acquire("k")).done({ kind: "throttled", retryAfterMs: 86_400_000 });
    const e = await l.acquire("k", undefined, 300_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GateClosedError);
    expect((e as GateClosedError).waitMs).toBe(86_400_000);
    expect(clock.pending()).toBe(0);
    // Other customers are not held by customer k's day-long wait.
    const other = track(l, clock, "j");
    await flush();
    expect(other.at).toBe(0);
  });

  test("a waiter that gives up cancels the limiter's timer", async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    (await l.acquire()).done({ kind: "throttled", retryAfterMs: 60_000 });
    const ac = new AbortController();
    const waiting = l.acquire("a", ac.signal).catch((x: unknown) => x);
    await flush();
    expect(clock.pending()).toBe(1);
    ac.abort(new Error("gave up"));
    expect(await waiting).toEqual(new Error("gave up"));
    expect(clock.pending()).toBe(0);
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
 * Callers against a fixed-window throttle like the emulator's (the window starts with the first request;
 * Retry-After in whole seconds, rounded up), optionally with stray 429s; a throttled caller waits its
 * Retry-After and retries, as the transport does. Deterministic: fake clock, seeded generator.
 */
async function simulate(o: {
  limit: number;
  windowMs: number;
  scope: "partner" | "customer";
  callers: number;
  durationMs: number;
  latencyMs: number;
  keys: (caller: number, n: number) => string;
  /** Share of requests answered 429 (Retry-After 1 s) whatever the budget: other tools, hiccups. */
  noise?: number;
}) {
  const clock = new FakeClock();
  const l = new Limiter({ clock, maxConcurrency: 32 });
  const windows = new Map<string, { start: number; count: number }>();
  let served = 0;
  let throttled = 0;
  let stop = false;
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const servedBy = new Array<number>(o.callers).fill(0);
  const take = (key: string): number | undefined => {
    if (random() < (o.noise ?? 0)) return 1000;
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
        servedBy[i]!++;
        permit.done({ kind: "served" });
      } else {
        throttled++;
        permit.done({ kind: "throttled", retryAfterMs: wait });
        await clock.sleep(wait, new AbortController().signal); // the transport waits Retry-After
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
  return {
    served,
    servedBy,
    throttled,
    utilisation: served / allowed,
    share429: throttled / (served + throttled),
    snapshot: l.snapshot(),
  };
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

describe("Limiter under stray 429s (another tool, the portal, hiccups)", () => {
  const base = {
    limit: 50,
    windowMs: 6000,
    scope: "partner" as const,
    callers: 32,
    durationMs: 120_000,
    latencyMs: 2,
    keys: (i: number, n: number) => `customer-${i}-${Math.floor(n / 3)}`,
  };

  test("3 % stray 429s: >= 85 % of the allowed rate", async () => {
    const r = await simulate({ ...base, noise: 0.03 });
    expect(r.utilisation).toBeGreaterThanOrEqual(0.85);
    expect(r.snapshot.strays).toBeGreaterThan(r.snapshot.runs); // most 429s were taken as stray
  });

  test("10 % stray 429s: >= 70 % of the allowed rate", async () => {
    const r = await simulate({ ...base, noise: 0.1 });
    expect(r.utilisation).toBeGreaterThanOrEqual(0.7);
    expect(r.snapshot.runLength).toBeGreaterThanOrEqual(3); // the evidence needed grew with the noise
  });

  test("a customer throttled by its own limit does not slow the other customers", async () => {
    // 4 callers on customer "hot" (limit 50 per 6 s per customer), 4 on ever new customers.
    const r = await simulate({
      ...base,
      scope: "customer",
      callers: 8,
      durationMs: 30_000,
      latencyMs: 20,
      keys: (i, n) => (i < 4 ? "hot" : `cold-${i}-${n}`),
    });
    const cold = r.servedBy.slice(4).reduce((a, b) => a + b, 0);
    // Unthrottled, 4 callers at 20 ms a request serve 4 x 50/s x 30 s = 6000.
    expect(cold).toBeGreaterThanOrEqual(0.95 * 6000);
    const hot = r.servedBy.slice(0, 4).reduce((a, b) => a + b, 0);
    expect(hot / ((50 * 30_000) / 6000)).toBeGreaterThanOrEqual(0.8);
    expect(r.snapshot.partnerRate).toBe(Infinity);
  });
});

/** A limiter whose partner lane has learned a rate (about 10/s) from one run of 429s. */
async function learned(o: Partial<PacingOptions> = {}) {
  const clock = new FakeClock();
  const l = limiter(clock, o);
  for (let i = 0; i < 60; i++) (await l.acquire(`c${i}`)).done({ kind: "served" });
  await clock.runUntil(1000);
  const k = l.snapshot().runLength;
  for (let i = 0; i < k; i++) {
    (await l.acquire(`z${i}`)).done({ kind: "throttled", retryAfterMs: 5000 });
  }
  expect(l.snapshot().runs).toBe(1);
  return { clock, l };
}

/** Acquires for `key`, moving the clock on until the limiter grants it. */
async function grant(l: Limiter, clock: FakeClock, key: string): Promise<Permit> {
  const r = track(l, clock, key);
  await flush();
  while (r.permit === undefined) {
    if (clock.nextAt() === Infinity)
      throw new Error(`no timer at ${clock.now()}: ${JSON.stringify(l.snapshot())}`);
    await clock.runUntil(clock.nextAt());
  }
  return r.permit;
}

/** One caller sending request after request (1 ms each) until `until`; `outcome(n)` answers request n. */
async function drive(
  l: Limiter,
  clock: FakeClock,
  until: number,
  outcome: (n: number) => Outcome = () => ({ kind: "served" }),
): Promise<void> {
  for (let n = 0; clock.now() < until; n++) {
    const permit = await grant(l, clock, `d-${clock.now()}-${n}`);
    await clock.runUntil(clock.now() + 1);
    permit.done(outcome(n));
  }
}

describe("Limiter weighing each 429 by how often 429s come", () => {
  // As if 3 % of recent answers had been stray 429s: a single 429 is no longer evidence.
  const noisy = { noisePrior: { share: 0.03, weight: 50 } };

  test("an isolated 429 is waited out by its own request and customer, without a lasting cut", async () => {
    const { clock, l } = await learned(noisy);
    expect(l.snapshot().runLength).toBe(2);
    await drive(l, clock, 12_000);
    const before = l.snapshot().partnerRate;
    (await grant(l, clock, "x")).done({ kind: "throttled", retryAfterMs: 1000 });
    const t = clock.now();
    expect(l.snapshot()).toMatchObject({ runs: 1, strays: 1, partnerGateOpenInMs: 0 });
    const x = track(l, clock, "x");
    const other = track(l, clock, "y");
    await clock.runUntil(t + 1000 / before + 1);
    expect(other.at).toBeDefined(); // paced as before, not held
    expect(x.at).toBeUndefined(); // its own customer waits the Retry-After
    other.permit!.done({ kind: "served" });
    await clock.runUntil(t + 1000);
    expect(x.at).toBe(t + 1000);
    x.permit!.done({ kind: "served" });
    await drive(l, clock, t + 5000);
    expect(l.snapshot().partnerRate).toBeGreaterThanOrEqual(before);
  });

  test("a run of 429s (a request sent after the first 429 is throttled too) cuts the rate and closes the gate", async () => {
    const { clock, l } = await learned(noisy);
    await drive(l, clock, 12_000);
    const before = l.snapshot().partnerRate;
    (await grant(l, clock, "x")).done({ kind: "throttled", retryAfterMs: 1000 });
    (await grant(l, clock, "y")).done({ kind: "throttled", retryAfterMs: 1000 });
    const s = l.snapshot();
    expect(s.runs).toBe(2);
    expect(s.partnerGateOpenInMs).toBe(1000);
    expect(s.partnerRate).toBeLessThan(0.95 * before);
  });

  test("an answer served between two 429s breaks the run: both are stray", async () => {
    const { clock, l } = await learned(noisy);
    await drive(l, clock, 12_000);
    const before = l.snapshot().partnerRate;
    (await grant(l, clock, "x")).done({ kind: "throttled", retryAfterMs: 1000 });
    await drive(l, clock, clock.now() + 200);
    (await grant(l, clock, "y")).done({ kind: "throttled", retryAfterMs: 1000 });
    expect(l.snapshot()).toMatchObject({ runs: 1, strays: 2, partnerGateOpenInMs: 0 });
    expect(l.snapshot().partnerRate).toBeGreaterThanOrEqual(before);
  });

  test("after a run, the rate is back within 3 s of the gate reopening", async () => {
    const { clock, l } = await learned(noisy);
    await drive(l, clock, 12_000);
    const before = l.snapshot().partnerRate;
    (await grant(l, clock, "x")).done({ kind: "throttled", retryAfterMs: 1000 });
    (await grant(l, clock, "y")).done({ kind: "throttled", retryAfterMs: 1000 });
    const reopen = clock.now() + 1000;
    expect(l.snapshot().partnerRate).toBeLessThan(0.95 * before);
    await drive(l, clock, reopen + 3000);
    expect(l.snapshot().partnerRate).toBeGreaterThanOrEqual(0.95 * before);
  });

  test("after a 3 s burst of 429s on every request, the rate is back within 3 s", async () => {
    const { clock, l } = await learned();
    await drive(l, clock, 12_000);
    const before = l.snapshot().partnerRate;
    const burstEnd = clock.now() + 3000;
    await drive(l, clock, burstEnd, () => ({ kind: "throttled", retryAfterMs: 1000 }));
    const gate = l.snapshot().partnerGateOpenInMs;
    await drive(l, clock, burstEnd + gate + 3000);
    expect(l.snapshot().partnerRate).toBeGreaterThanOrEqual(0.95 * before);
  });
});
