/**
 * The settings of one provider process, from the stack config the host passes to `configure`. Shared by every
 * dynamic module (`dynamic`, `dynamic-gdap`, `dynamic-gdap-access`): one process serves them all, with the
 * same stack config.
 *
 * The host caches a provider before awaiting its `configure`, so a second concurrent call can reach it first
 * (docs/design/pulumi-engine.md#race): `configure` stores a promise that every method awaits through
 * {@link currentSettings}. It never throws either: the host would cache a provider whose configure failed, so
 * a configuration error is kept and thrown by the first method that needs the settings.
 */
import * as pulumi from "@pulumi/pulumi";
import { auditedGraph } from "./audit/audited-graph";
import { getSharedClient, type ClientOptions, type PartnerCenterClient } from "./client";
import { watchEngine } from "./engine";
import { ConfigurationError } from "./errors";
import { getSharedGraphClient, type GraphClient } from "./gdap/graph";
import { loadSettings, SETTING_KEYS, type Settings } from "./settings";

/** The setting keys read from stack config as `partnercenter:<key>` (the settings table's keys). */
export { SETTING_KEYS };

/** What `configure` receives: the stack config, namespaced keys as they are, secrets decrypted. */
export interface ConfigureRequest {
  config: { get(key: string): string | undefined };
}

let configured: Promise<Settings | ConfigurationError> | undefined;

/** Reads `partnercenter:*` from the stack config, then the environment. */
export function configureSettings(req: ConfigureRequest): Promise<void> {
  const config: Record<string, string | undefined> = {};
  for (const key of SETTING_KEYS) config[key] = req.config.get(`partnercenter:${key}`);
  configured = Promise.resolve().then(() => settingsOrError(config));
  // Only the provider host is configured by an engine: from here, it stops writing if the engine dies.
  watchEngine((line) => {
    process.stderr.once("error", () => undefined); // the engine's end of the pipe may be gone too
    process.stderr.write(`partnercenter: ${line}\n`);
  });
  return configured.then(() => undefined);
}

/**
 * The settings of this process. Without a `configure` (an older host, or direct use) the environment alone
 * is used. Throws the configuration error that `configure` kept.
 */
export async function currentSettings(): Promise<Settings> {
  configured ??= Promise.resolve().then(() => settingsOrError({}));
  const s = await configured;
  if (s instanceof ConfigurationError) throw s;
  return s;
}

function settingsOrError(config: Record<string, string | undefined>): Settings | ConfigurationError {
  try {
    return loadSettings(config);
  } catch (e) {
    if (e instanceof ConfigurationError) return e;
    throw e;
  }
}

/**
 * The options of the process's shared client. The shared client is made by whichever module asks first, so
 * every module asks with these: the limiter's line when it takes 429s as the limit (one per run of 429s).
 * Inside the provider host `pulumi.log` prints to stdout, which the CLI shows.
 */
export const PROVIDER_CLIENT_OPTIONS: ClientOptions = {
  pacing: { log: (line) => pulumi.log.info(`partnercenter: ${line}`) },
};

/** The shared Partner Center client of these settings, with {@link PROVIDER_CLIENT_OPTIONS}. */
export function providerClientFor(settings: Settings): PartnerCenterClient {
  return getSharedClient(settings, PROVIDER_CLIENT_OPTIONS);
}

/**
 * The shared Microsoft Graph client of these settings (it shares the Partner Center client's token cache);
 * with `auditLog` set, a view of it whose writes are on record before they are sent.
 */
export async function providerGraphFor(settings: Settings): Promise<GraphClient> {
  const graph = getSharedGraphClient(providerClientFor(settings), settings);
  return auditedGraph(graph, settings, (line) => pulumi.log.warn(`partnercenter: ${line}`));
}
