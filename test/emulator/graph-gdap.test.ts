/**
 * The emulator's Graph GDAP routes over raw HTTP, against what Graph documents: long-running updates (202 with
 * Location), names unique across every relationship, what each status accepts (update, delete, terminate), and
 * the switch for the lenient terminate.
 */
import type { Emulator } from "../../packages/emulator/src";
import { call, graphAccessToken, start, type Reply } from "./helpers";

const CUSTOMER = "11111111-1111-4111-8111-111111111111";
const HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const EXCHANGE = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10";
const GROUP = "869713c9-0b28-4d08-8949-ae07ae1bf528";
const RELS = "/v1.0/tenantRelationships/delegatedAdminRelationships";

let em: Emulator;
let token: string;
beforeEach(async () => {
  em = await start();
  token = await graphAccessToken(em.url);
});
afterEach(() => em.close());

const graph = (
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) => call(em.url, token, `${RELS}${path}`, init);
const roles = (...ids: string[]) => ({ unifiedRoles: ids.map((roleDefinitionId) => ({ roleDefinitionId })) });

async function created(displayName: string, ids = [HELPDESK, EXCHANGE], more: Record<string, unknown> = {}) {
  const r = await graph("", {
    method: "POST",
    body: {
      displayName,
      duration: "P730D",
      customer: { tenantId: CUSTOMER },
      accessDetails: roles(...ids),
      ...more,
    },
  });
  expect(r.status).toBe(201);
  return r.json as { id: string; "@odata.etag": string };
}
async function active(displayName: string, ids?: string[]) {
  const r = await created(displayName, ids);
  expect(
    (await graph(`/${r.id}/requests`, { method: "POST", body: { action: "lockForApproval" } })).status,
  ).toBe(201);
  em.gdap.approve(r.id);
  return (await graph(`/${r.id}`)).json as { id: string; "@odata.etag": string; status: string };
}
const etagOf = async (path: string) => ((await graph(path)).json as { "@odata.etag": string })["@odata.etag"];
const patch = async (path: string, body: unknown): Promise<Reply> =>
  graph(path, { method: "PATCH", body, headers: { "If-Match": await etagOf(path) } });

test("an access assignment's PATCH answers 202 with Location, Retry-After and {}; the operation completes, then the roles apply", async () => {
  const rel = await active("a");
  const a = await graph(`/${rel.id}/accessAssignments`, {
    method: "POST",
    body: {
      accessContainer: { accessContainerId: GROUP, accessContainerType: "securityGroup" },
      accessDetails: roles(HELPDESK),
    },
  });
  const path = `/${rel.id}/accessAssignments/${(a.json as { id: string }).id}`;
  em.gdap.asyncMs = 100;
  const res = await patch(path, { accessDetails: roles(HELPDESK, EXCHANGE) });
  expect(res.status).toBe(202);
  expect(res.json).toEqual({});
  expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  const location = res.headers.get("location")!;
  expect(location).toMatch(new RegExp(`${RELS}/${rel.id}/operations/[0-9a-f-]{36}$`));
  const running = await call(em.url, token, new URL(location).pathname);
  expect(running.json).toMatchObject({
    status: "running",
    operationType: "delegatedAdminAccessAssignmentUpdate",
  });
  expect(((await graph(path)).json as { accessDetails: unknown }).accessDetails).toEqual(roles(HELPDESK));
  await new Promise((r) => setTimeout(r, 120));
  expect((await call(em.url, token, new URL(location).pathname)).json).toMatchObject({ status: "succeeded" });
  expect(((await graph(path)).json as { accessDetails: unknown }).accessDetails).toEqual(
    roles(HELPDESK, EXCHANGE),
  );
  // The same values again: 200 with the assignment.
  const same = await patch(path, { accessDetails: roles(EXCHANGE, HELPDESK) });
  expect(same.status).toBe(200);
  expect(same.json).toMatchObject({ id: (a.json as { id: string }).id });
});

