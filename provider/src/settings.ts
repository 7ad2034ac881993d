/**
 * Settings: each from stack config `partnercenter:<key>` (or a bare `<key>`), else its environment variable,
 * else its default (docs/installation-configuration.md#configuration).
 *
 * What is checked when:
 * - {@link loadSettings} checks the shape of every value (URLs, the https rule, numbers) and throws at once:
 *   those mistakes are never right, whatever the operation.
 * - Credential completeness is checked by {@link assertCredentials}, which the client calls when it first
 *   needs a token. So `check` and `diff`, which never call Partner Center, work on a stack that has no
 *   credentials yet, and the error appears on the first operation that does need them.
 */
import { z } from "zod";
import { ConfigurationError, registerSecret } from "./errors";

/** Validated settings. Secrets are in clear here: never log this object, use {@link describeSettings}. */
export interface Settings {
  /** Partner Center base URL, without a trailing slash. */
  endpoint: string;
  /** Microsoft Entra authority, without a trailing slash (the token URL is `{authority}/{tenantId}/oauth2/token`). */
  authority: string;
  /** The partner's Microsoft Entra tenant: a GUID or a domain such as contoso.onmicrosoft.com. */
  tenantId?: string | undefined;
  /** The application (client) id of the partner's Entra app registration. */
  clientId?: string | undefined;
  /** The app's client secret (optional: a public client has none). */
  clientSecret?: string | undefined;
  /** A refresh token of an app+user grant, exchanged for access tokens. */
  refreshToken?: string | undefined;
  /** An access token used as it is, instead of tenantId, clientId and refreshToken. */
  accessToken?: string | undefined;
  /** Optional fixed cap on the request rate of this process; none by default. */
  maxRequestsPerMinute?: number | undefined;
  /** Requests in flight at once in this process. */
  maxConcurrency: number;
  /** The audit trail file (JSON lines), as configured; resolved by audit.ts. None by default. */
  auditLog?: string | undefined;
  /**
   * Allows credentials to be sent to a loopback endpoint or authority (the emulator). Off by default: a stack
   * that inherits a loopback endpoint by mistake would otherwise send real credentials in clear text to
   * whatever listens on that local port.
   */
  allowLoopbackWithCredentials?: boolean | undefined;
}

/** A setting's name in stack config and in the environment. */
interface SettingSpec {
  env: string;
  secret: boolean;
}

/** The settings table (docs/installation-configuration.md#configuration). */
export const SETTINGS: Readonly<Record<keyof Settings, SettingSpec>> = {
  endpoint: { env: "PARTNER_CENTER_ENDPOINT", secret: false },
  authority: { env: "PARTNER_CENTER_AUTHORITY", secret: false },
  tenantId: { env: "PARTNER_CENTER_TENANT_ID", secret: false },
  clientId: { env: "PARTNER_CENTER_CLIENT_ID", secret: false },
  clientSecret: { env: "PARTNER_CENTER_CLIENT_SECRET", secret: true },
  refreshToken: { env: "PARTNER_CENTER_REFRESH_TOKEN", secret: true },
  accessToken: { env: "PARTNER_CENTER_ACCESS_TOKEN", secret: true },
  maxRequestsPerMinute: { env: "PARTNER_CENTER_MAX_REQUESTS_PER_MINUTE", secret: false },
  maxConcurrency: { env: "PARTNER_CENTER_MAX_CONCURRENCY", secret: false },
  auditLog: { env: "PARTNER_CENTER_AUDIT_LOG", secret: false },
  allowLoopbackWithCredentials: { env: "PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS", secret: false },
};

/** Defaults of the settings that have one. */
export const DEFAULTS = {
  endpoint: "https://api.partnercenter.microsoft.com",
  authority: "https://login.microsoftonline.com",
  /** Matches the parallelism of a typical `pulumi up`; bounded so a large estate never opens hundreds of sockets. */
  maxConcurrency: 32,
} as const;

type Key = keyof Settings;

/** `partnercenter:endpoint (or PARTNER_CENTER_ENDPOINT)`: how every message names a setting. */
export function settingName(key: Key): string {
  return `partnercenter:${key} (or ${SETTINGS[key].env})`;
}

