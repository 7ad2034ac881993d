/**
 * Settings, declared once: {@link SETTINGS} is the table (key, environment variable, secret flag, default,
 * description, value rule) from which everything else is derived: the {@link Settings} type, the keys, the
 * loader, unknown-key detection ({@link closestKey}), the docs table ({@link settingsTable}) and the plugin
 * schema's config section (scripts/gen-schema.js). Each setting comes from stack config `partnercenter:<key>`
 * (or `partnercenter:config:<key>`, or a bare `<key>`), else its environment variable, else its default.
 *
 * What is checked when:
 * - {@link loadSettings} checks the shape of every value (URLs, the https rule, numbers) and throws at once:
 *   those mistakes are never right, whatever the operation.
 * - Credential completeness is checked by {@link assertCredentials}, which the client calls when it first
 *   needs a token. So `check` and `diff`, which never call Partner Center, work on a stack that has no
 *   credentials yet, and the error appears on the first operation that does need them.
 * - Whether a Graph token may go to `graphEndpoint` is checked by the Graph client (gdap/graph-settings.ts),
 *   so a stack without GDAP resources is not held to the Graph rules.
 */
import { z } from "zod";
import { ConfigurationError, registerSecret } from "./errors";

/** True for `localhost`, `127.x.x.x` and `::1`: the only hosts where plain http is allowed. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The Microsoft Graph resource: the default `graphEndpoint`, and the audience of Graph tokens. */
export const GRAPH_RESOURCE = "https://graph.microsoft.com";

/** A base URL: https unless the host is loopback; no credentials, query or fragment; no trailing slash. */
function urlValue(name: string, example: string) {
  return z.string().transform((s, ctx) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({ code: "custom", message: `${name} must be an absolute URL such as ${example}.` });
      return z.NEVER;
    }
    if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) {
      ctx.addIssue({
        code: "custom",
        message: `${name} must use https (plain http is allowed only for localhost, 127.x.x.x or ::1, e.g. the emulator); got host "${u.hostname}" over ${u.protocol.replace(":", "")}.`,
      });
      return z.NEVER;
    }
    if (u.search || u.hash || u.username || u.password) {
      ctx.addIssue({
        code: "custom",
        message: `${name} must be a plain base URL without credentials, query string or fragment.`,
      });
      return z.NEVER;
    }
    return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
  });
}

/** A whole number from 1 to `max`. Stack config and the environment give strings ("120"); a program may pass a number. */
function intValue(name: string, max: number, hint: string) {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const n = typeof v === "number" ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > max) {
      ctx.addIssue({ code: "custom", message: `${name} must be a whole number from 1 to ${max}; ${hint}.` });
      return z.NEVER;
    }
    return n;
  });
}

/** One row of the settings table. */
interface SettingSpec {
  /** The environment variable read when stack config has no value. */
  env: string;
  /** Registered with `registerSecret` when read, shown as `(set)`, and a secret in the plugin schema. */
  secret: boolean;
  /** The type in the plugin schema. */
  type: "string" | "integer" | "boolean";
  /** The default, when there is one. */
  default?: string | number;
  /**
   * Whether the loader fills the default into {@link Settings} (else the field stays absent and its reader
   * applies the default: the Graph settings, which only the GDAP resources read).
   */
  filled?: boolean;
  /** What the setting is (plugin schema, docs). */
  description: string;
  /** The docs table's "default" column. */
  docDefault: string;
  /** The value rule, given the setting's name for its messages. */
  value: (name: string) => z.ZodType<unknown, unknown>;
}

const DEFAULT_ENDPOINT = "https://api.partnercenter.microsoft.com";
const DEFAULT_AUTHORITY = "https://login.microsoftonline.com";
/** Matches the parallelism of a typical `pulumi up`; bounded so a large estate never opens hundreds of sockets. */
const DEFAULT_CONCURRENCY = 32;

