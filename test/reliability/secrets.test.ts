/**
 * No credential in errors, logs or outputs: SECURITY.md guarantees 1 and 2, under every fault the emulator can
 * inject.
 *
 * The provider's operations run through the dynamic module itself (configure, then create / read / delete and
 * their failing variants, concurrently on eight sample customers), configured with recognisable credentials,
 * while the emulator injects each fault kind (`FAULT_KINDS`) into the API, faults into the token endpoint,
 * refused grants (`requireCredentials`), and Partner Center or Entra error descriptions that echo the
 * credentials back. Every error (message, stack, `${e}: ${e.stack}` as the host prints it, JSON, util.inspect
 * with hidden properties, the cause), every log line (pulumi.log prints through console here; stdout and
 * stderr are captured too) and every output object is scanned for the client secret, the refresh token, the
 * static access token, every token the emulator issued (access and rotated refresh tokens) and any
 * `Bearer <token>`. An access-token-only configuration is covered the same way.
 *
 * The shared client uses the default retries (500 ms base backoff), so faults fire once (`times: 1`) or fail
 * fast; the operations of a scenario run in parallel. The provider host path is covered by
 * test/host/deployment.test.ts ("no secret or token in outputs, errors, the provider text or the host's output").
 */
import * as util from "node:util";
import * as fc from "fast-check";
import { MockAgent } from "../../provider/node_modules/undici";
import { closeSharedClients, PartnerCenterClient } from "../../provider/src/client";
import * as dynamic from "../../provider/src/dynamic";
import {
  FAULT_KINDS,
  SAMPLE_CUSTOMERS,
  startEmulator,
  type Emulator,
  type Fault,
  type FaultKind,
} from "../../packages/emulator/src";
import { PartnerCenterError, redact, registerSecret } from "../../provider/src/errors";
import { loadSettings } from "../../provider/src/settings";

const CLIENT_SECRET = "cs~SECRET.7f3a9c2e-client-secret-recognisable";
const REFRESH_TOKEN = "rt.SECRET-5b1d8e4f_refresh-token-recognisable";
const ACCESS_TOKEN = "at.SECRET-9e8d7c6b_static-access-token-recognisable";
const TENANT_ID = "0a0a0a0a-0000-4000-8000-00000000000a";
const CLIENT_ID = "secrets-test-app";

let emulator: Emulator;
/** Everything a user, a log or the state could see, with where it came from. */
let seen: { where: string; text: string }[] = [];
const codes = new Map<string, number>();

// ------------------------------------------------------------------------------------------- capturing

const originalStdout = process.stdout.write.bind(process.stdout);
const originalStderr = process.stderr.write.bind(process.stderr);

beforeAll(async () => {
  emulator = await startEmulator({ throttle: false });
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      seen.push({ where: `console.${level}`, text: util.format(...args) });
    });
  }
  // Captured, and passed on (jest itself may write here).
  jest.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    seen.push({ where: "stdout", text: String(chunk) });
    return originalStdout(chunk, ...rest);
  }) as typeof process.stdout.write);
  jest.spyOn(process.stderr, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    seen.push({ where: "stderr", text: String(chunk) });
    return originalStderr(chunk, ...rest);
  }) as typeof process.stderr.write);
});
afterAll(async () => {
  jest.restoreAllMocks();
  await closeSharedClients();
  await emulator.close();
});

/** Every way an error can be shown. */
function renderings(e: unknown): string[] {
  if (!(e instanceof Error)) return [String(e), util.inspect(e, { showHidden: true, depth: 8 })];
  const cause = (e as { cause?: unknown }).cause;
  return [
    e.message,
    String(e.stack),
    String(e),
    `${String(e)}: ${String(e.stack)}`, // what the provider host prints
    JSON.stringify(e) ?? "",
    String(cause),
    JSON.stringify(cause) ?? "",
    util.inspect(e, { showHidden: true, depth: 8 }),
    JSON.stringify(Object.fromEntries(Object.entries(e))),
  ];
}

