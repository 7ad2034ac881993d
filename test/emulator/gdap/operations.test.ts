/** `.../delegatedAdminRelationships/{id}/operations[/{id}]` (routes/gdap/operations.ts): long-running updates. */
import { EXCHANGE, GROUP, HELPDESK, roles, session, type GraphSession } from "./graph";

let s: GraphSession;
beforeEach(async () => {
  s = await session();
});
afterEach(() => s.em.close());

test("an operation is listed while running, its data the target after it; an unknown one is 404, only GET", async () => {
  const rel = await s.relationship("a", "active", [HELPDESK, EXCHANGE]);
  const a = await s.graph(`/${rel.id}/accessAssignments`, {
    method: "POST",
    body: {
      accessContainer: { accessContainerId: GROUP, accessContainerType: "securityGroup" },
      accessDetails: roles(HELPDESK),
    },
  });
  s.em.gdap.asyncMs = 60_000;
  const path = `/${rel.id}/accessAssignments/${a.json.id}`;
  const etag = (await s.graph(path)).json["@odata.etag"];
  const started = await s.graph(path, {
    method: "PATCH",
    body: { accessDetails: roles(HELPDESK) },
    headers: { "If-Match": etag },
  });
  expect(started.status).toBe(200); // the same roles: nothing to do
  const update = await s.graph(path, {
    method: "PATCH",
    body: { accessDetails: roles(HELPDESK, EXCHANGE) },
    headers: { "If-Match": etag },
  });
  expect([update.status, update.text]).toEqual([202, "{}"]);
  const list = await s.graph(`/${rel.id}/operations`);
  expect(list.json.value).toEqual([expect.objectContaining({ status: "running" })]);
  const op = list.json.value[0];
  expect(JSON.parse(op.data).accessDetails).toEqual(roles(HELPDESK, EXCHANGE));
  s.em.gdap.asyncMs = 0;
  const missing = await s.graph(`/${rel.id}/operations/nope`);
  expect([missing.status, missing.json.error.code]).toEqual([404, "ResourceNotFound"]);
  const post = await s.graph(`/${rel.id}/operations`, { method: "POST", body: {} });
  expect(post.status).toBe(405);
});
