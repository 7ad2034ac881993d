/**
 * The readiness report against the emulator: the table, the JSON, the exit codes, and the command itself
 * (the built bin, spawned as a pipeline would run it).
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { PartnerCenterClient } from "../../provider/src/client";
import { formatJson, formatTable, main, type ReadinessDocument } from "../../provider/src/cli/readiness";
import { loadSettings } from "../../provider/src/settings";
import { SAMPLE_CUSTOMERS, SAMPLE_SUBSCRIPTIONS } from "../../packages/emulator/src";
import { cliFixture } from "./fixture";

const BIN = path.resolve(__dirname, "../../provider/dist/cli/readiness.js");
const f = cliFixture({}, { PARTNER_CENTER_REFRESH_TOKEN: "pipeline-refresh-token" });

async function run(argv: string[], e: NodeJS.ProcessEnv = f.env) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, e);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("all removable: a table and exit code 0", async () => {
  const r = await run([SAMPLE_CUSTOMERS.clean, SAMPLE_CUSTOMERS.inactiveOnly]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/CUSTOMER\s+COMPANY\s+RELATIONSHIP\s+REMOVABLE\s+BLOCKERS/);
  expect(r.out).toMatch(/Contoso Clean Ltd\s+reseller\s+yes\s+0/);
  expect(r.out).toContain("2 of 2 removable");
});

test("any blocked: every blocker with its next step, and exit code 1", async () => {
  const r = await run([
    SAMPLE_CUSTOMERS.clean,
    SAMPLE_CUSTOMERS.legacyReservedInstance,
    SAMPLE_CUSTOMERS.paged,
  ]);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/reservedInstance .*\[reservedInstance.*\]: .*Azure support/);
  expect(r.out).toMatch(/subscription .*\(active\) \[legacyActive\]: suspend it/);
  expect(r.out).toContain("1 of 3 removable, 2 blocked, 0 already removed, 0 could not be checked");
  // The same rules as delete: nothing is changed by a report.
  expect(f.emulator.requests().every((q) => q.method === "GET")).toBe(true);
});

test("--json: one document with a row per customer", async () => {
  const r = await run(["--json", SAMPLE_CUSTOMERS.activeSubscriptions, SAMPLE_CUSTOMERS.noRelationship]);
  // The customer Partner Center no longer shows is "already removed", which is not a failure.
  expect(r.code).toBe(1);
  const doc = JSON.parse(r.out) as {
    customers: {
      customerId: string;
      removable: boolean;
      blockers: unknown[];
      error: { code: string } | null;
    }[];
  };
  expect(doc.customers).toHaveLength(2);
  expect(doc.customers[0]).toMatchObject({
    customerId: SAMPLE_CUSTOMERS.activeSubscriptions,
    removable: false,
    error: null,
  });
  expect(doc.customers[0]?.blockers).toHaveLength(2);
  expect(doc.customers[1]).toMatchObject({ outcome: "alreadyRemoved", removable: false, error: null });
});

test("--all lists every reseller customer of the partner, across pages", async () => {
  f.emulator.configure({ customerPageSize: 3 });
  const r = await run(["--all", "--json"]);
  const doc = JSON.parse(r.out) as { customers: { customerId: string }[] };
  expect(doc.customers.map((c) => c.customerId).sort()).toEqual(
    Object.values(SAMPLE_CUSTOMERS)
      .filter((id) => id !== SAMPLE_CUSTOMERS.noRelationship)
      .sort(),
  );
});

test("bad usage or settings: exit code 2 with the reason, and no request", async () => {
  expect((await run([])).code).toBe(2);
  const bad = await run(["not-a-guid"]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('unknown argument "not-a-guid"');
  const insecure = await run([SAMPLE_CUSTOMERS.clean], {
    ...f.env,
    PARTNER_CENTER_ENDPOINT: "http://partner.example.com",
  });
  expect(insecure.code).toBe(2);
  expect(insecure.err).toMatch(/PARTNER_CENTER_ENDPOINT|partnercenter:endpoint/);
  const noCredentials = await run([SAMPLE_CUSTOMERS.clean], { PARTNER_CENTER_ENDPOINT: f.emulator.url });
  expect(noCredentials.code).toBe(2);
  // The command reads only the environment: the message names environment variables, never stack config.
  expect(noCredentials.err).toMatch(/missing the environment variables PARTNER_CENTER_TENANT_ID, /);
  expect(noCredentials.err).not.toMatch(/pulumi config|partnercenter:/);
  expect(f.emulator.requests()).toHaveLength(0);
});

/** Spawns the built bin asynchronously: the emulator runs in this process and must keep answering. */
function bin(args: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...f.env, PATH: process.env.PATH } },
      (_e, stdout) => resolve({ status: child.exitCode, stdout }),
    );
  });
}