/** Runs an operation; keeps its output or every rendering of its error. Returns the error code or "ok". */
async function record(label: string, run: () => Promise<unknown>): Promise<string> {
  try {
    const out = await run();
    seen.push({ where: `${label}: output`, text: JSON.stringify(out) ?? "undefined" });
    seen.push({ where: `${label}: output`, text: util.inspect(out, { depth: 8 }) });
    return "ok";
  } catch (e) {
    for (const text of renderings(e)) seen.push({ where: `${label}: error`, text });
    const code = e instanceof PartnerCenterError ? e.code : `untyped ${String(e)}`;
    codes.set(code, (codes.get(code) ?? 0) + 1);
    return code;
  }
}

/** The credentials, every token the emulator issued, and any `Bearer <token>` appear nowhere. */
function expectNoCredential(extra: readonly string[] = []): void {
  const secrets = [CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN, ...emulator.state().issuedTokens, ...extra];
  const leaks: string[] = [];
  for (const { where, text } of seen) {
    for (const s of secrets)
      if (text.includes(s)) leaks.push(`${where} contains ${s}: ${text.slice(0, 300)}`);
    const bearer = /bearer\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/]+/i.exec(text);
    if (bearer) leaks.push(`${where} contains "${bearer[0]}": ${text.slice(0, 300)}`);
  }
  expect(leaks).toEqual([]);
}

// ------------------------------------------------------------------------------------------ operations

type Mode = "refresh" | "access";

async function configure(mode: Mode): Promise<void> {
  const values: Record<string, string> =
    mode === "refresh"
      ? {
          "partnercenter:endpoint": emulator.url,
          "partnercenter:authority": emulator.url,
          "partnercenter:tenantId": TENANT_ID,
          "partnercenter:clientId": CLIENT_ID,
          "partnercenter:clientSecret": CLIENT_SECRET,
          "partnercenter:refreshToken": REFRESH_TOKEN,
        }
      : {
          "partnercenter:endpoint": emulator.url,
          "partnercenter:authority": emulator.url,
          "partnercenter:accessToken": ACCESS_TOKEN,
        };
  await dynamic.configure({ config: { get: (key: string) => values[key] } });
}

const C = SAMPLE_CUSTOMERS;
/** The operations of one scenario, each on its own customer so that they can run at once. */
const OPS: { name: string; customer: string; run: (id: string) => Promise<unknown> }[] = [
  { name: "create", customer: C.clean, run: (id) => dynamic.create({ customerId: id }) },
  {
    name: "create without a relationship",
    customer: C.noRelationship,
    run: (id) =>
      dynamic.create({ customerId: id, indirectResellerId: "0b0b0b0b-0000-4000-8000-00000000000b" }),
  },
  { name: "read", customer: C.legacyReservedInstance, run: (id) => dynamic.read(id, { customerId: id }) },
  {
    name: "read paged",
    customer: C.paged,
    run: (id) => dynamic.read(id, { customerId: id, companyName: "W" }),
  },
  { name: "delete", customer: C.inactiveOnly, run: (id) => dynamic.delete(id, { customerId: id }) },
  {
    name: "delete suspending",
    customer: C.activeSubscriptions,
    run: (id) =>
      dynamic.delete(id, {
        customerId: id,
        suspendActiveSubscriptions: true,
        cancelNewCommerceSubscriptionsInWindow: true,
      }),
  },
  {
    name: "delete blocked",
    customer: C.reservedInstance,
    run: (id) => dynamic.delete(id, { customerId: id }),
  },
  {
    name: "delete Azure plan",
    customer: C.azurePlan,
    run: (id) => dynamic.delete(id, { customerId: id, suspendActiveSubscriptions: true }),
  },
];

/** Runs every operation at once, and an update (no API call). Returns the outcome per operation. */
async function runAll(label: string): Promise<Record<string, string>> {
  const outcomes = await Promise.all(
    OPS.map(
      async (op) => [op.name, await record(`${label} / ${op.name}`, () => op.run(op.customer))] as const,
    ),
  );
  await record(`${label} / update`, () =>
    dynamic.update(
      C.clean,
      { customerId: C.clean, relationshipToPartner: "reseller" },
      { customerId: C.clean },
    ),
  );
  return Object.fromEntries(outcomes);
}