/** The settings table: the one declaration of every `partnercenter:` setting. */
export const SETTINGS = {
  endpoint: {
    env: "PARTNER_CENTER_ENDPOINT",
    secret: false,
    type: "string",
    default: DEFAULT_ENDPOINT,
    filled: true,
    description: "Partner Center base URL, without a trailing slash.",
    docDefault: `\`${DEFAULT_ENDPOINT}\``,
    value: (name: string) => urlValue(name, DEFAULT_ENDPOINT),
  },
  authority: {
    env: "PARTNER_CENTER_AUTHORITY",
    secret: false,
    type: "string",
    default: DEFAULT_AUTHORITY,
    filled: true,
    description:
      "Microsoft Entra authority, without a trailing slash (the token URL is `{authority}/{tenantId}/oauth2/token`).",
    docDefault: `\`${DEFAULT_AUTHORITY}\``,
    value: (name: string) => urlValue(name, DEFAULT_AUTHORITY),
  },
  tenantId: {
    env: "PARTNER_CENTER_TENANT_ID",
    secret: false,
    type: "string",
    description: "The partner's Microsoft Entra tenant: a GUID or a domain such as contoso.onmicrosoft.com.",
    docDefault: "none: the partner's tenant, for the token endpoint",
    // It becomes a path segment of the token URL, so nothing else (no "/", no "..") is accepted.
    value: (name: string) =>
      z
        .string()
        .trim()
        .refine((t) => /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(t), {
          message: `${name} must be the partner's tenant id (a GUID) or its domain (contoso.onmicrosoft.com).`,
        }),
  },
  clientId: {
    env: "PARTNER_CENTER_CLIENT_ID",
    secret: false,
    type: "string",
    description: "The application (client) id of the partner's Entra app registration.",
    docDefault: "none",
    value: () => z.string(),
  },
  clientSecret: {
    env: "PARTNER_CENTER_CLIENT_SECRET",
    secret: true,
    type: "string",
    description: "The app's client secret (optional: a public client has none).",
    docDefault: "none",
    value: () => z.string(),
  },
  refreshToken: {
    env: "PARTNER_CENTER_REFRESH_TOKEN",
    secret: true,
    type: "string",
    description: "A refresh token of an app+user grant, exchanged for access tokens.",
    docDefault: "none",
    value: () => z.string(),
  },
  accessToken: {
    env: "PARTNER_CENTER_ACCESS_TOKEN",
    secret: true,
    type: "string",
    description: "An access token used as it is, instead of tenantId, clientId and refreshToken.",
    docDefault: "none: when set, used as it is and no token is requested",
    // A token is sent as a header value: a CR/LF or a space in it is a configuration mistake, not a network error.
    value: (name: string) =>
      z.string().refine((t) => /^[\x21-\x7e]+$/.test(t), {
        message: `${name} holds spaces or control characters (a line break?): paste the token alone, on one line.`,
      }),
  },
  maxRequestsPerMinute: {
    env: "PARTNER_CENTER_MAX_REQUESTS_PER_MINUTE",
    secret: false,
    type: "integer",
    description: "Optional fixed cap on the request rate of this process; none by default.",
    docDefault: "no cap (adaptive pacing)",
    value: (name: string) => intValue(name, 1_000_000, "leave it unset for no cap"),
  },
  maxConcurrency: {
    env: "PARTNER_CENTER_MAX_CONCURRENCY",
    secret: false,
    type: "integer",
    default: DEFAULT_CONCURRENCY,
    filled: true,
    description: "Requests in flight at once in this process.",
    docDefault: `\`${DEFAULT_CONCURRENCY}\` requests in flight per provider process`,
    value: (name: string) => intValue(name, 1024, `leave it unset for the default ${DEFAULT_CONCURRENCY}`),
  },
  auditLog: {
    env: "PARTNER_CENTER_AUDIT_LOG",
    secret: false,
    type: "string",
    description:
      "The audit trail file (JSON lines); a relative path is resolved against the provider host's working directory. None by default.",
    docDefault:
      "none: no trail. A file path for the [audit trail](guides/readiness-and-audit.md#audit-trail); a relative path is resolved against the project directory (the provider host's working directory)",
    value: (name: string) =>
      z.string().refine((p) => !p.includes("\0"), { message: `${name} must be a file path.` }),
  },
  allowLoopbackWithCredentials: {
    env: "PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS",
    secret: false,
    type: "boolean",
    description:
      "Allows credentials to be sent to a loopback endpoint, authority or Graph endpoint (the emulator). Off by default: a stack that inherits a loopback endpoint by mistake would otherwise send real credentials in clear text to whatever listens on that local port.",
    docDefault:
      "`false`: credentials and tokens are never sent to a loopback endpoint, authority or Graph endpoint",
    value: (name: string) =>
      z.string().transform((v, ctx) => {
        const t = v.trim().toLowerCase();
        if (t === "true") return true;
        if (t === "false") return false;
        ctx.addIssue({ code: "custom", message: `${name} must be true or false.` });
        return z.NEVER;
      }),
  },
  graphEndpoint: {
    env: "PARTNER_CENTER_GRAPH_ENDPOINT",
    secret: false,
    type: "string",
    default: GRAPH_RESOURCE,
    description:
      "Microsoft Graph base URL, for the GDAP resources (https, or http on a loopback host for the emulator).",
    docDefault: `\`${GRAPH_RESOURCE}\`: Microsoft Graph, for the GDAP resources`,
    value: (name: string) => urlValue(name, GRAPH_RESOURCE),
  },
  graphTokenRequest: {
    env: "PARTNER_CENTER_GRAPH_TOKEN_REQUEST",
    secret: false,
    type: "string",
    default: "v1",
    // v1: the Partner Center token request with `resource=https://graph.microsoft.com`, which Graph's own pages
    // do not document (they use the v2 endpoint) but Entra's v1 endpoint accepts for any resource. v2:
    // `POST {authority}/{tenantId}/oauth2/v2.0/token` with `scope=https://graph.microsoft.com/.default`, the
    // refresh grant as "Microsoft identity platform and OAuth 2.0 authorization code flow" documents it.
    description:
      "How the Microsoft Graph token is requested: v1 (resource=https://graph.microsoft.com on the token endpoint of partnercenter:authority) or v2 (scope=https://graph.microsoft.com/.default on the v2.0 token endpoint).",
    docDefault:
      "`v1`: `resource=https://graph.microsoft.com`; `v2` asks the v2.0 token endpoint for `scope=https://graph.microsoft.com/.default`",
    value: (name: string) =>
      z.string().transform((v, ctx) => {
        const t = v.trim().toLowerCase();
        if (t === "v1" || t === "v2") return t;
        ctx.addIssue({
          code: "custom",
          message: `${name} must be v1 (resource=${GRAPH_RESOURCE}, the default) or v2 (scope=${GRAPH_RESOURCE}/.default on the v2.0 token endpoint); got "${t.slice(0, 40)}".`,
        });
        return z.NEVER;
      }),
  },
} as const satisfies Record<string, SettingSpec>;

