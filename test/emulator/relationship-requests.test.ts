/** `GET /v1/customers/relationshiprequests` (routes/relationship-requests.ts): the reseller invitation link. */
import type { Emulator } from "../../packages/emulator/src";
import { accessToken, call, PARTNER, start } from "./helpers";

let em: Emulator;
let token: string;
beforeAll(async () => {
  em = await start();
  token = await accessToken(em.url);
});
afterAll(() => em.close());

test("names the partner (the configured one when set), and is not taken for a customer id", async () => {
  const r = await call(em.url, token, "/v1/customers/relationshiprequests");
  expect(r.json.url).toContain(`partnerId=${PARTNER}&`);
  expect(em.requests().at(-1)!.customerId).toBeNull();
  const other = "0b0b0b0b-0000-4000-8000-00000000000b";
  em.configure({ partnerTenantId: other });
  expect((await call(em.url, token, "/v1/customers/relationshiprequests")).json.url).toContain(
    `partnerId=${other}&`,
  );
  em.reset();
});

test("a non-GUID indirectResellerId is 400 code 3000 in Partner Center's shape; only GET", async () => {
  const r = await call(em.url, token, "/v1/customers/relationshiprequests?indirectResellerId=x");
  expect(r.status).toBe(400);
  expect(r.json).toMatchObject({ code: "3000", source: "PartnerFD" });
  const post = await call(em.url, token, "/v1/customers/relationshiprequests", { method: "POST", body: {} });
  expect([post.status, post.headers.get("allow")]).toEqual([405, "GET"]);
});
