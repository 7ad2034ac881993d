/** Paging (docs/design/partner-center-contract.md#paging): every item of a collection, following `links.next`, fail-closed. */
import type { z } from "zod";
import { ListTooLargeError, ResponseValidationError } from "../../errors";
import { VALIDATION_ACTION } from "./classify";
import type { Transport, TransportRequest, TransportResponse } from "./transport";

/**
 * Bounds of one list (every page of it together), so that a service that keeps sending pages cannot exhaust
 * the host's memory. Far above any real customer's subscriptions or entitlements; a client option
 * (`limits` of PartnerCenterClient) raises them.
 */
export interface ListLimits {
  /** Items across all pages of one list. */
  maxListItems: number;
  /** Body bytes across all pages of one list. */
  maxListBytes: number;
}

export const DEFAULT_LIST_LIMITS: ListLimits = { maxListItems: 50_000, maxListBytes: 64 * 1024 * 1024 };

/** The largest number of pages followed for one list (a loop guard, far above any real collection). */
const MAX_PAGES = 10_000;

/** Options of {@link listAll}. */
export interface ListRequest<T> extends Omit<TransportRequest<unknown>, "schema" | "method" | "body"> {
  /** Schema of a page: `collectionSchema(itemSchema)` from schemas.ts. */
  schema: z.ZodType<CollectionPage<T>>;
  /** Keep each item as sent (for a resource that must be sent back whole); otherwise only the parsed fields. */
  keepRaw?: boolean;
}

/**
 * Every item of a collection, following `links.next` (resending its MS-ContinuationToken header) until there
 * is none: a missed page could hide an active subscription. Fails closed when the list cannot be trusted: it
 * passes the transport's {@link ListLimits}, or a page's `totalCount` is larger than the items received
 * across all pages. Returns each item, with its raw (as sent) form only when `keepRaw` asks for it.
 */
export async function listAll<T>(
  transport: Transport,
  req: ListRequest<T>,
): Promise<{ item: T; raw: unknown }[]> {
  const out: { item: T; raw: unknown }[] = [];
  for await (const page of pagesOf(transport, req)) out.push(...page);
  return out;
}

/**
 * The pages of a collection one at a time, with every check of {@link listAll}: for a caller that must not
 * hold a whole list (an export of every customer). The totalCount check runs after the last page, so a caller
 * that writes as it reads must treat its output as incomplete until the iteration ends without an error.
 */
export async function* pagesOf<T>(
  transport: Transport,
  req: ListRequest<T>,
): AsyncGenerator<{ item: T; raw: unknown }[], void, void> {
  const { keepRaw, ...base } = req;
  let received = 0;
  const schema = req.schema;
  const { maxListItems, maxListBytes } = transport.limits;
  const seen = new Set<string>();
  let bytes = 0;
  let announced = 0;
  let last: TransportResponse<CollectionPage<T>> | undefined;
  let next: TransportRequest<CollectionPage<T>> | undefined = { ...base, method: "GET", schema };
  for (let page = 0; next; page++) {
    if (page >= MAX_PAGES) {
      throw new ResponseValidationError(
        `Partner Center returned more than ${MAX_PAGES} pages for ${req.path}.`,
        {
          action: VALIDATION_ACTION,
        },
      );
    }
    const res: TransportResponse<CollectionPage<T>> = await transport.request(next);
    last = res;
    const ctx = { requestId: res.requestId, correlationId: res.correlationId, operation: `GET ${req.path}` };
    bytes += res.bytes;
    if (bytes > maxListBytes) throw new ListTooLargeError("maxListBytes", maxListBytes, req.path, ctx);
    if (received + res.data.items.length > maxListItems) {
      throw new ListTooLargeError("maxListItems", maxListItems, req.path, ctx);
    }
    announced = Math.max(announced, res.data.totalCount ?? 0);
    const rawItems = keepRaw ? rawItemsOf(res.raw) : [];
    const items = res.data.items.map((item, i) => ({ item, raw: rawItems[i] }));
    received += items.length;
    const link = res.data.links?.next;
    next = undefined;
    if (link) {
      const headers: Record<string, string> = {};
      for (const { key, value } of link.headers ?? []) {
        // Only Partner Center's own MS-* paging headers are resent (MS-ContinuationToken), and only values
        // that can be sent: a CR/LF would otherwise surface as a misleading connection error.
        if (!/^ms-/i.test(key)) continue;
        if (!/^[\x20-\x7e]*$/.test(value) || !/^[A-Za-z0-9-]+$/.test(key)) {
          throw new ResponseValidationError(
            `Partner Center sent a next-page header for ${req.path} that cannot be sent back (control or non-ASCII characters).`,
            { ...ctx, action: VALIDATION_ACTION },
          );
        }
        headers[key] = value;
      }
      const fingerprint = `${link.uri}\n${JSON.stringify(headers)}`;
      if (seen.has(fingerprint)) {
        throw new ResponseValidationError(
          `Partner Center sent the same next-page link twice for ${req.path}.`,
          {
            ...ctx,
            action: VALIDATION_ACTION,
          },
        );
      }
      seen.add(fingerprint);
      next = {
        path: link.uri,
        method: "GET",
        headers,
        schema,
        signal: req.signal,
        customerId: req.customerId,
      };
    }
    yield items;
  }
  if (announced > received) {
    // totalCount counts at least the items of its page: more than we received means items are missing.
    throw new ResponseValidationError(
      `Partner Center's list ${req.path} announced ${announced} items (totalCount) but sent ${received} across all pages; a list that does not add up is not trusted, and nothing was changed.`,
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
