/**
 * Fail closed: what a hostile or broken server sends must never lead to a removal that should not
 * happen, a false "gone", an exhausted host, a leaked secret, a forged log line or an unusable link.
 * Property-based where the input is a class (fast-check), against the emulator on loopback where the wire
 * matters. An undici MockAgent is used only for token-endpoint answers the emulator cannot produce (an
 * `expires_in` of 0 or negative, a token holding CR/LF): the client's real transport and auth run unchanged.
 */
import * as fc from "fast-check";
import { MockAgent } from "../../provider/node_modules/undici";
import { PartnerCenterClient, type Entitlement, type Subscription } from "../../provider/src/client";
import { readinessReport, formatTable } from "../../provider/src/cli/readiness";
import { SAMPLE_CUSTOMERS, startEmulator, type Emulator } from "../../packages/emulator/src";
import {
  AuthenticationError,
  ConfigurationError,
  ListTooLargeError,
  PartnerCenterError,
  printable,
  redact,
  redactAndTruncate,
  registerSecret,
} from "../../provider/src/errors";
import {
  assessReadiness,
  describeBlocker,
  adopt,
  findBlockers,
  NON_BLOCKING_STATUSES,
  normalizeEnum,
  remove,
} from "../../provider/src/relationship";
import { loadSettings } from "../../provider/src/settings";

const TENANT = "0a0a0a0a-0000-4000-8000-00000000000a";
const FAST = { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3, deadlineMs: 5_000, attemptTimeoutMs: 5_000 };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ throttle: false });
});
afterAll(async () => {
  await emulator.close();
});

function client(options: ConstructorParameters<typeof PartnerCenterClient>[1] = {}): PartnerCenterClient {
  const settings = loadSettings(
    {
      endpoint: emulator.url,
      authority: emulator.url,
      tenantId: TENANT,
      clientId: "fail-closed",
      refreshToken: "fail-closed-refresh-token",
      allowLoopbackWithCredentials: "true",
    },
    {},
  );
  return new PartnerCenterClient(settings, { retry: FAST, pacing: { slowStart: false }, ...options });
}

/** A client on an undici MockAgent, with https example hosts (no loopback, so no opt-in). */
function mockClient(agent: MockAgent, refreshToken: string): PartnerCenterClient {
  const settings = loadSettings(
    {
      endpoint: "https://pc.example.test",
      authority: "https://login.example.test",
      tenantId: TENANT,
      clientId: "app",
      refreshToken,
    },
    {},
  );
  return new PartnerCenterClient(settings, { dispatcher: agent, retry: FAST });
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof PartnerCenterError ? e.code : `untyped: ${String(e)}`;
  }
}

/** Invisible or compatibility characters a value may carry: each one normalises away. */
const noise = fc.constantFrom(
  "",
  " ",
  "\t",
  "\u200b",
  "\u200e",
  "\u202e",
  "\u2066",
  "\ufeff",
  "\u00ad",
  "\u0000",
);
/** A value respelled: random case per letter, full-width forms, noise around and inside. */
function respelled(value: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.boolean(), fc.boolean(), noise), {
        minLength: value.length,
        maxLength: value.length,
      }),
      noise,
      noise,
    )
    .map(([chars, before, after]) => {
      const body = [...value]
        .map((c, i) => {
          const [upper, wide, inner] = chars[i] ?? [false, false, ""];
          const cased = upper ? c.toUpperCase() : c;
          const shown =
            wide && /[a-z]/i.test(c) ? String.fromCodePoint(cased.codePointAt(0)! + 0xfee0) : cased;
          // Only format characters inside a word (spaces inside would be another word).
          return shown + (/^[\s\u0000]$/.test(inner) ? "" : inner);
        })
        .join("");
      return `${before}${body}${after}`;
    });
}

