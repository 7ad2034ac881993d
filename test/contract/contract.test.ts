/**
 * The contract: Microsoft's documented examples (corpus.ts) against our client and our emulator.
 * - The client parses every documented example into the intended model, and sends the documented requests,
 *   through a stand-in (harness.ts) that answers corpus fixtures: real HTTP on loopback, not the emulator.
 * - Every emulator answer has the shape of its documented example, so the emulator cannot drift from the docs.
 * - The behaviours that depend on the contract (etag and If-Match, removal whose answer was lost,
 *   propagation, MS-CorrelationId per call, error codes as strings or numbers, `size`) are tested against
 *   both the stand-in and the emulator.
 */
import type { PartnerCenterClient } from "../../provider/src/client";
import { SAMPLE_CUSTOMERS, SAMPLE_SUBSCRIPTIONS, type Emulator } from "../../packages/emulator/src";
import {
  ApiError,
  RemovalNotPermittedError,
  RemovalRefusedError,
  RemovalUnconfirmedError,
  ThrottledError,
} from "../../provider/src/errors";
import { findBlockers, isReservedInstance, remove } from "../../provider/src/relationship";
import { clientFor } from "../client/helpers";
import { accessToken, call, sharedEmulator, start } from "../emulator/helpers";
import * as corpus from "./corpus";
import { shapeDiff, startStandIn, standInClient, type Reply, type StandIn } from "./harness";

const ID = corpus.CUSTOMER_ID;
const CUSTOMER = `/v1/customers/${ID}`;
const SUBS = `${CUSTOMER}/subscriptions`;
const EMPTY = { totalCount: 0, items: [], attributes: { objectType: "Collection" } };
const ok = (body: unknown): Reply => ({ status: 200, body });
const err = (status: number, code: string, description = "documented failure"): Reply => ({
  status,
  body: { code, description, data: [], source: "PartnerFD" },
});

describe("shapeDiff", () => {
  test("finds a missing property, a casing drift, a kind change; allows extras and documented nulls", () => {
    const doc = { id: "a", attributes: { etag: "e", objectType: "X" }, n: null, list: [{ k: 1 }] };
    expect(
      shapeDiff(doc, { id: "b", attributes: { etag: "f", objectType: "Y" }, n: 3, list: [], extra: 1 }),
    ).toEqual([]);
    expect(shapeDiff(doc, { Id: "b", attributes: { objectType: 1 }, n: null, list: [{ k: "1" }] })).toEqual([
      'id: documented as "id", got "Id"',
      "attributes.etag: missing",
      "attributes.objectType: documented string, got number",
      "list[].k: documented number, got string (item 0)",
    ]);
    expect(
      shapeDiff(
        doc,
        { id: "b", attributes: { objectType: "X" }, n: null, list: [] },
        { mayOmit: ["attributes.etag"] },
      ),
    ).toEqual([]);
  });
});

