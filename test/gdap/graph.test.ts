/**
 * The Graph client and the GDAP domain rules against the emulator's Graph routes, over real loopback HTTP:
 * lifecycle, paging, etags, Graph error shapes, tokens per resource, and faults (429, lost answers, 5xx).
 */
import { closeSharedClients, type PartnerCenterClient } from "../../provider/src/client";
import type { Emulator } from "../../packages/emulator/src";
import {
  adminAccessOf,
  approvalUrl,
  endAdminAccess,
  endRelationship,
  establishRelationship,
} from "../../provider/src/gdap/relationships";
import { assignAccess, removeAccess } from "../../provider/src/gdap/assignments";
import { GraphClient } from "../../provider/src/gdap/graph";
import { loadSetting } from "../../provider/src/settings";
import { inGraphWords as asGraphError } from "../../provider/src/client/core/classify";
import {
  ApiError,
  ConfigurationError,
  ListTooLargeError,
  RelationshipNotEstablishedError,
  ResponseValidationError,
  ThrottledError,
} from "../../provider/src/errors";
import { caught, clientFor, emulator, REFRESH_TOKEN, CLIENT_SECRET } from "../client/helpers";

const CUSTOMER = "11111111-1111-4111-8111-111111111111";
const EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const GROUP = "869713c9-0b28-4d08-8949-ae07ae1bf528";

let em: Emulator;
let pc: PartnerCenterClient;
let graph: GraphClient;

beforeEach(async () => {
  em = await emulator();
  pc = clientFor(em);
  graph = new GraphClient(pc, em.url);
});

afterEach(async () => {
  await pc.close();
  await closeSharedClients();
  await em.close();
});

const spec = (displayName = "Contoso helpdesk") => ({
  displayName,
  customerId: CUSTOMER,
  duration: "P730D",
  roles: [EXCHANGE_ADMIN, HELPDESK_ADMIN],
});

const graphCalls = () => em.requests().filter((r) => r.path.startsWith("/v1.0/"));

test("lifecycle: create, lock for approval, approve, assign, terminate, confirmed", async () => {
  const rel = await establishRelationship(graph, spec(), { pollIntervalMs: 5 });
  expect(rel.status).toBe("approvalPending");
  expect(approvalUrl(rel.id)).toBe(
    `https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/${rel.id}`,
  );
  const methods = graphCalls().map((r) => `${r.method} ${r.path.replace(rel.id, "{id}")}`);
  expect(methods).toContain("POST /v1.0/tenantRelationships/delegatedAdminRelationships");
  expect(methods).toContain("POST /v1.0/tenantRelationships/delegatedAdminRelationships/{id}/requests");

  // Access cannot be assigned before the customer approves.
  const early = await caught(assignAccess(graph, rel.id, GROUP, [HELPDESK_ADMIN]));
  expect(early).toBeInstanceOf(RelationshipNotEstablishedError);
  expect(String((early as Error).message)).toContain(approvalUrl(rel.id));

  em.gdap.approve(rel.id);
  const active = await graph.getRelationship(rel.id);
  expect(active.status).toBe("active");
  expect(active.endDateTime).toBeDefined();

  // Roles of an assignment must be the relationship's.
  const outside = await caught(assignAccess(graph, rel.id, GROUP, ["62e90394-69f5-4237-9190-012177145e10"]));
  expect(outside).toBeInstanceOf(ConfigurationError);
  expect(String((outside as Error).message)).toContain("62e90394-69f5-4237-9190-012177145e10");

  const a = await assignAccess(graph, rel.id, GROUP, [HELPDESK_ADMIN]);
  expect(a.securityGroupId).toBe(GROUP);
  expect((await graph.getAssignment(rel.id, a.id)).status).toBe("active");
  await removeAccess(graph, rel.id, a.id);
  expect(await graph.listAssignments(rel.id)).toEqual([]);

  expect(await endRelationship(graph, rel.id, { pollIntervalMs: 5 })).toBe("terminated");
  expect((await graph.getRelationship(rel.id)).status).toBe("terminated");
  // Again: already ended is success, nothing sent but a GET.
  const before = graphCalls().length;
  expect(await endRelationship(graph, rel.id)).toBe("alreadyEnded");
  expect(
    graphCalls()
      .slice(before)
      .map((r) => r.method),
  ).toEqual(["GET"]);
});

