/**
 * The contract corpus: Microsoft's documented request and response examples for the calls this provider
 * makes, transcribed as they are published (values, casing and nesting), each with its source. The pages
 * live at https://learn.microsoft.com/partner-center/developer/<page>; their sources are the `develop/<page>.md`
 * files of the partner-center docs repository (read at commit bbdb5f7c of its public mirror, and the
 * localized copies of the same pages for the new-commerce examples).
 *
 * Where a published example is not valid JSON (a missing comma, `// original value` comments) the fix is
 * noted next to it. Nothing here is copied from the emulator: the emulator is checked against this file, not
 * the other way round (test/contract/contract.test.ts).
 */

export const CUSTOMER_ID = "eebd1b55-5360-4438-a11d-5c06918c3014";

/** "Get a customer by ID" (get-a-customer-by-id), response example. */
export const customerById = {
  id: "eebd1b55-5360-4438-a11d-5c06918c3014",
  commerceId: "99e6a635-48e7-424d-9059-c9db944e3c54",
  companyProfile: {
    tenantId: "eebd1b55-5360-4438-a11d-5c06918c3014",
    domain: "abcdefgh1234.ccsctp.net",
    companyName: "1kl as kjk",
    address: {
      country: "US",
      region: "wa",
      city: "redmond",
      addressLine1: "1 ms way",
      postalCode: "98052",
      phoneNumber: "1234567890",
    },
    email: "a@a.com",
    links: {
      self: {
        uri: "/customers/eebd1b55-5360-4438-a11d-5c06918c3014/profiles/company",
        method: "GET",
        headers: [],
      },
    },
    attributes: { objectType: "CustomerCompanyProfile" },
  },
  billingProfile: {
    id: "eeada110-69d6-4cc9-b093-75feb7ca9d3f",
    firstName: "d0d89d776d03471c819bf772191ed728",
    lastName: "kjkAJJAAAAAAAAAAAAAAAAAAAA",
    email: "a@a.com",
    culture: "en-US",
    language: "en",
    companyName: "1kl as kjk",
    defaultAddress: {
      country: "US",
      city: "redmond",
      state: "WA",
      addressLine1: "1 ms way",
      postalCode: "98052",
      firstName: "1kl as",
      lastName: "kjk",
      phoneNumber: "1234567890",
    },
    links: {
      self: {
        uri: "/customers/eebd1b55-5360-4438-a11d-5c06918c3014/profiles/billing",
        method: "GET",
        headers: [],
      },
    },
    attributes: { etag: "-4242348048554929329", objectType: "CustomerBillingProfile" },
  },
  relationshipToPartner: "reseller",
  allowDelegatedAccess: true,
  customDomains: ["abcdefgh1234.ccsctp.net"],
  links: {
    self: { uri: "/customers/eebd1b55-5360-4438-a11d-5c06918c3014", method: "GET", headers: [] },
  },
  attributes: { objectType: "Customer" },
};

/**
 * "Get a list of customers" (get-a-list-of-customers): `GET /v1/customers?size={size}`, `size` required (the
 * example asks for 40). Response example.
 */
export const customerList = {
  totalCount: 2,
  items: [
    {
      id: "b44bb1fb-c595-45b0-9e09-d657365580bf",
      companyProfile: {
        tenantId: "<guid>",
        domain: "domain",
        companyName: "companyName",
        attributes: { objectType: "CustomerCompanyProfile" },
      },
      relationshipToPartner: "reseller",
      attributes: { objectType: "Customer" },
    },
    {
      id: "45c44870-ef77-4fdd-b6fe-3dacb075cff2",
      companyProfile: {
        tenantId: "<guid>",
        domain: "domain",
        companyName: "companyName",
        attributes: { objectType: "CustomerCompanyProfile" },
      },
      relationshipToPartner: "reseller",
      attributes: { objectType: "Customer" },
    },
  ],
  links: { self: { uri: "/v1/customers?size=40", method: "GET", headers: [] } },
  attributes: { objectType: "Collection" },
};

