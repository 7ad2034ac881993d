/**
 * The provider plugin `pulumi-resource-partnercenter` under the real Pulumi CLI, from Pulumi YAML programs
 * (pulumi-language-yaml, built by scripts/pulumi-cli.sh), against emulators on loopback.
 */
import { SAMPLE_CUSTOMERS as ID, startEmulator, type Emulator } from "pulumi-partner-center-emulator";
import * as path from "node:path";
import { PARTNER_TENANT_ID, ROOT } from "../support/host";
import { cliSuite, Stack } from "../support/pulumi";

const RR = "partnercenter:index:ResellerRelationship";
const PLUGIN_DIR = path.join(ROOT, "provider", "bin");

const suite = cliSuite();

/** A Pulumi YAML project using the plugin from this workspace. */
function project(body: string): string {
  return [
    "name: partnercenter-yaml",
    "runtime: yaml",
    "plugins:",
    "  providers:",
    "    - name: partnercenter",
    `      path: ${PLUGIN_DIR}`,
    body,
  ].join("\n");
}

async function yamlStack(body: string, emulatorUrl = suite.emulator.url): Promise<Stack> {
  const s = await Stack.create(suite.env, { files: { "Pulumi.yaml": project(body) }, emulatorUrl });
  suite.stacks.push(s);
  return s;
}

const writes = (e: Emulator = suite.emulator) => e.requests().filter((r) => r.method !== "GET");
const relationshipOf = (id: string, e: Emulator = suite.emulator) =>
  e.state().customers.find((c) => c.id === id)?.relationshipToPartner;

test("YAML: up adopts, refresh reads readiness, destroy --target removes only the named customer", async () => {
  const s = await yamlStack(
    [
      "resources:",
      "  contoso:",
      `    type: ${RR}`,
      "    properties:",
      `      customerId: ${ID.clean.toUpperCase()}`,
      "  northwind:",
      `    type: ${RR}`,
      "    properties:",
      `      customerId: ${ID.inactiveOnly}`,
      "variables:",
      "  invitation:",
      "    fn::invoke:",
      "      function: partnercenter:index:getResellerInvitationUrl",
      "      arguments: {}",
      "outputs:",
      "  contosoName: ${contoso.companyName}",
      "  invitationUrl: ${invitation.url}",
    ].join("\n"),
  );
  const up = await s.ok(["up", "--yes"]);
  expect(up).toMatch(/3 created/); // the stack and two relationships
  // The provider's log lines reach the engine (the plugin logs through the engine address it is started with).
  expect(up).toMatch(/adopted the reseller relationship with Contoso Clean Ltd/);
  expect(writes()).toEqual([]);
  const outputs = JSON.parse(await s.ok(["stack", "output", "--json"]));
  expect(outputs.contosoName).toBe("Contoso Clean Ltd");
  expect(outputs.invitationUrl).toMatch(/^https:\/\//);

  let state = await s.resources(RR);
  expect(state.map((r) => r.id).sort()).toEqual([ID.clean, ID.inactiveOnly].sort());
  // No code in state: the provider is a plugin with a version, not a serialized closure.
  expect(JSON.stringify(state)).not.toMatch(/__provider/);

  await s.ok(["refresh", "--yes"]);
  state = await s.resources(RR);
  expect(state.find((r) => r.id === ID.clean)?.outputs).toMatchObject({
    removable: true,
    removalBlockers: [],
  });
  expect(writes()).toEqual([]);

  const contoso = state.find((r) => r.id === ID.clean)!.urn;
  await s.ok(["destroy", "--yes", "--target", contoso]);
  expect(relationshipOf(ID.clean)).toBe("none");
  expect(relationshipOf(ID.inactiveOnly)).toBe("reseller");
  expect((await s.resources(RR)).map((r) => r.id)).toEqual([ID.inactiveOnly]);
});

test("pulumi import adopts a customer by its id with no write", async () => {
  const s = await yamlStack("resources: {}");
  suite.emulator.reset();
  const r = await s.pulumi(["import", RR, "contoso", ID.clean, "--yes"]);
  expect(r.code).toBe(0);
  const [imported] = await s.resources(RR);
  expect(imported).toMatchObject({
    id: ID.clean,
    outputs: { customerId: ID.clean, relationshipToPartner: "reseller" },
  });
  expect(suite.emulator.requests().length).toBeGreaterThan(0);
  expect(writes()).toEqual([]);
  // A customer that is no reseller customer is not found, and nothing is written either.
  const missing = await s.pulumi(["import", RR, "woodgrove", ID.noRelationship, "--yes"]);
  expect(missing.code).not.toBe(0);
  expect(writes()).toEqual([]);
});

test("CheckConfig: a typo in partnercenter: config fails the preview and names the closest key", async () => {
  const s = await yamlStack(
    ["resources:", "  contoso:", `    type: ${RR}`, "    properties:", `      customerId: ${ID.clean}`].join(
      "\n",
    ),
  );
  await s.ok(["config", "set", "partnercenter:maxConcurency", "4"]);
  const r = await s.pulumi(["preview"]);
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/did you mean partnercenter:maxConcurrency\?/);
  expect(suite.emulator.requests()).toEqual([]);
});

