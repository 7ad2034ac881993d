/**
 * GDAP (issue 16) through the real Pulumi provider host (gRPC), against the emulator on loopback: the
 * DelegatedAdminRelationship and DelegatedAdminAccessAssignment lifecycles, and a ResellerRelationship whose
 * removal ends the customer's admin access. One host serves all three types, as the engine's one dynamic
 * provider process does. Nothing is mocked but the Pulumi engine itself (no Pulumi CLI here).
 */
import { startEmulator, SAMPLE_CUSTOMERS, type Emulator } from "pulumi-partner-center-emulator";
import { captureProviderText, Host, withoutProvider } from "../../examples/demo/host";
import { ACCESS_TYPE, captureGdapProviderTexts, listAnswer, RELATIONSHIP_TYPE } from "../gdap/helpers";

const CLIENT_SECRET = "client-secret-gdap-4e1f-recognisable";
const REFRESH_TOKEN = "refresh-token-gdap-9c2a-recognisable";
const EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const GROUP = "869713c9-0b28-4d08-8949-ae07ae1bf528";

let emulator: Emulator;
let host: Host;
let rel: Host;
let access: Host;

beforeAll(async () => {
  emulator = await startEmulator({ throttle: false });
  const texts = await captureGdapProviderTexts();
  host = await Host.start({ providerText: await captureProviderText() });
  rel = host.as(texts.DelegatedAdminRelationship!, RELATIONSHIP_TYPE);
  access = host.as(texts.DelegatedAdminAccessAssignment!, ACCESS_TYPE);
  await host.configureEmulator(
    emulator.url,
    { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
    { "partnercenter:graphEndpoint": emulator.url },
  );
});

afterAll(async () => {
  await host.stop();
  await emulator.close();
});

test("bad inputs fail in check, naming the field and the fix; nothing is sent", async () => {
  const before = emulator.requests().length;
  const { failures } = await rel.check("bad", {
    customerId: "contoso",
    displayName: "x".repeat(51),
    duration: "P3Y",
    roles: ["Global Administrator"],
    approvalTimout: 5,
  });
  const byProperty = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
  expect(byProperty.customerId).toMatch(/GUID/);
  expect(byProperty.displayName).toMatch(/at most 50/);
  expect(byProperty.duration).toMatch(/P1D to P2Y/);
  expect(byProperty["roles.0"]).toMatch(/role definition id/);
  expect(byProperty.approvalTimout).toMatch(/unknown property "approvalTimout": expected/);
  expect(emulator.requests().length).toBe(before);
});

test("relationship and assignment lifecycle, then offboarding ends admin access", async () => {
  const customerId = SAMPLE_CUSTOMERS.clean;
  const { inputs, failures } = await rel.check("admin", {
    customerId: customerId.toUpperCase(),
    displayName: "Clean - helpdesk",
    duration: "P730D",
    roles: [EXCHANGE_ADMIN, HELPDESK_ADMIN.toUpperCase()],
  });
  expect(failures).toEqual([]);
  const created = await rel.create("admin", withoutProvider(inputs));
  expect(created.props).toMatchObject({
    customerId,
    status: "approvalPending",
    relationshipId: created.id,
    approvalUrl: `https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/${created.id}`,
    roles: [EXCHANGE_ADMIN, HELPDESK_ADMIN],
  });

  // The customer approves; refresh shows it, with endDateTime, and no drift in inputs.
  emulator.gdap.approve(created.id);
  const read = await rel.read("admin", created.id, withoutProvider(created.props));
  expect(read.props).toMatchObject({ status: "active" });
  expect(typeof read.props.endDateTime).toBe("string");
  expect(read.inputs && withoutProvider(read.inputs)).toEqual(withoutProvider(inputs));

  // Roles are fixed once approved: a changed list replaces, deleting first (documented in gdap/dynamic.ts).
  const d = await rel.diff("admin", created.id, withoutProvider(read.props), {
    ...withoutProvider(inputs),
    roles: [EXCHANGE_ADMIN],
  });
  expect(d.replaces).toEqual(["roles"]);
  expect(d.deleteBeforeReplace).toBe(true);
  const timeoutOnly = await rel.diff("admin", created.id, withoutProvider(read.props), {
    ...withoutProvider(inputs),
    roles: [HELPDESK_ADMIN, EXCHANGE_ADMIN],
    approvalTimeoutSeconds: 60,
  });
  expect(timeoutOnly).toMatchObject({ changes: 2, replaces: [] }); // DIFF_SOME

  // An access assignment: created, roles updated in place, deleted.
  const a = await access.check("helpdesk", {
    relationshipId: created.id,
    securityGroupId: GROUP,
    roles: [HELPDESK_ADMIN],
  });
  expect(a.failures).toEqual([]);
  const assignment = await access.create("helpdesk", withoutProvider(a.inputs));
  expect(assignment.props).toMatchObject({ securityGroupId: GROUP, roles: [HELPDESK_ADMIN] });
  const news = { ...withoutProvider(a.inputs), roles: [HELPDESK_ADMIN, EXCHANGE_ADMIN] };
  expect(await access.diff("helpdesk", assignment.id, withoutProvider(assignment.props), news)).toMatchObject(
    {
      changes: 2, // DIFF_SOME
      replaces: [],
    },
  );
  const updated = await access.update("helpdesk", assignment.id, withoutProvider(assignment.props), news);
  expect(updated.roles).toEqual([HELPDESK_ADMIN, EXCHANGE_ADMIN]);
  expect(emulator.requests().some((r) => r.method === "PATCH" && r.path.includes("accessAssignments"))).toBe(
    true,
  );
  await access.delete("helpdesk", assignment.id, withoutProvider(updated));
  expect((await access.read("helpdesk", assignment.id, withoutProvider(updated))).id).toBe("");

  // The reseller relationship, opted in: refresh reports the admin access, removal ends it.
  const reseller = { customerId, terminateAdminRelationshipsOnRemoval: true };
  expect((await host.check("clean", reseller)).failures).toEqual([]);
  const adopted = await host.create("clean", reseller);
  const refreshed = await host.read("clean", customerId, withoutProvider(adopted.props));
  expect(refreshed.props.adminRelationships).toEqual([
    expect.objectContaining({ id: created.id, displayName: "Clean - helpdesk", status: "active" }),
  ]);
  await host.delete("clean", customerId, withoutProvider(refreshed.props));
  const after = emulator.gdap.state().find((r) => r.id === created.id)!;
  expect(after.status).toBe("terminated");
  expect(emulator.state().customers.find((c) => c.id === customerId)!.relationshipToPartner).toBe("none");
  expect(host.output()).toContain("admin access is over");

  // The relationship resource's own delete then finds it ended: success, nothing more sent but a GET.
  const before = emulator.requests().length;
  await rel.delete("admin", created.id, withoutProvider(read.props));
  expect(
    emulator
      .requests()
      .slice(before)
      .map((r) => r.method),
  ).toEqual(["GET"]);

  // Secrets never reach outputs or the host's output.
  const everything = JSON.stringify([created, read, assignment, updated, refreshed]) + host.output();
  expect(everything).not.toContain(CLIENT_SECRET);
  expect(everything).not.toContain(REFRESH_TOKEN);
  for (const t of emulator.state().issuedTokens) expect(everything).not.toContain(t);
});

test("without the option, the reseller relationship never calls Graph", async () => {
  emulator.reset();
  const customerId = SAMPLE_CUSTOMERS.clean;
  const created = await host.create("plain", { customerId });
  const read = await host.read("plain", customerId, withoutProvider(created.props));
  expect(read.props.adminRelationships).toBeUndefined();
  expect(emulator.requests().some((r) => r.path.startsWith("/v1.0/"))).toBe(false);
});

const listOf = (ids: string[]) => listAnswer(emulator.gdap.state(), ids);

/** An approved (active) relationship of `customerId`, created through the host. */
async function activeRelationship(name: string, customerId: string): Promise<string> {
  const created = await rel.create(name, {
    customerId,
    displayName: name,
    duration: "P730D",
    roles: [HELPDESK_ADMIN],
  });
  emulator.gdap.approve(created.id);
  return created.id;
}

const graphWritesSince = (n: number) =>
  emulator
    .requests()
    .slice(n)
    .filter((r) => r.path.startsWith("/v1.0/") && r.method !== "GET");

test("offboarding acts on the customer's relationships only, whatever Graph's filter did", async () => {
  emulator.reset();
  const customerId = SAMPLE_CUSTOMERS.clean;
  const mine = await activeRelationship("Clean - scoped", customerId);
  const theirs = await activeRelationship("Northwind - scoped", SAMPLE_CUSTOMERS.inactiveOnly);
  const reseller = { customerId, terminateAdminRelationshipsOnRemoval: true };
  const adopted = await host.create("scoped", reseller);

  // A list that ignores `$filter`: refresh reports only this customer's relationship, and says why.
  const list = { method: "GET", path: "delegatedAdminRelationships$" };
  emulator.addFault({ kind: "body", body: listOf([theirs, mine]), match: list });
  const refreshed = await host.read("scoped", customerId, withoutProvider(adopted.props));
  expect(refreshed.props.adminRelationships).toEqual([expect.objectContaining({ id: mine })]);
  expect(host.output()).toMatch(/ignored or mis-applied the customer filter/);

  // Destroy: the reseller relationship is removed, then the GDAP step fails closed: nothing ended.
  emulator.addFault({ kind: "body", body: listOf([mine, theirs]), match: list });
  const at = emulator.requests().length;
  const err = (await host
    .delete("scoped", customerId, withoutProvider(refreshed.props))
    .catch((e: Error) => e)) as Error;
  expect(err.message).toMatch(/relationship\(s\) of other tenants .* no admin relationship was ended/);
  expect(err.message).toContain(`${theirs} of tenant ${SAMPLE_CUSTOMERS.inactiveOnly}`);
  expect(graphWritesSince(at)).toEqual([]);
  expect(emulator.gdap.state().map((r) => r.status)).toEqual(["active", "active"]);
});

test("refresh keeps a removed customer's resource while admin access it must end remains; destroy then ends it", async () => {
  emulator.reset();
  const customerId = SAMPLE_CUSTOMERS.clean;
  const admin = await activeRelationship("Clean - unfinished", customerId);
  const adopted = await host.create("unfinished", { customerId, terminateAdminRelationshipsOnRemoval: true });
  const props = withoutProvider(adopted.props);

  // The reseller removal succeeds, then Graph refuses the terminate (403: the user lost the Admin agent role;
  // the real CLI test plays a 503).
  emulator.addFault({ kind: "status", status: 403, match: { method: "POST", path: "/requests" } });
  await expect(host.delete("unfinished", customerId, props)).rejects.toThrow(
    /Microsoft Graph error code accessDenied/,
  );
  emulator.clearFaults();
  expect(emulator.state().customers.find((c) => c.id === customerId)!.relationshipToPartner).toBe("none");
  expect(emulator.gdap.state()[0]!.status).toBe("active");

  // Refresh: the customer is gone, the admin access is not: the resource stays, showing both.
  const kept = await host.read("unfinished", customerId, props);
  expect(kept.id).toBe(customerId);
  expect(kept.props).toMatchObject({
    customerId,
    relationshipToPartner: "none",
    adminRelationships: [expect.objectContaining({ id: admin, status: "active" })],
  });
  expect(host.output()).toMatch(/refresh keeps the resource in the stack/);

  // Graph unreadable: nothing proves the GDAP step done, so the resource stays too.
  emulator.addFault({
    kind: "status",
    status: 403,
    match: { method: "GET", path: "delegatedAdminRelationships$" },
  });
  expect((await host.read("unfinished", customerId, withoutProvider(kept.props))).id).toBe(customerId);
  emulator.clearFaults();

  // The next destroy finishes the GDAP step; after it, refresh drops the resource.
  await host.delete("unfinished", customerId, withoutProvider(kept.props));
  expect(emulator.gdap.state()[0]!.status).toBe("terminated");
  expect((await host.read("unfinished", customerId, withoutProvider(kept.props))).id).toBe("");
});

/** A DelegatedAdminRelationship create through a host of its own configured with `config`: its error. */
async function createWith(config: Record<string, string>): Promise<{ error: Error; output: string }> {
  const own = await Host.start({ providerText: await captureProviderText() });
  try {
    const texts = await captureGdapProviderTexts();
    await own.configure(
      {
        "partnercenter:tenantId": "0a0a0a0a-0000-4000-8000-00000000000a",
        "partnercenter:clientId": "app",
        "partnercenter:refreshToken": REFRESH_TOKEN,
        ...config,
      },
      ["partnercenter:refreshToken"],
    );
    const error = (await own
      .as(texts.DelegatedAdminRelationship!, RELATIONSHIP_TYPE)
      .create("x", {
        customerId: SAMPLE_CUSTOMERS.clean,
        displayName: "x",
        duration: "P730D",
        roles: [HELPDESK_ADMIN],
      })
      .catch((e: Error) => e)) as Error;
    return { error, output: own.output() };
  } finally {
    await own.stop();
  }
}

test("a Graph token never goes to loopback without the opt-in, nor from the emulator to the real Graph", async () => {
  emulator.reset();
  const tokens = emulator.gdap.graphTokens.size;
  // Real Partner Center and authority, Graph on a local port: refused before any token is asked for.
  const local = await createWith({
    "partnercenter:endpoint": "https://pc.example.test",
    "partnercenter:authority": "https://login.example.test",
    "partnercenter:graphEndpoint": emulator.url,
  });
  expect(local.error.message).toMatch(
    /Refusing to send a Microsoft Graph token .* to a loopback address: partnercenter:graphEndpoint/,
  );
  // The emulator for Partner Center, the real Graph: refused, no Graph token issued.
  const mixed = await createWith({
    "partnercenter:endpoint": emulator.url,
    "partnercenter:authority": emulator.url,
    "partnercenter:allowLoopbackWithCredentials": "true",
    "partnercenter:graphEndpoint": "https://graph.example.test",
  });
  expect(mixed.error.message).toMatch(
    /mix loopback and remote addresses: .*partnercenter:graphEndpoint \(or PARTNER_CENTER_GRAPH_ENDPOINT\) = https:\/\/graph\.example\.test is not/,
  );
  expect(emulator.requests()).toEqual([]);
  expect(emulator.gdap.graphTokens.size).toBe(tokens);
  expect(local.output + mixed.output).not.toContain(REFRESH_TOKEN);
});