/**
 * A continuation link: `links.next` with the MS-ContinuationToken header to resend ("Get invoice unbilled
 * reconciliation line items", get-invoice-unbilled-recon-lineitems, response example 1). No customer-list
 * example shows one; the shape is the same wherever Partner Center pages.
 */
export const continuationLinks = {
  self: {
    uri: "/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=usd&period=previous&size=2000",
    method: "GET",
    headers: [],
  },
  next: {
    uri: "/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=usd&period=previous&size=2000&seekOperation=Next",
    method: "GET",
    headers: [{ key: "MS-ContinuationToken", value: "AQAAAA==" }],
  },
};

/**
 * "Remove the reseller relationship with a customer" (remove-a-reseller-relationship-with-a-customer, and
 * its French localized copy): request body of `PATCH /v1/customers/{id}`.
 */
export const removalRequest = { relationshipToPartner: "none", attributes: { objectType: "Customer" } };

/** The same page's 200 response: PascalCase, mostly null. */
export const removalResponse = {
  Id: null,
  CommerceId: null,
  CompanyProfile: null,
  BillingProfile: null,
  RelationshipToPartner: "none",
  AllowDelegatedAccess: null,
  UserCredentials: null,
  CustomDomains: null,
  AssociatedPartnerId: null,
  Attributes: { ObjectType: "Customer" },
};

/**
 * "Get a collection of entitlements" (get-a-collection-of-entitlements), first response example: a
 * `reservedinstance` entitlement and a `software` one. The published text lacks the comma before
 * `dynamicAttributes`; added here.
 */
export const entitlements = {
  totalCount: 2,
  items: [
    {
      includedEntitlements: [],
      referenceOrder: { id: "KaJ8XvkKc_GoNZOUyjVaRJalTBN5MWdV1", lineItemId: "0" },
      productId: "DZH318Z0BQ3W",
      quantity: 1,
      entitledArtifacts: [
        {
          link: {
            uri: "/customers/18ac2950-8ea9-4dfc-92a4-ff4d4cd57796/artifacts/reservedinstance/groups/2caf524395724e638ef64e109f1f79ca/lineitems/03500b1b-f2d6-4e23-ab4b-9fd67b917012/resource/ebf2e74b-630e-4a09-857d-a1f6c6351336",
            method: "GET",
            headers: [],
          },
          resourceId: "ebf2e74b-630e-4a09-857d-a1f6c6351336",
          artifactType: "reservedinstance",
        },
      ],
      skuId: "007J",
      entitlementType: "reservedinstance",
      dynamicAttributes: { reservationType: "virtualmachines" },
    },
    {
      includedEntitlements: [
        {
          includedEntitlements: [],
          referenceOrder: { id: "NUXMSvmS20EQ4kFsZmzkSqb747fqKmNk1", lineItemId: "0" },
          productId: "DG7GMGF0DWTJ",
          quantity: 1,
          entitledArtifacts: [],
          skuId: "0001",
          entitlementType: "software",
        },
        {
          includedEntitlements: [],
          referenceOrder: { id: "NUXMSvmS20EQ4kFsZmzkSqb747fqKmNk1", lineItemId: "0" },
          productId: "DG7GMGF0DWLG",
          quantity: 1,
          entitledArtifacts: [],
          skuId: "0002",
          entitlementType: "software",
        },
      ],
      referenceOrder: { id: "NUXMSvmS20EQ4kFsZmzkSqb747fqKmNk1", lineItemId: "0" },
      productId: "DG7GMGF0DWTK",
      quantity: 1,
      entitledArtifacts: [],
      skuId: "0002",
      entitlementType: "software",
    },
  ],
  attributes: { objectType: "Collection" },
};

/**
 * A legacy virtual machine reserved instance. The same page ("API Consumers") documents the type value
 * `virtualmachinereservedinstance` (`?entitlementType=virtualmachinereservedinstance`) but publishes no item
 * for it: this is the reservedinstance item above with that type, an assumption, not a transcription.
 */
export const vmReservedInstance = {
  ...entitlements.items[0]!,
  entitlementType: "virtualmachinereservedinstance",
};

/**
 * "Get a customer's subscriptions" (get-all-of-a-customer-s-subscriptions), response example: a legacy
 * subscription, its etag only in `attributes.etag`. (The published dates carry stray spaces, kept.)
 */
