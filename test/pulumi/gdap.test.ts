/**
 * GDAP through the real Pulumi CLI, against the emulator on loopback (Partner Center and the Graph
 * GDAP routes): one stack, moved through a delegated admin relationship's life by changing its config. The
 * customer's approval is played through the emulator's admin API (`POST /_emulator/gdap/{id}/approve`), and
 * Graph's side is read back through `GET /_emulator/gdap`. The provider host level is in test/host/gdap.test.ts.
 * `npm run test:pulumi`; not part of `npm test`.
 */
import { SAMPLE_CUSTOMERS as ID, startEmulator, type Emulator } from "pulumi-partner-center-emulator";
import * as path from "node:path";
import { TYPE } from "../support/host";
import { cliEnv, projectFiles, Stack } from "../support/pulumi";
import { ACCESS_TYPE, RELATIONSHIP_TYPE } from "../gdap/helpers";
import type { Declared } from "./gdap-program/index";
import { establishRelationship } from "../../provider/src/gdap/relationships";
import { GraphClient } from "../../provider/src/gdap/graph";
import { PartnerCenterClient } from "../../provider/src/client";
import { loadSettings } from "../../provider/src/settings";

// Unified role definition ids (Microsoft Entra built-in roles).
const EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const GROUP = "869713c9-0b28-4d08-8949-ae07ae1bf528";
const CLIENT_SECRET = "gdap-cli-client-secret-5b7d";
const REFRESH_TOKEN = "gdap-cli-refresh-token-c31e";

let emulator: Emulator;
let stack: Stack | undefined;
let second: Stack | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ throttle: false });
});
afterAll(async () => {
  await emulator.close();
  stack?.remove();
  second?.remove();
});

interface GdapState {
  id: string;
  displayName: string;
  status: string;
  customer: { tenantId: string };
  assignments: { securityGroupId: string; status: string }[];
}

/** Graph's side, through the emulator's admin API. */
async function gdap(): Promise<GdapState[]> {
  const r = await fetch(`${emulator.url}/_emulator/gdap`);
  expect(r.status).toBe(200);
  return (await r.json()) as GdapState[];
}
const byName = async (displayName: string) => (await gdap()).find((r) => r.displayName === displayName);

/** Requests that change something (Partner Center or Graph; the token endpoint is not in the log). */
const writes = () => emulator.requests().filter((r) => r.method !== "GET");

const CONTOSO: NonNullable<Declared["admins"]>[number] & { displayName: string } = {
  name: "contoso-admin",
  customerId: ID.clean,
  displayName: "Contoso - helpdesk",
  duration: "P730D",
  roles: [EXCHANGE_ADMIN, HELPDESK_ADMIN],
};
const NORTHWIND: NonNullable<Declared["admins"]>[number] & { displayName: string } = {
  name: "northwind-admin",
  customerId: ID.inactiveOnly,
  displayName: "Northwind - helpdesk",
  duration: "P180D",
  roles: [HELPDESK_ADMIN],
};

