/**
 * Hostile input, property-based (fast-check): SECURITY.md guarantee 5, "bad input changes nothing".
 *
 *  - `check` refuses every invalid argument, naming it, and accepts valid GUIDs in any casing (lower-cased);
 *  - nothing reaches the network before validation (`check`, and `create`/`read`/`delete` with bad inputs);
 *  - settings: plain-http (or other non-https) endpoints and authorities on non-loopback hosts, and
 *    out-of-range numbers, are refused naming the key, and no secret value ever appears in the message;
 *  - path segments are always encoded: no id changes the route of a request;
 *  - response bodies with `__proto__` / `constructor` / `prototype` keys pollute nothing;
 *  - a body over MAX_BODY_BYTES is refused without being read whole into memory.
 *
 * Where an undici MockAgent is used (path encoding, prototype pollution), it is because it records the exact
 * path the client put on the wire and replies with exact body text (own `__proto__` keys that no JS object
 * literal and no emulator route would produce), while the client's real transport (request, size cap,
 * JSON.parse, normalizeKeys, zod schemas) runs unchanged. It is the provider's own undici copy, so that
 * the dispatcher and `request` match.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as fc from "fast-check";
import { MockAgent } from "../../provider/node_modules/undici";
import { closeSharedClients, MAX_BODY_BYTES, PartnerCenterClient } from "../../provider/src/client";
import { normalizeKeys } from "../../provider/src/client/core/schemas";
import * as dynamic from "../../provider/src/dynamic";
import { SAMPLE_CUSTOMERS, startEmulator, type Emulator } from "../../packages/emulator/src";
import { ConfigurationError, PartnerCenterError, ResponseValidationError } from "../../provider/src/errors";
import { loadSettings } from "../../provider/src/settings";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What `check` accepts as a tenant id: a GUID once surrounding whitespace is trimmed. */
const isGuid = (v: unknown): boolean => typeof v === "string" && GUID.test(v.trim());
/** Pulumi's "unknown during preview" sentinel: `check` keeps it as it is for known properties. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const KNOWN = ["customerId", "suspendActiveSubscriptions", "acceptanceTimeoutSeconds", "indirectResellerId"];
const CUSTOMER = SAMPLE_CUSTOMERS.clean;
const FAST = { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3, deadlineMs: 5_000, attemptTimeoutMs: 5_000 };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ throttle: false });
  await dynamic.configure({
    config: {
      get: (k: string) =>
        ({
          "partnercenter:endpoint": emulator.url,
          "partnercenter:authority": emulator.url,
          "partnercenter:tenantId": "0a0a0a0a-0000-4000-8000-00000000000a",
          "partnercenter:clientId": "hostile-input",
          "partnercenter:refreshToken": "hostile-input-refresh-token",
        })[k],
    },
  });
});
afterAll(async () => {
  await closeSharedClients();
  await emulator.close();
});

/** Nothing was sent to the emulator: no API request and no token request. */
function expectNoTraffic(): void {
  expect(emulator.requests()).toEqual([]);
  expect(emulator.state().counters.tokenRequests).toBe(0);
}

/** An object with `key` as an own property, even `__proto__` (a literal or assignment would set the prototype). */
function withKey(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = { ...base };
  Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
  return o;
}

type CheckResult = Awaited<ReturnType<typeof dynamic.check>>;

/**
 * Checks that a failed check names exactly `expected`: every failure's property is one of them, and each of
 * them is a failure's property or, for unknown properties (one failure lists them all), quoted in its reason.
 */
function expectNamed(r: CheckResult, expected: readonly string[]): void {
  expect(r.inputs).toBeUndefined();
  const failures = r.failures ?? [];
  expect(failures.length).toBeGreaterThan(0);
  for (const f of failures) expect(expected).toContain(f.property);
  for (const k of expected) {
    const hit = failures.some(
      (f) => f.property === k || (f.reason.startsWith("unknown property") && f.reason.includes(`"${k}"`)),
    );
    expect(hit).toBe(true);
  }
}

// ------------------------------------------------------------------------------------------- arbitraries

/** A GUID with each letter in a random casing. */
const anyCaseGuid = fc
  .tuple(fc.uuid(), fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }))
  .map(([g, up]) => [...g].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(""));

