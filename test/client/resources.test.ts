/** Customers, subscriptions, entitlements and relationship requests against the emulator's sample estate. */
import { SAMPLE_CUSTOMERS, SAMPLE_SUBSCRIPTIONS } from "../../packages/emulator/src";
import { ApiError, NotFoundError } from "../../provider/src/errors";
import { caught, emulatorAndClient } from "./helpers";

const env = emulatorAndClient();

describe("customers", () => {
  test("get: normalised id, company, relationship", async () => {
    const c = await env.client.customers.get(SAMPLE_CUSTOMERS.clean.toUpperCase());
    expect(c).toEqual({
      id: SAMPLE_CUSTOMERS.clean,
      companyName: "Contoso Clean Ltd",
      domain: "contosoclean.onmicrosoft.com",
      relationshipToPartner: "reseller",
    });
  });

  test("list follows every page", async () => {
    env.em.configure({ customerPageSize: 2 });
    const all = await env.client.customers.list();
    const related = env.em.state().customers.filter((c) => c.relationshipToPartner.toLowerCase() !== "none");
    expect(all.map((c) => c.id).sort()).toEqual(related.map((c) => c.id).sort());
    expect(env.em.requests().length).toBe(Math.ceil(related.length / 2));
  });

  test("removeRelationship: none confirmed, then the customer is gone", async () => {
    const c = await env.client.customers.removeRelationship(SAMPLE_CUSTOMERS.inactiveOnly);
    expect(c.relationshipToPartner).toBe("none");
    expect(await caught(env.client.customers.get(SAMPLE_CUSTOMERS.inactiveOnly))).toBeInstanceOf(
      NotFoundError,
    );
  });

  test("removeRelationship in PascalCase mode (the documented example response)", async () => {
    env.em.configure({ casing: "pascal" });
    const c = await env.client.customers.removeRelationship(SAMPLE_CUSTOMERS.clean);
    expect(c).toMatchObject({ id: "", relationshipToPartner: "none" });
  });

  test("removeRelationship refused with active subscriptions: ApiError 400 with the service's text", async () => {
    const e = (await caught(
      env.client.customers.removeRelationship(SAMPLE_CUSTOMERS.activeSubscriptions),
    )) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, partnerCenterCode: "3000" });
    expect(e.partnerCenterDescription).toContain("active subscriptions");
  });

  test("a PATCH whose answer was lost: the retry (same MS-RequestId, no replay) is refused, and the error says an attempt may have applied", async () => {
    env.em.addFault({ match: { method: "PATCH" }, kind: "resetAfterApply" });
    const e = (await caught(env.client.customers.removeRelationship(SAMPLE_CUSTOMERS.clean))) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, partnerCenterCode: "3000", attempts: 2, mayHaveApplied: true });
    const log = env.em.requests();
    expect(log).toHaveLength(2);
    expect(log[0]!.requestId).toBe(log[1]!.requestId);
    expect(log[1]!.replayed).toBe(false);
    expect(env.em.state().counters.relationshipsRemoved).toBe(1);
  });

  test("a refusal answered to the first attempt says nothing may have applied", async () => {
    const e = (await caught(
      env.client.customers.removeRelationship(SAMPLE_CUSTOMERS.activeSubscriptions),
    )) as ApiError;
    expect(e).toMatchObject({ status: 400, attempts: 1, mayHaveApplied: false });
  });
});

