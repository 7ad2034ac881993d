/**
 * The estate flow through the real Pulumi CLI, against the emulator on loopback: `partner-center estate export`,
 * `pulumi up` adopting everything without a write, `estate plan` with nothing to do, then a pull request marking
 * one customer `state: offboard`, `estate unprotect`, and the `pulumi up` that removes exactly that one. An
 * entry deleted from the file offboards no one. A blocked offboarding keeps the customer's GDAP access.
 * `npm run test:pulumi`; not part of `npm test`.
 */
import { SAMPLE_CUSTOMERS as ID } from "pulumi-partner-center-emulator";
import * as fs from "node:fs";
import * as path from "node:path";
import { PARTNER_TENANT_ID, ROOT, TYPE } from "../support/host";
import { cliSuite, projectFiles, run, Stack } from "../support/pulumi";
import { ACCESS_TYPE, RELATIONSHIP_TYPE } from "../gdap/helpers";
import { pipelineEnv } from "./pipeline-env";

const HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const GROUP = "869713c9-0b28-4d08-8949-ae07ae1bf528";
const CLI = path.join(ROOT, "provider/dist/cli/estate.js");

const suite = cliSuite();

interface Entry {
  name: string;
  customerId: string;
  state?: string;
  adminRelationships?: unknown[];
}
interface EstateDoc {
  version: 1;
  customers: Entry[];
}

/** A stack of the estate program over `<stack dir>/estate.json`. */
async function stack(): Promise<{ s: Stack; file: string }> {
  const s = await Stack.create(suite.env, {
    files: projectFiles(path.join(__dirname, "estate-program")),
    emulatorUrl: suite.emulator.url,
    config: { "partnercenter:graphEndpoint": suite.emulator.url },
  });
  suite.stacks.push(s);
  const file = path.join(s.dir, "estate.json");
  await s.ok(["config", "set", "estateFile", file]);
  return { s, file };
}

/** `partner-center estate ...` in the stack's folder: the Pulumi CLI on PATH, settings from the environment. */
const estate = (s: Stack, args: string[]) =>
  run(process.execPath, [CLI, ...args], {
    cwd: s.dir,
    env: {
      ...s.env,
      PARTNER_CENTER_ENDPOINT: suite.emulator.url,
      PARTNER_CENTER_AUTHORITY: suite.emulator.url,
      PARTNER_CENTER_GRAPH_ENDPOINT: suite.emulator.url,
      PARTNER_CENTER_TENANT_ID: PARTNER_TENANT_ID,
      PARTNER_CENTER_CLIENT_ID: "local-client",
      PARTNER_CENTER_CLIENT_SECRET: "local-client-secret",
      PARTNER_CENTER_REFRESH_TOKEN: "local-refresh-token",
      PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: "true",
    },
  });

/** Requests that change something (Partner Center or Graph), from the emulator's request log, after `from`. */
async function writesSince(from: number): Promise<string[]> {
  const r = await fetch(`${suite.emulator.url}/_emulator/requests`);
  const log = (await r.json()) as { method: string; path: string }[];
  return log
    .slice(from)
    .filter((x) => ["POST", "PATCH", "PUT", "DELETE"].includes(x.method))
    .map((x) => `${x.method} ${x.path}`);
}
const logLength = async () =>
  ((await (await fetch(`${suite.emulator.url}/_emulator/requests`)).json()) as []).length;

const read = (f: string) => JSON.parse(fs.readFileSync(f, "utf8")) as EstateDoc;
const write = (f: string, doc: EstateDoc) => fs.writeFileSync(f, JSON.stringify(doc, null, 2));
const relationshipOf = (id: string) =>
  suite.emulator.state().customers.find((c) => c.id === id)?.relationshipToPartner;

