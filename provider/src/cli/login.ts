/**
 * `partner-center login`: the Secure Application Model consent, done for the user with the OAuth 2.0 device
 * authorization grant ("Microsoft identity platform and the OAuth 2.0 device authorization grant flow",
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code):
 * 1. `POST {authority}/{tenant}/oauth2/v2.0/devicecode`, form `client_id` and `scope`; the answer gives
 *    `device_code`, `user_code`, `verification_uri`, `expires_in` and `interval`. The scopes are Partner Center's
 *    and `offline_access` only: a token is for one resource, and Entra answers scopes of two resources with
 *    AADSTS28000 ("Resources and scopes", MSAL.js: "When you have to access multiple resources, initiate a
 *    separate token request for each", https://learn.microsoft.com/entra/msal/javascript/browser/resources-and-scopes;
 *    the device-code case reported in MicrosoftDocs/azure-docs#42565, where the poll fails after sign-in).
 * 2. The user opens `verification_uri` in a browser, enters `user_code` and signs in (with MFA).
 * 3. Meanwhile `POST {authority}/{tenant}/oauth2/v2.0/token` with
 *    `grant_type=urn:ietf:params:oauth:grant-type:device_code`, `client_id`, `device_code`, at least `interval`
 *    seconds apart: `authorization_pending` means poll again; `authorization_declined`, `bad_verification_code`
 *    and `expired_token` end the flow. `slow_down` (RFC 8628 section 3.5, not listed by Microsoft) adds 5 seconds
 *    to the interval for good.
 * 4. The answer holds a refresh token because `offline_access` is among the scopes.
 * Then it checks what the consent covers: a Partner Center call; with `--graph`, a separate refresh-token request
 * for a Graph token, whose `scope` must hold DelegatedAdminRelationship.ReadWrite.All ("Refresh tokens in the
 * Microsoft identity platform": a refresh token is "bound to a combination of user and client, but aren't tied to
 * a resource", https://learn.microsoft.com/entra/identity-platform/refresh-tokens). The sign-in consents to
 * Partner Center only, so the Graph permission needs an administrator's consent for the app (else AADSTS65001).
 * A device-code sign-in is a public client flow: when a client secret is configured, it also redeems the token
 * as the provider will, with the secret, because Entra refuses a secret with a public client's refresh token
 * (AADSTS700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented").
 * Then it hands the refresh token to the store the user named: a stack's secret config (on standard input) or
 * standard output. It never appears anywhere else.
 */
import { parseArgs } from "node:util";
import type { Agent } from "undici";
import { deadlineAfter, poll, systemClock, type Clock } from "../client/core/wait";
import { registerSecret } from "../errors";
import { DEFAULTS, isLoopbackHost, loadSettings, settingName, type Settings } from "../settings";
import { commandAgent, entraError, getWithToken, postForm } from "./http";
import { readStackConfig, setStackSecret, StackError } from "./stack";
import { commandOptions, type CliIo } from "./io";

/** Exit codes of `partner-center login`. */
export const LOGIN_EXIT = {
  /** Signed in, the consent covers what was asked, the token is stored. */
  ok: 0,
  /** No usable token: declined, expired, consent or access missing. Nothing was stored. */
  failed: 1,
  /** Bad arguments or settings, or the Pulumi CLI is missing; nothing was started. */
  usage: 2,
  /** A good token could not be stored (the Pulumi CLI refused): run login again once that is fixed. */
  notStored: 3,
} as const;

