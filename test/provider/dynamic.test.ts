/**
 * `pulumi-partner-center/dynamic` called directly, against the emulator over loopback HTTP: the rules of each
 * operation. The same module runs inside the provider host in test/host.
 */
import * as dynamic from "../../provider/src/dynamic";
import { startEmulator, SAMPLE_CUSTOMERS, type Emulator } from "../../packages/emulator/src";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
let emulator: Emulator;

function configFor(url: string, extra: Record<string, string> = {}) {
  const values: Record<string, string> = {
    "partnercenter:endpoint": url,
    "partnercenter:authority": url,
    "partnercenter:tenantId": "0a0a0a0a-0000-4000-8000-00000000000a",
    "partnercenter:clientId": "app",
    "partnercenter:refreshToken": "refresh-token-for-tests",
    ...extra,
  };
  return { config: { get: (k: string) => values[k] } };
}

beforeAll(async () => {
  emulator = await startEmulator({ throttle: false });
});
beforeEach(async () => {
  emulator.reset();
  await dynamic.configure(configFor(emulator.url));
});
afterAll(async () => {
  await emulator.close();
});

const apiCalls = () => emulator.requests().filter((r) => !r.path.includes("oauth2"));

describe("check", () => {
  test("normalises customerId to lower case and keeps __provider", async () => {
    const r = await dynamic.check(
      {},
      { customerId: ` ${SAMPLE_CUSTOMERS.clean.toUpperCase()} `, __provider: "text" },
    );
    expect(r.failures).toBeUndefined();
    expect(r.inputs).toEqual({ customerId: SAMPLE_CUSTOMERS.clean, __provider: "text" });
  });
  test("unknown values during preview pass through", async () => {
    const r = await dynamic.check({}, { customerId: UNKNOWN, suspendActiveSubscriptions: true });
    expect(r.failures).toBeUndefined();
    expect(r.inputs?.customerId).toBe(UNKNOWN);
  });
  test("each bad property is named, with the fix", async () => {
    const r = await dynamic.check(
      {},
      { customerId: 42, acceptanceTimeoutSeconds: 1.5, indirectResellerId: "x" },
    );
    expect(r.failures?.map((f) => f.property).sort()).toEqual([
      "acceptanceTimeoutSeconds",
      "customerId",
      "indirectResellerId",
    ]);
    const missing = await dynamic.check({}, {});
    expect(missing.failures?.[0]).toMatchObject({ property: "customerId" });
  });
  test("never touches the network, even without settings", async () => {
    await dynamic.configure({ config: { get: () => undefined } });
    const before = emulator.requests().length;
    await dynamic.check({}, { customerId: SAMPLE_CUSTOMERS.clean });
    expect(emulator.requests().length).toBe(before);
  });
});

describe("diff", () => {
  const olds = {
    customerId: SAMPLE_CUSTOMERS.clean,
    relationshipToPartner: "reseller",
    __provider: "old text",
  };
  test("changes is always explicit and __provider is ignored", async () => {
    expect(
      await dynamic.diff("id", olds, { customerId: SAMPLE_CUSTOMERS.clean, __provider: "new text" }),
    ).toEqual({
      changes: false,
    });
  });
  test("customerId replaces, other inputs update in place", async () => {
    expect(await dynamic.diff("id", olds, { customerId: SAMPLE_CUSTOMERS.paged })).toEqual({
      changes: true,
      replaces: ["customerId"],
    });
    expect(
      await dynamic.diff("id", olds, { customerId: SAMPLE_CUSTOMERS.clean, acceptanceTimeoutSeconds: 60 }),
    ).toEqual({
      changes: true,
    });
  });
});

describe("create", () => {
  test("adopts a reseller relationship in one GET", async () => {
    const r = await dynamic.create({ customerId: SAMPLE_CUSTOMERS.clean });
    expect(r.id).toBe(SAMPLE_CUSTOMERS.clean);
    expect(r.outs).toMatchObject({ relationshipToPartner: "reseller", companyName: "Contoso Clean Ltd" });
    // Readiness is not assessed by adoption: present as null ("not yet"), never claimed.
    expect(r.outs).toMatchObject({ removable: null, removalBlockers: null });
    expect(apiCalls().map((c) => c.method)).toEqual(["GET"]);
  });
  test("no relationship: fails with the link; the indirect reseller's id goes into the link", async () => {
    const err = (await dynamic
      .create({
        customerId: SAMPLE_CUSTOMERS.noRelationship,
        indirectResellerId: "99999999-9999-4999-8999-999999999999",
      })
      .catch((e) => e)) as Error & { code: string; invitationUrl: string };
    expect(err.code).toBe("PPC_RELATIONSHIP_NOT_ESTABLISHED");
    expect(err.invitationUrl).toContain("99999999-9999-4999-8999-999999999999");
    expect(err.message).toContain(err.invitationUrl);
    expect(emulator.requests().some((r) => r.method === "PATCH")).toBe(false);
  });
  test("times out with the same message when the customer does not accept", async () => {
    const started = Date.now();
    await expect(
      dynamic.create({ customerId: SAMPLE_CUSTOMERS.noRelationship, acceptanceTimeoutSeconds: 2 }),
    ).rejects.toThrow(/did not accept within 2 s.*invType=ResellerRelationship/s);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });
  test("a configuration error names the settings to set", async () => {
    await dynamic.configure({ config: { get: () => undefined } });
    await expect(dynamic.create({ customerId: SAMPLE_CUSTOMERS.clean })).rejects.toThrow(/partnercenter:/);
  });
});

