/** Customers: list paging, GET by id in both casings, the invitation link, removing the relationship. */
import { removalResponse } from "../contract/corpus";
import { SAMPLE_CUSTOMERS, syntheticEstate } from "../../packages/emulator/src";
import { all, call, PARTNER, sharedEmulator } from "./helpers";

const shared = sharedEmulator();

const removeBody = { relationshipToPartner: "none", attributes: { objectType: "Customer" } };
const remove = (id: string, headers: Record<string, string> = {}) =>
  call(shared.em.url, shared.token, `/v1/customers/${id}`, { method: "PATCH", body: removeBody, headers });

describe("GET /v1/customers", () => {
  test("pages with links.next and the MS-ContinuationToken header; unrelated tenants are not listed", async () => {
    const first = await call(shared.em.url, shared.token, "/v1/customers?size=3");
    expect(first.status).toBe(200);
    expect(first.json.totalCount).toBe(3);
    expect(first.json.attributes).toEqual({ objectType: "Collection" });
    expect(first.json.links.next).toEqual({
      uri: "/v1/customers?size=3",
      method: "GET",
      headers: [{ key: "MS-ContinuationToken", value: expect.any(String) }],
    });
    // Without the header the same URI gives the first page again.
    const again = await call(shared.em.url, shared.token, first.json.links.next.uri);
    expect(again.json.items[0].id).toBe(first.json.items[0].id);
    const { items, pages } = await all(shared.em.url, shared.token, "/v1/customers?size=3");
    // 13 reseller customers (the sample estate), 3 a page.
    expect(pages).toBe(5);
    expect(items).toHaveLength(13);
    expect(new Set(items.map((c) => c.id)).size).toBe(13);
    expect(items.map((c) => c.id)).not.toContain(SAMPLE_CUSTOMERS.noRelationship);
  });

  test("default page size 100 over a synthetic estate, and a bad continuation token is 400", async () => {
    shared.em.loadEstate(syntheticEstate({ count: 250 }));
    const { items, pages } = await all(shared.em.url, shared.token, "/v1/customers");
    expect(pages).toBe(3);
    expect(items).toHaveLength(250);
    const bad = await call(shared.em.url, shared.token, "/v1/customers", {
      headers: { "MS-ContinuationToken": "garbage" },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe("3000");
  });
});

describe("GET /v1/customers/{id}", () => {
  test("camelCase customer, id matched case-insensitively", async () => {
    const r = await call(
      shared.em.url,
      shared.token,
      `/v1/customers/${SAMPLE_CUSTOMERS.clean.toUpperCase()}`,
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      id: SAMPLE_CUSTOMERS.clean,
      commerceId: expect.any(String),
      companyProfile: {
        tenantId: SAMPLE_CUSTOMERS.clean,
        domain: "contosoclean.onmicrosoft.com",
        companyName: "Contoso Clean Ltd",
      },
      billingProfile: expect.any(Object),
      relationshipToPartner: "reseller",
      allowDelegatedAccess: true,
      customDomains: expect.any(Array),
      links: { self: expect.any(Object) },
      attributes: { objectType: "Customer" },
    });
  });

  test("pascal casing renames every property, deep, and leaves values alone", async () => {
    shared.em.configure({ casing: "pascal" });
    const r = await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    expect(r.json).toMatchObject({
      Id: SAMPLE_CUSTOMERS.clean,
      CompanyProfile: { TenantId: SAMPLE_CUSTOMERS.clean, CompanyName: "Contoso Clean Ltd" },
      RelationshipToPartner: "reseller",
      Attributes: { ObjectType: "Customer" },
    });
    expect(r.json).not.toHaveProperty("id");
    const ents = await call(
      shared.em.url,
      shared.token,
      `/v1/customers/${SAMPLE_CUSTOMERS.legacyReservedInstance}/entitlements?entitlementType=virtualmachinereservedinstance`,
    );
    expect(ents.json.Items[0].EntitlementType).toBe("VirtualMachineReservedInstance");
  });

  test("unknown tenant 404 60003; unrelated tenant 403 20002 by default, 404 1000 when configured", async () => {
    const unknown = await call(
      shared.em.url,
      shared.token,
      "/v1/customers/99999999-9999-4999-8999-999999999999",
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: "60003", source: "PartnerFD" });
    const unrelated = await call(
      shared.em.url,
      shared.token,
      `/v1/customers/${SAMPLE_CUSTOMERS.noRelationship}`,
    );
    expect(unrelated.status).toBe(403);
    expect(unrelated.json.code).toBe("20002");
    shared.em.configure({ unrelatedCustomerStatus: 404 });
    const asNotFound = await call(
      shared.em.url,
      shared.token,
      `/v1/customers/${SAMPLE_CUSTOMERS.noRelationship}`,
    );
    expect(asNotFound.status).toBe(404);
    expect(asNotFound.json.code).toBe("1000");
  });
});

