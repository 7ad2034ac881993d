/** `GET /v1/customers/relationshiprequests` (routes/relationship-requests.ts): the reseller invitation link. */
import { call, PARTNER, sharedEmulator } from "./helpers";

const shared = sharedEmulator();

test("names the partner (the configured one when set), and is not taken for a customer id", async () => {
  const r = await call(shared.em.url, shared.token, "/v1/customers/relationshiprequests");
  expect(r.json.url).toContain(`partnerId=${PARTNER}&`);
  expect(shared.em.requests().at(-1)!.customerId).toBeNull();
  const other = "0b0b0b0b-0000-4000-8000-00000000000b";
  shared.em.configure({ partnerTenantId: other });
  expect((await call(shared.em.url, shared.token, "/v1/customers/relationshiprequests")).json.url).toContain(
    `partnerId=${other}&`,
  );
});

test("a non-GUID indirectResellerId is 400 code 3000 in Partner Center's shape; only GET", async () => {
  const r = await call(
    shared.em.url,
    shared.token,
    "/v1/customers/relationshiprequests?indirectResellerId=x",
  );
  expect(r.status).toBe(400);
  expect(r.json).toMatchObject({ code: "3000", source: "PartnerFD" });
  const post = await call(shared.em.url, shared.token, "/v1/customers/relationshiprequests", {
    method: "POST",
    body: {},
  });
  expect([post.status, post.headers.get("allow")]).toEqual([405, "GET"]);
});