/** Partner Center (or Entra) answering with a description that echoes every credential it was sent. */
function echo(): string {
  const tokens = emulator.state().issuedTokens.slice(-4);
  return [
    `Invalid request. Authorization: Bearer ${tokens.at(-2) ?? ACCESS_TOKEN}`,
    `client_secret=${CLIENT_SECRET}&refresh_token=${REFRESH_TOKEN}`,
    JSON.stringify({ access_token: ACCESS_TOKEN, refresh_token: tokens.at(-1) ?? REFRESH_TOKEN }),
    ...tokens,
    CLIENT_SECRET,
  ].join(" ");
}

beforeEach(async () => {
  seen = [];
  emulator.reset();
  await configure("refresh");
});

// -------------------------------------------------------------------------------------- API fault kinds

/** One fault per kind at least (FAULT_KINDS is checked to be covered), with parameters that stay fast. */
const API_FAULTS: { name: string; fault: () => Fault }[] = [
  { name: "status 500", fault: () => ({ kind: "status", status: 500 }) },
  {
    name: "status 400 echoing credentials",
    fault: () => ({ kind: "status", status: 400, description: echo() }),
  },
  { name: "status 401 (renewed)", fault: () => ({ kind: "status", status: 401 }) },
  {
    name: "status 403 echoing credentials",
    fault: () => ({ kind: "status", status: 403, code: 900150, description: echo() }),
  },
  {
    name: "status 409 with an error code echoing credentials",
    fault: () => ({ kind: "status", status: 409, code: echo(), description: echo() }),
  },
  { name: "status 404", fault: () => ({ kind: "status", status: 404, code: 1000 }) },
  { name: "status 429", fault: () => ({ kind: "status", status: 429, retryAfterSeconds: 0 }) },
  { name: "reset", fault: () => ({ kind: "reset" }) },
  { name: "resetAfterApply", fault: () => ({ kind: "resetAfterApply" }) },
  { name: "malformedJson", fault: () => ({ kind: "malformedJson" }) },
  { name: "truncatedJson", fault: () => ({ kind: "truncatedJson" }) },
  { name: "oversizedBody", fault: () => ({ kind: "oversizedBody", sizeBytes: 9 * 1024 * 1024 }) },
  { name: "slow", fault: () => ({ kind: "slow", delayMs: 50 }) },
  { name: "mfa echoing credentials", fault: () => ({ kind: "mfa", description: echo() }) },
  { name: "throttle", fault: () => ({ kind: "throttle", retryAfterSeconds: 0 }) },
  // Later requests of a delete: the relationship and subscription PATCHes.
  {
    name: "PATCH: status 400 echoing credentials",
    fault: () => ({ kind: "status", status: 400, description: echo(), match: { method: "PATCH" } }),
  },
  { name: "PATCH: resetAfterApply", fault: () => ({ kind: "resetAfterApply", match: { method: "PATCH" } }) },
  { name: "PATCH: malformedJson", fault: () => ({ kind: "malformedJson", match: { method: "PATCH" } }) },
  { name: "PATCH: mfa", fault: () => ({ kind: "mfa", match: { method: "PATCH" } }) },
  {
    name: "body echoing credentials",
    fault: () => ({ kind: "body", status: 400, body: { code: echo(), description: echo() } }),
  },
  { name: "disguise", fault: () => ({ kind: "disguise", always: true }) },
  { name: "inflateTotalCount", fault: () => ({ kind: "inflateTotalCount", always: true }) },
  { name: "duplicateItem", fault: () => ({ kind: "duplicateItem", always: true }) },
];

test("every fault kind of the emulator is covered", () => {
  const covered = new Set<FaultKind>(API_FAULTS.map((f) => f.fault().kind));
  expect([...FAULT_KINDS].filter((k) => !covered.has(k))).toEqual([]);
});

