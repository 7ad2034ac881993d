/**
 * `partner-center estate` against the emulator: export (names, order, merge, GDAP), plan (adopt, nothing to
 * do, blocked offboarding, Markdown, entries missing from the file) and unprotect (only the named entries).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../provider/src/cli/estate";
import { nameCustomers } from "../../provider/src/estate/export";
import { SAMPLE_CUSTOMERS as ID } from "../../packages/emulator/src";
import { PartnerCenterClient } from "../../provider/src/client";
import { getSharedGraphClient } from "../../provider/src/gdap/graph";
import { loadSettings } from "../../provider/src/settings";
import { cliFixture, writeEstate } from "./fixture";

const HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

const f = cliFixture(
  {},
  { PARTNER_CENTER_GRAPH_ENDPOINT: "<emulator>", PARTNER_CENTER_REFRESH_TOKEN: "pipeline-refresh-token" },
);
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-cli-"));
});

async function run(argv: string[], pulumi?: (a: string[]) => Promise<string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    { out: (s) => out.push(s), err: (s) => err.push(s), ...(pulumi && { pulumi }) },
    f.env,
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const writes = () => f.emulator.requests().filter((r) => r.method !== "GET");

const DYNAMIC_RESELLER = "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship";
/** The type under the provider plugin, as `estate export --import-file` and the migration script leave it. */
const PLUGIN_RESELLER = "partnercenter:index:ResellerRelationship";

/** A `pulumi stack export` document holding these customers' reseller relationships (protected). */
function stateWith(
  customers: { name: string; customerId: string; options?: Record<string, boolean> }[],
  type = DYNAMIC_RESELLER,
) {
  return {
    deployment: {
      resources: customers.map((c) => ({
        urn: `urn:pulumi:dev::p::partnercenter:index:Estate$${type}::${c.name}`,
        type,
        protect: true,
        outputs: { customerId: c.customerId, ...c.options },
      })),
    },
  };
}

test("export: every reseller customer, named from its company, sorted, protected by default; nothing written", async () => {
  const out = path.join(dir, "estate.json");
  const r = await run(["export", "--out", out]);
  expect(r.code).toBe(0);
  const doc = read(out);
  expect(doc.version).toBe(1);
  expect(doc.$schema).toMatch(/estate\.v1\.json$/);
  const names = doc.customers.map((c: { name: string }) => c.name);
  expect(names).toEqual([...names].sort());
  expect(doc.customers.find((c: { customerId: string }) => c.customerId === ID.clean)).toMatchObject({
    name: "contoso-clean-ltd",
    companyName: "Contoso Clean Ltd",
  });
  // Not a reseller customer: not exported.
  expect(doc.customers.some((c: { customerId: string }) => c.customerId === ID.noRelationship)).toBe(false);
  expect(doc.customers.every((c: { state?: string }) => c.state === undefined)).toBe(true);
  expect(r.out).toMatch(/customers \(\d+ new, 0 gone/);
  expect(writes()).toEqual([]);
  // A second export is the same file, byte for byte.
  const again = path.join(dir, "again.json");
  await run(["export", "--out", again]);
  expect(fs.readFileSync(again, "utf8")).toBe(fs.readFileSync(out, "utf8"));
});

test("names: collisions get the id's first digits whatever the listing order", () => {
  const a = { id: "aaaaaaaa-0000-4000-8000-000000000001", companyName: "Contoso Ltd." };
  const b = { id: "bbbbbbbb-0000-4000-8000-000000000002", companyName: "Contoso, Ltd" };
  const one = nameCustomers([a, b], new Set());
  const two = nameCustomers([b, a], new Set());
  expect([...one].sort()).toEqual([...two].sort());
  expect(one.get(a.id)).toBe("contoso-ltd-aaaaaaaa");
  expect(nameCustomers([a], new Set(["contoso-ltd"])).get(a.id)).toBe("contoso-ltd-aaaaaaaa");
});

test("export --merge keeps the user's fields and templates, adds new customers and marks those gone", async () => {
  const merge = path.join(dir, "mine.json");
  writeEstate(
    merge,
    [
      { name: "my-contoso", customerId: ID.clean, suspendActiveSubscriptions: true, state: "offboard" },
      { name: "left-us", customerId: "9f9f9f9f-0000-4000-8000-000000000001" },
    ],
    { gdapTemplates: { helpdesk: { duration: "P730D", roles: ["729827e3-9c14-49f7-bb1b-9608f156bbb8"] } } },
  );
  const out = path.join(dir, "merged.json");
  const r = await run(["export", "--merge", merge, "--out", out, "--json"]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out)).toMatchObject({ gone: 1 });
  const doc = read(out);
  expect(doc.gdapTemplates.helpdesk.duration).toBe("P730D");
  const byName = Object.fromEntries(doc.customers.map((c: { name: string }) => [c.name, c]));
  expect(byName["my-contoso"]).toMatchObject({ suspendActiveSubscriptions: true, state: "offboard" });
  expect(byName["left-us"].goneFromPartnerCenter).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(Object.keys(byName).some((n) => n.startsWith("fabrikam"))).toBe(true);
});

