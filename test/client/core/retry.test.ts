/** client/core/retry.ts: Retry-After and the service's "try again in N seconds", backoff, and the abortable waits. */
import {
  backoff,
  describeFailure,
  retryAfter,
  secondsInMessage,
  timedSignal,
} from "../../../provider/src/client/core/retry";
import { sleep } from "../../../provider/src/client/core/wait";
import { ConnectionError, NotFoundError } from "../../../provider/src/errors";

describe("retryAfter", () => {
  test("delay-seconds, fractional too, in milliseconds", () => {
    expect(retryAfter({ "retry-after": "7" })).toBe(7000);
    expect(retryAfter({ "retry-after": " 1.5 " })).toBe(1500);
  });

  test("an HTTP date: the time left, never negative", () => {
    const inTen = new Date(Date.now() + 10_000).toUTCString();
    const ms = retryAfter({ "retry-after": inTen });
    expect(ms).toBeGreaterThan(8_000);
    expect(ms).toBeLessThanOrEqual(10_000);
    expect(retryAfter({ "retry-after": "Sun, 06 Nov 1994 08:49:37 GMT" })).toBe(0);
  });

  test("absent or not a delay: undefined, so the caller uses its own backoff", () => {
    expect(retryAfter({})).toBeUndefined();
    expect(retryAfter({ "retry-after": "-1" })).toBeUndefined();
    expect(retryAfter({ "retry-after": "2 minutes" })).toBeUndefined();
    expect(retryAfter({ "retry-after": "Someday, later" })).toBeUndefined();
  });

  test("a huge value stays finite", () => {
    expect(retryAfter({ "retry-after": "9".repeat(30) })).toBe(Number.MAX_SAFE_INTEGER);
  });
});

test("secondsInMessage reads Partner Center's 429 wording", () => {
  expect(secondsInMessage("Rate limit is exceeded. Try again in 57 seconds.")).toBe(57_000);
  expect(secondsInMessage("try again in 1 second")).toBe(1000);
  expect(secondsInMessage("Too many requests")).toBeUndefined();
  expect(secondsInMessage(undefined)).toBeUndefined();
});

test("backoff: exponential from base, capped at max, jittered within the upper half", () => {
  for (let i = 0; i < 200; i++) {
    const first = backoff(1, 100, 10_000);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    const third = backoff(3, 100, 10_000);
    expect(third).toBeGreaterThanOrEqual(200);
    expect(third).toBeLessThanOrEqual(400);
    const capped = backoff(30, 100, 1_000);
    expect(capped).toBeGreaterThanOrEqual(500);
    expect(capped).toBeLessThanOrEqual(1_000);
  }
});

test("describeFailure: the status and code, or what failed without one", () => {
  expect(describeFailure(new NotFoundError("x", { status: 404, partnerCenterCode: "600\u202e08" }))).toBe(
    "HTTP 404 (code 600\\u202e08)",
  );
  expect(describeFailure(new ConnectionError("x"))).toBe("connection failed");
});

describe("timedSignal and sleep", () => {
  test("the signal fires after its time, and says it timed out", async () => {
    const t = timedSignal(10);
    await expect(sleep(1_000, t.signal)).rejects.toMatchObject({ name: "TimeoutError" });
    expect(t.timedOut()).toBe(true);
    t.dispose();
  });

  test("the parent's abort reaches it (already aborted too), with the parent's reason; not a timeout", async () => {
    const parent = new AbortController();
    const t = timedSignal(60_000, parent.signal);
    const waiting = sleep(60_000, t.signal);
    parent.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(t.timedOut()).toBe(false);
    t.dispose();
    const late = timedSignal(60_000, parent.signal);
    expect(late.signal.aborted).toBe(true);
    late.dispose();
  });

  test("dispose stops the timer: the signal never fires", async () => {
    const t = timedSignal(5);
    t.dispose();
    await sleep(20, new AbortController().signal);
    expect(t.signal.aborted).toBe(false);
  });

  test("sleep resolves after its time when nothing aborts it", async () => {
    const start = Date.now();
    await sleep(15, new AbortController().signal);
    expect(Date.now() - start).toBeGreaterThanOrEqual(14);
  });
});
