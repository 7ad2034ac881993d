/**
 * Customers: `GET /v1/customers` (paged), `GET /v1/customers/{id}`, and `PATCH /v1/customers/{id}` that removes
 * the reseller relationship (seed: remove-a-reseller-relationship), refused while Microsoft's rules forbid it.
 */
import {
  isGuid,
  isNewCommerce,
  isReservedInstanceType,
  type CustomerState,
  type EntitlementState,
} from "../estate";
import { getCI, isResult, link, parseBody, pcError, type ApiResult, type Ctx } from "../results";
import type { Store } from "../state";
import { page } from "./paging";

export function customerResource(c: CustomerState): Record<string, unknown> {
  return {
    id: c.id,
    commerceId: c.commerceId,
    companyProfile: {
      tenantId: c.id,
      domain: c.domain,
      companyName: c.companyName,
      address: {
        country: "US",
        region: "WA",
        city: "Redmond",
        addressLine1: "1 Microsoft Way",
        postalCode: "98052",
        phoneNumber: "4255550100",
      },
      email: `admin@${c.domain}`,
      links: { self: link(`/customers/${c.id}/profiles/company`) },
      attributes: { objectType: "CustomerCompanyProfile" },
    },
    billingProfile: {
      id: c.commerceId.replace(/^(.{8})/, "b0000000"),
      firstName: "Billing",
      lastName: "Admin",
      email: `billing@${c.domain}`,
      culture: "EN-US",
      language: "En",
      companyName: c.companyName,
      defaultAddress: {
        country: "US",
        city: "Redmond",
        state: "WA",
        addressLine1: "1 Microsoft Way",
        postalCode: "98052",
        firstName: "Billing",
        lastName: "Admin",
        phoneNumber: "4255550100",
      },
      links: { self: link(`/customers/${c.id}/profiles/billing`) },
      attributes: { etag: c.commerceId.slice(0, 8), objectType: "CustomerBillingProfile" },
    },
    relationshipToPartner: c.relationshipToPartner,
    allowDelegatedAccess: c.allowDelegatedAccess,
    customDomains: [c.domain],
    links: { self: link(`/customers/${c.id}`) },
    attributes: { objectType: "Customer" },
  };
}

export function listCustomers(ctx: Ctx, _params: string[], state: Store): ApiResult {
  const cap = state.config.customerPageSize;
  const raw = ctx.url.searchParams.get("size");
  let size = cap;
  if (raw !== null) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1)
      return pcError(400, 3000, `The size parameter must be a positive integer, got '${raw}'.`);
    size = Math.min(n, cap);
  }
  // Doc "Preconditions": a removed customer disappears from the partner's customer list.
  const related = state.estate.customers.filter((c) => c.relationshipToPartner.toLowerCase() !== "none");
  return page(
    ctx,
    related.map((c) => customerResource(c)),
    size,
    "customers",
    state.partnerTenantId(),
    `/v1/customers?size=${size}`,
    `/v1/customers?size=${size}`,
  );
}

export function getCustomer(_ctx: Ctx, [id]: string[], state: Store): ApiResult {
  // Propagation: a removal applied moments ago may not show yet.
  const p = isGuid(id!) ? state.propagating.get(id!.toLowerCase()) : undefined;
  const found = p && p.until > Date.now() ? state.find(id!) : undefined;
  if (found)
    return {
      status: 200,
      body: customerResource({ ...found, relationshipToPartner: p!.relationship }),
    };
  const c = state.related(id!);
  return isResult(c) ? c : { status: 200, body: customerResource(c) };
}

