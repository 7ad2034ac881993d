/**
 * The Partner Center client: one instance per process and settings ({@link getSharedClient}), shared by every
 * resource, so that all of them share one connection pool, one token and one limiter.
 */
import { createHash } from "node:crypto";
import { Agent, type Dispatcher } from "undici";
import type { Settings } from "../settings";
import { TokenSource, type AuthOptions } from "./core/auth";
import { customersApi } from "./resources/customers";
import { entitlementsApi } from "./resources/entitlements";
import { Limiter, type PacingOptions, type PacingSnapshot } from "./core/pacing";
import { relationshipRequestsApi } from "./resources/relationship-requests";
import { subscriptionsApi } from "./resources/subscriptions";
import { Transport, USER_AGENT, type ListLimits, type RetryOptions } from "./core/transport";

export { DEFAULT_PACING, type Clock, type PacingOptions, type PacingSnapshot } from "./core/pacing";
export {
  DEFAULT_LIST_LIMITS,
  DEFAULT_RETRY,
  MAX_BODY_BYTES,
  USER_AGENT,
  type ListLimits,
  type RetryOptions,
} from "./core/transport";
export { DEFAULT_AUTH, type AuthOptions } from "./core/auth";
export type { RequestOptions, SentIds } from "./core/transport";
export type { Customer } from "./resources/customers";
export type { Entitlement } from "./resources/entitlements";
export type { AzureEntitlement, Subscription } from "./resources/subscriptions";

/** Counters for benchmarks and tests. */
export interface ClientStats {
  /** Requests sent to Partner Center, retries included (token requests not). */
  requests: number;
  /** HTTP 429 answers received. */
  responses429: number;
  /** Attempts after the first, including the one after a 401 with a renewed token. */
  retries: number;
  /** Token requests sent to the authority. */
  tokenRequests: number;
}

/** Options of {@link PartnerCenterClient}. */
export interface ClientOptions {
  retry?: Partial<RetryOptions>;
  /** Pacing; `maxConcurrency` and `maxRequestsPerMinute` default to the settings. */
  pacing?: Partial<PacingOptions>;
  auth?: Partial<AuthOptions>;
  /** An undici dispatcher to use instead of the client's own Agent (MockAgent in tests). Not closed by close(). */
  dispatcher?: Dispatcher;
  /** Receives one line per retry; never headers, tokens or bodies. */
  logger?: (line: string) => void;
  /** Bounds of one list (items and bytes across its pages); DEFAULT_LIST_LIMITS by default. */
  limits?: Partial<ListLimits>;
}

/** The Partner Center REST client. */
export class PartnerCenterClient {
  readonly customers: ReturnType<typeof customersApi>;
  readonly subscriptions: ReturnType<typeof subscriptionsApi>;
  readonly entitlements: ReturnType<typeof entitlementsApi>;
  readonly relationshipRequests: ReturnType<typeof relationshipRequestsApi>;
  private readonly transport: Transport;
  private readonly auth: TokenSource;
  private readonly limiter: Limiter;
  private readonly agent: Agent | undefined;
  /** GDAP: what {@link PartnerCenterClient.graphParts} hands to the Microsoft Graph client. */
  private readonly parts: { settings: Settings; dispatcher: Dispatcher; options: ClientOptions };

  constructor(settings: Settings, options: ClientOptions = {}) {
    // One pool per client, keep-alive, its connections bounded like the requests in flight.
    this.agent = options.dispatcher
      ? undefined
      : new Agent({
          connections: settings.maxConcurrency,
          keepAliveTimeout: 30_000,
          connect: { timeout: 30_000 },
        });
    const dispatcher = options.dispatcher ?? (this.agent as Agent);
    this.parts = { settings, dispatcher, options };
    this.auth = new TokenSource(settings, dispatcher, USER_AGENT, options.auth);
    this.limiter = new Limiter({
      maxConcurrency: settings.maxConcurrency,
      maxRequestsPerMinute: settings.maxRequestsPerMinute,
      ...(options.logger ? { log: options.logger } : {}),
      ...options.pacing,
    });
    this.transport = new Transport(settings, dispatcher, this.auth, this.limiter, {
      retry: options.retry,
      logger: options.logger,
      limits: options.limits,
    });
    this.customers = customersApi(this.transport);
    this.subscriptions = subscriptionsApi(this.transport);
    this.entitlements = entitlementsApi(this.transport);
    this.relationshipRequests = relationshipRequestsApi(this.transport);
  }

  /** Counters since the client was created. */
  stats(): ClientStats {
    return { ...this.transport.counters, tokenRequests: this.auth.requests };
  }

  /** The limiter's state: rates, gates, requests in flight and queued. */
  pacing(): PacingSnapshot {
    return this.limiter.snapshot();
  }

  /**
   * GDAP: what a Microsoft Graph client shares with this one (gdap/graph.ts): the connection pool,
   * the token source (its Graph token cached next to the Partner Center one), the settings and options.
   */
  graphParts(): { settings: Settings; dispatcher: Dispatcher; auth: TokenSource; options: ClientOptions } {
    return { ...this.parts, auth: this.auth };
  }

  /** Closes the client's own connection pool (not an injected dispatcher). */
  async close(): Promise<void> {
    for (const [k, c] of shared) if (c === this) shared.delete(k);
    await this.agent?.close();
  }
}

const shared = new Map<string, PartnerCenterClient>();

/** The key of a settings object: a SHA-256 of all of it, secrets included, so the secrets are never kept in clear. */
function settingsKey(settings: Settings): string {
  const sorted = Object.keys(settings)
    .sort()
    .map((k) => [k, settings[k as keyof Settings] ?? null]);
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

/**
 * The process-wide client for these settings: every resource of a provider process shares one dispatcher,
 * one token and one limiter. Distinct settings (another endpoint or credentials) get distinct clients.
 */
export function getSharedClient(settings: Settings, options?: ClientOptions): PartnerCenterClient {
  const key = settingsKey(settings);
  let c = shared.get(key);
  if (!c) {
    c = new PartnerCenterClient(settings, options);
    shared.set(key, c);
  }
  return c;
}

/** Closes every shared client (tests, and CLIs that want to exit promptly). */
export async function closeSharedClients(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map((c) => c.close()));
}
