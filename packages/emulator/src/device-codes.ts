/**
 * The device authorization grant (OAuth 2.0, RFC 8628) as the Microsoft identity platform serves it ("Microsoft
 * identity platform and the OAuth 2.0 device authorization grant flow",
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code):
 * - `POST /{tenant}/oauth2/v2.0/devicecode`, form `client_id`, `scope` (space-separated) answers `device_code`,
 *   `user_code`, `verification_uri`, `expires_in` (900 by default), `interval` and `message`.
 * - `POST /{tenant}/oauth2/v2.0/token` with `grant_type=urn:ietf:params:oauth:grant-type:device_code`,
 *   `client_id` and `device_code` answers 400 `authorization_pending` until the user signs in,
 *   `authorization_declined`, `bad_verification_code` or `expired_token`; then the tokens. A refresh token only
 *   when `offline_access` was asked for.
 * - `slow_down` is RFC 8628 section 3.5 (the Microsoft page does not list it): polled sooner than `interval`.
 *
 * - Scopes of more than one resource: Entra takes the device-code request and the user's sign-in, then answers
 *   the poll with AADSTS28000 ("Provided value for the input parameter scope is not valid because it contains
 *   more than one resource"), as reported on the page's own feedback thread (MicrosoftDocs/azure-docs issue
 *   42565, "Authorizing multiple scopes"). A token is for one resource ("Resources and scopes", MSAL.js:
 *   "When you have to access multiple resources, initiate a separate token request for each",
 *   https://learn.microsoft.com/entra/msal/javascript/browser/resources-and-scopes).
 *
 * No browser here: the admin API approves, declines or expires a pending code (admin/routes.ts), so tests drive
 * the whole flow. The consent given is kept with the refresh tokens it leads to, so a later refresh-token grant
 * for a resource nobody consented to is refused (AADSTS65001), as Entra does, unless an administrator granted
 * consent for the app tenant-wide (the admin API's `POST /_emulator/consent`, the portal's "Grant admin consent").
 */
import { randomBytes } from "node:crypto";
import { aadError, missingParameter, type ApiResult } from "./results";

/** `grant_type` of the device-code grant at the token endpoint. */
export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** OpenID Connect scopes: they name no resource. */
const OIDC = new Set(["openid", "profile", "email", "offline_access"]);

/**
 * The resources a scope list names (its scopes without the OpenID ones). A scope without a resource prefix
 * ("User.Read") is Microsoft Graph's ("Scopes and permissions in the Microsoft identity platform").
 */
export function resourcesOf(scopes: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of scopes) {
    if (OIDC.has(s.toLowerCase())) continue;
    const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]+)\//i.exec(s);
    out.add((m ? m[1]! : "https://graph.microsoft.com").toLowerCase());
  }
  return [...out];
}

/** Entra's answer to scopes of more than one resource (the error-code table names it InvalidMultipleResourcesScope). */
export function multipleResources(scopes: readonly string[]): ApiResult {
  return aadError(
    400,
    "invalid_scope",
    `AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scopes.join(" ")} is not valid.`,
  );
}

/** Where a device code stands. */
export type DeviceCodeStatus = "pending" | "approved" | "declined" | "expired" | "redeemed";

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  /** Scopes asked for, as sent. */
  scopes: string[];
  /** Scopes the user consented to (the ones asked for unless the approval said otherwise). */
  consented: string[];
  status: DeviceCodeStatus;
  expiresAt: number;
  interval: number;
  lastPoll: number;
  /** Answer the next poll with slow_down, whatever the timing (set by the admin API). */
  slowDownNext: boolean;
  polls: number;
}

/** What the admin API shows of a code: never the device code itself. */
export interface DeviceCodeView {
  userCode: string;
  clientId: string;
  scopes: string[];
  consented: string[];
  status: DeviceCodeStatus;
  polls: number;
  expiresInSeconds: number;
}

/** The device codes of one emulator, and the consent each refresh token carries. */
export class DeviceCodes {
  private readonly codes = new Map<string, DeviceCode>();
  /**
   * Refresh token → the scopes its user consented to. Only refresh tokens of a device-code sign-in (a public
   * client flow) are recorded; refresh tokens from other grants have none.
   */
  readonly consent = new Map<string, string[]>();
  /** Client id → the scopes an administrator consented to for the whole tenant. */
  readonly adminConsent = new Map<string, string[]>();

  reset(): void {
    this.codes.clear();
    this.consent.clear();
    this.adminConsent.clear();
  }

  /** "Grant admin consent" for an app's permissions, as the portal's API permissions page does. */
  grantAdminConsent(body: { clientId?: unknown; scopes?: unknown }): { clientId: string; scopes: string[] } {
    if (typeof body.clientId !== "string" || !body.clientId) throw new Error("clientId must be a string");
    if (!Array.isArray(body.scopes) || body.scopes.some((s) => typeof s !== "string"))
      throw new Error("scopes must be an array of strings");
    const scopes = [
      ...new Set([...(this.adminConsent.get(body.clientId) ?? []), ...(body.scopes as string[])]),
    ];
    this.adminConsent.set(body.clientId, scopes);
    return { clientId: body.clientId, scopes };
  }

