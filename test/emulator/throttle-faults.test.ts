/** Throttling (both scopes), latency and every scripted fault kind. */
import { SAMPLE_CUSTOMERS, startEmulator } from "../../packages/emulator/src";
import { call, PARTNER, sharedEmulator, tokenRequest } from "./helpers";

const shared = sharedEmulator();

const get = (id: string) => call(shared.em.url, shared.token, `/v1/customers/${id}`);
const removeClean = () =>
  fetch(`${shared.em.url}/v1/customers/${SAMPLE_CUSTOMERS.clean}`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${shared.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ relationshipToPartner: "none", attributes: { objectType: "Customer" } }),
  });
const relationship = () =>
  shared.em.state().customers.find((c) => c.id === SAMPLE_CUSTOMERS.clean)?.relationshipToPartner;

describe("throttling", () => {
  test("noise: a share of requests answered 429 (Retry-After 1) whatever the budget, without using it up", async () => {
    shared.em.configure({ throttle: { limit: 3, windowMs: 60_000, scope: "partner", noise: 0.5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 40 && statuses.filter((s) => s === 200).length < 3; i++) {
      const r = await get(SAMPLE_CUSTOMERS.clean);
      statuses.push(r.status);
      if (r.status === 429) expect(r.headers.get("retry-after")).toBe("1");
    }
    // Stray 429s came, and the budget still allowed its 3 requests.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    for (let i = 0; i < 5; i++) expect((await get(SAMPLE_CUSTOMERS.clean)).status).toBe(429); // budget spent
    expect(() => shared.em.configure({ throttle: { noise: 2 } })).toThrow(
      /throttle.noise must be a number from 0 to 1/,
    );
  });

  test("per partner and customer: 429 with Retry-After and the non-standard body; other customers still pass", async () => {
    shared.em.configure({ throttle: { limit: 3, windowMs: 60_000, scope: "partnerAndCustomer" } });
    for (let i = 0; i < 3; i++) expect((await get(SAMPLE_CUSTOMERS.clean)).status).toBe(200);
    const r = await get(SAMPLE_CUSTOMERS.clean);
    expect(r.status).toBe(429);
    const retry = Number(r.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(r.json).toEqual({
      statusCode: 429,
      message: `Rate limit is exceeded. Try again in ${retry} seconds.`,
    });
    expect((await get(SAMPLE_CUSTOMERS.inactiveOnly)).status).toBe(200);
    expect(
      (await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}/subscriptions`))
        .status,
    ).toBe(429);
    // Calls without a customer share the partner's own budget.
    for (let i = 0; i < 3; i++)
      expect((await call(shared.em.url, shared.token, "/v1/customers/relationshiprequests")).status).toBe(
        200,
      );
    expect((await call(shared.em.url, shared.token, "/v1/customers")).status).toBe(429);
    // Token and admin calls never count and are never throttled.
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${shared.em.url}/_emulator/state`)).status).toBe(200);
      expect(
        (
          await tokenRequest(shared.em.url, {
            grant_type: "refresh_token",
            client_id: "a",
            refresh_token: "b",
          })
        ).status,
      ).toBe(200);
    }
    expect(shared.em.state().counters.throttled).toBe(3);
    expect(shared.em.requests().filter((e) => e.status === 429)).toHaveLength(3);
  });

  test("per partner: every customer shares one budget; the window ends and calls pass again", async () => {
    shared.em.configure({ throttle: { limit: 2, windowMs: 300, scope: "partner" } });
    expect((await get(SAMPLE_CUSTOMERS.clean)).status).toBe(200);
    expect((await get(SAMPLE_CUSTOMERS.inactiveOnly)).status).toBe(200);
    const r = await get(SAMPLE_CUSTOMERS.paged);
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("1"); // rounded up, at least 1
    await new Promise((res) => setTimeout(res, 350));
    expect((await get(SAMPLE_CUSTOMERS.paged)).status).toBe(200);
  });

  test("the default is 500 a minute per partner and customer", async () => {
    const e = await startEmulator();
    try {
      expect(e.state().config.throttle).toEqual({
        limit: 500,
        windowMs: 60_000,
        scope: "partnerAndCustomer",
      });
    } finally {
      await e.close();
    }
  });
});

