/** Subscriptions (paging, suspension with If-Match, cancellation), entitlements and Azure entitlements. */
import { SAMPLE_CUSTOMERS, SAMPLE_SUBSCRIPTIONS } from "../../packages/emulator/src";
import { all, call, sharedEmulator } from "./helpers";

const shared = sharedEmulator();

const subPath = (c: string, s: string) => `/v1/customers/${c}/subscriptions/${s}`;
async function getSub(c: string, s: string) {
  const r = await call(shared.em.url, shared.token, subPath(c, s));
  expect(r.status).toBe(200);
  return r.json;
}
/** PATCH the full resource with a new status; If-Match (quoted) only when it has an etag, as the client does. */
function patchStatus(
  c: string,
  sub: { id: string; attributes: { etag?: string } },
  status: string,
  extra: Record<string, string> = {},
) {
  const etag = sub.attributes.etag;
  return call(shared.em.url, shared.token, subPath(c, sub.id), {
    method: "PATCH",
    body: { ...sub, status },
    headers: { ...(etag !== undefined && { "If-Match": `"${etag}"` }), ...extra },
  });
}

describe("GET subscriptions", () => {
  test("unpaged by default, with the documented fields", async () => {
    const r = await call(
      shared.em.url,
      shared.token,
      `/v1/customers/${SAMPLE_CUSTOMERS.activeSubscriptions}/subscriptions`,
    );
    expect(r.status).toBe(200);
    expect(r.json.totalCount).toBe(3);
    expect(r.json.links.next).toBeUndefined();
    const nce = r.json.items.find((s: { id: string }) => s.id === SAMPLE_SUBSCRIPTIONS.businessPremiumNce);
    expect(nce).toMatchObject({
      offerId: expect.any(String),
      offerName: "Microsoft 365 Business Premium",
      friendlyName: expect.any(String),
      quantity: 10,
      unitType: "Licenses",
      creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT00:00:00Z$/),
      effectiveStartDate: expect.any(String),
      commitmentEndDate: expect.any(String),
      status: "active",
      autoRenewEnabled: true,
      billingType: "license",
      productType: { id: "OnlineServicesNCE", displayName: "OnlineServicesNCE" },
      termDuration: "P1M",
      links: expect.any(Object),
      // New commerce: no etag anywhere, as in Microsoft's new-commerce examples.
      attributes: { objectType: "Subscription" },
    });
    for (const s of r.json.items) expect(s).not.toHaveProperty("etag");
    const legacy = r.json.items.find((s: { id: string }) => s.id === SAMPLE_SUBSCRIPTIONS.legacyE3);
    expect(legacy.attributes).toEqual({ etag: expect.any(String), objectType: "Subscription" });
  });

  test("the paged customer: pages of 10, the only active subscription on page 3", async () => {
    const path = `/v1/customers/${SAMPLE_CUSTOMERS.paged}/subscriptions`;
    const first = await call(shared.em.url, shared.token, path);
    expect(first.json.totalCount).toBe(10);
    expect(first.json.items.some((s: { status: string }) => s.status === "active")).toBe(false);
    expect(first.json.links.next.headers[0].key).toBe("MS-ContinuationToken");
    const { items, pages } = await all(shared.em.url, shared.token, path);
    expect(pages).toBe(3);
    expect(items).toHaveLength(25);
    expect(items.filter((s) => s.status === "active").map((s) => s.id)).toEqual([
      SAMPLE_SUBSCRIPTIONS.pagedActive,
    ]);
    expect(items.findIndex((s) => s.status === "active")).toBe(24);
  });

  test("a global subscriptionPageSize pages every customer", async () => {
    shared.em.configure({ subscriptionPageSize: 2 });
    const { pages, items } = await all(
      shared.em.url,
      shared.token,
      `/v1/customers/${SAMPLE_CUSTOMERS.activeSubscriptions}/subscriptions`,
    );
    expect([pages, items.length]).toEqual([2, 3]);
  });
});