/** Strings that are not tenant GUIDs: random, unicode, GUIDs with junk, traversal, encoded separators, long. */
const badIdString = fc
  .oneof(
    fc.string(),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc
      .tuple(fc.uuid(), fc.string({ minLength: 1, maxLength: 6 }), fc.nat(36))
      .map(([g, junk, at]) => g.slice(0, at) + junk + g.slice(at)),
    fc.uuid().map((g) => g.replace(/-/g, "")),
    fc.uuid().map((g) => `{${g}}`),
    fc.uuid().map((g) => g.replace(/[0-9a-f]$/, "g")),
    fc.uuid().map((g) => `${g}/../relationshiprequests`),
    fc.uuid().map((g) => `../${g}`),
    fc.uuid().map((g) => `${g}%2F`),
    fc.uuid().map((g) => `${g}\u0000`),
    fc.uuid().map((g) => g.replace(/-/g, "\u2010")), // unicode hyphens
    fc.uuid().map((g) => g.replace(/a/g, "\u0430")), // Cyrillic a
    fc.uuid().map((g) => g.repeat(100)),
    fc.constantFrom("", " ", "\t\n", "..", ".", "../", "%2F", "..%2F..%2Fcustomers", "/v1/customers", "null"),
    fc.string({ minLength: 1000, maxLength: 5000 }),
  )
  .filter((s) => !isGuid(s));

/** Any value that is not a string (for the GUID properties) and is not `undefined` (which means "absent"). */
const nonString = fc.anything().filter((v) => typeof v !== "string" && v !== undefined);

const badTimeout = fc
  .oneof(
    fc.integer({ max: -1 }),
    fc.integer({ min: 86_401 }),
    fc.double({ noNaN: false }),
    fc.constantFrom(NaN, Infinity, -Infinity, 0.5, 86_400.5, -1e-9, 1e21, Number.MAX_VALUE),
    fc.string(),
    fc.constantFrom("60", "0", " 1 "),
    fc.anything(),
  )
  .filter(
    (v) =>
      v !== undefined &&
      v !== UNKNOWN &&
      !(typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 86_400),
  );

const badBoolean = fc
  .oneof(fc.anything(), fc.constantFrom("true", "false", 0, 1, "", "yes", null, [], {}))
  .filter((v) => typeof v !== "boolean" && v !== undefined && v !== UNKNOWN);

/** Misspelt or foreign property names, prototype keys included. */
const unknownKey = fc
  .oneof(
    fc.string({ minLength: 1 }),
    fc.constantFrom(
      "customerid",
      "CustomerId",
      "customerId ",
      "customer_id",
      "suspendActiveSubscription",
      "acceptanceTimeout",
      "indirectResellerID",
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "hasOwnProperty",
      "valueOf",
    ),
  )
  .filter((k) => !KNOWN.includes(k) && k !== "__provider");

// ------------------------------------------------------------------------------------------------- check

