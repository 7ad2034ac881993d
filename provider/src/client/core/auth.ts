/**
 * Access tokens. `accessToken` is used as it is. Otherwise the Secure Application Model's refresh-token grant
 * (docs/design/partner-center-contract.md#authentication): `POST {authority}/{tenantId}/oauth2/token`, form-encoded
 * `grant_type=refresh_token&client_id&client_secret&refresh_token&resource=https://api.partnercenter.microsoft.com`.
 *
 * One token request at a time for all callers (single flight); the token is cached until shortly before it
 * expires; a rotated refresh token is kept in memory; every token is registered with `registerSecret`.
 */
import { request, type Dispatcher } from "undici";
import { z } from "zod";
import {
  AuthenticationError,
  ConnectionError,
  MfaRequiredError,
  redact,
  redactAndTruncate,
  registerSecret,
} from "../../errors";
import { assertCredentials, settingName, type Settings } from "../../settings";
import { retry } from "./wait";

/** The resource the token is for (the v1 endpoint's `resource` parameter). */
export const PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com";

/** Token options, with defaults. */
export interface AuthOptions {
  /** Renew this long before expiry at most (default 5 minutes)... */
  renewBeforeMs: number;
  /** ...or this fraction of the lifetime when that is shorter (default 0.1), so short-lived tokens are reused. */
  renewBeforeFraction: number;
  /** Timeout of one token request (default 30 s). */
  timeoutMs: number;
  /** Attempts on 5xx and connection errors (default 3). Refused grants are never retried. */
  maxAttempts: number;
  /** Base of the backoff between attempts (default 500 ms). */
  baseDelayMs: number;
  /**
   * The shortest lifetime a token is cached for (default 60 s). An authority that answers `expires_in` 0,
   * negative or tiny would otherwise cause one token request per API request; a token that really expired
   * sooner is caught by Partner Center's 401, which invalidates it and asks once for a new one.
   */
  minLifetimeMs: number;
  /**
   * How long a token request that failed for good (every attempt timed out or was refused, or the grant was
   * refused) is remembered (default 5 minutes): the callers that follow get the same error at once instead
   * of each waiting out the same dead endpoint again. A hanging endpoint costs one deadline per hold, not
   * one per caller or per batch.
   */
  failureHoldMs: number;
}

export const DEFAULT_AUTH: AuthOptions = {
  renewBeforeMs: 5 * 60_000,
  renewBeforeFraction: 0.1,
  timeoutMs: 30_000,
  maxAttempts: 3,
  baseDelayMs: 500,
  minLifetimeMs: 60_000,
  failureHoldMs: 5 * 60_000,
};

/** The errors a token source threw because it could not get a token (not a Partner Center answer). */
const tokenFailures = new WeakSet<object>();

/**
 * True for an error thrown because no access token could be had: the token endpoint unreachable, hanging or
 * refusing the grant (also when a held failure is given again). Every later call needs a token too, so a
 * batch command stops at the first one.
 */
export function isTokenFailure(e: unknown): boolean {
  return typeof e === "object" && e !== null && tokenFailures.has(e);
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  // Entra's v1 endpoint sends expires_in as a string of seconds.
  expires_in: z.union([
    z.number(),
    z
      .string()
      .regex(/^\s*-?\d+(\.\d+)?\s*$/)
      .transform(Number),
  ]),
  token_type: z.string().nullish(),
  refresh_token: z.string().nullish(),
});

/** What an HTTP header value may hold for a bearer token (RFC 6750 b64token, with some slack): no CR, LF or controls. */
export function isSendableToken(token: string): boolean {
  return /^[\x21-\x7e]+$/.test(token);
}

const tokenError = z.object({ error: z.string().nullish(), error_description: z.string().nullish() });

const CHECK_SETTINGS = `Check ${settingName("tenantId")}, ${settingName("clientId")}, ${settingName("clientSecret")} and ${settingName("refreshToken")}: the refresh token must come from the Secure Application Model consent for this app registration in the partner tenant, and must not be expired or revoked.`;