describe("read", () => {
  test("reports blockers and removable, and returns inputs", async () => {
    const r = await dynamic.read(SAMPLE_CUSTOMERS.reservedInstance, {
      customerId: SAMPLE_CUSTOMERS.reservedInstance,
    });
    expect(r.props).toMatchObject({ removable: false });
    expect(r.props?.removalBlockers).toEqual([expect.objectContaining({ kind: "reservedInstance" })]);
    expect(r.inputs).toEqual({ customerId: SAMPLE_CUSTOMERS.reservedInstance });
    const clean = await dynamic.read(SAMPLE_CUSTOMERS.inactiveOnly, {
      customerId: SAMPLE_CUSTOMERS.inactiveOnly,
    });
    expect(clean.props).toMatchObject({ removable: true, removalBlockers: [] });
  });
  test("a customer with no reseller relationship reads as gone (blank id)", async () => {
    expect(
      await dynamic.read(SAMPLE_CUSTOMERS.noRelationship, { customerId: SAMPLE_CUSTOMERS.noRelationship }),
    ).toEqual({});
  });
  test("the legacy VirtualMachineReservedInstance casing blocks too", async () => {
    const r = await dynamic.read(SAMPLE_CUSTOMERS.legacyReservedInstance, {
      customerId: SAMPLE_CUSTOMERS.legacyReservedInstance,
    });
    expect(r.props?.removable).toBe(false);
  });
});

describe("update", () => {
  test("makes no API call and returns the full outputs", async () => {
    const olds = {
      customerId: SAMPLE_CUSTOMERS.clean,
      relationshipToPartner: "reseller",
      companyName: "C",
      domain: "c.example",
    };
    const r = await dynamic.update(SAMPLE_CUSTOMERS.clean, olds, {
      customerId: SAMPLE_CUSTOMERS.clean,
      suspendActiveSubscriptions: true,
    });
    // A stack adopted before readiness was always present gets the "not assessed yet" values.
    expect(r.outs).toEqual({
      ...olds,
      suspendActiveSubscriptions: true,
      removable: null,
      removalBlockers: null,
    });
    expect(apiCalls()).toHaveLength(0);
  });

  test("keeps the readiness a refresh assessed", async () => {
    const olds = { customerId: SAMPLE_CUSTOMERS.clean, removable: false, removalBlockers: [] };
    const r = await dynamic.update(SAMPLE_CUSTOMERS.clean, olds, { customerId: SAMPLE_CUSTOMERS.clean });
    expect(r.outs).toMatchObject({ removable: false, removalBlockers: [] });
  });
});

describe("delete", () => {
  test("a clean customer: the lists in parallel (entitlements twice: all, and legacy VM reservations by type) and one PATCH, confirmed none", async () => {
    await dynamic.delete(SAMPLE_CUSTOMERS.clean, { customerId: SAMPLE_CUSTOMERS.clean });
    const calls = apiCalls();
    expect(calls).toHaveLength(4);
    expect(calls[3]?.method).toBe("PATCH");
  });
  test("the Azure plan in use is never suspended: nothing changes and 900115's advice is given", async () => {
    const id = SAMPLE_CUSTOMERS.azurePlan;
    await expect(dynamic.delete(id, { customerId: id, suspendActiveSubscriptions: true })).rejects.toThrow(
      /Azure plan.*900115/s,
    );
    expect(emulator.requests().filter((r) => r.method === "PATCH")).toHaveLength(0);
  });
  test("a response lost after the PATCH applied: the retry reuses the MS-RequestId and nothing applies twice", async () => {
    emulator.addFault({ match: { method: "PATCH" }, kind: "resetAfterApply", times: 1 });
    await dynamic.delete(SAMPLE_CUSTOMERS.inactiveOnly, { customerId: SAMPLE_CUSTOMERS.inactiveOnly });
    const patches = emulator.requests().filter((r) => r.method === "PATCH");
    expect(patches.length).toBeGreaterThanOrEqual(2);
    expect(new Set(patches.map((p) => p.requestId)).size).toBe(1);
    expect(patches.filter((r) => r.applied)).toHaveLength(1);
    expect(emulator.state().counters.relationshipsRemoved).toBe(1);
  });
  // Persistent PATCH failures (lost answers confirmed by a GET, unconfirmed removals) are in the fault matrix.
});
