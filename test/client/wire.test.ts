/**
 * Exact wire cases the emulator cannot produce, through an undici MockAgent (the provider's own undici copy,
 * so that the dispatcher and `request` match): the headers as sent, PascalCase bodies exactly as Microsoft's
 * example, Retry-After as an HTTP date, the 429 body's "Try again in N seconds", next-page links relative to
 * /v1 or pointing at another host, a service echoing a token, and the subscription suspend body.
 */
import { removalResponse } from "../contract/corpus";
import { MockAgent } from "../../provider/node_modules/undici";
import { PartnerCenterClient } from "../../provider/src/client";
import {
  ApiError,
  PartnerCenterError,
  ResponseValidationError,
  ThrottledError,
} from "../../provider/src/errors";
import { loadSettings } from "../../provider/src/settings";

const ORIGIN = "https://api.partnercenter.microsoft.com";
const TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOi-wire-test-access-token";
const CUSTOMER = "11111111-1111-4111-8111-111111111111";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function setup() {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  const client = new PartnerCenterClient(loadSettings({ accessToken: TOKEN }, {}), {
    dispatcher: agent,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    pacing: { slowStart: false },
  });
  return { agent, client, pool: agent.get(ORIGIN) };
}

function headersOf(agent: MockAgent, i: number): Record<string, string> {
  const call = agent.getCallHistory()?.calls()[i];
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(call?.headers ?? {})) h[k.toLowerCase()] = String(v);
  return h;
}

