/**
 * The emulated partner's estate, as types: {@link Estate} is what users write (JSON or TypeScript, most fields
 * optional); the `*State` records are what the emulator serves and mutates, every field present
 * (normalise.ts fills them). Field names and enumerations follow
 * docs/design/partner-center-contract.md (#endpoints, #enumerations).
 */

/** `relationshipToPartner` values (docs/design/partner-center-contract.md#enumerations); compared case-insensitively. */
export type RelationshipToPartner =
  "none" | "reseller" | "advisor" | "syndication" | "microsoft_support" | "microsoftSupport" | "unknown";

/** Subscription `status` values (docs/design/partner-center-contract.md#enumerations). */
export type SubscriptionStatus =
  "none" | "active" | "suspended" | "deleted" | "expired" | "pending" | "disabled";

/** All subscription statuses, in documentation order. */
export const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = [
  "none",
  "active",
  "suspended",
  "deleted",
  "expired",
  "pending",
  "disabled",
];

export const RELATIONSHIPS: readonly string[] = [
  "none",
  "reseller",
  "advisor",
  "syndication",
  "microsoft_support",
  "microsoftsupport",
  "unknown",
];

/** `productType` of a subscription: `Azure` (Azure plan), `OnlineServicesNCE` (new commerce), `OnlineServices` (legacy). */
export interface ProductType {
  id: string;
  displayName: string;
}

/** A subscription as written in an estate: only `id` is required. */
export interface EstateSubscription {
  /** Subscription id (a GUID in Partner Center; any non-empty string is accepted). */
  id: string;
  offerId?: string;
  offerName?: string;
  /** Defaults to `offerName`. */
  friendlyName?: string;
  /** Defaults to 1. */
  quantity?: number;
  /** Defaults to `Licenses` (license billing) or `Usage-based` (usage billing). */
  unitType?: string;
  /** ISO date-time; defaults to midnight UTC the day before the estate is loaded. */
  creationDate?: string;
  effectiveStartDate?: string;
  commitmentEndDate?: string;
  /**
   * New commerce only: the end of the cancellation window (`status: "deleted"` allowed until then).
   * Defaults to `creationDate` + 7 days for `productType.id` `OnlineServicesNCE`.
   */
  cancellationAllowedUntilDate?: string;
  /** Defaults to `active`. */
  status?: SubscriptionStatus;
  /** Defaults to true for new commerce, false otherwise. */
  autoRenewEnabled?: boolean;
  /**
   * Defaults to `usage` when `productType.id` is `Azure`, else `license`. `benefit`: an Azure savings plan
   * ("Purchase Azure savings plans": `billingType` and `unitType` "Benefit", productType `Azure`).
   */
  billingType?: "license" | "usage" | "benefit";
  /** Defaults to `{id: "OnlineServices", displayName: "OnlineServices"}`. */
  productType?: ProductType;
  /** ISO 8601 duration such as `P1M`, `P1Y`; defaults to `P1Y` for license billing, none for usage. */
  termDuration?: string;
  /** The order that created it; defaults to a stable value derived from the id. */
  orderId?: string;
  /** Initial etag; defaults to a random one. */
  etag?: string;
}

/** An entitled artifact (docs/design/partner-center-contract.md#endpoints: `entitledArtifacts[{artifactType, dynamicAttributes}]`). */
export interface EntitledArtifact {
  artifactType: string;
  dynamicAttributes?: Record<string, string>;
  resourceId?: string;
}

/** An entitlement as written in an estate: only `entitlementType` is required. Its casing is kept as written. */
export interface EstateEntitlement {
  /** `software`, `reservedInstance`, `VirtualMachineReservedInstance`, ... in any casing: it is served as written. */
  entitlementType: string;
  referenceOrder?: { id: string; lineItemId?: string; alternateId?: string };
  productId?: string;
  skuId?: string;
  quantity?: number;
  quantityDetails?: { quantity: number; status: string }[];
  /** Defaults to one `reservedinstance` artifact for reserved-instance types, none otherwise. */
  entitledArtifacts?: EntitledArtifact[];
  /** Defaults to `Fulfilled` (values are undocumented). */
  fulfillmentState?: string;
  /** Served only with `showExpiry=true`; defaults to one year (three for reserved instances) after loading. */
  expiryDate?: string;
}