describe("API faults, refresh-token credentials", () => {
  test("no fault", async () => {
    const outcomes = await runAll("no fault");
    expect(outcomes).toEqual({
      create: "ok",
      "create without a relationship": "PPC_RELATIONSHIP_NOT_ESTABLISHED",
      read: "ok",
      "read paged": "ok",
      delete: "ok",
      "delete suspending": "ok",
      "delete blocked": "PPC_REMOVAL_BLOCKED",
      "delete Azure plan": expect.stringMatching(/^PPC_/) as unknown as string,
    });
    expect(seen.some((s) => s.where.startsWith("console"))).toBe(true); // the log lines were captured
    expectNoCredential();
  });

  test.each(API_FAULTS.map((f) => [f.name, f] as const))("%s", async (name, { fault }) => {
    await runAll("warm-up"); // a token first, so that echoes can quote it
    seen = [];
    emulator.reset();
    for (const op of OPS) {
      const f = fault();
      emulator.addFault({ ...f, times: 1, match: { ...f.match, customerId: op.customer } });
    }
    const outcomes = await runAll(name);
    for (const o of Object.values(outcomes)) expect(o).not.toMatch(/^untyped/);
    if (/echoing/.test(name)) expect(seen.some((x) => x.text.includes("[REDACTED]"))).toBe(true);
    expectNoCredential();
  });
});

// ------------------------------------------------------------------------------------ token endpoint

describe("token endpoint failures and refused grants", () => {
  const TOKEN_FAULTS: { name: string; fault: () => Fault; expect?: string }[] = [
    {
      name: "400 invalid_grant echoing credentials",
      fault: () => ({
        kind: "status",
        status: 400,
        code: "invalid_grant",
        description: `AADSTS70000: ${echo()}`,
      }),
      expect: "PPC_AUTHENTICATION",
    },
    {
      name: "401 invalid_client echoing credentials",
      fault: () => ({ kind: "status", status: 401, code: "invalid_client", description: echo() }),
      expect: "PPC_AUTHENTICATION",
    },
    { name: "mfa", fault: () => ({ kind: "mfa" }) },
    { name: "malformedJson", fault: () => ({ kind: "malformedJson" }), expect: "PPC_AUTHENTICATION" },
    { name: "truncatedJson", fault: () => ({ kind: "truncatedJson" }), expect: "PPC_AUTHENTICATION" },
    { name: "oversizedBody", fault: () => ({ kind: "oversizedBody", sizeBytes: 1024 * 1024 }) },
    { name: "throttle", fault: () => ({ kind: "throttle", retryAfterSeconds: 0 }) },
    { name: "reset (retried)", fault: () => ({ kind: "reset" }) },
    { name: "resetAfterApply (retried)", fault: () => ({ kind: "resetAfterApply" }) },
    { name: "slow", fault: () => ({ kind: "slow", delayMs: 50 }) },
  ];

  test.each(TOKEN_FAULTS.map((f) => [f.name, f] as const))("token endpoint: %s", async (name, t) => {
    await runAll("warm-up");
    seen = [];
    emulator.reset();
    await closeSharedClients(); // a new client: the next operation requests a token
    emulator.addFault({ ...t.fault(), times: 1, match: { path: "oauth2" } });
    const outcomes = await runAll(`token ${name}`);
    if (t.expect) for (const o of Object.values(outcomes)) expect(o).toBe(t.expect);
    for (const o of Object.values(outcomes)) expect(o).not.toMatch(/^untyped/);
    expectNoCredential();
  });

  test.each([
    ["a wrong client secret", { clientSecret: "the-client-secret-entra-expects-0001" }],
    ["a revoked refresh token", { refreshToken: "the-refresh-token-entra-expects-0002" }],
    ["an unknown client id", { clientId: "another-app" }],
  ])("refused grant: %s", async (name, requireCredentials) => {
    await closeSharedClients();
    emulator.configure({ requireCredentials });
    const outcomes = await runAll(`grant ${name}`);
    for (const o of Object.values(outcomes)) expect(o).toBe("PPC_AUTHENTICATION");
    expectNoCredential();
  });
});

// ---------------------------------------------------------------------------------- access token only

