/** `.../delegatedAdminRelationships[/{id}]` (routes/gdap/relationships.ts), in Graph's error shape. */
import { CUSTOMER, HELPDESK, roles, session, type GraphSession } from "./graph";

let s: GraphSession;
beforeEach(async () => {
  s = await session();
});
afterEach(() => s.em.close());

test("create: 201, Location, @odata.etag, status created; the list filters by customer and pages with @odata.nextLink", async () => {
  const body = {
    displayName: "a",
    duration: "P730D",
    customer: { tenantId: CUSTOMER },
    accessDetails: roles(HELPDESK),
  };
  const r = await s.graph("", { method: "POST", body });
  expect(r.status).toBe(201);
  expect(r.headers.get("location")).toMatch(new RegExp(`/delegatedAdminRelationships/${r.json.id}$`));
  expect(r.json).toMatchObject({ status: "created", "@odata.etag": expect.stringMatching(/^W\//) });
  await s.graph("", { method: "POST", body: { ...body, displayName: "b" } });
  s.em.gdap.pageSize = 1;
  const first = await s.graph(`?$filter=${encodeURIComponent(`customer/tenantId eq '${CUSTOMER}'`)}`);
  expect(first.json.value).toHaveLength(1);
  const next = new URL(first.json["@odata.nextLink"]);
  expect(next.searchParams.get("$filter")).toBe(`customer/tenantId eq '${CUSTOMER}'`);
  const none = await s.graph(
    `?$filter=${encodeURIComponent("customer/tenantId eq '99999999-9999-4999-8999-999999999999'")}`,
  );
  expect(none.json.value).toEqual([]);
});

test("bad input is 400 in Graph's shape, naming the field; $top above 300 is refused", async () => {
  const r = await s.graph("", {
    method: "POST",
    body: { displayName: "a", duration: "P3Y", accessDetails: roles(HELPDESK) },
  });
  expect(r.status).toBe(400);
  expect(r.json.error).toMatchObject({ code: "BadRequest", message: expect.stringMatching(/^duration/) });
  expect((await s.graph("?$top=301")).status).toBe(400);
});

test("DELETE needs If-Match and the created status; an unknown id is 404 ResourceNotFound", async () => {
  const rel = await s.relationship("a");
  expect((await s.graph(`/${rel.id}`, { method: "DELETE" })).json.error.code).toBe("Request_BadRequest");
  const stale = await s.graph(`/${rel.id}`, { method: "DELETE", headers: { "If-Match": 'W/"old"' } });
  expect(stale.status).toBe(412);
  const gone = await s.graph(`/${rel.id}`, { method: "DELETE", headers: { "If-Match": rel["@odata.etag"] } });
  expect(gone.status).toBe(204);
  const missing = await s.graph(`/${rel.id}`);
  expect([missing.status, missing.json.error.code]).toEqual([404, "ResourceNotFound"]);
});
