/**
 * Where Microsoft Graph is (issue 16): the Graph resource (token audience) and the `partnercenter:graphEndpoint`
 * setting, read from stack config or the environment and validated, and the endpoint a provider's configure set.
 * graph.ts is the client that calls it.
 */
import { ConfigurationError } from "../errors";
import { isLoopbackHost } from "../settings";

/** The resource (audience) of Graph tokens. */
export const GRAPH_RESOURCE = "https://graph.microsoft.com";

/** `partnercenter:graphEndpoint` / `PARTNER_CENTER_GRAPH_ENDPOINT`, default {@link GRAPH_RESOURCE}. */
export const GRAPH_ENDPOINT_KEY = "graphEndpoint";
export const GRAPH_ENDPOINT_ENV = "PARTNER_CENTER_GRAPH_ENDPOINT";
/** How messages name the Graph endpoint setting. */
export const GRAPH_SETTING = `partnercenter:${GRAPH_ENDPOINT_KEY} (or ${GRAPH_ENDPOINT_ENV})`;

/**
 * The Graph base URL from stack config (`partnercenter:graphEndpoint`, `partnercenter:config:graphEndpoint` or a
 * bare `graphEndpoint`), else the environment, else https://graph.microsoft.com. https unless the host is
 * loopback, like `partnercenter:endpoint`. @throws ConfigurationError naming the setting and the fix.
 */
export function loadGraphEndpoint(
  config: Readonly<Record<string, string | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const raw = [
    config[`partnercenter:${GRAPH_ENDPOINT_KEY}`],
    config[`partnercenter:config:${GRAPH_ENDPOINT_KEY}`],
    config[GRAPH_ENDPOINT_KEY],
    env[GRAPH_ENDPOINT_ENV],
  ]
    .map((v) => (typeof v === "string" ? v.trim() : undefined))
    .find((v) => v !== undefined && v !== "");
  if (raw === undefined) return GRAPH_RESOURCE;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigurationError(`${GRAPH_SETTING} must be an absolute URL such as ${GRAPH_RESOURCE}.`);
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) {
    throw new ConfigurationError(
      `${GRAPH_SETTING} must use https (plain http is allowed only for localhost, 127.x.x.x or ::1, e.g. the emulator); got host "${u.hostname}" over ${u.protocol.replace(":", "")}.`,
    );
  }
  if (u.search || u.hash || u.username || u.password) {
    throw new ConfigurationError(
      `${GRAPH_SETTING} must be a plain base URL without credentials, query string or fragment.`,
    );
  }
  return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
}

let configuredEndpoint: Promise<string | ConfigurationError> | undefined;

/**
 * Reads `partnercenter:graphEndpoint` from a provider's ConfigureRequest. Never throws (like the dynamic
 * modules' configure): a malformed value is thrown by the first call that needs Graph.
 */
export function configureGraph(config: { get(key: string): string | undefined }): void {
  const raw = { [`partnercenter:${GRAPH_ENDPOINT_KEY}`]: config.get(`partnercenter:${GRAPH_ENDPOINT_KEY}`) };
  configuredEndpoint = Promise.resolve().then(() => {
    try {
      return loadGraphEndpoint(raw);
    } catch (e) {
      if (e instanceof ConfigurationError) return e;
      throw e;
    }
  });
}

/** The configured Graph endpoint (the environment alone when no configure ran). */
export async function graphEndpoint(): Promise<string> {
  configuredEndpoint ??= Promise.resolve(loadGraphEndpoint({}));
  const e = await configuredEndpoint;
  if (e instanceof ConfigurationError) throw e;
  return e;
}