describe("an access-token-only configuration never leaks the token", () => {
  beforeEach(async () => {
    await configure("access");
  });

  test("accepted: the lifecycle runs", async () => {
    emulator.configure({ staticAccessTokens: [ACCESS_TOKEN] });
    const outcomes = await runAll("access ok");
    expect(outcomes.create).toBe("ok");
    expect(outcomes.delete).toBe("ok");
    expectNoCredential();
  });

  test("refused by the API (401, not renewable)", async () => {
    emulator.configure({ staticAccessTokens: [] });
    const outcomes = await runAll("access 401");
    for (const o of Object.values(outcomes)) expect(o).toBe("PPC_AUTHENTICATION");
    expectNoCredential();
  });

  test.each([
    ["401 once", { kind: "status", status: 401 }],
    [
      "401 echoing the token",
      { kind: "status", status: 401, description: `Bearer ${ACCESS_TOKEN} ${ACCESS_TOKEN}` },
    ],
    ["400 echoing the token", { kind: "status", status: 400, description: `access_token=${ACCESS_TOKEN}` }],
    ["mfa", { kind: "mfa" }],
    ["reset", { kind: "reset" }],
    ["malformedJson", { kind: "malformedJson" }],
  ] as [string, Fault][])("fault: %s", async (name, fault) => {
    emulator.configure({ staticAccessTokens: [ACCESS_TOKEN] });
    for (const op of OPS) emulator.addFault({ ...fault, times: 1, match: { customerId: op.customer } });
    const outcomes = await runAll(`access ${name}`);
    if (name.startsWith("401")) expect(outcomes.create).toBe("PPC_AUTHENTICATION");
    for (const o of Object.values(outcomes)) expect(o).not.toMatch(/^untyped/);
    expectNoCredential();
  });
});

describe("a service echoing credentials where the emulator cannot", () => {
  // An undici MockAgent (the provider's own copy): the emulator always echoes the client's own MS-CorrelationId,
  // so a response header carrying a token can only be produced here.
  test("in the MS-CorrelationId header, the error code and the description, on every status class", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get("https://api.partnercenter.microsoft.com");
    const leak = `Bearer ${ACCESS_TOKEN} client_secret=${CLIENT_SECRET} ${REFRESH_TOKEN}`;
    for (const status of [400, 401, 403, 404, 409, 500, 503]) {
      pool
        .intercept({ path: `/v1/customers/${C.clean}`, method: "GET" })
        .reply(
          status,
          { code: `${status} ${leak}`, description: leak },
          { headers: { "MS-CorrelationId": leak } },
        );
    }
    const client = new PartnerCenterClient(loadSettings({ accessToken: ACCESS_TOKEN }, {}), {
      dispatcher: agent,
      retry: { maxAttempts: 1 },
      logger: (line) => seen.push({ where: "client logger", text: line }),
    });
    for (let i = 0; i < 7; i++)
      expect(await record("echo", () => client.customers.get(C.clean))).not.toBe("ok");
    await agent.close();
    expectNoCredential();
  });
});

test("the scenarios above produced errors of many kinds (the scan had something to scan)", () => {
  for (const code of [
    "PPC_AUTHENTICATION",
    "PPC_MFA_REQUIRED",
    "PPC_PERMISSION_DENIED",
    "PPC_RESPONSE_VALIDATION",
    "PPC_API",
    "PPC_RELATIONSHIP_NOT_ESTABLISHED",
    "PPC_REMOVAL_BLOCKED",
  ]) {
    expect([code, codes.get(code) ?? 0]).not.toEqual([code, 0]);
  }
  expect([...codes.keys()].filter((k) => k.startsWith("untyped"))).toEqual([]);
  expect(emulator.state().issuedTokens.length).toBeGreaterThan(4);
});

// ---------------------------------------------------------------------------------------------- redact

