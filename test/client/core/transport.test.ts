/** Transport and auth against the emulator over real loopback HTTP: every error class, retries, tokens. */
import type { PartnerCenterClient } from "../../../provider/src/client";
import { SAMPLE_CUSTOMERS, type Emulator } from "../../../packages/emulator/src";
import {
  ApiError,
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  MfaRequiredError,
  NotFoundError,
  PartnerCenterError,
  PermissionDeniedError,
  ResponseValidationError,
  ThrottledError,
} from "../../../provider/src/errors";
import { CLIENT_SECRET, REFRESH_TOKEN, caught, clientFor, emulator } from "../helpers";
import { PartnerCenterClient as Client } from "../../../provider/src/client";
import { loadSettings } from "../../../provider/src/settings";

const CLEAN = SAMPLE_CUSTOMERS.clean;
const GET_CLEAN = { match: { path: `/v1/customers/${CLEAN}$`, method: "GET" } };

let em: Emulator;
let client: PartnerCenterClient;
const errors: unknown[] = [];

beforeAll(async () => {
  em = await emulator();
});
afterAll(async () => {
  await em?.close();
});
beforeEach(() => {
  em.reset();
  em.configure({ throttle: false });
  client = clientFor(em);
});
afterEach(async () => {
  await client?.close();
});

async function failure(p: Promise<unknown>): Promise<PartnerCenterError> {
  const e = await caught(p);
  errors.push(e);
  expect(e).toBeInstanceOf(PartnerCenterError);
  return e as PartnerCenterError;
}