test("up locks for approval, refresh sees the approval, a roles change keeping an explicit displayName is refused in preview, offboarding and destroy terminate", async () => {
  const s = (stack = await Stack.create(cliEnv(), {
    files: projectFiles(path.join(__dirname, "gdap-program")),
    emulatorUrl: emulator.url,
    config: {
      "partnercenter:graphEndpoint": emulator.url,
      gdap: JSON.stringify({ admins: [CONTOSO, NORTHWIND] } satisfies Declared),
    },
    secrets: { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
  }));
  const declare = (d: Declared) => s.ok(["config", "set", "gdap", JSON.stringify(d)]);
  const state = async (type: string) => (await s.resources(type)).map((r) => r.outputs ?? {});
  let printed = "";
  const cmd = async (args: string[]) => {
    const r = await s.pulumi(args);
    printed += r.out;
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.out}`);
    return r.out;
  };

  // 1. up: each relationship is created and locked for approval; the approval links are stack outputs.
  await cmd(["up", "--yes", "--skip-preview"]);
  const contoso = await byName(CONTOSO.displayName);
  const northwind = await byName(NORTHWIND.displayName);
  expect(contoso).toMatchObject({ status: "approvalPending", customer: { tenantId: ID.clean } });
  expect(northwind).toMatchObject({ status: "approvalPending", customer: { tenantId: ID.inactiveOnly } });
  const outputs = await cmd(["stack", "output", "approvalUrls", "--json"]);
  const links = JSON.parse(outputs) as Record<string, string>;
  const portal =
    "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/";
  expect(links).toEqual({ "contoso-admin": portal + contoso!.id, "northwind-admin": portal + northwind!.id });

  // 2. The customers approve; refresh shows both active. Then an access assignment is created in Contoso's.
  for (const r of [contoso!, northwind!]) {
    const approved = await fetch(`${emulator.url}/_emulator/gdap/${r.id}/approve`, { method: "POST" });
    expect(approved.status).toBe(200);
  }
  await cmd(["refresh", "--yes", "--skip-preview"]);
  expect((await state(RELATIONSHIP_TYPE)).map((o) => o.status)).toEqual(["active", "active"]);
  const helpdesk = { name: "helpdesk", admin: CONTOSO.name, securityGroupId: GROUP, roles: [HELPDESK_ADMIN] };
  await declare({ admins: [CONTOSO, NORTHWIND], assignments: [helpdesk] });
  await cmd(["up", "--yes", "--skip-preview"]);
  expect(await state(ACCESS_TYPE)).toEqual([
    expect.objectContaining({ relationshipId: contoso!.id, securityGroupId: GROUP, roles: [HELPDESK_ADMIN] }),
  ]);
  expect((await byName(CONTOSO.displayName))?.assignments).toEqual([
    expect.objectContaining({ securityGroupId: GROUP, roles: [HELPDESK_ADMIN] }),
  ]);

  // 3. Roles are fixed once approved. The replacement could not keep the explicit displayName (names are unique
  // across all relationships, ended ones included): preview refuses it, naming the field and the fix, and sends
  // Graph nothing but reads.
  await declare({ admins: [{ ...CONTOSO, roles: [EXCHANGE_ADMIN] }, NORTHWIND], assignments: [helpdesk] });
  const before = writes().length;
  const refused = await s.pulumi(["preview", "--diff"]);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toMatch(/successor cannot keep displayName "Contoso - helpdesk"/);
  expect(refused.out).toMatch(/Remove displayName from the resource/);
  expect(writes().length).toBe(before);
  expect((await byName(CONTOSO.displayName))?.status).toBe("active");
  await declare({ admins: [CONTOSO, NORTHWIND], assignments: [helpdesk] });

  // 4. Offboarding Northwind: its reseller relationship opts in, then is destroyed alone (--target). The
  // relationship goes to `none` and the customer's GDAP relationship is terminated.
  const reseller = {
    name: "northwind",
    customerId: ID.inactiveOnly,
    terminateAdminRelationshipsOnRemoval: true,
  };
  await declare({ admins: [CONTOSO, NORTHWIND], assignments: [helpdesk], resellers: [reseller] });
  await cmd(["up", "--yes", "--skip-preview"]);
  // Refresh reports the customer's admin access on the reseller relationship.
  const [adopted] = await s.resources(TYPE);
  await cmd(["refresh", "--yes", "--skip-preview", "--target", adopted!.urn]);
  expect((await s.resources(TYPE))[0]?.outputs?.adminRelationships).toEqual([
    expect.objectContaining({ id: northwind!.id, status: "active" }),
  ]);
  const offboard = await cmd(["destroy", "--yes", "--skip-preview", "--target", adopted!.urn]);
  expect(offboard).toContain("admin access is over");
  const customer = emulator.state().customers.find((c) => c.id === ID.inactiveOnly);
  expect(customer?.relationshipToPartner).toBe("none");
  expect((await byName(NORTHWIND.displayName))?.status).toMatch(/^(terminationRequested|terminated)$/);
  expect((await byName(CONTOSO.displayName))?.status).toBe("active"); // another customer: untouched
  expect(await s.resources(TYPE)).toEqual([]);

  const text = await s.stateText();

  // 5. destroy: the assignment is deleted, then Contoso's relationship terminated; Northwind's, already ended,
  // is only read. The stack is empty.
  const assignmentId = (await state(ACCESS_TYPE))[0]?.assignmentId;
  const at = emulator.requests().length;
  await cmd(["destroy", "--yes", "--skip-preview"]);
  const relationships = "/v1.0/tenantRelationships/delegatedAdminRelationships";
  expect(
    emulator
      .requests()
      .slice(at)
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path}`),
  ).toEqual([
    `DELETE ${relationships}/${contoso!.id}/accessAssignments/${String(assignmentId)}`,
    `POST ${relationships}/${contoso!.id}/requests`,
  ]);
  expect((await byName(CONTOSO.displayName))?.status).toMatch(/^(terminationRequested|terminated)$/);
  expect((await byName(NORTHWIND.displayName))?.status).toMatch(/^(terminationRequested|terminated)$/);
  expect(await s.resources(RELATIONSHIP_TYPE)).toEqual([]);
  expect(await s.resources(ACCESS_TYPE)).toEqual([]);

  // No credential in clear in the state (read before the destroy emptied it) or in anything the CLI printed.
  for (const secret of [CLIENT_SECRET, REFRESH_TOKEN, ...emulator.state().issuedTokens]) {
    expect(text).not.toContain(secret);
    expect(printed).not.toContain(secret);
  }
});

