/**
 * Where Microsoft Graph is: the Graph resource (token audience) and the `partnercenter:graphEndpoint`
 * setting, read from stack config or the environment and validated, and the endpoint a provider's configure set.
 * graph.ts is the client that calls it.
 */
import { ConfigurationError } from "../errors";
import { DEFAULTS, isLoopbackHost, settingName, type Settings } from "../settings";

/** The resource (audience) of Graph tokens. */
export const GRAPH_RESOURCE = "https://graph.microsoft.com";
/** The v2 scope of the same audience ("Scopes and permissions in the Microsoft identity platform", `.default`). */
export const GRAPH_SCOPE = `${GRAPH_RESOURCE}/.default`;

/**
 * `partnercenter:graphTokenRequest` / `PARTNER_CENTER_GRAPH_TOKEN_REQUEST`: how the Graph token is asked for.
 * `v1` (default): the Partner Center token request with `resource=https://graph.microsoft.com`, which Graph's own
 * pages do not document (they use the v2 endpoint) but Entra's v1 endpoint accepts for any resource. `v2`:
 * `POST {authority}/{tenantId}/oauth2/v2.0/token` with `scope=https://graph.microsoft.com/.default`, the refresh
 * grant as "Microsoft identity platform and OAuth 2.0 authorization code flow" documents it.
 */
export const GRAPH_TOKEN_KEY = "graphTokenRequest";
export const GRAPH_TOKEN_ENV = "PARTNER_CENTER_GRAPH_TOKEN_REQUEST";

/** The audience string the token source is asked for: the v1 resource, or the v2 scope. */
export function loadGraphAudience(
  config: Readonly<Record<string, string | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const raw = [config[`partnercenter:${GRAPH_TOKEN_KEY}`], config[GRAPH_TOKEN_KEY], env[GRAPH_TOKEN_ENV]]
    .map((v) => (typeof v === "string" ? v.trim().toLowerCase() : undefined))
    .find((v) => v !== undefined && v !== "");
  if (raw === undefined || raw === "v1") return GRAPH_RESOURCE;
  if (raw === "v2") return GRAPH_SCOPE;
  throw new ConfigurationError(
    `partnercenter:${GRAPH_TOKEN_KEY} (or ${GRAPH_TOKEN_ENV}) must be v1 (resource=${GRAPH_RESOURCE}, the default) or v2 (scope=${GRAPH_SCOPE} on the v2.0 token endpoint); got "${raw.slice(0, 40)}".`,
  );
}

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
let configuredAudience: Promise<string | ConfigurationError> | undefined;

/**
 * Reads `partnercenter:graphEndpoint` from a provider's ConfigureRequest. Never throws (like the dynamic
 * modules' configure): a malformed value is thrown by the first call that needs Graph.
 */
export function configureGraph(config: { get(key: string): string | undefined }): void {
  const raw = {
    [`partnercenter:${GRAPH_ENDPOINT_KEY}`]: config.get(`partnercenter:${GRAPH_ENDPOINT_KEY}`),
    [`partnercenter:${GRAPH_TOKEN_KEY}`]: config.get(`partnercenter:${GRAPH_TOKEN_KEY}`),
  };
  const settle = (load: () => string) =>
    Promise.resolve().then(() => {
      try {
        return load();
      } catch (e) {
        if (e instanceof ConfigurationError) return e;
        throw e;
      }
    });
  configuredEndpoint = settle(() => loadGraphEndpoint(raw));
  configuredAudience = settle(() => loadGraphAudience(raw));
}

/** The configured Graph token audience (the environment alone when no configure ran). */
export async function graphAudience(): Promise<string> {
  configuredAudience ??= Promise.resolve(loadGraphAudience({}));
  const a = await configuredAudience;
  if (a instanceof ConfigurationError) throw a;
  return a;
}

/** The configured Graph endpoint (the environment alone when no configure ran). */
export async function graphEndpoint(): Promise<string> {
  configuredEndpoint ??= Promise.resolve(loadGraphEndpoint({}));
  const e = await configuredEndpoint;
  if (e instanceof ConfigurationError) throw e;
  return e;
}

/**
 * Why a Graph token must not go to `graphEndpoint` with these settings, or undefined. The same rule as
 * `partnercenter:endpoint` and `authority` (settings.ts): with credentials set, a loopback Graph endpoint needs
 * `allowLoopbackWithCredentials`, or whatever holds that local port gets the bearer token (and could answer "no
 * relationships" so that offboarding reports admin access ended while it remains). And no mixing: Partner
 * Center, its authority and Graph are either all loopback (the emulator) or none, so a token the emulator issued
 * never goes to the real Graph, and a real token never to a local port.
 */
export function graphEndpointRefusal(
  settings: Settings,
  graphEndpoint: string,
): ConfigurationError | undefined {
  const credentials = (["clientSecret", "refreshToken", "accessToken"] as const).filter(
    (k) => settings[k] !== undefined,
  );
  if (credentials.length === 0) return undefined;
  const graphLoopback = isLoopbackHost(new URL(graphEndpoint).hostname);
  if (graphLoopback && !settings.allowLoopbackWithCredentials) {
    return new ConfigurationError(
      `Refusing to send a Microsoft Graph token (obtained with ${credentials.map((k) => `partnercenter:${k}`).join(", ")}) to a loopback address: ${GRAPH_SETTING} is ${graphEndpoint}.`,
      {
        action: `For Microsoft Graph, unset ${GRAPH_SETTING} (the default is ${GRAPH_RESOURCE}). For the bundled emulator, say so: set ${settingName("allowLoopbackWithCredentials")} to true, with partnercenter:endpoint, partnercenter:authority and partnercenter:graphEndpoint all pointing at it.`,
      },
    );
  }
  const where = [
    { name: settingName("endpoint"), url: settings.endpoint },
    { name: settingName("authority"), url: settings.authority },
    { name: GRAPH_SETTING, url: graphEndpoint },
  ].map((w) => ({ ...w, loopback: isLoopbackHost(new URL(w.url).hostname) }));
  const local = where.filter((w) => w.loopback);
  const remote = where.filter((w) => !w.loopback);
  if (local.length && remote.length) {
    const list = (ws: typeof where) => ws.map((w) => `${w.name} = ${w.url}`).join(", ");
    return new ConfigurationError(
      `Partner Center and Microsoft Graph settings mix loopback and remote addresses: ${list(local)} ${local.length > 1 ? "are" : "is"} loopback, but ${list(remote)} ${remote.length > 1 ? "are" : "is"} not. A token issued by one would be sent to the other (an emulator's token to the real service, or a real token to a local port).`,
      {
        action: `Point all three at the emulator (the dev stack file Pulumi.dev.yaml does), or at the real services: unset them for the defaults ${DEFAULTS.endpoint}, ${DEFAULTS.authority} and ${GRAPH_RESOURCE}.`,
      },
    );
  }
  return undefined;
}