describe("the client against a stand-in answering Microsoft's documented examples", () => {
  let s: StandIn;
  let client: PartnerCenterClient;
  beforeEach(async () => {
    s = await startStandIn();
    client = standInClient(s);
  });
  afterEach(async () => {
    await client.close();
    await s.close();
  });
  const sent = (method: string) => s.calls.filter((c) => c.method === method);

  test("customer by id", async () => {
    s.script("GET", CUSTOMER, ok(corpus.customerById));
    expect(await client.customers.get(ID)).toEqual({
      id: ID,
      companyName: "1kl as kjk",
      domain: "abcdefgh1234.ccsctp.net",
      relationshipToPartner: "reseller",
    });
  });

  test("customer list: `size` is sent; a continuation link is followed with its MS-ContinuationToken", async () => {
    s.script("GET", "/v1/customers", ok({ ...corpus.customerList, links: corpus.continuationLinks }));
    s.script("GET", "/v1/invoices/unbilled/lineitems", ok(corpus.customerList));
    const list = await client.customers.list();
    expect(list.map((c) => c.id)).toHaveLength(4);
    expect(s.calls[0]!.url).toBe("/v1/customers?size=100");
    expect(s.calls[1]!.url).toBe(`/v1${corpus.continuationLinks.next.uri}`);
    expect(s.calls[1]!.headers["ms-continuationtoken"]).toBe("AQAAAA==");
  });

  test("removal: the documented request body, and the PascalCase mostly-null answer means none", async () => {
    s.script("PATCH", CUSTOMER, ok(corpus.removalResponse));
    const c = await client.customers.removeRelationship(ID);
    expect(c.relationshipToPartner).toBe("none");
    expect(sent("PATCH")[0]!.body).toEqual(corpus.removalRequest);
  });

  test("entitlements: reservedinstance, software, and the legacy virtualmachinereservedinstance", async () => {
    s.script(
      "GET",
      `${CUSTOMER}/entitlements`,
      ok({ ...corpus.entitlements, items: [...corpus.entitlements.items, corpus.vmReservedInstance] }),
    );
    const list = await client.entitlements.list(ID);
    expect(list.map((e) => [e.entitlementType, e.id, isReservedInstance(e)])).toEqual([
      ["reservedinstance", "KaJ8XvkKc_GoNZOUyjVaRJalTBN5MWdV1", true],
      ["software", "NUXMSvmS20EQ4kFsZmzkSqb747fqKmNk1", false],
      ["virtualmachinereservedinstance", "KaJ8XvkKc_GoNZOUyjVaRJalTBN5MWdV1", true],
    ]);
  });

  test("subscriptions: the legacy etag from attributes.etag; none for new commerce", async () => {
    s.script(
      "GET",
      SUBS,
      ok(
        corpus.wholeList({
          ...corpus.legacySubscriptions,
          items: [...corpus.legacySubscriptions.items, corpus.newCommerceSubscription],
        }),
      ),
    );
    const [legacy, nce] = await client.subscriptions.list(ID);
    expect(legacy).toMatchObject({
      id: "83ef9d05-4169-4ef9-9657-0e86b1eab1de",
      status: "active",
      etag: "<etag>",
    });
    expect(nce).toMatchObject({ status: "active", etag: undefined, isNewCommerce: true, isAzurePlan: false });
  });

  test("the documented term fields are read, and decide the class, the date and the next step", async () => {
    s.script("GET", SUBS, ok(corpus.wholeList({ items: [corpus.softwareSubscription] })));
    const [sw] = await client.subscriptions.list(ID);
    expect(sw).toMatchObject({
      productType: "Software",
      isNewCommerce: true,
      azureKind: undefined,
      termDuration: "P3Y",
      commitmentEndDate: "2024-09-13T00:00:00Z",
      cancellationAllowedUntilDate: "2021-10-14T23:59:00Z",
      autoRenewEnabled: true,
    });
    const inWindow = findBlockers([sw!], [], Date.parse("2021-10-01T00:00:00Z"));
    expect(inWindow).toEqual([
      expect.objectContaining({
        class: "newCommerceCancellable",
        date: "2021-10-14T23:59:00Z",
        dateMeaning: "cancellationDeadline",
      }),
    ]);
    const after = findBlockers([sw!], [], Date.parse("2022-01-01T00:00:00Z"));
    expect(after).toEqual([
      expect.objectContaining({
        class: "newCommerceLocked",
        date: "2024-09-13T00:00:00Z",
        dateMeaning: "termEnd",
        nextStep: expect.stringMatching(
          /window ended on 2021-10-14.*term ends on 2024-09-13: turn off auto-renew/,
        ),
      }),
    ]);
    // Cancelling is the documented PATCH with status deleted; a new-commerce resource has no etag: no If-Match.
    s.script("PATCH", `${SUBS}/${sw!.id}`, ok({ ...corpus.softwareSubscription, status: "deleted" }));
    expect((await client.subscriptions.cancel(ID, sw!)).status).toBe("deleted");
    const patch = sent("PATCH")[0]!;
    expect(patch.body).toMatchObject({ id: sw!.id, status: "deleted" });
    expect(patch.headers["if-match"]).toBeUndefined();
  });

  test("entitlements are read with showExpiry=true", async () => {
    s.script("GET", `${CUSTOMER}/entitlements`, ok(corpus.entitlements));
    await client.entitlements.list(ID);
    expect(s.calls.find((c) => c.url.includes("/entitlements"))?.url).toMatch(
      /\/entitlements\?showExpiry=true$/,
    );
  });

  test("the subscriptions example as published (totalCount 37, one item shown) is refused: it does not add up", async () => {
    s.script("GET", SUBS, ok(corpus.legacySubscriptions));
    await expect(client.subscriptions.list(ID)).rejects.toThrow(
      /announced 37 items \(totalCount\) but sent 1/,
    );
  });

  test("suspend a legacy subscription: the full resource, status suspended, If-Match quoted", async () => {
    const item = corpus.legacySubscriptions.items[0]!;
    s.script("GET", SUBS, ok(corpus.wholeList(corpus.legacySubscriptions)));
    s.script("PATCH", `${SUBS}/${item.id}`, ok(corpus.suspendResponse));
    const [legacy] = await client.subscriptions.list(ID);
    const updated = await client.subscriptions.suspend(ID, legacy!);
    expect(updated).toMatchObject({ id: item.id, status: "suspended", etag: "<etag>" });
    const patch = sent("PATCH")[0]!;
    expect(patch.headers["if-match"]).toBe('"<etag>"');
    expect(patch.body).toEqual({ ...item, status: "suspended" });
  });

  test("suspend keeps the documented PascalCase request exactly", async () => {
    const listed = { ...corpus.suspendRequest, Status: "active" };
    s.script("GET", SUBS, ok({ TotalCount: 1, Items: [listed] }));
    s.script("PATCH", `${SUBS}/${listed.Id}`, ok(corpus.suspendResponse));
    const [sub] = await client.subscriptions.list(ID);
    await client.subscriptions.suspend(ID, sub!);
    expect(sent("PATCH")[0]!.body).toEqual(corpus.suspendRequest);
  });

  test("suspend a new-commerce subscription: no If-Match (it has no etag)", async () => {
    const nce = corpus.newCommerceSubscription;
    s.script("GET", SUBS, ok({ totalCount: 1, items: [nce] }));
    s.script("PATCH", `${SUBS}/${nce.id}`, ok({ ...nce, status: "suspended" }));
    const [sub] = await client.subscriptions.list(ID);
    expect((await client.subscriptions.suspend(ID, sub!)).status).toBe("suspended");
    expect(sent("PATCH")[0]!.headers).not.toHaveProperty("if-match");
  });

  test.each([
    ["400 code 2055", { status: 400, body: corpus.staleEtagError } as Reply],
    ["412", err(412, "412", "Precondition failed")],
  ])(
    "a stale etag (%s) re-reads that subscription and retries once with its fresh etag",
    async (_n, stale) => {
      const item = corpus.legacySubscriptions.items[0]!;
      const fresh = {
        ...item,
        friendlyName: "renamed",
        attributes: { etag: "<etag-2>", objectType: "Subscription" },
      };
      s.script("GET", SUBS, ok(corpus.wholeList(corpus.legacySubscriptions)));
      s.script("GET", `${SUBS}/${item.id}`, ok(fresh));
      s.script("PATCH", `${SUBS}/${item.id}`, stale, ok(corpus.suspendResponse));
      const [legacy] = await client.subscriptions.list(ID);
      expect((await client.subscriptions.suspend(ID, legacy!)).status).toBe("suspended");
      expect(s.calls.map((c) => c.method)).toEqual(["GET", "PATCH", "GET", "PATCH"]);
      expect(sent("PATCH").map((c) => c.headers["if-match"])).toEqual(['"<etag>"', '"<etag-2>"']);
      expect(sent("PATCH")[1]!.body).toEqual({ ...fresh, status: "suspended" });
    },
  );

  test("a second stale etag is surfaced, not retried again", async () => {
    const item = corpus.legacySubscriptions.items[0]!;
    s.script("GET", SUBS, ok(corpus.wholeList(corpus.legacySubscriptions)));
    s.script("GET", `${SUBS}/${item.id}`, ok(item));
    s.script("PATCH", `${SUBS}/${item.id}`, { status: 400, body: corpus.staleEtagError });
    const [legacy] = await client.subscriptions.list(ID);
    const e = (await client.subscriptions.suspend(ID, legacy!).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, partnerCenterCode: "2055" });
    expect(sent("PATCH")).toHaveLength(2);
  });

  test("an etag that cannot be an If-Match value is refused before anything is sent", async () => {
    const item = {
      ...corpus.legacySubscriptions.items[0]!,
      attributes: { etag: 'a"b', objectType: "Subscription" },
    };
    s.script("GET", SUBS, ok({ items: [item] }));
    const [sub] = await client.subscriptions.list(ID);
    await expect(client.subscriptions.suspend(ID, sub!)).rejects.toThrow(/If-Match/);
    expect(sent("PATCH")).toHaveLength(0);
  });

  test("the relationship request link", async () => {
    s.script("GET", "/v1/customers/relationshiprequests", ok(corpus.relationshipRequest));
    expect(await client.relationshipRequests.getInvitationUrl()).toBe(corpus.relationshipRequest.url);
  });

  test("error codes as documented strings and as the numbers some examples show", async () => {
    s.script(
      "GET",
      CUSTOMER,
      { status: 400, body: corpus.numericCodeError },
      { status: 400, body: corpus.staleEtagError },
    );
    const a = (await client.customers.get(ID).catch((x: unknown) => x)) as ApiError;
    const b = (await client.customers.get(ID).catch((x: unknown) => x)) as ApiError;
    expect([a.partnerCenterCode, b.partnerCenterCode]).toEqual(["800090", "2055"]);
    expect(b.partnerCenterDescription).toBe("Etag is no longer valid");
  });

  test("the documented 429 body and Retry-After", async () => {
    const one = standInClient(s, { retry: { maxAttempts: 1 } });
    s.script("GET", CUSTOMER, corpus.throttled);
    const e = (await one.customers.get(ID).catch((x: unknown) => x)) as ThrottledError;
    await one.close();
    expect(e).toBeInstanceOf(ThrottledError);
    expect(e.retryAfterSeconds).toBe(57);
    expect(e.partnerCenterDescription).toBe(corpus.throttled.body.message);
  });

  test("MS-CorrelationId is new for every call, retries included; MS-RequestId is kept on the retry", async () => {
    s.script("GET", CUSTOMER, err(503, "503"), ok(corpus.customerById));
    await client.customers.get(ID);
    await client.customers.get(ID);
    const ids = s.calls.map((c) => [c.headers["ms-requestid"], c.headers["ms-correlationid"]]);
    expect(new Set(ids.map(([, c]) => c)).size).toBe(3);
    expect(ids[0]![0]).toBe(ids[1]![0]);
    expect(ids[2]![0]).not.toBe(ids[0]![0]);
  });
});

