/** The estate format and its validation, the admin API over HTTP, loopback-only listening, and the CLI. */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import type { Emulator } from "../../packages/emulator/src";
import {
  DEFAULT_ESTATE,
  EstateValidationError,
  SAMPLE_CUSTOMERS,
  startEmulator,
  syntheticEstate,
  type Estate,
} from "../../packages/emulator/src";
import { accessToken, call, start } from "./helpers";

const CLI = path.resolve(__dirname, "../../packages/emulator/dist/cli.js");

describe("estate", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  test("the sample estate has the documented customers", () => {
    const byId = new Map(DEFAULT_ESTATE.customers.map((c) => [c.id, c]));
    expect(DEFAULT_ESTATE.partnerTenantId).toBe("0a0a0a0a-0000-4000-8000-00000000000a");
    expect(byId.get(SAMPLE_CUSTOMERS.clean)?.companyName).toBe("Contoso Clean Ltd");
    expect(byId.get(SAMPLE_CUSTOMERS.noRelationship)?.relationshipToPartner).toBe("none");
    expect(byId.get(SAMPLE_CUSTOMERS.paged)?.subscriptions).toHaveLength(25);
    expect(byId.get(SAMPLE_CUSTOMERS.legacyReservedInstance)?.entitlements?.[0]?.entitlementType).toBe(
      "VirtualMachineReservedInstance",
    );
    expect(Object.values(SAMPLE_CUSTOMERS)).toHaveLength(14);
    expect(Object.isFrozen(DEFAULT_ESTATE)).toBe(true);
  });

  test("syntheticEstate: deterministic ids, clean reseller customers", async () => {
    const a = syntheticEstate({ count: 3 });
    expect(a.customers.map((c) => c.id)).toEqual([
      "5c000000-0000-4000-8000-000000000001",
      "5c000000-0000-4000-8000-000000000002",
      "5c000000-0000-4000-8000-000000000003",
    ]);
    expect(syntheticEstate({ count: 3 })).toEqual(a);
    expect(syntheticEstate({ count: 2, includeSamples: true }).customers).toHaveLength(16);
    expect(() => syntheticEstate({ count: -1 })).toThrow(/count/);
    emu.loadEstate(a);
    const token = await accessToken(emu.url);
    const r = await call(emu.url, token, `/v1/customers/${a.customers[1]!.id}/subscriptions`);
    expect(r.json.totalCount).toBe(0);
  });

  test("an invalid estate is refused with the bad field named, and the old one stays", () => {
    const cases: [unknown, string][] = [
      [
        {
          customers: [
            { id: SAMPLE_CUSTOMERS.clean, companyName: "X", subscriptions: [{ id: "s", status: "paused" }] },
          ],
        },
        "customers[0].subscriptions[0].status",
      ],
      [
        { customers: [{ id: SAMPLE_CUSTOMERS.clean, companyName: "X", subscription: [] }] },
        "customers[0].subscription",
      ],
      [{ customers: [{ id: "not-a-guid", companyName: "X" }] }, "customers[0].id"],
      [{ customers: [{ id: SAMPLE_CUSTOMERS.clean }] }, "customers[0].companyName"],
      [
        {
          customers: [
            { id: SAMPLE_CUSTOMERS.clean, companyName: "A" },
            { id: SAMPLE_CUSTOMERS.clean.toUpperCase(), companyName: "B" },
          ],
        },
        "customers[1].id",
      ],
      [
        { customers: [{ id: SAMPLE_CUSTOMERS.clean, companyName: "X", azureEntitlements: { nope: [] } }] },
        "customers[0].azureEntitlements.nope",
      ],
      [
        { customers: [{ id: SAMPLE_CUSTOMERS.clean, companyName: "X", entitlements: [{ quantity: 1 }] }] },
        "customers[0].entitlements[0].entitlementType",
      ],
      [{ customers: {} }, "customers"],
      [{ partnerTenantId: "p", customers: [] }, "partnerTenantId"],
    ];
    for (const [estate, field] of cases) {
      let err: unknown;
      try {
        emu.loadEstate(estate as Estate);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EstateValidationError);
      expect((err as EstateValidationError).field).toBe(field);
      expect((err as Error).message).toContain(field);
    }
    expect(emu.state().customers).toHaveLength(14);
  });

  test("startEmulator refuses a bad estate and a non-loopback host (saying why)", async () => {
    await expect(
      startEmulator({ estate: { customers: [{ id: "x" }] } as unknown as Estate }),
    ).rejects.toThrow(/customers\[0\]\.id/);
    await expect(startEmulator({ host: "0.0.0.0" })).rejects.toThrow(/loopback/);
    await expect(startEmulator({ casing: "kebab" as "camel" })).rejects.toThrow(/casing/);
  });
});

