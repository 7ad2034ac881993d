/**
 * The one request pipeline (app.ts): its steps run in the order the package README lists, for every API, and
 * each refusal is worded in the API's own error shape (Partner Center, Microsoft Graph, Entra).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Emulator } from "../../packages/emulator/src";
import { PIPELINE } from "../../packages/emulator/src/app";
import { accessToken, call, graphAccessToken, PARTNER, start, tokenRequest } from "./helpers";

const CUSTOMER = "11111111-1111-4111-8111-111111111111";
const CUSTOMERS = "/v1/customers";
const RELS = "/v1.0/tenantRelationships/delegatedAdminRelationships";

let em: Emulator;
afterEach(() => em?.close());

test("the steps run in the order the package README lists", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "../../packages/emulator/README.md"), "utf8");
  const section = readme.split("## How a request is answered")[1]!.split("\n## ")[0]!;
  const listed = [...section.matchAll(/^\d+\. `(\w+)`/gm)].map((m) => m[1]);
  expect(PIPELINE.map((s) => s.name)).toEqual(listed);
  expect(listed).toEqual([
    "record",
    "fault",
    "latency",
    "earlyFault",
    "route",
    "authenticate",
    "throttle",
    "replay",
    "handler",
  ]);
});

test("a throttled Graph call answers in Graph's error shape, a throttled Partner Center call in its throttling body", async () => {
  em = await start({ throttle: { limit: 1, windowMs: 60_000, scope: "partner" } });
  const [pc, graph] = [await accessToken(em.url), await graphAccessToken(em.url)]; // the token endpoint is not throttled
  expect((await call(em.url, graph, RELS)).status).toBe(200);
  const g = await call(em.url, graph, RELS, {
    headers: { "client-request-id": "7d3c0a5e-0000-4000-8000-000000000001" },
  });
  expect(g.status).toBe(429);
  expect(g.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  expect(g.json.error).toMatchObject({
    code: "TooManyRequests",
    innerError: { "request-id": "7d3c0a5e-0000-4000-8000-000000000001" },
  });
  expect(g.headers.get("request-id")).toBe("7d3c0a5e-0000-4000-8000-000000000001");
  // Graph and Partner Center calls without a customer share the partner's budget.
  const p = await call(em.url, pc, CUSTOMERS);
  expect(p.status).toBe(429);
  expect(p.json).toEqual({ statusCode: 429, message: expect.stringMatching(/^Rate limit is exceeded/) });
  expect(em.state().counters.throttled).toBe(2);
});

test("an unauthenticated call answers in its API's shape: Partner Center's, Graph's (a Partner Center token has the wrong audience)", async () => {
  em = await start();
  const pc = await call(em.url, null, CUSTOMERS);
  expect(pc.status).toBe(401);
  expect(pc.json).toMatchObject({ code: "400", source: "PartnerFD", data: [] });
  expect(pc.headers.get("www-authenticate")).toBe("Bearer");
  const g = await call(em.url, null, RELS);
  expect(g.status).toBe(401);
  expect(g.json.error).toMatchObject({
    code: "InvalidAuthenticationToken",
    message: "Access token is empty or invalid.",
  });
  const wrong = await call(em.url, await accessToken(em.url), RELS);
  expect(wrong.status).toBe(401);
  expect(wrong.json.error.message).toMatch(/Invalid audience/);
});

test("the route comes before authentication, and authentication before the throttle: refused calls use no budget", async () => {
  em = await start({ throttle: { limit: 1, windowMs: 60_000, scope: "partner" } });
  const notFound = await call(em.url, null, "/v1/invoices");
  expect(notFound.status).toBe(404);
  expect(notFound.json).toMatchObject({ code: "1000", source: "PartnerFD" });
  const notAllowed = await call(em.url, null, RELS, { method: "DELETE" });
  expect(notAllowed.status).toBe(405);
  expect(notAllowed.json.error.code).toBe("BadRequest");
  for (let i = 0; i < 3; i++) expect((await call(em.url, null, CUSTOMERS)).status).toBe(401);
  const token = await accessToken(em.url);
  expect((await call(em.url, token, CUSTOMERS)).status).toBe(200);
  expect((await call(em.url, token, CUSTOMERS)).status).toBe(429);
});

test("faults answer before the route, in the API's error style; the token endpoint's only when named", async () => {
  em = await start();
  const graph = await graphAccessToken(em.url);
  em.addFault({ kind: "status", status: 503, match: { path: "delegatedAdminRelationships" } });
  const g = await call(em.url, graph, RELS);
  expect(g.status).toBe(503);
  expect(g.json.error.code).toBe("serviceNotAvailable");
  em.addFault({ kind: "throttle", retryAfterSeconds: 2, match: { path: "delegatedAdminRelationships" } });
  const t = await call(em.url, graph, RELS);
  expect([t.status, t.headers.get("retry-after"), t.json.error.code]).toEqual([429, "2", "TooManyRequests"]);
  em.addFault({ kind: "status", status: 503, match: { path: "oauth2" } });
  const e = await tokenRequest(em.url, {
    grant_type: "refresh_token",
    client_id: "c",
    refresh_token: "r",
  });
  expect(e.status).toBe(503);
  expect(await e.json()).toMatchObject({ error: "temporarily_unavailable" });
  em.addFault({ kind: "status", status: 503, match: { path: "/v1/customers" } });
  const p = await call(em.url, await accessToken(em.url), `${CUSTOMERS}/${CUSTOMER}`);
  expect(p.json).toMatchObject({ code: "503", source: "PartnerFD" });
});

test("the token endpoint is counted but not logged; Graph and Partner Center calls are logged", async () => {
  em = await start();
  const graph = await graphAccessToken(em.url);
  await call(em.url, graph, RELS);
  await call(em.url, graph, `${CUSTOMERS}/${CUSTOMER}`);
  expect(em.requests().map((r) => [r.path, r.status, r.customerId])).toEqual([
    [RELS, 200, null],
    [`${CUSTOMERS}/${CUSTOMER}`, 200, CUSTOMER],
  ]);
  expect(em.state().counters).toMatchObject({ requests: 2, tokenRequests: 1 });
  expect(PARTNER).toBe(em.state().partnerTenantId);
});
