/**
 * The emulated partner's estate: its customers, their subscriptions, entitlements and Azure
 * entitlements. {@link Estate} is what users write (JSON or TypeScript, most fields optional);
 * {@link normaliseEstate} validates it and fills every omitted field, producing the
 * {@link CustomerState} records the server serves and mutates.
 *
 * Field names and enumerations follow partner-center-api.md ("Endpoints", "Enumerations").
 */
import { createHash } from "node:crypto";

/** `relationshipToPartner` values (partner-center-api.md "Enumerations"); compared case-insensitively. */
export type RelationshipToPartner =
  "none" | "reseller" | "advisor" | "syndication" | "microsoft_support" | "microsoftSupport" | "unknown";

/** Subscription `status` values (partner-center-api.md "Enumerations"). */
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

const RELATIONSHIPS: readonly string[] = [
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

/** An entitled artifact (partner-center-api.md: `entitledArtifacts[{artifactType, dynamicAttributes}]`). */
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

/** The customer ids of {@link DEFAULT_ESTATE}, by what each one demonstrates. The demo and tests depend on them. */
export const SAMPLE_CUSTOMERS = {
  /** Contoso Clean Ltd: reseller, nothing blocks removal. */
  clean: "11111111-1111-4111-8111-111111111111",
  /** Fabrikam Active Inc: two active subscriptions (legacy E3, new-commerce Business Premium) and a suspended one. */
  activeSubscriptions: "22222222-2222-4222-8222-222222222222",
  /** Northwind Inactive: only suspended, deleted and expired subscriptions: removable. */
  inactiveOnly: "33333333-3333-4333-8333-333333333333",
  /** Adatum Legacy RI: a `VirtualMachineReservedInstance` entitlement (and a software one). */
  legacyReservedInstance: "44444444-4444-4444-8444-444444444444",
  /** Litware Reserved: a `reservedInstance` entitlement. */
  reservedInstance: "55555555-5555-4555-8555-555555555555",
  /** Tailspin Azure Plan: an active Azure plan holding an active Azure subscription (suspend fails: 900115). */
  azurePlan: "66666666-6666-4666-8666-666666666666",
  /** Wingtip Paged: 25 subscriptions in pages of 10, the only active one on page 3; 12 entitlements in pages of 10. */
  paged: "77777777-7777-4777-8777-777777777777",
  /** Woodgrove Unrelated: a tenant with no relationship; `acceptInvitation` makes it a reseller customer. */
  noRelationship: "88888888-8888-4888-8888-888888888888",
  /**
   * Fourth Coffee NCE: a new-commerce subscription and a software subscription, both active and inside their
   * cancellation window (bought the day before the estate loads): `cancelNewCommerceSubscriptionsInWindow`
   * clears them.
   */
  newCommerceInWindow: "c1c1c1c1-c1c1-4c1c-8c1c-c1c1c1c1c1c1",
  /** Proseware NCE Locked: an active new-commerce subscription past its window, term ending 2028-01-14, auto-renew on. */
  newCommerceLocked: "c2c2c2c2-c2c2-4c2c-8c2c-c2c2c2c2c2c2",
  /** Alpine Expired RI: a reservation that expired in 2024, one whose quantity is all cancelled, software: removable. */
  expiredReservation: "c3c3c3c3-c3c3-4c3c-8c3c-c3c3c3c3c3c3",
  /** Blue Yonder Savings: an active Azure savings plan (productType Azure, billingType Benefit). */
  savingsPlan: "c4c4c4c4-c4c4-4c4c-8c4c-c4c4c4c4c4c4",
} as const;

/** Subscription ids in {@link DEFAULT_ESTATE}, for tests and examples. */
export const SAMPLE_SUBSCRIPTIONS = {
  /** Fabrikam: legacy Office 365 E3, active. */
  legacyE3: "22222222-0000-4000-8000-000000000001",
  /** Fabrikam: new-commerce Microsoft 365 Business Premium, active, inside its cancellation window. */
  businessPremiumNce: "22222222-0000-4000-8000-000000000002",
  /** Fabrikam: Visio Plan 2, suspended. */
  suspendedVisio: "22222222-0000-4000-8000-000000000003",
  /** Northwind: new-commerce Microsoft 365 E3, suspended, cancellation window long passed. */
  northwindSuspendedNce: "33333333-0000-4000-8000-000000000001",
  /** Northwind: Exchange Online Plan 1, deleted. */
  northwindDeleted: "33333333-0000-4000-8000-000000000002",
  /** Northwind: Power BI Pro, expired. */
  northwindExpired: "33333333-0000-4000-8000-000000000003",
  /** Tailspin: the Azure plan. */
  azurePlan: "66666666-0000-4000-8000-000000000001",
  /** Tailspin: the active Azure subscription under the plan. */
  azurePlanActiveAzureSubscription: "a2a2a2a2-0000-4000-8000-000000000001",
  /** Wingtip: the one active subscription, on page 3. */
  pagedActive: "77777777-0000-4000-8000-000000000025",
  /** Fourth Coffee: new-commerce Microsoft 365 Business Basic, inside its window. */
  fourthCoffeeNce: "c1c1c1c1-0000-4000-8000-000000000001",
  /** Fourth Coffee: software subscription (productType Software), inside its window. */
  fourthCoffeeSoftware: "c1c1c1c1-0000-4000-8000-000000000002",
  /** Proseware: new-commerce Microsoft 365 E5, window passed, term ends 2028-01-14. */
  prosewareLockedNce: "c2c2c2c2-0000-4000-8000-000000000001",
  /** Blue Yonder: the Azure savings plan. */
  blueYonderSavingsPlan: "c4c4c4c4-0000-4000-8000-000000000001",
} as const;

const O365_E3_LEGACY = "796B6B5F-613C-4E24-A17C-EBA730D49C02";
const M365_BP_NCE = "CFQ7TTC0LCHC:0002:CFQ7TTC0LCHC";
const NCE: ProductType = { id: "OnlineServicesNCE", displayName: "OnlineServicesNCE" };
const AZURE: ProductType = { id: "Azure", displayName: "Azure" };

function pagedSubscriptions(): EstateSubscription[] {
  const out: EstateSubscription[] = [];
  for (let i = 1; i <= 25; i++) {
    const last = i === 25;
    out.push({
      id: `77777777-0000-4000-8000-${String(i).padStart(12, "0")}`,
      offerName: last ? "Microsoft 365 Business Standard" : `Legacy add-on ${i}`,
      status: last ? "active" : i % 2 === 0 ? "deleted" : "suspended",
      creationDate: "2023-03-01T00:00:00Z",
    });
  }
  return out;
}

function pagedEntitlements(): EstateEntitlement[] {
  const out: EstateEntitlement[] = [];
  for (let i = 1; i <= 12; i++) {
    out.push({
      entitlementType: "software",
      productId: "DG7GMGF0FKZV",
      skuId: String(i).padStart(4, "0"),
      referenceOrder: { id: `wingtip-order-${String(i).padStart(2, "0")}` },
    });
  }
  return out;
}

/**
 * The sample estate: one customer per situation the provider must handle (see {@link SAMPLE_CUSTOMERS}).
 * Frozen; the emulator works on a copy.
 */
export const DEFAULT_ESTATE: Estate = deepFreeze({
  partnerTenantId: DEFAULT_PARTNER_TENANT_ID,
  customers: [
    { id: SAMPLE_CUSTOMERS.clean, companyName: "Contoso Clean Ltd", domain: "contosoclean.onmicrosoft.com" },
    {
      id: SAMPLE_CUSTOMERS.activeSubscriptions,
      companyName: "Fabrikam Active Inc",
      domain: "fabrikamactive.onmicrosoft.com",
      subscriptions: [
        {
          id: SAMPLE_SUBSCRIPTIONS.legacyE3,
          offerId: O365_E3_LEGACY,
          offerName: "Office 365 E3",
          quantity: 25,
          creationDate: "2021-06-01T00:00:00Z",
          productType: { id: "OnlineServices", displayName: "OnlineServices" },
        },
        {
          id: SAMPLE_SUBSCRIPTIONS.businessPremiumNce,
          offerId: M365_BP_NCE,
          offerName: "Microsoft 365 Business Premium",
          quantity: 10,
          productType: NCE,
          termDuration: "P1M",
        },
        {
          id: SAMPLE_SUBSCRIPTIONS.suspendedVisio,
          offerName: "Visio Plan 2",
          status: "suspended",
          creationDate: "2022-02-01T00:00:00Z",
        },
      ],
    },
    {
      id: SAMPLE_CUSTOMERS.inactiveOnly,
      companyName: "Northwind Inactive",
      domain: "northwindinactive.onmicrosoft.com",
      subscriptions: [
        {
          id: SAMPLE_SUBSCRIPTIONS.northwindSuspendedNce,
          offerId: "CFQ7TTC0LFLZ:0001:CFQ7TTC0LFLZ",
          offerName: "Microsoft 365 E3",
          status: "suspended",
          productType: NCE,
          creationDate: "2024-01-10T00:00:00Z",
        },
        {
          id: SAMPLE_SUBSCRIPTIONS.northwindDeleted,
          offerName: "Exchange Online (Plan 1)",
          status: "deleted",
          creationDate: "2020-09-01T00:00:00Z",
        },
        {
          id: SAMPLE_SUBSCRIPTIONS.northwindExpired,
          offerName: "Power BI Pro",
          status: "expired",
          creationDate: "2019-11-01T00:00:00Z",
        },
      ],
    },
    {
      id: SAMPLE_CUSTOMERS.legacyReservedInstance,
      companyName: "Adatum Legacy RI",
      domain: "adatumlegacyri.onmicrosoft.com",
      entitlements: [
        {
          entitlementType: "VirtualMachineReservedInstance",
          productId: "DZH318Z0BQ3R",
          skuId: "0033",
          referenceOrder: { id: "adatum-ri-order-1", lineItemId: "0" },
        },
        {
          entitlementType: "software",
          productId: "DG7GMGF0FKZV",
          skuId: "0001",
          referenceOrder: { id: "adatum-sw-order-1", lineItemId: "0" },
        },
      ],
    },
    {
      id: SAMPLE_CUSTOMERS.reservedInstance,
      companyName: "Litware Reserved",
      domain: "litwarereserved.onmicrosoft.com",
      entitlements: [
        {
          entitlementType: "reservedInstance",
          productId: "DZH318Z0BQ4S",
          skuId: "0009",
          referenceOrder: { id: "litware-ri-order-1", lineItemId: "0" },
        },
      ],
    },
    {
      id: SAMPLE_CUSTOMERS.azurePlan,
      companyName: "Tailspin Azure Plan",
      domain: "tailspinazureplan.onmicrosoft.com",
      subscriptions: [
        {
          id: SAMPLE_SUBSCRIPTIONS.azurePlan,
          offerId: "DZH318Z0BPS6:0001",
          offerName: "Azure plan",
          productType: AZURE,
          creationDate: "2022-05-01T00:00:00Z",
          orderId: "0bed3bbca6c",
        },
      ],
      azureEntitlements: {
        [SAMPLE_SUBSCRIPTIONS.azurePlan]: [
          { id: SAMPLE_SUBSCRIPTIONS.azurePlanActiveAzureSubscription, friendlyName: "Tailspin Production" },
          {
            id: "a2a2a2a2-0000-4000-8000-000000000002",
            friendlyName: "Tailspin Sandbox",
            status: "disabled",
          },
        ],
      },
    },
    {
      id: SAMPLE_CUSTOMERS.paged,
      companyName: "Wingtip Paged",
      domain: "wingtippaged.onmicrosoft.com",
      subscriptionPageSize: 10,
      entitlementPageSize: 10,
      subscriptions: pagedSubscriptions(),
      entitlements: pagedEntitlements(),
    },
    {
      id: SAMPLE_CUSTOMERS.noRelationship,
      companyName: "Woodgrove Unrelated",
      domain: "woodgroveunrelated.onmicrosoft.com",
      relationshipToPartner: "none",
    },
    ...removalRuleCustomers(),
  ],
});

/**
 * Issue 14: one customer per removal rule of Microsoft's current guidance (new commerce cancelled inside its
 * window, or locked until its term ends; ended reservations; Azure savings plans).
 */
function removalRuleCustomers(): EstateCustomer[] {
  return [
    {
      id: SAMPLE_CUSTOMERS.newCommerceInWindow,
      companyName: "Fourth Coffee NCE",
      domain: "fourthcoffeence.onmicrosoft.com",
      subscriptions: [
        {
          id: SAMPLE_SUBSCRIPTIONS.fourthCoffeeNce,
          offerId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
          offerName: "Microsoft 365 Business Basic",
          quantity: 5,
          productType: NCE,
          termDuration: "P1Y",
        },
        {
          id: SAMPLE_SUBSCRIPTIONS.fourthCoffeeSoftware,
          offerId: "DG7GMGF0DVSV:000P:DG7GMGF0F3Q9",
          offerName: "Windows Server Remote Desktop Services CAL - 1 User CAL - 3 year",
          productType: { id: "Software", displayName: "Software" },
          termDuration: "P3Y",
        },
      ],
    },
    {
      id: SAMPLE_CUSTOMERS.newCommerceLocked,
      companyName: "Proseware NCE Locked",
      domain: "prosewarencelocked.onmicrosoft.com",
      subscriptions: [
        {
          id: SAMPLE_SUBSCRIPTIONS.prosewareLockedNce,
          offerId: "CFQ7TTC0LFK5:0001:CFQ7TTC0LFK5",
          offerName: "Microsoft 365 E5",
          quantity: 40,
          productType: NCE,
          termDuration: "P3Y",
          creationDate: "2025-01-15T00:00:00Z",
          commitmentEndDate: "2028-01-14T00:00:00Z",
        },
      ],
    },
    {
      id: SAMPLE_CUSTOMERS.expiredReservation,
      companyName: "Alpine Expired RI",
      domain: "alpineexpiredri.onmicrosoft.com",
      entitlements: [
        {
          entitlementType: "reservedInstance",
          productId: "DZH318Z0BQ3W",
          skuId: "007J",
          referenceOrder: { id: "alpine-ri-order-2021", lineItemId: "0" },
          expiryDate: "2024-06-30T00:00:00Z",
        },
        {
          entitlementType: "reservedInstance",
          productId: "DZH318Z0BQ4S",
          skuId: "0009",
          referenceOrder: { id: "alpine-ri-order-2025", lineItemId: "0" },
          quantityDetails: [{ quantity: 2, status: "Cancelled" }],
        },
        {
          entitlementType: "software",
          productId: "DG7GMGF0DWTK",
          skuId: "0002",
          referenceOrder: { id: "alpine-sw-order-1", lineItemId: "0" },
        },
      ],
    },
    {
      id: SAMPLE_CUSTOMERS.savingsPlan,
      companyName: "Blue Yonder Savings",
      domain: "blueyondersavings.onmicrosoft.com",
      subscriptions: [
        {
          id: SAMPLE_SUBSCRIPTIONS.blueYonderSavingsPlan,
          offerId: "DZH318Z08V4R:0001",
          offerName: "Azure savings plan for compute",
          productType: AZURE,
          billingType: "benefit",
          termDuration: "P1Y",
          commitmentEndDate: "2027-03-01T00:00:00Z",
        },
      ],
    },
  ];
}

/** Options of {@link syntheticEstate}. */
export interface SyntheticEstateOptions {
  /** How many clean reseller customers. */
  count: number;
  /** Defaults to {@link DEFAULT_PARTNER_TENANT_ID}. */
  partnerTenantId?: string | undefined;
  /** Company names are `${namePrefix} ${n}`; defaults to `Synthetic Customer`. */
  namePrefix?: string | undefined;
  /** Append the {@link DEFAULT_ESTATE} customers after the synthetic ones. Default false. */
  includeSamples?: boolean | undefined;
}

/**
 * A large estate for benchmarks: `count` clean reseller customers with deterministic ids
 * (`5c000000-0000-4000-8000-<n as 12 hex digits>`, n from 1), so two runs address the same tenants.
 */
export function syntheticEstate(options: SyntheticEstateOptions): Estate {
  const { count } = options;
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000) {
    throw new RangeError(`syntheticEstate: count must be an integer from 0 to 1000000, got ${String(count)}`);
  }
  const prefix = options.namePrefix ?? "Synthetic Customer";
  const customers: EstateCustomer[] = [];
  for (let n = 1; n <= count; n++) {
    customers.push({
      id: `5c000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
      companyName: `${prefix} ${n}`,
      domain: `synthetic${n}.onmicrosoft.com`,
    });
  }
  if (options.includeSamples) customers.push(...structuredClone(DEFAULT_ESTATE.customers));
  return { partnerTenantId: options.partnerTenantId ?? DEFAULT_PARTNER_TENANT_ID, customers };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Validation and normalisation
// ---------------------------------------------------------------------------------------------

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a GUID in the 8-4-4-4-12 form, any casing. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

type Obj = Record<string, unknown>;

function fail(field: string, message: string): never {
  throw new EstateValidationError(field, message);
}

function asObject(v: unknown, field: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    fail(field, `must be an object, got ${kindOf(v)}`);
  return v as Obj;
}

function asArray(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) fail(field, `must be an array, got ${kindOf(v)}`);
  return v;
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "string" ? `the string ${JSON.stringify(v)}` : typeof v;
}

function at(field: string, key: string): string {
  return field ? `${field}.${key}` : key;
}

function onlyKnown(o: Obj, known: readonly string[], field: string): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) fail(at(field, k), `is not a known property (known: ${known.join(", ")})`);
  }
}

function str(o: Obj, key: string, field: string, required: true): string;
function str(o: Obj, key: string, field: string, required?: false): string | undefined;
function str(o: Obj, key: string, field: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined) {
    if (required) fail(at(field, key), "is required");
    return undefined;
  }
  if (typeof v !== "string" || v.trim() === "")
    fail(at(field, key), `must be a non-empty string, got ${kindOf(v)}`);
  return v;
}

function date(o: Obj, key: string, field: string): string | undefined {
  const v = str(o, key, field);
  if (v !== undefined && Number.isNaN(Date.parse(v)))
    fail(at(field, key), `must be an ISO date-time, got "${v}"`);
  return v === undefined ? undefined : iso(v);
}

function int(o: Obj, key: string, field: string, min: number): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    fail(
      at(field, key),
      `must be an integer >= ${min}, got ${kindOf(v)}${typeof v === "number" ? ` ${v}` : ""}`,
    );
  }
  return v;
}

function bool(o: Obj, key: string, field: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") fail(at(field, key), `must be true or false, got ${kindOf(v)}`);
  return v;
}

function stableHex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function stableGuid(seed: string): string {
  const h = stableHex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A fresh opaque etag. Partner Center etags are opaque strings; clients must echo them, never parse them. */
export function newEtag(): string {
  return stableHex(`${Date.now()}-${Math.random()}`, 24);
}

const DAY = 86_400_000;

/** ISO 8601 without milliseconds, as Partner Center writes dates (`2021-06-01T00:00:00Z`). */
function iso(ms: number | string | Date): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function addYears(from: string, years: number): string {
  const d = new Date(from);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return iso(d);
}

/** True for `reservedInstance` and `virtualMachineReservedInstance` in any casing (partner-center-api.md "Preconditions"). */
export function isReservedInstanceType(entitlementType: string): boolean {
  const t = entitlementType.toLowerCase();
  return t === "reservedinstance" || t === "virtualmachinereservedinstance";
}

const SUBSCRIPTION_KEYS = [
  "id",
  "offerId",
  "offerName",
  "friendlyName",
  "quantity",
  "unitType",
  "creationDate",
  "effectiveStartDate",
  "commitmentEndDate",
  "cancellationAllowedUntilDate",
  "status",
  "autoRenewEnabled",
  "billingType",
  "productType",
  "termDuration",
  "orderId",
  "etag",
] as const;

function normaliseSubscription(v: unknown, field: string, now: number): SubscriptionState {
  const o = asObject(v, field);
  onlyKnown(o, SUBSCRIPTION_KEYS, field);
  const id = str(o, "id", field, true);
  let productType: ProductType = { id: "OnlineServices", displayName: "OnlineServices" };
  if (o.productType !== undefined) {
    const p = asObject(o.productType, `${field}.productType`);
    onlyKnown(p, ["id", "displayName"], `${field}.productType`);
    const pid = str(p, "id", `${field}.productType`, true);
    productType = { id: pid, displayName: str(p, "displayName", `${field}.productType`) ?? pid };
  }
  const isAzure = productType.id.toLowerCase() === "azure";
  // Software subscriptions follow the new-commerce cancellation policy ("Cancel software purchases").
  const isNce = ["onlineservicesnce", "software"].includes(productType.id.toLowerCase());
  const billingType = str(o, "billingType", field) ?? (isAzure ? "usage" : "license");
  if (billingType !== "license" && billingType !== "usage" && billingType !== "benefit") {
    fail(`${field}.billingType`, `must be "license", "usage" or "benefit", got "${billingType}"`);
  }
  const statusRaw = str(o, "status", field) ?? "active";
  const status = SUBSCRIPTION_STATUSES.find((s) => s === statusRaw.toLowerCase());
  if (!status)
    fail(`${field}.status`, `must be one of ${SUBSCRIPTION_STATUSES.join(", ")}, got "${statusRaw}"`);
  const creationDate = date(o, "creationDate", field) ?? iso(Math.floor(now / DAY) * DAY - DAY);
  const termDuration = str(o, "termDuration", field) ?? (billingType === "license" ? "P1Y" : null);
  const offerName = str(o, "offerName", field) ?? (isAzure ? "Azure plan" : "Microsoft 365 Business Basic");
  return {
    id,
    offerId:
      str(o, "offerId", field) ??
      (isAzure ? "DZH318Z0BPS6:0001" : stableHex(`offer:${offerName}`, 32).toUpperCase()),
    offerName,
    friendlyName: str(o, "friendlyName", field) ?? offerName,
    quantity: int(o, "quantity", field, 0) ?? 1,
    unitType:
      str(o, "unitType", field) ??
      (billingType === "usage" ? "Usage-based" : billingType === "benefit" ? "Benefit" : "Licenses"),
    creationDate,
    effectiveStartDate: date(o, "effectiveStartDate", field) ?? creationDate,
    commitmentEndDate: date(o, "commitmentEndDate", field) ?? addYears(creationDate, 1),
    cancellationAllowedUntilDate:
      date(o, "cancellationAllowedUntilDate", field) ??
      (isNce ? iso(Date.parse(creationDate) + 7 * DAY) : null),
    status,
    autoRenewEnabled: bool(o, "autoRenewEnabled", field) ?? isNce,
    billingType,
    productType,
    termDuration,
    orderId: str(o, "orderId", field) ?? stableHex(`order:${id}`, 11),
    etag: str(o, "etag", field) ?? newEtag(),
  };
}

const ENTITLEMENT_KEYS = [
  "entitlementType",
  "referenceOrder",
  "productId",
  "skuId",
  "quantity",
  "quantityDetails",
  "entitledArtifacts",
  "fulfillmentState",
  "expiryDate",
] as const;

function normaliseEntitlement(v: unknown, field: string, seed: string, now: number): EntitlementState {
  const o = asObject(v, field);
  onlyKnown(o, ENTITLEMENT_KEYS, field);
  const entitlementType = str(o, "entitlementType", field, true);
  const ri = isReservedInstanceType(entitlementType);
  let referenceOrder = {
    id: stableHex(`order:${seed}`, 11),
    lineItemId: "0",
    alternateId: stableHex(`alt:${seed}`, 12),
  };
  if (o.referenceOrder !== undefined) {
    const f = `${field}.referenceOrder`;
    const r = asObject(o.referenceOrder, f);
    onlyKnown(r, ["id", "lineItemId", "alternateId"], f);
    referenceOrder = {
      id: str(r, "id", f, true),
      lineItemId: str(r, "lineItemId", f) ?? "0",
      alternateId: str(r, "alternateId", f) ?? stableHex(`alt:${seed}`, 12),
    };
  }
  const quantity = int(o, "quantity", field, 0) ?? 1;
  let quantityDetails = [{ quantity, status: "Active" }];
  if (o.quantityDetails !== undefined) {
    quantityDetails = asArray(o.quantityDetails, `${field}.quantityDetails`).map((q, i) => {
      const f = `${field}.quantityDetails[${i}]`;
      const qo = asObject(q, f);
      onlyKnown(qo, ["quantity", "status"], f);
      return { quantity: int(qo, "quantity", f, 0) ?? 1, status: str(qo, "status", f, true) };
    });
  }
  let entitledArtifacts: EntitledArtifact[] = ri
    ? [{ artifactType: "reservedinstance", dynamicAttributes: { reservationType: "virtualmachines" } }]
    : [];
  if (o.entitledArtifacts !== undefined) {
    entitledArtifacts = asArray(o.entitledArtifacts, `${field}.entitledArtifacts`).map((a, i) => {
      const f = `${field}.entitledArtifacts[${i}]`;
      const ao = asObject(a, f);
      onlyKnown(ao, ["artifactType", "dynamicAttributes", "resourceId"], f);
      const out: EntitledArtifact = { artifactType: str(ao, "artifactType", f, true) };
      if (ao.dynamicAttributes !== undefined) {
        const d = asObject(ao.dynamicAttributes, `${f}.dynamicAttributes`);
        for (const [k, dv] of Object.entries(d)) {
          if (typeof dv !== "string")
            fail(`${f}.dynamicAttributes.${k}`, `must be a string, got ${kindOf(dv)}`);
        }
        out.dynamicAttributes = { ...(d as Record<string, string>) };
      }
      const resourceId = str(ao, "resourceId", f);
      if (resourceId !== undefined) out.resourceId = resourceId;
      return out;
    });
  }
  return {
    entitlementType,
    referenceOrder,
    productId: str(o, "productId", field) ?? (ri ? "DZH318Z0BQ3R" : "DG7GMGF0FKZV"),
    skuId: str(o, "skuId", field) ?? "0001",
    quantity,
    quantityDetails,
    entitledArtifacts,
    fulfillmentState: str(o, "fulfillmentState", field) ?? "Fulfilled",
    expiryDate: date(o, "expiryDate", field) ?? iso(now + (ri ? 3 * 365 : 365) * DAY),
  };
}

const CUSTOMER_KEYS = [
  "id",
  "companyName",
  "domain",
  "relationshipToPartner",
  "commerceId",
  "allowDelegatedAccess",
  "subscriptionPageSize",
  "entitlementPageSize",
  "subscriptions",
  "entitlements",
  "azureEntitlements",
] as const;

function normaliseCustomer(v: unknown, field: string, now: number): CustomerState {
  const o = asObject(v, field);
  onlyKnown(o, CUSTOMER_KEYS, field);
  const rawId = str(o, "id", field, true);
  if (!isGuid(rawId)) fail(`${field}.id`, `must be a tenant GUID, got "${rawId}"`);
  const id = rawId.toLowerCase();
  const companyName = str(o, "companyName", field, true);
  const relationshipToPartner = str(o, "relationshipToPartner", field) ?? "reseller";
  if (!RELATIONSHIPS.includes(relationshipToPartner.toLowerCase())) {
    fail(
      `${field}.relationshipToPartner`,
      `must be one of none, reseller, advisor, syndication, microsoft_support, got "${relationshipToPartner}"`,
    );
  }
  const subscriptions = asArray(o.subscriptions ?? [], `${field}.subscriptions`).map((s, i) =>
    normaliseSubscription(s, `${field}.subscriptions[${i}]`, now),
  );
  const seen = new Set<string>();
  subscriptions.forEach((s, i) => {
    const k = s.id.toLowerCase();
    if (seen.has(k)) fail(`${field}.subscriptions[${i}].id`, `duplicates subscription id "${s.id}"`);
    seen.add(k);
  });
  const entitlements = asArray(o.entitlements ?? [], `${field}.entitlements`).map((e, i) =>
    normaliseEntitlement(e, `${field}.entitlements[${i}]`, `${id}:${i}`, now),
  );
  const azureEntitlements: Record<string, AzureEntitlementState[]> = {};
  if (o.azureEntitlements !== undefined) {
    const map = asObject(o.azureEntitlements, `${field}.azureEntitlements`);
    for (const [subId, list] of Object.entries(map)) {
      const f = `${field}.azureEntitlements.${subId}`;
      const plan = subscriptions.find((s) => s.id.toLowerCase() === subId.toLowerCase());
      if (!plan)
        fail(
          f,
          `names no subscription of this customer (subscription ids: ${subscriptions.map((s) => s.id).join(", ") || "none"})`,
        );
      azureEntitlements[subId.toLowerCase()] = asArray(list, f).map((a, i) => {
        const af = `${f}[${i}]`;
        const ao = asObject(a, af);
        onlyKnown(ao, ["id", "friendlyName", "status"], af);
        const aid = str(ao, "id", af, true);
        return {
          id: aid,
          friendlyName: str(ao, "friendlyName", af) ?? `Azure subscription ${i + 1}`,
          status: str(ao, "status", af) ?? "active",
          subscriptionId: aid,
        };
      });
    }
  }
  const subscriptionPageSize = int(o, "subscriptionPageSize", field, 1) ?? null;
  return {
    id,
    commerceId: str(o, "commerceId", field) ?? stableGuid(`commerce:${id}`),
    companyName,
    domain:
      str(o, "domain", field) ??
      `${companyName.toLowerCase().replace(/[^a-z0-9]/g, "") || "tenant"}.onmicrosoft.com`,
    relationshipToPartner,
    allowDelegatedAccess: bool(o, "allowDelegatedAccess", field) ?? true,
    subscriptionPageSize,
    entitlementPageSize: int(o, "entitlementPageSize", field, 1) ?? subscriptionPageSize,
    subscriptions,
    entitlements,
    azureEntitlements,
    removedAt: null,
  };
}

/**
 * Validates an estate and fills in every omitted field.
 *
 * @throws {@link EstateValidationError} naming the first bad field (unknown properties included, so a
 * typo such as `subscription` for `subscriptions` is reported instead of silently ignored).
 */
export function normaliseEstate(estate: unknown, now: number = Date.now()): EstateState {
  const o = asObject(estate, "estate");
  onlyKnown(o, ["partnerTenantId", "customers"], "");
  const partnerTenantId = str(o, "partnerTenantId", "") ?? DEFAULT_PARTNER_TENANT_ID;
  if (!isGuid(partnerTenantId)) fail("partnerTenantId", `must be a tenant GUID, got "${partnerTenantId}"`);
  if (o.customers === undefined) fail("customers", "is required (an array of customers)");
  const customers = asArray(o.customers, "customers").map((c, i) =>
    normaliseCustomer(c, `customers[${i}]`, now),
  );
  const ids = new Set<string>();
  customers.forEach((c, i) => {
    if (ids.has(c.id)) fail(`customers[${i}].id`, `duplicates customer id "${c.id}"`);
    ids.add(c.id);
  });
  return { partnerTenantId: partnerTenantId.toLowerCase(), customers };
}
