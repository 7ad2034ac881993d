/**
 * `partner-center doctor`: read-only checks of a setup before the first `pulumi up`, each with a verdict and the
 * next step. Only GETs and token requests: nothing is changed anywhere.
 *
 * Wire facts it relies on:
 * - Partner Center answers 401 with code 900421 to App+User calls whose token was obtained without MFA
 *   (docs/design/partner-center-contract.md#authentication), and 403 when the user lacks a role.
 * - "List delegatedAdminRelationships" (https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships):
 *   delegated permission DelegatedAdminRelationship.Read.All or ReadWrite.All; `$top` up to 300. A token without
 *   the permission is answered 403; a user outside the Admin agents group gets an empty list, which is why the two
 *   are told apart.
 * - Clock skew from the HTTP `Date` header (RFC 9110 section 6.6.1).
 */
import { parseArgs } from "node:util";
import type { Agent } from "undici";
import type { z } from "zod";
import { PartnerCenterClient } from "../client";
import { customerSchema, entitlementSchema, normalizeKeys, subscriptionSchema } from "../client/core/schemas";
import { AuthenticationError, MfaRequiredError, redact } from "../errors";
import { graphAudienceOf, graphEndpointOf } from "../gdap/graph-settings";
import { isLoopbackHost, loadSettings, missingCredentials, settingName, type Settings } from "../settings";
import { commandAgent, getWithToken, type RawAnswer } from "./http";
import { commandOptions, type CliIo } from "./io";
import { readStackConfig, StackError, type StackConfig } from "./stack";

/** Exit codes of `partner-center doctor`. */
export const DOCTOR_EXIT = { ok: 0, failed: 1, couldNotRun: 2 } as const;

export type Verdict = "ok" | "warn" | "fail" | "skip";

/** One check's result. */
export interface Check {
  id: string;
  title: string;
  verdict: Verdict;
  detail: string;
  /** What to do, when the verdict is not ok. */
  next?: string;
}

export const DOCTOR_USAGE = `Usage: partner-center doctor [--stack STACK] [--graph] [--json]

Read-only checks of the settings, the token, Partner Center access, the Admin agent role, Microsoft Graph
consent, clock skew, throttle headroom and contract drift, each with a verdict and the next step.
  --stack STACK   read the settings from this stack's config (pulumi config --show-secrets --json), unknown
                  partnercenter: keys included; else from the environment, as the provider does
  --graph         you use the GDAP resources: a Graph problem fails the run (else it is a warning)
  --json          one JSON document
  -h, --help      this text
Exit codes: 0 nothing failed (warnings allowed); 1 a check failed; 2 could not run (bad usage, no pulumi).`;

/** The documented Partner Center limit of the customer and subscription pages (docs/design/pacing.md). */
const DOCUMENTED_PER_MINUTE = 500;
const SKEW_WARN_SECONDS = 60;
/**
 * Five minutes: the default clock skew of Microsoft's token validation library ("TokenValidationParameters.
 * DefaultClockSkew Field": "300 seconds (5 minutes)", https://learn.microsoft.com/dotnet/api/microsoft.identitymodel.tokens.tokenvalidationparameters.defaultclockskew).
 * Neither Entra nor Partner Center documents its own tolerance, so this is the usual one, not a promise.
 */
const SKEW_FAIL_SECONDS = 300;

/**
 * Top-level fields Microsoft documents for each sampled resource, beside those the client reads: "Customer
 * resources", "Subscription resources" and "Get a collection of entitlements" (Partner Center REST reference).
 * Anything else in a real answer is reported as unknown.
 */
const DOCUMENTED: Record<string, readonly string[]> = {
  customer: [
    "commerceId",
    "billingProfile",
    "allowDelegatedAccess",
    "userCredentials",
    "customDomains",
    "associatedPartnerId",
    "links",
    "attributes",
  ],
  subscription: [
    "entitlementId",
    "quantity",
    "parentSubscriptionId",
    "creationDate",
    "effectiveStartDate",
    "isTrial",
    "billingCycle",
    "contractType",
    "hasPurchasableAddons",
    "isMicrosoftProduct",
    "partnerId",
    "publisherName",
    "links",
    "orderId",
    "refundOptions",
    "refundableQuantity",
    "renewalTermDuration",
    "suspensionReasons",
    "actions",
    "attentionNeeded",
    "actionTaken",
    "scheduledNextTermInstructions",
    "priceAdjustmentInformation",
    "promotionId",
    "customTermEndDate",
    "migratedFrom",
    "migratedTo",
  ],
  entitlement: [
    "quantity",
    "entitledArtifacts",
    "includedEntitlements",
    "dynamicAttributes",
    "links",
    "attributes",
  ],
};

