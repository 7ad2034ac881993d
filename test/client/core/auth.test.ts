/**
 * client/core/auth.ts against the emulator's token endpoint: one token request shared by concurrent callers,
 * renewal before expiry, a rotated refresh token, a refused grant, a fixed access token, incomplete credentials.
 * Then a token endpoint that hangs or refuses: the failure that used up the token deadline is given again, at
 * once, to the callers that follow (for a bounded time), instead of each caller or batch waiting out the same
 * dead endpoint (the token endpoint made to hang with a `slow` fault; token requests counted there).
 */
import { SAMPLE_CUSTOMERS } from "../../../packages/emulator/src";
import { AuthenticationError, ConfigurationError, ConnectionError } from "../../../provider/src/errors";
import { isTokenFailure } from "../../../provider/src/client/core/auth";
import { PartnerCenterClient as Client } from "../../../provider/src/client";
import { loadSettings } from "../../../provider/src/settings";
import {
  CLIENT_SECRET,
  REFRESH_TOKEN,
  caught,
  clientFor,
  emulatorAndClient,
  expectNoSecrets,
  failures,
} from "../helpers";

const CLEAN = SAMPLE_CUSTOMERS.clean;

const env = emulatorAndClient();
const { errors, failure } = failures();

describe("auth against the emulator", () => {
  test("20 concurrent calls share one token request", async () => {
    await Promise.all(Array.from({ length: 20 }, () => env.client.customers.get(CLEAN)));
    expect(env.client.stats().tokenRequests).toBe(1);
    expect(env.em.state().counters.tokenRequests).toBe(1);
  });

  test("the token is renewed shortly before it expires", async () => {
    env.em.configure({ tokenLifetimeSeconds: 1 });
    // A 1-second token is below the default floor (minLifetimeMs, tested in fail-closed.test.ts): lift it.
    const client = clientFor(env.em, { auth: { minLifetimeMs: 0 } });
    await client.customers.get(CLEAN);
    await client.customers.get(CLEAN);
    expect(client.stats().tokenRequests).toBe(1);
    await new Promise((r) => setTimeout(r, 950));
    await client.customers.get(CLEAN);
    expect(client.stats().tokenRequests).toBe(2);
    expect(env.em.requests().every((r) => r.status === 200)).toBe(true);
    await client.close();
  });

  test("a rotated refresh token is used for the next grant", async () => {
    env.em.configure({ tokenLifetimeSeconds: 1, requireCredentials: { refreshToken: REFRESH_TOKEN } });
    await env.client.customers.get(CLEAN);
    env.em.configure({ requireCredentials: { refreshToken: "only-rotated-ones-now-xxxxxxxx" } });
    env.em.expireTokens();
    await env.client.customers.get(CLEAN); // only the rotated refresh token is accepted now
    expect(env.client.stats().tokenRequests).toBe(2);
  });

  test("a refused grant: AuthenticationError naming the settings, never their values", async () => {
    env.em.configure({ requireCredentials: { clientSecret: "the-right-secret-value" } });
    const e = await failure(env.client.customers.get(CLEAN));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.message).toContain("partnercenter:clientSecret");
    expect(e.message).toContain("PARTNER_CENTER_REFRESH_TOKEN");
    expect(e.message).not.toContain(CLIENT_SECRET);
    expect(e.message).not.toContain(REFRESH_TOKEN);
    expect(env.em.requests()).toHaveLength(0);
  });

  test("an access token is used as it is: no token request", async () => {
    env.em.configure({ staticAccessTokens: ["static-access-token-for-tests"] });
    const c2 = clientFor(env.em, {}, { "partnercenter:accessToken": "static-access-token-for-tests" });
    await c2.customers.get(CLEAN);
    expect(c2.stats().tokenRequests).toBe(0);
    expect(env.em.state().counters.tokenRequests).toBe(0);
    await c2.close();
  });

  test("incomplete credentials: ConfigurationError listing the missing keys, nothing sent", async () => {
    const c2 = new Client(loadSettings({ endpoint: env.em.url, authority: env.em.url, clientId: "x" }, {}));
    const e = await failure(c2.customers.get(CLEAN));
    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e.message).toContain("partnercenter:tenantId");
    expect(e.message).toContain("partnercenter:refreshToken");
    expect(env.em.state().counters).toMatchObject({ requests: 0, tokenRequests: 0 });
    await c2.close();
  });
});

