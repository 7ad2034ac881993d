/**
 * The Entra token endpoints (routes/token.ts): what each route accepts, the audience a token carries, and the
 * Entra error shape of what it refuses.
 */
import { call, PARTNER, sharedEmulator, tokenRequest } from "./helpers";

const shared = sharedEmulator();

const grant = { grant_type: "refresh_token", client_id: "c", refresh_token: "r" };

test("only POST: another method is 405 AADSTS900561 in Entra's shape", async () => {
  for (const p of ["oauth2/token", "oauth2/v2.0/token", "oauth2/v2.0/devicecode"]) {
    const r = await fetch(`${shared.em.url}/${PARTNER}/${p}`);
    expect(r.status).toBe(405);
    expect(await r.json()).toMatchObject({
      error: "invalid_request",
      error_description: expect.stringMatching(/^AADSTS900561/),
    });
    expect(r.headers.get("cache-control")).toBe("no-store, no-cache");
  }
});

test("the device-code endpoint is v2 only: the v1 path is not a token route (Partner Center's 404)", async () => {
  const r = await call(shared.em.url, null, `/${PARTNER}/oauth2/devicecode`, { method: "POST" });
  expect(r.status).toBe(404);
  expect(r.json).toMatchObject({ code: "1000", source: "PartnerFD" });
});

test("a token carries its audience: a Graph token works on Graph, a Partner Center one does not", async () => {
  const take = async (scope: string) => {
    const r = await tokenRequest(shared.em.url, { ...grant, scope }, `/${PARTNER}/oauth2/v2.0/token`);
    expect(r.status).toBe(200);
    return (await r.json()) as { access_token: string; scope: string };
  };
  const graph = await take("https://graph.microsoft.com/.default");
  expect(graph.scope).toBe("https://graph.microsoft.com/DelegatedAdminRelationship.ReadWrite.All");
  const pc = await take("https://api.partnercenter.microsoft.com/.default");
  expect(pc.scope).toBe("https://api.partnercenter.microsoft.com/user_impersonation");
  const rels = "/v1.0/tenantRelationships/delegatedAdminRelationships";
  expect((await call(shared.em.url, graph.access_token, rels)).status).toBe(200);
  expect((await call(shared.em.url, pc.access_token, rels)).status).toBe(401);
  expect(shared.em.gdap.graphTokens.has(graph.access_token)).toBe(true);
});

test("another resource is invalid_resource AADSTS500011", async () => {
  const r = await tokenRequest(shared.em.url, { ...grant, resource: "https://management.azure.com" });
  expect(r.status).toBe(400);
  expect(await r.json()).toMatchObject({
    error: "invalid_resource",
    error_description: expect.stringMatching(/^AADSTS500011/),
  });
});