/** Injected for tests: the local clock. */
export interface DoctorDeps {
  now(): number;
}

/** The command: returns its exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
  deps: DoctorDeps = { now: () => Date.now() },
): Promise<number> {
  const opts = commandOptions("doctor", DOCTOR_USAGE, io, () =>
    parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        graph: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }),
  );
  if (typeof opts === "number") return opts;
  let stack: StackConfig | undefined;
  try {
    if (opts.stack) stack = await readStackConfig(opts.stack, env);
  } catch (e) {
    io.err(`partner-center doctor: ${e instanceof StackError ? e.message : String(e)}`);
    return DOCTOR_EXIT.couldNotRun;
  }
  const checks = await runChecks(stack, env, !!opts.graph, deps);
  const code = checks.some((c) => c.verdict === "fail") ? DOCTOR_EXIT.failed : DOCTOR_EXIT.ok;
  // Every line goes through redact(): a check's detail may quote a service message.
  if (opts.json) {
    const count = (v: Verdict) => checks.filter((c) => c.verdict === v).length;
    const doc = {
      source: opts.stack ? `stack ${opts.stack}` : "environment",
      checks,
      summary: {
        ok: count("ok"),
        warn: count("warn"),
        fail: count("fail"),
        skip: count("skip"),
        exitCode: code,
      },
    };
    io.out(redact(JSON.stringify(doc, null, 2)));
  } else {
    io.out(redact(formatChecks(checks, opts.stack ? `stack ${opts.stack}` : "the environment")));
  }
  return code;
}

/** The report as text: one line per check, its next step under it. */
export function formatChecks(checks: readonly Check[], source: string): string {
  const label: Record<Verdict, string> = { ok: "ok  ", warn: "warn", fail: "FAIL", skip: "skip" };
  const width = Math.max(...checks.map((c) => c.title.length));
  const lines = [`partner-center doctor: settings from ${source}`, ""];
  for (const c of checks) {
    lines.push(`${label[c.verdict]}  ${c.title.padEnd(width)}  ${c.detail}`);
    if (c.next && c.verdict !== "ok") lines.push(`      ${" ".repeat(width)}  next: ${c.next}`);
  }
  const n = (v: Verdict) => checks.filter((c) => c.verdict === v).length;
  lines.push("", `${n("fail")} failed, ${n("warn")} warning(s), ${n("ok")} ok, ${n("skip")} skipped.`);
  return lines.join("\n");
}