test("export --gdap lists each customer's live relationships", async () => {
  // One live relationship (Contoso) and one ended one (Northwind), made through Graph as the provider would.
  const settings = loadSettings({}, f.env);
  const pc = new PartnerCenterClient(settings);
  try {
    const graph = getSharedGraphClient(pc, settings);
    const spec = { duration: "P730D", roles: [HELPDESK_ADMIN] };
    await graph.createRelationship({ ...spec, displayName: "Contoso helpdesk", customerTenantId: ID.clean });
    const ended = await graph.createRelationship({
      ...spec,
      displayName: "Northwind old",
      customerTenantId: ID.inactiveOnly,
    });
    await fetch(`${f.emulator.url}/_emulator/gdap/${ended.id}/status`, {
      method: "POST",
      body: JSON.stringify({ status: "terminated" }),
    });
  } finally {
    await pc.close();
  }
  f.emulator.clearRequests();
  const out = path.join(dir, "gdap.json");
  const r = await run(["export", "--gdap", "--out", out]);
  expect(r.code).toBe(0);
  const entry = (id: string) => read(out).customers.find((c: { customerId: string }) => c.customerId === id);
  expect(entry(ID.clean).adminRelationships).toEqual([
    {
      displayName: "Contoso helpdesk",
      duration: "P730D",
      autoExtendDuration: "PT0S",
      roles: [HELPDESK_ADMIN],
    },
  ]);
  expect(entry(ID.inactiveOnly).adminRelationships).toBeUndefined();
  expect(r.out).toMatch(/, 1 GDAP relationships added\)/);
  expect(writes()).toEqual([]);
});

test("plan: an empty stack adopts every customer; a stack holding them all has nothing to do", async () => {
  const estate = path.join(dir, "estate.json");
  await run(["export", "--out", estate]);
  const empty = path.join(dir, "empty.json");
  fs.writeFileSync(empty, JSON.stringify(stateWith([])));
  const first = await run(["plan", "--estate", estate, "--state", empty]);
  expect(first.code).toBe(0);
  expect(first.out).toMatch(/contoso-clean-ltd.*adopt/);
  const full = path.join(dir, "full.json");
  fs.writeFileSync(full, JSON.stringify(stateWith(read(estate).customers)));
  const second = await run(["plan", "--estate", estate, "--state", full, "--markdown"]);
  expect(second.code).toBe(0);
  expect(second.out).toContain("Nothing to do.");
  // The same customers under the provider plugin's type (a stack imported with --import-file, or migrated).
  const plugin = path.join(dir, "plugin.json");
  fs.writeFileSync(plugin, JSON.stringify(stateWith(read(estate).customers, PLUGIN_RESELLER)));
  const third = await run(["plan", "--estate", estate, "--state", plugin, "--markdown"]);
  expect(third.code).toBe(0);
  expect(third.out).toContain("Nothing to do.");
  expect(writes()).toEqual([]);
});

test("plan: an offboarding shows whether it can go ahead and what blocks it; a dropped entry is flagged", async () => {
  const estate = path.join(dir, "estate.json");
  writeEstate(estate, [
    { name: "contoso", customerId: ID.clean, state: "offboard" },
    { name: "litware", customerId: ID.reservedInstance, state: "offboard" },
  ]);
  const state = path.join(dir, "state.json");
  fs.writeFileSync(
    state,
    JSON.stringify(
      stateWith([
        { name: "contoso", customerId: ID.clean },
        { name: "litware", customerId: ID.reservedInstance },
        { name: "northwind", customerId: ID.inactiveOnly },
      ]),
    ),
  );
  const r = await run(["plan", "--estate", estate, "--state", state, "--markdown"]);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/`contoso`.*offboard: removable now/);
  expect(r.out).toMatch(/`litware`.*\*\*offboard: BLOCKED\*\*/);
  expect(r.out).toMatch(/reservation|reserved/i);
  expect(r.out).toMatch(/`northwind`.*not in the estate file/);
  const json = JSON.parse((await run(["plan", "--estate", estate, "--state", state, "--json"])).out);
  expect(json.customers.find((c: { name: string }) => c.name === "contoso").urns).toHaveLength(1);
  expect(writes()).toEqual([]);
});