test("the installed command runs as a pipeline step would", async () => {
  const r = await bin(["--json", SAMPLE_CUSTOMERS.clean]);
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout).customers[0].removable).toBe(true);
  expect((await bin([SAMPLE_CUSTOMERS.reservedInstance])).status).toBe(1);
  expect((await bin(["--bogus"])).status).toBe(2);
});

describe("classes, dates, next steps and exit codes", () => {
  type Doc = {
    customers: {
      customerId: string;
      removable: boolean;
      blockers: {
        id: string;
        kind: string;
        class: string;
        date?: string;
        dateMeaning?: string;
        nextStep: string;
      }[];
      notes: { kind: string; id: string; note: string; date?: string }[];
      error: { code: string } | null;
    }[];
    summary: ReadinessDocument["summary"];
  };

  test("--json carries each blocker's class, date and next step, the notes, and a summary; exit 1 when some are blocked", async () => {
    const r = await run([
      "--json",
      SAMPLE_CUSTOMERS.newCommerceInWindow,
      SAMPLE_CUSTOMERS.newCommerceLocked,
      SAMPLE_CUSTOMERS.expiredReservation,
      SAMPLE_CUSTOMERS.savingsPlan,
    ]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as Doc;
    expect(doc.summary).toEqual({
      removable: 1,
      blocked: 3,
      alreadyRemoved: 0,
      couldNotCheck: 0,
      exitCode: 1,
    });
    const [inWindow, locked, expired, savings] = doc.customers;
    const state = f.emulator.state().customers;
    const nce = state
      .find((c) => c.id === SAMPLE_CUSTOMERS.newCommerceInWindow)!
      .subscriptions.find((s) => s.id === SAMPLE_SUBSCRIPTIONS.fourthCoffeeNce)!;
    expect(inWindow?.blockers).toEqual([
      expect.objectContaining({
        id: SAMPLE_SUBSCRIPTIONS.fourthCoffeeNce,
        kind: "subscription",
        class: "newCommerceCancellable",
        date: nce.cancellationAllowedUntilDate,
        dateMeaning: "cancellationDeadline",
        nextStep: expect.stringContaining("cancelNewCommerceSubscriptionsInWindow: true"),
      }),
      expect.objectContaining({
        id: SAMPLE_SUBSCRIPTIONS.fourthCoffeeSoftware,
        class: "newCommerceCancellable",
      }),
    ]);
    expect(locked?.blockers).toEqual([
      expect.objectContaining({
        class: "newCommerceLocked",
        date: "2028-01-14T00:00:00Z",
        dateMeaning: "termEnd",
        nextStep: expect.stringMatching(/until its term ends on 2028-01-14: turn off auto-renew/),
      }),
    ]);
    expect(expired).toMatchObject({ removable: true, blockers: [] });
    expect(expired?.notes.map((n) => n.note)).toEqual([
      expect.stringMatching(/expired on 2024-06-30/),
      expect.stringMatching(/nothing active \(2 cancelled\)/),
      expect.stringMatching(/software purchase/),
    ]);
    expect(savings?.blockers).toEqual([
      expect.objectContaining({ class: "savingsPlan", date: "2027-03-01T00:00:00Z", dateMeaning: "termEnd" }),
    ]);
  });

  test("the table shows the class and the date", async () => {
    const r = await run([SAMPLE_CUSTOMERS.newCommerceLocked, SAMPLE_CUSTOMERS.expiredReservation]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\[newCommerceLocked, term ends 2028-01-14T00:00:00Z\]: it cannot be cancelled/);
    expect(r.out).toMatch(/note: reservedInstance alpine-ri-order-2021 .*expired on 2024-06-30/);
  });

  test("exit 0 all removable, 3 when a customer could not be checked (a read failed)", async () => {
    expect((await run([SAMPLE_CUSTOMERS.expiredReservation, SAMPLE_CUSTOMERS.clean])).code).toBe(0);
    f.emulator.addFault({
      kind: "status",
      status: 403,
      code: 1002,
      always: true,
      match: { path: "/entitlements" },
    });
    const r = await run(["--json", SAMPLE_CUSTOMERS.clean]);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.out) as Doc).summary).toMatchObject({ couldNotCheck: 1, exitCode: 3 });
  });
});
test("one 429 with a day-long Retry-After: the command reports it as throttled and exits promptly", async () => {
  f.emulator.addFault({
    match: { customerId: SAMPLE_CUSTOMERS.clean },
    kind: "throttle",
    retryAfterSeconds: 86_400,
  });
  const started = Date.now();
  // Before the fix the limiter's day-long timer kept the process alive after the report (and the other
  // requests for that customer waited out their 5 min deadline, then read as connection failures).
  const r = await new Promise<{ status: number | null; signal: string | null; stdout: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, "--json", SAMPLE_CUSTOMERS.clean, SAMPLE_CUSTOMERS.inactiveOnly],
      { env: { ...f.env, PATH: process.env.PATH }, timeout: 30_000 },
      (_e, stdout) => resolve({ status: child.exitCode, signal: child.signalCode, stdout }),
    );
  });
  expect(r.signal).toBeNull();
  expect(r.status).toBe(3); // could not check (the documented exit codes)
  expect(Date.now() - started).toBeLessThan(20_000);
  const rows = JSON.parse(r.stdout).customers;
  expect(rows[0].error.code).toBe("PPC_THROTTLED");
  expect(rows[0].error.message).toContain("86400 s");
  expect(rows[1].removable).toBe(true); // another customer is not held by it
}, 40_000);

