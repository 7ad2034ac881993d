/**
 * A long Retry-After: capped at the request's deadline. A wait beyond it fails at once as
 * throttled, naming the wait; later requests of the same scope fail the same way at once instead of waiting
 * out their deadline and being reported as connection failures; no timer overflows or outlives its waiters.
 * Exact header values need an undici MockAgent (the emulator sends whole seconds only).
 */
import { MockAgent } from "../../provider/node_modules/undici";
import { PartnerCenterClient } from "../../provider/src/client";
import { ConnectionError, ThrottledError } from "../../provider/src/errors";
import { loadSettings } from "../../provider/src/settings";
import { SAMPLE_CUSTOMERS } from "../../packages/emulator/src";
import { caught, clientFor, emulator } from "./helpers";

const ORIGIN = "https://api.partnercenter.microsoft.com";
const CUSTOMER = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const THROTTLED_BODY = { statusCode: 429, message: "Rate limit is exceeded." };

function setup() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const client = new PartnerCenterClient(loadSettings({ accessToken: "a-wire-test-access-token-0001" }, {}), {
    dispatcher: agent,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  return { client, pool: agent.get(ORIGIN) };
}

/** Collects process warnings (TimeoutOverflowWarning among them) while `fn` runs, and a moment after. */
async function warningsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error): void => void seen.push(`${w.name}: ${w.message}`);
  process.on("warning", listener);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off("warning", listener);
  }
  return seen;
}

describe("a Retry-After longer than the deadline", () => {
  test.each([
    ["a day, beyond the 5 min deadline", "86400", "86400 s"],
    ["beyond Node's timer range (2^31-1 ms)", "99999999999", "99999999999 s"],
    ["400 digits", "9".repeat(400), "9007199254741 s"],
    ["a far-future HTTP date", "Fri, 31 Dec 9999 23:59:59 GMT", ""],
  ])("%s: throttled at once, naming the wait; the scope's later requests too", async (_, value, named) => {
    const { client, pool } = setup();
    pool
      .intercept({ path: `/v1/customers/${CUSTOMER}` })
      .reply(429, THROTTLED_BODY, { headers: { "retry-after": value } });
    pool
      .intercept({ path: `/v1/customers/${OTHER}` })
      .reply(200, { id: OTHER, relationshipToPartner: "reseller" });
    const warnings = await warningsDuring(async () => {
      const started = Date.now();
      const first = await caught(client.customers.get(CUSTOMER));
      expect(first).toBeInstanceOf(ThrottledError);
      expect((first as ThrottledError).message).toMatch(new RegExp(`asked to wait ${named || "\\d+ s"};`));
      expect((first as ThrottledError).message).toContain("deadline");
      expect((first as ThrottledError).retryAfterSeconds).toBeGreaterThanOrEqual(86400);
      // The same customer again: its scope is closed for longer than this request may wait. Before the fix it
      // waited out its 5 min deadline and was then reported as a connection failure.
      const later = await caught(client.customers.get(CUSTOMER));
      expect(later).toBeInstanceOf(ThrottledError);
      expect(later).not.toBeInstanceOf(ConnectionError);
      expect((later as ThrottledError).message).toMatch(
        /asked to wait \d+ s before more requests for this customer/,
      );
      // Another customer is not held by it.
      expect((await client.customers.get(OTHER)).id).toBe(OTHER);
      expect(Date.now() - started).toBeLessThan(2000);
    });
    expect(warnings).toEqual([]);
    expect(client.stats()).toMatchObject({ requests: 2, responses429: 1 });
    expect(client.pacing()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  test.each([["soon"], ["-1"], ["1e999"], ["Someday"]])(
    "an unreadable Retry-After (%s) is ignored: the request backs off and retries",
    async (value) => {
      const { client, pool } = setup();
      const path = `/v1/customers/${CUSTOMER}`;
      pool.intercept({ path }).reply(429, THROTTLED_BODY, { headers: { "retry-after": value } });
      pool.intercept({ path }).reply(200, { id: CUSTOMER, relationshipToPartner: "reseller" });
      const warnings = await warningsDuring(async () => {
        expect((await client.customers.get(CUSTOMER)).relationshipToPartner).toBe("reseller");
      });
      expect(warnings).toEqual([]);
      expect(client.stats()).toMatchObject({ requests: 2, responses429: 1, retries: 1 });
    },
  );
});

test("against the emulator: a day-long Retry-After for one customer is not a connection failure for the next request", async () => {
  const em = await emulator();
  const client = clientFor(em);
  try {
    const id = SAMPLE_CUSTOMERS.clean;
    em.addFault({ match: { customerId: id }, kind: "throttle", retryAfterSeconds: 86_400 });
    const started = Date.now();
    const a = await caught(client.customers.get(id));
    const b = await caught(client.subscriptions.list(id)); // never sent: the customer's scope is closed
    expect(em.requests()).toHaveLength(1);
    for (const e of [a, b]) {
      expect(e).toBeInstanceOf(ThrottledError);
      expect((e as Error).message).toContain("86400 s");
    }
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await client.customers.get(SAMPLE_CUSTOMERS.inactiveOnly)).id).toBe(
      SAMPLE_CUSTOMERS.inactiveOnly,
    );
  } finally {
    await client.close();
    await em.close();
  }
});
