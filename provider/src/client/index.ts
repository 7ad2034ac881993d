/**
 * CONTRACT STUB (to be replaced by the real implementation; keep these exported names and signatures).
 * The Partner Center client: one instance per process and settings, shared by every resource.
 */
import type { Settings } from "../settings";

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
  etag: string | undefined;
  /** Optional: e.g. "license" | "usage" | "AzurePlan" hints; lower-cased billingType. */
  billingType: string | undefined;
  /** True when the offer is new-commerce (productType / "NCE" heuristics); undefined when unknown. */
  isNewCommerce?: boolean | undefined;
  /** True when this is an Azure plan subscription. */
  isAzurePlan?: boolean | undefined;
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
  /** fulfillmentState or the first quantityDetails status; "" when unknown. */
  status: string;
}

/** Options for one logical request. */
export interface RequestOptions {
  /** Cancels the request and its retries. */
  signal?: AbortSignal;
  /** MS-RequestId to use (fixed across retries). A new GUID when absent. */
  requestId?: string;
}

/** Counters for benchmarks and tests. */
export interface ClientStats {
  requests: number;
  responses429: number;
  retries: number;
  tokenRequests: number;
}

export class PartnerCenterClient {
  constructor(_settings: Settings) {}
  readonly customers = {
    get: async (_customerId: string, _o?: RequestOptions): Promise<Customer> => {
      throw new Error("stub");
    },
    list: async (_o?: RequestOptions): Promise<Customer[]> => {
      throw new Error("stub");
    },
    /** PATCH relationshipToPartner to none. Returns the response customer (mostly nulls). */
    removeRelationship: async (_customerId: string, _o?: RequestOptions): Promise<Customer> => {
      throw new Error("stub");
    },
  };
  readonly subscriptions = {
    list: async (_customerId: string, _o?: RequestOptions): Promise<Subscription[]> => {
      throw new Error("stub");
    },
    suspend: async (_customerId: string, _s: Subscription, _o?: RequestOptions): Promise<Subscription> => {
      throw new Error("stub");
    },
  };
  readonly entitlements = {
    list: async (_customerId: string, _o?: RequestOptions): Promise<Entitlement[]> => {
      throw new Error("stub");
    },
  };
  readonly relationshipRequests = {
    getInvitationUrl: async (_o?: RequestOptions & { indirectResellerId?: string }): Promise<string> => {
      throw new Error("stub");
    },
  };
  stats(): ClientStats {
    return { requests: 0, responses429: 0, retries: 0, tokenRequests: 0 };
  }
  async close(): Promise<void> {}
}
