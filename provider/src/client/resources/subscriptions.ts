/**
 * Subscriptions: `GET /v1/customers/{id}/subscriptions` (every page: no paging is documented, but a
 * `links.next` is followed if one appears), one subscription, suspending one, and the Azure entitlements of an
 * Azure plan.
 *
 * Suspending ("Suspend a subscription", https://learn.microsoft.com/partner-center/developer/suspend-a-subscription):
 * `PATCH .../subscriptions/{id}` with the full Subscription resource and `"status": "suspended"`. The example
 * shows `If-Match: <etag>`, but the REST reference for updating a subscription lists no If-Match and the .NET
 * SDK never sends one, and new-commerce subscriptions carry no etag at all: so If-Match is sent, in double
 * quotes ("Test and debug": etags "should be included in double quotation marks"), only when the subscription
 * has an etag (`attributes.etag`). A stale etag is answered 400 code 2055 "Etag is no longer valid" ("Partner
 * Center REST error codes"; 412 "Precondition failed" is treated alike): the subscription is read again and the
 * PATCH retried once.
 */
import type { z } from "zod";
import { ChangeNotAppliedError, PartnerCenterError, printable, ResponseValidationError } from "../../errors";
import { GUID } from "../../guid";
import { pathSegment } from "../core/path";
import { customerPath } from "./customers";
import { azureEntitlementSchema, collectionSchema, normalizeEnum, subscriptionSchema } from "../core/schemas";
import { listAll } from "../core/pagination";
import type { Transport } from "../core/transport";
import type { RequestOptions } from "../core/transport";

export interface Subscription {
  id: string;
  offerName: string | undefined;
  friendlyName: string | undefined;
  /** Lower-cased status: active, suspended, deleted, expired, pending, disabled, none... */
  status: string;
  /**
   * `attributes.etag` (ResourceAttributes), the only place Microsoft documents a subscription's etag; undefined
   * when there is none, as in every new-commerce example ("Get a customer's subscriptions", "Subscription
   * resources"). Sent back, quoted, in If-Match.
   */
  etag: string | undefined;
  /** Lower-cased billingType as sent ("license", "usage"...), undefined when absent. */
  billingType: string | undefined;
  /**
   * True when the offer is new-commerce: a heuristic (productType mentions NCE, or the offer id has the new
   * catalog's `PRODUCT:SKU` form); false for a legacy offer and for the Azure plan; undefined when unknown.
   */
  isNewCommerce?: boolean | undefined;
  /** True when this is an Azure plan subscription (the Azure plan product, or offer "Azure plan"). */
  isAzurePlan?: boolean | undefined;
  /**
   * What a subscription of productType `Azure` is: Azure plans, Azure savings plans and Azure reservations all
   * carry that product type ("Purchase Azure savings plans"), so it is told apart by the offer and billing
   * type; `undetermined` when the data does not say. Undefined for other product types.
   */
  azureKind?: "plan" | "savingsPlan" | "reservation" | "undetermined" | undefined;
  /** productType.id as sent ("OnlineServicesNCE", "Software", "Azure"...), undefined when absent. */
  productType?: string | undefined;
  /** ISO 8601 term ("P1M", "P1Y"), as sent. */
  termDuration?: string | undefined;
  /** End of the current term, ISO date-time as sent. */
  commitmentEndDate?: string | undefined;
  /** New commerce: the last date it can be cancelled (null/absent: it cannot be, "Subscription resources"). */
  cancellationAllowedUntilDate?: string | undefined;
  autoRenewEnabled?: boolean | undefined;
  /** The whole resource as received (keys as sent), for the suspend PATCH which needs the full Subscription. */
  raw: Record<string, unknown>;
}

/** An Azure subscription under an Azure plan. */
export interface AzureEntitlement {
  id: string;
  friendlyName: string | undefined;
  /** Lower-cased, e.g. "active". */
  status: string;
  subscriptionId: string | undefined;
}

type Parsed = z.output<typeof subscriptionSchema>;

const lower = (s: string | null | undefined): string | undefined => (s ? s.toLowerCase() : undefined);

/**
 * The Azure plan's product id: `DZH318Z0BPS6`, SKU `0001` "Microsoft Azure plan (MS-AZR-0017G)" ("Get a list
 * of SKUs for a product", and the offer id `DZH318Z0BPS6:0001:DZH318Z0BML6` in "Get a customer's Azure
 * plan"/"Purchase an Azure plan" examples).
 */
const AZURE_PLAN_PRODUCT = "dzh318z0bps6";

const isAzureProductType = (s: Parsed): boolean =>
  [lower(s.productType?.id), lower(s.productType?.displayName)].includes("azure");

/**
 * What a subscription of productType `Azure` is. Azure plans, Azure savings plans and Azure reservations all
 * carry productType `Azure` ("Purchase Azure savings plans": a savings plan is listed with `unitType` and
 * `billingType` "Benefit"; "Purchase Azure reservations"). So: `savingsPlan` when billingType or unitType is
 * "benefit"; `plan` when the offer is the Azure plan product (or named "Azure plan"); `reservation` when the
 * offer or unit type names a reservation; else `undetermined`, and the caller fails closed. Undefined for a
 * subscription of another product type.
 */
