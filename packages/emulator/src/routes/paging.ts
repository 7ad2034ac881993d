/** Paging (doc "Paging"): one page of a collection, `links.next` carrying the MS-ContinuationToken. */
import { header, link, pcError, type ApiResult, type Ctx } from "../results";

/** One page of `all`, `links.next` carrying the MS-ContinuationToken (doc "Paging"). */
export function page<T>(
  ctx: Ctx,
  all: T[],
  size: number | null,
  kind: string,
  scope: string,
  selfUri: string,
  nextUri: string,
): ApiResult {
  let offset = 0;
  const token = header(ctx.req, "ms-continuationtoken");
  if (token !== undefined) {
    const o = decodeContinuation(token, kind, scope);
    if (o === null)
      return pcError(400, 3000, "The MS-ContinuationToken header is not valid for this collection.");
    offset = o;
  }
  const items = size === null ? all.slice(offset) : all.slice(offset, offset + size);
  const links: Record<string, unknown> = { self: link(selfUri) };
  if (size !== null && offset + size < all.length) {
    links.next = {
      uri: nextUri,
      method: "GET",
      headers: [{ key: "MS-ContinuationToken", value: encodeContinuation(kind, scope, offset + size) }],
    };
  }
  return {
    status: 200,
    body: { totalCount: items.length, items, links, attributes: { objectType: "Collection" } },
  };
}

function encodeContinuation(kind: string, scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ k: kind, s: scope, o: offset })).toString("base64url");
}

function decodeContinuation(token: string, kind: string, scope: string): number | null {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      k?: unknown;
      s?: unknown;
      o?: unknown;
    };
    if (v.k !== kind || v.s !== scope || typeof v.o !== "number" || !Number.isInteger(v.o) || v.o < 0)
      return null;
    return v.o;
  } catch {
    return null;
  }
}