/** Every check, in order. Never throws: a check that cannot run says so in its verdict. */
export async function runChecks(
  stack: StackConfig | undefined,
  env: NodeJS.ProcessEnv,
  graphRequired: boolean,
  deps: DoctorDeps,
): Promise<Check[]> {
  const checks: Check[] = [];
  const config = stack?.config ?? {};
  const skipAll = (why: string): Check[] => {
    for (const [id, title] of REST) checks.push({ id, title, verdict: "skip", detail: why });
    return checks;
  };

  // Settings: shape, https, loopback mixed with real hosts.
  let settings: Settings;
  let graph: string;
  try {
    settings = loadSettings(config, env);
    graph = graphEndpointOf(settings);
  } catch (e) {
    checks.push({
      id: "settings",
      title: "settings",
      verdict: "fail",
      detail: e instanceof Error ? e.message : String(e),
      next: "fix the setting named above (pulumi config set ... or the environment variable), then run doctor again.",
    });
    checks.push(keysCheck(stack));
    return skipAll("the settings are invalid");
  }
  const hosts = { endpoint: settings.endpoint, authority: settings.authority, graphEndpoint: graph };
  const loopback = Object.entries(hosts).filter(([, u]) => isLoopbackHost(new URL(u).hostname));
  if (loopback.length > 0 && loopback.length < 3) {
    const real = Object.entries(hosts).filter(([, u]) => !isLoopbackHost(new URL(u).hostname));
    checks.push({
      id: "settings",
      title: "settings",
      verdict: "fail",
      detail: `loopback mixed with real hosts: ${loopback.map(([k, u]) => `${k} ${u}`).join(", ")}, but ${real.map(([k, u]) => `${k} ${u}`).join(", ")}. A token from one would be sent to the other.`,
      next: `point partnercenter:endpoint, partnercenter:authority and partnercenter:graphEndpoint all at the emulator, or unset all three for Microsoft's services.`,
    });
    checks.push(keysCheck(stack));
    // Nothing is sent: a token from the emulator must never reach a real host, nor a real one the emulator.
    return skipAll("the settings mix loopback and real hosts");
  } else {
    checks.push({
      id: "settings",
      title: "settings",
      verdict: "ok",
      detail: `endpoint ${settings.endpoint}, authority ${settings.authority}, graph ${graph}${loopback.length ? " (all loopback: the emulator)" : ""}.`,
    });
  }
  checks.push(keysCheck(stack));
  const missing = missingCredentials(settings);
  if (missing.length > 0) {
    checks.push({
      id: "credentials",
      title: "credentials",
      verdict: "fail",
      detail: `missing ${missing.map(settingName).join(", ")}.`,
      next: "run partner-center login --to-stack STACK for the refresh token, and set tenantId and clientId.",
    });
    return skipAll("the credentials are incomplete");
  }
  checks.push({
    id: "credentials",
    title: "credentials",
    verdict: "ok",
    detail: settings.accessToken
      ? "a fixed access token (no refresh)."
      : "tenant, client id and refresh token are set.",
  });

  const client = new PartnerCenterClient(settings, { retry: { maxAttempts: 2 } });
  const agent = commandAgent();
  try {
    await networkChecks(checks, settings, graph, client, agent, graphRequired, deps);
  } finally {
    await agent.close();
    await client.close();
  }
  return checks;
}

/** The checks after the settings, in report order (used to mark them skipped). */
const REST: readonly [string, string][] = [
  ["token", "token"],
  ["partnerCenter", "Partner Center access"],
  ["graph", "Graph consent"],
  ["adminAgent", "Admin agent role"],
  ["clockSkew", "clock skew"],
  ["throttle", "throttle headroom"],
  ["contractDrift", "contract drift"],
];

function keysCheck(stack: StackConfig | undefined): Check {
  if (!stack)
    return {
      id: "keys",
      title: "config keys",
      verdict: "skip",
      detail: "only with --stack (the environment has no unknown keys to find).",
    };
  if (stack.unknown.length === 0)
    return {
      id: "keys",
      title: "config keys",
      verdict: "ok",
      detail: "every partnercenter: key is one the provider reads.",
    };
  return {
    id: "keys",
    title: "config keys",
    verdict: "fail",
    detail: stack.unknown
      .map(
        (u) =>
          `${u.key} is not a setting and is ignored${u.suggestion ? `: did you mean ${u.suggestion}?` : ""}`,
      )
      .join("; "),
    next: stack.unknown
      .map(
        (u) =>
          `pulumi config rm ${u.key}${u.suggestion ? ` and pulumi config set ${u.suggestion} <value>` : ""}`,
      )
      .join("; "),
  };
}

