/**
 * The emulated partner's estate: its customers, their subscriptions, entitlements and Azure
 * entitlements. {@link Estate} is what users write (JSON or TypeScript, most fields optional);
 * {@link normaliseEstate} (this file) validates it and fills every omitted field, producing the
 * {@link CustomerState} records the server serves and mutates.
 *
 * Field names and enumerations follow docs/design/partner-center-contract.md (#endpoints, #enumerations).
 */
import { createHash } from "node:crypto";
import {
  DEFAULT_PARTNER_TENANT_ID,
  EstateValidationError,
  RELATIONSHIPS,
  SUBSCRIPTION_STATUSES,
} from "./types";
import type {
  AzureEntitlementState,
  CustomerState,
  EntitledArtifact,
  EntitlementState,
  EstateState,
  ProductType,
  SubscriptionState,
} from "./types";

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

/**
 * New commerce by product type: OnlineServicesNCE, and Software, which follows the new-commerce cancellation
 * policy ("Cancel software purchases"). Any casing.
 */
export function isNewCommerce(productTypeId: string): boolean {
  const t = productTypeId.toLowerCase();
  return t === "onlineservicesnce" || t === "software";
}

/** True for `reservedInstance` and `virtualMachineReservedInstance` in any casing (docs/design/partner-center-contract.md#preconditions-for-removing-a-reseller-relationship). */
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
  const isNce = isNewCommerce(productType.id);
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
