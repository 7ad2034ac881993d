/**
 * The Graph contract: Microsoft Graph's documented GDAP examples (graph-corpus.ts) against our Graph client and
 * our emulator, as contract.test.ts does for Partner Center.
 * - The client parses every documented answer and sends the documented requests, through the stand-in
 *   (harness.ts) answering corpus fixtures over loopback, not the emulator.
 * - Every emulator answer has the shape of its documented example.
 */
import { PartnerCenterClient, closeSharedClients } from "../../provider/src/client";
import { loadSettings } from "../../provider/src/settings";
import {
  GRAPH_SCOPE,
  getSharedGraphClient,
  GraphClient,
  graphAudienceOf,
} from "../../provider/src/gdap/graph";
import { alignRoles } from "../../provider/src/gdap/assignments";
import { changeRelationship, establishRelationship } from "../../provider/src/gdap/relationships";
import { ApiError, ConfigurationError, ResponseValidationError } from "../../provider/src/errors";
import type { Emulator } from "../../packages/emulator/src";
import { call, graphAccessToken, start } from "../emulator/helpers";
import * as doc from "./graph-corpus";
import { shapeDiff, startStandIn, type Reply, type StandIn } from "./harness";

const TENANT = "0a0a0a0a-0000-4000-8000-00000000000a";
const RELS = "/v1.0/tenantRelationships/delegatedAdminRelationships";
const ok = (body: unknown, status = 200, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers,
});
const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("the Graph client against a stand-in answering Graph's documented examples", () => {
  let s: StandIn;
  let pc: PartnerCenterClient;
  let graph: GraphClient;
  beforeEach(async () => {
    s = await startStandIn();
    s.script(
      "POST",
      `/${TENANT}/oauth2/token`,
      ok({ token_type: "Bearer", access_token: "graph-token-0123456789", expires_in: "3600" }),
    );
    pc = new PartnerCenterClient(
      loadSettings(
        {
          endpoint: s.url,
          authority: s.url,
          tenantId: TENANT,
          clientId: "app",
          clientSecret: "stand-in-secret",
          refreshToken: "stand-in-refresh-token",
          allowLoopbackWithCredentials: "true",
        },
        {},
      ),
      { retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 }, pacing: { slowStart: false } },
    );
    graph = new GraphClient(pc, s.url);
  });
  afterEach(async () => {
    await pc.close();
    await closeSharedClients();
    await s.close();
  });
  const sent = (method: string) => s.calls.filter((c) => c.method === method && c.url.startsWith("/v1.0/"));
  /** The documented Location, moved onto the stand-in (same path). */
  const onStandIn = (location: string) => `${s.url}${new URL(location).pathname}`;

  test("the Graph token: v1 resource= by default; graphTokenRequest v2 asks the v2.0 endpoint for scope=https://graph.microsoft.com/.default", async () => {
    s.script("GET", RELS, ok({ value: [] }));
    await graph.listRelationships();
    const v1 = s.calls.find((c) => c.url === `/${TENANT}/oauth2/token`)!;
    expect(new URLSearchParams(String(v1.body)).get("resource")).toBe("https://graph.microsoft.com");
    expect(graphAudienceOf(loadSettings({ "partnercenter:graphTokenRequest": "v2" }))).toBe(GRAPH_SCOPE);
    expect(graphAudienceOf(loadSettings({}, { PARTNER_CENTER_GRAPH_TOKEN_REQUEST: "V1" }))).toBe(
      "https://graph.microsoft.com",
    );
    expect(() => loadSettings({ "partnercenter:graphTokenRequest": "v3" })).toThrow(
      /graphTokenRequest .* must be v1 .* or v2/,
    );
    s.script(
      "POST",
      `/${TENANT}/oauth2/v2.0/token`,
      ok({ token_type: "Bearer", access_token: "graph-v2-token-0123456789", expires_in: 3600 }),
    );
    // Through the settings, as the provider and every CLI make their Graph client.
    const v2graph = getSharedGraphClient(
      pc,
      loadSettings({ "partnercenter:graphEndpoint": s.url, "partnercenter:graphTokenRequest": "v2" }),
    );
    await v2graph.listRelationships();
    const v2 = s.calls.find((c) => c.url === `/${TENANT}/oauth2/v2.0/token`)!;
    const form = new URLSearchParams(String(v2.body));
    expect(form.get("scope")).toBe("https://graph.microsoft.com/.default");
    expect(form.get("resource")).toBeNull();
    expect(form.get("grant_type")).toBe("refresh_token");
    expect(s.calls.at(-1)!.headers.authorization).toBe("Bearer graph-v2-token-0123456789");
  });

  test('create: the documented request; the 201 answer parsed (activatedDateTime "" is none)', async () => {
    s.script("GET", RELS, ok({ value: [] }));
    s.script(
      "POST",
      RELS,
      ok(doc.createResponse, 201, { Location: `https://graph.microsoft.com${RELS}/${doc.RELATIONSHIP_ID}` }),
    );
    const rel = await graph.createRelationship({
      displayName: doc.createRequest.displayName,
      duration: doc.createRequest.duration,
      customerTenantId: doc.createRequest.customer.tenantId,
      roles: doc.createRequest.accessDetails.unifiedRoles.map((r) => r.roleDefinitionId),
      autoExtendDuration: doc.createRequest.autoExtendDuration,
    });
    const { displayName: _n, ...customer } = doc.createRequest.customer;
    expect(sent("POST")[0]!.body).toEqual({ ...doc.createRequest, customer });
    expect(rel).toMatchObject({
      id: doc.RELATIONSHIP_ID,
      status: "created",
      autoExtendDuration: "P180D",
      activatedDateTime: undefined,
      createdDateTime: "2022-02-10T11:24:42.3148266Z",
      etag: doc.createResponse["@odata.etag"],
    });
  });

  test("list: a terminated relationship stays listed; its name is never adopted nor POSTed again", async () => {
    s.script("GET", RELS, ok({ value: [doc.list.value[1]] }));
    const e = await caught(
      establishRelationship(graph, {
        displayName: "Contoso subsidiary relationship",
        customerId: "4b827261-d21f-4aa9-b7db-7fa1f56fb163",
        duration: "P30D",
        roles: ["29232cdf-9323-42fd-ade2-1d097af3e4de"],
      }),
    );
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toContain("terminated");
    expect(sent("POST")).toEqual([]);
    expect(new URLSearchParams(sent("GET")[0]!.url.split("?")[1]).get("$filter")).toBe(
      "displayName eq 'Contoso subsidiary relationship'",
    );
  });

  test("update a relationship: If-Match, only autoExtendDuration sent; the documented 200 answer", async () => {
    s.script(
      "GET",
      `${RELS}/${doc.RELATIONSHIP_ID}`,
      ok({ ...doc.list.value[0], "@odata.etag": doc.updateRelationshipIfMatch }),
    );
    s.script("PATCH", `${RELS}/${doc.RELATIONSHIP_ID}`, ok(doc.updateRelationshipResponse));
    const rel = await changeRelationship(graph, doc.RELATIONSHIP_ID, { autoExtendDuration: "P180D" });
    expect(rel.autoExtendDuration).toBe("P180D");
    const [patch] = sent("PATCH");
    expect(patch!.headers["if-match"]).toBe(doc.updateRelationshipIfMatch);
    expect(patch!.body).toEqual({ autoExtendDuration: "P180D" });
  });

  test("update an assignment: the documented 202 (Location, Retry-After, {}) is followed to the operation, then the assignment read back", async () => {
    const rel = "5e5594d3-6f82-458b-b567-77db4811f0cd-00000000-0000-0000-0000-000000001234";
    const path = `${RELS}/${rel}/accessAssignments/${doc.assignment.id}`;
    const opPath = new URL(doc.accepted.headers.Location).pathname;
    const roles = doc.updateAssignmentRequest.accessDetails.unifiedRoles.map((r) => r.roleDefinitionId);
    s.script(
      "GET",
      path,
      ok(doc.assignment),
      ok({ ...doc.assignment, status: "active", accessDetails: doc.updateAssignmentRequest.accessDetails }),
    );
    s.script(
      "PATCH",
      path,
      ok(doc.accepted.body, 202, {
        ...doc.accepted.headers,
        Location: onStandIn(doc.accepted.headers.Location),
        "Retry-After": "0",
      }),
    );
    s.script("GET", opPath, ok({ ...doc.operation, status: "running" }), ok(doc.operation));
    const first = await graph.getAssignment(rel, doc.assignment.id);
    const after = await alignRoles(graph, rel, first, roles, { pollIntervalMs: 5 });
    expect(sent("PATCH")[0]!.body).toEqual(doc.updateAssignmentRequest);
    expect(sent("PATCH")[0]!.headers["if-match"]).toBe(doc.assignment["@odata.etag"]);
    expect(sent("GET").filter((c) => c.url === opPath)).toHaveLength(2);
    expect(after.roles).toEqual(roles);
  });

  test("the documented 202 as published (Location on graph.microsoft.com) is not followed from another endpoint", async () => {
    const rel = "5e5594d3-6f82-458b-b567-77db4811f0cd-00000000-0000-0000-0000-000000001234";
    const path = `${RELS}/${rel}/accessAssignments/${doc.assignment.id}`;
    s.script("PATCH", path, ok(doc.accepted.body, 202, doc.accepted.headers));
    const answer = await graph.updateAssignment(rel, doc.assignment.id, "*", [
      "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    ]);
    expect(answer).toEqual({
      kind: "accepted",
      operation: doc.accepted.headers.Location,
      retryAfterMs: 10_000,
    });
    expect(
      await caught(graph.getOperation(answer.kind === "accepted" ? answer.operation : "")),
    ).toBeInstanceOf(ResponseValidationError);
    expect(s.calls.filter((c) => c.url.includes("/operations/"))).toEqual([]);
  });

  test("an operation is done at succeeded (example) or complete (enum); failed is an error that says the change was accepted", async () => {
    const op = `${RELS}/${doc.RELATIONSHIP_ID}/operations/${doc.operation.id}`;
    s.script("GET", op, ok(doc.operation));
    expect(await graph.getOperation(`${s.url}${op}`)).toEqual({
      id: doc.operation.id,
      status: "succeeded",
      operationType: "delegatedAdminAccessAssignmentUpdate",
    });
    s.script("GET", `${RELS}/${doc.RELATIONSHIP_ID}`, ok(doc.list.value[0]));
    s.script("PATCH", `${RELS}/${doc.RELATIONSHIP_ID}`, ok({}, 202, { Location: `${s.url}${op}` }));
    s.script("GET", op, ok({ ...doc.operation, status: "complete" }));
    await expect(
      changeRelationship(
        graph,
        doc.RELATIONSHIP_ID,
        { roles: ["dd4db9a0-cc4a-4213-9f9f-70242232d97e"] },
        { pollIntervalMs: 1 },
      ),
    ).resolves.toMatchObject({ id: doc.RELATIONSHIP_ID });
    s.script("GET", op, ok({ ...doc.operation, status: "failed" }));
    const e = await caught(
      changeRelationship(graph, doc.RELATIONSHIP_ID, { roles: [] }, { pollIntervalMs: 1 }),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).message).toMatch(/accepted .* failed/);
  });

  test("requests and access assignments: the documented 201 answers parsed; the Graph error body typed", async () => {
    s.script("POST", `${RELS}/${doc.RELATIONSHIP_ID}/requests`, ok(doc.requestResponse, 201));
    expect(await graph.createRequest(doc.RELATIONSHIP_ID, "lockForApproval")).toEqual({
      id: doc.requestResponse.id,
      action: "lockForApproval",
      status: "created",
    });
    expect(sent("POST")[0]!.body).toEqual(doc.requestBody);
    s.script("POST", `${RELS}/${doc.RELATIONSHIP_ID}/accessAssignments`, ok(doc.assignment, 201));
    expect(
      await graph.createAssignment(doc.RELATIONSHIP_ID, "869713c9-0b28-4d08-8949-ae07ae1bf528", [
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
      ]),
    ).toMatchObject({
      id: doc.assignment.id,
      status: "pending",
      securityGroupId: "869713c9-0b28-4d08-8949-ae07ae1bf528",
    });
    s.script("GET", `${RELS}/${doc.RELATIONSHIP_ID}`, ok(doc.errorBody, 400));
    const e = await caught(graph.getRelationship(doc.RELATIONSHIP_ID));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, partnerCenterCode: "badRequest" });
  });
});