describe("a token request that failed for good is held", () => {
  const hang = () =>
    env.em.addFault({ kind: "slow", delayMs: 2_000, always: true, match: { path: "oauth2/token" } });
  const SHORT = { timeoutMs: 150, maxAttempts: 2, baseDelayMs: 5 };

  test("after the deadline is spent once, every later caller gets the same typed error at once", async () => {
    hang();
    const client = clientFor(env.em, { auth: { ...SHORT, failureHoldMs: 60_000 } });
    try {
      const first = await caught(client.customers.get(SAMPLE_CUSTOMERS.clean));
      expect(first).toBeInstanceOf(ConnectionError);
      expect((first as ConnectionError).code).toBe("PPC_CONNECTION");
      expect(isTokenFailure(first)).toBe(true);
      expect(env.em.state().counters.tokenRequests).toBe(2); // the attempts of one deadline

      // 20 callers, as the batches of a readiness run or the resources of an update would be.
      const started = Date.now();
      const later = await Promise.all(
        Array.from({ length: 20 }, () => caught(client.customers.get(SAMPLE_CUSTOMERS.inactiveOnly))),
      );
      expect(Date.now() - started).toBeLessThan(100);
      for (const e of later) expect(e).toBe(first);
      expect(env.em.state().counters.tokenRequests).toBe(2);
      expect(env.em.requests()).toEqual([]);
    } finally {
      await client.close();
    }
  });

  test("the hold is bounded: once it has passed, the endpoint is asked again (and a good answer clears it)", async () => {
    hang();
    const client = clientFor(env.em, { auth: { ...SHORT, failureHoldMs: 300 } });
    try {
      expect(await caught(client.customers.get(SAMPLE_CUSTOMERS.clean))).toBeInstanceOf(ConnectionError);
      expect(env.em.state().counters.tokenRequests).toBe(2);
      env.em.clearFaults();
      await new Promise((r) => setTimeout(r, 350));
      await expect(client.customers.get(SAMPLE_CUSTOMERS.clean)).resolves.toMatchObject({
        id: SAMPLE_CUSTOMERS.clean,
      });
      expect(env.em.state().counters.tokenRequests).toBe(3);
    } finally {
      await client.close();
    }
  });

  test("a refused grant is held too: one token request, the same AuthenticationError for the next callers", async () => {
    env.em.configure({ requireCredentials: { refreshToken: "another-refresh-token" } });
    const client = clientFor(env.em);
    try {
      const first = await caught(client.customers.get(SAMPLE_CUSTOMERS.clean));
      expect(first).toBeInstanceOf(AuthenticationError);
      expect(await caught(client.customers.get(SAMPLE_CUSTOMERS.clean))).toBe(first);
      expect(env.em.state().counters.tokenRequests).toBe(1);
    } finally {
      await client.close();
    }
  });

  test("a Partner Center error is not a token failure", async () => {
    env.em.addFault({
      kind: "status",
      status: 503,
      always: true,
      match: { customerId: SAMPLE_CUSTOMERS.clean },
    });
    const client = clientFor(env.em, { retry: { maxAttempts: 1 } });
    try {
      const e = await caught(client.customers.get(SAMPLE_CUSTOMERS.clean));
      expect(isTokenFailure(e)).toBe(false);
      await expect(client.customers.get(SAMPLE_CUSTOMERS.inactiveOnly)).resolves.toBeDefined();
    } finally {
      await client.close();
    }
  });
});

test("no error thrown in this file holds a token or secret", () => {
  expect(errors).toHaveLength(2);
  expectNoSecrets(errors, env.em);
});
