/**
 * What every dynamic module (`dynamic`, `dynamic-gdap`, `dynamic-gdap-access`) does the same way: the preview
 * sentinel, input checking and parsing with a zod schema, and how a method's answer and typed errors leave the provider.
 */
import type { z } from "zod";
import { ConfigurationError, PartnerCenterError } from "./errors";
import { inDynamicHost, logsDelivered } from "./log";

/** The value Pulumi passes for an input that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The input holding the serialized provider: never validated, always passed through. */
export const PROVIDER_KEY = "__provider";
export { GUID } from "./guid";

/** `a, b or c`: the schema's properties, for the message about an unknown one. */
export function propertyList(schema: z.ZodObject): string {
  const keys = Object.keys(schema.shape);
  return keys.length > 1 ? `${keys.slice(0, -1).join(", ")} or ${keys.at(-1)!}` : (keys[0] ?? "");
}

/**
 * Validates `news` with `schema` (a strict object: a typo fails instead of being ignored); unknown values
 * (preview) are kept as they are for known properties. Failures name the property and say why.
 */
export function checkWith(
  schema: z.ZodObject,
  news: Record<string, unknown>,
): { inputs?: Record<string, unknown>; failures?: { property: string; reason: string }[] } {
  const { [PROVIDER_KEY]: provider, ...rest } = news;
  // Own keys only: `in` would also see Object.prototype ("constructor", "toString"), and omit() throws on those.
  const unknown = Object.keys(rest).filter((k) => rest[k] === UNKNOWN && Object.hasOwn(schema.shape, k));
  const known = Object.fromEntries(Object.entries(rest).filter(([k]) => !unknown.includes(k)));
  const parsed = schema.omit(Object.fromEntries(unknown.map((k) => [k, true])) as never).safeParse(known);
  if (!parsed.success) {
    return {
      failures: parsed.error.issues.map((i) => ({
        property: i.path.length
          ? i.path.map(String).join(".")
          : i.code === "unrecognized_keys"
            ? (i.keys[0] ?? "")
            : "",
        reason:
          i.code === "unrecognized_keys"
            ? `unknown property ${i.keys.map((k) => `"${k}"`).join(", ")}: expected ${propertyList(schema)}`
            : i.message,
      })),
    };
  }
  const inputs: Record<string, unknown> = { ...(parsed.data as object) };
  for (const k of unknown) inputs[k] = UNKNOWN;
  if (provider !== undefined) inputs[PROVIDER_KEY] = provider;
  return { inputs };
}

/** Parses stored or new inputs (only the schema's keys); a ConfigurationError naming each bad field. */
export function parseWith<S extends z.ZodObject>(
  schema: S,
  raw: Record<string, unknown>,
  what: string,
): z.output<S> {
  const picked: Record<string, unknown> = {};
  for (const k of Object.keys(schema.shape)) {
    if (raw[k] !== undefined && raw[k] !== null) picked[k] = raw[k];
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigurationError(
      `Invalid ${what} inputs: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`,
    );
  }
  return parsed.data;
}

/**
 * What @pulumi/pulumi's dynamic provider host (cmd/dynamic-provider, 3.248) prints with `console.error` for an
 * error that check, diff, read or delete throw, before it returns the same error to the engine, which shows
 * its message under the resource. Our typed errors' messages are complete, so that echo would only show each
 * failure twice: it is dropped, exactly that text once. Other errors (a bug) keep it, with their stack.
 */
const hostEchoes = new Set<string>();
let echoFilter = false;

function dropHostEcho(e: PartnerCenterError): void {
  if (!inDynamicHost) return;
  if (!echoFilter) {
    echoFilter = true;
    const print = console.error.bind(console);
    console.error = (...args: unknown[]) => {
      if (args.length === 1 && typeof args[0] === "string" && hostEchoes.delete(args[0])) return;
      print(...args);
    };
  }
  // Create and update errors are not echoed by the host: bound the set rather than let it grow.
  if (hostEchoes.size >= 100) hostEchoes.clear();
  hostEchoes.add(`${String(e)}: ${e.stack ?? ""}`);
}

/**
 * Keeps our typed error, its stack reduced to its code so the CLI shows the message, not our paths, and shown
 * once (see {@link dropHostEcho}).
 */
export function rethrow(e: unknown): never {
  if (e instanceof PartnerCenterError) {
    Object.defineProperty(e, "stack", { value: `[${e.code}]`, configurable: true, writable: true });
    dropHostEcho(e);
  }
  throw e;
}

/**
 * A provider method as the host calls it: its log lines delivered before its answer, its typed errors leaving
 * through {@link rethrow}.
 */
export function reported<A extends unknown[], R>(
  method: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return (...args) =>
    method(...args).then(
      async (value) => {
        await logsDelivered();
        return value;
      },
      async (e: unknown) => {
        await logsDelivered();
        return rethrow(e);
      },
    );
}
