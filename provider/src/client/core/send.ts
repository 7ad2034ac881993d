/**
 * One attempt on the wire: its headers (docs/design/partner-center-contract.md#base-urls-and-headers; the transport owns
 * Authorization, MS-RequestId, MS-CorrelationId, X-Locale, User-Agent and Content-Type, callers add the rest).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ErrorContext } from "../../errors";

/** `pulumi-partner-center/<version> node/<version>`. */
export const USER_AGENT = `pulumi-partner-center/${packageVersion()} node/${process.versions.node}`;

function packageVersion(): string {
  try {
    // ../../../package.json from both src/client/core and dist/client/core.
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Headers of one attempt: the caller's first, never those the transport owns. */
export function requestHeaders(
  token: string,
  extra: Readonly<Record<string, string>> | undefined,
  ctx: ErrorContext,
  hasBody: boolean,
): Record<string, string> {
  const h: Record<string, string> = {};
  // Caller headers first, but never those the transport owns.
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (!OWNED_HEADERS.has(k.toLowerCase())) h[k] = v;
  }
  h["authorization"] = `Bearer ${token}`;
  h["accept"] = "application/json";
  h["ms-requestid"] = ctx.requestId ?? "";
  h["ms-correlationid"] = ctx.correlationId ?? "";
  h["x-locale"] = "en-US";
  h["user-agent"] = USER_AGENT;
  if (hasBody) h["content-type"] = "application/json; charset=utf-8";
  return h;
}

const OWNED_HEADERS = new Set([
  "authorization",
  "accept",
  "ms-requestid",
  "ms-correlationid",
  "x-locale",
  "user-agent",
  "content-type",
  "content-length",
  "host",
  "cookie",
  "transfer-encoding",
  "connection",
]);
