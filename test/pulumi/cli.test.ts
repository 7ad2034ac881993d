/**
 * The provider under the real Pulumi CLI (v3.274.1, built from Pulumi's Go modules by scripts/pulumi-cli.sh):
 * the engine, a provider process per phase, state on a file backend, against the emulator on loopback.
 * `npm run test:pulumi`; not part of `npm test`.
 */
import { DEFAULT_ESTATE, SAMPLE_CUSTOMERS as ID, type Estate } from "pulumi-partner-center-emulator";
import * as path from "node:path";
import { ROOT, TYPE } from "../support/host";
import { cliSuite, projectFiles, run, Stack } from "../support/pulumi";
import { pipelineEnv } from "./pipeline-env";
import type { Entry } from "./program/index";

const suite = cliSuite();

type Customer = Entry;

async function stack(customers: Customer[], secrets?: { clientSecret: string; refreshToken: string }) {
  const s = await Stack.create(suite.env, {
    files: projectFiles(path.join(__dirname, "program")),
    emulatorUrl: suite.emulator.url,
    config: { customers: JSON.stringify(customers) },
    ...(secrets && { secrets }),
  });
  suite.stacks.push(s);
  return s;
}

const setCustomers = (s: Stack, customers: Customer[]) =>
  s.ok(["config", "set", "customers", JSON.stringify(customers)]);
const relationships = (s: Stack) => s.resources(TYPE);
const names = async (s: Stack) => (await relationships(s)).map((r) => r.urn.split("::").pop() ?? "").sort();
async function urn(s: Stack, name: string): Promise<string> {
  const r = (await relationships(s)).find((x) => x.urn.endsWith(`::${name}`));
  if (!r) throw new Error(`${name} is not in the stack`);
  return r.urn;
}

/** Requests that change something in Partner Center (the token endpoint is not in the log). */
const writes = (customerId?: string) =>
  suite.emulator
    .requests()
    .filter((r) => r.method !== "GET" && (!customerId || r.path.toLowerCase().includes(customerId)));

const relationshipOf = (id: string) =>
  suite.emulator.state().customers.find((c) => c.id === id)?.relationshipToPartner;

const ESTATE: Customer[] = [
  { name: "contoso", customerId: ID.clean },
  // Fabrikam has legacy and new-commerce subscriptions: suspension clears the first, cancellation the second.
  {
    name: "fabrikam",
    customerId: ID.activeSubscriptions,
    suspendActiveSubscriptions: true,
    cancelNewCommerceSubscriptionsInWindow: true,
  },
  { name: "northwind", customerId: ID.inactiveOnly },
  { name: "adatum", customerId: ID.legacyReservedInstance },
  { name: "litware", customerId: ID.reservedInstance },
  { name: "woodgrove", customerId: ID.noRelationship },
];