test("export, up with zero writes, plan: nothing to do, offboard one by pull request, unprotect, up removes exactly it", async () => {
  const { s, file } = await stack();

  // export: every reseller customer of the partner, protected by default.
  const exported = await estate(s, ["export", "--out", file]);
  expect(exported.code).toBe(0);
  const doc = read(file);
  const byId = new Map(doc.customers.map((c) => [c.customerId, c.name]));
  const contoso = byId.get(ID.clean) as string;
  const northwind = byId.get(ID.inactiveOnly) as string;
  expect(contoso).toBeDefined();
  expect(northwind).toBeDefined();

  // up adopts every customer by reads alone.
  let at = await logLength();
  await s.ok(["up", "--yes", "--skip-preview"]);
  expect(await writesSince(at)).toEqual([]);
  const held = await s.resources(TYPE);
  expect(held.map((r) => r.id).sort()).toEqual([...byId.keys()].sort());
  expect(held.every((r) => (r as { protect?: boolean }).protect === true)).toBe(true);
  // Everyone is a reseller customer: no invitation to send.
  expect(JSON.parse(await s.ok(["stack", "output", "invitationLinks", "--json"]))).toEqual({});

  // plan: nothing to do.
  const quiet = await estate(s, ["plan", "--estate", file]);
  expect(quiet).toEqual({ code: 0, out: expect.stringMatching(/^Nothing to do \(\d+ unchanged\)\./) });

  // offboard.sh (destroy --target, for stacks without an Estate) refuses an Estate's customer before any change.
  at = await logLength();
  const imperative = await run("bash", [path.join(ROOT, "examples/pipelines/offboard.sh"), ID.clean], {
    cwd: s.dir,
    env: { ...pipelineEnv(s, suite.emulator.url), STACK: "test" },
  });
  expect(imperative.code).toBe(1);
  expect(imperative.out).toMatch(/managed by the Estate component[\s\S]*"state": "offboard"/);
  expect(imperative.out).not.toMatch(/Destroying|deleting/);
  expect(await writesSince(at)).toEqual([]);

  // The pull request: Contoso is marked for offboarding. plan shows exactly that, and can go ahead (exit 0).
  write(file, {
    ...doc,
    customers: doc.customers.map((c) => (c.customerId === ID.clean ? { ...c, state: "offboard" } : c)),
  });
  const plan = await estate(s, ["plan", "--estate", file, "--json"]);
  expect(plan.code).toBe(0);
  const planned = JSON.parse(plan.out) as { customers: { name: string; action: string }[]; gdap: [] };
  expect(planned.customers).toEqual([
    expect.objectContaining({ name: contoso, action: "offboard", removable: true }),
  ]);
  expect(planned.gdap).toEqual([]);

  // unprotect lifts protection from Contoso's resources only; up removes it and no one else.
  const unprotect = await estate(s, ["unprotect", "--estate", file, "--json"]);
  expect(unprotect.code).toBe(0);
  expect(JSON.parse(unprotect.out).unprotected).toEqual([expect.stringMatching(new RegExp(`::${contoso}$`))]);
  at = await logLength();
  await s.ok(["up", "--yes", "--skip-preview"]);
  expect(await writesSince(at)).toEqual([`PATCH /v1/customers/${ID.clean}`]);
  expect(relationshipOf(ID.clean)).toBe("none");
  const left = await s.resources(TYPE);
  expect(left.map((r) => r.id).sort()).toEqual([...byId.keys()].filter((id) => id !== ID.clean).sort());
  expect(left.every((r) => (r as { protect?: boolean }).protect === true)).toBe(true);
  expect(JSON.parse(await s.ok(["stack", "output", "offboarded", "--json"]))).toEqual([contoso]);
  // Offboarded and gone: nothing more to do.
  expect((await estate(s, ["plan", "--estate", file])).code).toBe(0);

  // A bad merge drops Northwind's entry: plan says so (exit 1), and up fails without a write.
  write(file, {
    ...read(file),
    customers: read(file).customers.filter((c) => c.customerId !== ID.inactiveOnly),
  });
  const missing = await estate(s, ["plan", "--estate", file]);
  expect(missing.code).toBe(1);
  expect(missing.out).toMatch(new RegExp(`${northwind} .*not in the estate file`));
  at = await logLength();
  const refused = await s.pulumi(["up", "--yes", "--skip-preview"]);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toMatch(/protect/);
  expect(await writesSince(at)).toEqual([]);
  expect(relationshipOf(ID.inactiveOnly)).toBe("reseller");
  expect((await s.resources(TYPE)).find((r) => r.id === ID.inactiveOnly)).toMatchObject({ protect: true });

  // Northwind's entry is back, and a customer that is not a reseller customer yet is added: preview lists its
  // invitation link, by name.
  write(file, {
    ...doc,
    customers: [
      ...doc.customers.map((c) => (c.customerId === ID.clean ? { ...c, state: "offboard" } : c)),
      { name: "woodgrove", customerId: ID.noRelationship },
    ],
  });
  const preview = await s.pulumi(["preview"]);
  expect(preview.code).toBe(0);
  expect(preview.out).toMatch(
    /invitationLinks: {\n\s+\+? *woodgrove: "https:\/\/\S+invType=ResellerRelationship/,
  );
});

test("up.sh on merge: a blocked offboarding keeps the customer's GDAP access, and the others' removals still run", async () => {
  const { s, file } = await stack();
  const helpdesk = { displayName: "Adatum - helpdesk", duration: "P730D", roles: [HELPDESK_ADMIN] };
  // Adatum holds a reserved instance: its reseller relationship cannot be removed.
  const adatum: Entry = {
    name: "adatum",
    customerId: ID.legacyReservedInstance,
    adminRelationships: [helpdesk],
  };
  const contoso: Entry = { name: "contoso", customerId: ID.clean };
  write(file, { version: 1, customers: [adatum, contoso] });
  await s.ok(["up", "--yes", "--skip-preview"]);

  // The customer approves; the access assignment follows.
  const gdap = async () =>
    (
      (await (await fetch(`${suite.emulator.url}/_emulator/gdap`)).json()) as {
        id: string;
        status: string;
        assignments: { securityGroupId: string; status: string }[];
      }[]
    )[0];
  const rel = await gdap();
  expect(rel?.status).toBe("approvalPending");
  expect(
    (await fetch(`${suite.emulator.url}/_emulator/gdap/${rel!.id}/approve`, { method: "POST" })).status,
  ).toBe(200);
  const withAccess = {
    ...adatum,
    adminRelationships: [
      { ...helpdesk, accessAssignments: [{ securityGroupId: GROUP, roles: [HELPDESK_ADMIN] }] },
    ],
  };
  write(file, { version: 1, customers: [withAccess, contoso] });
  await s.ok(["up", "--yes", "--skip-preview"]);
  expect((await gdap())?.assignments).toEqual([expect.objectContaining({ securityGroupId: GROUP })]);

  // Adatum and Contoso are marked for offboarding: plan says Adatum is blocked, and would end its GDAP relationship.
  write(file, {
    version: 1,
    customers: [
      { ...withAccess, state: "offboard" },
      { ...contoso, state: "offboard" },
    ],
  });
  const plan = await estate(s, ["plan", "--estate", file]);
  expect(plan.code).toBe(1);
  expect(plan.out).toMatch(/adatum .*BLOCKED/);

  // The merge: the pipeline's up.sh (estate unprotect, then pulumi up --continue-on-error). Contoso is removed
  // although Adatum's removal is refused, and nothing of Adatum's admin access ends; the step fails.
  const at = await logLength();
  const up = await run("bash", [path.join(ROOT, "examples/pipelines/up.sh")], {
    cwd: s.dir,
    env: { ...pipelineEnv(s, suite.emulator.url), ESTATE_FILE: file },
  });
  expect(up.code).not.toBe(0);
  expect(up.out).toMatch(/Unprotected 4 resources of adatum, contoso/);
  expect(up.out).toMatch(/cannot be removed yet[\s\S]*reserved instance/i);
  expect(await writesSince(at)).toEqual([`PATCH /v1/customers/${ID.clean}`]);
  expect(relationshipOf(ID.clean)).toBe("none");
  expect(await gdap()).toMatchObject({
    status: "active",
    assignments: [
      expect.objectContaining({ securityGroupId: GROUP, status: expect.not.stringMatching(/delet/) }),
    ],
  });
  expect(relationshipOf(ID.legacyReservedInstance)).toBe("reseller");
  expect(await s.resources(RELATIONSHIP_TYPE)).toHaveLength(1);
  expect(await s.resources(ACCESS_TYPE)).toHaveLength(1);
  expect((await s.resources(TYPE)).map((r) => r.id)).toEqual([ID.legacyReservedInstance]);
});
