/**
 * client/core/pagination.ts: every item of a collection, page by page, fail-closed. Partner Center's pages
 * (`items`, `totalCount`, `links.next` with its MS-ContinuationToken) and Microsoft Graph's (`value`,
 * `@odata.nextLink`) through a real transport on an undici MockAgent, so each page is a request as sent.
 */
import { z } from "zod";
import { MockAgent } from "../../../provider/node_modules/undici";
import { TokenSource } from "../../../provider/src/client/core/auth";
import { Limiter } from "../../../provider/src/client/core/pacing";
import {
  listAll,
  listPaged,
  odataPaging,
  pagesOf,
  type ODataPage,
} from "../../../provider/src/client/core/pagination";
import { collectionSchema } from "../../../provider/src/client/core/schemas";
import { USER_AGENT } from "../../../provider/src/client/core/send";
import { DEFAULT_LIST_LIMITS, Transport, type ListLimits } from "../../../provider/src/client/core/transport";
import { ListTooLargeError, ResponseValidationError } from "../../../provider/src/errors";
import { loadSettings } from "../../../provider/src/settings";

const PC = "https://api.partnercenter.microsoft.com";
const GRAPH = "https://graph.microsoft.com";
const GRAPH_LIST = "/v1.0/tenantRelationships/delegatedAdminRelationships";

const item = z.object({ id: z.string() });
const pcPage = collectionSchema(item);
const graphPage = z.object({
  value: z.array(item),
  "@odata.nextLink": z.string().nullish(),
}) as z.ZodType<ODataPage<{ id: string }>>;

/** A transport to `endpoint` on a MockAgent that refuses the network; one attempt per request. */
function on(endpoint: string, limits: Partial<ListLimits> = {}) {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  const settings = { ...loadSettings({ accessToken: "a-paging-test-access-token" }, {}), endpoint };
  const transport = new Transport(
    settings,
    agent,
    new TokenSource(settings, agent, USER_AGENT),
    new Limiter({ slowStart: false }),
    { retry: { maxAttempts: 1 }, limits },
  );
  return { transport, pool: agent.get(endpoint), sent: () => agent.getCallHistory()?.calls() ?? [] };
}

/** Header `name` of a sent request, whatever its casing there. */
function sentHeader(call: { headers?: unknown } | undefined, name: string): string | undefined {
  for (const [k, v] of Object.entries((call?.headers ?? {}) as Record<string, unknown>)) {
    if (k.toLowerCase() === name) return String(v);
  }
  return undefined;
}

const ids = (list: { item: { id: string } }[]) => list.map((x) => x.item.id);

