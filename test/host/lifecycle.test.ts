/**
 * The resource through the real Pulumi provider host (gRPC), against the emulator on loopback.
 * Nothing is mocked but the Pulumi engine itself, which cannot run here (no Pulumi CLI).
 */
import { startEmulator, SAMPLE_CUSTOMERS, type Emulator } from "pulumi-partner-center-emulator";
import { captureProviderText, Host, urn, withoutProvider } from "../support/host";

const CLIENT_SECRET = "client-secret-7f3a9c2e-recognisable";
const REFRESH_TOKEN = "refresh-token-5b1d8e4f-recognisable";

let emulator: Emulator;
let host: Host;
let providerText: string;

beforeAll(async () => {
  providerText = await captureProviderText();
});

beforeEach(async () => {
  emulator = await startEmulator({ throttle: false });
  host = await Host.start({ providerText });
  await host.configureEmulator(emulator.url, { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN });
});

afterEach(async () => {
  await host.stop();
  await emulator.close();
});

function patches(customerId: string) {
  return emulator.requests().filter((r) => r.method === "PATCH" && r.path.toLowerCase().includes(customerId));
}

test("whole lifecycle: check, create (adopt), read, diff, update, delete, refresh after removal", async () => {
  const id = SAMPLE_CUSTOMERS.clean;
  const checked = await host.check("clean", { customerId: id.toUpperCase() });
  expect(checked.failures).toEqual([]);
  expect(checked.inputs.customerId).toBe(id);

  const before = emulator.requests().length;
  const created = await host.create("clean", withoutProvider(checked.inputs));
  expect(created.id).toBe(id);
  expect(created.props).toMatchObject({
    customerId: id,
    relationshipToPartner: "reseller",
    companyName: "Contoso Clean Ltd",
  });
  expect(typeof created.props.__provider).toBe("string");
  // Adoption is one GET (the token request is not an API call).
  expect(emulator.requests().length - before).toBe(1);

  const read = await host.read("clean", id, withoutProvider(created.props));
  expect(read.id).toBe(id);
  expect(read.props).toMatchObject({
    removable: true,
    removalBlockers: [],
    relationshipToPartner: "reseller",
  });
  expect(read.inputs && withoutProvider(read.inputs)).toEqual({ customerId: id });

  const same = await host.diff("clean", id, read.props, { customerId: id });
  expect(same.changes).toBe(1); // DIFF_NONE
  const flag = await host.diff("clean", id, read.props, { customerId: id, suspendActiveSubscriptions: true });
  expect(flag.changes).toBe(2); // DIFF_SOME
  expect(flag.replaces).toEqual([]);
  const other = await host.diff("clean", id, read.props, { customerId: SAMPLE_CUSTOMERS.inactiveOnly });
  expect(other.replaces).toEqual(["customerId"]);

  const beforeUpdate = emulator.requests().length;
  const updated = await host.update("clean", id, read.props, {
    customerId: id,
    suspendActiveSubscriptions: true,
  });
  expect(emulator.requests().length).toBe(beforeUpdate);
  expect(updated).toMatchObject({
    customerId: id,
    suspendActiveSubscriptions: true,
    companyName: "Contoso Clean Ltd",
    removable: true,
  });

  await host.delete("clean", id, withoutProvider(updated));
  expect(patches(id)).toHaveLength(1);
  const gone = await host.read("clean", id, withoutProvider(updated));
  expect(gone.id).toBe("");
  expect(host.output()).toContain("Removed the reseller relationship");
});