async function networkChecks(
  checks: Check[],
  settings: Settings,
  graphEndpoint: string,
  client: PartnerCenterClient,
  agent: Agent,
  graphRequired: boolean,
  deps: DoctorDeps,
): Promise<void> {
  const { auth } = client.graphParts();
  const answers: RawAnswer[] = [];
  const get = async (url: string, token: string) => {
    const a = await getWithToken(agent, url, token);
    answers.push(a);
    return a;
  };

  // The token.
  let token: string;
  try {
    token = await auth.token();
  } catch (e) {
    const mfa = e instanceof MfaRequiredError;
    // AADSTS700025: the refresh token is a public client's (partner-center login's device-code sign-in) and a
    // client secret was sent with it. Not detectable before: a refresh token is opaque.
    const publicClient =
      e instanceof AuthenticationError && /AADSTS700025/.test(e.partnerCenterDescription ?? "");
    checks.push({
      id: "token",
      title: "token",
      verdict: "fail",
      detail: e instanceof Error ? e.message : String(e),
      next: publicClient
        ? `the refresh token comes from a public client sign-in (partner-center login), and Entra refuses a client secret with it: unset ${settingName("clientSecret")} (pulumi config rm partnercenter:clientSecret --stack STACK, or unset PARTNER_CENTER_CLIENT_SECRET).`
        : mfa || e instanceof AuthenticationError
          ? "run partner-center login --to-stack STACK (sign in with MFA) for a new refresh token."
          : "check the authority and the network, then run doctor again.",
    });
    for (const [id, title] of REST.slice(1)) checks.push({ id, title, verdict: "skip", detail: "no token" });
    return;
  }
  const tokenCheck: Check = {
    id: "token",
    title: "token",
    verdict: "ok",
    detail: describeToken(token, deps.now()),
  };
  if (/expired/.test(tokenCheck.detail)) {
    tokenCheck.verdict = "fail";
    tokenCheck.next =
      "set a fresh partnercenter:accessToken, or unset it and use the refresh token (partner-center login).";
  }
  checks.push(tokenCheck);

  // Partner Center access: one customer page.
  const pc = await get(`${settings.endpoint}/v1/customers?size=10`, token);
  const pcCode = String(((pc.json ?? {}) as { code?: unknown }).code ?? "");
  const items = pc.status === 200 ? itemsOf(pc.json) : [];
  if (pc.status === 200) {
    checks.push({
      id: "partnerCenter",
      title: "Partner Center access",
      verdict: "ok",
      detail: `the first customer page answered (${items.length} customer(s)).`,
    });
  } else if (pc.status === 401 && pcCode === "900421") {
    tokenCheck.verdict = "fail";
    tokenCheck.detail = "the token was obtained without MFA: Partner Center answers 401 code 900421.";
    tokenCheck.next =
      "run partner-center login --to-stack STACK and sign in with multi-factor authentication.";
    checks.push({
      id: "partnerCenter",
      title: "Partner Center access",
      verdict: "fail",
      detail: "HTTP 401 code 900421 (MFA required).",
      next: tokenCheck.next,
    });
  } else if (pc.status === 403) {
    checks.push({
      id: "partnerCenter",
      title: "Partner Center access",
      verdict: "fail",
      detail: `HTTP 403${pcCode ? ` code ${pcCode}` : ""}: the user may not read customers.`,
      next: "give the signed-in user the Admin agent role in Partner Center (Account settings > User management), then log in again.",
    });
  } else if (pc.status === 429) {
    checks.push({
      id: "partnerCenter",
      title: "Partner Center access",
      verdict: "warn",
      detail: `throttled now (HTTP 429, Retry-After ${pc.retryAfter ?? "?"}).`,
      next: "run doctor again later; see throttle headroom.",
    });
  } else {
    checks.push({
      id: "partnerCenter",
      title: "Partner Center access",
      verdict: "fail",
      detail: `the customer list answered HTTP ${pc.status}${pcCode ? ` code ${pcCode}` : ""}.`,
      next: `check ${settingName("endpoint")}.`,
    });
  }

  // Graph: a token for Graph (the consent), then one page of relationships (the role).
  const graphVerdict: Verdict = graphRequired ? "fail" : "warn";
  let graphList: unknown[] | undefined;
  try {
    const gt = await auth.token(undefined, graphAudienceOf(settings));
    const g = await get(`${graphEndpoint}/v1.0/tenantRelationships/delegatedAdminRelationships?$top=10`, gt);
    const gerr = ((g.json ?? {}) as { error?: { code?: unknown } }).error;
    if (g.status === 200) {
      graphList = Array.isArray((g.json as { value?: unknown })?.value)
        ? (g.json as { value: unknown[] }).value
        : [];
      checks.push({
        id: "graph",
        title: "Graph consent",
        verdict: "ok",
        detail: `Graph answered the GDAP list (${graphList.length} relationship(s) on the first page).`,
      });
    } else if (g.status === 403) {
      checks.push({
        id: "graph",
        title: "Graph consent",
        verdict: graphVerdict,
        detail: `Graph answered 403${typeof gerr?.code === "string" ? ` (${gerr.code})` : ""}: the consent lacks DelegatedAdminRelationship.ReadWrite.All, or the user lacks a Graph role. Not the same as an empty list.`,
        next: "grant the app DelegatedAdminRelationship.ReadWrite.All (admin consent), then run partner-center login --graph.",
      });
    } else {
      checks.push({
        id: "graph",
        title: "Graph consent",
        verdict: graphVerdict,
        detail: `the GDAP list answered HTTP ${g.status}${typeof gerr?.code === "string" ? ` (${gerr.code})` : ""}.`,
        next: `check ${settingName("authority")} and partnercenter:graphEndpoint.`,
      });
    }
  } catch (e) {
    checks.push({
      id: "graph",
      title: "Graph consent",
      verdict: graphVerdict,
      detail: `no Graph token: ${e instanceof Error ? e.message : String(e)}`,
      next: "grant the app DelegatedAdminRelationship.ReadWrite.All (admin consent), then run partner-center login --graph.",
    });
  }

  // The Admin agent role, as far as reads can tell.
  if (pc.status === 403) {
    checks.push({
      id: "adminAgent",
      title: "Admin agent role",
      verdict: "fail",
      detail: "Partner Center refused the customer list.",
      next: "add the user to Admin agents (Partner Center > Account settings > User management).",
    });
  } else if (graphList === undefined) {
    checks.push({
      id: "adminAgent",
      title: "Admin agent role",
      verdict: "skip",
      detail: "needs an answered Graph list.",
    });
  } else if (graphList.length === 0 && items.length > 0) {
    checks.push({
      id: "adminAgent",
      title: "Admin agent role",
      verdict: "warn",
      detail:
        "Graph answered an empty GDAP list while Partner Center lists customers: no GDAP relationship exists yet, or the user is outside the Admin agents group (Graph then answers an empty list).",
      next: "if you have GDAP relationships, add the user to Admin agents and run login again.",
    });
  } else {
    checks.push({
      id: "adminAgent",
      title: "Admin agent role",
      verdict: "ok",
      detail:
        graphList.length > 0
          ? "Graph shows GDAP relationships to this user."
          : "no customers and no GDAP relationships to compare.",
    });
  }

  // Clock skew from the first Date header.
  const dated = answers.find((a) => a.date && !Number.isNaN(Date.parse(a.date)));
  if (!dated) {
    checks.push({
      id: "clockSkew",
      title: "clock skew",
      verdict: "skip",
      detail: "no answer carried a Date header.",
    });
  } else {
    const skew = Math.round((Date.parse(dated.date!) - deps.now()) / 1000);
    const abs = Math.abs(skew);
    const detail = `the service's clock is ${abs} s ${skew >= 0 ? "ahead of" : "behind"} this machine's.`;
    checks.push(
      abs > SKEW_FAIL_SECONDS
        ? {
            id: "clockSkew",
            title: "clock skew",
            verdict: "fail",
            detail,
            next: "synchronise this machine's clock (NTP): beyond five minutes, token times fall outside the usual validation tolerance.",
          }
        : abs > SKEW_WARN_SECONDS
          ? {
              id: "clockSkew",
              title: "clock skew",
              verdict: "warn",
              detail,
              next: "synchronise this machine's clock (NTP).",
            }
          : { id: "clockSkew", title: "clock skew", verdict: "ok", detail },
    );
  }

  // Throttle headroom.
  const throttled = answers.filter((a) => a.status === 429);
  const cap = settings.maxRequestsPerMinute;
  if (throttled.length > 0) {
    checks.push({
      id: "throttle",
      title: "throttle headroom",
      verdict: "warn",
      detail: `${throttled.length} of ${answers.length} sample request(s) answered 429: the partner's quota is in use now.`,
      next: `leave room: set ${settingName("maxRequestsPerMinute")} below ${DOCUMENTED_PER_MINUTE}, minus what other tools use.`,
    });
  } else if (cap !== undefined && cap > DOCUMENTED_PER_MINUTE) {
    checks.push({
      id: "throttle",
      title: "throttle headroom",
      verdict: "warn",
      detail: `${settingName("maxRequestsPerMinute")} is ${cap}, above the documented ${DOCUMENTED_PER_MINUTE} a minute: the cap will not hold the rate below the limit.`,
      next: `set it to at most ${DOCUMENTED_PER_MINUTE}, minus what other tools use.`,
    });
  } else {
    checks.push({
      id: "throttle",
      title: "throttle headroom",
      verdict: "ok",
      detail: `no 429 in the sample; ${cap === undefined ? "no cap (adaptive pacing)" : `capped at ${cap} a minute`}, ${settings.maxConcurrency} in flight.`,
    });
  }

  // Contract drift: a sample of real answers against the client's schemas.
  checks.push(await driftCheck(settings, token, items, get));
}

