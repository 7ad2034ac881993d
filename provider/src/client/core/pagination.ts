/**
 * Paging: every item of a collection, following the service's next-page link, fail-closed. The loop and its
 * bounds are one; each service's page shape is a {@link PagingStyle} (Partner Center's `links.next`, Graph's
 * `@odata.nextLink`).
 */
import type { z } from "zod";
import { ListTooLargeError, ResponseValidationError, type ErrorContext } from "../../errors";
import { VALIDATION_ACTION } from "./classify";
import type { Transport, TransportRequest, TransportResponse } from "./transport";

/** The largest number of pages followed for one list (a loop guard, far above any real collection). */
const MAX_PAGES = 10_000;

/** Options of {@link listAll}. */
export interface ListRequest<T, P = CollectionPage<T>> extends Omit<
  TransportRequest<unknown>,
  "schema" | "method" | "body"
> {
  /** Schema of a page: `collectionSchema(itemSchema)` from schemas.ts (or the style's page schema). */
  schema: z.ZodType<P>;
  /** Keep each item as sent (for a resource that must be sent back whole); otherwise only the parsed fields. */
  keepRaw?: boolean;
}

/** Where the next page is: a path or absolute uri (same origin: path.ts), and the headers to send with it. */
export interface NextPage {
  path: string;
  headers?: Record<string, string>;
}

/**
 * How one service pages a collection: the per-service seam of paging. The loop, its bounds and its loop guard
 * are {@link pagesOf}'s.
 */
export interface PagingStyle<T, P> {
  /** The service, as messages name it. */
  service: string;
  /** The items of a page, each with its raw (as sent) form when `keepRaw`. */
  items(page: P, raw: unknown, keepRaw: boolean): { item: T; raw: unknown }[];
  /** The next page, if any. `where` names the list and `ctx` the answer, for errors. */
  next(page: P, where: string, ctx: ErrorContext): NextPage | undefined;
  /** The number of items the service announced across all pages, when it says. */
  announced?(page: P): number;
}

/**
 * Partner Center (docs/design/partner-center-contract.md#paging): `items`, `totalCount`, and `links.next` with its uri and
 * the MS-ContinuationToken header to resend.
 */
export function partnerCenterPaging<T>(): PagingStyle<T, CollectionPage<T>> {
  return {
    service: "Partner Center",
    items: (page, raw, keepRaw) => {
      const rawItems = keepRaw ? rawItemsOf(raw) : [];
      return page.items.map((item, i) => ({ item, raw: rawItems[i] }));
    },
    announced: (page) => page.totalCount ?? 0,
    next: (page, where, ctx) => {
      const link = page.links?.next;
      if (!link) return undefined;
      const headers: Record<string, string> = {};
      for (const { key, value } of link.headers ?? []) {
        // Only Partner Center's own MS-* paging headers are resent (MS-ContinuationToken), and only values
        // that can be sent: a CR/LF would otherwise surface as a misleading connection error.
        if (!/^ms-/i.test(key)) continue;
        if (!/^[\x20-\x7e]*$/.test(value) || !/^[A-Za-z0-9-]+$/.test(key)) {
          throw new ResponseValidationError(
            `Partner Center sent a next-page header for ${where} that cannot be sent back (control or non-ASCII characters).`,
            { ...ctx, action: VALIDATION_ACTION },
          );
        }
        headers[key] = value;
      }
      return { path: link.uri, headers };
    },
  };
}

/** A page of a Microsoft Graph collection: `value`, and `@odata.nextLink` to the next page. */
export interface ODataPage<T> {
  value: T[];
  "@odata.nextLink"?: string | null | undefined;
}

/**
 * Microsoft Graph ("Paging Microsoft Graph data in your app", https://learn.microsoft.com/graph/paging): the
 * items are `value`; `@odata.nextLink` is the URL of the next page, followed as it is (same origin only).
 */
export function odataPaging<T>(): PagingStyle<T, ODataPage<T>> {
  return {
    service: "Microsoft Graph",
    items: (page) => page.value.map((item) => ({ item, raw: undefined })),
    next: (page) => {
      const link = page["@odata.nextLink"];
      return link ? { path: link } : undefined;
    },
  };
}

/**
 * Every item of a collection, following `links.next` (resending its MS-ContinuationToken header) until there
 * is none: a missed page could hide an active subscription. Fails closed when the list cannot be trusted: it
 * passes the transport's `limits` (ListLimits, transport.ts), or a page's `totalCount` is larger than the items received
 * across all pages. Returns each item, with its raw (as sent) form only when `keepRaw` asks for it.
 */