export const legacySubscriptions = {
  totalCount: 37,
  items: [
    {
      id: "83ef9d05-4169-4ef9-9657-0e86b1eab1de",
      entitlementId: "a356ac8c-e310-44f4-bf85-C7f29044af99",
      friendlyName: "nickname",
      quantity: 1,
      unitType: "none",
      creationDate: "2015-11-25T06: 41: 12Z",
      effectiveStartDate: "2015-11-24T08: 00: 00Z",
      commitmentEndDate: "2016-12-12T08: 00: 00Z",
      status: "active",
      autoRenewEnabled: false,
      billingType: "none",
      contractType: "subscription",
      links: {
        offer: { uri: "/v1/offers/0CCA44D6-68E9-4762-94EE-31ECE98783B9", method: "GET", headers: [] },
        self: { uri: "/subscriptions?key=<key>", method: "GET", headers: [] },
      },
      orderId: "6183db3d-6318-4e52-877e-25806e4971be",
      attributes: { etag: "<etag>", objectType: "Subscription" },
    },
  ],
  attributes: { objectType: "Collection" },
};

/**
 * A new-commerce subscription: no etag anywhere ("Change the quantity of a subscription",
 * change-the-quantity-of-a-subscription, request example for new commerce; its `// original value = 10`
 * comment dropped).
 */
export const newCommerceSubscription = {
  id: "a4c1340d-6911-4758-bba3-0c4c6007d161",
  offerId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
  offerName: "Microsoft 365 Business Basic",
  friendlyName: "Microsoft 365 Business Basic",
  productType: { id: "OnlineServicesNCE", displayName: "OnlineServicesNCE" },
  quantity: 1,
  unitType: "Licenses",
  hasPurchasableAddons: false,
  creationDate: "2021-01-14T16:57:15.0966728Z",
  effectiveStartDate: "2021-01-14T16:57:14.498252Z",
  commitmentEndDate: "2022-01-13T00:00:00Z",
  status: "active",
  autoRenewEnabled: true,
  isTrial: false,
  billingType: "license",
  billingCycle: "monthly",
  termDuration: "P1Y",
  renewalTermDuration: "",
  refundOptions: [{ type: "Full", expiresAt: "2021-01-15T00:00:00Z" }],
  isMicrosoftProduct: true,
  partnerId: "",
  attentionNeeded: false,
  actionTaken: false,
  contractType: "subscription",
  links: {
    product: { uri: "/products/CFQ7TTC0LH18?country=US", method: "GET", headers: [] },
    sku: { uri: "/products/CFQ7TTC0LH18/skus/0001?country=US", method: "GET", headers: [] },
    availability: {
      uri: "/products/CFQ7TTC0LH18/skus/0001/availabilities/CFQ7TTC0K971?country=US",
      method: "GET",
      headers: [],
    },
    self: {
      uri: "/customers/d8202a51-69f9-4228-b900-d0e081af17d7/subscriptions/a4c1340d-6911-4758-bba3-0c4c6007d161",
      method: "GET",
      headers: [],
    },
  },
  publisherName: "Microsoft Corporation",
  orderId: "34b37d7340cc",
  attributes: { objectType: "Subscription" },
};

/**
 * "Suspend a subscription" (suspend-a-subscription): the request body (the full resource, PascalCase, status
 * `suspended`, etag in `Attributes.Etag`), sent with `If-Match: <etag>`.
 */
export const suspendRequest = {
  Id: "83ef9d05-4169-4ef9-9657-0e86b1eab1de",
  FriendlyName: "nickname",
  Quantity: 2,
  UnitType: "none",
  ParentSubscriptionId: null,
  CreationDate: "2015-11-25T06:41:12Z",
  EffectiveStartDate: "2015-11-24T08:00:00Z",
  CommitmentEndDate: "2016-12-12T08:00:00Z",
  Status: "suspended",
  AutoRenewEnabled: false,
  BillingType: "none",
  PartnerId: null,
  ContractType: "subscription",
  OrderId: "6183db3d-6318-4e52-877e-25806e4971be",
  Attributes: { Etag: "<etag>", ObjectType: "Subscription" },
};