/** Partner Center's delegated permission (the PowerShell module's New-PartnerAccessToken asks for it too). */
export const PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation";
/** The Graph permission the GDAP resources need ("List delegatedAdminRelationships", permissions table). */
export const GRAPH_GDAP_SCOPE = "https://graph.microsoft.com/DelegatedAdminRelationship.ReadWrite.All";
const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export const LOGIN_USAGE = `Usage: partner-center login (--to-stack STACK | --print-token) [options]

Signs an Admin agent of the partner tenant in with the device-code flow (a browser, with MFA) and stores the
resulting refresh token (the Secure Application Model consent) where you say:
  --to-stack STACK   pulumi config set --secret partnercenter:refreshToken --stack STACK (value on stdin)
  --print-token      print the refresh token alone on standard output (for your own secret store)
Options:
  --graph            also check, with a separate Graph token request, that the app's consent covers Microsoft
                     Graph DelegatedAdminRelationship.ReadWrite.All (GDAP; needs the tenant's admin consent)
  --stack STACK      read authority, tenantId, clientId and endpoint from this stack's config
  --tenant ID        the partner tenant (else partnercenter:tenantId / PARTNER_CENTER_TENANT_ID)
  --client-id ID     the app registration (else partnercenter:clientId / PARTNER_CENTER_CLIENT_ID); it must
                     allow public client flows (Authentication > Allow public client flows), and the
                     provider then needs no partnercenter:clientSecret (Entra refuses one: AADSTS700025)
  --json             a JSON summary on standard output (not with --print-token); never the token
  -h, --help         this text
Exit codes: 0 stored; 1 no usable token (declined, expired, consent or access missing; nothing stored);
2 bad usage or settings; 3 the token could not be stored.`;

/** Injected for tests: the clock the device-code polling waits on (`now` defaults to the real clock's). */
export type LoginDeps = Pick<Clock, "sleep"> & Partial<Pick<Clock, "now">>;

const realDeps: LoginDeps = systemClock;

/** One coverage check. */
interface Coverage {
  what: "partnerCenter" | "graph" | "clientSecret";
  ok: boolean;
  detail: string;
}

/** What to tell the user about rotating the token. */
export function rotationAdvice(target: string): string {
  return [
    "To rotate the token: run partner-center login again with the same destination" +
      ` (${target}); it replaces partnercenter:refreshToken.`,
    "Then end the old token: revoke the signed-in user's sessions (Microsoft Entra admin center > Users >" +
      " Revoke sessions, or Graph POST /users/{id}/revokeSignInSessions), and run login once more.",
    // "Refresh tokens in the Microsoft identity platform" (https://learn.microsoft.com/entra/identity-platform/refresh-tokens):
    // default lifetime "90 days for all other scenarios"; each use returns a new token, which the provider keeps
    // in memory for its run only, so the stored one is not extended by use.
    'Refresh tokens last 90 days by default ("Refresh tokens in the Microsoft identity platform") and the provider' +
      " does not write renewed ones back: run login again within 90 days.",
  ].join("\n");
}