describe("subscriptions", () => {
  test("list follows links.next: 25 subscriptions over 3 pages, the active one on page 3", async () => {
    const subs = await env.client.subscriptions.list(SAMPLE_CUSTOMERS.paged);
    expect(subs).toHaveLength(25);
    expect(subs.filter((s) => s.status === "active").map((s) => s.id)).toEqual([
      SAMPLE_SUBSCRIPTIONS.pagedActive,
    ]);
    const log = env.em.requests();
    expect(log).toHaveLength(3);
    expect(new Set(log.map((r) => r.requestId)).size).toBe(3);
  });

  test("mapping: status lower-cased, new commerce and Azure plan heuristics", async () => {
    const subs = await env.client.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    const byId = new Map(subs.map((s) => [s.id, s]));
    expect(byId.get(SAMPLE_SUBSCRIPTIONS.legacyE3)).toMatchObject({
      status: "active",
      offerName: "Office 365 E3",
      isNewCommerce: false,
      isAzurePlan: false,
    });
    expect(byId.get(SAMPLE_SUBSCRIPTIONS.businessPremiumNce)).toMatchObject({
      status: "active",
      isNewCommerce: true,
    });
    expect(byId.get(SAMPLE_SUBSCRIPTIONS.suspendedVisio)?.status).toBe("suspended");
    // attributes.etag for legacy subscriptions; none for new commerce (as documented).
    expect(byId.get(SAMPLE_SUBSCRIPTIONS.legacyE3)?.etag).toBeTruthy();
    expect(byId.get(SAMPLE_SUBSCRIPTIONS.businessPremiumNce)?.etag).toBeUndefined();
    const plan = (await env.client.subscriptions.list(SAMPLE_CUSTOMERS.azurePlan)).find(
      (s) => s.id === SAMPLE_SUBSCRIPTIONS.azurePlan,
    );
    expect(plan).toMatchObject({ isAzurePlan: true, isNewCommerce: false });
  });

  test("Azure entitlements of an Azure plan", async () => {
    const list = await env.client.subscriptions.azureEntitlements(
      SAMPLE_CUSTOMERS.azurePlan,
      SAMPLE_SUBSCRIPTIONS.azurePlan,
    );
    expect(list.find((a) => a.id === SAMPLE_SUBSCRIPTIONS.azurePlanActiveAzureSubscription)?.status).toBe(
      "active",
    );
  });

  test("suspend: PATCH with If-Match returns the updated subscription; with a stale etag of one already suspended, it re-reads and sends nothing more", async () => {
    const subs = await env.client.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    const e3 = subs.find((s) => s.id === SAMPLE_SUBSCRIPTIONS.legacyE3)!;
    const updated = await env.client.subscriptions.suspend(SAMPLE_CUSTOMERS.activeSubscriptions, e3);
    expect(updated).toMatchObject({ id: e3.id, status: "suspended" });
    expect(updated.etag).not.toBe(e3.etag);
    env.em.clearRequests();
    const again = await env.client.subscriptions.suspend(SAMPLE_CUSTOMERS.activeSubscriptions, e3);
    expect(again.status).toBe("suspended");
    expect(env.em.requests().map((r) => [r.method, r.status])).toEqual([
      ["PATCH", 400],
      ["GET", 200],
    ]);
    expect(env.em.state().counters.subscriptionsUpdated).toBe(1);
  });

  test("suspend: a stale etag (400 2055) re-reads the subscription and retries once with the fresh etag", async () => {
    const subs = await env.client.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    const e3 = subs.find((s) => s.id === SAMPLE_SUBSCRIPTIONS.legacyE3)!;
    // Someone renames it meanwhile: a new etag, still active.
    env.em.configure({ staticAccessTokens: ["static-test-token"] });
    const renamed = await fetch(
      `${env.em.url}/v1/customers/${SAMPLE_CUSTOMERS.activeSubscriptions}/subscriptions/${e3.id}`,
      {
        method: "PATCH",
        headers: { Authorization: "Bearer static-test-token", "Content-Type": "application/json" },
        body: JSON.stringify({ friendlyName: "renamed" }),
      },
    );
    expect(renamed.status).toBe(200);
    env.em.clearRequests();
    const updated = await env.client.subscriptions.suspend(SAMPLE_CUSTOMERS.activeSubscriptions, e3);
    expect(updated).toMatchObject({ status: "suspended", friendlyName: "renamed" });
    expect(env.em.requests().map((r) => [r.method, r.status])).toEqual([
      ["PATCH", 400],
      ["GET", 200],
      ["PATCH", 200],
    ]);
  });

  test("suspend a new-commerce subscription (no etag): no If-Match is sent", async () => {
    const subs = await env.client.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    const nce = subs.find((s) => s.id === SAMPLE_SUBSCRIPTIONS.businessPremiumNce)!;
    expect(nce.etag).toBeUndefined();
    const updated = await env.client.subscriptions.suspend(SAMPLE_CUSTOMERS.activeSubscriptions, nce);
    expect(updated.status).toBe("suspended");
  });

  test("suspend in PascalCase mode keeps the service's spelling", async () => {
    env.em.configure({ casing: "pascal" });
    const subs = await env.client.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    const e3 = subs.find((s) => s.id === SAMPLE_SUBSCRIPTIONS.legacyE3)!;
    expect(Object.keys(e3.raw)).toContain("Status");
    const updated = await env.client.subscriptions.suspend(SAMPLE_CUSTOMERS.activeSubscriptions, e3);
    expect(updated.status).toBe("suspended");
  });
});

describe("entitlements", () => {
  test("list follows links.next: 12 over 2 pages, and reads the legacy VM reservations by type", async () => {
    const list = await env.client.entitlements.list(SAMPLE_CUSTOMERS.paged);
    expect(list).toHaveLength(12);
    expect(
      env.em
        .requests()
        .map((r) => r.query)
        .sort(),
    ).toEqual([
      "entitlementType=virtualmachinereservedinstance&showExpiry=true",
      "showExpiry=true",
      "showExpiry=true",
    ]);
  });

  test("reserved instances keep their type as sent, legacy and new", async () => {
    const legacy = await env.client.entitlements.list(SAMPLE_CUSTOMERS.legacyReservedInstance);
    expect(legacy.map((e) => e.entitlementType.toLowerCase())).toContain("virtualmachinereservedinstance");
    const ri = await env.client.entitlements.list(SAMPLE_CUSTOMERS.reservedInstance);
    const found = ri.find((e) => e.entitlementType.toLowerCase() === "reservedinstance");
    expect(found?.id).toBeTruthy();
  });

  test("no relationship: NotFoundError", async () => {
    expect(await caught(env.client.entitlements.list(SAMPLE_CUSTOMERS.noRelationship))).toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe("relationship requests", () => {
  test("the invitation link, direct and indirect", async () => {
    const url = await env.client.relationshipRequests.getInvitationUrl();
    expect(url).toMatch(/^https:\/\/admin\.microsoft\.com\/.*invType=ResellerRelationship/);
    const indirect = "abababab-0000-4000-8000-000000000001";
    await env.client.relationshipRequests.getInvitationUrl({ indirectResellerId: indirect });
    expect(env.em.requests()[1]!.query).toBe(`indirectResellerId=${indirect}`);
  });
});