/** The same page's response example: the updated Subscription, PascalCase. */
export const suspendResponse = {
  Id: "83ef9d05-4169-4ef9-9657-0e86b1eab1de",
  FriendlyName: "nickname",
  Quantity: 2,
  UnitType: "none",
  ParentSubscriptionId: null,
  CreationDate: "2015-11-25T06:41:12Z",
  EffectiveStartDate: "2015-11-24T08:00:00Z",
  CommitmentEndDate: "2016-12-12T08:00:00Z",
  Status: "suspended",
  AutoRenewEnabled: false,
  BillingType: "none",
  PartnerId: null,
  ContractType: "subscription",
  Links: {
    Offer: { Uri: "/v1/offers/0CCA44D6-68E9-4762-94EE-31ECE98783B9", Method: "GET", Headers: [] },
    Entitlement: { Uri: "/entitlements?key=<key>", Method: "GET", Headers: [] },
    Self: { Uri: "/subscriptions?key=<key>", Method: "GET", Headers: [] },
  },
  OrderId: "6183db3d-6318-4e52-877e-25806e4971be",
  Attributes: { Etag: "<etag>", ObjectType: "Subscription" },
};

/** "Request a reseller relationship" (request-reseller-relationship), response example. */
export const relationshipRequest = {
  url: "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=3b33e682-00c3-41ee-9dd2-a548adf56438&msppId=0&DAP=false#/BillingAccounts/partner-invitation",
  attributes: { objectType: "RelationshipRequest" },
};

/**
 * "Partner Center REST error codes" (error-codes): the error schema, `code` a string ("Always returned ...
 * Non-null"), with the table's row for a stale etag: HTTP 400, code 2055, "Etag is no longer valid".
 */
export const staleEtagError = {
  code: "2055",
  description: "Etag is no longer valid",
  data: [],
  source: "PartnerFD",
};

/**
 * An error body published with a numeric `code` ("Change the quantity of a subscription", response example
 * for new-commerce license reduction): the documentation disagrees with itself, so both must be accepted.
 */
export const numericCodeError = {
  code: 800090,
  description: "Subscription quantity cannot be decreased.",
  data: [],
  source: "PartnerFD",
};

/** "API throttling guidance" (api-throttling-guidance): the 429 answer, not the error schema. */
export const throttled = {
  status: 429,
  headers: { "Retry-After": "57", "Content-Type": "application/json" },
  body: { statusCode: 429, message: "Rate limit is exceeded. Try again in 57 seconds." },
};

/**
 * A documented list made whole: the published examples announce more items in `totalCount` than they show
 * (the subscriptions example says 37 and shows one), which the client refuses, by design, as a list that does
 * not add up (a missing active subscription would let a removal through). Tests that need the example's items
 * served as a complete answer use this; the example as published is tested to be refused.
 */
export function wholeList<T extends { items: readonly unknown[] }>(list: T): T & { totalCount: number } {
  return { ...list, totalCount: list.items.length };
}

/**
 * A software subscription (productType `Software`) with the new-commerce term fields, among them the
 * cancellation window `cancellationAllowedUntilDate`: "Update billing frequency for software subscriptions"
 * (update-billing-frequency-for-software-subscriptions), response example. Its `// original value = null`
 * comment dropped. The removal rules read `termDuration`, `commitmentEndDate`, `cancellationAllowedUntilDate`,
 * `autoRenewEnabled` and `productType` from it.
 */
