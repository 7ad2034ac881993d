/**
 * The emulator's store (LocalStack's models): state apart from the routes that read and change it. The GDAP
 * relationships with their lifecycle (gdap-store.ts) and the device-code sign-ins (device-codes.ts) are parts of it.
 */
import { GRAPH_RESOURCE } from "./audience";
import { DEFAULT_CONFIG, mergeConfig, type EmulatorConfig } from "./config";
import type { RequestLogEntry } from "./context";
import {
  isGuid,
  normaliseEstate,
  type CustomerState,
  type EstateState,
  type SubscriptionState,
} from "./estate";
import { FaultQueue, seededRandom, type Fault } from "./faults";
import { pcError, type ApiResult } from "./results";
import { DeviceCodes } from "./device-codes";
import { GdapStore } from "./gdap-store";
import { FixedWindowThrottle } from "./throttle";

export type { RequestLogEntry } from "./context";

/** Counters since start or the last reset. */
export interface EmulatorCounters {
  /** API requests (token and admin calls excluded). */
  requests: number;
  /** API requests answered 429 (throttle and scripted 429s). */
  throttled: number;
  /** Calls to the token endpoint. */
  tokenRequests: number;
  /** Access tokens issued. */
  tokensIssued: number;
  /** PATCH requests that changed state (relationship removals plus subscription updates). */
  patchesApplied: number;
  relationshipsRemoved: number;
  subscriptionsUpdated: number;
  /** Repeated MS-RequestIds answered from the idempotency cache. */
  replays: number;
  /** Scripted faults that hit a request (token endpoint included). */
  faultsFired: number;
}

/** A snapshot of the emulator (a copy: changing it changes nothing). */
export interface EmulatorState {
  partnerTenantId: string;
  /** Every tenant of the estate, with its current relationship, subscriptions and entitlements. */
  customers: CustomerState[];
  counters: EmulatorCounters;
  /** Every access and refresh token issued and still known to the emulator (for leak checks in tests). */
  issuedTokens: string[];
  pendingFaults: { fault: Fault; remaining: number | null }[];
  config: EmulatorConfig;
}

export function zeroCounters(): EmulatorCounters {
  return {
    requests: 0,
    throttled: 0,
    tokenRequests: 0,
    tokensIssued: 0,
    patchesApplied: 0,
    relationshipsRemoved: 0,
    subscriptionsUpdated: 0,
    replays: 0,
    faultsFired: 0,
  };
}

/**
 * The store: the estate, run-time options, counters, request log, faults, tokens and throttle windows, and the
 * programmatic admin API over them (each method is the twin of an `/_emulator` route, admin/routes.ts). Routes
 * are given the store; they never see the app or the server.
 */
export class Store {
  readonly startConfig: EmulatorConfig;
  readonly startEstate: unknown;
  config: EmulatorConfig;
  estate: EstateState;
  log: RequestLogEntry[] = [];
  seq = 0;
  counters = zeroCounters();
  readonly faults = new FaultQueue();
  random: () => number;
  readonly throttle = new FixedWindowThrottle();
  /** Access token → when it expires (ms). */
  readonly accessTokens = new Map<string, number>();
  /** Resource (audience) → the access tokens issued for it ({@link tokensFor}). */
  private readonly audiences = new Map<string, Set<string>>();
  readonly refreshTokens = new Set<string>();
  issued: string[] = [];
  readonly idempotency = new Map<string, ApiResult>();
  /** Removed relationships still shown by GET until `until` (propagation), by customer id. */
  readonly propagating = new Map<string, { until: number; relationship: string }>();
  readonly closing = new AbortController();
  /** Pending delays, woken at once by {@link close}. */
  readonly sleepers = new Set<() => void>();
  /** Microsoft Graph's delegated admin relationships and their lifecycle (gdap-store.ts). */
  readonly gdap = new GdapStore(() => this.partnerTenantId(), this.tokensFor(GRAPH_RESOURCE));
  /** Device-code sign-ins (device-codes.ts), approved or declined through the admin API. */
  readonly deviceCodes = new DeviceCodes();

  constructor(
    config: EmulatorConfig,
    estate: unknown,
    readonly requestLogLimit = 100_000,
  ) {
    this.startConfig = config;
    this.config = config;
    this.startEstate = structuredClone(estate);
    this.estate = normaliseEstate(estate);
    this.random = seededRandom(config.seed);
  }

  // ---------------------------------------------------------------- programmatic admin API

  /** Replaces the estate (validated first: a bad estate changes nothing). */
  loadEstate(estate: unknown): void {
    this.estate = normaliseEstate(estate);
    this.idempotency.clear();
    this.propagating.clear();
  }

