/**
 * Two tools for the contract tests:
 * - {@link shapeDiff}: does a response have the shape of a documented example (same property names, same
 *   casing, same nesting, same kind of value)?
 * - {@link startStandIn}: a tiny HTTP server on loopback that answers what a test scripts, from the corpus: an
 *   independent stand-in for Partner Center, so that no behaviour is proven only against our own emulator.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { PartnerCenterClient, type ClientOptions } from "../../provider/src/client";
import { loadSettings } from "../../provider/src/settings";

type Kind = "null" | "array" | "object" | "string" | "number" | "boolean";

function kind(v: unknown): Kind {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v as Kind;
}

/** Options of {@link shapeDiff}. */
export interface ShapeOptions {
  /**
   * Paths (as reported, e.g. `companyProfile.address`) the actual answer may omit: each one is a decision to
   * write down next to the call, never a default.
   */
  mayOmit?: readonly string[];
}

/**
 * The differences between the shape of `actual` and that of the documented `expected`, as `path: problem`
 * lines (empty when they agree). Every property of `expected` must be in `actual` with exactly the same
 * spelling, and hold the same kind of value (a `null` in the example says nothing about the kind); objects
 * are compared recursively; each element of an actual array must have the shape of some element of the
 * documented one (an empty documented array says nothing). Properties only in `actual` are allowed, unless
 * they differ from a documented one only by casing.
 */
export function shapeDiff(expected: unknown, actual: unknown, o: ShapeOptions = {}, path = ""): string[] {
  const at = path || "(body)";
  const ek = kind(expected);
  const ak = kind(actual);
  if (ek === "null") return [];
  if (ek !== ak) return [`${at}: documented ${ek}, got ${ak}`];
  if (ek === "array") {
    const docs = expected as unknown[];
    if (docs.length === 0) return [];
    const out: string[] = [];
    (actual as unknown[]).forEach((a, i) => {
      const tries = docs.map((d) => shapeDiff(d, a, o, `${path}[]`));
      if (!tries.some((t) => t.length === 0)) {
        out.push(
          ...tries.reduce((best, t) => (t.length < best.length ? t : best)).map((l) => `${l} (item ${i})`),
        );
      }
    });
    return out;
  }
  if (ek !== "object") return [];
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(e)) {
    const p = path ? `${path}.${key}` : key;
    if (!(key in a)) {
      if (o.mayOmit?.includes(p)) continue;
      const other = Object.keys(a).find((k) => k.toLowerCase() === key.toLowerCase());
      out.push(other ? `${p}: documented as "${key}", got "${other}"` : `${p}: missing`);
      continue;
    }
    out.push(...shapeDiff(e[key], a[key], o, p));
  }
  return out;
}

/** One request the stand-in received. */
export interface Call {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A scripted answer; `"drop"` closes the connection after reading the request (an answer lost on the way). */
export type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | "drop";

/** The stand-in server. */
export interface StandIn {
  url: string;
  calls: Call[];
  /** Queues answers for `METHOD /path` (query ignored); the last one repeats once the queue is down to it. */
  script(method: string, path: string, ...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startStandIn(): Promise<StandIn> {
  const scripts = new Map<string, Reply[]>();
  const calls: Call[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const method = (req.method ?? "GET").toUpperCase();
      const url = req.url ?? "/";
      calls.push({ method, url, headers: req.headers, body });
      const queue = scripts.get(`${method} ${url.split("?")[0]!.toLowerCase()}`);
      const reply: Reply = queue?.length
        ? queue.length > 1
          ? queue.shift()!
          : queue[0]!
        : {
            status: 501,
            body: { code: "0", description: `stand-in: nothing scripted for ${method} ${url}` },
          };
      if (reply === "drop") {
        req.socket.destroy();
        return;
      }
      const json = reply.body === undefined ? "" : JSON.stringify(reply.body);
      res.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
      res.end(json);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    script(method, path, ...replies) {
      scripts.set(`${method.toUpperCase()} ${path.toLowerCase()}`, replies);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A client for the stand-in: a static access token, millisecond backoffs. */
export function standInClient(s: StandIn, options: ClientOptions = {}): PartnerCenterClient {
  return new PartnerCenterClient(
    loadSettings(
      {
        endpoint: s.url,
        accessToken: "stand-in-access-token-0123456789",
        allowLoopbackWithCredentials: "true",
      },
      {},
    ),
    {
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 },
      pacing: { slowStart: false },
      ...options,
    },
  );
}