describe("removal against the stand-in: an attempt that may have been applied is confirmed, never refused", () => {
  let s: StandIn;
  let client: PartnerCenterClient;
  beforeEach(async () => {
    s = await startStandIn();
    client = standInClient(s);
    s.script("GET", SUBS, ok(EMPTY));
    s.script("GET", `${CUSTOMER}/entitlements`, ok(EMPTY));
  });
  afterEach(async () => {
    await client.close();
    await s.close();
  });
  const patches = () => s.calls.filter((c) => c.method === "PATCH").length;
  const gets = () => s.calls.filter((c) => c.method === "GET" && c.url === CUSTOMER).length;
  const fast = { confirmTimeoutMs: 2000, confirmIntervalMs: 5 };

  test.each([
    ["404 code 1000", err(404, "1000")],
    ["403 code 20002", err(403, "20002")],
    ["400 code 3000", err(400, "3000", "The relationship between the partner and customer does not exist.")],
  ])("answer lost, then the retry answered %s: a GET shows it gone: removed", async (_n, retried) => {
    s.script("PATCH", CUSTOMER, "drop", retried);
    s.script("GET", CUSTOMER, err(404, "1000"));
    const r = await remove(client, ID, fast);
    expect(r.outcome).toBe("removed");
    expect([patches(), gets()]).toEqual([2, 1]);
  });

  test("the GET shows none: removed", async () => {
    s.script("PATCH", CUSTOMER, err(502, "502"), err(404, "1000"));
    s.script("GET", CUSTOMER, ok({ ...corpus.customerById, relationshipToPartner: "none" }));
    expect((await remove(client, ID, fast)).outcome).toBe("removed");
  });

  test("a refusal answered to the first attempt (800063) is a typed refusal with its description: no GET, nothing else sent", async () => {
    const { status, body } = corpus.removalRefusals.orderCannotBeCancelled;
    s.script("PATCH", CUSTOMER, { status, body });
    const e = await remove(client, ID, fast).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemovalRefusedError);
    expect(e).toMatchObject({
      code: "PPC_REMOVAL_REFUSED",
      status: 400,
      partnerCenterCode: "800063",
      partnerCenterDescription: body.description,
      mayHaveApplied: false,
    });
    expect((e as Error).message).toMatch(
      /refused to remove the reseller relationship .*HTTP 400; Partner Center code 800063; "This order/,
    );
    expect((e as Error).message).toMatch(/suspended new-commerce subscriptions \(they must be cancelled\)/);
    expect([patches(), gets()]).toEqual([1, 0]);
  });

  test.each([
    ["404 1000", corpus.removalRefusals.notFound],
    ["400 3000 relationship does not exist", corpus.removalRefusals.relationshipDoesNotExist],
  ])("%s to the first attempt: one GET; gone, it is a success (already gone)", async (_n, answer) => {
    s.script("PATCH", CUSTOMER, answer);
    s.script("GET", CUSTOMER, err(404, "1000"));
    const r = await remove(client, ID, fast);
    expect(r.outcome).toBe("alreadyGone");
    expect([patches(), gets()]).toEqual([1, 1]);
  });

  test("400 3000 to the first attempt while a GET still shows reseller: a typed refusal, no polling, no second PATCH", async () => {
    s.script(
      "PATCH",
      CUSTOMER,
      err(400, "3000", "Customer relationship cannot be removed due to active Azure reserved instances."),
    );
    s.script("GET", CUSTOMER, ok(corpus.customerById));
    const e = await remove(client, ID, fast).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemovalRefusedError);
    expect(e).toMatchObject({ partnerCenterCode: "3000", mayHaveApplied: false });
    expect((e as Error).message).toMatch(
      /a GET still shows relationship "reseller".*active Azure reserved instances/,
    );
    expect([patches(), gets()]).toEqual([1, 1]);
  });

  test.each([
    ["900150", corpus.removalRefusals.roleLacksRights],
    ["2032", corpus.removalRefusals.accessDenied],
  ])("a 403 (%s) to the removal: not permitted, the indirect reseller case named", async (_n, answer) => {
    s.script("PATCH", CUSTOMER, answer);
    const e = await remove(client, ID, fast).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemovalNotPermittedError);
    expect(e).toMatchObject({ code: "PPC_REMOVAL_NOT_PERMITTED", status: 403 });
    expect((e as Error).message).toMatch(
      /Indirect resellers cannot remove relationships .*indirect provider must/,
    );
    expect([patches(), gets()]).toEqual([1, 0]);
  });

  test("answer lost and the customer still shows reseller after the confirmation time: unconfirmed, PATCH not resent", async () => {
    s.script("PATCH", CUSTOMER, "drop", err(404, "1000"));
    s.script("GET", CUSTOMER, ok(corpus.customerById));
    const e = await remove(client, ID, { confirmTimeoutMs: 60, confirmIntervalMs: 5 }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RemovalUnconfirmedError);
    expect((e as Error).message).toMatch(/still shows relationship "reseller"/);
    expect(patches()).toBe(2);
    expect(gets()).toBeGreaterThan(1);
  });

  test("propagation: a 200 that does not show none is confirmed by polling; the PATCH is sent once", async () => {
    s.script("PATCH", CUSTOMER, ok({ ...corpus.removalResponse, RelationshipToPartner: null }));
    s.script("GET", CUSTOMER, ok(corpus.customerById), ok(corpus.customerById), err(404, "1000"));
    expect((await remove(client, ID, fast)).outcome).toBe("removed");
    expect([patches(), gets()]).toEqual([1, 3]);
  });
});