/** An Azure subscription under an Azure plan (`GET .../azureEntitlements`). */
export interface EstateAzureEntitlement {
  id: string;
  friendlyName?: string;
  /** Defaults to `active`. An `active` one keeps the plan from being suspended (error 900115). */
  status?: string;
}

/** A customer tenant as written in an estate. */
export interface EstateCustomer {
  /** The customer's tenant id (a GUID, any casing; served in lower case). */
  id: string;
  companyName: string;
  /** Defaults to the company name's letters and digits + `.onmicrosoft.com`. */
  domain?: string;
  /** Defaults to `reseller`. `none` is a tenant that is not (or no longer) a customer of the partner. */
  relationshipToPartner?: RelationshipToPartner;
  commerceId?: string;
  /** Defaults to true. */
  allowDelegatedAccess?: boolean;
  /** Page size for this customer's subscription list (Partner Center documents none: unpaged by default). */
  subscriptionPageSize?: number;
  /** Page size for this customer's entitlement list; defaults to `subscriptionPageSize`. */
  entitlementPageSize?: number;
  subscriptions?: EstateSubscription[];
  entitlements?: EstateEntitlement[];
  /** Azure subscriptions of each Azure plan, keyed by the plan's subscription id. */
  azureEntitlements?: Record<string, EstateAzureEntitlement[]>;
}

/** A whole estate: the partner and its customers (and tenants that are not its customers). */
export interface Estate {
  /** The partner's tenant id, used in the invitation link. Defaults to {@link DEFAULT_PARTNER_TENANT_ID}. */
  partnerTenantId?: string;
  customers: EstateCustomer[];
}

/** A subscription as the emulator holds it: every field present. */
export interface SubscriptionState {
  id: string;
  offerId: string;
  offerName: string;
  friendlyName: string;
  quantity: number;
  unitType: string;
  creationDate: string;
  effectiveStartDate: string;
  commitmentEndDate: string;
  cancellationAllowedUntilDate: string | null;
  status: SubscriptionStatus;
  autoRenewEnabled: boolean;
  billingType: "license" | "usage" | "benefit";
  productType: ProductType;
  termDuration: string | null;
  orderId: string;
  etag: string;
}

/** An entitlement as the emulator holds it. */
export interface EntitlementState {
  entitlementType: string;
  referenceOrder: { id: string; lineItemId: string; alternateId: string };
  productId: string;
  skuId: string;
  quantity: number;
  quantityDetails: { quantity: number; status: string }[];
  entitledArtifacts: EntitledArtifact[];
  fulfillmentState: string;
  expiryDate: string;
}

/** An Azure subscription under an Azure plan, as the emulator holds it. */
export interface AzureEntitlementState {
  id: string;
  friendlyName: string;
  status: string;
  subscriptionId: string;
}

/** A customer as the emulator holds it. */
export interface CustomerState {
  id: string;
  commerceId: string;
  companyName: string;
  domain: string;
  relationshipToPartner: string;
  allowDelegatedAccess: boolean;
  subscriptionPageSize: number | null;
  entitlementPageSize: number | null;
  subscriptions: SubscriptionState[];
  entitlements: EntitlementState[];
  /** Keyed by the plan's subscription id in lower case. */
  azureEntitlements: Record<string, AzureEntitlementState[]>;
  /** When the relationship was removed through the API (drives `removedCustomerStatus`), else null. */
  removedAt: string | null;
}

/** A loaded estate. */
export interface EstateState {
  partnerTenantId: string;
  customers: CustomerState[];
}

/** Thrown for an invalid estate; `field` names the offending property, e.g. `customers[2].subscriptions[0].status`. */
export class EstateValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Invalid estate: ${field} ${message}`);
    this.name = "EstateValidationError";
  }
}

/** The sample partner's tenant id. */
export const DEFAULT_PARTNER_TENANT_ID = "0a0a0a0a-0000-4000-8000-00000000000a";
