/** client/core/wait.ts: sleep, the retry loop and the poll loop on an injected clock; the real clock. */
import { MAX_TIMER_MS, poll, retry, sleep, systemClock } from "../../../provider/src/client/core/wait";
import { FakeClock, flush } from "./fake-clock";

test("sleep waits on the given clock and rejects with the signal's reason when aborted", async () => {
  const clock = new FakeClock();
  let done = false;
  const p = sleep(1_000, undefined, clock).then(() => (done = true));
  await clock.runUntil(999);
  expect(done).toBe(false);
  await clock.runUntil(1_000);
  await p;
  expect(done).toBe(true);

  const ac = new AbortController();
  const q = sleep(60_000, ac.signal, clock);
  ac.abort(new Error("stop"));
  await expect(q).rejects.toThrow("stop");
  expect(clock.pending()).toBe(0);
});

test("retry runs attempts until one is done, waiting each asked pause on the clock", async () => {
  const clock = new FakeClock();
  const seen: number[] = [];
  const p = retry<string>(
    async (n) => {
      seen.push(clock.now());
      return n < 3 ? { again: true, afterMs: 100 * n } : { done: `after ${n}` };
    },
    { clock },
  );
  await clock.runUntil(1_000);
  await expect(p).resolves.toBe("after 3");
  expect(seen).toEqual([0, 100, 300]);
});

test("retry: an aborted wait throws the interrupted error", async () => {
  const clock = new FakeClock();
  const ac = new AbortController();
  const p = retry(async () => ({ again: true as const, afterMs: 5_000 }), {
    clock,
    signal: ac.signal,
    interrupted: (n) => new Error(`gave up after attempt ${n}`),
  });
  await flush();
  ac.abort();
  await expect(p).rejects.toThrow("gave up after attempt 1");
});

test("poll reads until done, never pausing past the deadline, and returns the last value", async () => {
  const clock = new FakeClock();
  let reads = 0;
  const reads_at: number[] = [];
  const p = poll(
    async () => {
      reads_at.push(clock.now());
      return ++reads;
    },
    { done: (n) => n >= 100, deadline: 2_500, intervalMs: 1_000, clock },
  );
  await clock.runUntil(10_000);
  await expect(p).resolves.toBe(4);
  expect(reads_at).toEqual([0, 1_000, 2_000, 2_500]);
});

test("poll: a moving deadline and growing pauses; start skips the first read", async () => {
  const clock = new FakeClock();
  const at: number[] = [];
  let endingSince: number | undefined;
  const p = poll(
    async () => {
      at.push(clock.now());
      return at.length >= 3 ? "ending" : "active";
    },
    {
      done: () => false,
      // Wait 150 more from when "ending" is first seen.
      deadline: (v, now) => {
        if (v === "ending") endingSince ??= now;
        return endingSince === undefined ? 10_000 : endingSince + 150;
      },
      intervalMs: (pauses) => 100 * 2 ** pauses,
      start: { value: "active" },
      clock,
    },
  );
  await clock.runUntil(20_000);
  await expect(p).resolves.toBe("ending");
  expect(at).toEqual([100, 300, 700, 850]);
});

describe("systemClock", () => {
  test("sleep resolves after its time on the monotonic clock", async () => {
    const start = systemClock.now();
    await systemClock.sleep(20, new AbortController().signal);
    expect(systemClock.now() - start).toBeGreaterThanOrEqual(19);
  });

  test("a wait past Node's timer range is held, not fired at once; an abort ends it (or skips it) without rejecting", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const ac = new AbortController();
      let resolved = false;
      const p = systemClock.sleep(MAX_TIMER_MS * 10, ac.signal).then(() => (resolved = true));
      await new Promise((r) => setTimeout(r, 30));
      expect(resolved).toBe(false);
      ac.abort(new Error("stop"));
      await expect(p).resolves.toBe(true);
      expect(warnings).toEqual([]);
      // A signal aborted already: no wait at all.
      const again = systemClock.sleep(60_000, ac.signal).then(() => "resolved");
      const late = new Promise((r) => setTimeout(() => r("still waiting"), 50));
      await expect(Promise.race([again, late])).resolves.toBe("resolved");
    } finally {
      process.off("warning", onWarning);
    }
  });
});
