/** Entitlements (routes/entitlements.ts): a customer's entitlements and an Azure plan's Azure subscriptions. */
import { SAMPLE_CUSTOMERS, SAMPLE_SUBSCRIPTIONS } from "../../packages/emulator/src";
import { call, sharedEmulator } from "./helpers";

const shared = sharedEmulator();

test('the legacy VM reservation is listed only when asked for by type ("Get a collection of entitlements")', async () => {
  const id = SAMPLE_CUSTOMERS.legacyReservedInstance;
  const plain = await call(shared.em.url, shared.token, `/v1/customers/${id}/entitlements`);
  const types = (plain.json.items as { entitlementType: string }[]).map((e) =>
    e.entitlementType.toLowerCase(),
  );
  expect(types).not.toContain("virtualmachinereservedinstance");
  const vm = await call(
    shared.em.url,
    shared.token,
    `/v1/customers/${id}/entitlements?entitlementType=virtualmachinereservedinstance`,
  );
  expect(vm.json.items).toHaveLength(1);
  expect(vm.json.items[0]).toMatchObject({ referenceOrder: { id: "adatum-ri-order-1" } });
  expect(vm.json.items[0].expiryDate).toBeUndefined();
});

test("an unrelated tenant is 403 20002 and an unknown subscription 404 20003, in Partner Center's shape", async () => {
  const unrelated = await call(
    shared.em.url,
    shared.token,
    `/v1/customers/${SAMPLE_CUSTOMERS.noRelationship}/entitlements`,
  );
  expect([unrelated.status, unrelated.json.code, unrelated.json.source]).toEqual([403, "20002", "PartnerFD"]);
  const missing = await call(
    shared.em.url,
    shared.token,
    `/v1/customers/${SAMPLE_CUSTOMERS.azurePlan}/subscriptions/nope/azureEntitlements`,
  );
  expect([missing.status, missing.json.code]).toEqual([404, "20003"]);
  const plan = await call(
    shared.em.url,
    shared.token,
    `/v1/customers/${SAMPLE_CUSTOMERS.azurePlan}/subscriptions/${SAMPLE_SUBSCRIPTIONS.azurePlan}/azureEntitlements`,
  );
  expect(plan.json.totalCount).toBe(plan.json.items.length);
});