test("log lines reach the engine under the resource each call is about, before the call answers", async () => {
  const a = SAMPLE_CUSTOMERS.clean;
  const b = SAMPLE_CUSTOMERS.inactiveOnly;
  await host.check("first", { customerId: a }); // the host loads the provider inside its first call
  // Two calls at once, as the engine runs them: each line names its own resource, none the other's.
  const [ca, cb] = await Promise.all([
    host.create("contoso", { customerId: a }),
    host.create("other", { customerId: b }),
  ]);
  const lines = (name: string) => host.logs.filter((l) => l.urn === urn(name)).map((l) => l.message);
  expect(lines("contoso")).toEqual([
    expect.stringMatching(new RegExp(`^partnercenter ${a}: adopted the reseller relationship`)),
  ]);
  expect(lines("other")).toEqual([
    expect.stringMatching(new RegExp(`^partnercenter ${b}: adopted the reseller relationship`)),
  ]);
  // A removal's progress lines, read as soon as delete returns: all there, all under the removed resource.
  await host.delete("contoso", a, withoutProvider(ca.props));
  expect(lines("contoso").at(-1)).toMatch(/Removed the reseller relationship/);
  expect(host.logs.filter((l) => l.message.includes(b)).every((l) => l.urn === urn("other"))).toBe(true);
  expect(host.logs.every((l) => l.urn !== "")).toBe(true);
  expect(cb.id).toBe(b);
});

test("check rejects bad input per property, without any request", async () => {
  const before = emulator.requests().length;
  const r = await host.check("bad", {
    customerId: "not-a-guid",
    acceptanceTimeoutSeconds: -1,
    suspendActiveSubscriptions: "yes",
  });
  const props = r.failures.map((f) => f.property).sort();
  expect(props).toEqual(["acceptanceTimeoutSeconds", "customerId", "suspendActiveSubscriptions"]);
  expect(r.failures.find((f) => f.property === "customerId")?.reason).toMatch(/GUID/);
  const typo = await host.check("typo", {
    customerId: SAMPLE_CUSTOMERS.clean,
    suspendActiveSubscription: true,
  });
  expect(typo.failures[0]?.reason).toMatch(/unknown property "suspendActiveSubscription"/);
  expect(emulator.requests().length).toBe(before);
});

test("create without a relationship fails with the invitation link and what to do", async () => {
  const id = SAMPLE_CUSTOMERS.noRelationship;
  const err = (await host.create("woodgrove", { customerId: id }).catch((e: Error) => e)) as Error;
  expect(err.message).toMatch(
    /global administrator of the customer's tenant: https:\/\/admin\.microsoft\.com\/Adminportal\/Home\?invType=ResellerRelationship/,
  );
  expect(err.message).toMatch(/run `pulumi up` again/);
  expect(emulator.requests().some((r) => r.method === "PATCH")).toBe(false);
});

test("create with acceptanceTimeoutSeconds waits for the customer to accept", async () => {
  const id = SAMPLE_CUSTOMERS.noRelationship;
  setTimeout(() => void emulator.acceptInvitation(id), 1500);
  const created = await host.create("woodgrove", { customerId: id, acceptanceTimeoutSeconds: 20 });
  expect(created.props.relationshipToPartner).toBe("reseller");
  expect(host.output()).toContain("invType=ResellerRelationship");
});