export function azureKind(s: Parsed): Subscription["azureKind"] {
  const planOffer =
    lower(s.offerId)?.startsWith(`${AZURE_PLAN_PRODUCT}:`) === true || lower(s.offerName) === "azure plan";
  if (!isAzureProductType(s)) return planOffer ? "plan" : undefined;
  if (lower(s.billingType) === "benefit" || lower(s.unitType) === "benefit") return "savingsPlan";
  if (planOffer) return "plan";
  if ([s.offerName, s.unitType].some((v) => lower(v)?.includes("reserv"))) return "reservation";
  return "undetermined";
}

/** Azure plan: see {@link azureKind}. Undefined when nothing tells. */
export function isAzurePlan(s: Parsed): boolean | undefined {
  const kind = azureKind(s);
  if (kind !== undefined) return kind === "plan";
  return s.productType || s.offerName || s.offerId ? false : undefined;
}

/**
 * New commerce (NCE), a heuristic: Partner Center has no flag for it. True when the productType mentions
 * NCE (`OnlineServicesNCE`) or is `Software` (software subscriptions follow the new-commerce cancellation
 * policy, "New commerce experience cancellation policy"), or the offer id has the new catalog's
 * `PRODUCT:SKU[:AVAILABILITY]` form; false for a legacy GUID offer id, another productType, or a resource with
 * an etag and no product type (new-commerce examples carry no etag); undefined when nothing tells. Azure
 * subscriptions are reported by {@link azureKind}, not here.
 */
export function isNewCommerce(s: Parsed): boolean | undefined {
  if (azureKind(s) !== undefined) return false;
  const types = [lower(s.productType?.id), lower(s.productType?.displayName)];
  if (types.some((t) => t?.includes("nce") || t === "software")) return true;
  const offer = s.offerId ?? "";
  if (/^[a-z0-9]{12}:[a-z0-9]{4}(:[a-z0-9]+)?$/i.test(offer)) return true;
  if (GUID.test(offer)) return false;
  if (s.productType) return false;
  return s.attributes?.etag ? false : undefined;
}

export function toSubscription(s: Parsed, raw: unknown): Subscription {
  return {
    id: s.id,
    offerName: s.offerName ?? undefined,
    friendlyName: s.friendlyName ?? undefined,
    status: s.status.toLowerCase(),
    etag: s.attributes?.etag || undefined,
    billingType: lower(s.billingType),
    isNewCommerce: isNewCommerce(s),
    isAzurePlan: isAzurePlan(s),
    azureKind: azureKind(s),
    productType: s.productType?.id ?? undefined,
    termDuration: s.termDuration || undefined,
    commitmentEndDate: s.commitmentEndDate || undefined,
    cancellationAllowedUntilDate: s.cancellationAllowedUntilDate || undefined,
    autoRenewEnabled: s.autoRenewEnabled ?? undefined,
    raw:
      raw !== null && typeof raw === "object" && !Array.isArray(raw)
        ? { ...(raw as Record<string, unknown>) }
        : {},
  };
}

/** A stale etag: HTTP 400 with code 2055 ("Etag is no longer valid"), or 412 (Precondition failed). */
export function isStaleEtag(e: unknown): boolean {
  return (
    e instanceof PartnerCenterError &&
    ((e.status === 400 && e.partnerCenterCode === "2055") || e.status === 412)
  );
}

/**
 * The If-Match value of an etag: in double quotes, unless the service already sent it quoted (`"..."` or weak
 * `W/"..."`). An etag with a quote or a control character inside is refused before anything is sent.
 */