/** A setting's key, as in `partnercenter:<key>`. */
export type SettingKey = keyof typeof SETTINGS;

/** Every setting key, in the table's order. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

type Value<K extends SettingKey> = z.output<ReturnType<(typeof SETTINGS)[K]["value"]>>;
type Filled = { [K in SettingKey]: (typeof SETTINGS)[K] extends { filled: true } ? K : never }[SettingKey];

/**
 * Validated settings. Secrets are in clear here: never log this object, use {@link describeSettings}. A
 * setting with a default the loader fills (endpoint, authority, maxConcurrency) is always present; the others
 * are absent when unset.
 */
export type Settings = { [K in Filled]: Value<K> } & {
  [K in Exclude<SettingKey, Filled>]?: Value<K> | undefined;
};

/** Defaults of the settings that have one. */
export const DEFAULTS = Object.fromEntries(
  SETTING_KEYS.flatMap((k) => {
    const d = (SETTINGS[k] as SettingSpec).default;
    return d === undefined ? [] : [[k, d]];
  }),
) as {
  readonly [
    K in SettingKey as (typeof SETTINGS)[K] extends { default: unknown } ? K : never
  ]: (typeof SETTINGS)[K] extends { default: infer D } ? D : never;
};

/** `partnercenter:endpoint (or PARTNER_CENTER_ENDPOINT)`: how every message names a setting. */
export function settingName(key: SettingKey): string {
  return `partnercenter:${key} (or ${SETTINGS[key].env})`;
}