test("delete is refused with every blocker named, and nothing is changed", async () => {
  const id = SAMPLE_CUSTOMERS.legacyReservedInstance;
  const err = await host
    .delete("adatum", id, { customerId: id, suspendActiveSubscriptions: true })
    .catch((e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  expect(String((err as Error).message)).toMatch(/Azure reserved instance .*Azure support/);
  expect(patches(id)).toHaveLength(0);
  const active = SAMPLE_CUSTOMERS.activeSubscriptions;
  const err2 = await host.delete("fabrikam", active, { customerId: active }).catch((e: Error) => e);
  expect(String((err2 as Error).message)).toMatch(
    /2 blockers.*subscription .*active.*suspendActiveSubscriptions/s,
  );
  expect(patches(active)).toHaveLength(0);
});

test("suspendActiveSubscriptions never suspends a new-commerce subscription: blocked, nothing changed; with the cancel opt-in too, it is cleared and removed", async () => {
  const id = SAMPLE_CUSTOMERS.activeSubscriptions;
  const err = await host
    .delete("fabrikam", id, { customerId: id, suspendActiveSubscriptions: true })
    .catch((e: Error) => e);
  expect(String((err as Error).message)).toMatch(
    /\[newCommerceCancellable, cancel by .*cancelNewCommerceSubscriptionsInWindow/,
  );
  expect(patches(id)).toHaveLength(0);
  await host.delete("fabrikam", id, {
    customerId: id,
    suspendActiveSubscriptions: true,
    cancelNewCommerceSubscriptionsInWindow: true,
  });
  const subs = patches(id).filter((r) => r.path.includes("/subscriptions/"));
  expect(subs).toHaveLength(2);
  expect(patches(id).filter((r) => !r.path.includes("/subscriptions/"))).toHaveLength(1);
  expect(host.output()).toMatch(
    /cancelled 22222222-0000-4000-8000-000000000002 .*suspended 22222222-0000-4000-8000-000000000001/,
  );
  const state = emulator.state().customers.find((c) => c.id === id)!;
  expect(state.relationshipToPartner).toBe("none");
  expect(Object.fromEntries(state.subscriptions.map((s) => [s.id, s.status]))).toMatchObject({
    "22222222-0000-4000-8000-000000000001": "suspended",
    "22222222-0000-4000-8000-000000000002": "deleted",
  });
});

test("cancelNewCommerceSubscriptionsInWindow: inside the window cancelled and removed; outside it nothing is changed and the error gives class, date and next step", async () => {
  const inWindow = SAMPLE_CUSTOMERS.newCommerceInWindow;
  await host.delete("fourthcoffee", inWindow, {
    customerId: inWindow,
    cancelNewCommerceSubscriptionsInWindow: true,
  });
  const after = emulator.state().customers.find((c) => c.id === inWindow)!;
  expect(after.relationshipToPartner).toBe("none");
  expect(after.subscriptions.map((s) => s.status)).toEqual(["deleted", "deleted"]);

  const locked = SAMPLE_CUSTOMERS.newCommerceLocked;
  const err = await host
    .delete("proseware", locked, {
      customerId: locked,
      cancelNewCommerceSubscriptionsInWindow: true,
      suspendActiveSubscriptions: true,
    })
    .catch((e: Error) => e);
  expect(String((err as Error).message)).toMatch(
    /\[newCommerceLocked, term ends 2028-01-14T00:00:00Z\]: it cannot be cancelled .*turn off auto-renew/,
  );
  expect(patches(locked)).toHaveLength(0);
  expect(emulator.state().customers.find((c) => c.id === locked)!.subscriptions[0]!.status).toBe("active");
});

test("a customer already gone deletes successfully, said in a log line", async () => {
  const id = SAMPLE_CUSTOMERS.inactiveOnly;
  await host.delete("northwind", id, { customerId: id });
  await host.delete("northwind", id, { customerId: id });
  expect(patches(id)).toHaveLength(1);
  expect(host.output()).toContain("already gone");
});

test("the paged customer is blocked by the active subscription on page 3", async () => {
  const id = SAMPLE_CUSTOMERS.paged;
  await expect(host.delete("wingtip", id, { customerId: id })).rejects.toThrow(/1 blocker/);
  expect(patches(id)).toHaveLength(0);
});

test("a changed customerId on an existing resource fails check, never reaching Partner Center", async () => {
  const was = SAMPLE_CUSTOMERS.clean;
  const now = SAMPLE_CUSTOMERS.reservedInstance;
  // Same id in another case: not a change.
  const same = await host.check("clean", { customerId: was.toUpperCase() }, { customerId: was });
  expect(same.failures).toEqual([]);
  const before = emulator.requests().length;
  const changed = await host.check("clean", { customerId: now }, { customerId: was });
  expect(changed.failures).toHaveLength(1);
  expect(changed.failures[0]?.property).toBe("customerId");
  expect(changed.failures[0]?.reason).toContain(
    `customerId cannot change on an existing ResellerRelationship (it is ${was}`,
  );
  expect(changed.failures[0]?.reason).toMatch(/pulumi destroy --target/);
  expect(changed.failures[0]?.reason).toMatch(/declare the other customer as a new resource/);
  expect(emulator.requests().length).toBe(before);
  // A new resource (no olds) takes any valid id.
  expect((await host.check("other", { customerId: now })).failures).toEqual([]);
});

test("read with only an id (the import path) says how to adopt instead, with no request", async () => {
  const before = emulator.requests().length;
  await expect(host.read("imported", SAMPLE_CUSTOMERS.clean, {})).rejects.toThrow(
    /cannot be imported .*declaring it instead.*pulumi up/s,
  );
  expect(emulator.requests().length).toBe(before);
});