test("the Graph token is its own grant (resource=https://graph.microsoft.com), cached; Partner Center tokens are refused by Graph", async () => {
  await graph.listRelationships();
  await graph.listRelationships();
  await pc.customers.list();
  expect(pc.stats().tokenRequests).toBe(2); // one per resource, each cached
  expect(em.gdap.graphTokens.size).toBe(1);

  // A valid Partner Center token on a Graph route: 401 in Graph's shape (wrong audience).
  const pcToken = em
    .state()
    .issuedTokens.find((t) => t.startsWith("pcemu-at-") && !em.gdap.graphTokens.has(t));
  expect(pcToken).toBeDefined();
  const res = await fetch(`${em.url}/v1.0/tenantRelationships/delegatedAdminRelationships`, {
    headers: { authorization: `Bearer ${pcToken}` },
  });
  expect(res.status).toBe(401);
  const body = (await res.json()) as {
    error: { code: string; message: string; innerError: Record<string, string> };
  };
  expect(body.error.code).toBe("InvalidAuthenticationToken");
  expect(body.error.innerError["request-id"]).toMatch(/-/);
});

test("lists follow @odata.nextLink to the last page, with the customer filter", async () => {
  em.gdap.pageSize = 2;
  for (let i = 0; i < 5; i++)
    await graph.createRelationship({ ...spec(`r${i}`), customerTenantId: CUSTOMER });
  await graph.createRelationship({
    ...spec("other"),
    customerTenantId: "22222222-2222-4222-8222-222222222222",
  });
  const mine = await adminAccessOf(graph, CUSTOMER);
  expect(mine.map((r) => r.displayName).sort()).toEqual(["r0", "r1", "r2", "r3", "r4"]);
  const lists = graphCalls().filter((r) => r.method === "GET");
  expect(lists.length).toBe(3);
  expect(lists[1]!.query).toContain("skiptoken");
});

test("a Graph list is bounded like a Partner Center list (client option limits)", async () => {
  em.gdap.pageSize = 2;
  for (let i = 0; i < 5; i++)
    await graph.createRelationship({ ...spec(`b${i}`), customerTenantId: CUSTOMER });
  const small = clientFor(em, { limits: { maxListItems: 3 } });
  try {
    const e = await caught(adminAccessOf(new GraphClient(small, em.url), CUSTOMER));
    expect(e).toBeInstanceOf(ListTooLargeError);
    expect((e as ListTooLargeError).bound).toBe("maxListItems");
  } finally {
    await small.close();
  }
});

test("a lost create answer is adopted by displayName, never duplicated", async () => {
  em.addFault({ kind: "resetAfterApply", match: { method: "POST", path: "/delegatedAdminRelationships" } });
  const rel = await establishRelationship(graph, spec(), { pollIntervalMs: 5 });
  expect(rel.status).toBe("approvalPending");
  expect(em.gdap.state().length).toBe(1);
});

test("429 with Retry-After and 5xx are retried; the terminate still confirmed", async () => {
  const rel = await establishRelationship(graph, spec(), { pollIntervalMs: 5 });
  em.gdap.approve(rel.id);
  em.addFault({ kind: "status", status: 429, retryAfterSeconds: 0, match: { path: "/requests" } });
  em.addFault({ kind: "status", status: 503, match: { method: "GET", path: rel.id } });
  expect(await endRelationship(graph, rel.id, { pollIntervalMs: 5 })).toBe("terminated");
  expect(graph.stats().responses429).toBe(1);
  expect(graph.stats().retries).toBeGreaterThanOrEqual(2);
});

test("429 beyond the retries is a ThrottledError naming Graph", async () => {
  em.addFault({ kind: "status", status: 429, retryAfterSeconds: 0, match: { path: "/v1.0/" }, times: 10 });
  const e = await caught(graph.listRelationships());
  expect(e).toBeInstanceOf(ThrottledError);
  expect((e as Error).message).toMatch(/Microsoft Graph could not list/);
});

test("a lost terminate answer is confirmed by reading the relationship back", async () => {
  const rel = await establishRelationship(graph, spec(), { pollIntervalMs: 5 });
  em.gdap.approve(rel.id);
  em.addFault({ kind: "resetAfterApply", match: { method: "POST", path: "/requests" } });
  expect(await endRelationship(graph, rel.id, { pollIntervalMs: 5 })).toBe("terminated");
  expect(em.gdap.state()[0]!.requests.filter((q) => q.action === "terminate")).toHaveLength(1);
});

test("PATCH and DELETE need the current etag (412 otherwise), and only while created", async () => {
  const rel = await graph.createRelationship({ ...spec(), customerTenantId: CUSTOMER });
  const stale = await caught(graph.deleteRelationship(rel.id, 'W/"stale"'));
  expect(stale).toBeInstanceOf(ApiError);
  expect((stale as ApiError).status).toBe(412);
  expect((stale as ApiError).partnerCenterCode).toBe("PreconditionFailed");
  // A created relationship is deleted, not terminated.
  expect(await endRelationship(graph, rel.id, { pollIntervalMs: 5 })).toBe("deleted");
  expect(em.gdap.state()).toEqual([]);
});