describe("PATCH a subscription", () => {
  const fab = SAMPLE_CUSTOMERS.activeSubscriptions;

  test("suspend with the etag: new etag (PascalCase answer, as documented); a stale one is 400 2055; If-Match is optional", async () => {
    const sub = await getSub(fab, SAMPLE_SUBSCRIPTIONS.legacyE3);
    const r = await patchStatus(fab, sub, "suspended");
    expect(r.status).toBe(200);
    expect(r.json.Status).toBe("suspended");
    expect(r.json).not.toHaveProperty("Etag");
    expect(r.json.Attributes.Etag).not.toBe(sub.attributes.etag);
    expect((await getSub(fab, SAMPLE_SUBSCRIPTIONS.legacyE3)).status).toBe("suspended");

    const stale = await patchStatus(fab, sub, "active");
    expect(stale.status).toBe(400);
    expect(stale.json).toMatchObject({
      code: "2055",
      description: "Etag is no longer valid",
      source: "PartnerFD",
    });
    expect((await getSub(fab, SAMPLE_SUBSCRIPTIONS.legacyE3)).status).toBe("suspended");
    // An unquoted current etag is accepted too; PascalCase property names too.
    const unquoted = await call(shared.em.url, shared.token, subPath(fab, sub.id), {
      method: "PATCH",
      body: { Status: "active" },
      headers: { "If-Match": r.json.Attributes.Etag },
    });
    expect(unquoted.status).toBe(200);
    expect(unquoted.json.Status).toBe("active");
    // No If-Match at all: the REST reference lists none, so the update is made.
    const missing = await call(shared.em.url, shared.token, subPath(fab, sub.id), {
      method: "PATCH",
      body: { status: "suspended" },
    });
    expect(missing.status).toBe(200);
    expect(missing.json.Status).toBe("suspended");
  });

  test("suspending every active subscription is not enough while a new-commerce one is only suspended: 400 800063; cancelled, the relationship is removable", async () => {
    for (const id of [SAMPLE_SUBSCRIPTIONS.legacyE3, SAMPLE_SUBSCRIPTIONS.businessPremiumNce]) {
      expect((await patchStatus(fab, await getSub(fab, id), "suspended")).status).toBe(200);
    }
    const remove = () =>
      call(shared.em.url, shared.token, `/v1/customers/${fab}`, {
        method: "PATCH",
        body: { relationshipToPartner: "none" },
      });
    const refused = await remove();
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe("800063");
    expect(refused.json.description).toContain(SAMPLE_SUBSCRIPTIONS.businessPremiumNce);
    const nce = await getSub(fab, SAMPLE_SUBSCRIPTIONS.businessPremiumNce);
    expect((await patchStatus(fab, nce, "deleted")).status).toBe(200);
    expect((await remove()).status).toBe(200);
    expect(shared.em.state().counters).toMatchObject({
      subscriptionsUpdated: 3,
      relationshipsRemoved: 1,
      patchesApplied: 4,
    });
  });

  test("the Azure plan with an active Azure subscription: 403 900115, unchanged", async () => {
    const plan = await getSub(SAMPLE_CUSTOMERS.azurePlan, SAMPLE_SUBSCRIPTIONS.azurePlan);
    expect(plan).toMatchObject({ billingType: "usage", productType: { id: "Azure" } });
    const r = await patchStatus(SAMPLE_CUSTOMERS.azurePlan, plan, "suspended");
    expect(r.status).toBe(403);
    expect(r.json.code).toBe("900115");
    expect(r.json.description).toContain(SAMPLE_SUBSCRIPTIONS.azurePlanActiveAzureSubscription);
    expect((await getSub(SAMPLE_CUSTOMERS.azurePlan, SAMPLE_SUBSCRIPTIONS.azurePlan)).status).toBe("active");
  });

  test("from deleted (or expired) nothing changes: 400 800091", async () => {
    const nw = SAMPLE_CUSTOMERS.inactiveOnly;
    for (const [id, to] of [
      [SAMPLE_SUBSCRIPTIONS.northwindDeleted, "suspended"],
      [SAMPLE_SUBSCRIPTIONS.northwindDeleted, "active"],
      [SAMPLE_SUBSCRIPTIONS.northwindExpired, "active"],
    ] as const) {
      const r = await patchStatus(nw, await getSub(nw, id), to);
      expect(r.status).toBe(400);
      expect(r.json.code).toBe("800091");
    }
  });

  test("cancel (status deleted): new commerce inside its window only, else 400 900117", async () => {
    const nce = await patchStatus(fab, await getSub(fab, SAMPLE_SUBSCRIPTIONS.businessPremiumNce), "deleted");
    expect(nce.status).toBe(200);
    expect(nce.json.Status).toBe("deleted");
    const legacy = await patchStatus(fab, await getSub(fab, SAMPLE_SUBSCRIPTIONS.legacyE3), "deleted");
    expect(legacy.status).toBe(400);
    expect(legacy.json.code).toBe("900117");
    const nw = SAMPLE_CUSTOMERS.suspendedNewCommerceLocked;
    const late = await patchStatus(
      nw,
      await getSub(nw, SAMPLE_SUBSCRIPTIONS.datumSuspendedLockedNce),
      "deleted",
    );
    expect(late.status).toBe(400);
    expect(late.json.code).toBe("900117");
    expect(late.json.description).toMatch(/window ended/);
  });

  test("unknown subscription 404 20003; an invalid status 400 3000", async () => {
    const unknown = await call(
      shared.em.url,
      shared.token,
      subPath(fab, "00000000-0000-4000-8000-000000000000"),
      {
        method: "PATCH",
        body: { status: "suspended" },
        headers: { "If-Match": "x" },
      },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe("20003");
    const bad = await patchStatus(fab, await getSub(fab, SAMPLE_SUBSCRIPTIONS.legacyE3), "paused");
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe("3000");
  });

  test("with replayRequestIds, a repeated MS-RequestId replays the same subscription (same etag), applied once", async () => {
    shared.em.configure({ replayRequestIds: true });
    const sub = await getSub(fab, SAMPLE_SUBSCRIPTIONS.legacyE3);
    const headers = { "MS-RequestId": "1c1c1c1c-0000-4000-8000-000000000001" };
    const a = await patchStatus(fab, sub, "suspended", headers);
    const b = await patchStatus(fab, sub, "suspended", headers); // the old etag: a replay, not a 2055
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.json.Attributes.Etag).toBe(a.json.Attributes.Etag);
    expect(shared.em.state().counters.subscriptionsUpdated).toBe(1);
  });
});