/** Gives access tokens for Partner Center calls. */
export class TokenSource {
  private readonly settings: Settings;
  private readonly dispatcher: Dispatcher;
  private readonly userAgent: string;
  private readonly o: AuthOptions;
  private refreshToken: string | undefined;
  // GDAP: tokens and token requests keyed by resource (Partner Center, Microsoft Graph).
  private readonly cached = new Map<string, { token: string; renewAt: number }>();
  private readonly inflight = new Map<string, Promise<string>>();
  /** The last failure per resource, given again to callers until `until`. */
  private readonly failed = new Map<string, { error: Error; until: number }>();
  /** Token requests sent (attempts included). */
  requests = 0;

  constructor(
    settings: Settings,
    dispatcher: Dispatcher,
    userAgent: string,
    options: Partial<AuthOptions> = {},
  ) {
    this.settings = settings;
    this.dispatcher = dispatcher;
    this.userAgent = userAgent;
    this.o = { ...DEFAULT_AUTH, ...options };
    this.refreshToken = settings.refreshToken;
  }

  /** False when a fixed access token is configured: a 401 cannot be cured by asking again. */
  get renewable(): boolean {
    return !this.settings.accessToken;
  }

  /**
   * A valid access token. Throws ConfigurationError when the credentials are incomplete,
   * AuthenticationError (or MfaRequiredError) when the grant is refused.
   */
  async token(signal?: AbortSignal, resource: string = PARTNER_CENTER_RESOURCE): Promise<string> {
    // GDAP: a fixed access token is a Partner Center token; Graph always uses the grant.
    if (this.settings.accessToken && resource === PARTNER_CENTER_RESOURCE) return this.settings.accessToken;
    assertCredentials(this.settings);
    const cached = this.cached.get(resource);
    if (cached && Date.now() < cached.renewAt) return cached.token;
    const failed = this.failed.get(resource);
    if (failed && Date.now() < failed.until) throw failed.error;
    let inflight = this.inflight.get(resource);
    if (!inflight) {
      inflight = this.fetchToken(resource)
        .then(
          (token) => {
            this.failed.delete(resource);
            return token;
          },
          (e: unknown) => {
            if (e instanceof Error) {
              tokenFailures.add(e);
              if (this.o.failureHoldMs > 0)
                this.failed.set(resource, { error: e, until: Date.now() + this.o.failureHoldMs });
            }
            throw e;
          },
        )
        .finally(() => this.inflight.delete(resource));
      this.inflight.set(resource, inflight);
    }
    // One caller giving up must not cancel the request the others share.
    return signal ? abortable(inflight, signal) : inflight;
  }

  /** Forgets `token` after Partner Center refused it (HTTP 401), so that the next call gets a new one. */
  invalidate(token: string): void {
    for (const [resource, c] of this.cached) if (c.token === token) this.cached.delete(resource);
  }

  /**
   * GDAP: this source as a Transport for another resource (Microsoft Graph) sees it: the same
   * credentials, rotated refresh token and cache, its token requested with `resource=<resource>` (v1), or
   * `scope=<resource>` on the v2 endpoint when it ends with `/.default`.
   */
  forResource(resource: string): TokenSource {
    const view = Object.create(this) as TokenSource;
    view.token = (signal?: AbortSignal) => this.token(signal, resource);
    Object.defineProperty(view, "renewable", { get: () => true });
    return view;
  }