/** A setting's value rule, with its name in the messages. */
function rule(key: SettingKey): z.ZodType<unknown, unknown> {
  return (SETTINGS[key] as SettingSpec).value(settingName(key));
}

/**
 * The raw value of one setting: `partnercenter:<key>`, `partnercenter:config:<key>` (how the engine's
 * ConfigureRequest spells stack config), bare `<key>`, then the environment. Empty values count as unset.
 */
function rawValue(
  key: SettingKey,
  config: Readonly<Record<string, string | undefined>>,
  env: NodeJS.ProcessEnv,
): string | undefined {
  return [
    config[`partnercenter:${key}`],
    config[`partnercenter:config:${key}`],
    config[key],
    env[SETTINGS[key].env],
  ]
    .map((v) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : undefined))
    .find((v) => v !== undefined && v !== "");
}

/** Only our own messages: zod's default ones could quote the input, and the input may be a secret. */
function messages(error: z.ZodError, key?: SettingKey): string[] {
  return error.issues.map((i) =>
    i.code === "custom" ? i.message : `${settingName(key ?? (i.path[0] as SettingKey))} is invalid.`,
  );
}

/**
 * One setting on its own, default applied (for a reader of one setting: the Graph settings).
 * @throws ConfigurationError naming the setting and the fix.
 */
export function loadSetting<K extends SettingKey>(
  key: K,
  config: Readonly<Record<string, string | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
): Value<K> | ((typeof SETTINGS)[K] extends { default: infer D } ? D : undefined) {
  const raw = rawValue(key, config, env);
  if (raw === undefined) return (SETTINGS[key] as SettingSpec).default as never;
  if (SETTINGS[key].secret) registerSecret(raw);
  const parsed = rule(key).safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(messages(parsed.error, key).join(" "));
  return parsed.data as Value<K>;
}

const schema = z.object(
  Object.fromEntries(
    SETTING_KEYS.map((k) => {
      const spec = SETTINGS[k] as SettingSpec;
      const r = rule(k);
      return [k, spec.filled ? r.default(spec.default as never) : r.optional()];
    }),
  ),
);

/** The unknown key closest to a known one (case-insensitive edit distance), and how far it is. */
export function closestKey(name: string): { key: SettingKey; distance: number; near: boolean } {
  let best: { key: SettingKey; distance: number } | undefined;
  for (const key of SETTING_KEYS) {
    const d = editDistance(name.toLowerCase(), key.toLowerCase());
    if (!best || d < best.distance) best = { key, distance: d };
  }
  return { ...best!, near: best!.distance <= Math.max(2, Math.floor(name.length / 4)) };
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Whether `key` (without `partnercenter:`) is a setting. */
export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, key);
}

/** The docs table of the settings (Markdown), as docs/installation-configuration.md carries it between its settings markers. */
export function settingsTable(): string {
  const rows = SETTING_KEYS.map((k) => {
    const s = SETTINGS[k];
    return `| \`partnercenter:${k}\`${s.secret ? " (secret)" : ""} | \`${s.env}\` | ${s.docDefault} |`;
  });
  return ["| config key | environment variable | default |", "| --- | --- | --- |", ...rows].join("\n");
}

/**
 * Reads settings: config key (`partnercenter:<key>`, `partnercenter:config:<key>` or bare `<key>`), else
 * environment variable, else default.
 * Empty values count as unset. Registers every secret value with `registerSecret` so that no error or log
 * line can show it.
 *
 * @throws ConfigurationError when a value is malformed (naming the config key, the environment variable and
 *   the fix, never a secret's value). Missing credentials are not an error here: see {@link assertCredentials}.
 */
