/**
 * GDAP (issue 16) through the real Pulumi provider host (gRPC), against the emulator on loopback: the
 * DelegatedAdminRelationship and DelegatedAdminAccessAssignment lifecycles, and a ResellerRelationship whose
 * removal ends the customer's admin access. One host serves all three types, as the engine's one dynamic
 * provider process does. Nothing is mocked but the Pulumi engine itself (no Pulumi CLI here).
 */
import { startEmulator, SAMPLE_CUSTOMERS, type Emulator } from "pulumi-partner-center-emulator";
import { captureProviderText, Host, withoutProvider } from "../../examples/demo/host";
import { ACCESS_TYPE, captureGdapProviderTexts, RELATIONSHIP_TYPE } from "../gdap/helpers";

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
