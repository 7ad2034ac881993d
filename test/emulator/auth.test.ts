/** Token endpoint, bearer checks and the headers every API answer carries. */
import type { Emulator } from "../../packages/emulator/src";
import { SAMPLE_CUSTOMERS } from "../../packages/emulator/src";
import { accessToken, call, PARTNER, sleep, start, tokenRequest } from "./helpers";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const grant = {
  grant_type: "refresh_token",
  client_id: "app",
  client_secret: "s3cret-value",
  refresh_token: "the-refresh-token",
  resource: "https://api.partnercenter.microsoft.com",
};
let emu: Emulator;

beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe("token endpoint", () => {
  test("v1 refresh-token grant: opaque tokens, rotated refresh token, string numbers like Azure AD v1", async () => {
    const res = await tokenRequest(emu.url, grant);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: "3600", resource: grant.resource });
    expect(body.access_token).toMatch(/^pcemu-at-[0-9a-f]{48}$/);
    expect(body.refresh_token).not.toBe(grant.refresh_token);
    for (const t of [body.access_token!, body.refresh_token!]) {
      expect(t).not.toMatch(/^e[y]J/); // not a JWT (base64url of "{")
      expect(t.split(".")).toHaveLength(1);
    }
    const r = await call(emu.url, body.access_token!, `/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    expect(r.status).toBe(200);
    expect(emu.state().counters.tokensIssued).toBe(1);
    expect(emu.state().issuedTokens).toEqual(expect.arrayContaining([body.access_token, body.refresh_token]));
    // The token request is not API traffic.
    expect(emu.requests().map((e) => e.path)).toEqual([`/v1/customers/${SAMPLE_CUSTOMERS.clean}`]);
  });

  test("v2 endpoint with scope answers numbers", async () => {
    const { resource: _r, ...rest } = grant;
    const res = await tokenRequest(
      emu.url,
      { ...rest, scope: "https://api.partnercenter.microsoft.com/.default" },
      `/${PARTNER}/oauth2/v2.0/token`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.expires_in).toBe(3600);
    expect(typeof body.access_token).toBe("string");
  });

  test("bad requests get the Azure AD error shape, not Partner Center's", async () => {
    const cases: [Record<string, string>, number, string, RegExp][] = [
      [{ ...grant, grant_type: "password" }, 400, "unsupported_grant_type", /AADSTS70003/],
      [{ ...grant, refresh_token: "" }, 400, "invalid_request", /refresh_token/],
      [{ ...grant, client_id: "" }, 400, "invalid_request", /client_id/],
      [
        { ...grant, resource: "https://management.azure.com" } /* GDAP: Graph is accepted now */,
        400,
        "invalid_resource",
        /AADSTS500011/,
      ],
    ];
    for (const [form, status, error, text] of cases) {
      const res = await tokenRequest(emu.url, form);
      expect(res.status).toBe(status);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.error).toBe(error);
      expect(body.error_description).toMatch(text);
      expect(body).not.toHaveProperty("code");
    }
    const get = await fetch(`${emu.url}/${PARTNER}/oauth2/token`);
    expect(get.status).toBe(405);
  });

  test("requireCredentials: wrong refresh token is invalid_grant AADSTS70000, wrong secret invalid_client; a rotated refresh token works", async () => {
    emu.configure({
      requireCredentials: {
        clientId: "app",
        clientSecret: "s3cret-value",
        refreshToken: "the-refresh-token",
      },
    });
    const badGrant = await tokenRequest(emu.url, { ...grant, refresh_token: "stolen" });
    expect(badGrant.status).toBe(400);
    expect(await badGrant.json()).toMatchObject({
      error: "invalid_grant",
      error_description: expect.stringMatching(/^AADSTS70000:/),
    });
    const badSecret = await tokenRequest(emu.url, { ...grant, client_secret: "nope" });
    expect(badSecret.status).toBe(401);
    expect(((await badSecret.json()) as { error: string }).error).toBe("invalid_client");
    const badClient = await tokenRequest(emu.url, { ...grant, client_id: "other" });
    expect(((await badClient.json()) as { error: string }).error).toBe("unauthorized_client");
    const ok = (await (await tokenRequest(emu.url, grant)).json()) as { refresh_token: string };
    const again = await tokenRequest(emu.url, { ...grant, refresh_token: ok.refresh_token });
    expect(again.status).toBe(200);
  });

  test("without requireCredentials any client id and any non-empty refresh token are accepted", async () => {
    const res = await tokenRequest(emu.url, {
      grant_type: "refresh_token",
      client_id: "whatever",
      refresh_token: "x",
    });
    expect(res.status).toBe(200);
  });
});

describe("bearer tokens on the API", () => {
  const path = `/v1/customers/${SAMPLE_CUSTOMERS.clean}`;

  test("missing, malformed or unknown token: 401 in the Partner Center error schema", async () => {
    for (const headers of [
      {},
      { Authorization: "Basic YWJjOmRlZg==" },
      { Authorization: "Bearer not-issued-by-us" },
    ]) {
      const r = await call(emu.url, null, path, { headers });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({
        code: "400",
        description: expect.stringMatching(/Access denied/),
        data: [],
        source: "PartnerFD",
      });
      expect(r.headers.get("ms-correlationid")).toMatch(GUID);
    }
  });

  test("an expired token is refused, a new one works", async () => {
    emu.configure({ tokenLifetimeSeconds: 0.2 });
    const token = await accessToken(emu.url);
    expect((await call(emu.url, token, path)).status).toBe(200);
    await sleep(300);
    const r = await call(emu.url, token, path);
    expect(r.status).toBe(401);
    expect(r.json.description).toMatch(/expired/);
    expect((await call(emu.url, await accessToken(emu.url), path)).status).toBe(200);
  });

  test("expireTokens() invalidates issued tokens but not static ones", async () => {
    emu.configure({ staticAccessTokens: ["static-token-for-pipelines"] });
    const token = await accessToken(emu.url);
    expect(emu.expireTokens()).toBeGreaterThan(0);
    expect((await call(emu.url, token, path)).status).toBe(401);
    expect((await call(emu.url, "static-token-for-pipelines", path)).status).toBe(200);
  });

  test("tokens survive reset(), so a client's cached token keeps working", async () => {
    const token = await accessToken(emu.url);
    emu.reset();
    expect((await call(emu.url, token, path)).status).toBe(200);
  });
});

describe("headers", () => {
  test("MS-RequestId, MS-CorrelationId and X-Locale are echoed; generated when absent", async () => {
    const token = await accessToken(emu.url);
    const r = await call(emu.url, token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}`, {
      headers: {
        "MS-RequestId": "9fef8b23-6e3e-45d2-8678-e9fe89c35af5",
        "MS-CorrelationId": "9b4bf2ca-f374-4d51-9113-781ca87b8380",
        "X-Locale": "fr-FR",
      },
    });
    expect(r.headers.get("ms-requestid")).toBe("9fef8b23-6e3e-45d2-8678-e9fe89c35af5");
    expect(r.headers.get("ms-correlationid")).toBe("9b4bf2ca-f374-4d51-9113-781ca87b8380");
    expect(r.headers.get("x-locale")).toBe("fr-FR");
    expect(r.headers.get("content-type")).toBe("application/json");
    const g = await call(emu.url, token, `/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    expect(g.headers.get("ms-requestid")).toMatch(GUID);
    expect(g.headers.get("ms-correlationid")).toMatch(GUID);
    expect(g.headers.get("x-locale")).toBe("en-US");
    const log = emu.requests();
    expect(log[0]).toMatchObject({
      requestId: "9fef8b23-6e3e-45d2-8678-e9fe89c35af5",
      customerId: SAMPLE_CUSTOMERS.clean,
      status: 200,
    });
  });

  test("an unknown route is 404 in the error schema", async () => {
    const r = await call(emu.url, await accessToken(emu.url), "/v1/invoices");
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: "1000", source: "PartnerFD", data: [] });
  });
});