describe("GET /v1/customers/relationshiprequests", () => {
  test("the invitation link, with indirectCSPId for an indirect reseller", async () => {
    const r = await call(shared.em.url, shared.token, "/v1/customers/relationshiprequests");
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      url: `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${PARTNER}&msppId=0&DAP=false#/BillingAccounts/partner-invitation`,
      attributes: { objectType: "RelationshipRequest" },
    });
    const indirect = "99999999-9999-4999-8999-999999999999";
    const i = await call(
      shared.em.url,
      shared.token,
      `/v1/customers/relationshiprequests?indirectResellerId=${indirect}`,
    );
    expect(i.json.url).toBe(
      `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${PARTNER}&msppId=0&DAP=false&indirectCSPId=${indirect}#/BillingAccounts/partner-invitation`,
    );
    expect(
      (await call(shared.em.url, shared.token, "/v1/customers/relationshiprequests?indirectResellerId=x"))
        .status,
    ).toBe(400);
  });
});

describe("PATCH /v1/customers/{id}: remove the reseller relationship", () => {
  test("pascal mode answers exactly the documented example body", async () => {
    shared.em.configure({ casing: "pascal" });
    const r = await remove(SAMPLE_CUSTOMERS.clean);
    expect(r.status).toBe(200);
    expect(r.json).toEqual(removalResponse);
    expect(Object.keys(r.json)).toEqual([
      "Id",
      "CommerceId",
      "CompanyProfile",
      "BillingProfile",
      "RelationshipToPartner",
      "AllowDelegatedAccess",
      "UserCredentials",
      "CustomDomains",
      "AssociatedPartnerId",
      "Attributes",
    ]);
  });

  test("the .NET SDK's PascalCase body with nulls is accepted; afterwards the customer is gone (404 1000, not listed)", async () => {
    const sdkBody = {
      Id: null,
      CompanyProfile: null,
      RelationshipToPartner: "none",
      Attributes: { ObjectType: "Customer" },
    };
    const r = await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.inactiveOnly}`, {
      method: "PATCH",
      body: sdkBody,
    });
    expect(r.status).toBe(200);
    // PascalCase, as the documented example.
    expect(r.json).toMatchObject({
      Id: null,
      RelationshipToPartner: "none",
      Attributes: { ObjectType: "Customer" },
    });
    const gone = await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.inactiveOnly}`);
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe("1000");
    expect(
      (
        await call(
          shared.em.url,
          shared.token,
          `/v1/customers/${SAMPLE_CUSTOMERS.inactiveOnly}/subscriptions`,
        )
      ).status,
    ).toBe(404);
    const { items } = await all(shared.em.url, shared.token, "/v1/customers");
    expect(items.map((c) => c.id)).not.toContain(SAMPLE_CUSTOMERS.inactiveOnly);
    expect(
      shared.em.state().customers.find((c) => c.id === SAMPLE_CUSTOMERS.inactiveOnly)?.relationshipToPartner,
    ).toBe("none");
    expect(shared.em.requests().at(0)).toMatchObject({ method: "PATCH", applied: true, status: 200 });
  });

  test("removedCustomerStatus 403: the removed customer answers 403 20002", async () => {
    shared.em.configure({ removedCustomerStatus: 403 });
    expect((await remove(SAMPLE_CUSTOMERS.clean)).status).toBe(200);
    const r = await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    expect(r.status).toBe(403);
    expect(r.json.code).toBe("20002");
  });

  test("refused while reserved instances, an active Azure plan or active subscriptions remain; nothing changes", async () => {
    const cases: [string, RegExp][] = [
      [
        SAMPLE_CUSTOMERS.legacyReservedInstance,
        /active Azure reserved instances\.Please cancel the following orders: adatum-ri-order-1$/,
      ],
      [SAMPLE_CUSTOMERS.reservedInstance, /reserved instances.*litware-ri-order-1/],
      [SAMPLE_CUSTOMERS.azurePlan, /reserved instances.*0bed3bbca6c/],
      [
        SAMPLE_CUSTOMERS.activeSubscriptions,
        /active subscriptions.*22222222-0000-4000-8000-000000000001, 22222222-0000-4000-8000-000000000002$/,
      ],
      [SAMPLE_CUSTOMERS.paged, /active subscriptions.*77777777-0000-4000-8000-000000000025/],
    ];
    for (const [id, text] of cases) {
      const r = await remove(id);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({
        code: "3000",
        description: expect.stringMatching(text),
        source: "PartnerFD",
      });
      expect(
        (await call(shared.em.url, shared.token, `/v1/customers/${id}`)).json.relationshipToPartner,
      ).toBe("reseller");
    }
    expect(shared.em.state().counters.patchesApplied).toBe(0);
  });

  test("any other body is 400 3000; a tenant without a relationship is 400 3000 'does not exist'", async () => {
    const bodies: unknown[] = [
      { relationshipToPartner: "reseller" },
      { relationshipToPartner: "none", companyProfile: { companyName: "x" } },
      { attributes: { objectType: "Customer" } },
      { relationshipToPartner: "none", attributes: { objectType: "Subscription" } },
      "not json",
      [],
    ];
    for (const body of bodies) {
      const r = await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}`, {
        method: "PATCH",
        body,
      });
      expect(r.status).toBe(400);
      expect(r.json.code).toBe("3000");
    }
    const none = await remove(SAMPLE_CUSTOMERS.noRelationship);
    expect(none.status).toBe(400);
    expect(none.json.description).toMatch(/relationship between the partner and customer does not exist/);
  });

  test("by default a repeated MS-RequestId is processed again (no replay is documented): 400 3000", async () => {
    const headers = { "MS-RequestId": "6f9f2a3e-2222-4d51-9113-781ca87b8380" };
    expect((await remove(SAMPLE_CUSTOMERS.clean, headers)).status).toBe(200);
    const again = await remove(SAMPLE_CUSTOMERS.clean, headers);
    expect(again.status).toBe(400);
    expect(again.json.code).toBe("3000");
    expect(shared.em.requests().map((e) => e.replayed)).toEqual([false, false]);
  });

  test("with replayRequestIds, a repeated MS-RequestId replays the first answer and is not applied twice", async () => {
    shared.em.configure({ replayRequestIds: true });
    const headers = { "MS-RequestId": "6f9f2a3e-1111-4d51-9113-781ca87b8380" };
    const first = await remove(SAMPLE_CUSTOMERS.clean, headers);
    const second = await remove(SAMPLE_CUSTOMERS.clean, headers);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    const log = shared.em.requests();
    expect(log.map((e) => [e.applied, e.replayed])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(shared.em.state().counters).toMatchObject({
      patchesApplied: 1,
      relationshipsRemoved: 1,
      replays: 1,
    });
    // A new logical request (new MS-RequestId) is processed: the relationship no longer exists.
    expect((await remove(SAMPLE_CUSTOMERS.clean)).status).toBe(400);
  });
});

describe("acceptInvitation", () => {
  test("turns the unrelated tenant into a reseller customer; also after a removal; via the admin API too", async () => {
    shared.em.acceptInvitation(SAMPLE_CUSTOMERS.noRelationship.toUpperCase());
    const r = await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.noRelationship}`);
    expect(r.status).toBe(200);
    expect(r.json.relationshipToPartner).toBe("reseller");
    expect((await all(shared.em.url, shared.token, "/v1/customers")).items).toHaveLength(14);

    await remove(SAMPLE_CUSTOMERS.clean);
    const admin = await fetch(`${shared.em.url}/_emulator/customers/${SAMPLE_CUSTOMERS.clean}/accept`, {
      method: "POST",
    });
    expect(admin.status).toBe(200);
    expect((await call(shared.em.url, shared.token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}`)).status).toBe(
      200,
    );
    expect(() => shared.em.acceptInvitation("99999999-9999-4999-8999-999999999999")).toThrow(/no tenant/);
  });
});