/** The command: returns its exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
  deps: LoginDeps = realDeps,
): Promise<number> {
  const opts = commandOptions("login", LOGIN_USAGE, io, () =>
    parseArgs({
      args: [...argv],
      options: {
        "to-stack": { type: "string" },
        "print-token": { type: "boolean" },
        graph: { type: "boolean" },
        stack: { type: "string" },
        tenant: { type: "string" },
        "client-id": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }),
  );
  if (typeof opts === "number") return opts;
  const usage = (msg: string): number => {
    io.err(`partner-center login: ${msg}`);
    return LOGIN_EXIT.usage;
  };
  const toStack = opts["to-stack"];
  if ((toStack === undefined) === !opts["print-token"])
    return usage("say where the refresh token goes: --to-stack STACK, or --print-token (not both).");
  if (opts["print-token"] && opts.json)
    return usage("--json and --print-token both write to standard output: use one.");

  let settings: Settings;
  let clientSecret: string | undefined;
  try {
    const config = opts.stack ? (await readStackConfig(opts.stack, env)).config : {};
    // Only what the sign-in needs: a stack's existing credentials are not read, and never checked here.
    const pick = (k: string) => config[`partnercenter:${k}`];
    // Read only to redeem the new token as the provider will (see checkClientSecret).
    clientSecret = pick("clientSecret") || env.PARTNER_CENTER_CLIENT_SECRET || undefined;
    registerSecret(clientSecret);
    settings = loadSettings(
      {
        endpoint: pick("endpoint"),
        authority: pick("authority"),
        tenantId: opts.tenant ?? pick("tenantId"),
        clientId: opts["client-id"] ?? pick("clientId"),
        allowLoopbackWithCredentials: pick("allowLoopbackWithCredentials"),
      },
      {
        PARTNER_CENTER_ENDPOINT: env.PARTNER_CENTER_ENDPOINT,
        PARTNER_CENTER_AUTHORITY: env.PARTNER_CENTER_AUTHORITY,
        PARTNER_CENTER_TENANT_ID: env.PARTNER_CENTER_TENANT_ID,
        PARTNER_CENTER_CLIENT_ID: env.PARTNER_CENTER_CLIENT_ID,
        PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: env.PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS,
      },
    );
  } catch (e) {
    return usage(e instanceof Error ? e.message : String(e));
  }
  const { tenantId, clientId } = settings;
  if (!tenantId || !clientId) {
    const missing = [!tenantId && settingName("tenantId"), !clientId && settingName("clientId")].filter(
      Boolean,
    );
    return usage(`missing ${missing.join(" and ")}: give --tenant and --client-id, or set them.`);
  }
  // The new token goes to the authority (the Graph check) and an access token to the endpoint: the same rule as
  // the provider's, so a stack left pointing at the emulator never receives a real sign-in.
  const loopback = (["authority", "endpoint"] as const).filter((k) =>
    isLoopbackHost(new URL(settings[k]).hostname),
  );
  if (loopback.length > 0 && !settings.allowLoopbackWithCredentials) {
    return usage(
      `refusing to send a sign-in to a loopback address (${loopback.map(settingName).join(", ")}). For Partner Center, unset them (defaults ${DEFAULTS.authority} and ${DEFAULTS.endpoint}); for the emulator, set ${settingName("allowLoopbackWithCredentials")} to true.`,
    );
  }

  const agent = commandAgent();
  try {
    const signedIn = await signIn(agent, settings, io, deps);
    if (typeof signedIn === "string") {
      io.err(`partner-center login: ${signedIn}`);
      return LOGIN_EXIT.failed;
    }
    let refreshToken = signedIn.refreshToken;
    const coverage: Coverage[] = [await checkPartnerCenter(agent, settings, signedIn.accessToken)];
    if (opts.graph) {
      const g = await checkGraph(agent, settings, refreshToken);
      coverage.push(g.coverage);
      if (g.rotated) refreshToken = g.rotated;
    }
    if (clientSecret) coverage.push(await checkClientSecret(agent, settings, refreshToken, clientSecret));
    for (const c of coverage) io.err(`${c.ok ? "ok  " : "FAIL"} ${COVERAGE_TITLE[c.what]}: ${c.detail}`);
    const target = toStack !== undefined ? `--to-stack ${toStack}` : "--print-token";
    const summary = {
      tenantId,
      clientId,
      coverage,
      storedIn: null as string | null,
      rotate: rotationAdvice(target),
    };
    if (coverage.some((c) => !c.ok)) {
      io.err("partner-center login: the consent does not cover what is needed; nothing was stored.");
      if (opts.json) io.out(JSON.stringify({ ...summary, exitCode: LOGIN_EXIT.failed }, null, 2));
      return LOGIN_EXIT.failed;
    }
    if (toStack !== undefined) {
      try {
        await setStackSecret(toStack, "partnercenter:refreshToken", refreshToken, env);
      } catch (e) {
        io.err(`partner-center login: ${(e as Error).message}`);
        return LOGIN_EXIT.notStored;
      }
      summary.storedIn = `stack ${toStack} (partnercenter:refreshToken, secret)`;
      io.err(`Stored the refresh token in ${summary.storedIn}.`);
      io.err(
        `Next: pulumi config set partnercenter:tenantId ${tenantId} --stack ${toStack}; pulumi config set partnercenter:clientId ${clientId} --stack ${toStack}; then partner-center doctor --stack ${toStack}.`,
      );
    } else {
      summary.storedIn = "standard output";
      io.out(refreshToken);
    }
    io.err(summary.rotate);
    if (opts.json) io.out(JSON.stringify({ ...summary, exitCode: LOGIN_EXIT.ok }, null, 2));
    return LOGIN_EXIT.ok;
  } catch (e) {
    if (e instanceof StackError) return usage(e.message);
    io.err(`partner-center login: ${e instanceof Error ? e.message : String(e)}`);
    return LOGIN_EXIT.failed;
  } finally {
    await agent.close();
  }
}

/** A token request's answer that means: not yet, ask again. */
const PENDING = Symbol("pending");