export function ifMatchValue(etag: string, subscriptionId: string): string {
  if (/^(W\/)?"[^"\u0000-\u001f\u007f]*"$/.test(etag)) return etag;
  if (/["\u0000-\u001f\u007f]/.test(etag)) {
    throw new ResponseValidationError(
      `Subscription ${subscriptionId} was listed with an etag that cannot be sent in If-Match (it contains a quote or a control character).`,
      {
        action:
          "List the subscriptions again and retry; report it with the MS-CorrelationId if it persists. Nothing was sent.",
      },
    );
  }
  return `"${etag}"`;
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

    /** One subscription (`GET .../subscriptions/{id}`). */
    async get(customerId: string, subscriptionId: string, o: RequestOptions = {}): Promise<Subscription> {
      const res = await t.request({
        ...o,
        method: "GET",
        path: `${base(customerId)}/${pathSegment(subscriptionId, "subscription id")}`,
        customerId,
        schema: subscriptionSchema,
      });
      return toSubscription(res.data, res.raw);
    },

    /**
     * Suspends a subscription: PATCH with the whole resource as received, status `suspended`, and If-Match only
     * when it has an etag (see the file comment). On a stale etag (400/2055 or 412) it reads that subscription
     * again and retries once with the fresh resource; one already suspended by then is returned as it is.
     * Returns the updated subscription.
     */
    async suspend(customerId: string, s: Subscription, o: RequestOptions = {}): Promise<Subscription> {
      return this.setStatus(customerId, s, "suspended", o);
    },

    /**
     * Cancels a new-commerce subscription ("Cancel a commercial marketplace or new commerce subscription",
     * https://learn.microsoft.com/partner-center/developer/cancel-an-azure-marketplace-subscription): the same
     * PATCH with `"status": "deleted"`. Only inside its cancellation window (`cancellationAllowedUntilDate`):
     * "After the cancellation window has passed, subscriptions can no longer be canceled and the API will throw
     * an error" (400, code 900117 in the error table). Returns the updated subscription.
     */
    async cancel(customerId: string, s: Subscription, o: RequestOptions = {}): Promise<Subscription> {
      return this.setStatus(customerId, s, "deleted", o);
    },

    /** The status PATCH shared by {@link suspend} and {@link cancel}; see the file comment for If-Match. */
    async setStatus(
      customerId: string,
      s: Subscription,
      status: "suspended" | "deleted",
      o: RequestOptions = {},
    ): Promise<Subscription> {
      const patch = async (sub: Subscription, ro: RequestOptions) => {
        const path = `${base(customerId)}/${pathSegment(sub.id, "subscription id")}`;
        // Keep the service's own spelling of the status property (PascalCase in the suspend example and from
        // the .NET SDK, camelCase in the list example).
        const body: Record<string, unknown> = { ...sub.raw };
        const statusKey = Object.keys(body).find((k) => k.toLowerCase() === "status") ?? "status";
        body[statusKey] = status;
        const res = await t.request({
          ...ro,
          method: "PATCH",
          path,
          customerId,
          ...(sub.etag !== undefined && { headers: { "If-Match": ifMatchValue(sub.etag, sub.id) } }),
          body,
          schema: subscriptionSchema,
        });
        return toSubscription(res.data, res.raw);
      };
      // The ids of the PATCH as sent, for the error when it did not take effect.
      let sent: { requestId: string; correlationId: string } | undefined;
      const track: RequestOptions = {
        ...o,
        onIds: (ids) => {
          sent = ids;
          o.onIds?.(ids);
        },
      };
      let answered: Subscription;
      try {
        answered = await patch(s, track);
      } catch (e) {
        if (!isStaleEtag(e)) throw e;
        // Someone changed it since it was listed: read this one again, and retry once (a new logical request).
        const { requestId: _first, ...rest } = track;
        const fresh = await this.get(customerId, s.id, rest);
        if (normalizeEnum(fresh.status) === status) return fresh;
        answered = await patch(fresh, rest);
      }
      // Compared as the removal rules compare statuses (casing, invisible characters, compatibility forms).
      if (normalizeEnum(answered.status) === status) return answered;
      return confirmStatus(this, customerId, s, status, answered, sent, o);
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

/**
 * A status PATCH answered with success whose body does not show the status asked for. The update page documents
 * the answer as the updated subscription ("Suspend a subscription", "Cancel a commercial marketplace or new
 * commerce subscription": "If successful, this method returns the updated subscription"), so it is read again
 * once: if the GET shows the status, it took effect; otherwise it is {@link ChangeNotAppliedError}, never a
 * change done.
 */
async function confirmStatus(
  api: { get(customerId: string, id: string, o?: RequestOptions): Promise<Subscription> },
  customerId: string,
  s: Subscription,
  status: "suspended" | "deleted",
  answered: Subscription,
  sent: { requestId: string; correlationId: string } | undefined,
  o: RequestOptions,
): Promise<Subscription> {
  const { requestId: _patch, onIds: _ids, ...rest } = o;
  let seen: string | undefined;
  let check = "";
  try {
    const again = await api.get(customerId, s.id, rest);
    if (normalizeEnum(again.status) === status) return again;
    seen = again.status;
  } catch (e) {
    check = `; the GET that followed failed (${e instanceof Error ? e.message : String(e)})`;
  }
  const verb = status === "deleted" ? "cancellation" : "suspension";
  throw new ChangeNotAppliedError(
    `Partner Center answered the ${verb} of subscription ${printable(s.id)} with success, but the subscription still shows status "${printable(answered.status)}"${seen !== undefined ? ` (and "${printable(seen)}" in a GET right after)` : check}: the ${verb} did not take effect.`,
    s.id,
    status,
    seen ?? answered.status,
    {
      requestId: sent?.requestId,
      correlationId: sent?.correlationId,
      action: `Check subscription ${printable(s.id)} in Partner Center: if it is still ${printable(seen ?? answered.status)}, ${status === "deleted" ? "cancel it there, or run the command again to retry the cancellation while its window is open" : "suspend it there, or run the command again to retry"}.`,
    },
  );
}
