/**
 * Subscriptions: `GET /v1/customers/{id}/subscriptions` (every page: no paging is documented, but a
 * `links.next` is followed if one appears), suspending one (`PATCH .../subscriptions/{id}` with `If-Match:
 * <etag>` and the full Subscription resource with `"status": "suspended"`, "Suspend a subscription" in the
 * Partner Center REST docs), and the Azure entitlements of an Azure plan.
 */
import type { z } from "zod";
import { ResponseValidationError } from "../errors";
import { customerPath, pathSegment } from "./customers";
import { azureEntitlementSchema, collectionSchema, subscriptionSchema } from "./schemas";
import { listAll, type Transport } from "./transport";
import type { AzureEntitlement, RequestOptions, Subscription } from "./index";

type Parsed = z.output<typeof subscriptionSchema>;

const lower = (s: string | null | undefined): string | undefined => (s ? s.toLowerCase() : undefined);

/** The Azure plan's product id in the new-commerce catalog (offer id `DZH318Z0BCZC:0001`). */
const AZURE_PLAN_PRODUCT = "dzh318z0bczc";

/** Azure plan: productType `Azure`, offer name "Azure plan", or the Azure plan product id. */
export function isAzurePlan(s: Parsed): boolean | undefined {
  const types = [lower(s.productType?.id), lower(s.productType?.displayName)];
  if (types.includes("azure")) return true;
  if (lower(s.offerName) === "azure plan") return true;
  if (lower(s.offerId)?.startsWith(`${AZURE_PLAN_PRODUCT}:`)) return true;
  return s.productType || s.offerName || s.offerId ? false : undefined;
}

/**
 * New commerce (NCE), a heuristic: Partner Center has no flag for it. True when the productType mentions
 * NCE (`OnlineServicesNCE`), or the offer id has the new catalog's `PRODUCT:SKU[:AVAILABILITY]` form; false
 * for a legacy GUID offer id or another productType; undefined when nothing tells. The Azure plan is reported
 * by {@link isAzurePlan}, not here.
 */
export function isNewCommerce(s: Parsed): boolean | undefined {
  if (isAzurePlan(s)) return false;
  const types = [lower(s.productType?.id), lower(s.productType?.displayName)];
  if (types.some((t) => t?.includes("nce"))) return true;
  const offer = s.offerId ?? "";
  if (/^[a-z0-9]{12}:[a-z0-9]{4}(:[a-z0-9]+)?$/i.test(offer)) return true;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(offer)) return false;
  return s.productType ? false : undefined;
}

export function toSubscription(s: Parsed, raw: unknown): Subscription {
  return {
    id: s.id,
    offerName: s.offerName ?? undefined,
    friendlyName: s.friendlyName ?? undefined,
    status: s.status.toLowerCase(),
    etag: s.etag ?? undefined,
    billingType: lower(s.billingType),
    isNewCommerce: isNewCommerce(s),
    isAzurePlan: isAzurePlan(s),
    raw:
      raw !== null && typeof raw === "object" && !Array.isArray(raw)
        ? { ...(raw as Record<string, unknown>) }
        : {},
  };
}

/** The subscriptions API. */
export function subscriptionsApi(t: Transport) {
  const base = (customerId: string) => `${customerPath(customerId)}/subscriptions`;
  return {
    /** Every subscription of the customer (every page). */
    async list(customerId: string, o: RequestOptions = {}): Promise<Subscription[]> {
      const items = await listAll(t, {
        ...o,
        path: base(customerId),
        customerId,
        schema: collectionSchema(subscriptionSchema),
        keepRaw: true, // the suspend PATCH sends the whole resource back
      });
      return items.map(({ item, raw }) => toSubscription(item, raw));
    },

    /**
     * Suspends a subscription: PATCH with `If-Match: <etag>` and the whole resource as received, status
     * `suspended`. Returns the updated subscription. The etag guards against overwriting a concurrent change,
     * so a subscription without one is refused here rather than sent unguarded.
     */
    async suspend(customerId: string, s: Subscription, o: RequestOptions = {}): Promise<Subscription> {
      const path = `${base(customerId)}/${pathSegment(s.id, "subscription id")}`;
      if (!s.etag) {
        throw new ResponseValidationError(
          `Subscription ${s.id} was listed without an etag, so it cannot be suspended safely.`,
          {
            operation: `PATCH ${path}`,
            action:
              "List the subscriptions again and retry; report it with the MS-CorrelationId if it persists.",
          },
        );
      }
      // Keep the service's own spelling of the status property (PascalCase from the .NET SDK, camelCase in the docs).
      const body: Record<string, unknown> = { ...s.raw };
      const statusKey = Object.keys(body).find((k) => k.toLowerCase() === "status") ?? "status";
      body[statusKey] = "suspended";
      const res = await t.request({
        ...o,
        method: "PATCH",
        path,
        customerId,
        headers: { "If-Match": s.etag },
        body,
        schema: subscriptionSchema,
      });
      return toSubscription(res.data, res.raw);
    },

    /** The Azure subscriptions under an Azure plan (`.../subscriptions/{id}/azureEntitlements`), status lower-cased. */
    async azureEntitlements(
      customerId: string,
      subscriptionId: string,
      o: RequestOptions = {},
    ): Promise<AzureEntitlement[]> {
      const items = await listAll(t, {
        ...o,
        path: `${base(customerId)}/${pathSegment(subscriptionId, "subscription id")}/azureEntitlements`,
        customerId,
        schema: collectionSchema(azureEntitlementSchema),
      });
      return items.map(({ item }) => ({
        id: item.id,
        friendlyName: item.friendlyName ?? undefined,
        status: item.status.toLowerCase(),
        subscriptionId: item.subscriptionId ?? undefined,
      }));
    },
  };
}
