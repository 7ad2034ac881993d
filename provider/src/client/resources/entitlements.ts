/**
 * Entitlements: `GET /v1/customers/{id}/entitlements` (every page), and the same with
 * `entitlementType=virtualmachinereservedinstance` for legacy VM reservations. Reserved instances appear as
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

/**
 * The entitlement type asked for separately: "Partners who are using the API to query virtual machine reserved
 * instance entitlements - Update the request URI from /customers/{customerId}/entitlements to
 * /customers/{customerId}/entitlements?entitlementType=virtualmachinereservedinstance to maintain backward
 * compatibility" ("Get a collection of entitlements", API Consumers,
 * https://learn.microsoft.com/partner-center/developer/get-a-collection-of-entitlements). So the plain list may
 * not hold legacy VM reservations, and those block a removal ("Remove a reseller relationship with a customer").
 */
export const LEGACY_VM_RESERVATION_TYPE = "virtualmachinereservedinstance";

/** The entitlements API. */
export function entitlementsApi(t: Transport) {
  const read = (customerId: string, query: Record<string, string>, o: RequestOptions) =>
    listAll(t, {
      ...o,
      path: `${customerPath(customerId)}/entitlements`,
      query,
      customerId,
      schema: collectionSchema(entitlementSchema),
      keepRaw: true,
    });
  return {
    /**
     * Every entitlement of the customer (every page), with `showExpiry=true` so that each carries its
     * `expiryDate` ("Get a collection of entitlements": "set the optional boolean parameter showExpiry to true
     * ... entitlement expiry dates are required (when applicable)"): an expired reservation must not block.
     * Two reads at once: the plain list, and the legacy VM reservations with
     * `entitlementType=virtualmachinereservedinstance` (see {@link LEGACY_VM_RESERVATION_TYPE}); an item both
     * answer (a service that still lists them in the plain list, or ignores the filter) counts once.
     */
    async list(customerId: string, o: RequestOptions = {}): Promise<Entitlement[]> {
      // One read failing fails the list: the other is aborted rather than left to run (and retry) for nothing.
      const both = new AbortController();
      const outer = o.signal;
      const relay = () => both.abort(outer?.reason);
      if (outer?.aborted) relay();
      else outer?.addEventListener("abort", relay, { once: true });
      const { requestId: _one, ...rest } = o;
      const failTogether = <T>(p: Promise<T>) =>
        p.catch((e: unknown) => {
          both.abort(e);
          throw e;
        });
      try {
        const [all, legacy] = await Promise.all([
          failTogether(read(customerId, { showExpiry: "true" }, { ...o, signal: both.signal })),
          failTogether(
            read(
              customerId,
              { entitlementType: LEGACY_VM_RESERVATION_TYPE, showExpiry: "true" },
              { ...rest, signal: both.signal },
            ),
          ),
        ]);
        const seen = new Set(all.map(({ raw }) => JSON.stringify(raw)));
        const extra = legacy.filter(({ raw }) => !seen.has(JSON.stringify(raw)));
        return [...all, ...extra].map(({ item }) => toEntitlement(item));
      } finally {
        outer?.removeEventListener("abort", relay);
      }
    },
  };
}
