/**
 * Entitlements: `GET /v1/customers/{id}/entitlements` (every page). Reserved instances appear as
 * `reservedInstance` or the legacy `VirtualMachineReservedInstance`, in any casing: the type is kept as sent.
 */
import type { z } from "zod";
import { customerPath } from "./customers";
import { collectionSchema, entitlementSchema } from "../core/schemas";
import { listAll } from "../core/pagination";
import type { Transport } from "../core/transport";
import type { RequestOptions } from "../core/transport";

export interface Entitlement {
  /** As sent, e.g. "software", "reservedInstance", "VirtualMachineReservedInstance". */
  entitlementType: string;
  /** referenceOrder.id, or productId when there is none. */
  id: string;
  productId: string | undefined;
  skuId: string | undefined;
  /** fulfillmentState or the first quantityDetails status, lower-cased; "" when unknown. */
  status: string;
  /** `expiryDate` (read with `showExpiry=true`), as sent; undefined when the service gave none. */
  expiryDate?: string | undefined;
  /** `quantityDetails` as sent (status lower-cased), undefined when absent. */
  quantityDetails?: { quantity: number | undefined; status: string }[] | undefined;
}

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
