/**
 * client/core/transport.ts against the emulator over real loopback HTTP: every error class, retries, the 429
 * gate. Then a long Retry-After: capped at the request's deadline. A wait beyond it fails at once as throttled,
 * naming the wait; later requests of the same scope fail the same way at once instead of waiting out their
 * deadline and being reported as connection failures; no timer overflows or outlives its waiters. Exact header
 * values need an undici MockAgent (the emulator sends whole seconds only).
 */
import { MockAgent } from "../../../provider/node_modules/undici";
import { SAMPLE_CUSTOMERS } from "../../../packages/emulator/src";
import {
  ApiError,
  AuthenticationError,
  ConnectionError,
  MfaRequiredError,
  NotFoundError,
  PermissionDeniedError,
  ResponseValidationError,
  ThrottledError,
} from "../../../provider/src/errors";
import { caught, clientFor, emulatorAndClient, expectNoSecrets, failures } from "../helpers";
import { PartnerCenterClient as Client } from "../../../provider/src/client";
import { loadSettings } from "../../../provider/src/settings";

const CLEAN = SAMPLE_CUSTOMERS.clean;
const GET_CLEAN = { match: { path: `/v1/customers/${CLEAN}$`, method: "GET" } };
const ORIGIN = "https://api.partnercenter.microsoft.com";
const CUSTOMER = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const THROTTLED_BODY = { statusCode: 429, message: "Rate limit is exceeded." };

const env = emulatorAndClient();
const { errors, failure } = failures();

