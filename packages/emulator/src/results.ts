/**
 * What a route returns: the result (status, body, headers), and the one place the error bodies are built
 * (Partner Center's, the throttling answer, Azure AD's, Microsoft Graph's), plus the small request helpers every
 * route uses.
 */
import { randomUUID } from "node:crypto";
import type { Ctx } from "./context";

export { header, type Ctx } from "./context";

export interface ApiResult {
  status: number;
  body: unknown;
  /** The casing of this route's documented example, when it is not camelCase (casing `documented`). */
  documentedCasing?: "pascal";
  headers?: Record<string, string>;
  /** Changed state. */
  applied?: boolean;
  /** Body sent as is, without the casing switch (throttling body, Azure AD bodies, Graph bodies). */
  raw?: boolean;
}

/**
 * The Partner Center error body (doc "Errors"): `{code, description, data, source}`, `code` a string as the
 * error-codes page documents its type (https://learn.microsoft.com/partner-center/developer/error-codes).
 */
export function pcError(
  status: number,
  code: number | string,
  description: string,
  headers?: Record<string, string>,
): ApiResult {
  const r: ApiResult = {
    status,
    body: { code: String(code), description, data: [], source: "PartnerFD" },
  };
  if (headers) r.headers = headers;
  return r;
}

/** The throttling answer (doc "Throttling"): NOT the error schema. */
export function throttled(retryAfterSeconds: number | undefined): ApiResult {
  const n = retryAfterSeconds === undefined ? undefined : Math.max(0, Math.ceil(retryAfterSeconds));
  const r: ApiResult = {
    status: 429,
    raw: true,
    body: {
      statusCode: 429,
      message:
        n === undefined
          ? "Rate limit is exceeded. Try again later."
          : `Rate limit is exceeded. Try again in ${n} seconds.`,
    },
  };
  if (n !== undefined) r.headers = { "Retry-After": String(n) };
  return r;
}

export function aadError(status: number, error: string, description: string): ApiResult {
  const now = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  return {
    status,
    raw: true,
    body: {
      error,
      error_description: `${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${now}`,
      error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
      timestamp: now,
    },
  };
}

/** Entra's answer to a form without a required parameter (AADSTS900144). */
export function missingParameter(name: string): ApiResult {
  return aadError(
    400,
    "invalid_request",
    `AADSTS900144: The request body must contain the following parameter: '${name}'.`,
  );
}

/**
 * Microsoft Graph's error body ("Microsoft Graph error responses and resource types",
 * https://learn.microsoft.com/graph/errors): `{"error":{"code","message","innerError":{"date","request-id",
 * "client-request-id"}}}`, a word for a code; `request-id` is the request's `client-request-id`.
 */
export function graphError(
  ctx: Pick<Ctx, "clientRequestId"> | null,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): ApiResult {
  const rid = ctx?.clientRequestId ?? randomUUID();
  return {
    status,
    raw: true,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d+Z$/, ""),
          "request-id": rid,
          "client-request-id": rid,
        },
      },
    },
    headers: { "request-id": rid, "client-request-id": rid, ...headers },
  };
}

export function isResult(x: unknown): x is ApiResult {
  return (
    typeof x === "object" &&
    x !== null &&
    "body" in x &&
    typeof (x as { status?: unknown }).status === "number"
  );
}

export function link(uri: string) {
  return { uri, method: "GET", headers: [] as unknown[] };
}

/** Deep property-name casing switch (doc "Casing"); values, enum values included, are untouched. */
export function recase(value: unknown, casing: "camel" | "pascal"): unknown {
  if (casing === "camel") return value;
  if (Array.isArray(value)) return value.map((v) => recase(v, casing));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k.charAt(0).toUpperCase() + k.slice(1)] = recase(v, casing);
    return out;
  }
  return value;
}

/** Reads a property whatever its casing: the .NET SDK sends PascalCase (doc "Casing"). */
export function getCI(o: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : o[key];
}

export function parseBody(ctx: Ctx): { error: ApiResult } | { value: Record<string, unknown> } {
  const text = ctx.body.toString("utf8").trim();
  if (!text) return { error: pcError(400, 3000, "The request body is empty: a JSON resource is required.") };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: pcError(400, 3000, "The request body is not valid JSON.") };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return { error: pcError(400, 3000, "The request body must be a JSON object.") };
  }
  return { value: v as Record<string, unknown> };
}