export function loadSettings(
  config: Readonly<Record<string, string | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const raw: Partial<Record<SettingKey, string>> = {};
  for (const key of SETTING_KEYS) {
    const value = rawValue(key, config, env);
    if (value === undefined) continue;
    if (SETTINGS[key].secret) registerSecret(value);
    raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(`Invalid Partner Center settings: ${messages(parsed.error).join(" ")}`);
  }
  const s = parsed.data as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) if (s[key] !== undefined) out[key] = s[key];
  // Off is the same as unset.
  if (out.allowLoopbackWithCredentials === false) delete out.allowLoopbackWithCredentials;
  return checkLoopback(out as Settings);
}

/** The loopback rules of endpoint and authority (the Graph endpoint's are graph-settings.ts's). */
function checkLoopback(out: Settings): Settings {
  const loopback = (["endpoint", "authority"] as const).filter((k) =>
    isLoopbackHost(new URL(out[k]).hostname),
  );
  const credentials = (["clientSecret", "refreshToken", "accessToken"] as const).filter(
    (k) => out[k] !== undefined,
  );
  if (loopback.length > 0 && credentials.length > 0 && !out.allowLoopbackWithCredentials) {
    throw new ConfigurationError(
      `Refusing to send credentials (${credentials.map((k) => `partnercenter:${k}`).join(", ")}) to a loopback address: ${loopback.map(settingName).join(" and ")} ${loopback.length > 1 ? "are" : "is"} ${loopback.map((k) => out[k]).join(", ")}.`,
      {
        action: `For Partner Center, set partnercenter:endpoint and partnercenter:authority to the real service (or unset them: the defaults are ${DEFAULTS.endpoint} and ${DEFAULTS.authority}). For the bundled emulator, say so: set ${settingName("allowLoopbackWithCredentials")} to true (the dev stack file Pulumi.dev.yaml does).`,
      },
    );
  }
  // A refresh-token grant sends the refresh token to the authority and the token it gets to the endpoint: both
  // loopback (the emulator) or neither, else one side's token goes to the other.
  if (credentials.length > 0 && out.accessToken === undefined && loopback.length === 1) {
    const [local] = loopback;
    const remote = local === "endpoint" ? "authority" : "endpoint";
    throw new ConfigurationError(
      `${settingName(local!)} is a loopback address (${out[local!]}) but ${settingName(remote)} is not (${out[remote]}): a token issued by one would be sent to the other.`,
      {
        action: `Point both at the emulator (the dev stack file Pulumi.dev.yaml does), or unset both for the real service (${DEFAULTS.endpoint} and ${DEFAULTS.authority}).`,
      },
    );
  }
  return out;
}

/** The credential settings a refresh-token exchange cannot do without. */
const REFRESH_KEYS = ["tenantId", "clientId", "refreshToken"] as const;

/**
 * The credential settings still missing: `[]` when an access token is set, or when tenantId, clientId and
 * refreshToken all are (clientSecret is optional: a public client has none, and it is sent when present).
 */
export function missingCredentials(s: Settings): SettingKey[] {
  if (s.accessToken) return [];
  return REFRESH_KEYS.filter((k) => !s[k]);
}

/**
 * Throws when neither an access token nor a complete refresh-token grant is configured, listing exactly the
 * missing keys. The client calls this before its first request.
 */
export function assertCredentials(s: Settings): void {
  const missing = missingCredentials(s);
  if (missing.length === 0) return;
  throw new ConfigurationError(
    `Partner Center credentials are incomplete: missing ${missing.map(settingName).join(", ")}.`,
    {
      action:
        `Set ${missing.map((k) => `partnercenter:${k}`).join(", ")} (pulumi config set [--secret] ...) or the environment ` +
        `variable${missing.length > 1 ? "s" : ""} ${missing.map((k) => SETTINGS[k].env).join(", ")}; ` +
        `or set only partnercenter:accessToken (secret) / PARTNER_CENTER_ACCESS_TOKEN to use a token as it is.`,
    },
  );
}

/** One line safe for logs: secrets appear as `(set)`, never their value. */
export function describeSettings(s: Settings): string {
  const parts: string[] = [];
  for (const key of SETTING_KEYS) {
    const v = s[key];
    if (v === undefined) continue;
    parts.push(`${key}=${SETTINGS[key].secret ? "(set)" : String(v)}`);
  }
  return parts.join(" ");
}
