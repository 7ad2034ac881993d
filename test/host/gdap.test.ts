/**
 * GDAP through the real Pulumi provider host (gRPC), against the emulator on loopback: the
 * DelegatedAdminRelationship and DelegatedAdminAccessAssignment lifecycles, and a ResellerRelationship whose
 * removal ends the customer's admin access. One host serves all three types, as the engine's one dynamic
 * provider process does. Nothing is mocked but the Pulumi engine itself (no Pulumi CLI here).
 */
import { startEmulator, SAMPLE_CUSTOMERS, type Emulator } from "pulumi-partner-center-emulator";
import { captureProviderText, Host, withoutProvider } from "../support/host";
import { ACCESS_TYPE, captureGdapProviderTexts, listAnswer, RELATIONSHIP_TYPE } from "../gdap/helpers";

const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );
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

  // Roles are fixed once approved: a changed list needs a replacement, which cannot keep an explicit displayName
  // (names are unique across all relationships, ended ones included): refused in diff, naming the fix.
  const d = await caught(
    rel.diff("admin", created.id, withoutProvider(read.props), {
      ...withoutProvider(inputs),
      roles: [EXCHANGE_ADMIN],
    }),
  );
  expect(String(d)).toMatch(/successor cannot keep displayName "Clean - helpdesk".*Remove displayName/);
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