const sub = (
  id: string,
  status: string,
  commerce: "legacy" | "newCommerce" | "unknown" = "legacy",
): Subscription => ({
  id,
  // As received: findBlockers must do the normalising itself.
  status,
  offerName: "Offer",
  friendlyName: undefined,
  etag: undefined,
  billingType: undefined,
  // Legacy unless said otherwise: `suspended` clears only a subscription known to be legacy.
  isNewCommerce: commerce === "unknown" ? undefined : commerce === "newCommerce",
  raw: {},
});
const ent = (entitlementType: string, id = "order-1"): Entitlement => ({
  entitlementType,
  id,
  productId: undefined,
  skuId: undefined,
  status: "",
});

describe("blocker rules are an allow-list", () => {
  test("any status blocks unless it normalises to suspended, deleted, expired or disabled", () => {
    const anyStatus = fc.oneof(
      fc.string(),
      fc.string({ unit: "grapheme" }),
      fc.constantFrom(...NON_BLOCKING_STATUSES, "active", "pending", "none").chain(respelled),
      fc.stringMatching(/^[A-Za-z]{3,12}$/),
    );
    fc.assert(
      fc.property(anyStatus, (status) => {
        const blockers = findBlockers([sub("s1", status)], []);
        expect(blockers.length).toBe(NON_BLOCKING_STATUSES.has(normalizeEnum(status)) ? 0 : 1);
        if (blockers.length) expect(blockers[0]!.rule).toMatch(/status/);
      }),
      { numRuns: 500 },
    );
  });

  test("suspended, in any spelling, clears only a subscription known to be legacy: new commerce or undetermined blocks", () => {
    fc.assert(
      fc.property(
        fc.constant("suspended").chain(respelled),
        fc.constantFrom("newCommerce" as const, "unknown" as const),
        (status, commerce) => {
          const [b, ...rest] = findBlockers([sub("s1", status, commerce), sub("s2", status, "legacy")], []);
          expect(rest).toEqual([]);
          expect(b).toMatchObject({
            id: "s1",
            class: commerce === "newCommerce" ? "newCommerceLocked" : "commerceUndetermined",
          });
          expect(b!.rule).toMatch(/suspended/);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("respelled blocking and undocumented statuses always block; respelled inactive ones never do", () => {
    const blocking = fc.oneof(
      fc.constantFrom("active", "pending", "none", "provisioning", "warned").chain(respelled),
      // Words Microsoft might add tomorrow: anything that is not one of the four inactive statuses.
      fc.stringMatching(/^[a-z]{2,14}$/).filter((s) => !NON_BLOCKING_STATUSES.has(s)),
    );
    fc.assert(
      fc.property(blocking, fc.constantFrom(...NON_BLOCKING_STATUSES).chain(respelled), (bad, fine) => {
        expect(findBlockers([sub("s1", bad), sub("s2", fine)], []).map((b) => b.id)).toEqual(["s1"]);
      }),
      { numRuns: 300 },
    );
  });

  test("an entitlement type naming a reservation in any spelling is a reserved instance; an unknown type blocks", () => {
    const reservation = fc
      .tuple(
        fc.stringMatching(/^[A-Za-z_ ]{0,12}$/),
        fc.constantFrom("reserv", "Reserv", "RESERV"),
        fc.stringMatching(/^[A-Za-z_ ]{0,12}$/),
      )
      .map(([a, r, b]) => `${a}${r}${b}`)
      .chain(respelled);
    const unknown = fc
      .string({ minLength: 1 })
      .filter((t) => !normalizeEnum(t).includes("reserv") && normalizeEnum(t) !== "software");
    fc.assert(
      fc.property(reservation, unknown, respelled("software"), (r, u, sw) => {
        const blockers = findBlockers([], [ent(r, "o1"), ent(u, "o2"), ent(sw, "o3")]);
        expect(blockers.map((b) => [b.id, b.kind])).toEqual([
          ["o1", "reservedInstance"],
          ["o2", "entitlement"],
        ]);
        expect(blockers[1]!.rule).toMatch(/unknown type blocks/);
      }),
      { numRuns: 300 },
    );
  });

  test("two subscriptions with one id (in any spelling): the check fails, nothing is judged", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom("suspended", "active"), (id, status) => {
        expect(() => findBlockers([sub(id, status), sub(id.toUpperCase(), "deleted")], [])).toThrow(/twice/);
      }),
    );
  });

  test("against the emulator: a blocked customer answered in disguise is never removed", async () => {
    const blocked = [
      SAMPLE_CUSTOMERS.activeSubscriptions,
      SAMPLE_CUSTOMERS.legacyReservedInstance,
      SAMPLE_CUSTOMERS.reservedInstance,
      SAMPLE_CUSTOMERS.paged,
    ];
    for (let seed = 1; seed <= 6; seed++) {
      emulator.reset();
      emulator.configure({ seed });
      emulator.addFault({ kind: "disguise", always: true });
      const c = client();
      const seen: string[] = [];
      for (const id of blocked) {
        expect(await outcome(remove(c, id))).toBe("PPC_REMOVAL_BLOCKED");
        const r = await assessReadiness(c, id);
        expect(r.removable).toBe(false);
        seen.push(...r.subscriptions.map((x) => x.status), ...r.entitlements.map((x) => x.entitlementType));
      }
      // The disguise really reached the client: some value is not a plain word any more.
      expect(seen.some((v) => !/^[a-z]+$/i.test(v))).toBe(true);
      await c.close();
      expect(emulator.state().counters.relationshipsRemoved).toBe(0);
      expect(emulator.requests().filter((r) => r.method === "PATCH")).toHaveLength(0);
    }
    emulator.configure({ seed: 1 });
  });
});

describe('"gone" only from a GET of the customer', () => {
  test("the customer's own GET answering 404 without a documented code is an error, not gone", async () => {
    emulator.reset();
    const id = SAMPLE_CUSTOMERS.clean;
    emulator.addFault({ kind: "status", status: 404, code: 4242, always: true, match: { customerId: id } });
    const c = client();
    expect(await outcome(assessReadiness(c, id))).toBe("PPC_NOT_FOUND");
    expect(await outcome(remove(c, id))).toBe("PPC_NOT_FOUND");
    await c.close();
    expect(emulator.state().customers.find((x) => x.id === id)?.relationshipToPartner).toBe("reseller");
  });

  test("a customer really gone (404/60003 on its GET) is gone, with no PATCH", async () => {
    emulator.reset();
    const unknown = "99999999-9999-4999-8999-999999999999";
    const c = client();
    expect((await remove(c, unknown)).outcome).toBe("alreadyGone");
    expect((await assessReadiness(c, unknown)).gone).toBe(true);
    await c.close();
    expect(emulator.requests().some((r) => r.method === "PATCH")).toBe(false);
  });
});

describe("per-list bounds", () => {
  test("past maxListItems or maxListBytes: ListTooLargeError naming the bound and how to raise it, nothing changed", async () => {
    emulator.reset();
    const id = SAMPLE_CUSTOMERS.paged; // 25 subscriptions over 3 pages
    for (const limits of [{ maxListItems: 20 }, { maxListBytes: 3_000 }]) {
      const c = client({ limits });
      const e = await remove(c, id).catch((x: unknown) => x);
      await c.close();
      expect(e).toBeInstanceOf(ListTooLargeError);
      const bound = Object.keys(limits)[0]!;
      expect((e as ListTooLargeError).bound).toBe(bound);
      expect((e as Error).message).toContain(`limits.${bound}`);
    }
    const roomy = client({ limits: { maxListItems: 25 } });
    expect((await roomy.subscriptions.list(id)).length).toBe(25);
    await roomy.close();
    expect(emulator.requests().some((r) => r.method === "PATCH")).toBe(false);
  });

  test("only subscriptions keep their raw form (the suspend PATCH needs it); entitlements keep parsed fields only", async () => {
    emulator.reset();
    const c = client();
    const ents = await c.entitlements.list(SAMPLE_CUSTOMERS.legacyReservedInstance);
    for (const e of ents)
      expect(Object.keys(e).sort()).toEqual([
        "entitlementType",
        "expiryDate",
        "id",
        "productId",
        "quantityDetails",
        "skuId",
        "status",
      ]);
    const subs = await c.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    expect(Object.keys(subs[0]!.raw).length).toBeGreaterThan(0);
    await c.close();
  });
});

describe("redaction", () => {
  const alnum = fc.stringMatching(/^[A-Za-z0-9~+/=%._ "\\-]{8,48}$/).filter((s) => /[A-Za-z0-9]{4}/.test(s));
  const filler = fc.stringMatching(/^[#!*|]{0,40}$/);
  const encode = (s: string): string[] => [
    s,
    encodeURIComponent(s),
    encodeURIComponent(s).replace(/%20/g, "+"),
    new URLSearchParams({ x: s }).toString().slice(2),
    JSON.stringify(s).slice(1, -1),
    JSON.stringify(s).slice(1, -1).replace(/\//g, "\\/"), // JSON with escaped slashes, as some servers write
    Buffer.from(s).toString("base64"),
    Buffer.from(s).toString("base64url"),
  ];

  test("every encoding of every registered secret is redacted, before and after truncation", () => {
    fc.assert(
      fc.property(
        alnum,
        filler,
        filler,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (secret, before, after, cut, which) => {
          registerSecret(secret);
          const spelled = encode(secret)[which]!;
          const text = `${before}${spelled}${after}`;
          expect(redact(text)).not.toContain(spelled);
          // Cut anywhere, the secret's beginning (6 characters or more) is not left at the end.
          const max = cut % (text.length + 1);
          const out = redactAndTruncate(text, max);
          for (let k = 6; k <= spelled.length; k++) expect(out).not.toContain(spelled.slice(0, k));
        },
      ),
      { numRuns: 400 },
    );
  });

  test("short secrets are registered and redacted where they stand as a word, not inside other words", () => {
    registerSecret("q7Z");
    expect(redact("secret q7Z, then")).toBe("secret [REDACTED], then");
    expect(redact("aq7Zb")).toBe("aq7Zb");
  });

  test("a secret echoed URL-encoded by the token endpoint, past the description bound, is not in the error", async () => {
    const secret = "tok+en/with spaces&symbols=ABCDEFGH12345";
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get("https://login.example.test")
      .intercept({ path: `/${TENANT}/oauth2/token`, method: "POST" })
      .reply(
        400,
        JSON.stringify({
          error: "invalid_grant",
          error_description: `AADSTS70000: ${"x".repeat(480)} refresh_token ${encodeURIComponent(secret)} and ${JSON.stringify(secret)}`,
        }),
        { headers: { "content-type": "application/json" } },
      );
    const c = mockClient(agent, secret);
    const e = (await c.customers.get(SAMPLE_CUSTOMERS.clean).catch((x: unknown) => x)) as AuthenticationError;
    await agent.close();
    const shown = JSON.stringify([e.message, e.partnerCenterDescription, e.toJSON()]);
    for (const s of encode(secret))
      for (let k = 6; k <= s.length; k++) expect(shown).not.toContain(s.slice(0, k));
  });
});

describe("server text shown to a person", () => {
  const UNSAFE =
    /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/u;

  test("printable() leaves no control, bidi or invisible format character, and keeps ordinary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(printable(s)).not.toMatch(UNSAFE);
      }),
      { numRuns: 500 },
    );
    expect(printable("Contoso Ltd — Zürich")).toBe("Contoso Ltd — Zürich");
  });

  test("log lines, errors and the readiness table are printable; outputs keep the raw value", async () => {
    emulator.reset();
    emulator.addFault({ kind: "disguise", always: true });
    const c = client();
    const id = SAMPLE_CUSTOMERS.activeSubscriptions;
    const r = await assessReadiness(c, id);
    expect(r.customer?.companyName).toMatch(/\u001b/); // raw, as outputs keep it
    const e = (await remove(c, id, { companyName: r.customer!.companyName! }).catch(
      (x: unknown) => x,
    )) as Error;
    // The provider's refresh log line ("not removable: ...") is built from describeBlocker (dynamic.ts).
    const lines = r.blockers.map((b) => describeBlocker(b));
    const rows = await readinessReport(c, [id, SAMPLE_CUSTOMERS.reservedInstance]);
    await c.close();
    expect(lines.length).toBeGreaterThan(0); // the log lines below are really checked
    for (const text of [
      e.message,
      ...lines,
      formatTable(rows),
      ...rows.flatMap((x) => x.blockers.map((b) => b.nextStep)),
    ]) {
      expect(text.replace(/\n/g, "")).not.toMatch(UNSAFE);
    }
    // The forged line stays inside its own line.
    expect(e.message.split("\n").some((l) => l.startsWith("INFO forged line"))).toBe(false);
  });
});

describe("the invitation link", () => {
  const woodgrove = SAMPLE_CUSTOMERS.noRelationship;
  const bad = fc.oneof(
    fc
      .tuple(
        fc.constantFrom("javascript:", "file://", "data:text/html,", "http://", "ftp://", "vbscript:"),
        fc.webPath(),
      )
      .map(([s, p]) => `${s}admin.microsoft.com${p}`),
    fc
      .tuple(
        fc.constantFrom(
          "evil.example",
          "microsoft.com.evil.example",
          "evilmicrosoft.com",
          "admin.microsoft.co",
          "127.0.0.1",
        ),
        fc.webPath(),
      )
      .map(([h, p]) => `https://${h}${p}`),
  );

  test("anything but https on a Microsoft host is refused, naming the problem; the documented link passes", async () => {
    const c = client();
    await fc.assert(
      fc.asyncProperty(bad, async (url) => {
        emulator.reset();
        emulator.addFault({ kind: "body", body: { url }, match: { path: "relationshiprequests" } });
        const e = await adopt(c, woodgrove).catch((x: unknown) => x);
        expect((e as PartnerCenterError).code).toBe("PPC_RESPONSE_VALIDATION");
        expect((e as Error).message).toMatch(/unusable invitation link/);
      }),
      { numRuns: 40 },
    );
    emulator.reset();
    const e = (await adopt(c, woodgrove).catch((x: unknown) => x)) as { invitationUrl?: string };
    expect(e.invitationUrl).toMatch(/^https:\/\/admin\.microsoft\.com\//);
    await c.close();
  });
});

describe("smaller ones", () => {
  test("expires_in of 0, negative or absurdly small: one token for many requests", async () => {
    for (const expires of [0, -30, "0", 0.001]) {
      const agent = new MockAgent();
      agent.disableNetConnect();
      agent
        .get("https://login.example.test")
        .intercept({ path: `/${TENANT}/oauth2/token`, method: "POST" })
        .reply(200, { access_token: "short-lived-access-token", expires_in: expires, token_type: "Bearer" })
        .persist();
      agent
        .get("https://pc.example.test")
        .intercept({ path: `/v1/customers/${SAMPLE_CUSTOMERS.clean}`, method: "GET" })
        .reply(200, { id: SAMPLE_CUSTOMERS.clean, relationshipToPartner: "reseller" })
        .persist();
      const c = mockClient(agent, "expiry-test-refresh-token");
      for (let i = 0; i < 10; i++) await c.customers.get(SAMPLE_CUSTOMERS.clean);
      expect(c.stats().tokenRequests).toBe(1);
      await agent.close();
    }
  });

  test("an access token holding a control character: ConfigurationError naming the setting, nothing sent", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9._-]{4,20}$/),
        fc.constantFrom("\r\n", "\n", "\r", "\u0000", "\u007f", " ", "\u0085"),
        fc.stringMatching(/^[A-Za-z0-9._-]{4,20}$/),
        (a, ctrl, b) => {
          const token = `${a}${ctrl}${b}`;
          let e: unknown;
          try {
            loadSettings({ accessToken: token }, {});
          } catch (x) {
            e = x;
          }
          expect(e).toBeInstanceOf(ConfigurationError);
          expect((e as Error).message).toContain("partnercenter:accessToken");
          expect((e as Error).message).not.toContain(a + ctrl);
        },
      ),
    );
  });

  test("an issued token holding CR/LF: AuthenticationError, not a network error", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get("https://login.example.test")
      .intercept({ path: `/${TENANT}/oauth2/token`, method: "POST" })
      .reply(200, { access_token: "abc\r\nX-Injected: 1", expires_in: 3600 });
    const c = mockClient(agent, "crlf-test-refresh-token");
    const e = await c.customers.get(SAMPLE_CUSTOMERS.clean).catch((x: unknown) => x);
    await agent.close();
    expect(e).toBeInstanceOf(AuthenticationError);
  });

  test("a list failing for good aborts its sibling's retries", async () => {
    emulator.reset();
    const id = SAMPLE_CUSTOMERS.activeSubscriptions;
    emulator.addFault([
      { kind: "status", status: 400, code: 3000, always: true, match: { path: "/entitlements$" } },
      { kind: "status", status: 503, always: true, match: { path: "/subscriptions$" } },
    ]);
    const c = client({
      retry: { ...FAST, maxAttempts: 20, baseDelayMs: 50, maxDelayMs: 50, deadlineMs: 20_000 },
    });
    expect(await outcome(remove(c, id))).toBe("PPC_API");
    expect(await outcome(assessReadiness(c, id))).toBe("PPC_API");
    await c.close();
    const subsAttempts = emulator.requests().filter((r) => r.path.endsWith("/subscriptions")).length;
    expect(subsAttempts).toBeLessThan(10); // 2 x 20 without the abort
  });

  test("credentials with a loopback endpoint or authority are refused unless allowLoopbackWithCredentials", () => {
    const loopback = fc.constantFrom(
      "http://127.0.0.1:8787",
      "http://localhost:8787",
      "http://[::1]:9",
      "https://127.9.9.9",
    );
    const cred = fc.constantFrom("clientSecret", "refreshToken", "accessToken");
    fc.assert(
      fc.property(loopback, fc.constantFrom("endpoint", "authority"), cred, (url, where, key) => {
        const config = { [where]: url, [key]: "real-looking-credential-value" };
        expect(() => loadSettings(config, {})).toThrow(/allowLoopbackWithCredentials/);
        const other = where === "endpoint" ? "authority" : "endpoint";
        const both = { ...config, [other]: url, allowLoopbackWithCredentials: "true" };
        expect(() => loadSettings(both, {})).not.toThrow();
        // Loopback on one side only: the opt-in does not allow it, unless a fixed access token leaves the
        // authority out.
        const mixed = () => loadSettings({ ...config, allowLoopbackWithCredentials: "true" }, {});
        if (key === "accessToken") expect(mixed).not.toThrow();
        else expect(mixed).toThrow(/is a loopback address .* but partnercenter:\w+ .* is not/);
        expect(() =>
          loadSettings(
            {},
            {
              [`PARTNER_CENTER_${where.toUpperCase()}`]: url,
              PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: "true",
              PARTNER_CENTER_ACCESS_TOKEN: "x-token-value",
            },
          ),
        ).not.toThrow();
        // No credential, no risk: a loopback endpoint alone is fine (check and diff need no credentials).
        expect(() => loadSettings({ [where]: url }, {})).not.toThrow();
      }),
    );
  });
});
