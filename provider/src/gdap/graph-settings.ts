/**
 * Microsoft Graph's side of the settings: the token audience, and the rule for where a Graph token may go. The
 * settings themselves (`graphEndpoint`, `graphTokenRequest`) are rows of the one settings table (settings.ts).
 * graph.ts is the client that calls Graph.
 */
import { ConfigurationError } from "../errors";
import { DEFAULTS, GRAPH_RESOURCE, isLoopbackHost, settingName, type Settings } from "../settings";

export { GRAPH_RESOURCE };
/** The v2 scope of the same audience ("Scopes and permissions in the Microsoft identity platform", `.default`). */
export const GRAPH_SCOPE = `${GRAPH_RESOURCE}/.default`;

/** How messages name the Graph endpoint setting. */
const GRAPH_SETTING = settingName("graphEndpoint");

/** The Graph token audience of these settings (`graphTokenRequest`): the v1 resource, or the v2 scope. */
export function graphAudienceOf(settings: Settings): string {
  return settings.graphTokenRequest === "v2" ? GRAPH_SCOPE : GRAPH_RESOURCE;
}

/** The Graph endpoint of these settings (`graphEndpoint`, default {@link GRAPH_RESOURCE}). */
export function graphEndpointOf(settings: Settings): string {
  return settings.graphEndpoint ?? DEFAULTS.graphEndpoint;
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
