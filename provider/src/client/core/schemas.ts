/**
 * Response schemas (zod). Partner Center documents camelCase JSON, but some responses are PascalCase (the
 * remove-relationship example answers `"RelationshipToPartner":"none"`) and the .NET SDK sends PascalCase: so
 * property names are normalised before validation ({@link normalizeKeys}) and enum values are compared in
 * lower case. `z.object` strips the fields we do not use.
 */
import { z } from "zod";

/** Keys that must never become properties of an object we build (prototype pollution). */
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The spelling of every property the schemas read. A key matching one of these in any casing (`ETag`,
 * `Etag`, `etag`) takes this spelling; any other key only gets its first letter lowered.
 */
const CANONICAL = new Map(
  [
    "attributes",
    "autoRenewEnabled",
    "billingType",
    "cancellationAllowedUntilDate",
    "code",
    "companyName",
    "commitmentEndDate",
    "companyProfile",
    "data",
    "description",
    "displayName",
    "domain",
    "entitlementType",
    "etag",
    "expiryDate",
    "friendlyName",
    "fulfillmentState",
    "headers",
    "id",
    "items",
    "key",
    "links",
    "message",
    "method",
    "next",
    "objectType",
    "offerId",
    "offerName",
    "productId",
    "productType",
    "quantity",
    "quantityDetails",
    "referenceOrder",
    "relationshipToPartner",
    "skuId",
    "status",
    "statusCode",
    "subscriptionId",
    "tenantId",
    "termDuration",
    "totalCount",
    "unitType",
    "uri",
    "url",
    "value",
  ].map((k) => [k.toLowerCase(), k]),
);

/**
 * The comparable form of an enum value from the service: Unicode NFKC (full-width and compatibility forms
 * folded), invisible format and control characters removed (zero-width spaces, bidi marks), surrounding
 * whitespace trimmed, lower-cased. Partner Center's enum casing varies
 * (docs/design/partner-center-contract.md#casing); the rest is so that a stray character can never turn a blocking value into an unknown one
 * that a deny-list would let through.
 */
export function normalizeEnum(value: string): string {
  return value
    .normalize("NFKC")
    .replace(/[\p{Cf}\p{Cc}]/gu, "")
    .replace(/^[\s\p{Z}]+|[\s\p{Z}]+$/gu, "")
    .toLowerCase();
}

/**
 * A deep copy of parsed JSON with camelCase property names, built on null-prototype objects and without
 * `__proto__`, `constructor` or `prototype` keys. When two keys collide (`Id` and `id`), the one already
 * camelCase wins.
 */
export function normalizeKeys(value: unknown, depth = 0): unknown {
  if (depth > 64) return undefined; // Partner Center resources are shallow; refuse pathological nesting.
  if (Array.isArray(value)) return value.map((v) => normalizeKeys(v, depth + 1));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, v] of Object.entries(value)) {
    if (FORBIDDEN.has(key)) continue;
    const name = CANONICAL.get(key.toLowerCase()) ?? key.charAt(0).toLowerCase() + key.slice(1);
    if (FORBIDDEN.has(name)) continue;
    if (name in out && key !== name) continue;
    out[name] = normalizeKeys(v, depth + 1);
  }
  return out;
}

const optText = z.string().nullish();

/** The error body (docs/design/partner-center-contract.md#errors), and the non-standard 429 body. */
export const errorBodySchema = z.object({
  code: z.union([z.string(), z.number()]).nullish(),
  description: optText,
  /** 429 bodies: `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}` */
  statusCode: z.union([z.string(), z.number()]).nullish(),
  message: optText,
});

/** `links.next` of a paged collection: resend its headers (MS-ContinuationToken) to get the next page. */
export const nextLinkSchema = z.object({
  uri: z.string(),
  method: optText,
  headers: z.array(z.object({ key: z.string(), value: z.string() })).nullish(),
});

/** The collection envelope `{totalCount, items, links, attributes}`; items are validated by the caller's schema. */
export function collectionSchema<T extends z.ZodType>(item: T) {
  return z.object({
    totalCount: z.number().nullish(),
    items: z.array(item),
    links: z.object({ next: nextLinkSchema.nullish() }).nullish(),
  });
}

/** Customer: GET /v1/customers/{id}, the customer list, and the (mostly null) PATCH response. */
export const customerSchema = z.object({
  id: optText,
  companyProfile: z.object({ tenantId: optText, domain: optText, companyName: optText }).nullish(),
  relationshipToPartner: optText,
});

/**
 * Subscription: the fields the client maps; the whole object is kept raw for the suspend PATCH. The etag is
 * read from `attributes.etag` only: that is where "Subscription resources" (ResourceAttributes) and the "Get a
 * customer's subscriptions" example put it (https://learn.microsoft.com/partner-center/developer/get-all-of-a-customer-s-subscriptions);
 * a top-level `etag` is not documented and is ignored.
 */
export const subscriptionSchema = z.object({
  id: z.string(),
  offerId: optText,
  offerName: optText,
  friendlyName: optText,
  status: z.string(),
  billingType: optText,
  unitType: optText,
  productType: z.object({ id: optText, displayName: optText }).nullish(),
  attributes: z.object({ etag: optText, objectType: optText }).nullish(),
  // Term fields ("Subscription resources"; the new-commerce and software examples, e.g. "Update billing
  // frequency for software subscriptions"): dates as ISO 8601 strings, kept as sent.
  termDuration: optText,
  commitmentEndDate: optText,
  /** The last date the subscription can be cancelled (new commerce only); null when it cannot be. */
  cancellationAllowedUntilDate: optText,
  autoRenewEnabled: z.boolean().nullish(),
});

/** Entitlement: GET /v1/customers/{id}/entitlements. */
export const entitlementSchema = z.object({
  entitlementType: z.string(),
  referenceOrder: z.object({ id: optText }).nullish(),
  productId: optText,
  skuId: optText,
  fulfillmentState: optText,
  quantityDetails: z.array(z.object({ quantity: z.number().nullish(), status: optText })).nullish(),
  /** Served only with `showExpiry=true` ("Get a collection of entitlements"); none for on-premises types. */
  expiryDate: optText,
});

/** Azure entitlement of an Azure plan: GET /v1/customers/{id}/subscriptions/{id}/azureEntitlements. */
export const azureEntitlementSchema = z.object({
  id: z.string(),
  friendlyName: optText,
  status: z.string(),
  subscriptionId: optText,
});

/** GET /v1/customers/relationshiprequests. */
export const relationshipRequestSchema = z.object({ url: z.url() });
