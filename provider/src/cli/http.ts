/**
 * The few raw HTTP calls of the `partner-center` commands (the token endpoint's device-code and refresh grants,
 * one sample GET): answers kept whole, headers included, because `login` and `doctor` judge the answer itself
 * (its error code, its Date header, its unknown fields), which the client's typed results hide.
 */
import { Agent, request } from "undici";
import { USER_AGENT } from "../client";
import { redact } from "../errors";

/** One answer: status, the headers the commands read, the body as JSON when it is JSON. */
export interface RawAnswer {
  status: number;
  date: string | undefined;
  retryAfter: string | undefined;
  json: unknown;
}

/** A connection pool for one command run, closed at its end. */
export function commandAgent(): Agent {
  return new Agent({ connections: 4, keepAliveTimeout: 5_000, connect: { timeout: 30_000 } });
}

async function send(
  agent: Agent,
  url: string,
  init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const res = await request(url, {
    dispatcher: agent,
    method: init.method,
    headers: { accept: "application/json", "user-agent": USER_AGENT, ...init.headers },
    body: init.body ?? null,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const h = (name: string): string | undefined => {
    const v = res.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return { status: res.statusCode, date: h("date"), retryAfter: h("retry-after"), json };
}

/** POST a form (the token endpoint). */
export function postForm(agent: Agent, url: string, form: Record<string, string>): Promise<RawAnswer> {
  return send(agent, url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
}

/** GET with a bearer token. */
export function getWithToken(agent: Agent, url: string, token: string): Promise<RawAnswer> {
  return send(agent, url, { method: "GET", headers: { authorization: `Bearer ${token}` } });
}

/** `{error, error_description}` of an Entra answer: the code, and the first line of the description, masked. */
export function entraError(json: unknown): { error: string; description: string } {
  const o = (json ?? {}) as { error?: unknown; error_description?: unknown };
  const description = typeof o.error_description === "string" ? o.error_description : "";
  return {
    error: typeof o.error === "string" ? o.error : "unknown_error",
    description: redact(description.split(/\r?\n/)[0] ?? "").slice(0, 300),
  };
}