describe("redact()", () => {
  // Not registered anywhere: these must go by pattern alone.
  const V = "unregistered-value-3c4d5e6f";

  test.each([
    ["an Authorization header", `Authorization: Bearer ${V}`],
    ["a header object", `{ authorization: 'Bearer ${V}' }`],
    ["a JSON header", `{"Authorization":"Bearer ${V}"}`],
    ["a bare Bearer token", `the server said: bearer ${V}.`],
    ["client_secret in a URL query", `https://login.example/t/oauth2/token?client_secret=${V}&x=1`],
    ["refresh_token in a URL query", `https://login.example/t/oauth2/token?x=1&refresh_token=${V}`],
    ["access_token in a URL query", `https://api.example/v1?access_token=${V}#f`],
    [
      "a form body",
      `grant_type=refresh_token&client_id=app&client_secret=${V}&refresh_token=${V}&resource=https%3A%2F%2Fapi`,
    ],
    ["JSON", `{"client_secret":"${V}","refresh_token": "${V}", "access_token" : "${V}"}`],
    ["JSON with single quotes", `{'refresh_token': '${V}'}`],
    ["assertion and password", `assertion=${V}; password=${V}`],
  ])("strips %s", (_name, text) => {
    const out = redact(text);
    expect(out).not.toContain(V);
    expect(out).toContain("[REDACTED]");
  });

  test("strips any realistic token in every format", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~+/-]{7,80}=?$/), (v) => {
        for (const text of [
          `Authorization: Bearer ${v}`,
          `Bearer ${v}`,
          `https://h/p?client_secret=${v}&refresh_token=${v}`,
          `client_id=a&client_secret=${v}&refresh_token=${v}`,
          JSON.stringify({ client_secret: v, refresh_token: v, access_token: v }),
        ]) {
          expect(redact(text)).not.toContain(v);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("registered secrets are stripped wherever they appear", () => {
    // loadSettings registers every secret setting (configure does this in the scenarios above).
    loadSettings({ clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN, accessToken: ACCESS_TOKEN }, {});
    for (const s of [CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN]) {
      expect(redact(`x${s}y ${s}`)).toBe("x[REDACTED]y [REDACTED]");
    }
  });
});

describe("redact(): echoes in another case, in hex, or split by invisible characters", () => {
  const SECRET = "Ech0ed-Client-Secret~value.9f8e";
  beforeAll(() => registerSecret(SECRET));
  const hex = Buffer.from(SECRET, "utf8").toString("hex");

  test.each([
    ["upper-cased", `AADSTS7000215: invalid secret ${SECRET.toUpperCase()} given`],
    ["lower-cased", `echo: ${SECRET.toLowerCase()}`],
    ["hex (lower)", `dump=${hex};`],
    ["hex (upper)", `DUMP=${hex.toUpperCase()}`],
    ["split by zero-width spaces", `x ${Array.from(SECRET).join("\u200b")} y`],
    [
      "split by mixed format characters",
      `${SECRET.slice(0, 5)}\u200d\u2060${SECRET.slice(5, 20)}\ufeff\u00ad${SECRET.slice(20)}`,
    ],
    ["upper-cased and split", Array.from(SECRET.toUpperCase()).join("\u200c")],
    ["upper-cased, then cut at the end", `message ends with ${SECRET.toUpperCase().slice(0, 14)}`],
  ])("%s", (_name, text) => {
    const out = redact(text);
    expect(out).toContain("[REDACTED]");
    const bare = out.replace(/\p{Cf}/gu, "").toLowerCase();
    expect(bare).not.toContain(SECRET.toLowerCase());
    expect(bare).not.toContain(hex);
    expect(bare).not.toContain(SECRET.toLowerCase().slice(0, 14));
  });

  test("text around the secret is kept, and text without it is untouched", () => {
    expect(redact(`before ${SECRET.toUpperCase()} after`)).toBe("before [REDACTED] after");
    expect(redact(`a\u200bb ${Array.from(SECRET).join("\u200b")} c`)).toBe("a\u200bb [REDACTED] c");
    const plain = "Contoso \u200dLtd: 0123456789abcdef, ECH0ED-CLIENT and more";
    expect(redact(plain)).toBe(plain);
  });

  test("any casing of a registered secret, found anywhere", () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: SECRET.length, maxLength: SECRET.length }),
        fc.string({ maxLength: 20 }),
        (upper, around) => {
          const cased = Array.from(SECRET, (c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join("");
          expect(redact(`${around}${cased}${around}`).toLowerCase()).not.toContain(SECRET.toLowerCase());
        },
      ),
      { numRuns: 200 },
    );
  });
});