describe("check: nothing invalid passes", () => {
  afterEach(expectNoTraffic);

  test("valid GUIDs in any casing pass and come back lower-cased", async () => {
    await fc.assert(
      fc.asyncProperty(
        anyCaseGuid,
        fc.option(fc.boolean(), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 86_400 }), { nil: undefined }),
        fc.option(anyCaseGuid, { nil: undefined }),
        fc.constantFrom("", " ", "\t", "\n "),
        async (customerId, suspend, timeout, reseller, pad) => {
          const news: Record<string, unknown> = { customerId: `${pad}${customerId}${pad}` };
          if (suspend !== undefined) news.suspendActiveSubscriptions = suspend;
          if (timeout !== undefined) news.acceptanceTimeoutSeconds = timeout;
          if (reseller !== undefined) news.indirectResellerId = reseller;
          const r = await dynamic.check({}, news);
          expect(r.failures).toBeUndefined();
          const expected: Record<string, unknown> = { ...news, customerId: customerId.toLowerCase() };
          if (reseller !== undefined) expected.indirectResellerId = reseller.toLowerCase();
          expect(r.inputs).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("customerId: any non-GUID string or non-string fails naming customerId", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(badIdString, nonString), async (customerId) => {
        const r = await dynamic.check({}, { customerId });
        expectNamed(r, ["customerId"]);
      }),
      { numRuns: 400 },
    );
    // Absent, too.
    expectNamed(await dynamic.check({}, {}), ["customerId"]);
  });

  test("indirectResellerId: any non-GUID fails naming it", async () => {
    await fc.assert(
      fc.asyncProperty(
        anyCaseGuid,
        fc.oneof(badIdString, nonString).filter((v) => v !== UNKNOWN),
        async (customerId, indirectResellerId) => {
          const r = await dynamic.check({}, { customerId, indirectResellerId });
          expectNamed(r, ["indirectResellerId"]);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("suspendActiveSubscriptions: any non-boolean fails naming it", async () => {
    await fc.assert(
      fc.asyncProperty(anyCaseGuid, badBoolean, async (customerId, v) => {
        const r = await dynamic.check({}, { customerId, suspendActiveSubscriptions: v });
        expectNamed(r, ["suspendActiveSubscriptions"]);
      }),
      { numRuns: 200 },
    );
  });

  test("acceptanceTimeoutSeconds: negative, fractional, huge, NaN, infinite, strings fail naming it", async () => {
    await fc.assert(
      fc.asyncProperty(anyCaseGuid, badTimeout, async (customerId, v) => {
        const r = await dynamic.check({}, { customerId, acceptanceTimeoutSeconds: v });
        expectNamed(r, ["acceptanceTimeoutSeconds"]);
      }),
      { numRuns: 300 },
    );
  });

  test("unknown extra properties (prototype keys too, whatever the value) fail naming the property", async () => {
    await fc.assert(
      fc.asyncProperty(
        anyCaseGuid,
        unknownKey,
        fc.oneof(fc.anything(), fc.constant(UNKNOWN)),
        async (customerId, key, value) => {
          const r = await dynamic.check({}, withKey({ customerId }, key, value));
          expectNamed(r, [key]);
          expect(r.failures?.find((f) => f.property === key)?.reason).toMatch(/^unknown property/);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("several bad properties at once: exactly those are named", async () => {
    const slot = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) =>
      fc.oneof(
        fc.constant({ kind: "absent" as const }),
        good.map((value) => ({ kind: "good" as const, value })),
        bad.map((value) => ({ kind: "bad" as const, value })),
      );
    await fc.assert(
      fc.asyncProperty(
        slot(anyCaseGuid, fc.oneof(badIdString, nonString)),
        slot(fc.boolean(), badBoolean),
        slot(fc.integer({ min: 0, max: 86_400 }), badTimeout),
        slot(
          anyCaseGuid,
          fc.oneof(badIdString, nonString).filter((v) => v !== UNKNOWN),
        ),
        fc.option(unknownKey, { nil: undefined }),
        async (c, s, t, i, extra) => {
          const slots = { customerId: c, suspendActiveSubscriptions: s, acceptanceTimeoutSeconds: t };
          let news: Record<string, unknown> = {};
          const expected = new Set<string>();
          for (const [k, v] of Object.entries({ ...slots, indirectResellerId: i })) {
            if (v.kind !== "absent") news[k] = v.value;
            if (v.kind === "bad" || (k === "customerId" && v.kind === "absent")) expected.add(k);
          }
          if (extra !== undefined) {
            news = withKey(news, extra, 1);
            expected.add(extra);
          }
          const r = await dynamic.check({}, news);
          if (expected.size === 0) {
            expect(r.failures).toBeUndefined();
          } else {
            expectNamed(r, [...expected]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ------------------------------------------------------------------------------ no network before validation

describe("no network before validation", () => {
  afterEach(expectNoTraffic);

  test("create, read and delete with an invalid customerId (or other input) throw without any request", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.oneof(badIdString, nonString).map((customerId) => ({ customerId })),
          // null is "absent" for create/read/delete (check, which runs first, refuses it).
          badBoolean
            .filter((v) => v !== null)
            .map((v) => ({ customerId: CUSTOMER, suspendActiveSubscriptions: v })),
          badTimeout
            .filter((v) => v !== null)
            .map((v) => ({ customerId: CUSTOMER, acceptanceTimeoutSeconds: v })),
        ),
        async (news) => {
          const id = typeof news.customerId === "string" ? news.customerId : "x";
          for (const op of [
            () => dynamic.create(news),
            () => dynamic.read(id, news),
            () => dynamic.delete(id, news),
          ]) {
            await expect(op()).rejects.toBeInstanceOf(ConfigurationError);
          }
        },
      ),
      { numRuns: 150 },
    );
    // delete and read also take the id alone (props without customerId).
    await fc.assert(
      fc.asyncProperty(badIdString, async (id) => {
        await expect(dynamic.delete(id, {})).rejects.toBeInstanceOf(ConfigurationError);
        await expect(dynamic.read(id, {})).rejects.toBeInstanceOf(ConfigurationError);
      }),
      { numRuns: 150 },
    );
  });
});

// ------------------------------------------------------------------------------------------------ settings

describe("settings: refused, naming the key, never quoting a secret", () => {
  /** Secrets as real ones look (base64url-ish), at least 8 characters (shorter ones are never redacted). */
  const secret = fc
    .stringMatching(/^[A-Za-z0-9._~+/=-]{8,48}$/)
    .filter((s) => !"[REDACTED]".includes(s) && s.trim() === s);
  const nonLoopbackHost = fc
    .oneof(
      fc.domain(),
      fc.ipV4().filter((ip) => !ip.startsWith("127.")),
      fc.constantFrom(
        "localhost.example.com",
        "127.0.0.1.nip.io",
        "localhost6",
        "[::2]",
        "0.0.0.0",
        "api.partnercenter.microsoft.com",
        "login.microsoftonline.com",
      ),
    )
    .filter((h) => h !== "localhost");
  const notHttps = fc.constantFrom("http", "ftp", "ws", "wss", "file", "gopher", "HTTP", "Http", "httpx");
  const secretsIn = (s: string[]) => ({
    "partnercenter:clientSecret": s[0],
    "partnercenter:refreshToken": s[1],
    "partnercenter:accessToken": s[2],
  });

  test("a non-https endpoint or authority on a non-loopback host", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("endpoint" as const, "authority" as const),
        notHttps,
        nonLoopbackHost,
        fc.constantFrom("", "/", "/v1", "/common/", ":8443/x"),
        fc.array(secret, { minLength: 3, maxLength: 3 }),
        secret,
        fc.boolean(),
        (key, scheme, host, path, secrets, urlSecret, userinfo) => {
          // A secret in the URL's userinfo is never quoted either (only the host is).
          const url = `${scheme}://${userinfo ? `user:${urlSecret}@` : ""}${host}${path}`;
          const other = key === "endpoint" ? "authority" : "endpoint";
          const run = () =>
            loadSettings(
              {
                [`partnercenter:${key}`]: url,
                [`partnercenter:${other}`]: "https://example.com",
                ...secretsIn(secrets),
              },
              { PARTNER_CENTER_CLIENT_ID: "app" },
            );
          let err: unknown;
          try {
            run();
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(ConfigurationError);
          const message = (err as Error).message;
          expect(message).toContain(`partnercenter:${key}`);
          expect(message).not.toContain(`partnercenter:${other}`);
          for (const s of [...secrets, urlSecret]) expect(message).not.toContain(s);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("from the environment too, and plain http on loopback stays allowed", () => {
    fc.assert(
      fc.property(nonLoopbackHost, secret, (host, s) => {
        expect(() =>
          loadSettings({}, { PARTNER_CENTER_ENDPOINT: `http://${host}`, PARTNER_CENTER_CLIENT_SECRET: s }),
        ).toThrow(/partnercenter:endpoint \(or PARTNER_CENTER_ENDPOINT\) must use https/);
      }),
      { numRuns: 100 },
    );
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]"]) {
      expect(
        loadSettings({ endpoint: `http://${host}:8787`, authority: `http://${host}` }, {}).endpoint,
      ).toBe(`http://${host}:8787`);
    }
  });

  test("out-of-range or malformed maxConcurrency and maxRequestsPerMinute", () => {
    const limits = { maxConcurrency: 1024, maxRequestsPerMinute: 1_000_000 } as const;
    const valid = (v: string, max: number) => /^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= max;
    fc.assert(
      fc.property(
        fc.constantFrom("maxConcurrency" as const, "maxRequestsPerMinute" as const),
        fc.oneof(
          fc.integer({ max: 0 }).map(String),
          fc.integer({ min: 1025, max: 2 ** 53 }).map(String),
          fc.integer({ min: 1_000_001 }).map(String),
          fc.double().map(String),
          fc.constantFrom("NaN", "Infinity", "-1", "1e3", "0x10", "1.5", "1,000", "ten", "9007199254740993"),
          fc.string(),
        ),
        fc.array(secret, { minLength: 3, maxLength: 3 }),
        (key, value, secrets) => {
          fc.pre(value.trim() !== "" && !valid(value, limits[key]));
          let err: unknown;
          try {
            loadSettings({ [`partnercenter:${key}`]: value, ...secretsIn(secrets) }, {});
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(ConfigurationError);
          const message = (err as Error).message;
          expect(message).toContain(`partnercenter:${key}`);
          for (const s of secrets) expect(message).not.toContain(s);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ------------------------------------------------------------------------------------ path segment encoding

describe("path segments are always encoded", () => {
  const ORIGIN = "https://api.partnercenter.microsoft.com";

  /** A MockAgent (see the file comment: it records the exact path sent) answering 404 to everything. */
  function mockClient() {
    const agent = new MockAgent({ enableCallHistory: true });
    agent.disableNetConnect();
    agent
      .get(ORIGIN)
      .intercept({ path: () => true, method: () => true })
      .reply(404, { code: 1000, description: "not found" })
      .persist();
    const client = new PartnerCenterClient(loadSettings({ accessToken: "path-test-access-token" }, {}), {
      dispatcher: agent,
      retry: FAST,
      pacing: { slowStart: false },
    });
    return { agent, client };
  }

  /** Ids full of separators and traversal: `/ ? # .. % \ ;` and unicode, lone surrogates included. */
  const hostileId = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary", maxLength: 20 }),
    fc.string({
      unit: fc.constantFrom(..."/?#.%\\;:@&=+$,[] \t\n'\"<>{}|^`~!*()x0aé\u2215\uff0f"),
      maxLength: 20,
    }),
    fc.constantFrom(
      "",
      ".",
      "..",
      "...",
      "x/../../relationshiprequests",
      "../relationshiprequests",
      "..%2F..%2Frelationshiprequests",
      "%2e%2e",
      ".%2e",
      "%2E",
      "relationshiprequests/..",
      "a?b#c",
      "a#/../x",
      "\\..\\..\\x",
      "%00",
      "%",
      "%zz",
      "\uD800",
      "..;/x",
      "//evil.example.com/x",
      "https://evil.example.com/",
    ),
  );

  /**
   * The path must be the intended route: the `template` segments literally, except at the positions in `ids`,
   * where one segment decodes back to that id exactly, with no separator, query, fragment or dot segment a
   * server would act on.
   */
  function expectRoute(path: string, template: string[], ids: Record<number, string>): void {
    expect(path).not.toMatch(/[?#]/);
    expect(new URL(path, ORIGIN).pathname).toBe(path); // nothing a URL parser would normalise
    const segs = path.split("/");
    expect(segs).toHaveLength(template.length);
    segs.forEach((seg, i) => {
      if (i in ids) {
        expect(decodeURIComponent(seg)).toBe(ids[i]);
        expect(seg).toMatch(/^[A-Za-z0-9\-_.!~*'()%]+$/);
        expect([".", ".."]).not.toContain(seg.replace(/%2e/gi, "."));
      } else {
        expect(seg).toBe(template[i]);
      }
    });
  }

  /** True when `id` cannot be a path segment: the client must refuse it rather than send another route. */
  const unsendable = (id: string) =>
    id === "" ||
    id === "." ||
    id === ".." ||
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(id);

  test("customers, subscriptions, entitlements, suspend, azureEntitlements: only the intended route", async () => {
    const { agent, client } = mockClient();
    const history = agent.getCallHistory()!;
    const customer = ["", "v1", "customers", "*"];
    const calls: [string, string[], (id: string) => Promise<unknown>, "id" | "sub"][] = [
      ["GET", customer, (id) => client.customers.get(id), "id"],
      ["PATCH", customer, (id) => client.customers.removeRelationship(id), "id"],
      ["GET", [...customer, "subscriptions"], (id) => client.subscriptions.list(id), "id"],
      ["GET", [...customer, "entitlements"], (id) => client.entitlements.list(id), "id"],
      [
        "GET",
        [...customer, "subscriptions", "*", "azureEntitlements"],
        (id) => client.subscriptions.azureEntitlements(CUSTOMER, id),
        "sub",
      ],
      [
        "PATCH",
        [...customer, "subscriptions", "*"],
        (id) =>
          client.subscriptions.suspend(CUSTOMER, {
            id,
            etag: "W/1",
            status: "active",
            offerName: undefined,
            friendlyName: undefined,
            billingType: undefined,
            raw: { id, status: "active" },
          }),
        "sub",
      ],
    ];
    await fc.assert(
      fc.asyncProperty(hostileId, async (id) => {
        for (const [method, template, call, which] of calls) {
          history.clear();
          const err = await call(id).then(
            () => undefined,
            (e: unknown) => e,
          );
          const sent = history.calls();
          if (unsendable(id)) {
            // Refused before sending: an empty or dot segment would be dropped or climbed by URL parsing.
            expect(sent).toHaveLength(0);
            expect(err).toBeInstanceOf(PartnerCenterError);
            continue;
          }
          // The entitlements list is two reads: all, and legacy VM reservations by type (same route).
          expect(sent).toHaveLength(template.at(-1) === "entitlements" ? 2 : 1);
          for (const one of sent) {
            expect(one.method).toBe(method);
            expect(one.fullUrl.startsWith(`${ORIGIN}/v1/customers/`)).toBe(true);
            const ids: Record<number, string> = which === "id" ? { 3: id } : { 3: CUSTOMER, 5: id };
            expectRoute(one.path, template, ids);
          }
        }
      }),
      { numRuns: 250 },
    );
    await agent.close();
  });

  test('against the emulator: customers.get("x/../../relationshiprequests") is a customer lookup', async () => {
    emulator.reset();
    emulator.clearRequests();
    const client = new PartnerCenterClient(
      loadSettings(
        {
          endpoint: emulator.url,
          authority: emulator.url,
          accessToken: "emulator-static-token",
          allowLoopbackWithCredentials: "true",
        },
        {},
      ),
      { retry: FAST, pacing: { slowStart: false } },
    );
    emulator.configure({ staticAccessTokens: ["emulator-static-token"] });
    try {
      for (const id of [
        "x/../../relationshiprequests",
        "..%2Frelationshiprequests",
        "relationshiprequests/..",
      ]) {
        emulator.clearRequests();
        await expect(client.customers.get(id)).rejects.toBeInstanceOf(PartnerCenterError);
        const log = emulator.requests();
        expect(log).toHaveLength(1);
        expect(log[0]!.path).toBe(`/v1/customers/${encodeURIComponent(id)}`);
        expect(log[0]!.customerId).toBe(id.toLowerCase()); // routed as a customer id, decoded whole
        expect(log[0]!.status).not.toBe(200);
      }
      for (const id of ["..", ".", ""]) {
        emulator.clearRequests();
        await expect(client.customers.removeRelationship(id)).rejects.toBeInstanceOf(PartnerCenterError);
        await expect(client.subscriptions.list(id)).rejects.toBeInstanceOf(PartnerCenterError);
        expect(emulator.requests()).toEqual([]);
      }
    } finally {
      await client.close();
      emulator.reset();
      emulator.clearRequests();
    }
  });
});

// ------------------------------------------------------------------------------------- prototype pollution

describe("prototype pollution: hostile keys in response bodies change nothing", () => {
  const ORIGIN = "https://api.partnercenter.microsoft.com";
  const AUTHORITY = "https://login.microsoftonline.com";
  const TENANT = "0a0a0a0a-0000-4000-8000-00000000000a";
  /** Customers answered with a 404 and a 400 error body. */
  const MISSING = "99999999-9999-4999-8999-999999999991";
  const REFUSED = "99999999-9999-4999-8999-999999999992";
  const FORBIDDEN_VARIANTS = [
    "__proto__",
    "constructor",
    "prototype",
    "__PROTO__",
    "__Proto__",
    "Constructor",
    "CONSTRUCTOR",
    "Prototype",
    "PROTOTYPE",
  ];

  /** JSON text built by hand, so that `__proto__` is an ordinary key of the document. */
  type Node =
    | { t: "obj"; entries: [string, Node][] }
    | { t: "arr"; items: Node[] }
    | { t: "val"; v: string | number | boolean | null };
  const text = (n: Node): string =>
    n.t === "val"
      ? JSON.stringify(n.v)
      : n.t === "arr"
        ? `[${n.items.map(text).join(",")}]`
        : `{${n.entries.map(([k, v]) => `${JSON.stringify(k)}:${text(v)}`).join(",")}}`;
  const POISON: Node = {
    t: "obj",
    entries: [
      ["polluted", { t: "val", v: "yes" }],
      ["isAdmin", { t: "val", v: true }],
      ["toString", { t: "val", v: "not a function" }],
      ["__proto__", { t: "obj", entries: [["polluted", { t: "val", v: "yes" }]] }],
    ],
  };
  // Random keys start with "x" so that they never collide with a field the schemas read.
  const key = fc.oneof(
    fc.constantFrom(...FORBIDDEN_VARIANTS),
    fc.string({ maxLength: 6 }).map((s) => `x${s}`),
  );
  const { node } = fc.letrec<{ node: Node; obj: Node; arr: Node; val: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", maxDepth: 4 },
      tie("val"),
      tie("obj"),
      tie("arr"),
      fc.constant(POISON),
    ),
    obj: fc
      .array(fc.tuple(key, tie("node")), { maxLength: 4 })
      .map((entries) => ({ t: "obj" as const, entries })),
    arr: fc.array(tie("node"), { maxLength: 3 }).map((items) => ({ t: "arr" as const, items })),
    val: fc
      .oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null))
      .map((v) => ({ t: "val" as const, v })),
  }));
  /** Hostile entries: at least one forbidden key, holding poison or a random tree. */
  const hostile = fc
    .tuple(
      fc.constantFrom(...FORBIDDEN_VARIANTS),
      fc.oneof(fc.constant(POISON), node),
      fc.array(fc.tuple(key, node), { maxLength: 3 }),
    )
    .map(([k, v, rest]): [string, Node][] => [[k, v], ...rest]);

  /** `{...hostile, ...fields}`: the real fields last, so a duplicate key never replaces them. */
  const doc = (h: [string, Node][], fields: Record<string, string>): string =>
    `{${[...h.map(([k, v]) => `${JSON.stringify(k)}:${text(v)}`), ...Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${v}`)].join(",")}}`;

  const protoNames = (p: object) => Object.getOwnPropertyNames(p).sort();
  const before = {
    object: protoNames(Object.prototype),
    array: protoNames(Array.prototype),
    fn: protoNames(Function.prototype),
    toString: Object.prototype.toString,
  };
  function expectUnpolluted(...results: unknown[]): void {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(protoNames(Object.prototype)).toEqual(before.object);
    expect(protoNames(Array.prototype)).toEqual(before.array);
    expect(protoNames(Function.prototype)).toEqual(before.fn);
    expect(Object.prototype.toString).toBe(before.toString);
    for (const r of results) {
      // Every object handed back has a standard prototype and inherits nothing from the body. (A subscription's
      // `raw`, the resource as sent, may hold an own "__proto__" key as plain data: that is not pollution.)
      const walk = (v: unknown, depth: number, path: string): void => {
        if (v === null || typeof v !== "object" || depth > 4) return;
        const proto: unknown = Object.getPrototypeOf(v);
        expect([Object.prototype, Array.prototype, null]).toContain(proto);
        if (!Object.hasOwn(v, "polluted"))
          expect([path, (v as Record<string, unknown>).polluted]).toEqual([path, undefined]);
        for (const [k, x] of Object.entries(v)) walk(x, depth + 1, `${path}.${k}`);
      };
      walk(r, 0, "result");
    }
  }

  test("normalizeKeys: null-prototype objects, no forbidden key at any depth", () => {
    fc.assert(
      fc.property(node, hostile, (n, h) => {
        const out = normalizeKeys(JSON.parse(doc(h, { x: text(n) })));
        const walk = (v: unknown): void => {
          if (Array.isArray(v)) return v.forEach(walk);
          if (v === null || typeof v !== "object") return;
          expect(Object.getPrototypeOf(v)).toBeNull();
          for (const k of Object.keys(v)) expect(["__proto__", "constructor", "prototype"]).not.toContain(k);
          Object.values(v).forEach(walk);
        };
        walk(out);
        expectUnpolluted();
      }),
      { numRuns: 300 },
    );
  });

  test("through the real transport: token, customer, lists, invitation link and error bodies", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, async (h1, h2, h3) => {
        const agent = new MockAgent();
        agent.disableNetConnect();
        const json = { "content-type": "application/json" };
        agent
          .get(AUTHORITY)
          .intercept({ path: `/${TENANT}/oauth2/token`, method: "POST" })
          .reply(
            200,
            doc(h1, {
              access_token: '"pollution-test-access-token"',
              expires_in: '"3600"',
              token_type: '"Bearer"',
            }),
            { headers: json },
          );
        const pool = agent.get(ORIGIN);
        const customer = doc(h2, {
          id: JSON.stringify(CUSTOMER),
          companyProfile: doc(h3, { companyName: '"Contoso"', domain: '"contoso.example"' }),
          relationshipToPartner: '"reseller"',
        });
        const reply = (path: string, body: string, status = 200) =>
          pool.intercept({ path, method: "GET" }).reply(status, body, { headers: json });
        reply(`/v1/customers/${CUSTOMER}`, customer);
        reply("/v1/customers?size=100", doc(h1, { items: `[${customer},${doc(h3, {})}]`, totalCount: "2" }));
        const sub = doc(h2, { id: '"s1"', status: '"Active"', etag: '"e"', offerName: '"O"' });
        reply(`/v1/customers/${CUSTOMER}/subscriptions`, doc(h3, { items: `[${sub}]` }));
        const ent = doc(h1, {
          entitlementType: '"reservedInstance"',
          referenceOrder: doc(h2, { id: '"r1"' }),
        });
        // Entitlements are read with showExpiry=true.
        reply(`/v1/customers/${CUSTOMER}/entitlements?showExpiry=true`, doc(h2, { items: `[${ent}]` }));
        reply(
          `/v1/customers/${CUSTOMER}/entitlements?entitlementType=virtualmachinereservedinstance&showExpiry=true`,
          doc(h3, { items: "[]" }),
        );
        reply(
          `/v1/customers/${CUSTOMER}/subscriptions/s1/azureEntitlements`,
          doc(h3, { items: `[${doc(h1, { id: '"a1"', status: '"active"' })}]` }),
        );
        reply("/v1/customers/relationshiprequests", doc(h2, { url: '"https://admin.microsoft.com/x"' }));
        reply(`/v1/customers/${MISSING}`, doc(h3, { code: "1000", description: '"nope"' }), 404);
        reply(`/v1/customers/${REFUSED}`, doc(h1, { code: "3000", description: '"bad"' }), 400);

        const client = new PartnerCenterClient(
          loadSettings(
            {
              authority: AUTHORITY,
              tenantId: TENANT,
              clientId: "app",
              refreshToken: "pollution-refresh-token",
            },
            {},
          ),
          { dispatcher: agent, retry: FAST, pacing: { slowStart: false } },
        );
        const got = await client.customers.get(CUSTOMER);
        expect(got).toEqual({
          id: CUSTOMER,
          companyName: "Contoso",
          domain: "contoso.example",
          relationshipToPartner: "reseller",
        });
        const list = await client.customers.list();
        expect(list).toHaveLength(2);
        const subs = await client.subscriptions.list(CUSTOMER);
        expect(subs.map((s) => [s.id, s.status])).toEqual([["s1", "active"]]);
        const ents = await client.entitlements.list(CUSTOMER);
        expect(ents.map((e) => [e.id, e.entitlementType])).toEqual([["r1", "reservedInstance"]]);
        const az = await client.subscriptions.azureEntitlements(CUSTOMER, "s1");
        const url = await client.relationshipRequests.getInvitationUrl();
        expect(url).toBe("https://admin.microsoft.com/x");
        const e404 = await client.customers.get(MISSING).catch((e: unknown) => e);
        const e400 = await client.customers.get(REFUSED).catch((e: unknown) => e);
        expect(e404).toBeInstanceOf(PartnerCenterError);
        expect(e400).toBeInstanceOf(PartnerCenterError);
        expectUnpolluted(got, list, subs, ents, az);
        for (const e of [e404, e400] as Record<string, unknown>[]) {
          expect([e.polluted, e.isAdmin]).toEqual([undefined, undefined]);
          expect(typeof e.toString).toBe("function");
        }
        await agent.close();
      }),
      { numRuns: 60 },
    );
  });
});

// -------------------------------------------------------------------------------------------- body size cap

describe("a body over the size cap is refused without being read whole", () => {
  const SIZE = 64 * 1024 * 1024;
  const MiB = 1024 * 1024;

  /** Runs `fn` while sampling memory every few ms; returns its outcome and the peak growth in bytes. */
  async function peakGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; heap: number; rss: number }> {
    const base = process.memoryUsage();
    let heap = 0;
    let rss = 0;
    const sample = () => {
      const m = process.memoryUsage();
      heap = Math.max(heap, m.heapUsed + m.arrayBuffers - (base.heapUsed + base.arrayBuffers));
      rss = Math.max(rss, m.rss - base.rss);
    };
    const timer = setInterval(sample, 2);
    try {
      const value = await fn();
      sample();
      return { value, heap, rss };
    } finally {
      clearInterval(timer);
    }
  }

  test(`emulator oversizedBody of 64 MiB (with Content-Length): ResponseValidationError at once`, async () => {
    expect(MAX_BODY_BYTES).toBe(8 * MiB);
    emulator.reset();
    const client = new PartnerCenterClient(
      loadSettings(
        {
          endpoint: emulator.url,
          authority: emulator.url,
          tenantId: "0a0a0a0a-0000-4000-8000-00000000000a",
          clientId: "oversize",
          refreshToken: "oversize-refresh-token",
          allowLoopbackWithCredentials: "true",
        },
        {},
      ),
      { retry: FAST, pacing: { slowStart: false } },
    );
    try {
      await client.customers.get(CUSTOMER); // token and connection first, outside the measurement
      emulator.addFault({ kind: "oversizedBody", sizeBytes: SIZE, match: { customerId: CUSTOMER } });
      const started = Date.now();
      const {
        value: err,
        heap,
        rss,
      } = await peakGrowth(() => client.customers.get(CUSTOMER).catch((e: unknown) => e));
      const ms = Date.now() - started;
      expect(err).toBeInstanceOf(ResponseValidationError);
      expect((err as Error).message).toContain(`larger than ${MAX_BODY_BYTES} bytes`);
      expect(ms).toBeLessThan(2_000);
      expect(heap).toBeLessThan(32 * MiB);
      expect(rss).toBeLessThan(48 * MiB);
      // One attempt: a response that cannot be trusted is not retried.
      expect(emulator.requests().filter((r) => r.fault === "oversizedBody")).toHaveLength(1);
    } finally {
      await client.close();
      emulator.reset();
      emulator.clearRequests();
    }
  });

  test("a chunked 64 MiB body (no Content-Length): the client stops reading just past the cap", async () => {
    let written = 0;
    let closed!: () => void;
    const socketClosed = new Promise<void>((r) => (closed = r));
    const chunk = Buffer.alloc(64 * 1024, "x");
    // A loopback server of our own: the emulator always sends Content-Length, this one streams chunked.
    const server = http.createServer((req, res) => {
      void (async () => {
        res.on("close", () => closed());
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"id":"x","relationshipToPartner":"reseller","padding":"');
        while (written < SIZE && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) {
            await new Promise<void>((r) => {
              const done = () => {
                res.off("drain", done);
                res.off("close", done);
                r();
              };
              res.on("drain", done);
              res.on("close", done);
            });
          }
        }
        if (!res.destroyed) res.end('"}');
      })();
      req.resume();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new PartnerCenterClient(
      loadSettings(
        { endpoint: url, accessToken: "chunked-test-token", allowLoopbackWithCredentials: "true" },
        {},
      ),
      {
        retry: FAST,
        pacing: { slowStart: false },
      },
    );
    try {
      const started = Date.now();
      const { value: err, heap } = await peakGrowth(() =>
        client.customers.get(CUSTOMER).catch((e: unknown) => e),
      );
      const ms = Date.now() - started;
      expect(err).toBeInstanceOf(ResponseValidationError);
      await socketClosed;
      // The server could only write what the client read plus socket buffers: far below 64 MiB.
      expect(written).toBeGreaterThan(MAX_BODY_BYTES);
      expect(written).toBeLessThan(32 * MiB);
      expect(heap).toBeLessThan(32 * MiB);
      expect(ms).toBeLessThan(3_000);
    } finally {
      await client.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