/** The device-code flow: the tokens, or why there are none. */
async function signIn(
  agent: Agent,
  s: Settings,
  io: CliIo,
  deps: LoginDeps,
): Promise<{ accessToken: string; refreshToken: string } | string> {
  const base = `${s.authority}/${encodeURIComponent(s.tenantId!)}/oauth2/v2.0`;
  // One resource per request (see the top of this file): Graph comes later, from the refresh token.
  const scope = [PARTNER_CENTER_SCOPE, "offline_access"].join(" ");
  const start = await postForm(agent, `${base}/devicecode`, { client_id: s.clientId!, scope });
  const dc = (start.json ?? {}) as Record<string, unknown>;
  if (start.status !== 200 || typeof dc.device_code !== "string" || typeof dc.user_code !== "string") {
    const e = entraError(start.json);
    return `the device-code request was refused (HTTP ${start.status}, ${e.error}): ${e.description || "no description"}. Check --tenant, --client-id and that the app registration allows public client flows.`;
  }
  const deviceCode = dc.device_code;
  registerSecret(deviceCode);
  const uri =
    typeof dc.verification_uri === "string" ? dc.verification_uri : "https://microsoft.com/devicelogin";
  const expiresIn = typeof dc.expires_in === "number" && dc.expires_in > 0 ? dc.expires_in : 900;
  let interval = typeof dc.interval === "number" && dc.interval >= 0 ? dc.interval : 5;
  io.err(
    `To sign in, open ${uri} in a browser and enter the code ${dc.user_code}.\n` +
      `Sign in with MFA as an Admin agent of the partner tenant ${s.tenantId}. Waiting up to ${Math.round(expiresIn / 60)} minutes...`,
  );
  const clock: Clock = { now: deps.now ?? systemClock.now, sleep: deps.sleep };
  const expired = "the code expired before the sign-in finished: run partner-center login again.";
  /** One token request: the tokens, why there are none, or PENDING (ask again after the interval). */
  const redeem = async (): Promise<
    { accessToken: string; refreshToken: string } | string | typeof PENDING
  > => {
    const r = await postForm(agent, `${base}/token`, {
      grant_type: DEVICE_CODE_GRANT,
      client_id: s.clientId!,
      device_code: deviceCode,
    });
    const body = (r.json ?? {}) as Record<string, unknown>;
    if (r.status === 200 && typeof body.access_token === "string") {
      registerSecret(body.access_token);
      if (typeof body.refresh_token !== "string" || !body.refresh_token)
        return "the sign-in gave no refresh token (offline_access was not granted): check the app registration's permissions.";
      registerSecret(body.refresh_token);
      return { accessToken: body.access_token, refreshToken: body.refresh_token };
    }
    const e = entraError(r.json);
    switch (e.error) {
      case "authorization_pending":
        return PENDING;
      case "slow_down":
        interval += 5;
        return PENDING;
      case "authorization_declined":
        return "the sign-in was declined in the browser: nothing was stored.";
      case "expired_token":
        return expired;
      case "bad_verification_code":
        return "the authority did not recognise the device code: run partner-center login again.";
      default:
        return `the sign-in failed (HTTP ${r.status}, ${e.error}): ${e.description || "no description"}.`;
    }
  };
  const outcome = await poll(redeem, {
    // The first request waits an interval too: the user has only just been shown the code.
    start: { value: PENDING },
    done: (o) => o !== PENDING,
    deadline: deadlineAfter(expiresIn * 1000, clock),
    intervalMs: () => interval * 1000,
    clock,
  });
  return outcome === PENDING ? expired : outcome;
}

/** The token works for Partner Center: one customer page, with the token the sign-in gave. */
async function checkPartnerCenter(agent: Agent, s: Settings, accessToken: string): Promise<Coverage> {
  const r = await getWithToken(agent, `${s.endpoint}/v1/customers?size=1`, accessToken);
  const what = "partnerCenter" as const;
  if (r.status === 200) return { what, ok: true, detail: "the token reads the customer list." };
  const code = String(((r.json ?? {}) as { code?: unknown }).code ?? "");
  if (r.status === 401 && code === "900421")
    return {
      what,
      ok: false,
      detail:
        "HTTP 401 code 900421: the sign-in did not use MFA. Sign in again with multi-factor authentication.",
    };
  if (r.status === 403)
    return {
      what,
      ok: false,
      detail:
        "HTTP 403: the signed-in user has no Partner Center role that reads customers; sign in as an Admin agent.",
    };
  return {
    what,
    ok: false,
    detail: `the customer list answered HTTP ${r.status}${code ? ` code ${code}` : ""}.`,
  };
}