  /** What a refresh token's user, or an administrator for its app, consented to; undefined for other grants. */
  consentOf(refreshToken: string, clientId: string): string[] | undefined {
    const user = this.consent.get(refreshToken);
    if (!user) return undefined;
    return [...new Set([...user, ...(this.adminConsent.get(clientId) ?? [])])];
  }

  list(): DeviceCodeView[] {
    const now = Date.now();
    return [...this.codes.values()].map((c) => ({
      userCode: c.userCode,
      clientId: c.clientId,
      scopes: [...c.scopes],
      consented: [...c.consented],
      status: this.statusOf(c, now),
      polls: c.polls,
      expiresInSeconds: Math.max(0, Math.round((c.expiresAt - now) / 1000)),
    }));
  }

  /**
   * The user's answer in the browser, by user code: `approve` (optionally consenting to fewer scopes than asked),
   * `decline`, `expire` (time runs out now) or `slowDown` (the next poll is answered slow_down).
   * @throws Error when no pending code has that user code.
   */
  act(userCode: string, action: string, body: { scopes?: unknown } = {}): DeviceCodeView {
    const c = [...this.codes.values()].find((x) => x.userCode.toLowerCase() === userCode.toLowerCase());
    if (!c) throw new Error(`no device code with user code "${userCode}"`);
    if (this.statusOf(c, Date.now()) !== "pending")
      throw new Error(`user code "${userCode}" is ${this.statusOf(c, Date.now())}, not pending`);
    switch (action) {
      case "approve": {
        if (body.scopes !== undefined) {
          if (!Array.isArray(body.scopes) || body.scopes.some((s) => typeof s !== "string"))
            throw new Error("scopes must be an array of strings");
          c.consented = [...(body.scopes as string[])];
        }
        c.status = "approved";
        break;
      }
      case "decline":
        c.status = "declined";
        break;
      case "expire":
        c.expiresAt = 0;
        break;
      case "slowdown":
        c.slowDownNext = true;
        break;
      default:
        throw new Error(`unknown action "${action}": approve, decline, expire or slowdown`);
    }
    return this.list().find((v) => v.userCode === c.userCode)!;
  }

  /** `POST /{tenant}/oauth2/v2.0/devicecode`. */
  start(form: URLSearchParams, expiresIn: number, interval: number): ApiResult {
    const clientId = form.get("client_id");
    if (!clientId) return missingParameter("client_id");
    const scope = form.get("scope");
    if (!scope) return missingParameter("scope");
    const scopes = scope.split(/\s+/).filter(Boolean);
    const deviceCode = `pcemu-dc-${randomBytes(24).toString("hex")}`;
    // Eight letters, as the documented examples show; no lookalike letters.
    const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    const userCode = Array.from(randomBytes(8), (b) => alphabet[b % alphabet.length]).join("");
    const now = Date.now();
    this.codes.set(deviceCode, {
      deviceCode,
      userCode,
      clientId,
      scopes,
      consented: [...scopes],
      status: "pending",
      expiresAt: now + expiresIn * 1000,
      interval,
      lastPoll: 0,
      slowDownNext: false,
      polls: 0,
    });
    const uri = "https://microsoft.com/devicelogin";
    return {
      status: 200,
      raw: true,
      body: {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: uri,
        expires_in: expiresIn,
        interval,
        message: `To sign in, use a web browser to open the page ${uri} and enter the code ${userCode} to authenticate.`,
      },
    };
  }

  /**
   * The device-code grant at the token endpoint: an error to answer, or the approved code's scopes and consent
   * (the caller issues the tokens).
   */
  redeem(form: URLSearchParams): ApiResult | { scopes: string[]; consented: string[] } {
    const clientId = form.get("client_id");
    const code = form.get("device_code");
    if (!clientId || !code) return missingParameter(clientId ? "device_code" : "client_id");
    const c = this.codes.get(code);
    if (!c || c.clientId !== clientId)
      return aadError(400, "bad_verification_code", "AADSTS70019: Verification code was not recognized.");
    const now = Date.now();
    c.polls++;
    const status = this.statusOf(c, now);
    if (status === "expired")
      return aadError(
        400,
        "expired_token",
        "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. The code has expired.",
      );
    if (status === "declined")
      return aadError(
        400,
        "authorization_declined",
        "AADSTS70000: The user denied the authorization request.",
      );
    if (status === "redeemed")
      return aadError(400, "invalid_grant", "AADSTS54005: The device code was already redeemed.");
    const early = c.lastPoll > 0 && now - c.lastPoll < c.interval * 1000;
    c.lastPoll = now;
    if (c.slowDownNext || early) {
      c.slowDownNext = false;
      // RFC 8628 3.5: the client adds 5 seconds to its interval from now on (the emulator checks only the first).
      return aadError(400, "slow_down", "AADSTS70016: Polling too fast: wait the interval between requests.");
    }
    if (status === "pending")
      return aadError(
        400,
        "authorization_pending",
        "AADSTS70016: The provided request has not yet been authorized by the user. The user must input their code.",
      );
    // Only now, once the user has signed in, as Entra does (see the top of this file).
    if (resourcesOf(c.scopes).length > 1) return multipleResources(c.scopes);
    c.status = "redeemed";
    return { scopes: c.scopes, consented: c.consented };
  }

  private statusOf(c: DeviceCode, now: number): DeviceCodeStatus {
    if ((c.status === "pending" || c.status === "approved") && now >= c.expiresAt) return "expired";
    return c.status;
  }
}