describe("the emulator answers Graph's GDAP calls in the documented shapes", () => {
  let em: Emulator;
  let token: string;
  beforeAll(async () => {
    em = await start();
    token = await graphAccessToken(em.url);
  });
  afterAll(() => em.close());
  const g = (
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => call(em.url, token, `${RELS}${path}`, init);
  // Decisions, each written down: the emulator sends no `@odata.context` on single entities (the client never
  // reads it), the customer's displayName only once the partner gave one, and no inner error `code`.
  const entity = { mayOmit: ["@odata.context", "customer.displayName"] };
  // Before activation the create example shows activatedDateTime "" and an endDateTime, the list example
  // (approvalPending) null for both: the emulator follows the list example, which the client reads the same.
  const notActive = { ...doc.createResponse, activatedDateTime: null, endDateTime: null };

  test("create (201 + Location), get, list, the update's 200 and 202, the operation, a request, an assignment, an error", async () => {
    const created = await g("", {
      method: "POST",
      body: { ...doc.createRequest, autoExtendDuration: "PT0S" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toMatch(new RegExp(`${RELS}/${created.json.id}$`));
    expect(shapeDiff(notActive, created.json, entity)).toEqual([]);
    const id = created.json.id as string;
    expect(shapeDiff(notActive, (await g(`/${id}`)).json, entity)).toEqual([]);
    const patched = await g(`/${id}`, {
      method: "PATCH",
      headers: { "If-Match": created.json["@odata.etag"] },
      body: { autoExtendDuration: "P180D" },
    });
    expect(patched.status).toBe(200);
    expect(shapeDiff(doc.updateRelationshipResponse, patched.json, entity)).toEqual([]);
    const lock = await g(`/${id}/requests`, { method: "POST", body: doc.requestBody });
    expect(lock.status).toBe(201);
    expect(shapeDiff(doc.requestResponse, lock.json, { mayOmit: ["@odata.context"] })).toEqual([]);
    em.gdap.approve(id);
    // Listed once active (the list example's items are active and terminated).
    expect(shapeDiff(doc.list, (await g("")).json)).toEqual([]);
    const assignment = await g(`/${id}/accessAssignments`, {
      method: "POST",
      body: {
        accessContainer: doc.assignment.accessContainer,
        accessDetails: { unifiedRoles: [{ roleDefinitionId: "29232cdf-9323-42fd-ade2-1d097af3e4de" }] },
      },
    });
    expect(assignment.status).toBe(201);
    expect(shapeDiff(doc.assignment, assignment.json, { mayOmit: ["@odata.context"] })).toEqual([]);
    const path = `/${id}/accessAssignments/${assignment.json.id}`;
    const etag = (await g(path)).json["@odata.etag"] as string;
    const accepted = await g(path, {
      method: "PATCH",
      headers: { "If-Match": etag },
      body: {
        accessDetails: { unifiedRoles: [{ roleDefinitionId: "3a2c62db-5318-420d-8d74-23affee5d9d5" }] },
      },
    });
    expect(accepted.status).toBe(doc.accepted.status);
    expect(accepted.json).toEqual(doc.accepted.body);
    expect(Object.keys(doc.accepted.headers).every((h) => accepted.headers.get(h) !== null)).toBe(true);
    const op = await call(em.url, token, new URL(accepted.headers.get("location")!).pathname);
    expect(shapeDiff(doc.operation, op.json, { mayOmit: ["@odata.context"] })).toEqual([]);
    const missing = await g("/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(shapeDiff(doc.errorBody, missing.json, { mayOmit: ["error.innerError.code"] })).toEqual([]);
  });
});
