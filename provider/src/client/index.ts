/**
 * The Partner Center client: one instance per process and settings ({@link getSharedClient}), shared by every
 * resource, so that all of them share one connection pool, one token and one limiter.
 */
import { createHash } from "node:crypto";
import { Agent, type Dispatcher } from "undici";
import type { Settings } from "../settings";
import { TokenSource, type AuthOptions } from "./auth";
import { customersApi } from "./customers";
import { entitlementsApi } from "./entitlements";
import { Limiter, type PacingOptions, type PacingSnapshot } from "./pacing";
import { relationshipRequestsApi } from "./relationship-requests";
import { subscriptionsApi } from "./subscriptions";
import { Transport, USER_AGENT, type ListLimits, type RetryOptions } from "./transport";

export { DEFAULT_PACING, type Clock, type PacingOptions, type PacingSnapshot } from "./pacing";
export {
  DEFAULT_LIST_LIMITS,
  DEFAULT_RETRY,
  MAX_BODY_BYTES,
  USER_AGENT,
  type ListLimits,
  type RetryOptions,
} from "./transport";
export { DEFAULT_AUTH, type AuthOptions } from "./auth";

/** A customer as the client returns it (already validated and normalised). */
export interface Customer {
  /** Customer tenant id, lower-case. "" when the service returned null (the PATCH response). */
  id: string;
  companyName: string | undefined;
  domain: string | undefined;
  /** Lower-cased: "none" | "reseller" | "advisor" | "syndication" | "microsoft_support" | other. */
  relationshipToPartner: string;
}

export interface Subscription {
  id: string;
  offerName: string | undefined;
  friendlyName: string | undefined;
  /** Lower-cased status: active, suspended, deleted, expired, pending, disabled, none... */
  status: string;
  /**
   * `attributes.etag` (ResourceAttributes), the only place Microsoft documents a subscription's etag; undefined
   * when there is none, as in every new-commerce example ("Get a customer's subscriptions", "Subscription
   * resources"). Sent back, quoted, in If-Match.
   */
  etag: string | undefined;
  /** Lower-cased billingType as sent ("license", "usage"...), undefined when absent. */
  billingType: string | undefined;
  /**
   * True when the offer is new-commerce: a heuristic (productType mentions NCE, or the offer id has the new
   * catalog's `PRODUCT:SKU` form); false for a legacy offer and for the Azure plan; undefined when unknown.
   */
  isNewCommerce?: boolean | undefined;
  /** True when this is an Azure plan subscription (the Azure plan product, or offer "Azure plan"). */
  isAzurePlan?: boolean | undefined;
  /**
   * What a subscription of productType `Azure` is: Azure plans, Azure savings plans and Azure reservations all
   * carry that product type ("Purchase Azure savings plans"), so it is told apart by the offer and billing
   * type; `undetermined` when the data does not say. Undefined for other product types.
   */
  azureKind?: "plan" | "savingsPlan" | "reservation" | "undetermined" | undefined;
  /** productType.id as sent ("OnlineServicesNCE", "Software", "Azure"...), undefined when absent. */
  productType?: string | undefined;
  /** ISO 8601 term ("P1M", "P1Y"), as sent. */
  termDuration?: string | undefined;
  /** End of the current term, ISO date-time as sent. */
  commitmentEndDate?: string | undefined;
  /** New commerce: the last date it can be cancelled (null/absent: it cannot be, "Subscription resources"). */
  cancellationAllowedUntilDate?: string | undefined;
  autoRenewEnabled?: boolean | undefined;
  /** The whole resource as received (keys as sent), for the suspend PATCH which needs the full Subscription. */
  raw: Record<string, unknown>;
}

export interface Entitlement {
  /** As sent, e.g. "software", "reservedInstance", "VirtualMachineReservedInstance". */
  entitlementType: string;
  /** referenceOrder.id, or productId when there is none. */
  id: string;
  productId: string | undefined;
  skuId: string | undefined;
  /** fulfillmentState or the first quantityDetails status, lower-cased; "" when unknown. */
  status: string;
  /** `expiryDate` (read with `showExpiry=true`), as sent; undefined when the service gave none. */
  expiryDate?: string | undefined;
  /** `quantityDetails` as sent (status lower-cased), undefined when absent. */
  quantityDetails?: { quantity: number | undefined; status: string }[] | undefined;
}

/** An Azure subscription under an Azure plan. */
export interface AzureEntitlement {
  id: string;
  friendlyName: string | undefined;
  /** Lower-cased, e.g. "active". */
  status: string;
  subscriptionId: string | undefined;
}

/** Options for one logical request. */
export interface RequestOptions {
  /** Cancels the request and its retries. */
  signal?: AbortSignal;
  /** MS-RequestId to use (fixed across retries). A new GUID when absent. For a list: its first page. */
  requestId?: string;
  /**
   * AUDIT HOOK (issue 17): receives the MS-RequestId and MS-CorrelationId of each attempt this request sends
   * (the correlation id is new for every call; the last one names the attempt whose answer counted).
   */
  onIds?: (ids: SentIds) => void;
}

/** The ids a request sent: what the audit trail records for each write. */
export interface SentIds {
  requestId: string;
  correlationId: string;
}

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
  /** GDAP (issue 16): what {@link PartnerCenterClient.graphParts} hands to the Microsoft Graph client. */
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
    this.parts = { settings, dispatcher, options }; // GDAP (issue 16)
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
   * GDAP (issue 16): what a Microsoft Graph client shares with this one (gdap/graph.ts): the connection pool,
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