describe("latency", () => {
  test("latencyMs delays API answers, not admin calls", async () => {
    shared.em.configure({ latencyMs: 200 });
    let t = Date.now();
    await get(SAMPLE_CUSTOMERS.clean);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    t = Date.now();
    await fetch(`${shared.em.url}/_emulator/health`);
    expect(Date.now() - t).toBeLessThan(150);
  });
});

describe("faults", () => {
  test("reset: the connection is destroyed before anything is applied", async () => {
    shared.em.addFault({ match: { method: "PATCH" }, kind: "reset" });
    await expect(removeClean()).rejects.toThrow();
    expect(relationship()).toBe("reseller");
    expect(shared.em.requests()[0]).toMatchObject({
      method: "PATCH",
      status: null,
      fault: "reset",
      applied: false,
    });
    expect((await removeClean()).status).toBe(200); // consumed: the next call passes
  });

  test("resetAfterApply: the change is applied, then the connection dropped without an answer", async () => {
    shared.em.addFault({
      match: { method: "PATCH", customerId: SAMPLE_CUSTOMERS.clean.toUpperCase() },
      kind: "resetAfterApply",
    });
    await expect(removeClean()).rejects.toThrow();
    expect(relationship()).toBe("none");
    expect(shared.em.requests()[0]).toMatchObject({ status: null, fault: "resetAfterApply", applied: true });
  });

  test("malformedJson: JSON-looking, not JSON", async () => {
    shared.em.addFault({ kind: "malformedJson" });
    const r = await get(SAMPLE_CUSTOMERS.clean);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.text.startsWith("{")).toBe(true);
    expect(() => JSON.parse(r.text)).toThrow();
    expect(shared.em.requests()[0]?.fault).toBe("malformedJson");
  });

  test("truncatedJson: a prefix of the real body with consistent framing", async () => {
    const full = (await get(SAMPLE_CUSTOMERS.clean)).text;
    shared.em.addFault({ kind: "truncatedJson" });
    const r = await get(SAMPLE_CUSTOMERS.clean);
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text)).toThrow();
    expect(full.startsWith(r.text)).toBe(true);
    expect(r.text.length).toBeLessThan(full.length);
  });

  test("oversizedBody: a valid 20 MiB JSON body", async () => {
    shared.em.addFault({ kind: "oversizedBody" });
    const res = await fetch(`${shared.em.url}/v1/customers/${SAMPLE_CUSTOMERS.clean}`, {
      headers: { Authorization: `Bearer ${shared.token}` },
    });
    expect(Number(res.headers.get("content-length"))).toBe(20 * 1024 * 1024);
    const text = await res.text();
    expect(text.length).toBe(20 * 1024 * 1024);
    expect(JSON.parse(text)).toMatchObject({ id: SAMPLE_CUSTOMERS.clean });
  });

  test("slow: the answer comes after delayMs; a client timeout does not undo the change", async () => {
    shared.em.addFault({ kind: "slow", delayMs: 300 });
    const t = Date.now();
    expect((await get(SAMPLE_CUSTOMERS.clean)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    shared.em.addFault({ kind: "slow", delayMs: 500, match: { method: "PATCH" } });
    await expect(
      fetch(`${shared.em.url}/v1/customers/${SAMPLE_CUSTOMERS.clean}`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${shared.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ relationshipToPartner: "none" }),
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    expect(relationship()).toBe("none");
  });

  test("mfa: 401 with code 900421", async () => {
    shared.em.addFault({ kind: "mfa" });
    const r = await get(SAMPLE_CUSTOMERS.clean);
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: "900421", source: "PartnerFD", data: [] });
    expect(r.json.description).toMatch(/multi-factor/);
  });

  test("status: any status in the error schema, Retry-After only when asked; 429 gets the throttling body", async () => {
    shared.em.addFault([
      {
        kind: "status",
        status: 503,
        retryAfterSeconds: 7,
        code: "ServiceUnavailable",
        description: "try later",
      },
      { kind: "status", status: 429 },
      { kind: "throttle" },
    ]);
    const a = await get(SAMPLE_CUSTOMERS.clean);
    expect(a.status).toBe(503);
    expect(a.headers.get("retry-after")).toBe("7");
    expect(a.json).toEqual({
      code: "ServiceUnavailable",
      description: "try later",
      data: [],
      source: "PartnerFD",
    });
    const b = await get(SAMPLE_CUSTOMERS.clean);
    expect(b.status).toBe(429);
    expect(b.headers.get("retry-after")).toBeNull();
    expect(b.json.statusCode).toBe(429);
    const c = await get(SAMPLE_CUSTOMERS.clean);
    expect(c.status).toBe(429);
    expect(c.headers.get("retry-after")).toBe("1");
    expect(c.json).toEqual({ statusCode: 429, message: "Rate limit is exceeded. Try again in 1 seconds." });
    expect(shared.em.state().counters).toMatchObject({ throttled: 2, faultsFired: 3 });
  });

  test("status faults do not apply the request", async () => {
    shared.em.addFault({ match: { method: "PATCH" }, kind: "status", status: 500 });
    expect((await removeClean()).status).toBe(500);
    expect(relationship()).toBe("reseller");
  });

  test("matching by method, customer id and path regex; times; consumed in order; always", async () => {
    shared.em.addFault([
      { match: { customerId: SAMPLE_CUSTOMERS.paged }, kind: "status", status: 502, times: 2 },
      { match: { path: "^/v1/customers/[0-9a-f-]+/subscriptions$" }, kind: "status", status: 504 },
      { match: { method: "GET" }, kind: "status", status: 418, always: true },
    ]);
    expect((await get(SAMPLE_CUSTOMERS.paged)).status).toBe(502);
    expect(
      (await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.paged}/subscriptions`))
        .status,
    ).toBe(502);
    expect(
      (await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}/subscriptions`))
        .status,
    ).toBe(504);
    for (let i = 0; i < 3; i++) expect((await get(SAMPLE_CUSTOMERS.clean)).status).toBe(418);
    expect((await removeClean()).status).toBe(200);
    expect(shared.em.state().pendingFaults).toHaveLength(1);
    shared.em.clearFaults();
    expect((await get(SAMPLE_CUSTOMERS.paged)).status).toBe(200);
  });

  test("probability draws from a seeded generator: the same seed gives the same sequence", async () => {
    const run = async () => {
      shared.em.reset();
      shared.em.configure({ seed: 42 });
      shared.em.addFault({ kind: "status", status: 500, always: true, probability: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await get(SAMPLE_CUSTOMERS.clean)).status);
      return out;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  test("faults reach the token endpoint only when match.path names it", async () => {
    shared.em.addFault({ kind: "status", status: 500 });
    const form = { grant_type: "refresh_token", client_id: "a", refresh_token: "b" };
    expect((await tokenRequest(shared.em.url, form)).status).toBe(200);
    shared.em.clearFaults();
    shared.em.addFault({ match: { path: "oauth2" }, kind: "status", status: 503 });
    const r = await tokenRequest(shared.em.url, form);
    expect(r.status).toBe(503);
    expect(await r.json()).toHaveProperty("error");
    shared.em.addFault({ match: { path: "/oauth2/" }, kind: "reset" });
    await expect(tokenRequest(shared.em.url, form, `/${PARTNER}/oauth2/token`)).rejects.toThrow();
  });

  test("invalid faults are refused with the field named; the admin API queues arrays", async () => {
    expect(() => shared.em.addFault({ kind: "explode" } as never)).toThrow(/fault\.kind/);
    expect(() => shared.em.addFault({ kind: "status", probability: 2 })).toThrow(/probability/);
    expect(() => shared.em.addFault({ kind: "status", times: 0 })).toThrow(/always/);
    const post = await fetch(`${shared.em.url}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify([{ kind: "mfa" }, { kind: "throttle", retryAfterSeconds: 3 }]),
    });
    expect(post.status).toBe(201);
    expect(((await (await fetch(`${shared.em.url}/_emulator/faults`)).json()) as unknown[]).length).toBe(2);
    const bad = await fetch(`${shared.em.url}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ kind: "mfa", match: { verb: "GET" } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/match\.verb/);
    expect((await fetch(`${shared.em.url}/_emulator/faults`, { method: "DELETE" })).status).toBe(204);
    expect((await get(SAMPLE_CUSTOMERS.clean)).status).toBe(200);
  });
});
