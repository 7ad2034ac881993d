/** Reading answers: a body capped in bytes, as JSON, or as Partner Center's (or Graph's) error body. */
import type { Dispatcher } from "undici";
import { redactAndTruncate, ResponseValidationError } from "../../errors";
import { errorBodySchema, normalizeKeys } from "./schemas";

/** Largest JSON body accepted; past it the body is destroyed, not buffered. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Longest service description kept in an error (redacted before it is cut). */
const MAX_DESCRIPTION_CHARS = 500;

/** One response header (the first, if repeated). */
export function header(h: Dispatcher.ResponseData["headers"], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads a body up to `cap` bytes; past it destroys the stream and throws. */
async function readCapped(
  body: Dispatcher.ResponseData["body"],
  cap: number,
  length: string | undefined,
): Promise<Buffer | undefined> {
  if (length !== undefined && Number(length) > cap) {
    body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readJson(
  body: Dispatcher.ResponseData["body"],
  h: Dispatcher.ResponseData["headers"],
): Promise<{ json: unknown; bytes: number }> {
  const buf = await readCapped(body, MAX_BODY_BYTES, header(h, "content-length"));
  if (buf === undefined) {
    throw new ResponseValidationError(`Partner Center's answer is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  const text = buf.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "") return { json: {}, bytes: buf.length };
  try {
    return { json: JSON.parse(text) as unknown, bytes: buf.length };
  } catch {
    throw new ResponseValidationError("Partner Center's answer is not valid JSON.");
  }
}

/** The error body, whatever its shape: `{code, description}` or the 429 `{statusCode, message}`. Never throws. */
export async function readError(
  body: Dispatcher.ResponseData["body"],
): Promise<{ partnerCenterCode?: string; partnerCenterDescription?: string } | undefined> {
  let text: string;
  try {
    const buf = await readCapped(body, MAX_ERROR_BODY_BYTES, undefined);
    if (!buf) return undefined;
    text = buf.toString("utf8").replace(/^\uFEFF/, "");
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Redacted before it is cut: a secret cut at the boundary would no longer be recognised.
    const t = redactAndTruncate(text.trim(), MAX_DESCRIPTION_CHARS);
    return t ? { partnerCenterDescription: t } : undefined;
  }
  // GDAP: Microsoft Graph's error body is {"error":{"code","message","innerError"}} (Graph docs,
  // "Microsoft Graph error responses and resource types"); its code and message fill the same two fields.
  const graph = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (graph && typeof graph === "object" && typeof graph.code === "string") {
    return typeof graph.message === "string"
      ? { partnerCenterCode: graph.code, partnerCenterDescription: graph.message }
      : { partnerCenterCode: graph.code };
  }
  const parsed = errorBodySchema.safeParse(normalizeKeys(json));
  if (!parsed.success) return undefined;
  const out: { partnerCenterCode?: string; partnerCenterDescription?: string } = {};
  const { code, description, message } = parsed.data;
  if (code !== null && code !== undefined) out.partnerCenterCode = String(code);
  const d = description ?? message;
  if (d) out.partnerCenterDescription = redactAndTruncate(d, MAX_DESCRIPTION_CHARS);
  return out;
}