  /** A copy of the current state. */
  snapshot(): EmulatorState {
    return structuredClone({
      partnerTenantId: this.partnerTenantId(),
      customers: this.estate.customers,
      counters: this.counters,
      issuedTokens: this.issued,
      pendingFaults: this.faults.pending(),
      config: this.config,
    });
  }

  /** A copy of the request log. */
  requests(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  clearRequests(): void {
    this.log = [];
  }

  addFault(fault: Fault | readonly Fault[]): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** The customer accepts the reseller invitation: its relationship becomes `reseller`. */
  acceptInvitation(customerId: string): void {
    const c = this.find(customerId);
    if (!c)
      throw new Error(
        `acceptInvitation: no tenant "${customerId}" in the estate; add it with loadEstate first`,
      );
    c.relationshipToPartner = "reseller";
    c.removedAt = null;
    this.propagating.delete(c.id);
  }

  /** Changes run-time options; invalid ones throw and change nothing. */
  configure(partial: unknown): EmulatorConfig {
    const next = mergeConfig(this.config, partial);
    if (next.seed !== this.config.seed) this.random = seededRandom(next.seed);
    if (JSON.stringify(next.throttle) !== JSON.stringify(this.config.throttle)) this.throttle.reset();
    this.config = next;
    return structuredClone(next);
  }

  /** Every issued access token expires now (static tokens excepted); returns how many. */
  expireTokens(): number {
    const n = this.accessTokens.size;
    for (const t of this.accessTokens.keys()) this.accessTokens.set(t, 0);
    return n;
  }

  /**
   * Back to the start: estate and options as given to `startEmulator`, request log, faults, counters,
   * throttle windows and idempotency cache cleared. Issued tokens stay valid, so a client's cached token
   * keeps working from one test to the next.
   */
  reset(): void {
    this.estate = normaliseEstate(this.startEstate);
    this.config = this.startConfig;
    this.random = seededRandom(this.config.seed);
    this.log = [];
    this.counters = zeroCounters();
    this.faults.clear();
    this.throttle.reset();
    this.idempotency.clear();
    this.propagating.clear();
    this.gdap.reset();
    this.deviceCodes.reset();
  }

  /** Aborts pending delays (latency, slow faults, streaming) so the server can close at once. */
  close(): void {
    this.closing.abort();
    for (const wake of [...this.sleepers]) wake();
  }

  /** Waits, woken at once by {@link close}. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closing.signal.aborted) return Promise.resolve();
    // One shared set of sleepers, not one abort listener per request on the shared `closing` signal: under
    // load that is hundreds of listeners on one EventTarget and a MaxListenersExceededWarning.
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** The access tokens issued for `resource` (a live set: issuing adds to it). */
  tokensFor(resource: string): Set<string> {
    let set = this.audiences.get(resource);
    if (!set) this.audiences.set(resource, (set = new Set()));
    return set;
  }

  // ---------------------------------------------------------------- estate helpers

  partnerTenantId(): string {
    return this.config.partnerTenantId ?? this.estate.partnerTenantId;
  }

  find(id: string): CustomerState | undefined {
    const k = id.toLowerCase();
    return this.estate.customers.find((c) => c.id === k);
  }

  /** The customer if the partner has a relationship with it, else the error Partner Center answers. */
  related(id: string): CustomerState | ApiResult {
    if (!isGuid(id)) return pcError(400, 3000, `The customer tenant id '${id}' is not a GUID.`);
    const c = this.find(id);
    if (!c) return pcError(404, 60003, `Tenant ${id.toLowerCase()} was not found.`);
    if (c.relationshipToPartner.toLowerCase() !== "none") return c;
    const status = c.removedAt ? this.config.removedCustomerStatus : this.config.unrelatedCustomerStatus;
    return status === 404
      ? pcError(404, 1000, `Customer ${c.id} was not found: it is not a customer of this partner.`)
      : pcError(403, 20002, `There is no relationship between the partner and the customer ${c.id}.`);
  }

  subscription(c: CustomerState, sid: string): SubscriptionState | ApiResult {
    const s = c.subscriptions.find((x) => x.id.toLowerCase() === sid.toLowerCase());
    return s ?? pcError(404, 20003, `Subscription ${sid} was not found for customer ${c.id}.`);
  }
}

/** The start configuration from options (exported for index.ts). */
export function startConfig(options: Record<string, unknown>): EmulatorConfig {
  return mergeConfig(DEFAULT_CONFIG, options, [
    "port",
    "host",
    "allowNonLoopback",
    "estate",
    "requestLogLimit",
  ]);
}