  private async fetchToken(resource: string): Promise<string> {
    const { authority, tenantId, clientId, clientSecret } = this.settings;
    // A scope ending in /.default asks the v2 endpoint with `scope=` ("Microsoft identity platform and OAuth 2.0
    // authorization code flow", "Refresh the access token"); anything else the v1 endpoint with `resource=`.
    const v2 = resource.endsWith("/.default");
    const url = `${authority}/${encodeURIComponent(tenantId ?? "")}/oauth2/${v2 ? "v2.0/" : ""}token`;
    const operation = `POST ${new URL(url).pathname}`;
    const form = new URLSearchParams({ grant_type: "refresh_token", client_id: clientId ?? "" });
    if (clientSecret) form.set("client_secret", clientSecret);
    form.set("refresh_token", this.refreshToken ?? "");
    form.set(v2 ? "scope" : "resource", resource);

    return retry<string>(async (attempt) => {
      this.requests++;
      const started = Date.now();
      let status: number;
      let text: string;
      try {
        const res = await request(url, {
          dispatcher: this.dispatcher,
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json",
            "user-agent": this.userAgent,
          },
          body: form.toString(),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        status = res.statusCode;
        text = await readText(res.body, 256 * 1024);
      } catch (e) {
        if (attempt < this.o.maxAttempts) return { again: true, afterMs: this.backoff(attempt) };
        throw new ConnectionError(`Could not reach the token endpoint ${authority}.`, {
          operation,
          action: `Check network access to ${authority} and ${settingName("authority")}, then retry.`,
          cause: e,
        });
      }
      if (status >= 500 && attempt < this.o.maxAttempts) {
        return { again: true, afterMs: this.backoff(attempt) };
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (status >= 200 && status < 300) {
        const ok = tokenResponse.safeParse(json);
        if (!ok.success) {
          throw new AuthenticationError("The token endpoint answered without a usable access token.", {
            status,
            operation,
            action: `Check ${settingName("authority")}: it must be the Microsoft Entra authority (default https://login.microsoftonline.com).`,
          });
        }
        const { access_token, expires_in, refresh_token } = ok.data;
        registerSecret(access_token);
        if (!isSendableToken(access_token)) {
          throw new AuthenticationError(
            "The token endpoint answered with an access token that cannot be sent in an HTTP header (it holds spaces or control characters such as CR/LF).",
            {
              status,
              operation,
              action: `Check ${settingName("authority")}: it must be the Microsoft Entra authority (default https://login.microsoftonline.com).`,
            },
          );
        }
        if (refresh_token) {
          registerSecret(refresh_token);
          this.refreshToken = refresh_token; // Entra may rotate it; the new one replaces the old in memory.
        }
        const lifetimeMs = Math.max(
          this.o.minLifetimeMs,
          Number.isFinite(expires_in) ? expires_in * 1000 : 0,
        );
        const early = Math.min(this.o.renewBeforeMs, lifetimeMs * this.o.renewBeforeFraction);
        this.cached.set(resource, { token: access_token, renewAt: started + lifetimeMs - early });
        return { done: access_token };
      }
      const err = tokenError.safeParse(json);
      const code = err.success ? (err.data.error ?? undefined) : undefined;
      // The first line of error_description ("AADSTS70000: ...") says why; the rest is trace ids. Redacted
      // before it is cut, so that an echoed secret cut at a line break or the length bound is still caught.
      const full = err.success ? err.data.error_description : undefined;
      const description = full ? redactAndTruncate(redact(full).split(/\r?\n/)[0] ?? "", 500) : undefined;
      const ctx = {
        status,
        partnerCenterCode: code,
        partnerCenterDescription: description,
        operation,
      };
      if (/AADSTS50076|AADSTS50079|AADSTS50158|multi-factor/i.test(description ?? "")) {
        throw new MfaRequiredError(ctx);
      }
      throw new AuthenticationError(
        `The token endpoint refused the refresh-token grant${code ? ` (${code})` : ""}.`,
        { ...ctx, action: CHECK_SETTINGS },
      );
    });
  }

  /** The pause before token request `attempt + 1`: doubling from `baseDelayMs`. */
  private backoff(attempt: number): number {
    return this.o.baseDelayMs * 2 ** (attempt - 1);
  }
}

/** Reads a small body as text, stopping at `cap` bytes. */
async function readText(body: AsyncIterable<Buffer> & { destroy(): unknown }, cap: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > cap) {
      body.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** `p`, or a rejection with the signal's reason when it aborts first. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