/** A client on an undici MockAgent for exact Retry-After values. */
function setup() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const client = new Client(loadSettings({ accessToken: "a-wire-test-access-token-0001" }, {}), {
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

describe("transport against the emulator", () => {
  test("a GET succeeds with our MS-RequestId and MS-CorrelationId", async () => {
    const c = await env.client.customers.get(CLEAN, { requestId: "5b1f0c2e-0000-4000-8000-000000000001" });
    expect(c).toMatchObject({
      id: CLEAN,
      relationshipToPartner: "reseller",
      companyName: "Contoso Clean Ltd",
    });
    const [entry] = env.em.requests();
    expect(entry).toMatchObject({ requestId: "5b1f0c2e-0000-4000-8000-000000000001", status: 200 });
    expect(entry!.correlationId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(env.client.stats()).toEqual({ requests: 1, responses429: 0, retries: 0, tokenRequests: 1 });
  });

  test("500 twice, then success: retried with the same MS-RequestId", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "status", status: 500, times: 2 });
    await env.client.customers.get(CLEAN);
    const log = env.em.requests();
    expect(log.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(log.map((r) => r.requestId)).size).toBe(1);
    // MS-CorrelationId is reset for every call, retries included (the headers page).
    expect(new Set(log.map((r) => r.correlationId)).size).toBe(3);
    expect(env.client.stats().retries).toBe(2);
  });

  test("5xx exhausted: ApiError with status, code, ids and operation", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "status", status: 503, always: true });
    const e = await failure(env.client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({
      status: 503,
      partnerCenterCode: "503",
      operation: `GET /v1/customers/${CLEAN}`,
    });
    expect(e.requestId).toBe(env.em.requests()[0]!.requestId);
    expect(e.correlationId).toBe(env.em.requests()[3]!.correlationId); // the last call's
    expect(e).toMatchObject({ attempts: 4, mayHaveApplied: true }); // a 5xx may have been applied
    expect(e.message).toContain("retry later");
    expect(env.em.requests()).toHaveLength(4);
  });

  test("a connection reset is retried with the same MS-RequestId", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "reset" });
    await env.client.customers.get(CLEAN);
    const log = env.em.requests();
    expect(log).toHaveLength(2);
    expect(log[0]!.requestId).toBe(log[1]!.requestId);
  });

  test("connection refused, exhausted: ConnectionError naming the endpoint setting", async () => {
    const dead = new Client(
      loadSettings(
        {
          endpoint: "http://127.0.0.1:9",
          accessToken: "static-access-token-for-test",
          allowLoopbackWithCredentials: "true",
        },
        {},
      ),
      { retry: { maxAttempts: 2, baseDelayMs: 1 } },
    );
    const e = await failure(dead.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toContain("partnercenter:endpoint");
    await dead.close();
  });

  test("a slow answer past the attempt timeout is retried", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "slow", delayMs: 400 });
    const c2 = clientFor(env.em, { retry: { attemptTimeoutMs: 150 } });
    await c2.customers.get(CLEAN);
    expect(c2.stats().retries).toBe(1);
    await c2.close();
  });

  test("400: ApiError, not retried", async () => {
    env.em.addFault({
      ...GET_CLEAN,
      kind: "status",
      status: 400,
      code: 3000,
      description: "Invalid property.",
    });
    const e = await failure(env.client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({
      status: 400,
      partnerCenterCode: "3000",
      partnerCenterDescription: "Invalid property.",
    });
    expect(env.em.requests()).toHaveLength(1);
  });

  test("403 code 20002 (no relationship): NotFoundError", async () => {
    const e = await failure(env.client.customers.get(SAMPLE_CUSTOMERS.noRelationship));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e).toMatchObject({ status: 403, partnerCenterCode: "20002" });
  });

  test("404 (unknown tenant): NotFoundError", async () => {
    const e = await failure(env.client.customers.get("99999999-9999-4999-8999-999999999999"));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.status).toBe(404);
  });

  test("403 code 900150: PermissionDeniedError saying the Admin agent role is needed", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "status", status: 403, code: 900150 });
    const e = await failure(env.client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e.message).toContain("Admin agent");
  });

  test("403 other: PermissionDeniedError", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "status", status: 403, code: 1002 });
    const e = await failure(env.client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e.partnerCenterCode).toBe("1002");
  });

  test("401 code 900421: MfaRequiredError, no token renewal", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "mfa" });
    const e = await failure(env.client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(MfaRequiredError);
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.code).toBe("PPC_MFA_REQUIRED");
    expect(env.client.stats().tokenRequests).toBe(1);
    expect(env.em.requests()).toHaveLength(1);
  });

  test("401 once: the token is renewed and the request retried", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "status", status: 401, code: 400 });
    await env.client.customers.get(CLEAN);
    expect(env.client.stats()).toMatchObject({ tokenRequests: 2, retries: 1 });
  });

  test("401 twice: AuthenticationError after one renewal", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "status", status: 401, code: 400, times: 2 });
    const e = await failure(env.client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e).not.toBeInstanceOf(MfaRequiredError);
    expect(env.client.stats().tokenRequests).toBe(2);
  });

  test("expired tokens (expireTokens) are renewed on the 401", async () => {
    await env.client.customers.get(CLEAN);
    env.em.expireTokens();
    await env.client.customers.get(CLEAN);
    expect(env.client.stats().tokenRequests).toBe(2);
  });

  test("malformed JSON: ResponseValidationError, not retried", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "malformedJson" });
    const e = await failure(env.client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect(env.em.requests()).toHaveLength(1);
  });

  test("truncated JSON: ResponseValidationError", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "truncatedJson" });
    expect(await failure(env.client.customers.get(CLEAN))).toBeInstanceOf(ResponseValidationError);
  });

  test("an oversized body is cut off: ResponseValidationError", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "oversizedBody", sizeBytes: 9 * 1024 * 1024 });
    const e = await failure(env.client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect(e.message).toContain("larger than");
  });

  test("429 with Retry-After 1, then success; the 429 gate holds other callers too", async () => {
    env.em.addFault({ match: { path: "relationshiprequests" }, kind: "throttle", retryAfterSeconds: 1 });
    const started = Date.now();
    const url = env.client.relationshipRequests.getInvitationUrl();
    await new Promise((r) => setTimeout(r, 100));
    const other = env.client.customers.get(CLEAN).then(() => Date.now() - started);
    await url;
    expect(await other).toBeGreaterThanOrEqual(950);
    expect(env.client.stats()).toMatchObject({ responses429: 1, retries: 1 });
    const log = env.em.requests().filter((r) => r.path.includes("relationshiprequests"));
    expect(log.map((r) => r.status)).toEqual([429, 200]);
    expect(log[0]!.requestId).toBe(log[1]!.requestId);
  });

  test("429 past the deadline: ThrottledError at once with retryAfterSeconds", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "throttle", retryAfterSeconds: 30 });
    const c2 = clientFor(env.em, { retry: { deadlineMs: 2000 } });
    const e = await failure(c2.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ThrottledError);
    expect((e as ThrottledError).retryAfterSeconds).toBe(30);
    await c2.close();
  });

  test("PascalCase responses parse", async () => {
    env.em.configure({ casing: "pascal" });
    const c = await env.client.customers.get(CLEAN);
    expect(c).toMatchObject({
      id: CLEAN,
      relationshipToPartner: "reseller",
      domain: "contosoclean.onmicrosoft.com",
    });
    const subs = await env.client.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    expect(subs.map((s) => s.status)).toContain("active");
  });

  test("an aborted request rejects with the caller's reason", async () => {
    env.em.addFault({ ...GET_CLEAN, kind: "slow", delayMs: 2000 });
    const ac = new AbortController();
    const p = env.client.customers.get(CLEAN, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("cancelled by test")), 50);
    await expect(p).rejects.toThrow("cancelled by test");
  });
});

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

  test("against the emulator: a day-long Retry-After for one customer is not a connection failure for the next request", async () => {
    const id = SAMPLE_CUSTOMERS.clean;
    env.em.addFault({ match: { customerId: id }, kind: "throttle", retryAfterSeconds: 86_400 });
    const started = Date.now();
    const a = await caught(env.client.customers.get(id));
    const b = await caught(env.client.subscriptions.list(id)); // never sent: the customer's scope is closed
    expect(env.em.requests()).toHaveLength(1);
    for (const e of [a, b]) {
      expect(e).toBeInstanceOf(ThrottledError);
      expect((e as Error).message).toContain("86400 s");
    }
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await env.client.customers.get(SAMPLE_CUSTOMERS.inactiveOnly)).id).toBe(
      SAMPLE_CUSTOMERS.inactiveOnly,
    );
  });
});

test("a write's ids are reported only for an attempt that is sent: not when its write-ahead hook fails", async () => {
  const { client, pool } = setup();
  pool
    .intercept({ path: `/v1/customers/${CUSTOMER}`, method: "PATCH" })
    .reply(200, { id: CUSTOMER })
    .times(1);
  const seen: string[] = [];
  const hookFailure = await caught(
    client.customers.removeRelationship(CUSTOMER, {
      onIds: (ids) => seen.push(ids.correlationId),
      beforeSend: async () => {
        throw new Error("the audit trail cannot be written");
      },
    }),
  );
  expect((hookFailure as Error).message).toMatch(/the audit trail cannot be written/);
  expect(seen).toEqual([]);
  // The same write with a hook that records: one attempt, its ids reported once, after the hook.
  const order: string[] = [];
  await client.customers.removeRelationship(CUSTOMER, {
    onIds: (ids) => order.push(`sent ${ids.method}`),
    beforeSend: async (ids) => void order.push(`intent ${ids.method}`),
  });
  expect(order).toEqual(["intent PATCH", "sent PATCH"]);
  await client.close();
});

test("no error thrown in this file holds a token or secret", () => {
  expect(errors.length).toBeGreaterThan(10);
  expectNoSecrets(errors, env.em);
});