describe("transport against the emulator", () => {
  test("a GET succeeds with our MS-RequestId and MS-CorrelationId", async () => {
    const c = await client.customers.get(CLEAN, { requestId: "5b1f0c2e-0000-4000-8000-000000000001" });
    expect(c).toMatchObject({
      id: CLEAN,
      relationshipToPartner: "reseller",
      companyName: "Contoso Clean Ltd",
    });
    const [entry] = em.requests();
    expect(entry).toMatchObject({ requestId: "5b1f0c2e-0000-4000-8000-000000000001", status: 200 });
    expect(entry!.correlationId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(client.stats()).toEqual({ requests: 1, responses429: 0, retries: 0, tokenRequests: 1 });
  });

  test("500 twice, then success: retried with the same MS-RequestId", async () => {
    em.addFault({ ...GET_CLEAN, kind: "status", status: 500, times: 2 });
    await client.customers.get(CLEAN);
    const log = em.requests();
    expect(log.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(log.map((r) => r.requestId)).size).toBe(1);
    // MS-CorrelationId is reset for every call, retries included (the headers page).
    expect(new Set(log.map((r) => r.correlationId)).size).toBe(3);
    expect(client.stats().retries).toBe(2);
  });

  test("5xx exhausted: ApiError with status, code, ids and operation", async () => {
    em.addFault({ ...GET_CLEAN, kind: "status", status: 503, always: true });
    const e = await failure(client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({
      status: 503,
      partnerCenterCode: "503",
      operation: `GET /v1/customers/${CLEAN}`,
    });
    expect(e.requestId).toBe(em.requests()[0]!.requestId);
    expect(e.correlationId).toBe(em.requests()[3]!.correlationId); // the last call's
    expect(e).toMatchObject({ attempts: 4, mayHaveApplied: true }); // a 5xx may have been applied
    expect(e.message).toContain("retry later");
    expect(em.requests()).toHaveLength(4);
  });

  test("a connection reset is retried with the same MS-RequestId", async () => {
    em.addFault({ ...GET_CLEAN, kind: "reset" });
    await client.customers.get(CLEAN);
    const log = em.requests();
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
    em.addFault({ ...GET_CLEAN, kind: "slow", delayMs: 400 });
    const c2 = clientFor(em, { retry: { attemptTimeoutMs: 150 } });
    await c2.customers.get(CLEAN);
    expect(c2.stats().retries).toBe(1);
    await c2.close();
  });

  test("400: ApiError, not retried", async () => {
    em.addFault({ ...GET_CLEAN, kind: "status", status: 400, code: 3000, description: "Invalid property." });
    const e = await failure(client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({
      status: 400,
      partnerCenterCode: "3000",
      partnerCenterDescription: "Invalid property.",
    });
    expect(em.requests()).toHaveLength(1);
  });

  test("403 code 20002 (no relationship): NotFoundError", async () => {
    const e = await failure(client.customers.get(SAMPLE_CUSTOMERS.noRelationship));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e).toMatchObject({ status: 403, partnerCenterCode: "20002" });
  });

  test("404 (unknown tenant): NotFoundError", async () => {
    const e = await failure(client.customers.get("99999999-9999-4999-8999-999999999999"));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.status).toBe(404);
  });

  test("403 code 900150: PermissionDeniedError saying the Admin agent role is needed", async () => {
    em.addFault({ ...GET_CLEAN, kind: "status", status: 403, code: 900150 });
    const e = await failure(client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e.message).toContain("Admin agent");
  });

  test("403 other: PermissionDeniedError", async () => {
    em.addFault({ ...GET_CLEAN, kind: "status", status: 403, code: 1002 });
    const e = await failure(client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e.partnerCenterCode).toBe("1002");
  });

  test("401 code 900421: MfaRequiredError, no token renewal", async () => {
    em.addFault({ ...GET_CLEAN, kind: "mfa" });
    const e = await failure(client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(MfaRequiredError);
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.code).toBe("PPC_MFA_REQUIRED");
    expect(client.stats().tokenRequests).toBe(1);
    expect(em.requests()).toHaveLength(1);
  });

  test("401 once: the token is renewed and the request retried", async () => {
    em.addFault({ ...GET_CLEAN, kind: "status", status: 401, code: 400 });
    await client.customers.get(CLEAN);
    expect(client.stats()).toMatchObject({ tokenRequests: 2, retries: 1 });
  });

  test("401 twice: AuthenticationError after one renewal", async () => {
    em.addFault({ ...GET_CLEAN, kind: "status", status: 401, code: 400, times: 2 });
    const e = await failure(client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e).not.toBeInstanceOf(MfaRequiredError);
    expect(client.stats().tokenRequests).toBe(2);
  });

  test("expired tokens (expireTokens) are renewed on the 401", async () => {
    await client.customers.get(CLEAN);
    em.expireTokens();
    await client.customers.get(CLEAN);
    expect(client.stats().tokenRequests).toBe(2);
  });

  test("malformed JSON: ResponseValidationError, not retried", async () => {
    em.addFault({ ...GET_CLEAN, kind: "malformedJson" });
    const e = await failure(client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect(em.requests()).toHaveLength(1);
  });

  test("truncated JSON: ResponseValidationError", async () => {
    em.addFault({ ...GET_CLEAN, kind: "truncatedJson" });
    expect(await failure(client.customers.get(CLEAN))).toBeInstanceOf(ResponseValidationError);
  });

  test("an oversized body is cut off: ResponseValidationError", async () => {
    em.addFault({ ...GET_CLEAN, kind: "oversizedBody", sizeBytes: 9 * 1024 * 1024 });
    const e = await failure(client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect(e.message).toContain("larger than");
  });

  test("429 with Retry-After 1, then success; the 429 gate holds other callers too", async () => {
    em.addFault({ match: { path: "relationshiprequests" }, kind: "throttle", retryAfterSeconds: 1 });
    const started = Date.now();
    const url = client.relationshipRequests.getInvitationUrl();
    await new Promise((r) => setTimeout(r, 100));
    const other = client.customers.get(CLEAN).then(() => Date.now() - started);
    await url;
    expect(await other).toBeGreaterThanOrEqual(950);
    expect(client.stats()).toMatchObject({ responses429: 1, retries: 1 });
    const log = em.requests().filter((r) => r.path.includes("relationshiprequests"));
    expect(log.map((r) => r.status)).toEqual([429, 200]);
    expect(log[0]!.requestId).toBe(log[1]!.requestId);
  });

  test("429 past the deadline: ThrottledError at once with retryAfterSeconds", async () => {
    em.addFault({ ...GET_CLEAN, kind: "throttle", retryAfterSeconds: 30 });
    const c2 = clientFor(em, { retry: { deadlineMs: 2000 } });
    const e = await failure(c2.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ThrottledError);
    expect((e as ThrottledError).retryAfterSeconds).toBe(30);
    await c2.close();
  });

  test("PascalCase responses parse", async () => {
    em.configure({ casing: "pascal" });
    const c = await client.customers.get(CLEAN);
    expect(c).toMatchObject({
      id: CLEAN,
      relationshipToPartner: "reseller",
      domain: "contosoclean.onmicrosoft.com",
    });
    const subs = await client.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    expect(subs.map((s) => s.status)).toContain("active");
  });

  test("an aborted request rejects with the caller's reason", async () => {
    em.addFault({ ...GET_CLEAN, kind: "slow", delayMs: 2000 });
    const ac = new AbortController();
    const p = client.customers.get(CLEAN, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("cancelled by test")), 50);
    await expect(p).rejects.toThrow("cancelled by test");
  });
});

describe("auth against the emulator", () => {
  test("20 concurrent calls share one token request", async () => {
    await Promise.all(Array.from({ length: 20 }, () => client.customers.get(CLEAN)));
    expect(client.stats().tokenRequests).toBe(1);
    expect(em.state().counters.tokenRequests).toBe(1);
  });

  test("the token is renewed shortly before it expires", async () => {
    em.configure({ tokenLifetimeSeconds: 1 });
    // A 1-second token is below the default floor (minLifetimeMs, tested in fail-closed.test.ts): lift it.
    const client = clientFor(em, { auth: { minLifetimeMs: 0 } });
    await client.customers.get(CLEAN);
    await client.customers.get(CLEAN);
    expect(client.stats().tokenRequests).toBe(1);
    await new Promise((r) => setTimeout(r, 950));
    await client.customers.get(CLEAN);
    expect(client.stats().tokenRequests).toBe(2);
    expect(em.requests().every((r) => r.status === 200)).toBe(true);
    await client.close();
  });

  test("a rotated refresh token is used for the next grant", async () => {
    em.configure({ tokenLifetimeSeconds: 1, requireCredentials: { refreshToken: REFRESH_TOKEN } });
    await client.customers.get(CLEAN);
    em.configure({ requireCredentials: { refreshToken: "only-rotated-ones-now-xxxxxxxx" } });
    em.expireTokens();
    await client.customers.get(CLEAN); // only the rotated refresh token is accepted now
    expect(client.stats().tokenRequests).toBe(2);
  });

  test("a refused grant: AuthenticationError naming the settings, never their values", async () => {
    em.configure({ requireCredentials: { clientSecret: "the-right-secret-value" } });
    const e = await failure(client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.message).toContain("partnercenter:clientSecret");
    expect(e.message).toContain("PARTNER_CENTER_REFRESH_TOKEN");
    expect(e.message).not.toContain(CLIENT_SECRET);
    expect(e.message).not.toContain(REFRESH_TOKEN);
    expect(em.requests()).toHaveLength(0);
  });

  test("an access token is used as it is: no token request", async () => {
    em.configure({ staticAccessTokens: ["static-access-token-for-tests"] });
    const c2 = clientFor(em, {}, { "partnercenter:accessToken": "static-access-token-for-tests" });
    await c2.customers.get(CLEAN);
    expect(c2.stats().tokenRequests).toBe(0);
    expect(em.state().counters.tokenRequests).toBe(0);
    await c2.close();
  });

  test("incomplete credentials: ConfigurationError listing the missing keys, nothing sent", async () => {
    const c2 = new Client(loadSettings({ endpoint: em.url, authority: em.url, clientId: "x" }, {}));
    const e = await failure(c2.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e.message).toContain("partnercenter:tenantId");
    expect(e.message).toContain("partnercenter:refreshToken");
    expect(em.state().counters).toMatchObject({ requests: 0, tokenRequests: 0 });
    await c2.close();
  });

  test("no error thrown in this file holds a token or secret", () => {
    const secrets = [...em.state().issuedTokens, CLIENT_SECRET, REFRESH_TOKEN];
    expect(errors.length).toBeGreaterThan(10);
    for (const e of errors) {
      const pe = e as PartnerCenterError;
      const text = [pe.message, pe.stack, JSON.stringify(pe), JSON.stringify(pe.cause ?? null)].join("\n");
      for (const s of secrets) expect(text).not.toContain(s);
    }
  });
});
