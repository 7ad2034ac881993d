/** URL paths: one safe path segment, and the URL of a request path under the endpoint. */
import { ResponseValidationError } from "../../errors";
import { VALIDATION_ACTION } from "./classify";

/**
 * An id as one encoded URL path segment. "", "." and ".." are refused (nothing is sent): URL parsing drops or
 * climbs them, so `/v1/customers/..` would become `/v1/`, another route. So is a string with a lone surrogate,
 * which cannot be encoded.
 */
export function pathSegment(id: string, what: string): string {
  let encoded: string | undefined;
  try {
    encoded = id === "" || id === "." || id === ".." ? undefined : encodeURIComponent(id);
  } catch {
    encoded = undefined; // URIError: a lone surrogate
  }
  if (encoded === undefined) {
    throw new ResponseValidationError(
      `Refusing to send a request for the ${what} ${JSON.stringify(id.slice(0, 80))}: it cannot be a URL path segment.`,
      { action: "Check the id: Partner Center ids are GUIDs. Nothing was sent." },
    );
  }
  return encoded;
}

/**
 * The URL of a path: `/v1/...` under the endpoint; a `links.next` uri may be absolute (same origin only: the
 * token must never go elsewhere) or relative to `/v1` (`/customers?...`).
 */
export function resolveUrl(
  base: URL,
  path: string,
  query: Readonly<Record<string, string | undefined>> | undefined,
): URL {
  const basePath = base.pathname.replace(/\/+$/, "");
  let url: URL;
  if (/^https?:\/\//i.test(path)) {
    url = new URL(path);
    if (url.origin !== base.origin) {
      throw new ResponseValidationError(
        `Partner Center sent a next-page link to another host (${url.host}).`,
        {
          operation: `GET ${url.pathname}`,
          action: VALIDATION_ACTION,
        },
      );
    }
  } else {
    const p = path.startsWith("/") ? path : `/${path}`;
    url = new URL(`${base.origin}${basePath}${/^\/v1(\/|\?|$)/i.test(p) ? "" : "/v1"}${p}`);
  }
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/**
 * An id that must match `pattern` before it becomes one encoded path segment (Microsoft Graph's ids are GUIDs or
 * `{guid}-{guid}`: nothing that could change the route). Throws `refusal()` otherwise: nothing is sent.
 */
export function checkedSegment(id: string, pattern: RegExp, refusal: () => Error): string {
  if (!pattern.test(id)) throw refusal();
  return encodeURIComponent(id);
}

/**
 * A query string with every value percent-encoded per RFC 3986 (every reserved character, `'` `(` `)` `*` `!`
 * included, and space as %20), as Graph asks ("Use query parameters to customize responses",
 * https://learn.microsoft.com/graph/query-parameters: "Encoding query parameters").
 */
export function rfc3986Query(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `${k}=${rfc3986(v)}`).join("&");
}

function rfc3986(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