/** The consent covers Graph's GDAP permission: a Graph token from the new refresh token, and its `scope`. */
async function checkGraph(
  agent: Agent,
  s: Settings,
  refreshToken: string,
): Promise<{ coverage: Coverage; rotated?: string }> {
  const r = await postForm(agent, `${s.authority}/${encodeURIComponent(s.tenantId!)}/oauth2/v2.0/token`, {
    grant_type: "refresh_token",
    client_id: s.clientId!,
    refresh_token: refreshToken,
    scope: GRAPH_GDAP_SCOPE,
  });
  const body = (r.json ?? {}) as Record<string, unknown>;
  if (r.status !== 200 || typeof body.access_token !== "string") {
    const e = entraError(r.json);
    // AADSTS65001: nobody consented to the Graph permission for this app; the device-code sign-in asked for
    // Partner Center only, so an administrator grants it once for the tenant.
    const next = /AADSTS65001/.test(e.description)
      ? " An administrator of the partner tenant must grant admin consent for the app's Microsoft Graph permission DelegatedAdminRelationship.ReadWrite.All (Entra admin center > App registrations > the app > API permissions > Grant admin consent), then run login --graph again."
      : " Check that the app has the delegated Microsoft Graph permission DelegatedAdminRelationship.ReadWrite.All with admin consent, then run login --graph again.";
    return {
      coverage: {
        what: "graph",
        ok: false,
        detail: `no Graph token (${e.error}): ${e.description || `HTTP ${r.status}`}.${next}`,
      },
    };
  }
  registerSecret(body.access_token);
  const rotated =
    typeof body.refresh_token === "string" && body.refresh_token ? body.refresh_token : undefined;
  registerSecret(rotated);
  const scopes = typeof body.scope === "string" ? body.scope.split(/\s+/) : [];
  const ok = scopes.some((x) => /(^|\/)DelegatedAdminRelationship\.ReadWrite\.All$/i.test(x));
  return {
    coverage: {
      what: "graph",
      ok,
      detail: ok
        ? "the consent covers DelegatedAdminRelationship.ReadWrite.All."
        : `the Graph token's scope lacks DelegatedAdminRelationship.ReadWrite.All (it has: ${scopes.join(" ") || "nothing"}).`,
    },
    ...(rotated ? { rotated } : {}),
  };
}

const COVERAGE_TITLE: Record<Coverage["what"], string> = {
  partnerCenter: "Partner Center",
  graph: "Microsoft Graph",
  clientSecret: "client secret",
};

/**
 * With a client secret configured, the provider sends it with the refresh token
 * (`{authority}/{tenant}/oauth2/token`, `resource=https://api.partnercenter.microsoft.com`): this does the same
 * once, so a secret Entra refuses with this public client's token (AADSTS700025) is found now, not at `pulumi up`.
 */
async function checkClientSecret(
  agent: Agent,
  s: Settings,
  refreshToken: string,
  clientSecret: string,
): Promise<Coverage> {
  const r = await postForm(agent, `${s.authority}/${encodeURIComponent(s.tenantId!)}/oauth2/token`, {
    grant_type: "refresh_token",
    client_id: s.clientId!,
    client_secret: clientSecret,
    refresh_token: refreshToken,
    resource: "https://api.partnercenter.microsoft.com",
  });
  const body = (r.json ?? {}) as Record<string, unknown>;
  const what = "clientSecret" as const;
  if (r.status === 200 && typeof body.access_token === "string") {
    registerSecret(body.access_token);
    if (typeof body.refresh_token === "string") registerSecret(body.refresh_token);
    return { what, ok: true, detail: "the token endpoint takes the refresh token with the client secret." };
  }
  const e = entraError(r.json);
  const pub = /AADSTS700025/.test(e.description);
  return {
    what,
    ok: false,
    detail:
      `the provider's token request with ${settingName("clientSecret")} was refused (${e.error}): ${e.description || `HTTP ${r.status}`}.` +
      (pub
        ? ` The device-code sign-in is a public client flow, and Entra takes no secret with its refresh token: unset ${settingName("clientSecret")} (pulumi config rm partnercenter:clientSecret --stack STACK, and unset PARTNER_CENTER_CLIENT_SECRET), then run login again.`
        : ` Check ${settingName("clientSecret")}, or unset it: login's refresh token needs none.`),
  };
}