test("preview, up, refresh, destroy --target, blocked destroy, --continue-on-error", async () => {
  const s = await stack(ESTATE);

  // preview: check and diff only; nothing reaches Partner Center but reads, nothing is stored.
  const preview = await s.pulumi(["preview"]);
  expect(preview.code).toBe(0);
  expect(preview.out).toMatch(/\+ 7 to create/);
  expect(writes()).toEqual([]);
  expect(await names(s)).toEqual([]);

  // up: five adoptions by GET alone; Woodgrove has no relationship: the error carries the invitation link.
  const up = await s.pulumi(["up", "--yes", "--skip-preview"]);
  expect(up.code).not.toBe(0);
  expect(up.out).toMatch(/woodgrove[\s\S]*invType=ResellerRelationship/);
  expect(await names(s)).toEqual(["adatum", "contoso", "fabrikam", "litware", "northwind"]);
  expect(writes()).toEqual([]);

  // Northwind's relationship is removed elsewhere (in the Partner Center UI): refresh drops it from the stack,
  // and fills the readiness outputs of the others.
  const estate = structuredClone(DEFAULT_ESTATE) as Estate;
  const northwind = estate.customers.find((c) => c.id === ID.inactiveOnly);
  if (northwind) northwind.relationshipToPartner = "none";
  suite.emulator.loadEstate(estate);
  const refresh = await s.pulumi(["refresh", "--yes", "--skip-preview"]);
  expect(refresh.code).toBe(0);
  expect(refresh.out).toMatch(/refresh drops the resource from the stack/);
  expect(await names(s)).toEqual(["adatum", "contoso", "fabrikam", "litware"]);
  const outs = Object.fromEntries((await relationships(s)).map((r) => [r.id, r.outputs ?? {}]));
  expect(outs[ID.clean]).toMatchObject({ removable: true, removalBlockers: [] });
  expect(outs[ID.reservedInstance]).toMatchObject({ removable: false });
  expect(outs[ID.reservedInstance]?.removalBlockers).toEqual([
    expect.objectContaining({ kind: "reservedInstance" }),
  ]);

  // destroy --target one removable customer: only it is removed, in Partner Center and in the stack.
  const one = await s.pulumi(["destroy", "--yes", "--skip-preview", "--target", await urn(s, "contoso")]);
  expect(one.code).toBe(0);
  expect(await names(s)).toEqual(["adatum", "fabrikam", "litware"]);
  expect(writes().map((w) => w.customerId)).toEqual([ID.clean]);
  expect(relationshipOf(ID.clean)).toBe("none");

  // A blocked one: the destroy fails, says why, and the resource stays in the stack.
  const blocked = await s.pulumi(["destroy", "--yes", "--skip-preview", "--target", await urn(s, "adatum")]);
  expect(blocked.code).not.toBe(0);
  expect(blocked.out).toMatch(/cannot be removed yet[\s\S]*reserved instance/i);
  expect(await names(s)).toEqual(["adatum", "fabrikam", "litware"]);
  expect(writes(ID.legacyReservedInstance)).toEqual([]);

  // A mix with --continue-on-error: Fabrikam (its subscriptions cancelled or suspended first) goes, Litware stays.
  const mix = await s.pulumi([
    "destroy",
    "--yes",
    "--skip-preview",
    "--continue-on-error",
    "--target",
    await urn(s, "litware"),
    "--target",
    await urn(s, "fabrikam"),
  ]);
  expect(mix.code).not.toBe(0);
  expect(await names(s)).toEqual(["adatum", "litware"]);
  expect(relationshipOf(ID.activeSubscriptions)).toBe("none");
  expect(relationshipOf(ID.reservedInstance)).toBe("reseller");
  expect(mix.out).toMatch(/after changing subscriptions \(cancelled .*suspended /);
});

test("without --continue-on-error, one blocked removal cancels the removals not yet started", async () => {
  // The engine deletes in waves, dependents first (ScheduleDeletes in pkg/resource/deploy): Litware, which
  // depends on Contoso, alone in the first wave; Contoso and Northwind in the second. Litware is blocked.
  const s = await stack([
    { name: "contoso", customerId: ID.clean },
    { name: "litware", customerId: ID.reservedInstance, dependsOn: ["contoso"] },
    { name: "northwind", customerId: ID.inactiveOnly },
  ]);
  expect((await s.pulumi(["up", "--yes", "--skip-preview"])).code).toBe(0);
  const tokens = () => suite.emulator.state().counters.tokenRequests;
  expect(tokens()).toBe(1);
  const stopped = await s.pulumi(["destroy", "--yes", "--skip-preview"]);
  expect(stopped.code).not.toBe(0);
  // Each command has its own provider process: nothing (here, the access token) carries over.
  expect(tokens()).toBe(2);
  // Northwind, removable and independent, was never tried.
  expect(await names(s)).toEqual(["contoso", "litware", "northwind"]);
  expect(writes()).toEqual([]);

  const going = await s.pulumi(["destroy", "--yes", "--skip-preview", "--continue-on-error"]);
  expect(going.code).not.toBe(0);
  // Contoso stays too: Litware still depends on it.
  expect(await names(s)).toEqual(["contoso", "litware"]);
  expect(relationshipOf(ID.inactiveOnly)).toBe("none");
  expect(relationshipOf(ID.clean)).toBe("reseller");
});

test("destroy uses the rotated refresh token only with --run-program (or PULUMI_RUN_PROGRAM)", async () => {
  const s = await stack(
    [
      { name: "contoso", customerId: ID.clean },
      { name: "northwind", customerId: ID.inactiveOnly },
    ],
    { clientSecret: "suite-client-secret-0001", refreshToken: "refresh-token-before-rotation" },
  );
  expect((await s.pulumi(["up", "--yes", "--skip-preview"])).code).toBe(0);

  // The stack config secrets are in the state, encrypted, as the default provider's inputs; never in clear.
  const text = await s.stateText();
  for (const secret of ["suite-client-secret-0001", "refresh-token-before-rotation"])
    expect(text).not.toContain(secret);
  const state = JSON.parse(text) as { deployment: { resources: { type: string; inputs?: object }[] } };
  const provider = state.deployment.resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs");
  expect(JSON.stringify(provider?.inputs)).toMatch(
    /"partnercenter:refreshToken":\{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","ciphertext":/,
  );

  // The token is rotated: the old one stops working, the stack config gets the new one.
  suite.emulator.configure({ requireCredentials: { refreshToken: "refresh-token-after-rotation" } });
  await s.setSecret("refreshToken", "refresh-token-after-rotation");

  // Without --run-program, destroy configures the provider from the state: the old token, refused.
  const stale = await s.pulumi(["destroy", "--yes", "--skip-preview", "--target", await urn(s, "contoso")]);
  expect(stale.code).not.toBe(0);
  expect(stale.out).toMatch(/refresh token|invalid_grant|AADSTS/i);
  expect(relationshipOf(ID.clean)).toBe("reseller");

  const fresh = await s.pulumi([
    "destroy",
    "--yes",
    "--skip-preview",
    "--run-program",
    "--target",
    await urn(s, "contoso"),
  ]);
  expect(fresh.code).toBe(0);
  expect(relationshipOf(ID.clean)).toBe("none");

  const viaEnv = await s.pulumi(
    ["destroy", "--yes", "--skip-preview", "--target", await urn(s, "northwind")],
    {
      PULUMI_RUN_PROGRAM: "true",
    },
  );
  expect(viaEnv.code).toBe(0);
  expect(relationshipOf(ID.inactiveOnly)).toBe("none");
  expect(await names(s)).toEqual([]);
});

test("editing a customerId fails before anything changes: it never offboards the old customer", async () => {
  const s = await stack([{ name: "contoso", customerId: ID.clean }]);
  expect((await s.pulumi(["up", "--yes", "--skip-preview"])).code).toBe(0);
  await setCustomers(s, [{ name: "contoso", customerId: ID.inactiveOnly }]);

  for (const args of [["preview"], ["up", "--yes", "--skip-preview"]]) {
    const r = await s.pulumi(args);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      `customerId cannot change on an existing ResellerRelationship (it is ${ID.clean}`,
    );
    expect(r.out).toMatch(/pulumi destroy --target/);
  }
  expect(writes()).toEqual([]);
  expect(relationshipOf(ID.clean)).toBe("reseller");
  const [r] = await relationships(s);
  expect(r?.outputs?.customerId).toBe(ID.clean);

  // Only a case change: the same customer, nothing to do.
  await setCustomers(s, [{ name: "contoso", customerId: ID.clean.toUpperCase() }]);
  expect((await s.pulumi(["up", "--yes", "--skip-preview"])).code).toBe(0);
});

test("import: the resource option fails clearly in the program; the command fails in the SDK's host", async () => {
  const s = await stack([]);
  // `pulumi import` does not run the program, and the engine calls read with an id alone: @pulumi/pulumi's
  // dynamic provider host cannot load a provider without the stored `__provider` text and fails before our
  // code runs. This pins that message, which docs/reference/errors.md#troubleshooting explains.
  const cmd = await s.pulumi(["import", TYPE, "imported", ID.clean, "--yes"]);
  expect(cmd.code).not.toBe(0);
  expect(cmd.out).toContain("code must be a string, not undefined");

  // The `import` option: the program itself refuses, naming the way to adopt.
  await setCustomers(s, [{ name: "contoso", customerId: ID.clean, importId: ID.clean }]);
  const opt = await s.pulumi(["up", "--yes", "--skip-preview"]);
  expect(opt.code).not.toBe(0);
  expect(opt.out).toMatch(/contoso: ResellerRelationship cannot be imported[\s\S]*declaring it instead/);
  expect(await names(s)).toEqual([]);
  expect(writes()).toEqual([]);

  // Declaring it adopts the existing relationship.
  await setCustomers(s, [{ name: "contoso", customerId: ID.clean }]);
  expect((await s.pulumi(["up", "--yes", "--skip-preview"])).code).toBe(0);
  expect(await names(s)).toEqual(["contoso"]);
});

test("the pipelines' steps: offboard.sh removes only the customers given by id; failures stop before destroy", async () => {
  const s = await stack([
    { name: "contoso", customerId: ID.clean },
    { name: "northwind", customerId: ID.inactiveOnly },
  ]);
  expect((await s.pulumi(["up", "--yes", "--skip-preview"])).code).toBe(0);
  const script = (f: string) => path.join(ROOT, "examples/pipelines", f);
  const ci = pipelineEnv(s, suite.emulator.url);
  const bash = (args: string[], env: NodeJS.ProcessEnv = ci) => run("bash", args, { cwd: s.dir, env });
  const unchanged = async () => {
    expect(await names(s)).toEqual(["contoso", "northwind"]);
    expect(writes()).toEqual([]);
  };

  // The offboarding step as the YAML runs it: `offboard.sh $CUSTOMERS`, with CUSTOMERS empty.
  const empty = await bash(["-c", `${script("offboard.sh")} $CUSTOMERS`], { ...ci, CUSTOMERS: "" });
  expect(empty.code).toBe(2);
  expect(empty.out).toMatch(/no customer ids given.*Refusing to run pulumi destroy/);
  await unchanged();

  // An id that is not in the stack: offboard-targets.sh fails, and destroy never starts.
  const unknown = await bash([script("offboard.sh"), ID.reservedInstance]);
  expect(unknown.code).toBe(1);
  expect(unknown.out).toContain(`customer ${ID.reservedInstance} is not in this stack`);
  expect(unknown.out).not.toMatch(/Destroying/);
  await unchanged();

  // A failing config step (a secret missing from the store) stops both steps before pulumi runs.
  const { PARTNER_CENTER_REFRESH_TOKEN: _omit, ...noToken } = ci;
  for (const step of [[script("offboard.sh"), ID.clean], [script("up.sh")]]) {
    const r = await bash(step, noToken);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("set PARTNER_CENTER_REFRESH_TOKEN from the CI secret store");
    expect(r.out).not.toMatch(/Destroying|Updating/);
  }
  await unchanged();

  // The refresh token was rotated since the last `up`: the offboarding uses the one from the secret store.
  suite.emulator.configure({ requireCredentials: { refreshToken: "refresh-token-from-the-secret-store" } });
  const one = await bash([script("offboard.sh"), ID.clean.toUpperCase()]);
  expect(one.code).toBe(0);
  expect(await names(s)).toEqual(["northwind"]);
  expect(writes().map((w) => w.customerId)).toEqual([ID.clean]);
  expect(relationshipOf(ID.inactiveOnly)).toBe("reseller");

  // up.sh with every secret: the update runs (Contoso is now out of the program, Litware in).
  await setCustomers(s, [
    { name: "northwind", customerId: ID.inactiveOnly },
    { name: "litware", customerId: ID.reservedInstance },
  ]);
  const up = await bash([script("up.sh")]);
  expect(up.code).toBe(0);
  expect(await names(s)).toEqual(["litware", "northwind"]);
});

test("npm run demo -- --pulumi: the sample estate through the real CLI and the estate's offboarding", async () => {
  const demo = await run(process.execPath, [path.join(ROOT, "examples/demo/demo.js"), "--pulumi"], {
    cwd: ROOT,
    env: process.env,
  });
  expect(demo.out).toContain("invType=ResellerRelationship");
  expect(demo.out).toMatch(/cannot be removed yet/);
  expect(demo.out).toContain("Everything behaved as expected.");
  expect(demo.code).toBe(0);
});