/** True for `localhost`, `127.x.x.x` and `::1`: the only hosts where plain http is allowed. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

function urlSchema(key: "endpoint" | "authority") {
  const name = settingName(key);
  return z.string().transform((s, ctx) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({
        code: "custom",
        message: `${name} must be an absolute URL such as ${DEFAULTS[key]}.`,
      });
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

function intSchema(key: "maxRequestsPerMinute" | "maxConcurrency", max: number, hint: string) {
  const name = settingName(key);
  // Stack config and the environment give strings ("120"); a program may pass a number.
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const n = typeof v === "number" ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > max) {
      ctx.addIssue({ code: "custom", message: `${name} must be a whole number from 1 to ${max}; ${hint}.` });
      return z.NEVER;
    }
    return n;
  });
}

const schema = z.object({
  endpoint: urlSchema("endpoint"),
  authority: urlSchema("authority"),
  // The partner's tenant: a GUID or a domain such as contoso.onmicrosoft.com. It becomes a path segment of the
  // token URL, so nothing else (no "/", no "..") is accepted.
  tenantId: z
    .string()
    .trim()
    .refine((t) => /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(t), {
      message: `${settingName("tenantId")} must be the partner's tenant id (a GUID) or its domain (contoso.onmicrosoft.com).`,
    })
    .optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  refreshToken: z.string().optional(),
  // A token is sent as a header value: a CR/LF or a space in it is a configuration mistake, not a network error.
  accessToken: z
    .string()
    .refine((t) => /^[\x21-\x7e]+$/.test(t), {
      message: `${settingName("accessToken")} holds spaces or control characters (a line break?): paste the token alone, on one line.`,
    })
    .optional(),
  allowLoopbackWithCredentials: z
    .string()
    .transform((v, ctx) => {
      const t = v.trim().toLowerCase();
      if (t === "true") return true;
      if (t === "false") return false;
      ctx.addIssue({
        code: "custom",
        message: `${settingName("allowLoopbackWithCredentials")} must be true or false.`,
      });
      return z.NEVER;
    })
    .optional(),
  maxRequestsPerMinute: intSchema("maxRequestsPerMinute", 1_000_000, "leave it unset for no cap").optional(),
  maxConcurrency: intSchema(
    "maxConcurrency",
    1024,
    `leave it unset for the default ${DEFAULTS.maxConcurrency}`,
  ),
  // Audit trail: a file path; audit.ts resolves a relative one against the provider host's cwd.
  auditLog: z
    .string()
    .refine((p) => !p.includes("\0"), { message: `${settingName("auditLog")} must be a file path.` })
    .optional(),
});

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
  const raw: Partial<Record<Key, string>> = {};
  for (const key of Object.keys(SETTINGS) as Key[]) {
    // `partnercenter:config:<key>` is how the engine's ConfigureRequest spells stack config.
    const value = [
      config[`partnercenter:${key}`],
      config[`partnercenter:config:${key}`],
      config[key],
      env[SETTINGS[key].env],
    ]
      .map((v) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : undefined))
      .find((v) => v !== undefined && v !== "");
    if (value === undefined) continue;
    if (SETTINGS[key].secret) registerSecret(value);
    raw[key] = value;
  }
  const parsed = schema.safeParse({
    ...raw,
    endpoint: raw.endpoint ?? DEFAULTS.endpoint,
    authority: raw.authority ?? DEFAULTS.authority,
    maxConcurrency: raw.maxConcurrency ?? DEFAULTS.maxConcurrency,
  });
  if (!parsed.success) {
    // Only our own messages: zod's default ones could quote the input, and the input may be a secret.
    const lines = parsed.error.issues.map((i) =>
      i.code === "custom" ? i.message : `${settingName(i.path[0] as Key)} is invalid.`,
    );
    throw new ConfigurationError(`Invalid Partner Center settings: ${lines.join(" ")}`);
  }
  const s = parsed.data;
  const out: Settings = { endpoint: s.endpoint, authority: s.authority, maxConcurrency: s.maxConcurrency };
  for (const k of ["tenantId", "clientId", "clientSecret", "refreshToken", "accessToken"] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  if (s.maxRequestsPerMinute !== undefined) out.maxRequestsPerMinute = s.maxRequestsPerMinute;
  if (s.auditLog !== undefined) out.auditLog = s.auditLog;
  if (s.allowLoopbackWithCredentials) out.allowLoopbackWithCredentials = true;
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
export function missingCredentials(s: Settings): Key[] {
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
  for (const key of Object.keys(SETTINGS) as Key[]) {
    const v = s[key];
    if (v === undefined) continue;
    parts.push(`${key}=${SETTINGS[key].secret ? "(set)" : String(v)}`);
  }
  return parts.join(" ");
}