describe("Graph's documented rules for changes, names and endings", () => {
  const GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10";
  const customerId = SAMPLE_CUSTOMERS.clean;
  const base = { customerId, duration: "P730D", roles: [EXCHANGE_ADMIN, HELPDESK_ADMIN] };
  const relationships = "/v1.0/tenantRelationships/delegatedAdminRelationships";
  const since = (n: number) =>
    emulator
      .requests()
      .slice(n)
      .map(
        (r) =>
          `${r.method} ${r.path.replace(relationships, "").replace(/[0-9a-f-]{36,}/g, "{id}")} ${r.status}`,
      );

  /** check, create, and the customer's approval: an active relationship, as refresh sees it. */
  async function active(name: string, more: Record<string, unknown> = {}) {
    const { inputs, failures } = await rel.check(name, { ...base, displayNamePrefix: name, ...more });
    expect(failures).toEqual([]);
    const created = await rel.create(name, withoutProvider(inputs));
    emulator.gdap.approve(created.id);
    const read = await rel.read(name, created.id, withoutProvider(created.props));
    expect(read.props.status).toBe("active");
    return { id: created.id, inputs: withoutProvider(inputs), props: withoutProvider(read.props) };
  }

  beforeEach(() => emulator.reset());

  test("displayName is optional: derived from the resource name with a random suffix, kept from the old inputs", async () => {
    const first = await rel.check("contoso-admin", { ...base, displayNamePrefix: "contoso-admin" });
    expect(first.inputs.displayName).toMatch(/^contoso-admin-[0-9a-f]{7}$/);
    const again = await rel.check(
      "contoso-admin",
      { ...base, displayNamePrefix: "contoso-admin" },
      first.inputs,
    );
    expect(again.inputs.displayName).toBe(first.inputs.displayName);
    // Graph's limit (50 characters) is kept whatever the resource name.
    const long = await rel.check("x", { ...base, displayNamePrefix: "n".repeat(80) });
    expect(String(long.inputs.displayName)).toHaveLength(50);
  });

  test("autoExtendDuration is updated in place (PATCH, If-Match) while active: never a replace, never a terminate", async () => {
    const r = await active("auto");
    const news = { ...r.inputs, autoExtendDuration: "P180D" };
    const d = await rel.diff("auto", r.id, r.props, news);
    expect(d).toMatchObject({ changes: 2, replaces: [] }); // DIFF_SOME
    const at = emulator.requests().length;
    const outs = await rel.update("auto", r.id, r.props, news);
    expect(outs).toMatchObject({ autoExtendDuration: "P180D", status: "active", relationshipId: r.id });
    expect(since(at).filter((l) => !l.startsWith("GET"))).toEqual(["PATCH /{id} 200"]);
    const patch = emulator.requests().find((q) => q.method === "PATCH")!;
    expect(patch.path).toBe(`${relationships}/${r.id}`);
    expect(emulator.gdap.state()[0]).toMatchObject({ status: "active", autoExtendDuration: "P180D" });

    // Enabled in Partner Center's portal: refresh shows it, and declaring it off again is an update too.
    emulator.gdap.setStatus(r.id, "active", { autoExtendDuration: "P180D" });
    const drift = await rel.read("auto", r.id, outs);
    expect(drift.inputs?.autoExtendDuration).toBe("P180D");
    expect(await rel.diff("auto", r.id, withoutProvider(drift.props), r.inputs)).toMatchObject({
      changes: 2,
      replaces: [],
    });
  });

  test("Global Administrator with autoExtendDuration P180D is refused in check; nothing is sent", async () => {
    const at = emulator.requests().length;
    const { failures } = await rel.check("ga", {
      ...base,
      displayName: "GA",
      roles: [GLOBAL_ADMIN, HELPDESK_ADMIN],
      autoExtendDuration: "P180D",
    });
    expect(failures).toEqual([
      {
        property: "autoExtendDuration",
        reason: expect.stringMatching(
          /Don't autoextend GDAP with Global Administrator.*remove Global Administrator/,
        ),
      },
    ]);
    expect(emulator.requests().length).toBe(at);
  });

  test("removing Global Administrator from an active relationship is an update: 202, the operation polled to completion", async () => {
    const r = await active("ga-removal", { roles: [GLOBAL_ADMIN, HELPDESK_ADMIN] });
    const news = { ...r.inputs, roles: [HELPDESK_ADMIN] };
    expect(await rel.diff("ga-removal", r.id, r.props, news)).toMatchObject({ changes: 2, replaces: [] });
    // Any other role change still replaces (here: refused, as the displayName would be reused... it is autonamed,
    // so it is a replacement).
    expect(await rel.diff("ga-removal", r.id, r.props, { ...r.inputs, roles: [GLOBAL_ADMIN] })).toMatchObject(
      {
        replaces: ["roles"],
      },
    );
    const at = emulator.requests().length;
    const outs = await rel.update("ga-removal", r.id, r.props, news);
    expect(outs.roles).toEqual([HELPDESK_ADMIN]);
    expect(since(at)).toEqual(expect.arrayContaining(["PATCH /{id} 202", "GET /{id}/operations/{id} 200"]));
    expect(emulator.gdap.state()[0]).toMatchObject({ status: "active", roles: [HELPDESK_ADMIN] });
  });

  test("an access assignment's role update answers 202 with Location: followed to completion, then read back", async () => {
    const r = await active("assign", {});
    const a = await access.check("g", {
      relationshipId: r.id,
      securityGroupId: GROUP,
      roles: [HELPDESK_ADMIN],
    });
    const created = await access.create("g", withoutProvider(a.inputs));
    const news = { ...withoutProvider(a.inputs), roles: [HELPDESK_ADMIN, EXCHANGE_ADMIN] };
    const at = emulator.requests().length;
    const printed = host.output().length;
    const outs = await access.update("g", created.id, withoutProvider(created.props), news);
    expect(outs).toMatchObject({ roles: [HELPDESK_ADMIN, EXCHANGE_ADMIN], status: "active" });
    expect(since(at)).toEqual(
      expect.arrayContaining(["PATCH /{id}/accessAssignments/{id} 202", "GET /{id}/operations/{id} 200"]),
    );
    expect(host.output().slice(printed)).not.toMatch(/Nothing was changed|Error/);
  });

  test("durations are compared by value: P2Y is P730D, P1Y is P365D", async () => {
    const r = await active("years", { duration: "P2Y" });
    expect(emulator.gdap.state()[0]!.duration).toBe("P2Y");
    // Graph reports days.
    const stored = { ...r.props, duration: "P2Y" };
    expect(await rel.diff("years", r.id, { ...stored, duration: "P730D" }, r.inputs)).toMatchObject({
      changes: 1, // DIFF_NONE
    });
    expect(
      await rel.diff("years", r.id, { ...stored, duration: "P365D" }, { ...r.inputs, duration: "P1Y" }),
    ).toMatchObject({
      changes: 1, // DIFF_NONE
    });
    expect(await rel.diff("years", r.id, stored, { ...r.inputs, duration: "P729D" })).toMatchObject({
      replaces: ["duration"],
    });
  });

  test("an ended relationship is replaced under a new name, successor first; the warning says access pauses", async () => {
    const r = await active("ended");
    emulator.gdap.setStatus(r.id, "terminated");
    const read = await rel.read("ended", r.id, r.props);
    const olds = withoutProvider(read.props);
    expect(olds.status).toBe("terminated");
    const checked = await rel.check("ended", { ...base, displayNamePrefix: "ended" }, read.inputs!);
    const d = await rel.diff("ended", r.id, olds, withoutProvider(checked.inputs));
    expect(d).toMatchObject({ replaces: ["status"] });
    expect(d.deleteBeforeReplace).toBeFalsy();
    expect(host.output()).toMatch(
      /replacing delegated admin relationship .*admin access through it pauses until the customer approves/,
    );
    // The engine checks a replacement again without old inputs: a new name, never used before.
    const fresh = await rel.check("ended", { ...base, displayNamePrefix: "ended" });
    expect(fresh.inputs.displayName).not.toBe(olds.displayName);
    const successor = await rel.create("ended", withoutProvider(fresh.inputs));
    expect(successor.props).toMatchObject({
      status: "approvalPending",
      displayName: fresh.inputs.displayName,
    });
    await rel.delete("ended", r.id, olds); // already terminated: success
    expect(
      emulator.gdap
        .state()
        .map((x) => x.status)
        .sort(),
    ).toEqual(["approvalPending", "terminated"]);
  });

  test("a name used by an ended relationship is never adopted nor POSTed again", async () => {
    const r = await active("reuse");
    emulator.gdap.setStatus(r.id, "terminated");
    const at = emulator.requests().length;
    const e = await caught(rel.create("reuse", r.inputs));
    expect(String(e)).toMatch(
      /displayName ".*" is already used by delegated admin relationship .*terminated/,
    );
    expect(since(at).filter((l) => !l.startsWith("GET"))).toEqual([]);
  });

  test("delete: DELETE while created, terminate while active, nothing for approvalPending (its expiry said)", async () => {
    const { inputs } = await rel.check("pending", { ...base, displayNamePrefix: "pending" });
    const created = await rel.create("pending", withoutProvider(inputs));
    emulator.gdap.setStatus(created.id, "approvalPending", { createdDateTime: "2026-03-01T00:00:00Z" });
    const at = emulator.requests().length;
    await rel.delete("pending", created.id, withoutProvider(created.props));
    expect(since(at).filter((l) => !l.startsWith("GET"))).toEqual([]);
    expect(host.output()).toContain("expires on its own on 2026-05-30T00:00:00.000Z");
    expect(emulator.gdap.state()[0]!.status).toBe("approvalPending");

    const r = await active("live");
    const before = emulator.requests().length;
    await rel.delete("live", r.id, r.props);
    expect(since(before).filter((l) => !l.startsWith("GET"))).toEqual(["POST /{id}/requests 201"]);
  });
});
