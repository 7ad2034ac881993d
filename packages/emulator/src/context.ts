/**
 * One API request as the pipeline carries it (app.ts): the request context given to every step and route, and the
 * request-log entry it fills in.
 */
import type * as http from "node:http";
import { randomUUID } from "node:crypto";
import type { FaultKind } from "./faults";

/** One API request, as the emulator saw and answered it. */
export interface RequestLogEntry {
  /** Sequence number, from 1. */
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  /** Path as sent (no query string). */
  path: string;
  /** Query string without the `?` ("" when none). */
  query: string;
  /** HTTP status answered; null when the connection was destroyed without an answer. */
  status: number | null;
  /** MS-RequestId (the client's, or generated). */
  requestId: string;
  /** MS-CorrelationId (the client's, or generated). */
  correlationId: string;
  /** Customer tenant id from the path, lower case; null when none. */
  customerId: string | null;
  /** The scripted fault that hit this request, if any. */
  fault: FaultKind | null;
  /** True when this request changed state (a PATCH applied). */
  applied: boolean;
  /** True when this was a repeated MS-RequestId answered from the idempotency cache. */
  replayed: boolean;
  /** Milliseconds from arrival to the end of the answer (or the reset). */
  durationMs: number;
}

export interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  path: string;
  url: URL;
  body: Buffer;
  requestId: string;
  correlationId: string;
  /** Microsoft Graph's `client-request-id` (the client's, or `requestId`), echoed as `request-id` too. */
  clientRequestId: string;
  locale: string;
  customerId: string | null;
  started: number;
  entry: RequestLogEntry | null;
  /** Headers of every answer, as the request's API sends them (error-styles.ts); the result's own override them. */
  answerHeaders: Record<string, string>;
}

export function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === "" ? undefined : s.trim();
}

export function context(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  body: Buffer,
  o: { customerId: string | null; headers?: (ctx: Ctx) => Record<string, string> },
): Ctx {
  // Doc "Base URLs and headers": the service echoes MS-CorrelationId; we echo MS-RequestId too.
  const requestId = header(req, "ms-requestid") ?? randomUUID();
  const ctx: Ctx = {
    req,
    res,
    method: (req.method ?? "GET").toUpperCase(),
    path: url.pathname,
    url,
    body,
    requestId,
    correlationId: header(req, "ms-correlationid") ?? randomUUID(),
    clientRequestId: header(req, "client-request-id") ?? requestId,
    locale: header(req, "x-locale") ?? "en-US",
    customerId: o.customerId,
    started: Date.now(),
    entry: null,
    answerHeaders: {},
  };
  if (o.headers) ctx.answerHeaders = o.headers(ctx);
  return ctx;
}