test("offboarding ends the customer's active relationships; a pending request is not sent a terminate, its expiry is said", async () => {
  const active = await establishRelationship(graph, spec("a"), { pollIntervalMs: 5 });
  em.gdap.approve(active.id);
  const pending = await establishRelationship(graph, spec("b"), { pollIntervalMs: 5 });
  em.gdap.setStatus(pending.id, "approvalPending", { createdDateTime: "2026-01-10T08:00:00Z" });
  const other = await establishRelationship(
    graph,
    { ...spec("c"), customerId: "22222222-2222-4222-8222-222222222222" },
    { pollIntervalMs: 5 },
  );
  const lines: string[] = [];
  const ended = await endAdminAccess(graph, CUSTOMER, (l) => lines.push(l));
  expect(ended.map((r) => r.id)).toEqual([active.id]);
  const byId = new Map(em.gdap.state().map((r) => [r.id, r]));
  expect(byId.get(active.id)!.status).toBe("terminated");
  expect(byId.get(pending.id)!.status).toBe("approvalPending");
  expect(byId.get(pending.id)!.requests.map((q) => q.action)).toEqual(["lockForApproval"]);
  expect(byId.get(other.id)!.status).toBe("approvalPending");
  // createdDateTime + 90 days (GDAP FAQ: "GDAP relationship requests expire after 90 days").
  expect(lines.join("\n")).toContain("2026-04-10T08:00:00.000Z");
  expect(lines.join("\n")).toMatch(/can still approve it/);
});

test("approvalTimeoutSeconds: waits for the approval, or fails with the link and adopts on the next run", async () => {
  const wait = establishRelationship(graph, spec(), { approvalTimeoutSeconds: 5, pollIntervalMs: 10 });
  // The customer approves once the request is there (however long the create takes on a loaded machine).
  const approver = setInterval(() => {
    const r = em.gdap.state()[0];
    if (r?.status === "approvalPending") {
      clearInterval(approver);
      em.gdap.approve(r.id);
    }
  }, 20);
  expect((await wait).status).toBe("active");

  const e = await caught(
    establishRelationship(graph, spec("late"), { approvalTimeoutSeconds: 1, pollIntervalMs: 50 }),
  );
  expect(e).toBeInstanceOf(RelationshipNotEstablishedError);
  const id = em.gdap.state().find((r) => r.displayName === "late")!.id;
  expect((e as Error).message).toContain(approvalUrl(id));
  const again = await establishRelationship(graph, spec("late"), { pollIntervalMs: 5 });
  expect(again.id).toBe(id);
});

test("graphEndpoint: https unless loopback, from config then environment, default graph.microsoft.com", () => {
  expect(loadSetting("graphEndpoint", {}, {})).toBe("https://graph.microsoft.com");
  expect(loadSetting("graphEndpoint", {}, { PARTNER_CENTER_GRAPH_ENDPOINT: "http://127.0.0.1:9/" })).toBe(
    "http://127.0.0.1:9",
  );
  expect(() =>
    loadSetting("graphEndpoint", { "partnercenter:graphEndpoint": "http://graph.example.com" }, {}),
  ).toThrow(/partnercenter:graphEndpoint \(or PARTNER_CENTER_GRAPH_ENDPOINT\) must use https/);
});

test("no secret in any GDAP error", async () => {
  em.addFault({ kind: "status", status: 400, match: { path: "/v1.0/" } });
  const e = await caught(graph.listRelationships());
  const text = `${String(e)} ${JSON.stringify(e)}`;
  expect(text).not.toContain(REFRESH_TOKEN);
  expect(text).not.toContain(CLIENT_SECRET);
  for (const t of em.state().issuedTokens) expect(text).not.toContain(t);
});

test("a Graph error keeps what the transport knew: attempts, whether a write may have applied, the issues", () => {
  const lost = asGraphError(
    new ApiError("Partner Center answered HTTP 503.", { status: 503, attempts: 3, mayHaveApplied: true }),
    "terminate the relationship",
  ) as ApiError;
  expect(lost.message).toMatch(/^Microsoft Graph could not terminate the relationship/);
  expect(lost).toMatchObject({ attempts: 3, mayHaveApplied: true });
  const odd = asGraphError(
    new ResponseValidationError("bad answer", { issues: ["status: expected a string"] }),
    "read the relationship",
  ) as ResponseValidationError;
  expect(odd.issues).toEqual(["status: expected a string"]);
  const big = new ListTooLargeError(
    "maxListItems",
    50_000,
    "/v1.0/tenantRelationships/delegatedAdminRelationships",
    {},
  );
  expect(asGraphError(big, "list relationships")).toBe(big);
});