describe("admin API over HTTP", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(() => emu.close());

  const admin = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${emu.url}/_emulator${p}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };

  test("health, state, estate, requests, config, reset; never logged as API traffic", async () => {
    expect(await admin("GET", "/health")).toEqual({ status: 200, json: { status: "ok" } });
    const token = await accessToken(emu.url);
    await call(emu.url, token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    const state = await admin("GET", "/state");
    expect(state.json.counters).toMatchObject({
      requests: 1,
      tokensIssued: 1,
      throttled: 0,
      patchesApplied: 0,
    });
    expect(state.json.customers.map((c: { id: string }) => c.id)).toContain(SAMPLE_CUSTOMERS.paged);
    const log = await admin("GET", "/requests");
    expect(log.json).toHaveLength(1);
    expect(log.json[0]).toMatchObject({
      method: "GET",
      path: `/v1/customers/${SAMPLE_CUSTOMERS.clean}`,
      status: 200,
      customerId: SAMPLE_CUSTOMERS.clean,
    });
    expect((await admin("DELETE", "/requests")).status).toBe(204);
    expect(emu.requests()).toHaveLength(0);

    expect((await admin("PUT", "/estate", syntheticEstate({ count: 4 }))).json).toEqual({ loaded: 4 });
    const bad = await admin("PUT", "/estate", {
      customers: [{ id: SAMPLE_CUSTOMERS.clean, companyName: "X", relationshipToPartner: "friend" }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.field).toBe("customers[0].relationshipToPartner");

    const cfg = await admin("PATCH", "/config", {
      casing: "pascal",
      latencyMs: 0,
      removedCustomerStatus: 403,
    });
    expect(cfg.json).toMatchObject({ casing: "pascal", removedCustomerStatus: 403 });
    expect((await admin("PATCH", "/config", { latency: 5 })).status).toBe(400);
    expect((await admin("PATCH", "/config", { throttle: { limit: 0 } })).json.error).toMatch(
      /throttle\.limit/,
    );

    expect((await admin("POST", "/reset")).status).toBe(200);
    const after = await admin("GET", "/state");
    expect(after.json.customers).toHaveLength(14);
    expect(after.json.config.casing).toBe("documented");
    expect(after.json.counters.requests).toBe(0);
    expect((await admin("GET", "/nope")).status).toBe(404);
    expect(emu.requests()).toHaveLength(0);
  });
});

describe("CLI", () => {
  const built = fs.existsSync(CLI);
  const run = built ? test : test.skip;
  if (!built) console.warn(`CLI tests skipped: ${CLI} is missing; run npm run build first.`);

  run("serves until SIGTERM, then exits 0", async () => {
    const child = spawn(
      process.execPath,
      [CLI, "--port", "0", "--casing", "pascal", "--throttle", "100/60"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const lines = readline.createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once("line", resolve);
      child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
    });
    const m = /^Partner Center emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first);
    expect(m).not.toBeNull();
    const url = m![1]!;
    const token = await accessToken(url);
    const r = await call(url, token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    expect(r.status).toBe(200);
    expect(r.json.CompanyProfile.CompanyName).toBe("Contoso Clean Ltd");
    const state = (await (await fetch(`${url}/_emulator/state`)).json()) as { config: { throttle: unknown } };
    expect(state.config.throttle).toEqual({ limit: 100, windowMs: 60_000, scope: "partnerAndCustomer" });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  run("--help exits 0; a bad flag names the flag and exits 2", () => {
    const help = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--throttle-scope/);
    for (const [args, text] of [
      [["--port", "99999"], /--port/],
      [["--casing", "snake"], /--casing/],
      [["--throttle", "fast"], /--throttle/],
      [["--frobnicate"], /--frobnicate/],
      [["--estate", "/nonexistent/estate.json"], /--estate/],
    ] as const) {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(text);
    }
  });

  run(
    "an unknown option, a positional or a value for a flag: exit 2 with the argument named and the usage; nothing starts",
    () => {
      for (const [args, named] of [
        [["--port", "0", "--frobnicate"], "'--frobnicate'"],
        [["-x", "--port", "0"], "'-x'"],
        [["--port", "0", "extra"], "'extra'"],
        [["--no-throttle=yes", "--port", "0"], "'--no-throttle'"],
        [["--port"], "'--port <value>'"],
      ] as const) {
        const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 20_000 });
        expect(r.status).toBe(2);
        expect(r.stderr).toContain(`partner-center-emulator: `);
        expect(r.stderr).toContain(named);
        expect(r.stderr).toContain("Usage: partner-center-emulator [options]");
        // No "listening on" line: the emulator never started.
        expect(r.stdout).toBe("");
      }
    },
  );
});