describe("outcomes and exit codes for pipelines", () => {
  const settingsEnv = () => f.env;

  test("a customer already removed (a re-run of a partly finished offboarding) is its own outcome, exit 0", async () => {
    const client = new PartnerCenterClient(loadSettings({}, settingsEnv()));
    try {
      await client.customers.removeRelationship(SAMPLE_CUSTOMERS.clean);
    } finally {
      await client.close();
    }
    const r = await run(["--json", SAMPLE_CUSTOMERS.clean, SAMPLE_CUSTOMERS.inactiveOnly]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as {
      customers: { outcome: string; error: unknown }[];
      summary: Record<string, number>;
    };
    expect(doc.customers.map((c) => c.outcome)).toEqual(["alreadyRemoved", "removable"]);
    expect(doc.customers[0]?.error).toBeNull();
    expect(doc.summary).toMatchObject({ removable: 1, alreadyRemoved: 1, couldNotCheck: 0, exitCode: 0 });
    const table = await run([SAMPLE_CUSTOMERS.clean]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(new RegExp(`${SAMPLE_CUSTOMERS.clean}\\s+-\\s+-\\s+already removed`));
    expect(table.out).toContain("0 of 1 removable, 0 blocked, 1 already removed, 0 could not be checked");
  });

  test("--all on an empty customer list exits 5 with a clear message, never 0", async () => {
    f.emulator.addFault({
      kind: "body",
      always: true,
      match: { method: "GET", path: "^/v1/customers/?$" },
      body: { totalCount: 0, items: [], attributes: { objectType: "Collection" } },
    });
    const r = await run(["--all"]);
    expect(r.code).toBe(5);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/--all found no reseller customer of this partner: nothing was checked/);
  });

  test("--json escapes U+202E, C1 controls and U+2028 as the table does, and parses back to the same text", () => {
    const hostile = "Contoso\u202e\u009b31m\u2028forged line\u2029\u0085";
    const rows = [
      {
        customerId: SAMPLE_CUSTOMERS.clean,
        companyName: hostile,
        relationship: "reseller",
        outcome: "removable" as const,
        removable: true,
        blockers: [],
        notes: [{ kind: "entitlement" as const, id: "e1", name: hostile, note: "n\u202e" }],
        error: null,
      },
    ];
    const text = formatJson(rows);
    expect(text).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2028\u2029]/);
    expect(text).toContain("Contoso\\u202e\\u009b31m\\u2028forged line\\u2029\\u0085");
    const doc = JSON.parse(text) as { customers: { companyName: string; notes: { name: string }[] }[] };
    expect(doc.customers[0]?.companyName).toBe(hostile);
    expect(doc.customers[0]?.notes[0]?.name).toBe(hostile);
    expect(formatTable(rows)).toContain("Contoso\\u202e\\u009b31m\\u2028forged line\\u2029\\u0085");
  });

  test("--json from a hostile server: no raw bidi or control character reaches the output", async () => {
    f.emulator.addFault({ kind: "disguise", always: true, match: { customerId: SAMPLE_CUSTOMERS.clean } });
    const r = await run(["--json", SAMPLE_CUSTOMERS.clean]);
    expect(r.out).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2028\u2029\u001b]/);
    expect(JSON.parse(r.out).customers[0].companyName).toMatch(/\u202e/);
  });

  test("identical notes are grouped with a count in the table; --json keeps each item", () => {
    const note = "software purchase: does not block the removal";
    const rows = [
      {
        customerId: SAMPLE_CUSTOMERS.clean,
        companyName: "Contoso",
        relationship: "reseller",
        outcome: "removable" as const,
        removable: true,
        blockers: [],
        notes: [
          ...Array.from({ length: 12 }, (_, i) => ({
            kind: "entitlement" as const,
            id: `sw-${i}`,
            name: `Office ${i}`,
            note,
          })),
          { kind: "reservedInstance" as const, id: "ri-1", name: "RI", note: "expired on 2024-06-30" },
        ],
        error: null,
      },
    ];
    const lines = formatTable(rows)
      .split("\n")
      .filter((l) => l.includes("note:"));
    expect(lines).toEqual([
      `    note: 12 × entitlement (sw-0 "Office 0", sw-1 "Office 1", sw-2 "Office 2", and 9 more): ${note}`,
      `    note: reservedInstance ri-1 "RI": expired on 2024-06-30`,
    ]);
    expect(JSON.parse(formatJson(rows)).customers[0].notes).toHaveLength(13);
  });

  test("a hanging token endpoint: one deadline for the whole run, then exit 4 at once", async () => {
    // Every token request hangs far longer than the (shortened) deadline of each attempt.
    f.emulator.addFault({ kind: "slow", delayMs: 2_000, always: true, match: { path: "oauth2/token" } });
    const ids = Object.values(SAMPLE_CUSTOMERS);
    const many = [...ids, ...ids, ...ids, ...ids]; // 4 batches and more at concurrency 8
    const options = { auth: { timeoutMs: 200, maxAttempts: 2, baseDelayMs: 10 } };
    const out: string[] = [];
    const err: string[] = [];
    const started = Date.now();
    const code = await main(
      ["--json", ...many],
      { out: (s) => out.push(s), err: (s) => err.push(s) },
      f.env,
      options,
    );
    const elapsed = Date.now() - started;
    expect(code).toBe(4);
    expect(out).toEqual([]);
    expect(err.join("\n")).toMatch(
      /stopped at the first authentication failure.*Could not reach the token endpoint/,
    );
    // One request per attempt of one deadline: the other customers got the same failure at once.
    expect(f.emulator.state().counters.tokenRequests).toBe(2);
    expect(elapsed).toBeLessThan(2_000);
    expect(f.emulator.requests()).toEqual([]);
  });

  test("a refused grant stops the run at the first failure with exit 4", async () => {
    f.emulator.configure({ requireCredentials: { refreshToken: "another-refresh-token" } });
    const r = await run([...Object.values(SAMPLE_CUSTOMERS)]);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/stopped at the first authentication failure.*refused the refresh-token grant/);
    expect(f.emulator.state().counters.tokenRequests).toBe(1);
  });
});
