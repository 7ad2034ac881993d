/**
 * A token endpoint that hangs or refuses: the failure that used up the token deadline is given again, at once,
 * to the callers that follow (for a bounded time), instead of each caller or batch waiting out the same dead
 * endpoint. The emulator's token endpoint, made to hang with a `slow` fault; token requests counted there.
 */
import type { Emulator } from "../../../packages/emulator/src";
import { AuthenticationError, ConnectionError } from "../../../provider/src/errors";
import { isTokenFailure } from "../../../provider/src/client/core/auth";
import { caught, clientFor, emulator } from "../helpers";
import { SAMPLE_CUSTOMERS } from "../../../packages/emulator/src";

let em: Emulator;
beforeAll(async () => {
  em = await emulator();
});
afterAll(async () => {
  await em.close();
});
beforeEach(() => em.reset());

const hang = () =>
  em.addFault({ kind: "slow", delayMs: 2_000, always: true, match: { path: "oauth2/token" } });
const SHORT = { timeoutMs: 150, maxAttempts: 2, baseDelayMs: 5 };

test("after the deadline is spent once, every later caller gets the same typed error at once", async () => {
  hang();
  const client = clientFor(em, { auth: { ...SHORT, failureHoldMs: 60_000 } });
  try {
    const first = await caught(client.customers.get(SAMPLE_CUSTOMERS.clean));
    expect(first).toBeInstanceOf(ConnectionError);
    expect((first as ConnectionError).code).toBe("PPC_CONNECTION");
    expect(isTokenFailure(first)).toBe(true);
    expect(em.state().counters.tokenRequests).toBe(2); // the attempts of one deadline

    // 20 callers, as the batches of a readiness run or the resources of an update would be.
    const started = Date.now();
    const later = await Promise.all(
      Array.from({ length: 20 }, () => caught(client.customers.get(SAMPLE_CUSTOMERS.inactiveOnly))),
    );
    expect(Date.now() - started).toBeLessThan(100);
    for (const e of later) expect(e).toBe(first);
    expect(em.state().counters.tokenRequests).toBe(2);
    expect(em.requests()).toEqual([]);
  } finally {
    await client.close();
  }
});

test("the hold is bounded: once it has passed, the endpoint is asked again (and a good answer clears it)", async () => {
  hang();
  const client = clientFor(em, { auth: { ...SHORT, failureHoldMs: 300 } });
  try {
    expect(await caught(client.customers.get(SAMPLE_CUSTOMERS.clean))).toBeInstanceOf(ConnectionError);
    expect(em.state().counters.tokenRequests).toBe(2);
    em.clearFaults();
    await new Promise((r) => setTimeout(r, 350));
    await expect(client.customers.get(SAMPLE_CUSTOMERS.clean)).resolves.toMatchObject({
      id: SAMPLE_CUSTOMERS.clean,
    });
    expect(em.state().counters.tokenRequests).toBe(3);
  } finally {
    await client.close();
  }
});

test("a refused grant is held too: one token request, the same AuthenticationError for the next callers", async () => {
  em.configure({ requireCredentials: { refreshToken: "another-refresh-token" } });
  const client = clientFor(em);
  try {
    const first = await caught(client.customers.get(SAMPLE_CUSTOMERS.clean));
    expect(first).toBeInstanceOf(AuthenticationError);
    expect(await caught(client.customers.get(SAMPLE_CUSTOMERS.clean))).toBe(first);
    expect(em.state().counters.tokenRequests).toBe(1);
  } finally {
    await client.close();
  }
});

test("a Partner Center error is not a token failure", async () => {
  em.addFault({ kind: "status", status: 503, always: true, match: { customerId: SAMPLE_CUSTOMERS.clean } });
  const client = clientFor(em, { retry: { maxAttempts: 1 } });
  try {
    const e = await caught(client.customers.get(SAMPLE_CUSTOMERS.clean));
    expect(isTokenFailure(e)).toBe(false);
    await expect(client.customers.get(SAMPLE_CUSTOMERS.inactiveOnly)).resolves.toBeDefined();
  } finally {
    await client.close();
  }
});
