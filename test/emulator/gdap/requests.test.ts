/** `.../delegatedAdminRelationships/{id}/requests` (routes/gdap/requests.ts): lock for approval and terminate. */
import { session, type GraphSession } from "./graph";

let s: GraphSession;
beforeEach(async () => {
  s = await session();
});
afterEach(() => s.em.close());

test("lockForApproval answers 201 status created; the relationship moves afterwards, not within the answer", async () => {
  const rel = await s.relationship("a");
  s.em.gdap.asyncMs = 60_000;
  const r = await s.graph(`/${rel.id}/requests`, { method: "POST", body: { action: "lockForApproval" } });
  expect(r.status).toBe(201);
  expect(r.json).toMatchObject({ action: "lockForApproval", status: "created" });
  expect(r.headers.get("location")).toMatch(new RegExp(`/requests/${r.json.id}$`));
  expect((await s.graph(`/${rel.id}`)).json.status).toBe("created");
  expect((await s.graph(`/${rel.id}/requests/${r.json.id}`)).json.status).toBe("succeeded");
});

test("terminate is refused outside active (400 Request_BadRequest); another action is 400 BadRequest", async () => {
  const rel = await s.relationship("a");
  const t = await s.graph(`/${rel.id}/requests`, { method: "POST", body: { action: "terminate" } });
  expect([t.status, t.json.error.code]).toEqual([400, "Request_BadRequest"]);
  expect(t.json.error.message).toMatch(/delete it instead/);
  const odd = await s.graph(`/${rel.id}/requests`, { method: "POST", body: { action: "approve" } });
  expect(odd.json.error.code).toBe("BadRequest");
  const active = await s.relationship("b", "active");
  expect(
    (await s.graph(`/${active.id}/requests`, { method: "POST", body: { action: "terminate" } })).status,
  ).toBe(201);
  expect((await s.graph(`/${active.id}`)).json.status).toBe("terminated");
});