describe("Partner Center paging", () => {
  test("follows links.next to the last page, resending only its MS-* headers", async () => {
    const { transport, pool, sent } = on(PC);
    pool.intercept({ path: "/v1/customers?size=2" }).reply(200, {
      totalCount: 5,
      items: [{ id: "a" }, { id: "b" }],
      links: {
        next: {
          uri: "/customers?size=2&seekOperation=Next",
          headers: [
            { key: "MS-ContinuationToken", value: "page-2" },
            { key: "Authorization", value: "Bearer stolen" },
            { key: "X-Other", value: "not ours to resend" },
          ],
        },
      },
    });
    pool.intercept({ path: "/v1/customers?size=2&seekOperation=Next" }).reply(200, {
      items: [{ id: "c" }, { id: "d" }],
      links: {
        next: {
          uri: `${PC}/v1/customers?page=3`,
          headers: [{ key: "ms-continuationtoken", value: "page-3" }],
        },
      },
    });
    pool
      .intercept({ path: "/v1/customers?page=3" })
      .reply(200, { items: [{ id: "e" }], links: { next: null } });

    const list = await listAll(transport, { path: "/customers", query: { size: "2" }, schema: pcPage });
    expect(ids(list)).toEqual(["a", "b", "c", "d", "e"]);
    const calls = sent();
    expect(calls.map((c) => c.method)).toEqual(["GET", "GET", "GET"]);
    expect(sentHeader(calls[0], "ms-continuationtoken")).toBeUndefined();
    expect(sentHeader(calls[1], "ms-continuationtoken")).toBe("page-2");
    expect(sentHeader(calls[1], "authorization")).toBe("Bearer a-paging-test-access-token");
    expect(sentHeader(calls[1], "x-other")).toBeUndefined();
    expect(sentHeader(calls[2], "ms-continuationtoken")).toBe("page-3");
  });

  test("keepRaw: each item as sent (its own casing, unknown fields kept); otherwise no raw form", async () => {
    const { transport, pool } = on(PC);
    const body = { TotalCount: 1, Items: [{ Id: "a", Extra: { Deep: 1 } }] };
    pool.intercept({ path: "/v1/customers" }).reply(200, body).times(2);
    const raw = await listAll(transport, { path: "/customers", schema: pcPage, keepRaw: true });
    expect(raw).toEqual([{ item: { id: "a" }, raw: { Id: "a", Extra: { Deep: 1 } } }]);
    const parsed = await listAll(transport, { path: "/customers", schema: pcPage });
    expect(parsed).toEqual([{ item: { id: "a" }, raw: undefined }]);
  });

  test.each([
    ["a line break in its value", { key: "MS-ContinuationToken", value: "page-2\r\nX-Injected: 1" }],
    ["a non-ASCII value", { key: "MS-ContinuationToken", value: "pagé-2" }],
    ["a space in its name", { key: "MS-Continuation Token", value: "page-2" }],
  ])("a next-page header with %s is refused, and nothing more is sent", async (_, h) => {
    const { transport, pool, sent } = on(PC);
    pool.intercept({ path: "/v1/customers" }).reply(200, {
      items: [{ id: "a" }],
      links: { next: { uri: "/customers?seek=2", headers: [h] } },
    });
    const e = await listAll(transport, { path: "/customers", schema: pcPage }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain("next-page header for /customers that cannot be sent back");
    expect(sent()).toHaveLength(1);
  });

  test("the same next-page link twice is a loop: refused", async () => {
    const { transport, pool, sent } = on(PC);
    const next = { uri: "/customers?seek=2", headers: [{ key: "MS-ContinuationToken", value: "t" }] };
    pool.intercept({ path: "/v1/customers" }).reply(200, { items: [{ id: "a" }], links: { next } });
    pool.intercept({ path: "/v1/customers?seek=2" }).reply(200, { items: [{ id: "b" }], links: { next } });
    const e = await listAll(transport, { path: "/customers", schema: pcPage }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain(
      "Partner Center sent the same next-page link twice for /customers",
    );
    expect(sent()).toHaveLength(2);
  });

  test("the same link with another continuation token is another page", async () => {
    const { transport, pool } = on(PC);
    const next = (t: string) => ({
      uri: "/customers?seek=next",
      headers: [{ key: "MS-ContinuationToken", value: t }],
    });
    pool
      .intercept({ path: "/v1/customers" })
      .reply(200, { items: [{ id: "a" }], links: { next: next("2") } });
    pool
      .intercept({ path: "/v1/customers?seek=next" })
      .reply(200, { items: [{ id: "b" }], links: { next: next("3") } });
    pool.intercept({ path: "/v1/customers?seek=next" }).reply(200, { items: [{ id: "c" }] });
    expect(ids(await listAll(transport, { path: "/customers", schema: pcPage }))).toEqual(["a", "b", "c"]);
  });

  test("a link to another host is refused: the token never goes there", async () => {
    const { transport, pool, sent } = on(PC);
    pool.intercept({ path: "/v1/customers" }).reply(200, {
      items: [{ id: "a" }],
      links: { next: { uri: "https://evil.example/v1/customers?seek=2" } },
    });
    const e = await listAll(transport, { path: "/customers", schema: pcPage }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain("next-page link to another host (evil.example)");
    expect(sent().map((c) => c.origin)).toEqual([PC]);
  });

  test("a totalCount larger than the items received across all pages: the list is not trusted", async () => {
    const { transport, pool } = on(PC);
    pool.intercept({ path: "/v1/customers" }).reply(200, {
      totalCount: 3,
      items: [{ id: "a" }],
      links: { next: { uri: "/customers?seek=2" } },
    });
    pool.intercept({ path: "/v1/customers?seek=2" }).reply(200, { totalCount: 3, items: [{ id: "b" }] });
    const e = await listAll(transport, { path: "/customers", schema: pcPage }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain("announced 3 items (totalCount) but sent 2 across all pages");
  });

  test("a totalCount equal to or below what was received is accepted", async () => {
    const { transport, pool } = on(PC);
    pool
      .intercept({ path: "/v1/customers" })
      .reply(200, { totalCount: 2, items: [{ id: "a" }, { id: "b" }] });
    pool
      .intercept({ path: "/v1/customers" })
      .reply(200, { totalCount: 1, items: [{ id: "a" }, { id: "b" }] });
    expect(ids(await listAll(transport, { path: "/customers", schema: pcPage }))).toEqual(["a", "b"]);
    expect(ids(await listAll(transport, { path: "/customers", schema: pcPage }))).toEqual(["a", "b"]);
  });

  test("maxListItems: up to the bound is read, one item past it fails with the bound named", async () => {
    const pages = (second: { id: string }[]) => {
      const { transport, pool } = on(PC, { maxListItems: 3 });
      pool.intercept({ path: "/v1/customers" }).reply(200, {
        items: [{ id: "a" }, { id: "b" }],
        links: { next: { uri: "/customers?seek=2" } },
      });
      pool.intercept({ path: "/v1/customers?seek=2" }).reply(200, { items: second });
      return listAll(transport, { path: "/customers", schema: pcPage });
    };
    expect(ids(await pages([{ id: "c" }]))).toEqual(["a", "b", "c"]);
    const e = await pages([{ id: "c" }, { id: "d" }]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ListTooLargeError);
    expect(e).toMatchObject({ bound: "maxListItems", limit: 3 });
  });

  test("maxListBytes: the bodies of all pages together are bounded", async () => {
    const first = { items: [{ id: "a" }], links: { next: { uri: "/customers?seek=2" } } };
    const second = { items: [{ id: "b" }] };
    const total = JSON.stringify(first).length + JSON.stringify(second).length;
    const run = (maxListBytes: number) => {
      const { transport, pool } = on(PC, { maxListBytes });
      pool.intercept({ path: "/v1/customers" }).reply(200, first);
      pool.intercept({ path: "/v1/customers?seek=2" }).reply(200, second);
      return listAll(transport, { path: "/customers", schema: pcPage });
    };
    expect(ids(await run(total))).toEqual(["a", "b"]);
    const e = await run(total - 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ListTooLargeError);
    expect(e).toMatchObject({ bound: "maxListBytes", limit: total - 1 });
  });

  test("pagesOf hands over each page before the next is asked for; the count is checked after the last", async () => {
    const { transport, pool, sent } = on(PC);
    pool.intercept({ path: "/v1/customers" }).reply(200, {
      totalCount: 9,
      items: [{ id: "a" }],
      links: { next: { uri: "/customers?seek=2" } },
    });
    pool.intercept({ path: "/v1/customers?seek=2" }).reply(200, { items: [{ id: "b" }] });
    const pages = pagesOf(transport, { path: "/customers", schema: pcPage });
    const first = await pages.next();
    expect(first.value).toEqual([{ item: { id: "a" }, raw: undefined }]);
    expect(sent()).toHaveLength(1);
    expect((await pages.next()).value).toEqual([{ item: { id: "b" }, raw: undefined }]);
    await expect(pages.next()).rejects.toThrow("announced 9 items (totalCount) but sent 2");
  });

  test("a service that never stops sending new links is stopped after 10000 pages", async () => {
    let n = 0;
    const endless = {
      limits: DEFAULT_LIST_LIMITS,
      request: async () => {
        n++;
        const data = { items: [], links: { next: { uri: `/customers?page=${n + 1}` } } };
        return { status: 200, data, raw: data, bytes: 10, requestId: "r", correlationId: "c" };
      },
    } as unknown as Transport;
    const e = await listAll(endless, { path: "/customers", schema: pcPage }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain("Partner Center returned more than 10000 pages for /customers");
    expect(n).toBe(10_000);
  });
});

describe("Microsoft Graph paging", () => {
  test("follows @odata.nextLink on the same origin as it is, with no headers of its own", async () => {
    const { transport, pool, sent } = on(GRAPH);
    pool.intercept({ path: GRAPH_LIST }).reply(200, {
      value: [{ id: "r1" }, { id: "r2" }],
      "@odata.nextLink": `${GRAPH}${GRAPH_LIST}?$skiptoken=abc`,
    });
    pool.intercept({ path: `${GRAPH_LIST}?$skiptoken=abc` }).reply(200, { value: [{ id: "r3" }] });
    const list = await listPaged(
      transport,
      { path: `${GRAPH}${GRAPH_LIST}`, schema: graphPage },
      odataPaging(),
    );
    expect(ids(list)).toEqual(["r1", "r2", "r3"]);
    expect(list.every((x) => x.raw === undefined)).toBe(true);
    expect(sent().map((c) => c.fullUrl)).toEqual([
      `${GRAPH}${GRAPH_LIST}`,
      `${GRAPH}${GRAPH_LIST}?$skiptoken=abc`,
    ]);
    expect(sentHeader(sent()[1], "ms-continuationtoken")).toBeUndefined();
  });

  test("a nextLink to another host is refused", async () => {
    const { transport, pool, sent } = on(GRAPH);
    pool.intercept({ path: GRAPH_LIST }).reply(200, {
      value: [{ id: "r1" }],
      "@odata.nextLink": "https://graph.evil.example/v1.0/steal",
    });
    const e = await listPaged(
      transport,
      { path: `${GRAPH}${GRAPH_LIST}`, schema: graphPage },
      odataPaging(),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain("another host (graph.evil.example)");
    expect(sent()).toHaveLength(1);
  });

  test("the same nextLink twice is refused, in Graph's name", async () => {
    const { transport, pool } = on(GRAPH);
    const next = `${GRAPH}${GRAPH_LIST}?$skiptoken=same`;
    pool.intercept({ path: GRAPH_LIST }).reply(200, { value: [], "@odata.nextLink": next });
    pool
      .intercept({ path: `${GRAPH_LIST}?$skiptoken=same` })
      .reply(200, { value: [], "@odata.nextLink": next });
    await expect(
      listPaged(transport, { path: `${GRAPH}${GRAPH_LIST}`, schema: graphPage }, odataPaging()),
    ).rejects.toThrow(`Microsoft Graph sent the same next-page link twice for ${GRAPH}${GRAPH_LIST}`);
  });

  test("the list bounds hold for Graph too", async () => {
    const { transport, pool } = on(GRAPH, { maxListItems: 1 });
    pool.intercept({ path: GRAPH_LIST }).reply(200, { value: [{ id: "r1" }, { id: "r2" }] });
    await expect(
      listPaged(transport, { path: `${GRAPH}${GRAPH_LIST}`, schema: graphPage }, odataPaging()),
    ).rejects.toBeInstanceOf(ListTooLargeError);
  });
});