test("displayName is unique across every relationship, ended ones included", async () => {
  const rel = await active("Contoso");
  em.gdap.setStatus(rel.id, "terminated");
  const again = await graph("", {
    method: "POST",
    body: {
      displayName: "Contoso",
      duration: "P1D",
      customer: { tenantId: CUSTOMER },
      accessDetails: roles(HELPDESK),
    },
  });
  expect(again.status).toBe(409);
  expect(again.json.error.code).toBe("Conflict");
});

test("autoExtendDuration: PATCH while created or active; refused while approvalPending", async () => {
  const c = await created("c");
  expect((await patch(`/${c.id}`, { autoExtendDuration: "P180D" })).status).toBe(200);
  const a = await active("a");
  const res = await patch(`/${a.id}`, { autoExtendDuration: "P180D" });
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({ status: "active", autoExtendDuration: "P180D" });
  const p = await created("p");
  await graph(`/${p.id}/requests`, { method: "POST", body: { action: "lockForApproval" } });
  expect((await patch(`/${p.id}`, { autoExtendDuration: "P180D" })).status).toBe(400);
  // Active: nothing else can change.
  expect((await patch(`/${a.id}`, { duration: "P1D" })).status).toBe(400);
});

test("removing Global Administrator from an active relationship: 202 and an operation; Global Administrator with P180D is refused", async () => {
  const a = await active("ga", [GLOBAL_ADMIN, HELPDESK]);
  expect((await patch(`/${a.id}`, { autoExtendDuration: "P180D" })).status).toBe(400);
  const res = await patch(`/${a.id}`, { accessDetails: roles(HELPDESK) });
  expect(res.status).toBe(202);
  expect(res.headers.get("location")).toContain(`/${a.id}/operations/`);
  expect(((await graph(`/${a.id}`)).json as { accessDetails: unknown }).accessDetails).toEqual(
    roles(HELPDESK),
  );
  // Adding a role to an active relationship is not an update Graph offers.
  expect((await patch(`/${a.id}`, { accessDetails: roles(HELPDESK, EXCHANGE) })).status).toBe(400);
  expect(
    (
      await graph("", {
        method: "POST",
        body: {
          displayName: "ga2",
          duration: "P1D",
          customer: { tenantId: CUSTOMER },
          accessDetails: roles(GLOBAL_ADMIN),
          autoExtendDuration: "P180D",
        },
      })
    ).status,
  ).toBe(400);
});

test("terminate only while active (documented), unless the lenient switch is set; delete only while created", async () => {
  const p = await created("p");
  await graph(`/${p.id}/requests`, { method: "POST", body: { action: "lockForApproval" } });
  const refused = await graph(`/${p.id}/requests`, { method: "POST", body: { action: "terminate" } });
  expect(refused.status).toBe(400);
  expect(refused.json.error.message).toMatch(/approvalPending/);
  expect(
    (await graph(`/${p.id}`, { method: "DELETE", headers: { "If-Match": await etagOf(`/${p.id}`) } })).status,
  ).toBe(400);
  em.gdap.terminateOnlyWhenActive = false;
  expect((await graph(`/${p.id}/requests`, { method: "POST", body: { action: "terminate" } })).status).toBe(
    201,
  );
  em.gdap.terminateOnlyWhenActive = true;
  const a = await active("a");
  expect((await graph(`/${a.id}/requests`, { method: "POST", body: { action: "terminate" } })).status).toBe(
    201,
  );
  const c = await created("c");
  expect(
    (await graph(`/${c.id}`, { method: "DELETE", headers: { "If-Match": await etagOf(`/${c.id}`) } })).status,
  ).toBe(204);
  em.reset();
  expect(em.gdap.terminateOnlyWhenActive).toBe(true);
});

test("the admin API sets a status, autoExtendDuration and createdDateTime (changes made outside Pulumi)", async () => {
  const c = await created("c");
  const res = await fetch(`${em.url}/_emulator/gdap/${c.id}/status`, {
    method: "POST",
    body: JSON.stringify({
      status: "active",
      autoExtendDuration: "P180D",
      createdDateTime: "2026-01-01T00:00:00Z",
    }),
  });
  expect(res.status).toBe(200);
  expect((await graph(`/${c.id}`)).json).toMatchObject({
    status: "active",
    autoExtendDuration: "P180D",
    createdDateTime: "2026-01-01T00:00:00Z",
  });
});
