/**
 * GDAP offboarding under a hostile or faulty Microsoft Graph, against the emulator's Graph routes over real
 * loopback HTTP: a list that ignores the customer filter, an id listed twice, a termination Graph has not
 * finished, Graph's own error words, a create whose answer was lost, and where a Graph token may be sent.
 */
import { MockAgent } from "../../provider/node_modules/undici";
import { closeSharedClients, PartnerCenterClient } from "../../provider/src/client";
import { SAMPLE_CUSTOMERS, type Emulator } from "../../packages/emulator/src";
import {
  adminAccessOf,
  endAdminAccess,
  endRelationship,
  establishRelationship,
} from "../../provider/src/gdap/relationships";
import { GraphClient } from "../../provider/src/gdap/graph";
import { ConfigurationError, ResponseValidationError } from "../../provider/src/errors";
import { loadSettings } from "../../provider/src/settings";
import { caught, clientFor, emulator } from "../client/helpers";
import { listAnswer } from "./helpers";

const CUSTOMER: string = SAMPLE_CUSTOMERS.clean;
const OTHER: string = SAMPLE_CUSTOMERS.activeSubscriptions;
const HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const LIST = "delegatedAdminRelationships$";

// One emulator and client for the file, back to the start estate (no relationship, no fault) before each test.
let em: Emulator;
let pc: PartnerCenterClient;
let graph: GraphClient;
beforeAll(async () => {
  em = await emulator();
  pc = clientFor(em);
  graph = new GraphClient(pc, em.url);
});
beforeEach(() => em.reset());
afterAll(async () => {
  await Promise.all([pc.close(), closeSharedClients()]);
  await em.close();
});

const spec = (displayName: string, customerId = CUSTOMER) => ({
  displayName,
  customerId,
  duration: "P730D",
  roles: [HELPDESK_ADMIN],
});

/** An active relationship of `customerId`. */
async function active(displayName: string, customerId = CUSTOMER): Promise<string> {
  const rel = await establishRelationship(graph, spec(displayName, customerId), { pollIntervalMs: 5 });
  em.gdap.approve(rel.id);
  return rel.id;
}

const listBody = (ids: string[]) => listAnswer(em.gdap.state(), ids);

const graphWrites = () => em.requests().filter((r) => r.path.startsWith("/v1.0/") && r.method !== "GET");

describe("offboarding is scoped by the customer on every item, not by the server's filter", () => {
  test("a list holding another customer's relationship: nothing is ended, a typed error says why", async () => {
    const mine = await active("mine");
    const theirs = await active("theirs", OTHER);
    const before = graphWrites().length;
    // A server that ignores `$filter`: every relationship of the partner.
    em.addFault({ kind: "body", body: listBody([mine, theirs]), match: { method: "GET", path: LIST } });
    const lines: string[] = [];
    const e = await caught(endAdminAccess(graph, CUSTOMER, (l) => lines.push(l)));
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect(e).toMatchObject({ code: "PPC_RESPONSE_VALIDATION" });
    expect((e as Error).message).toContain(`${theirs} of tenant ${OTHER}`);
    expect((e as Error).message).toMatch(/no admin relationship was ended/);
    expect(lines.join("\n")).toMatch(/ignored or mis-applied the customer filter/);
    // Fail closed: not even the customer's own relationship was ended.
    expect(graphWrites().slice(before)).toEqual([]);
    const status = new Map(em.gdap.state().map((r) => [r.id, r.status]));
    expect(status.get(mine)).toBe("active");
    expect(status.get(theirs)).toBe("active");
  });

  test("the refresh report keeps only the customer's relationships, and says the filter was ignored", async () => {
    const mine = await active("mine");
    const theirs = await active("theirs", OTHER);
    em.addFault({ kind: "body", body: listBody([theirs, mine]), match: { method: "GET", path: LIST } });
    const lines: string[] = [];
    const report = await adminAccessOf(graph, CUSTOMER, (l) => lines.push(l));
    expect(report.map((r) => r.id)).toEqual([mine]);
    expect(lines.join("\n")).toMatch(/ignored or mis-applied the customer filter/);
  });

  test("the tenant id is compared case-insensitively: an upper-case GUID is the same customer", async () => {
    const mine = await active("mine");
    const body = listBody([mine]) as { value: { customer: { tenantId: string } }[] };
    body.value[0]!.customer.tenantId = CUSTOMER.toUpperCase();
    em.addFault({ kind: "body", body, match: { method: "GET", path: LIST } });
    expect((await endAdminAccess(graph, CUSTOMER)).map((r) => r.id)).toEqual([mine]);
    expect(em.gdap.state().find((r) => r.id === mine)!.status).toBe("terminated");
  });

  test("the customer id goes into $filter only as a GUID, percent-encoded per RFC 3986", async () => {
    const hostile = `${CUSTOMER}' or customer/tenantId ne '`;
    for (const p of [endAdminAccess(graph, hostile), adminAccessOf(graph, hostile)]) {
      const e = await caught(p);
      expect(e).toBeInstanceOf(ConfigurationError);
      expect((e as Error).message).toMatch(/is not a customer tenant id/);
    }
    expect(em.requests().filter((r) => r.path.startsWith("/v1.0/"))).toEqual([]);

    await adminAccessOf(graph, CUSTOMER.toUpperCase());
    const list = em.requests().find((r) => r.path.endsWith("/delegatedAdminRelationships"))!;
    // Space as %20 (never "+"), quotes and slash encoded; the GUID in lower case.
    expect(list.query).toBe(`$top=300&$filter=customer%2FtenantId%20eq%20%27${CUSTOMER}%27`);
  });
});

