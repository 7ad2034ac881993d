/**
 * Answering: faults that act on the answer after the route ran, and writing the answer (headers, casing,
 * streaming of oversized bodies with back-pressure). Faults that answer before a route runs are a pipeline step
 * (app.ts).
 */
import type * as http from "node:http";
import type { Ctx } from "./context";
import { disguise, miscount, type Fault } from "./faults";
import { recase, type ApiResult } from "./results";
import type { Store } from "./state";

const DEFAULT_OVERSIZE = 20 * 1024 * 1024;

/** Faults that act on the answer after the request was applied, then the answer itself. */
export async function deliver(
  state: Store,
  ctx: Ctx,
  result: ApiResult,
  fault: Fault | undefined,
): Promise<void> {
  if (fault?.kind === "resetAfterApply") return destroy(ctx);
  if (!result.raw && result.status < 300) {
    if (fault?.kind === "disguise") result = { ...result, body: disguise(result.body, state.random) };
    if (fault?.kind === "inflateTotalCount" || fault?.kind === "duplicateItem")
      result = { ...result, body: miscount(result.body, fault.kind) };
  }
  if (fault?.kind === "slow") {
    await state.sleep(fault.delayMs ?? 1000);
    if (state.closing.signal.aborted) return destroy(ctx);
  }
  const json = serialize(state, result);
  if (fault?.kind === "malformedJson") {
    // Looks like JSON, is not: a trailing comma and an unquoted word.
    return send(state, ctx, result, `${json.slice(0, -1)}, unexpected: }`);
  }
  if (fault?.kind === "truncatedJson") {
    // Cut mid-document with correct framing (Content-Length of the cut body), as a faulty proxy would.
    return send(state, ctx, result, json.slice(0, Math.max(1, Math.floor(json.length / 2))));
  }
  if (fault?.kind === "oversizedBody")
    return stream(state, ctx, result, json, fault.sizeBytes ?? DEFAULT_OVERSIZE);
  return send(state, ctx, result, json);
}

/** The body as JSON, in the configured casing (`documented`: the casing of the route's documented example). */
export function serialize(state: Store, result: ApiResult): string {
  if (result.raw) return JSON.stringify(result.body);
  const c = state.config.casing;
  return JSON.stringify(recase(result.body, c === "documented" ? (result.documentedCasing ?? "camel") : c));
}

export function destroy(ctx: Ctx): void {
  if (ctx.entry) {
    ctx.entry.status = null;
    ctx.entry.durationMs = Date.now() - ctx.started;
  }
  ctx.req.socket.destroy();
}

export function headersFor(ctx: Ctx, result: ApiResult, length: number): Record<string, string> {
  return { ...ctx.answerHeaders, "Content-Length": String(length), ...result.headers };
}

/** An answer outside the pipeline (body too large, the emulator failed): the body as is, JSON. */
export function writeError(
  res: http.ServerResponse,
  result: ApiResult,
  extra: Record<string, string> = {},
): void {
  res.writeHead(result.status, { "Content-Type": "application/json", ...result.headers, ...extra });
  res.end(JSON.stringify(result.body));
}

export function send(state: Store, ctx: Ctx, result: ApiResult, text?: string): void {
  // A 204 has no content and no Content-Length (RFC 9110 §8.6, §15.3.5): `""` with Content-Length 2 made
  // undici fail the read, and the client retry a DELETE that had been applied.
  const noContent = result.status === 204;
  const json = noContent ? "" : (text ?? serialize(state, result));
  if (ctx.entry) {
    ctx.entry.status = result.status;
    ctx.entry.durationMs = Date.now() - ctx.started;
  }
  if (ctx.res.destroyed) return;
  const headers = headersFor(ctx, result, Buffer.byteLength(json));
  if (noContent) delete headers["Content-Length"];
  ctx.res.writeHead(result.status, headers);
  ctx.res.end(json);
}

/** A valid JSON body of `size` bytes, written in chunks with back-pressure, never held whole in memory. */
export async function stream(
  state: Store,
  ctx: Ctx,
  result: ApiResult,
  json: string,
  size: number,
): Promise<void> {
  const empty = json === "{}";
  const prefix = Buffer.from(`${json.slice(0, -1)}${empty ? "" : ","}"padding":"`);
  const suffix = Buffer.from('"}');
  const padding = Math.max(0, size - prefix.length - suffix.length);
  const res = ctx.res;
  if (ctx.entry) ctx.entry.status = result.status;
  if (res.destroyed) return;
  res.writeHead(result.status, headersFor(ctx, result, prefix.length + padding + suffix.length));
  res.write(prefix);
  const chunk = Buffer.alloc(64 * 1024, "x");
  let left = padding;
  while (left > 0 && !res.destroyed && !state.closing.signal.aborted) {
    const n = Math.min(left, chunk.length);
    left -= n;
    if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  if (left > 0) {
    res.destroy();
    return;
  }
  res.end(suffix);
  if (ctx.entry) ctx.entry.durationMs = Date.now() - ctx.started;
}