test("plan judges an offboarding with the provider's clearing rule: what it cancels and suspends first, what still blocks", async () => {
  const both = { suspendActiveSubscriptions: true, cancelNewCommerceSubscriptionsInWindow: true };
  const estate = path.join(dir, "estate.json");
  const state = path.join(dir, "state.json");
  const plan = async (
    entries: { name: string; customerId: string; options?: Record<string, boolean> }[],
    held = entries,
  ) => {
    writeEstate(
      estate,
      entries.map((e) => ({ name: e.name, customerId: e.customerId, ...e.options, state: "offboard" })),
    );
    fs.writeFileSync(state, JSON.stringify(stateWith(held)));
    const md = await run(["plan", "--estate", estate, "--state", state, "--markdown"]);
    const json = await run(["plan", "--estate", estate, "--state", state, "--json"]);
    return { md, rows: JSON.parse(json.out).customers as Record<string, unknown>[] };
  };

  // Fabrikam (the sample estate: an active legacy E3, a new-commerce Business Premium inside its window) with
  // both options, as the sample estate file sets them: removable, after cancelling and suspending.
  const fabrikam = { name: "fabrikam", customerId: ID.activeSubscriptions, options: both };
  const ok = await plan([fabrikam]);
  expect(ok.md.code).toBe(0);
  expect(ok.md.out).toMatch(/`fabrikam`.*offboard: removable now after the changes below/);
  expect(ok.md.out).toMatch(
    /\*\*cancels\*\* subscription 22222222-0000-4000-8000-000000000002 "[^"]+" first/,
  );
  expect(ok.md.out).toMatch(
    /suspends subscription 22222222-0000-4000-8000-000000000001 "Office 365 E3" first/,
  );
  expect(ok.md.out).not.toMatch(/BLOCKED/);
  expect(ok.rows[0]).toMatchObject({
    action: "offboard",
    removable: true,
    blockers: [],
    wouldCancel: [{ id: "22222222-0000-4000-8000-000000000002" }],
    wouldSuspend: [{ id: "22222222-0000-4000-8000-000000000001" }],
    unexpectedChanges: false,
  });

  // Only the suspension allowed: all or nothing, so nothing is changed and the new-commerce one still blocks.
  const half = await plan([{ ...fabrikam, options: { suspendActiveSubscriptions: true } }]);
  expect(half.md.code).toBe(1);
  expect(half.md.out).toMatch(/`fabrikam`.*\*\*offboard: BLOCKED\*\*/);
  expect(half.md.out).toMatch(
    /could clear 1 of them with the options set, but not 22222222-0000-4000-8000-000000000002/,
  );
  expect(half.md.out).toMatch(
    /suspendActiveSubscriptions: true is set: the provider will suspend it once nothing else blocks/,
  );
  expect(half.rows[0]).toMatchObject({ removable: false, wouldCancel: [], wouldSuspend: [] });

  // Tailspin: suspending its Azure plan is allowed, but the plan holds an active Azure subscription.
  const tailspin = await plan([
    { name: "tailspin", customerId: ID.azurePlan, options: { suspendActiveSubscriptions: true } },
  ]);
  expect(tailspin.md.code).toBe(1);
  expect(tailspin.md.out).toMatch(/Azure plan still has active Azure subscriptions/);

  // The removal runs with the options the stack holds, not with the offboarded entry's: an entry that adds them
  // in the same change is still blocked, and says why; one that drops them is flagged (it would still cancel).
  const added = await plan([fabrikam], [{ ...fabrikam, options: {} }]);
  expect(added.md.code).toBe(1);
  expect(added.md.out).toMatch(/BLOCKED[\s\S]*runs with the options the stack holds/);
  const dropped = await plan([{ ...fabrikam, options: {} }], [fabrikam]);
  expect(dropped.md.code).toBe(1);
  expect(dropped.md.out).toMatch(
    /removable now after the changes below \*\*\(changes subscriptions the entry does not allow\)\*\*/,
  );
  expect(dropped.rows[0]).toMatchObject({ unexpectedChanges: true });
  expect(writes()).toEqual([]);
});

test("unprotect: only the entries marked offboard, through pulumi state unprotect", async () => {
  const estate = path.join(dir, "estate.json");
  writeEstate(estate, [
    { name: "contoso", customerId: ID.clean, state: "offboard" },
    { name: "northwind", customerId: ID.inactiveOnly },
  ]);
  const calls: string[][] = [];
  // Under the provider plugin's type: unprotect finds a migrated or imported customer too.
  const doc = stateWith(
    [
      { name: "contoso", customerId: ID.clean },
      { name: "northwind", customerId: ID.inactiveOnly },
    ],
    PLUGIN_RESELLER,
  );
  const r = await run(["unprotect", "--estate", estate, "--stack", "dev"], async (a) => {
    calls.push(a);
    return a[0] === "stack" ? JSON.stringify(doc) : "";
  });
  expect(r.code).toBe(0);
  const unprotects = calls.filter((c) => c[0] === "state");
  expect(unprotects).toHaveLength(1);
  expect(unprotects[0]).toEqual([
    "state",
    "unprotect",
    "--yes",
    "--stack",
    "dev",
    doc.deployment.resources[0]!.urn,
  ]);
});

test("usage and settings errors exit 2 and name the problem; no secret is printed", async () => {
  expect((await run(["plan"])).code).toBe(2);
  expect((await run(["frobnicate"])).err).toContain('unknown command "frobnicate"');
  const bad = path.join(dir, "bad.json");
  writeEstate(bad, [{ name: "x", customerId: "nope" }]);
  const r = await run(["plan", "--estate", bad, "--state", bad]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/customers\[0\] \(x\)\.customerId/);
  expect(r.err + r.out).not.toContain("pipeline-refresh-token");
  expect((await run(["--help"])).out).toMatch(/Exit code: 0/);
});