test("an autonamed relationship: autoExtendDuration updates in place; a roles change and an ended relationship are replaced, the successor created first under a new name, the pause warned in preview", async () => {
  const s = (stack = await Stack.create(cliEnv(), {
    files: projectFiles(path.join(__dirname, "gdap-program")),
    emulatorUrl: emulator.url,
    config: {
      "partnercenter:graphEndpoint": emulator.url,
      gdap: JSON.stringify({ admins: [] } satisfies Declared),
    },
    secrets: { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
  }));
  const declare = (d: Declared) => s.ok(["config", "set", "gdap", JSON.stringify(d)]);
  const cmd = async (args: string[]) => {
    const r = await s.pulumi(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.out}`);
    return r.out;
  };
  const outputs = async () => (await s.resources(RELATIONSHIP_TYPE)).map((r) => r.outputs ?? {});
  const approve = async (id: string) =>
    expect((await fetch(`${emulator.url}/_emulator/gdap/${id}/approve`, { method: "POST" })).status).toBe(
      200,
    );
  const FABRIKAM = {
    name: "fabrikam-admin",
    customerId: ID.clean,
    duration: "P2Y",
    roles: [EXCHANGE_ADMIN, HELPDESK_ADMIN],
  };

  // 1. No displayName: one is derived from the resource name; the customer approves.
  await declare({ admins: [FABRIKAM] });
  await cmd(["up", "--yes", "--skip-preview"]);
  const [first] = await outputs();
  expect(first).toMatchObject({ status: "approvalPending", duration: "P2Y" });
  expect(String(first!.displayName)).toMatch(/^fabrikam-admin-[0-9a-f]{7}$/);
  await approve(String(first!.relationshipId));
  await cmd(["refresh", "--yes", "--skip-preview"]);

  // 2. autoExtendDuration: an update in place (PATCH), the relationship stays active under the same id.
  await declare({ admins: [{ ...FABRIKAM, autoExtendDuration: "P180D" }] });
  const at = emulator.requests().length;
  await cmd(["up", "--yes", "--skip-preview"]);
  const graphWrites = () =>
    emulator
      .requests()
      .slice(at)
      .filter((r) => r.method !== "GET" && r.path.startsWith("/v1.0/"))
      .map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{73}/, "{id}")}`);
  expect(graphWrites()).toEqual(["PATCH /v1.0/tenantRelationships/delegatedAdminRelationships/{id}"]);
  expect((await outputs())[0]).toMatchObject({
    relationshipId: first!.relationshipId,
    status: "active",
    autoExtendDuration: "P180D",
  });

  // 3. A roles change: preview --diff shows the replace and warns that access pauses; up creates the successor
  // under a new name first, then terminates the old one.
  const narrowed = { ...FABRIKAM, autoExtendDuration: "P180D" as const, roles: [HELPDESK_ADMIN] };
  await declare({ admins: [narrowed] });
  const preview = await cmd(["preview", "--diff"]);
  expect(preview).toMatch(/\+-\S*:DelegatedAdminRelationship: \(replace\)/);
  expect(preview).toMatch(/admin access through it pauses until the customer approves the new one/);
  const before = emulator.requests().length;
  await cmd(["up", "--yes", "--skip-preview"]);
  const [second] = await outputs();
  expect(second!.relationshipId).not.toBe(first!.relationshipId);
  expect(second!.displayName).not.toBe(first!.displayName);
  expect(String(second!.displayName)).toMatch(/^fabrikam-admin-[0-9a-f]{7}$/);
  const order = emulator
    .requests()
    .slice(before)
    .filter((r) => r.method === "POST" && r.path.startsWith("/v1.0/"))
    .map((r) =>
      r.path.endsWith("/delegatedAdminRelationships")
        ? "create"
        : r.path.includes(String(first!.relationshipId))
          ? "end old"
          : "lock new",
    );
  expect(order).toEqual(["create", "lock new", "end old"]);
  const state = async () => (await gdap()).filter((r) => r.customer.tenantId === ID.clean);
  expect((await state()).map((r) => [r.id, r.status])).toEqual(
    expect.arrayContaining([
      [first!.relationshipId, expect.stringMatching(/^(terminationRequested|terminated)$/)],
      [second!.relationshipId, "approvalPending"],
    ]),
  );

  // 4. The successor is approved, then ended outside Pulumi: refresh shows it, up replaces it under a new name.
  await approve(String(second!.relationshipId));
  const ended = await fetch(`${emulator.url}/_emulator/gdap/${String(second!.relationshipId)}/status`, {
    method: "POST",
    body: JSON.stringify({ status: "terminated" }),
  });
  expect(ended.status).toBe(200);
  await cmd(["refresh", "--yes", "--skip-preview"]);
  expect((await outputs())[0]).toMatchObject({ status: "terminated" });
  const again = await cmd(["preview", "--diff"]);
  expect(again).toMatch(/pauses until the customer approves/);
  await cmd(["up", "--yes", "--skip-preview"]);
  const [third] = await outputs();
  expect(third).toMatchObject({ status: "approvalPending", roles: [HELPDESK_ADMIN] });
  expect(new Set([first!.displayName, second!.displayName, third!.displayName]).size).toBe(3);

  // 5. destroy: the pending successor cannot be ended by Graph; it is left to expire, and said so.
  const destroyed = await cmd(["destroy", "--yes", "--skip-preview"]);
  expect(destroyed).toMatch(/expires on its own/);
  expect(await s.resources(RELATIONSHIP_TYPE)).toEqual([]);
});

test("a GDAP step that failed at destroy is not forgotten by refresh: the next destroy ends the admin access", async () => {
  emulator.reset();
  const customerId = ID.clean;
  const reseller = { name: "contoso", customerId, terminateAdminRelationshipsOnRemoval: true };
  const s = (second = await Stack.create(cliEnv(), {
    files: projectFiles(path.join(__dirname, "gdap-program")),
    emulatorUrl: emulator.url,
    config: {
      "partnercenter:graphEndpoint": emulator.url,
      gdap: JSON.stringify({ resellers: [reseller] } satisfies Declared),
    },
    secrets: { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
  }));
  await s.ok(["up", "--yes", "--skip-preview"]);

  // The customer's admin relationship, made outside this stack (by hand, or another tool), approved.
  const pc = new PartnerCenterClient(
    loadSettings(
      {
        endpoint: emulator.url,
        authority: emulator.url,
        tenantId: "0a0a0a0a-0000-4000-8000-00000000000a",
        clientId: "by-hand",
        refreshToken: REFRESH_TOKEN,
        allowLoopbackWithCredentials: "true",
      },
      {},
    ),
  );
  try {
    const graph = new GraphClient(pc, emulator.url);
    const rel = await establishRelationship(
      graph,
      { displayName: "Contoso - by hand", customerId, duration: "P730D", roles: [HELPDESK_ADMIN] },
      { pollIntervalMs: 5 },
    );
    emulator.gdap.approve(rel.id);
  } finally {
    await pc.close();
  }
  const admin = (await byName("Contoso - by hand"))!;

  // destroy: the reseller relationship is removed, then Graph answers 503 to the terminate, every retry.
  emulator.addFault({
    kind: "status",
    status: 503,
    match: { method: "POST", path: "/requests" },
    always: true,
  });
  const failed = await s.pulumi(["destroy", "--yes", "--skip-preview"]);
  emulator.clearFaults();
  expect(failed.code).not.toBe(0);
  // In Graph's words: its error code, not Partner Center's.
  expect(failed.out).toMatch(/Microsoft Graph error code serviceNotAvailable/);
  expect(failed.out).not.toMatch(/Partner Center code/);
  expect(emulator.state().customers.find((c) => c.id === customerId)?.relationshipToPartner).toBe("none");
  expect((await byName(admin.displayName))?.status).toBe("active");
  expect(await s.resources(TYPE)).toHaveLength(1);

  // refresh, as docs/guides/gdap.md recommends: the customer is gone, its admin access is not: the resource stays.
  const refreshed = await s.ok(["refresh", "--yes", "--skip-preview"]);
  expect(refreshed).toMatch(/refresh keeps the resource in the stack/);
  const [kept] = await s.resources(TYPE);
  expect(kept?.outputs).toMatchObject({
    relationshipToPartner: "none",
    adminRelationships: [expect.objectContaining({ id: admin.id, status: "active" })],
  });

  // The next destroy ends the admin access, and only then is the stack empty.
  const done = await s.ok(["destroy", "--yes", "--skip-preview"]);
  expect(done).toContain("admin access is over");
  expect((await byName(admin.displayName))?.status).toBe("terminated");
  expect(await s.resources(TYPE)).toEqual([]);
});
