/** Shared helpers for the emulator tests: real HTTP over loopback with Node's fetch. */
import { startEmulator, type Emulator, type EmulatorOptions } from "../../packages/emulator/src";

export const PARTNER = "0a0a0a0a-0000-4000-8000-00000000000a";

/** An emulator without throttling unless the test asks for it. */
export function start(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ throttle: false, ...options });
}

/** POSTs a form to the token endpoint. */
export function tokenRequest(
  url: string,
  form: Record<string, string>,
  path = `/${PARTNER}/oauth2/token`,
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
}

/** A valid access token from the refresh-token grant. */
export async function accessToken(
  url: string,
  resource = "https://api.partnercenter.microsoft.com",
): Promise<string> {
  const res = await tokenRequest(url, {
    grant_type: "refresh_token",
    client_id: "test-client",
    refresh_token: "test-refresh-token",
    resource,
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A valid Microsoft Graph access token (resource=https://graph.microsoft.com): the emulator's Graph routes accept only these. */
export function graphAccessToken(url: string): Promise<string> {
  return accessToken(url, "https://graph.microsoft.com");
}

export interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  text: string;
}

/** One API call; `body` objects are sent as JSON. */
export async function call(
  url: string,
  token: string | null,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { Accept: "application/json", ...init.headers };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["Content-Type"] = "application/json; charset=utf-8";
  }
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Every item of a paged collection, following links.next with its MS-ContinuationToken; also returns the page count. */
export async function all(
  url: string,
  token: string,
  path: string,
): Promise<{ items: { id?: string; status?: string }[]; pages: number }> {
  const items: { id?: string }[] = [];
  let pages = 0;
  let next: { uri: string; headers: { key: string; value: string }[] } | undefined = {
    uri: path,
    headers: [],
  };
  while (next) {
    const headers = Object.fromEntries(next.headers.map((h) => [h.key, h.value]));
    const r = await call(url, token, next.uri, { headers });
    if (r.status !== 200) throw new Error(`${next.uri}: ${r.status} ${r.text}`);
    pages++;
    items.push(...r.json.items);
    next = r.json.links?.next;
  }
  return { items, pages };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One emulator (unthrottled) and a Partner Center token for every test of the file (or of the `describe` it is
 * called in), reset before each test so that no test sees another's estate, faults, configuration or log.
 */
export function sharedEmulator(): { em: Emulator; token: string } {
  const shared = {} as { em: Emulator; token: string };
  beforeAll(async () => {
    shared.em = await start();
    shared.token = await accessToken(shared.em.url);
  });
  afterAll(() => shared.em.close());
  beforeEach(() => shared.em.reset());
  return shared;
}
