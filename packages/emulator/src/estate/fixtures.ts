/** The sample estate every test, the demo and the CLI start from, and {@link syntheticEstate} for large ones. */
import {
  DEFAULT_PARTNER_TENANT_ID,
  type Estate,
  EstateCustomer,
  EstateEntitlement,
  EstateSubscription,
  ProductType,
} from "./types";

/** The customer ids of {@link DEFAULT_ESTATE}, by what each one demonstrates. The demo and tests depend on them. */
export const SAMPLE_CUSTOMERS = {
  /** Contoso Clean Ltd: reseller, nothing blocks removal. */
  clean: "11111111-1111-4111-8111-111111111111",
  /** Fabrikam Active Inc: two active subscriptions (legacy E3, new-commerce Business Premium) and a suspended one. */
  activeSubscriptions: "22222222-2222-4222-8222-222222222222",
  /** Northwind Inactive: only suspended (legacy), deleted and expired subscriptions: removable. */
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
  /**
   * Coho Suspended NCE: a suspended new-commerce subscription inside its cancellation window (bought the day
   * before the estate loads). It still bills and blocks; `cancelNewCommerceSubscriptionsInWindow` cancels it.
   */
  suspendedNewCommerce: "c5c5c5c5-c5c5-4c5c-8c5c-c5c5c5c5c5c5",
  /** Datum Suspended NCE Locked: a suspended new-commerce subscription past its window, term ending 2027-09-30. */
  suspendedNewCommerceLocked: "c6c6c6c6-c6c6-4c6c-8c6c-c6c6c6c6c6c6",
} as const;

/** Subscription ids in {@link DEFAULT_ESTATE}, for tests and examples. */
export const SAMPLE_SUBSCRIPTIONS = {
  /** Fabrikam: legacy Office 365 E3, active. */
  legacyE3: "22222222-0000-4000-8000-000000000001",
  /** Fabrikam: new-commerce Microsoft 365 Business Premium, active, inside its cancellation window. */
  businessPremiumNce: "22222222-0000-4000-8000-000000000002",
  /** Fabrikam: Visio Plan 2, suspended. */
  suspendedVisio: "22222222-0000-4000-8000-000000000003",
  /** Northwind: legacy Office 365 E3, suspended (a suspended legacy subscription does not bill or block). */
  northwindSuspendedLegacy: "33333333-0000-4000-8000-000000000001",
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
  /** Coho: new-commerce Microsoft 365 Business Standard, suspended, inside its window. */
  cohoSuspendedNce: "c5c5c5c5-0000-4000-8000-000000000001",
  /** Datum: new-commerce Microsoft 365 E3, suspended, window passed, term ends 2027-09-30. */
  datumSuspendedLockedNce: "c6c6c6c6-0000-4000-8000-000000000001",
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
          id: SAMPLE_SUBSCRIPTIONS.northwindSuspendedLegacy,
          offerId: O365_E3_LEGACY,
          offerName: "Office 365 E3",
          status: "suspended",
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
 * One customer per removal rule of Microsoft's current guidance (new commerce cancelled inside its
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
    {
      id: SAMPLE_CUSTOMERS.suspendedNewCommerce,
      companyName: "Coho Suspended NCE",
      domain: "cohosuspendednce.onmicrosoft.com",
      subscriptions: [
        {
          id: SAMPLE_SUBSCRIPTIONS.cohoSuspendedNce,
          offerId: "CFQ7TTC0LDPB:0001:CFQ7TTC0LDPB",
          offerName: "Microsoft 365 Business Standard",
          quantity: 3,
          status: "suspended",
          productType: NCE,
          termDuration: "P1Y",
        },
      ],
    },
    {
      id: SAMPLE_CUSTOMERS.suspendedNewCommerceLocked,
      companyName: "Datum Suspended NCE Locked",
      domain: "datumsuspendedncelocked.onmicrosoft.com",
      subscriptions: [
        {
          id: SAMPLE_SUBSCRIPTIONS.datumSuspendedLockedNce,
          offerId: "CFQ7TTC0LFLZ:0001:CFQ7TTC0LFLZ",
          offerName: "Microsoft 365 E3",
          quantity: 12,
          status: "suspended",
          productType: NCE,
          termDuration: "P1Y",
          creationDate: "2026-10-01T00:00:00Z",
          commitmentEndDate: "2027-09-30T00:00:00Z",
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