describe("counts and statuses mean what they say", () => {
  test("an id listed twice is ended once and counted once", async () => {
    const mine = await active("mine");
    const before = graphWrites().length;
    em.addFault({ kind: "body", body: listBody([mine, mine]), match: { method: "GET", path: LIST } });
    const lines: string[] = [];
    const ended = await endAdminAccess(graph, CUSTOMER, (l) => lines.push(l));
    expect(ended.map((r) => r.id)).toEqual([mine]);
    expect(
      graphWrites()
        .slice(before)
        .map((r) => `${r.method} ${r.path.replace(mine, "{id}")}`),
    ).toEqual(["POST /v1.0/tenantRelationships/delegatedAdminRelationships/{id}/requests"]); // one terminate
    expect(lines.join("\n")).toMatch(/ended 1 delegated admin relationship\(s\)/);

    em.addFault({ kind: "body", body: listBody([mine, mine]), match: { method: "GET", path: LIST } });
    expect(await adminAccessOf(graph, CUSTOMER)).toHaveLength(1);
  });

  test("terminationRequested is ending, not ended: access continues until Graph finishes, and the message says so", async () => {
    const mine = await active("mine");
    em.gdap.asyncMs = 60_000; // Graph takes its time to finish the termination
    const lines: string[] = [];
    const ended = await endAdminAccess(graph, CUSTOMER, (l) => lines.push(l), {
      pollIntervalMs: 5,
      finishWaitMs: 50,
    });
    expect(ended).toEqual([expect.objectContaining({ id: mine, status: "terminationRequested" })]);
    const text = lines.join("\n");
    expect(text).not.toMatch(/admin access is over/);
    expect(text).toMatch(/termination requested for 1 .* admin access continues until Graph finishes/);

    // Already ending: nothing sent again, still reported as ending.
    const before = graphWrites().length;
    expect(await endRelationship(graph, mine, { pollIntervalMs: 5 })).toBe("ending");
    expect(graphWrites().length).toBe(before);

    // Once Graph has finished, offboarding says admin access is over.
    em.gdap.setStatus(mine, "terminated");
    const done: string[] = [];
    await endAdminAccess(graph, CUSTOMER, (l) => done.push(l));
    expect(done.join("\n")).toMatch(/no open delegated admin relationship/);
  });
});

