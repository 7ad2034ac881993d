/**
 * The plugin's provider configuration: which keys exist, CheckConfig's rules, and the bridge from the engine's
 * ConfigureRequest to the `configure(req)` every dynamic module already has (so settings are read by one code).
 */
import type { ConfigureRequest } from "../configuration";
import { ConfigurationError } from "../errors";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { closestKey as closestSetting, isSettingKey, loadSettings, SETTING_KEYS } from "../settings";
import { UNKNOWN } from "../dynamic-common";

/** Inputs the engine itself adds to a provider's inputs: never ours to refuse. */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);

/** A value without the engine's secret wrappers (`{<sig>: <secret sig>, value}`), at any depth. */
export function unwrapSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[specialSigKey] === specialSecretSig) return unwrapSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

/** Config values as the settings read them: strings (a program or YAML may pass a number or a boolean). */
function asString(v: unknown): string | undefined {
  const u = unwrapSecrets(v);
  if (typeof u === "string") return u;
  if (typeof u === "number" || typeof u === "boolean") return String(u);
  return undefined;
}

/**
 * The provider's inputs as a `partnercenter:<key>` map. The engine sends the provider's inputs in `args` with bare
 * keys (stack config `partnercenter:endpoint` becomes `endpoint` for the default provider; an explicit provider's
 * own inputs likewise), and the same config in `variables` as `partnercenter:config:<key>`: `args` wins.
 */
export function configMap(
  args: Record<string, unknown>,
  variables: ReadonlyMap<string, string> | Iterable<[string, string]> = [],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of variables) {
    const m = /^partnercenter:(?:config:)?(.+)$/.exec(k);
    if (m && isSettingKey(m[1]!)) out.set(`partnercenter:${m[1]!}`, v);
  }
  for (const [k, v] of Object.entries(args)) {
    const s = asString(v);
    if (isSettingKey(k) && s !== undefined && s !== UNKNOWN) out.set(`partnercenter:${k}`, s);
  }
  return out;
}

/** The request the dynamic modules' `configure` takes. */
export function configureRequest(config: Map<string, string>): ConfigureRequest {
  return { config: { get: (key) => config.get(key) } };
}

/** The known key closest to `key` (case-insensitive), however far. */
export function closestKey(key: string): string {
  return closestSetting(key).key;
}

/**
 * CheckConfig: an unknown key fails with the closest known one; malformed values fail with the settings' own
 * message (never a secret's value). Unknown values (preview) are not checked.
 */
export function checkConfig(news: Record<string, unknown>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  for (const k of Object.keys(news)) {
    if (isSettingKey(k) || ENGINE_KEYS.has(k)) continue;
    failures.push({
      property: k,
      reason: `unknown configuration key partnercenter:${k}: did you mean partnercenter:${closestKey(k)}? The keys are ${SETTING_KEYS.map((c) => `partnercenter:${c}`).join(", ")}.`,
    });
  }
  if (failures.length > 0) return failures;
  if (Object.values(news).some((v) => unwrapSecrets(v) === UNKNOWN)) return failures;
  const config = Object.fromEntries(configMap(news));
  try {
    loadSettings(config);
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    failures.push({ property: "", reason: e.message });
  }
  return failures;
}