describe("entitlements", () => {
  test("filter by entitlementType case-insensitively; the estate's casing is served", async () => {
    const base = `/v1/customers/${SAMPLE_CUSTOMERS.legacyReservedInstance}/entitlements`;
    // "Get a collection of entitlements", API Consumers: legacy VM reservations only when asked for by type.
    const everything = await call(shared.em.url, shared.token, base);
    expect(everything.json.totalCount).toBe(1);
    expect(everything.json.items[0].entitlementType).toBe("software");
    const ri = await call(
      shared.em.url,
      shared.token,
      `${base}?entitlementType=virtualmachinereservedinstance`,
    );
    expect(ri.json.items).toHaveLength(1);
    expect(ri.json.items[0]).toMatchObject({
      entitlementType: "VirtualMachineReservedInstance",
      referenceOrder: { id: "adatum-ri-order-1", lineItemId: "0", alternateId: expect.any(String) },
      productId: expect.any(String),
      skuId: expect.any(String),
      quantity: 1,
      quantityDetails: [{ quantity: 1, status: "Active" }],
      entitledArtifacts: [
        { artifactType: "reservedinstance", dynamicAttributes: { reservationType: "virtualmachines" } },
      ],
      fulfillmentState: expect.any(String),
    });
    expect(ri.json.items[0]).not.toHaveProperty("expiryDate");
    const litware = await call(
      shared.em.url,
      shared.token,
      `/v1/customers/${SAMPLE_CUSTOMERS.reservedInstance}/entitlements?entitlementType=RESERVEDINSTANCE`,
    );
    expect(litware.json.items.map((e: { entitlementType: string }) => e.entitlementType)).toEqual([
      "reservedInstance",
    ]);
  });

  test("showExpiry=true adds expiryDate", async () => {
    const r = await call(
      shared.em.url,
      shared.token,
      `/v1/customers/${SAMPLE_CUSTOMERS.reservedInstance}/entitlements?showExpiry=true`,
    );
    expect(r.json.items[0].expiryDate).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  test("the paged customer's 12 entitlements come in pages of 10; next keeps the filter", async () => {
    const path = `/v1/customers/${SAMPLE_CUSTOMERS.paged}/entitlements?entitlementType=software`;
    const first = await call(shared.em.url, shared.token, path);
    expect(first.json.totalCount).toBe(10);
    expect(first.json.links.next.uri).toBe(path);
    const { items, pages } = await all(shared.em.url, shared.token, path);
    expect([pages, items.length]).toEqual([2, 12]);
  });
});

describe("azureEntitlements", () => {
  test("the Azure plan's Azure subscriptions; unknown subscription 404 20003", async () => {
    const r = await call(
      shared.em.url,
      shared.token,
      `${subPath(SAMPLE_CUSTOMERS.azurePlan, SAMPLE_SUBSCRIPTIONS.azurePlan)}/azureEntitlements`,
    );
    expect(r.status).toBe(200);
    expect(r.json.attributes).toEqual({ objectType: "Collection" });
    expect(r.json.items).toContainEqual({
      id: SAMPLE_SUBSCRIPTIONS.azurePlanActiveAzureSubscription,
      friendlyName: "Tailspin Production",
      status: "active",
      subscriptionId: SAMPLE_SUBSCRIPTIONS.azurePlanActiveAzureSubscription,
    });
    const missing = await call(
      shared.em.url,
      shared.token,
      `${subPath(SAMPLE_CUSTOMERS.azurePlan, "nope")}/azureEntitlements`,
    );
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe("20003");
  });
});
