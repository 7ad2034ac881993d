/** `.../delegatedAdminRelationships/{id}/accessAssignments[/{id}]` (routes/gdap/access-assignments.ts). */
import { EXCHANGE, GROUP, HELPDESK, roles, session, type GraphSession } from "./graph";

let s: GraphSession;
beforeEach(async () => {
  s = await session();
});
afterEach(() => s.em.close());

const group = { accessContainerId: GROUP, accessContainerType: "securityGroup" };

test("only in an active relationship; roles must be the relationship's; one per security group", async () => {
  const created = await s.relationship("a");
  const early = await s.graph(`/${created.id}/accessAssignments`, {
    method: "POST",
    body: { accessContainer: group, accessDetails: roles(HELPDESK) },
  });
  expect([early.status, early.json.error.code]).toEqual([400, "Request_BadRequest"]);
  const rel = await s.relationship("b", "active");
  const outside = await s.graph(`/${rel.id}/accessAssignments`, {
    method: "POST",
    body: { accessContainer: group, accessDetails: roles(EXCHANGE) },
  });
  expect(outside.json.error.message).toMatch(/not part of the relationship/);
  const ok = await s.graph(`/${rel.id}/accessAssignments`, {
    method: "POST",
    body: { accessContainer: group, accessDetails: roles(HELPDESK) },
  });
  expect([ok.status, ok.json.status]).toEqual([201, "pending"]);
  const again = await s.graph(`/${rel.id}/accessAssignments`, {
    method: "POST",
    body: { accessContainer: group, accessDetails: roles(HELPDESK) },
  });
  expect([again.status, again.json.error.code]).toEqual([409, "Conflict"]);
});

test("DELETE with If-Match: deleting, then gone (404)", async () => {
  const rel = await s.relationship("a", "active");
  const a = await s.graph(`/${rel.id}/accessAssignments`, {
    method: "POST",
    body: { accessContainer: group, accessDetails: roles(HELPDESK) },
  });
  const path = `/${rel.id}/accessAssignments/${a.json.id}`;
  const current = await s.graph(path);
  expect(current.json.status).toBe("active");
  expect((await s.graph(path, { method: "DELETE" })).status).toBe(400);
  const del = await s.graph(path, { method: "DELETE", headers: { "If-Match": current.json["@odata.etag"] } });
  expect(del.status).toBe(204);
  const gone = await s.graph(path);
  expect([gone.status, gone.json.error.code]).toEqual([404, "ResourceNotFound"]);
  expect((await s.graph(`/${rel.id}/accessAssignments`)).json.value).toEqual([]);
});