export const softwareSubscription = {
  id: "d3b7c9a2-9a4b-40b2-b075-6e442909e3e7",
  offerId: "DG7GMGF0DVSV:000P:DG7GMGF0F3Q9",
  offerName: "Windows Server Remote Desktop Services CAL - 1 User CAL \u2013 3 year",
  friendlyName: "Windows Server Remote Desktop Services CAL - 1 User CAL \u2013 3 year",
  productType: { id: "Software", displayName: "Software" },
  quantity: 1,
  unitType: "Licenses",
  hasPurchasableAddons: false,
  creationDate: "2021-09-14T16:44:14.1210743Z",
  effectiveStartDate: "2021-09-14T16:44:03.4609789Z",
  commitmentEndDate: "2024-09-13T00:00:00Z",
  cancellationAllowedUntilDate: "2021-10-14T23:59:00Z",
  status: "active",
  autoRenewEnabled: true,
  scheduledNextTermInstructions: {
    product: {
      productId: "DG7GMGF0DVSV",
      skuId: "000P",
      availabilityId: "DG7GMGF0F3Q9",
      billingCycle: "Annual",
      termDuration: "P3Y",
    },
    quantity: 1,
  },
  isTrial: false,
  billingType: "license",
  billingCycle: "triennial",
  termDuration: "P3Y",
  renewalTermDuration: "",
  isMicrosoftProduct: true,
  partnerId: "",
  attentionNeeded: false,
  actionTaken: false,
  contractType: "subscription",
  links: {
    product: { uri: "/products/DG7GMGF0DVSV?country=US", method: "GET", headers: [] },
    sku: { uri: "/products/DG7GMGF0DVSV/skus/000P?country=US", method: "GET", headers: [] },
    availability: {
      uri: "/products/DG7GMGF0DVSV/skus/000P/availabilities/DG7GMGF0F3Q9?country=US",
      method: "GET",
      headers: [],
    },
    self: {
      uri: "/customers/1f53d7b3-cd04-43a3-a09f-e52f3eb3c205/subscriptions/d3b7c9a2-9a4b-40b2-b075-6e442909e3e7",
      method: "GET",
      headers: [],
    },
  },
  publisherName: "Microsoft",
  orderId: "123456789101",
  attributes: { objectType: "Subscription" },
};

/**
 * "Partner Center REST error codes" (error-codes), the table's rows a removal can meet, in the documented error
 * schema (`code` a string). 800063 is the documented refusal that names subscriptions ("This order {0} cannot be
 * cancelled. Use PATCH /customers/{1}/subscriptions/<subscriptionId> to suspend subscriptions"; the `{0}`/`{1}`
 * placeholders kept as published); 900150 and 2032 are the 403 rows for an account that may not act, which is
 * how an indirect reseller's removal is refused ("Indirect resellers can't remove relationships with the
 * customer; they must work through the Indirect Provider to do so", "How to remove a reseller relationship with
 * a customer in Partner Center"); the table has no row of its own for that case.
 */
export const removalRefusals = {
  orderCannotBeCancelled: {
    status: 400,
    body: {
      code: "800063",
      description:
        "This order {0} cannot be cancelled. Use PATCH /customers/{1}/subscriptions/<subscriptionId> to suspend subscriptions",
      data: [],
      source: "PartnerFD",
    },
  },
  roleLacksRights: {
    status: 403,
    body: {
      code: "900150",
      description: "The supplied role does not have the rights to perform the requested operation",
      data: [],
      source: "PartnerFD",
    },
  },
  accessDenied: {
    status: 403,
    body: { code: "2032", description: "Access denied", data: [], source: "PartnerFD" },
  },
  /** The table's 404 row: "Not found". */
  notFound: { status: 404, body: { code: "1000", description: "Not found", data: [], source: "PartnerFD" } },
  /**
   * The table's 400 3000 is "Invalid property"; its description for a relationship that is not there is
   * "The relationship between the partner and customer does not exist" (as Partner Center answered it to the
   * PowerShell module's Remove-PartnerResellerRelationship, microsoft/Partner-Center-PowerShell#51): an
   * observation, not a transcription.
   */
  relationshipDoesNotExist: {
    status: 400,
    body: {
      code: "3000",
      description: "The relationship between the partner and customer does not exist",
      data: [],
      source: "PartnerFD",
    },
  },
};

/**
 * "Get a collection of entitlements" (get-a-collection-of-entitlements), API Consumers: "Partners who are using
 * the API to query virtual machine reserved instance entitlements - Update the request URI from
 * /customers/{customerId}/entitlements to /customers/{customerId}/entitlements?entitlementType=virtualmachinereservedinstance
 * to maintain backward compatibility." The query, as documented.
 */
export const legacyVmReservationQuery = "entitlementType=virtualmachinereservedinstance";