export function listAll<T>(transport: Transport, req: ListRequest<T>): Promise<{ item: T; raw: unknown }[]> {
  return listPaged(transport, req, partnerCenterPaging<T>());
}

/** {@link listAll} for a service that pages in its own `style`. */
export async function listPaged<T, P>(
  transport: Transport,
  req: ListRequest<T, P>,
  style: PagingStyle<T, P>,
): Promise<{ item: T; raw: unknown }[]> {
  const out: { item: T; raw: unknown }[] = [];
  for await (const page of pagesIn(transport, req, style)) out.push(...page);
  return out;
}

/**
 * The pages of a collection one at a time, with every check of {@link listAll}: for a caller that must not
 * hold a whole list (an export of every customer). The totalCount check runs after the last page, so a caller
 * that writes as it reads must treat its output as incomplete until the iteration ends without an error.
 */
export function pagesOf<T>(
  transport: Transport,
  req: ListRequest<T>,
): AsyncGenerator<{ item: T; raw: unknown }[], void, void> {
  return pagesIn(transport, req, partnerCenterPaging<T>());
}

/** {@link pagesOf} in a service's paging `style`. */
async function* pagesIn<T, P>(
  transport: Transport,
  req: ListRequest<T, P>,
  style: PagingStyle<T, P>,
): AsyncGenerator<{ item: T; raw: unknown }[], void, void> {
  const { keepRaw, ...base } = req;
  let received = 0;
  const schema = req.schema;
  const { maxListItems, maxListBytes } = transport.limits;
  const seen = new Set<string>();
  let bytes = 0;
  let announced = 0;
  let last: TransportResponse<P> | undefined;
  let next: TransportRequest<P> | undefined = { ...base, method: "GET", schema };
  for (let page = 0; next; page++) {
    if (page >= MAX_PAGES) {
      throw new ResponseValidationError(
        `${style.service} returned more than ${MAX_PAGES} pages for ${req.path}.`,
        {
          action: VALIDATION_ACTION,
        },
      );
    }
    const res: TransportResponse<P> = await transport.request(next);
    last = res;
    const ctx = { requestId: res.requestId, correlationId: res.correlationId, operation: `GET ${req.path}` };
    bytes += res.bytes;
    if (bytes > maxListBytes) throw new ListTooLargeError("maxListBytes", maxListBytes, req.path, ctx);
    const items = style.items(res.data, res.raw, keepRaw === true);
    if (received + items.length > maxListItems) {
      throw new ListTooLargeError("maxListItems", maxListItems, req.path, ctx);
    }
    announced = Math.max(announced, style.announced?.(res.data) ?? 0);
    received += items.length;
    const link = style.next(res.data, req.path, ctx);
    next = undefined;
    if (link) {
      const fingerprint = `${link.path}\n${JSON.stringify(link.headers ?? {})}`;
      if (seen.has(fingerprint)) {
        throw new ResponseValidationError(
          `${style.service} sent the same next-page link twice for ${req.path}.`,
          {
            ...ctx,
            action: VALIDATION_ACTION,
          },
        );
      }
      seen.add(fingerprint);
      next = {
        path: link.path,
        method: "GET",
        headers: link.headers ?? {},
        schema,
        signal: req.signal,
        customerId: req.customerId,
        what: req.what,
      };
    }
    yield items;
  }
  if (announced > received) {
    // totalCount counts at least the items of its page: more than we received means items are missing.
    throw new ResponseValidationError(
      `${style.service}'s list ${req.path} announced ${announced} items (totalCount) but sent ${received} across all pages; a list that does not add up is not trusted, and nothing was changed.`,
      {
        requestId: last?.requestId,
        correlationId: last?.correlationId,
        operation: `GET ${req.path}`,
        action: `Run the command again; if it persists, report it with the MS-CorrelationId.`,
      },
    );
  }
}

/** A page of a collection, as {@link collectionSchema} in schemas.ts parses it. */
export interface CollectionPage<T> {
  totalCount?: number | null | undefined;
  items: T[];
  links?:
    | {
        next?:
          { uri: string; headers?: { key: string; value: string }[] | null | undefined } | null | undefined;
      }
    | null
    | undefined;
}

/** The `items` array of a raw (not normalised) collection body, whatever the casing of its key. */
function rawItemsOf(raw: unknown): unknown[] {
  if (raw === null || typeof raw !== "object") return [];
  for (const [k, v] of Object.entries(raw)) if (k.toLowerCase() === "items" && Array.isArray(v)) return v;
  return [];
}