test("rotated config: up records it without replacing anything; refresh without --run-program uses what up stored", async () => {
  const other = await startEmulator({ throttle: false });
  try {
    const s = await yamlStack(
      [
        "resources:",
        "  contoso:",
        `    type: ${RR}`,
        "    properties:",
        `      customerId: ${ID.clean}`,
      ].join("\n"),
    );
    await s.ok(["up", "--yes"]);
    // The partner moves to other endpoints (as a credential rotation changes stack config).
    await s.ok(["config", "set", "partnercenter:endpoint", other.url]);
    await s.ok(["config", "set", "partnercenter:authority", other.url]);
    suite.emulator.reset();
    // Without --run-program the engine configures the provider from the inputs stored at the last up.
    await s.ok(["refresh", "--yes"]);
    expect(suite.emulator.requests().length).toBeGreaterThan(0);
    expect(other.requests()).toEqual([]);
    // DiffConfig reports the change but never a replacement: up updates the provider only.
    const up = await s.ok(["up", "--yes"]);
    expect(up).not.toMatch(/replace/);
    expect(writes(other)).toEqual([]);
    suite.emulator.reset();
    await s.ok(["refresh", "--yes"]);
    expect(suite.emulator.requests()).toEqual([]);
    expect(other.requests().some((r) => r.path.toLowerCase().includes(ID.clean))).toBe(true);
    expect((await s.resources(RR)).map((r) => r.id)).toEqual([ID.clean]);
  } finally {
    await other.close();
  }
});

test("two partner tenants in one program: each resource goes to its own explicit provider", async () => {
  const other = await startEmulator({ throttle: false });
  try {
    const provider = (url: string) =>
      [
        "    type: pulumi:providers:partnercenter",
        "    properties:",
        `      endpoint: ${url}`,
        `      authority: ${url}`,
        `      tenantId: ${PARTNER_TENANT_ID}`,
        "      clientId: local-client",
        "      clientSecret:",
        "        fn::secret: other-client-secret",
        "      refreshToken:",
        "        fn::secret: other-refresh-token",
        "      allowLoopbackWithCredentials: true",
      ].join("\n");
    const s = await yamlStack(
      [
        "resources:",
        "  tenantA:",
        provider(suite.emulator.url),
        "  tenantB:",
        provider(other.url),
        "  a:",
        `    type: ${RR}`,
        "    properties:",
        `      customerId: ${ID.clean}`,
        "    options:",
        "      provider: ${tenantA}",
        "  b:",
        `    type: ${RR}`,
        "    properties:",
        `      customerId: ${ID.inactiveOnly}`,
        "    options:",
        "      provider: ${tenantB}",
      ].join("\n"),
    );
    await s.ok(["up", "--yes"]);
    const paths = (e: Emulator) => e.requests().map((r) => r.path.toLowerCase());
    expect(paths(suite.emulator).some((p) => p.includes(ID.clean))).toBe(true);
    expect(paths(suite.emulator).some((p) => p.includes(ID.inactiveOnly))).toBe(false);
    expect(paths(other).some((p) => p.includes(ID.inactiveOnly))).toBe(true);
    expect(paths(other).some((p) => p.includes(ID.clean))).toBe(false);
    // The providers' secrets are stored encrypted, never in clear.
    expect(await s.stateText()).not.toMatch(/other-client-secret|other-refresh-token/);

    await s.ok(["destroy", "--yes"]);
    expect(relationshipOf(ID.clean)).toBe("none");
    expect(relationshipOf(ID.inactiveOnly, other)).toBe("none");
    expect(relationshipOf(ID.inactiveOnly)).toBe("reseller");
  } finally {
    await other.close();
  }
});