/** What can be read from the token itself: a JWT's expiry; an opaque token says nothing. */
function describeToken(token: string, now: number): string {
  const parts = token.split(".");
  if (parts.length === 3) {
    try {
      const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as {
        exp?: unknown;
        amr?: unknown;
      };
      if (typeof claims.exp === "number") {
        const left = Math.round(claims.exp - now / 1000);
        const mfa = Array.isArray(claims.amr)
          ? claims.amr.includes("mfa")
            ? ", signed in with MFA"
            : ", amr has no mfa"
          : "";
        return left <= 0
          ? `the access token expired ${-left} s ago.`
          : `a Partner Center token was issued; it expires in ${Math.round(left / 60)} min${mfa}.`;
      }
    } catch {
      // Not a JWT after all: say nothing about it.
    }
  }
  return "a Partner Center token was issued (opaque: its expiry is not readable).";
}

function itemsOf(json: unknown): unknown[] {
  const n = normalizeKeys(json) as { items?: unknown } | undefined;
  return Array.isArray(n?.items) ? n.items : [];
}

/** Unknown and missing fields of the sample, against the schemas and the documented fields. */
async function driftCheck(
  settings: Settings,
  token: string,
  customers: unknown[],
  get: (url: string, token: string) => Promise<RawAnswer>,
): Promise<Check> {
  const findings: string[] = [];
  let sampled = 0;
  const inspect = (kind: string, schema: z.ZodObject, item: unknown) => {
    sampled++;
    const n = normalizeKeys(item);
    if (n === null || typeof n !== "object" || Array.isArray(n)) {
      findings.push(`${kind}: not an object`);
      return;
    }
    const known = new Set(
      [...Object.keys(schema.shape), ...(DOCUMENTED[kind] ?? [])].map((k) => k.toLowerCase()),
    );
    for (const k of Object.keys(n))
      if (!known.has(k.toLowerCase())) findings.push(`${kind}: unknown field ${k}`);
    const parsed = schema.safeParse(n);
    if (!parsed.success) {
      for (const i of parsed.error.issues)
        findings.push(
          `${kind}: ${i.path.join(".") || "(root)"} ${i.code === "invalid_type" && (n as Record<string, unknown>)[String(i.path[0])] === undefined ? "missing" : "unexpected"}`,
        );
    }
  };
  for (const c of customers.slice(0, 10)) inspect("customer", customerSchema, c);
  // Up to three reseller customers, until one has subscriptions to sample.
  const resellers = customers
    .map((c) => normalizeKeys(c) as { id?: unknown; relationshipToPartner?: unknown })
    .filter((c) => typeof c?.id === "string" && String(c.relationshipToPartner).toLowerCase() === "reseller")
    .slice(0, 3);
  for (const reseller of resellers) {
    const base = `${settings.endpoint}/v1/customers/${encodeURIComponent(reseller.id as string)}`;
    const subs = await get(`${base}/subscriptions`, token);
    const subItems = subs.status === 200 ? itemsOf(subs.json) : [];
    for (const s of subItems.slice(0, 10)) inspect("subscription", subscriptionSchema, s);
    const ents = await get(`${base}/entitlements`, token);
    if (ents.status === 200)
      for (const e of itemsOf(ents.json).slice(0, 10)) inspect("entitlement", entitlementSchema, e);
    if (subItems.length > 0) break;
  }
  const unique = [...new Set(findings)];
  if (sampled === 0)
    return {
      id: "contractDrift",
      title: "contract drift",
      verdict: "skip",
      detail: "no answer to sample (no customers).",
    };
  if (unique.length === 0)
    return {
      id: "contractDrift",
      title: "contract drift",
      verdict: "ok",
      detail: `${sampled} sampled object(s) match the client's schemas.`,
    };
  // Drift is reported, never failed on: the first real run learns it here instead of mid-removal.
  return {
    id: "contractDrift",
    title: "contract drift",
    verdict: "warn",
    detail: `${sampled} sampled object(s): ${unique.slice(0, 12).join("; ")}${unique.length > 12 ? `; and ${unique.length - 12} more` : ""}.`,
    next: "report it with this output (no secrets in it): an unknown field is harmless; a missing or unexpected one may fail a run.",
  };
}