/** Remove the reseller relationship (seed: remove-a-reseller-relationship). */
export function patchCustomer(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const parsed = parseBody(ctx);
  if ("error" in parsed) return parsed.error;
  const b = parsed.value;
  const rel = getCI(b, "relationshipToPartner");
  if (typeof rel !== "string" || rel.toLowerCase() !== "none") {
    return pcError(
      400,
      3000,
      `Invalid property relationshipToPartner: only "none" (remove the reseller relationship) can be set, got ${JSON.stringify(rel ?? null)}.`,
    );
  }
  for (const [k, v] of Object.entries(b)) {
    const key = k.toLowerCase();
    if (key === "relationshiptopartner") continue;
    if (key === "attributes") {
      if (v === null) continue;
      const ot =
        typeof v === "object" && !Array.isArray(v)
          ? getCI(v as Record<string, unknown>, "objectType")
          : "bad";
      if (ot !== undefined && ot !== null && String(ot).toLowerCase() !== "customer") {
        return pcError(
          400,
          3000,
          `Invalid property attributes.objectType: expected "Customer", got ${JSON.stringify(ot)}.`,
        );
      }
      continue;
    }
    // The .NET SDK sends the whole Customer with nulls; an id equal to the path's is harmless.
    if (v === null || (key === "id" && typeof v === "string" && v.toLowerCase() === id!.toLowerCase()))
      continue;
    return pcError(
      400,
      3000,
      `Invalid property ${k}: only relationshipToPartner can be changed by this request.`,
    );
  }
  if (!isGuid(id!)) return pcError(400, 3000, `The customer tenant id '${id}' is not a GUID.`);
  const c = state.find(id!);
  if (!c) return pcError(404, 60003, `Tenant ${id!.toLowerCase()} was not found.`);
  if (c.relationshipToPartner.toLowerCase() === "none") {
    return pcError(400, 3000, "The relationship between the partner and customer does not exist.");
  }
  const refused = removalRefusal(c, Date.now());
  if (refused) return refused;
  const delay = state.config.propagationDelaySeconds;
  if (delay > 0) {
    state.propagating.set(c.id, { until: Date.now() + delay * 1000, relationship: c.relationshipToPartner });
  }
  c.relationshipToPartner = "none";
  c.removedAt = new Date().toISOString();
  state.counters.relationshipsRemoved++;
  return {
    status: 200,
    applied: true,
    // Exactly the seed's example response, PascalCase as documented.
    documentedCasing: "pascal",
    body: {
      id: null,
      commerceId: null,
      companyProfile: null,
      billingProfile: null,
      relationshipToPartner: "none",
      allowDelegatedAccess: null,
      userCredentials: null,
      customDomains: null,
      associatedPartnerId: null,
      attributes: { objectType: "Customer" },
    },
  };
}

/**
 * A reservation entitlement still live: not expired (`expiryDate`, "Get a collection of
 * entitlements") and some quantity not in an ended status. Only live ones hold up a removal.
 */
function isLiveReservation(e: EntitlementState, now: number): boolean {
  if (!isReservedInstanceType(e.entitlementType)) return false;
  if (Date.parse(e.expiryDate) <= now) return false;
  const ended = ["cancelled", "canceled", "expired", "deleted", "disabled", "suspended", "refunded"];
  return (
    e.quantityDetails.length === 0 || e.quantityDetails.some((q) => !ended.includes(q.status.toLowerCase()))
  );
}

/**
 * Why Partner Center would refuse to remove the relationship now, or null. Microsoft's rules ("Remove a
 * reseller relationship with a customer"; "How to remove a reseller relationship with a customer in Partner
 * Center"): open reserved instance orders cancelled (the observed text, missing space included), and no active
 * subscription, new commerce included, and no suspended new-commerce subscription (it still bills, so it must be
 * cancelled). Software entitlements (perpetual purchases) are not checked: the REST
 * page and sample do not, and the PATCH's answer to them is not documented.
 */
function removalRefusal(c: CustomerState, now: number): ApiResult | null {
  const riOrders = c.entitlements.filter((e) => isLiveReservation(e, now)).map((e) => e.referenceOrder.id);
  const activePlans = c.subscriptions.filter(
    (s) => s.status === "active" && s.productType.id.toLowerCase() === "azure" && s.billingType === "usage",
  );
  const orders = [...new Set([...riOrders, ...activePlans.map((s) => s.orderId)])];
  if (orders.length > 0) {
    return pcError(
      400,
      3000,
      `Customer relationship cannot be removed due to active Azure reserved instances.Please cancel the following orders: ${orders.join(", ")}`,
    );
  }
  const active = c.subscriptions.filter((s) => s.status === "active");
  if (active.length > 0) {
    return pcError(
      400,
      3000,
      `Customer relationship cannot be removed due to active subscriptions.Please suspend the following subscriptions: ${active.map((s) => s.id).join(", ")}`,
    );
  }
  // "For suspended NCE subscriptions, partners will continue to be billed. NCE subscriptions must be cancelled
  // for the reselling relationship to be removed" ("How to remove a reseller relationship with a customer in
  // Partner Center"). What the PATCH answers then is not documented: the error table's 800063 ("This order {0}
  // cannot be cancelled. Use PATCH /customers/{1}/subscriptions/<subscriptionId> to suspend subscriptions",
  // "Partner Center REST error codes") is the documented refusal that names subscriptions; its description here
  // names the suspended new-commerce ones that must be cancelled instead.
  const suspendedNce = c.subscriptions.filter(
    (s) => s.status === "suspended" && isNewCommerce(s.productType.id),
  );
  if (suspendedNce.length > 0) {
    return pcError(
      400,
      800063,
      `Customer relationship cannot be removed: new-commerce subscriptions must be cancelled, suspending them is not enough: ${suspendedNce.map((s) => s.id).join(", ")}`,
    );
  }
  return null;
}