describe("Graph errors in Graph's words", () => {
  test("a Graph 503 names Microsoft Graph and Graph's error code, never Partner Center's", async () => {
    em.addFault({ kind: "status", status: 503, match: { path: "/v1.0/" }, times: 10 });
    const e = await caught(graph.listRelationships({ customerTenantId: CUSTOMER }));
    const text = (e as Error).message;
    expect(text).toMatch(/^Microsoft Graph could not list/);
    expect(text).toContain("Microsoft Graph error code serviceNotAvailable");
    expect(text).not.toMatch(/Partner Center/);
  });

  test("a create whose answer could not be read never says nothing was changed", async () => {
    // The lookup before the create finds nothing; the create is applied but its answer is unreadable; the
    // lookup after it fails: Graph is down for lists.
    em.addFault({ kind: "body", body: { value: [] }, match: { method: "GET", path: LIST } });
    em.addFault({ kind: "malformedJson", match: { method: "POST", path: LIST } });
    em.addFault({ kind: "status", status: 503, match: { method: "GET", path: LIST }, times: 10 });
    const e = await caught(establishRelationship(graph, spec("lost"), { pollIntervalMs: 5 }));
    const text = (e as Error).message;
    expect(text).not.toMatch(/nothing was changed/i);
    expect(text).toMatch(/may have been created/);
    expect(text).toMatch(/next `pulumi up` looks for a live relationship named "lost"/);
    expect(em.gdap.state().map((r) => r.displayName)).toEqual(["lost"]); // it was, indeed
    // And the next run, Graph back, adopts it.
    em.clearFaults();
    const again = await establishRelationship(graph, spec("lost"), { pollIntervalMs: 5 });
    expect(again.id).toBe(em.gdap.state()[0]!.id);
  });
});

describe("a Graph token never goes to loopback without the opt-in, nor across loopback and remote", () => {
  const CREDS = {
    tenantId: "0a0a0a0a-0000-4000-8000-00000000000a",
    clientId: "app",
    refreshToken: "a-real-looking-refresh-token",
  };

  test("real Partner Center and authority with a loopback graphEndpoint: refused, no token requested", async () => {
    // Wire case: the real authority is an undici MockAgent that would hand out a token.
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get("https://login.example.test")
      .intercept({ path: /oauth2\/token/, method: "POST" })
      .reply(200, { access_token: "real-graph-token-0123456789", token_type: "Bearer", expires_in: 3600 })
      .persist();
    const settings = loadSettings(
      { endpoint: "https://pc.example.test", authority: "https://login.example.test", ...CREDS },
      {},
    );
    const real = new PartnerCenterClient(settings, { dispatcher: agent, retry: { maxAttempts: 1 } });
    try {
      const e = await caught(new GraphClient(real, em.url).listRelationships());
      expect(e).toBeInstanceOf(ConfigurationError);
      expect((e as Error).message).toMatch(
        /Refusing to send a Microsoft Graph token .* to a loopback address: partnercenter:graphEndpoint \(or PARTNER_CENTER_GRAPH_ENDPOINT\) is http:\/\/127\.0\.0\.1/,
      );
      expect((e as Error).message).toMatch(/partnercenter:allowLoopbackWithCredentials/);
      expect(real.stats().tokenRequests).toBe(0);
      expect(em.requests()).toEqual([]);
    } finally {
      await real.close();
      await agent.close();
    }
  });

  test("the emulator for Partner Center with the real Graph: refused, naming the settings", async () => {
    const [tokens, graphTokens] = [pc.stats().tokenRequests, em.gdap.graphTokens.size];
    const e = await caught(new GraphClient(pc, "https://graph.microsoft.com").listRelationships());
    expect(e).toBeInstanceOf(ConfigurationError);
    const text = (e as Error).message;
    expect(text).toMatch(/mix loopback and remote addresses/);
    expect(text).toContain(`partnercenter:endpoint (or PARTNER_CENTER_ENDPOINT) = ${em.url}`);
    expect(text).toContain(
      "partnercenter:graphEndpoint (or PARTNER_CENTER_GRAPH_ENDPOINT) = https://graph.microsoft.com",
    );
    expect(pc.stats().tokenRequests).toBe(tokens);
    expect(em.gdap.graphTokens.size).toBe(graphTokens);
  });
});
