/**
 * Entitlements: `GET /v1/customers/{id}/entitlements` (every page). Reserved instances appear as
 * `reservedInstance` or the legacy `VirtualMachineReservedInstance`, in any casing: the type is kept as sent.
 */
import type { z } from "zod";
import { customerPath } from "./customers";
import { collectionSchema, entitlementSchema } from "./schemas";
import { listAll, type Transport } from "./transport";
import type { Entitlement, RequestOptions } from "./index";

export function toEntitlement(e: z.output<typeof entitlementSchema>): Entitlement {
  return {
    entitlementType: e.entitlementType,
    id: e.referenceOrder?.id ?? e.productId ?? "",
    productId: e.productId ?? undefined,
    skuId: e.skuId ?? undefined,
    // fulfillmentState is SDK-only and its values undocumented; quantityDetails carries a status otherwise.
    status: (e.fulfillmentState ?? e.quantityDetails?.find((q) => q.status)?.status ?? "").toLowerCase(),
    expiryDate: e.expiryDate || undefined,
    quantityDetails: e.quantityDetails?.map((q) => ({
      quantity: q.quantity ?? undefined,
      status: (q.status ?? "").toLowerCase(),
    })),
  };
}

/** The entitlements API. */
export function entitlementsApi(t: Transport) {
  return {
    /**
     * Every entitlement of the customer (every page), with `showExpiry=true` so that each carries its
     * `expiryDate` ("Get a collection of entitlements": "set the optional boolean parameter showExpiry to true
     * ... entitlement expiry dates are required (when applicable)"): an expired reservation must not block.
     */
    async list(customerId: string, o: RequestOptions = {}): Promise<Entitlement[]> {
      const items = await listAll(t, {
        ...o,
        path: `${customerPath(customerId)}/entitlements`,
        query: { showExpiry: "true" },
        customerId,
        schema: collectionSchema(entitlementSchema),
      });
      return items.map(({ item }) => toEntitlement(item));
    },
  };
}