describe("the emulator answers in Microsoft's documented shapes", () => {
  const shared = sharedEmulator();
  const get = async (path: string, init: Parameters<typeof call>[3] = {}) => {
    const r = await call(shared.em.url, shared.token, path, init);
    return r;
  };

  test("customer by id", async () => {
    const r = await get(`/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    expect(shapeDiff(corpus.customerById, r.json)).toEqual([]);
  });

  test("customer list and its continuation link", async () => {
    const r = await get("/v1/customers?size=2");
    expect(
      shapeDiff(
        {
          ...corpus.customerList,
          links: { self: corpus.customerList.links.self, next: corpus.continuationLinks.next },
        },
        r.json,
      ),
    ).toEqual([]);
  });

  test("the removal answer: exactly the documented PascalCase properties", async () => {
    const r = await get(`/v1/customers/${SAMPLE_CUSTOMERS.clean}`, {
      method: "PATCH",
      body: corpus.removalRequest,
    });
    expect(r.status).toBe(200);
    expect(shapeDiff(corpus.removalResponse, r.json)).toEqual([]);
    expect(Object.keys(r.json)).toEqual(Object.keys(corpus.removalResponse));
  });

  test("entitlements: reserved instances (both types, the legacy one by its documented filter) and software", async () => {
    for (const path of [
      `/v1/customers/${SAMPLE_CUSTOMERS.reservedInstance}/entitlements`,
      `/v1/customers/${SAMPLE_CUSTOMERS.legacyReservedInstance}/entitlements`,
      `/v1/customers/${SAMPLE_CUSTOMERS.legacyReservedInstance}/entitlements?${corpus.legacyVmReservationQuery}`,
    ]) {
      const r = await get(path);
      expect(r.json.items.length).toBeGreaterThan(0);
      expect(
        shapeDiff(
          { ...corpus.entitlements, items: [...corpus.entitlements.items, corpus.vmReservedInstance] },
          r.json,
        ),
      ).toEqual([]);
    }
  });

  test("subscriptions: legacy with attributes.etag, new commerce without any etag, never a top-level etag", async () => {
    const r = await get(`/v1/customers/${SAMPLE_CUSTOMERS.activeSubscriptions}/subscriptions`);
    const items = r.json.items as { id: string; attributes: object }[];
    const legacy = items.find((i) => i.id === SAMPLE_SUBSCRIPTIONS.legacyE3);
    const nce = items.find((i) => i.id === SAMPLE_SUBSCRIPTIONS.businessPremiumNce);
    expect(
      shapeDiff(
        { ...corpus.legacySubscriptions, items: [corpus.legacySubscriptions.items[0]] },
        { ...r.json, items: [legacy] },
      ),
    ).toEqual([]);
    expect(shapeDiff(corpus.newCommerceSubscription, nce)).toEqual([]);
    expect(nce).toMatchObject({ attributes: { objectType: "Subscription" } });
    expect(nce!.attributes).not.toHaveProperty("etag");
    for (const i of items) expect(i).not.toHaveProperty("etag");
  });

  test("suspend: the documented PascalCase answer; a stale etag is the documented 400 2055", async () => {
    const path = `/v1/customers/${SAMPLE_CUSTOMERS.activeSubscriptions}/subscriptions/${SAMPLE_SUBSCRIPTIONS.legacyE3}`;
    const sub = (await get(path)).json;
    const r = await get(path, {
      method: "PATCH",
      body: { ...sub, status: "suspended" },
      headers: { "If-Match": `"${sub.attributes.etag}"` },
    });
    expect(shapeDiff(corpus.suspendResponse, r.json)).toEqual([]);
    const stale = await get(path, {
      method: "PATCH",
      body: { ...sub, status: "active" },
      headers: { "If-Match": `"${sub.attributes.etag}"` },
    });
    expect(stale.status).toBe(400);
    expect(stale.json).toEqual(corpus.staleEtagError);
  });

  test("the relationship request link", async () => {
    expect(
      shapeDiff(corpus.relationshipRequest, (await get("/v1/customers/relationshiprequests")).json),
    ).toEqual([]);
  });

  test("an error body: the documented schema, code a string", async () => {
    const r = await get(
      `/v1/customers/${SAMPLE_CUSTOMERS.clean}/subscriptions/00000000-0000-4000-8000-000000000000`,
    );
    expect(r.status).toBe(404);
    expect(shapeDiff(corpus.staleEtagError, r.json)).toEqual([]);
  });

  test("the 429 body and Retry-After", async () => {
    shared.em.configure({ throttle: { limit: 1, windowMs: 60_000, scope: "partner" } });
    await get(`/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    const r = await get(`/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    expect(r.status).toBe(429);
    expect(shapeDiff(corpus.throttled.body, r.json)).toEqual([]);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("the same behaviours against the emulator", () => {
  let emu: Emulator;
  let client: PartnerCenterClient;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    client = clientFor(emu);
  });
  afterEach(() => client.close());
  const log = (method: string) => emu.requests().filter((r) => r.method === method);
  const fast = { confirmTimeoutMs: 5000, confirmIntervalMs: 10 };

  test.each([404, 403] as const)(
    "the PATCH answer is lost; the retry (no replay) is refused; a GET (%s) confirms it is gone",
    async (status) => {
      emu.configure({ removedCustomerStatus: status });
      emu.addFault({ match: { method: "PATCH" }, kind: "resetAfterApply" });
      const r = await remove(client, SAMPLE_CUSTOMERS.clean, fast);
      expect(r.outcome).toBe("removed");
      expect(log("PATCH").map((e) => [e.status, e.applied, e.replayed])).toEqual([
        [null, true, false],
        [400, false, false],
      ]);
      expect(emu.state().counters.relationshipsRemoved).toBe(1);
    },
  );

  test("propagation: after a lost answer, GETs still show reseller for a while; polled until gone, PATCH never resent", async () => {
    emu.configure({ propagationDelaySeconds: 0.3 });
    emu.addFault({ match: { method: "PATCH" }, kind: "resetAfterApply" });
    const r = await remove(client, SAMPLE_CUSTOMERS.clean, fast);
    expect(r.outcome).toBe("removed");
    expect(log("PATCH")).toHaveLength(2);
    const gets = emu
      .requests()
      .filter((e) => e.method === "GET" && e.path === `/v1/customers/${SAMPLE_CUSTOMERS.clean}`);
    expect(gets.length).toBeGreaterThan(1);
    expect(gets[0]!.status).toBe(200);
    expect(gets.at(-1)!.status).toBe(404);
  });

  test("propagation longer than the confirmation time: unconfirmed, nothing resent", async () => {
    emu.configure({ propagationDelaySeconds: 30 });
    emu.addFault({ match: { method: "PATCH" }, kind: "resetAfterApply" });
    const e = await remove(client, SAMPLE_CUSTOMERS.clean, {
      confirmTimeoutMs: 100,
      confirmIntervalMs: 10,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemovalUnconfirmedError);
    expect(log("PATCH")).toHaveLength(2);
  });

  test("a refusal answered to the first attempt is a typed refusal, and nothing is changed", async () => {
    emu.addFault({
      match: { method: "PATCH" },
      kind: "status",
      status: 400,
      code: "3000",
      description: "Refused.",
    });
    const e = await remove(client, SAMPLE_CUSTOMERS.clean, fast).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemovalRefusedError);
    expect(e).toMatchObject({ partnerCenterCode: "3000", partnerCenterDescription: "Refused." });
    // 3000 may mean "the relationship does not exist": one GET shows it does.
    expect(log("GET").filter((g) => g.path === `/v1/customers/${SAMPLE_CUSTOMERS.clean}`)).toHaveLength(1);
    expect(log("PATCH")).toHaveLength(1);
    expect(emu.state().customers.find((c) => c.id === SAMPLE_CUSTOMERS.clean)!.relationshipToPartner).toBe(
      "reseller",
    );
  });

  test("a suspended new-commerce subscription: the client blocks before the PATCH; the emulator refuses the PATCH itself (800063)", async () => {
    const id = SAMPLE_CUSTOMERS.suspendedNewCommerce;
    const e = await remove(client, id, fast).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "PPC_REMOVAL_BLOCKED" });
    expect(log("PATCH")).toHaveLength(0);
    const r = await call(emu.url, await accessToken(emu.url), `/v1/customers/${id}`, {
      method: "PATCH",
      body: corpus.removalRequest,
    });
    expect(r.status).toBe(400);
    expect(shapeDiff(corpus.removalRefusals.orderCannotBeCancelled.body, r.json)).toEqual([]);
    expect(r.json.code).toBe("800063");
    expect(r.json.description).toContain(SAMPLE_SUBSCRIPTIONS.cohoSuspendedNce);
  });

  test("legacy VM reservations: only the documented filter lists them, and the client reads it", async () => {
    const id = SAMPLE_CUSTOMERS.legacyReservedInstance;
    const list = await client.entitlements.list(id);
    expect(list.map((e) => e.entitlementType).sort()).toEqual(["VirtualMachineReservedInstance", "software"]);
    expect(
      log("GET")
        .map((g) => g.query)
        .sort(),
    ).toEqual([`${corpus.legacyVmReservationQuery}&showExpiry=true`, "showExpiry=true"]);
  });

  test("suspend through the domain rules: If-Match only where there is an etag, the stale one retried", async () => {
    const subs = await client.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    // Another writer changes the legacy subscription after it was listed.
    emu.configure({ staticAccessTokens: ["other-writer-token"] });
    const path = `/v1/customers/${SAMPLE_CUSTOMERS.activeSubscriptions}/subscriptions/${SAMPLE_SUBSCRIPTIONS.legacyE3}`;
    expect(
      (await call(emu.url, "other-writer-token", path, { method: "PATCH", body: { friendlyName: "x" } }))
        .status,
    ).toBe(200);
    for (const s of subs.filter((x) => x.status === "active"))
      await client.subscriptions.suspend(SAMPLE_CUSTOMERS.activeSubscriptions, s);
    const after = await client.subscriptions.list(SAMPLE_CUSTOMERS.activeSubscriptions);
    expect(after.filter((x) => x.status === "active")).toHaveLength(0);
    expect(log("PATCH").map((e) => e.status)).toEqual([200, 400, 200, 200]);
  });

  test("the customer list sends `size`; correlation ids differ per call", async () => {
    await client.customers.list();
    const [first] = emu.requests();
    expect(first!.query).toBe("size=100");
    await client.customers.get(SAMPLE_CUSTOMERS.clean);
    expect(new Set(emu.requests().map((e) => e.correlationId)).size).toBe(emu.requests().length);
  });
});
