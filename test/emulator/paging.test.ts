/**
 * Paging (routes/paging.ts), over HTTP: a page is `size` items from the continuation token's offset, its
 * `totalCount` counts that page, `links.next` carries the next token until the last page, and a token is
 * good only for the collection that issued it (kind, customer and entitlement filter).
 */
import { SAMPLE_CUSTOMERS } from "../../packages/emulator/src";
import { call, sharedEmulator, type Reply } from "./helpers";

const shared = sharedEmulator();

const PAGED_SUBS = `/v1/customers/${SAMPLE_CUSTOMERS.paged}/subscriptions`;
const PAGED_ENTS = `/v1/customers/${SAMPLE_CUSTOMERS.paged}/entitlements`;

const get = (path: string, continuation?: string) =>
  call(shared.em.url, shared.token, path, {
    headers: continuation === undefined ? {} : { "MS-ContinuationToken": continuation },
  });
const nextToken = (r: Reply): string => r.json.links.next.headers[0].value;
const ids = (r: Reply): string[] => r.json.items.map((i: { id: string }) => i.id);

test("each page continues where the last ended; totalCount counts the page; the last page has no next link", async () => {
  const first = await get(PAGED_SUBS);
  expect(first.status).toBe(200);
  expect(first.json).toMatchObject({
    totalCount: 10,
    attributes: { objectType: "Collection" },
    links: {
      self: { uri: PAGED_SUBS, method: "GET", headers: [] },
      next: { uri: PAGED_SUBS, method: "GET", headers: [{ key: "MS-ContinuationToken" }] },
    },
  });
  const second = await get(PAGED_SUBS, nextToken(first));
  const third = await get(PAGED_SUBS, nextToken(second));
  expect([first, second, third].map((r) => r.json.totalCount)).toEqual([10, 10, 5]);
  expect(third.json.links.next).toBeUndefined();
  expect(third.json.links.self.uri).toBe(PAGED_SUBS);
  // In order, no item twice, none left out: the 25 subscriptions are numbered 1 to 25.
  const all = [first, second, third].flatMap(ids);
  expect(all).toEqual(
    Array.from({ length: 25 }, (_, i) => `77777777-0000-4000-8000-${String(i + 1).padStart(12, "0")}`),
  );
});

test("no next link when there is no page size, or when the page ends on the last item", async () => {
  const fabrikam = `/v1/customers/${SAMPLE_CUSTOMERS.activeSubscriptions}/subscriptions`;
  const whole = await get(fabrikam);
  expect([whole.json.totalCount, whole.json.items.length, whole.json.links.next]).toEqual([3, 3, undefined]);
  shared.em.configure({ subscriptionPageSize: 3 });
  const exact = await get(fabrikam);
  expect([exact.json.totalCount, exact.json.links.next]).toEqual([3, undefined]);
});

test("a continuation token is refused (400 3000) on any other collection: another kind, customer or filter", async () => {
  const subsToken = nextToken(await get(PAGED_SUBS));
  const entsToken = nextToken(await get(PAGED_ENTS));
  // It is still good where it came from.
  expect((await get(PAGED_ENTS, entsToken)).json.totalCount).toBe(2);
  const elsewhere: [string, string][] = [
    [PAGED_ENTS, subsToken],
    [PAGED_SUBS, entsToken],
    [`/v1/customers/${SAMPLE_CUSTOMERS.activeSubscriptions}/subscriptions`, subsToken],
    [`${PAGED_ENTS}?entitlementType=software`, entsToken],
  ];
  for (const [path, token] of elsewhere) {
    const r = await get(path, token);
    expect([path, r.status, r.json.code]).toEqual([path, 400, "3000"]);
    expect(r.json.description).toMatch(/MS-ContinuationToken header is not valid for this collection/);
  }
});
