/**
 * Entitlements: `GET /v1/customers/{id}/entitlements[?entitlementType=&showExpiry=true]` and a subscription's
 * `GET /v1/customers/{id}/subscriptions/{sid}/azureEntitlements`.
 */
import { isReservedInstanceType } from "../estate";
import { isResult, link, type ApiResult, type Ctx } from "../results";
import type { Store } from "../state";
import { page } from "./paging";

/** The legacy type, listed only when asked for by name (see {@link listEntitlements}). */
const LEGACY_VM_RESERVATION = "virtualmachinereservedinstance";

export function listAzureEntitlements(_ctx: Ctx, [id, sid]: string[], state: Store): ApiResult {
  const c = state.related(id!);
  if (isResult(c)) return c;
  const s = state.subscription(c, sid!);
  if (isResult(s)) return s;
  const items = (c.azureEntitlements[s.id.toLowerCase()] ?? []).map((a) => ({ ...a }));
  return {
    status: 200,
    body: { totalCount: items.length, items, attributes: { objectType: "Collection" } },
  };
}

export function listEntitlements(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const c = state.related(id!);
  if (isResult(c)) return c;
  const q = ctx.url.searchParams;
  const type = q.get("entitlementType");
  const showExpiry = (q.get("showExpiry") ?? "").toLowerCase() === "true";
  // "Get a collection of entitlements", API Consumers: partners querying virtual machine reserved instance
  // entitlements must "update the request URI from /customers/{customerId}/entitlements to
  // /customers/{customerId}/entitlements?entitlementType=virtualmachinereservedinstance to maintain backward
  // compatibility": the plain list no longer holds them; the filter does.
  const items = c.entitlements
    .filter((e) =>
      type === null
        ? e.entitlementType.toLowerCase() !== LEGACY_VM_RESERVATION
        : e.entitlementType.toLowerCase() === type.toLowerCase(),
    )
    .map((e) => {
      const out: Record<string, unknown> = {
        includedEntitlements: [],
        referenceOrder: { ...e.referenceOrder },
        productId: e.productId,
        quantity: e.quantity,
        quantityDetails: e.quantityDetails.map((d) => ({ ...d })),
        skuId: e.skuId,
        // Each artifact with its link and resource id, as in "Get a collection of entitlements".
        entitledArtifacts: e.entitledArtifacts.map((a, i) => {
          const resourceId = a.resourceId ?? `${e.referenceOrder.id}-${i}`;
          return {
            link: link(
              `/customers/${c.id}/artifacts/${a.artifactType}/groups/${e.referenceOrder.id}/lineitems/${e.referenceOrder.lineItemId}/resource/${resourceId}`,
            ),
            resourceId,
            ...structuredClone(a),
          };
        }),
        entitlementType: e.entitlementType,
        fulfillmentState: e.fulfillmentState,
      };
      // The example carries the reservation type on the entitlement itself.
      const dyn = e.entitledArtifacts.find((a) => a.dynamicAttributes)?.dynamicAttributes;
      if (isReservedInstanceType(e.entitlementType)) {
        out.dynamicAttributes = { reservationType: "virtualmachines", ...dyn };
      }
      if (showExpiry) out.expiryDate = e.expiryDate;
      return out;
    });
  const keep = new URLSearchParams();
  if (type !== null) keep.set("entitlementType", type);
  if (showExpiry) keep.set("showExpiry", "true");
  const uri = `/v1/customers/${c.id}/entitlements${keep.size ? `?${keep.toString()}` : ""}`;
  const size = c.entitlementPageSize ?? state.config.subscriptionPageSize;
  return page(ctx, items, size, "entitlements", `${c.id}|${type ?? ""}`, uri, uri);
}
