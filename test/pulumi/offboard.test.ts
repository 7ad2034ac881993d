/**
 * The pipelines' offboard.sh through the real Pulumi CLI, on a stack where a customer has both a
 * DelegatedAdminRelationship (written to the state first, as in the normal onboarding flow) and a
 * ResellerRelationship: the id names the customer, and only its ResellerRelationship is destroyed.
 * `npm run test:pulumi`; not part of `npm test`.
 */
import { SAMPLE_CUSTOMERS as ID, startEmulator, type Emulator } from "pulumi-partner-center-emulator";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, TYPE } from "../support/host";
import { cliEnv, projectFiles, run, Stack } from "../support/pulumi";
import { RELATIONSHIP_TYPE } from "../gdap/helpers";
import type { Declared } from "./gdap-program/index";
import { pipelineEnv } from "./pipeline-env";

const HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

let emulator: Emulator;
const stacks: Stack[] = [];
beforeAll(async () => void (emulator = await startEmulator({ throttle: false })));
afterAll(async () => {
  for (const s of stacks) s.remove();
  await emulator.close();
});

const admin = (name: string, customerId: string) => ({
  name,
  customerId,
  displayName: `${name} - helpdesk`,
  duration: "P180D",
  roles: [HELPDESK_ADMIN],
});

test("offboard.sh <id> destroys only the customer's ResellerRelationship; an id with none fails and changes nothing", async () => {
  // Contoso: GDAP first, then its reseller relationship. Adatum: GDAP only.
  const admins = [admin("contoso-admin", ID.clean), admin("adatum-admin", ID.legacyReservedInstance)];
  const s = await Stack.create(cliEnv(), {
    files: projectFiles(path.join(__dirname, "gdap-program")),
    emulatorUrl: emulator.url,
    config: {
      "partnercenter:graphEndpoint": emulator.url,
      gdap: JSON.stringify({ admins } satisfies Declared),
    },
  });
  stacks.push(s);
  const ok = async (args: string[]) => {
    const r = await s.pulumi(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.out}`);
  };
  await ok(["up", "--yes", "--skip-preview"]);
  const resellers = [
    { name: "contoso", customerId: ID.clean },
    { name: "northwind", customerId: ID.inactiveOnly },
  ];
  await ok(["config", "set", "gdap", JSON.stringify({ admins, resellers } satisfies Declared)]);
  await ok(["up", "--yes", "--skip-preview"]);

  // The state as the normal onboarding flow leaves it: the customer's GDAP resource before its reseller one
  // (the reseller create fails with the invitation link while the GDAP one is written). The engine's own order
  // here depends on which registration finished first, so the state is reordered (no dependency between them).
  const exported = JSON.parse(await s.stateText()) as {
    deployment: { resources: { type: string; outputs?: { customerId?: string } }[] };
  };
  const res = exported.deployment.resources;
  const gdapFirst = [
    ...res.filter((r) => r.type !== TYPE && r.type !== RELATIONSHIP_TYPE),
    ...res.filter((r) => r.type === RELATIONSHIP_TYPE),
    ...res.filter((r) => r.type === TYPE),
  ];
  exported.deployment.resources = gdapFirst;
  const file = path.join(s.dir, "reordered.json");
  fs.writeFileSync(file, JSON.stringify(exported));
  await ok(["stack", "import", "--file", file]);

  const all = async () => [...(await s.resources(RELATIONSHIP_TYPE)), ...(await s.resources(TYPE))];
  const before = await all();
  // The state as in the normal onboarding flow: the GDAP resource comes before the reseller one.
  const order = JSON.parse(await s.stateText()).deployment.resources as {
    type: string;
    outputs?: { customerId?: string };
  }[];
  const contosoTypes = order.filter((r) => r.outputs?.customerId === ID.clean).map((r) => r.type);
  expect(contosoTypes).toEqual([RELATIONSHIP_TYPE, TYPE]);
  const gdapStatus = async () =>
    ((await (await fetch(`${emulator.url}/_emulator/gdap`)).json()) as { status: string }[]).map(
      (r) => r.status,
    );
  const statusBefore = await gdapStatus();
  expect(statusBefore).toHaveLength(2);

  const ci = pipelineEnv(s, emulator.url);
  const offboard = (...ids: string[]) =>
    run("bash", [path.join(ROOT, "examples/pipelines/offboard.sh"), ...ids], { cwd: s.dir, env: ci });
  const urns = async () => (await all()).map((r) => r.urn).sort();

  // A customer with only a DelegatedAdminRelationship, and one not in the stack at all: refused, nothing changed.
  const writesBefore = emulator.requests().filter((r) => r.method !== "GET").length;
  for (const id of [ID.legacyReservedInstance, ID.reservedInstance]) {
    const r = await offboard(id);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `customer ${id} is not in this stack (no ResellerRelationship has that customerId)`,
    );
    expect(r.out).not.toMatch(/Destroying|deleting/);
  }
  expect(await urns()).toEqual(before.map((r) => r.urn).sort());
  expect(emulator.requests().filter((r) => r.method !== "GET").length).toBe(writesBefore);
  expect(await gdapStatus()).toEqual(statusBefore);

  // Contoso: only its ResellerRelationship goes; its admin relationship stays, in the stack and in Graph.
  const r = await offboard(ID.clean);
  expect(r.code).toBe(0);
  const after = await all();
  expect(after.filter((x) => x.outputs?.customerId === ID.clean).map((x) => x.type)).toEqual([
    RELATIONSHIP_TYPE,
  ]);
  expect(after).toHaveLength(before.length - 1);
  expect(emulator.state().customers.find((c) => c.id === ID.clean)?.relationshipToPartner).toBe("none");
  expect(emulator.state().customers.find((c) => c.id === ID.inactiveOnly)?.relationshipToPartner).toBe(
    "reseller",
  );
  expect(await gdapStatus()).toEqual(statusBefore);
});