describe("wire format", () => {
  test("headers of a GET and of a PATCH", async () => {
    const { agent, client, pool } = setup();
    pool.intercept({ path: `/v1/customers/${CUSTOMER}`, method: "GET" }).reply(200, {
      id: CUSTOMER,
      relationshipToPartner: "reseller",
      companyProfile: { companyName: "Contoso" },
    });
    pool
      .intercept({ path: `/v1/customers/${CUSTOMER}`, method: "PATCH" })
      .reply(200, { RelationshipToPartner: "none", Attributes: { ObjectType: "Customer" } });
    await client.customers.get(CUSTOMER);
    await client.customers.removeRelationship(CUSTOMER, {
      requestId: "9fef8b23-6e3e-45d2-8678-e9fe89c35af5",
    });
    const get = headersOf(agent, 0);
    expect(get["authorization"]).toBe(`Bearer ${TOKEN}`);
    expect(get["accept"]).toBe("application/json");
    expect(get["ms-requestid"]).toMatch(GUID);
    expect(get["ms-correlationid"]).toMatch(GUID);
    expect(get["x-locale"]).toBe("en-US");
    expect(get["user-agent"]).toMatch(/^pulumi-partner-center\/\d+\.\d+\.\d+ node\/\d+/);
    expect(get["content-type"]).toBeUndefined();
    const patch = headersOf(agent, 1);
    expect(patch["ms-requestid"]).toBe("9fef8b23-6e3e-45d2-8678-e9fe89c35af5");
    // "The value should be reset for every call" (Partner Center REST headers).
    expect(patch["ms-correlationid"]).toMatch(GUID);
    expect(patch["ms-correlationid"]).not.toBe(get["ms-correlationid"]);
    expect(patch["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(String(agent.getCallHistory()?.calls()[1]?.body))).toEqual({
      relationshipToPartner: "none",
      attributes: { objectType: "Customer" },
    });
    await client.close();
  });

  test("the remove-relationship response exactly as Microsoft's example (PascalCase, nulls)", async () => {
    const { client, pool } = setup();
    pool.intercept({ path: `/v1/customers/${CUSTOMER}`, method: "PATCH" }).reply(200, removalResponse);
    const c = await client.customers.removeRelationship(CUSTOMER);
    expect(c).toEqual({ id: "", companyName: undefined, domain: undefined, relationshipToPartner: "none" });
  });

  test("Retry-After as an HTTP date, and a 429 body with only 'Try again in N seconds'", async () => {
    const { client, pool } = setup();
    const path = `/v1/customers/${CUSTOMER}`;
    pool.intercept({ path }).reply(
      429,
      { statusCode: 429, message: "Rate limit is exceeded." },
      {
        headers: { "retry-after": new Date(Date.now() - 1000).toUTCString() },
      },
    );
    pool
      .intercept({ path })
      .reply(429, { statusCode: 429, message: "Rate limit is exceeded. Try again in 0 seconds." });
    pool.intercept({ path }).reply(200, { id: CUSTOMER, relationshipToPartner: "Reseller" });
    const c = await client.customers.get(CUSTOMER);
    expect(c.relationshipToPartner).toBe("reseller");
    expect(client.stats()).toMatchObject({ requests: 3, responses429: 2, retries: 2, tokenRequests: 0 });
  });

  test("429 exhausted: ThrottledError with the non-standard body's message", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const client = new PartnerCenterClient(loadSettings({ accessToken: TOKEN }, {}), {
      dispatcher: agent,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      pacing: { slowStart: false },
    });
    agent
      .get(ORIGIN)
      .intercept({ path: `/v1/customers/${CUSTOMER}` })
      .reply(
        429,
        { statusCode: 429, message: "Rate limit is exceeded. Try again in 57 seconds." },
        {
          headers: { "retry-after": "0" },
        },
      )
      .times(2);
    const e = await client.customers.get(CUSTOMER).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ThrottledError);
    expect((e as ThrottledError).status).toBe(429);
    expect((e as ThrottledError).partnerCenterDescription).toContain("Rate limit is exceeded");
    expect((e as ThrottledError).operation).toBe(`GET /v1/customers/${CUSTOMER}`);
    expect((e as ThrottledError).requestId).toMatch(GUID);
  });

  test("a links.next relative to /v1 is followed with its MS-ContinuationToken", async () => {
    const { agent, client, pool } = setup();
    // `size` is required by "Get a list of customers".
    pool.intercept({ path: "/v1/customers?size=100" }).reply(200, {
      totalCount: 1,
      items: [{ id: "A", relationshipToPartner: "reseller" }],
      links: {
        next: {
          uri: "/customers?size=1&seekOperation=Next",
          method: "GET",
          headers: [
            { key: "MS-ContinuationToken", value: "page-2-token" },
            { key: "Authorization", value: "Bearer stolen" },
          ],
        },
      },
    });
    pool
      .intercept({ path: "/v1/customers?size=1&seekOperation=Next" })
      .reply(200, { TotalCount: 1, Items: [{ Id: "B", RelationshipToPartner: "RESELLER" }], Links: {} });
    const list = await client.customers.list();
    expect(list.map((c) => c.id)).toEqual(["a", "b"]);
    expect(list[1]!.relationshipToPartner).toBe("reseller");
    const second = headersOf(agent, 1);
    expect(second["ms-continuationtoken"]).toBe("page-2-token");
    expect(second["authorization"]).toBe(`Bearer ${TOKEN}`);
    expect(second["ms-requestid"]).not.toBe(headersOf(agent, 0)["ms-requestid"]); // a new logical request
  });

  test("a links.next to another host is refused (the token never leaves the endpoint)", async () => {
    const { client, pool } = setup();
    pool.intercept({ path: `/v1/customers/${CUSTOMER}/subscriptions` }).reply(200, {
      items: [],
      links: { next: { uri: "https://evil.example.com/v1/steal" } },
    });
    const e = await client.subscriptions.list(CUSTOMER).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain("evil.example.com");
  });

  test("an error description that echoes the token is redacted, and no error carries it", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: `/v1/customers/${CUSTOMER}` })
      .reply(400, { code: 3000, description: `Bad header Authorization: Bearer ${TOKEN}` });
    const e = (await client.customers.get(CUSTOMER).catch((x: unknown) => x)) as PartnerCenterError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.partnerCenterCode).toBe("3000");
    const everything = [
      e.message,
      e.stack,
      JSON.stringify(e),
      e.partnerCenterDescription,
      String(e.cause),
    ].join("\n");
    expect(everything).not.toContain(TOKEN);
  });

  test("suspend sends the whole raw subscription with status suspended and If-Match", async () => {
    const { agent, client, pool } = setup();
    const raw = {
      Id: "sub-1",
      OfferId: "CFQ7TTC0LH18:0001",
      OfferName: "Microsoft 365 Business Basic",
      Status: "Active",
      Quantity: 5,
      Etag: "top-level-etag-ignored",
      ProductType: { Id: "OnlineServicesNCE", DisplayName: "OnlineServicesNCE" },
      Attributes: { Etag: "etag-1", ObjectType: "Subscription" },
    };
    pool.intercept({ path: `/v1/customers/${CUSTOMER}/subscriptions` }).reply(200, { Items: [raw] });
    pool.intercept({ path: `/v1/customers/${CUSTOMER}/subscriptions/sub-1`, method: "PATCH" }).reply(200, {
      ...raw,
      Status: "Suspended",
      Attributes: { Etag: "etag-2", ObjectType: "Subscription" },
    });
    const [s] = await client.subscriptions.list(CUSTOMER);
    expect(s).toMatchObject({
      id: "sub-1",
      status: "active",
      etag: "etag-1",
      isNewCommerce: true,
      isAzurePlan: false,
    });
    const updated = await client.subscriptions.suspend(CUSTOMER, s!);
    expect(updated).toMatchObject({ status: "suspended", etag: "etag-2" });
    const h = headersOf(agent, 1);
    // From Attributes.Etag (not the top-level one), in double quotes ("Test and debug").
    expect(h["if-match"]).toBe('"etag-1"');
    expect(JSON.parse(String(agent.getCallHistory()?.calls()[1]?.body))).toEqual({
      ...raw,
      Status: "suspended",
    });
  });

  test("an oversized Content-Length is refused without reading the body", async () => {
    const { client, pool } = setup();
    pool
      .intercept({ path: `/v1/customers/${CUSTOMER}` })
      .reply(200, "{}", { headers: { "content-length": String(64 * 1024 * 1024) } });
    await expect(client.customers.get(CUSTOMER)).rejects.toBeInstanceOf(ResponseValidationError);
  });
});
