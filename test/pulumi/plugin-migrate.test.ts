/**
 * Onto the provider plugin with the real Pulumi CLI, against the emulator, without a write to Partner Center:
 * a bulk import of the file `partner-center estate export --import-file` writes, and scripts/migrate-to-plugin.sh
 * moving a stack from the dynamic provider to the plugin.
 */
import { SAMPLE_CUSTOMERS as ID } from "pulumi-partner-center-emulator";
import * as fs from "node:fs";
import * as path from "node:path";
import { PARTNER_TENANT_ID, ROOT } from "../support/host";
import { cliSuite, pluginYaml, projectFiles, run, Stack } from "../support/pulumi";

const RR = "partnercenter:index:ResellerRelationship";
const DYNAMIC_RR = "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship";

const suite = cliSuite();

const writes = () => suite.emulator.requests().filter((r) => r.method !== "GET");

/** A stack of the real-CLI suite's TypeScript program with these customers, under the dynamic provider, after `up`. */
async function dynamicStack(customers: { name: string; customerId: string }[]): Promise<Stack> {
  const s = await Stack.create(suite.env, {
    files: projectFiles(path.join(__dirname, "program")),
    emulatorUrl: suite.emulator.url,
    config: { customers: JSON.stringify(customers) },
  });
  suite.stacks.push(s);
  await s.ok(["up", "--yes"]);
  return s;
}

test("estate export --import-file, then pulumi import --file: every customer adopted with no write; preview shows no change", async () => {
  const s = await Stack.create(suite.env, {
    files: { "Pulumi.yaml": pluginYaml("partnercenter-import", []) },
    emulatorUrl: suite.emulator.url,
  });
  suite.stacks.push(s);
  const exported = await run(
    process.execPath,
    [
      path.join(ROOT, "provider/dist/cli/index.js"),
      "estate",
      "export",
      "--out",
      "estate.json",
      "--import-file",
      "import.json",
    ],
    {
      cwd: s.dir,
      env: {
        ...suite.env,
        PARTNER_CENTER_ENDPOINT: suite.emulator.url,
        PARTNER_CENTER_AUTHORITY: suite.emulator.url,
        PARTNER_CENTER_TENANT_ID: PARTNER_TENANT_ID,
        PARTNER_CENTER_CLIENT_ID: "local-client",
        PARTNER_CENTER_REFRESH_TOKEN: "local-refresh-token",
        PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: "true",
      },
    },
  );
  expect(exported.code).toBe(0);
  const customers: { name: string; customerId: string }[] = JSON.parse(
    fs.readFileSync(path.join(s.dir, "estate.json"), "utf8"),
  ).customers;
  expect(customers.length).toBeGreaterThan(2);

  suite.emulator.reset();
  await s.ok(["import", "--file", "import.json", "--yes", "--generate-code=false"]);
  expect(suite.emulator.requests().length).toBeGreaterThan(0);
  expect(writes()).toEqual([]);
  const state = await s.resources(RR);
  expect(state.map((r) => [r.urn.split("::").at(-1), r.id]).sort()).toEqual(
    customers.map((c) => [c.name, c.customerId]).sort(),
  );
  // `pulumi import` protects what it adopts: the program says so too, and then there is nothing to do.
  fs.writeFileSync(
    path.join(s.dir, "Pulumi.yaml"),
    pluginYaml(
      "partnercenter-import",
      customers.map((c) => ({ ...c, protect: true })),
    ),
  );
  const preview = await s.pulumi(["preview", "--expect-no-changes"]);
  expect(preview.code).toBe(0);
  expect(writes()).toEqual([]);
});

test("migrate-to-plugin.sh: three customers move from the dynamic provider to the plugin; no write, and a YAML program then has no change", async () => {
  const customers = [
    { name: "contoso", customerId: ID.clean, protect: true },
    { name: "northwind", customerId: ID.inactiveOnly },
    { name: "fabrikam", customerId: ID.activeSubscriptions },
  ];
  const s = await dynamicStack(customers);
  expect((await s.resources(DYNAMIC_RR)).length).toBe(3);
  const before = await s.stateText();
  expect(before).toMatch(/__provider/);

  suite.emulator.reset();
  // The new program (same project) is in place: the script finds the plugin through its Pulumi.yaml.
  fs.writeFileSync(path.join(s.dir, "Pulumi.yaml"), pluginYaml("ppc-cli-test", customers));
  const script = path.join(ROOT, "scripts/migrate-to-plugin.sh");
  const dry = await run("bash", [script, "--dry-run", "--backup", "dry.json"], { cwd: s.dir, env: s.env });
  expect(dry.code).toBe(0);
  expect(dry.out).toMatch(/3 ResellerRelationship\(s\) to move \(1 protected\)/);
  expect((await s.resources(DYNAMIC_RR)).length).toBe(3);

  const r = await run("bash", [script, "--backup", "backup.json"], { cwd: s.dir, env: s.env });
  expect(r.code).toBe(0);
  expect(writes()).toEqual([]);
  expect(JSON.parse(fs.readFileSync(path.join(s.dir, "backup.json"), "utf8"))).toEqual(JSON.parse(before));

  expect(await s.resources(DYNAMIC_RR)).toEqual([]);
  const moved = await s.resources(RR);
  expect(
    moved.map((m) => [m.urn.split("::").at(-1), m.id, Boolean((m as { protect?: boolean }).protect)]).sort(),
  ).toEqual(customers.map((c) => [c.name, c.customerId, c.protect === true]).sort());
  const after = await s.stateText();
  expect(after).not.toMatch(/__provider|pulumi:providers:pulumi-nodejs/);

  const preview = await s.pulumi(["preview", "--expect-no-changes"]);
  expect(preview.code).toBe(0);
  await s.ok(["refresh", "--yes"]);
  expect(writes()).toEqual([]);
  // State per customer now holds no code.
  expect(Buffer.byteLength(after) < Buffer.byteLength(before) / 2).toBe(true);
});

test("migrate-to-plugin.sh refuses, changing nothing, when another resource depends on a relationship", async () => {
  const customers = [
    { name: "contoso", customerId: ID.clean },
    { name: "northwind", customerId: ID.inactiveOnly, dependsOn: ["contoso"] },
  ];
  const s = await dynamicStack(customers);
  const before = await s.stateText();
  // northwind depends on contoso, but both move. A resource that stays on the dynamic provider (as GDAP
  // resources do) and depends on contoso blocks the move.
  const state = JSON.parse(before);
  const contoso = state.deployment.resources.find((x: { urn: string }) => x.urn.endsWith("::contoso"));
  const gdap = "pulumi-nodejs:dynamic/partnercenter:DelegatedAdminRelationship";
  state.deployment.resources.push({
    ...contoso,
    urn: contoso.urn.replace(`${DYNAMIC_RR}::contoso`, `${gdap}::keeper`),
    type: gdap,
    id: "keeper-relationship-id",
    dependencies: [contoso.urn],
  });
  fs.writeFileSync(path.join(s.dir, "edited.json"), JSON.stringify(state));
  await s.ok(["stack", "import", "--file", "edited.json"]);
  const edited = await s.stateText();
  const r = await run("bash", [path.join(ROOT, "scripts/migrate-to-plugin.sh"), "--backup", "b.json"], {
    cwd: s.dir,
    env: s.env,
  });
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/cannot move: .*keeper\n\s+depends on .*::contoso/);
  expect(r.out).toMatch(/nothing changed/);
  expect(await s.stateText()).toBe(edited);
});
