/**
 * Subscriptions: `GET /v1/customers/{id}/subscriptions`, `GET|PATCH /v1/customers/{id}/subscriptions/{sid}`
 * (suspend, reactivate, cancel; If-Match optional, see app.ts for the emulator's choices).
 */
import {
  isNewCommerce,
  newEtag,
  SUBSCRIPTION_STATUSES,
  type CustomerState,
  type SubscriptionState,
  type SubscriptionStatus,
} from "../estate";
import { getCI, header, isResult, link, parseBody, pcError, type ApiResult, type Ctx } from "../results";
import type { Store } from "../state";
import { page } from "./paging";

export function subscriptionResource(c: CustomerState, s: SubscriptionState): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.id,
    offerId: s.offerId,
    offerName: s.offerName,
    friendlyName: s.friendlyName,
    quantity: s.quantity,
    unitType: s.unitType,
    hasPurchasableAddons: false,
    creationDate: s.creationDate,
    effectiveStartDate: s.effectiveStartDate,
    commitmentEndDate: s.commitmentEndDate,
    status: s.status,
    autoRenewEnabled: s.autoRenewEnabled,
    isTrial: false,
    billingType: s.billingType,
    billingCycle: "monthly",
    contractType: "subscription",
    productType: { ...s.productType },
    orderId: s.orderId,
    publisherName: "Microsoft Corporation",
  };
  if (s.termDuration !== null) out.termDuration = s.termDuration;
  if (s.cancellationAllowedUntilDate !== null)
    out.cancellationAllowedUntilDate = s.cancellationAllowedUntilDate;
  if (s.status === "suspended") out.suspensionReasons = ["CustomerCancellation"];
  const self = link(`/customers/${c.id}/subscriptions/${s.id}`);
  if (hasEtag(s)) {
    // Legacy: the fields of the "Get a customer's subscriptions" and "Suspend a subscription" examples.
    out.entitlementId = s.orderId.replace(/^(.{8})/, "e0000000");
    out.parentSubscriptionId = null;
    out.partnerId = null;
    out.links = {
      offer: link(`/v1/offers/${s.offerId}`),
      entitlement: link(`/customers/${c.id}/entitlements?subscriptionId=${s.id}`),
      self,
    };
  } else {
    // New commerce: the fields of the new-commerce examples ("Change the quantity of a subscription").
    const [product = s.offerId, sku = "0001", availability = sku] = s.offerId.split(":");
    const window = s.cancellationAllowedUntilDate;
    out.renewalTermDuration = "";
    out.refundOptions =
      window !== null && Date.parse(window) > Date.now() ? [{ type: "Full", expiresAt: window }] : [];
    out.isMicrosoftProduct = true;
    out.partnerId = "";
    out.attentionNeeded = false;
    out.actionTaken = false;
    out.links = {
      product: link(`/products/${product}?country=US`),
      sku: link(`/products/${product}/skus/${sku}?country=US`),
      availability: link(`/products/${product}/skus/${sku}/availabilities/${availability}?country=US`),
      self,
    };
  }
  // Only in attributes, and only for legacy subscriptions (see the file comment).
  out.attributes = hasEtag(s) ? { etag: s.etag, objectType: "Subscription" } : { objectType: "Subscription" };
  return out;
}

export function listSubscriptions(ctx: Ctx, [id]: string[], state: Store): ApiResult {
  const c = state.related(id!);
  if (isResult(c)) return c;
  const base = `/v1/customers/${c.id}/subscriptions`;
  // Doc "Paging": none documented for subscriptions; paged only when configured.
  const size = c.subscriptionPageSize ?? state.config.subscriptionPageSize;
  const items = c.subscriptions.map((s) => subscriptionResource(c, s));
  return page(ctx, items, size, "subscriptions", c.id, base, base);
}

export function getSubscription(_ctx: Ctx, [id, sid]: string[], state: Store): ApiResult {
  const c = state.related(id!);
  if (isResult(c)) return c;
  const s = state.subscription(c, sid!);
  return isResult(s) ? s : { status: 200, body: subscriptionResource(c, s) };
}

/**
 * Suspend, reactivate or cancel a subscription ("Suspend a subscription": PATCH with the full resource).
 * If-Match is optional; a stale one is 400 code 2055 (see the file comment).
 */
export function patchSubscription(ctx: Ctx, [id, sid]: string[], state: Store): ApiResult {
  const c = state.related(id!);
  if (isResult(c)) return c;
  const s = state.subscription(c, sid!);
  if (isResult(s)) return s;
  const ifMatch = header(ctx.req, "if-match");
  if (ifMatch !== undefined && ifMatch !== "*" && hasEtag(s)) {
    const tag = ifMatch.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
    if (tag !== s.etag) return pcError(400, 2055, "Etag is no longer valid");
  }
  const parsed = parseBody(ctx);
  if ("error" in parsed) return parsed.error;
  const b = parsed.value;

  const rawStatus = getCI(b, "status");
  let target: SubscriptionStatus = s.status;
  if (rawStatus !== undefined && rawStatus !== null) {
    const t =
      typeof rawStatus === "string"
        ? SUBSCRIPTION_STATUSES.find((x) => x === rawStatus.toLowerCase())
        : undefined;
    if (!t)
      return pcError(
        400,
        3000,
        `Invalid property status: ${JSON.stringify(rawStatus)} is not a subscription status (${SUBSCRIPTION_STATUSES.join(", ")}).`,
      );
    target = t;
  }
  const friendlyName = getCI(b, "friendlyName");
  const quantity = getCI(b, "quantity");
  const autoRenew = getCI(b, "autoRenewEnabled");
  if (
    friendlyName !== undefined &&
    friendlyName !== null &&
    (typeof friendlyName !== "string" || friendlyName === "")
  ) {
    return pcError(400, 3000, "Invalid property friendlyName: must be a non-empty string.");
  }
  if (
    quantity !== undefined &&
    quantity !== null &&
    (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1)
  ) {
    return pcError(400, 3000, "Invalid property quantity: must be a positive integer.");
  }
  if (autoRenew !== undefined && autoRenew !== null && typeof autoRenew !== "boolean") {
    return pcError(400, 3000, "Invalid property autoRenewEnabled: must be true or false.");
  }

  if (target !== s.status || ["deleted", "expired", "disabled", "none"].includes(s.status)) {
    const refused = transitionError(c, s, target);
    if (refused) return refused;
  }
  let changed = false;
  if (target !== s.status) {
    s.status = target;
    changed = true;
  }
  if (typeof friendlyName === "string" && friendlyName !== s.friendlyName) {
    s.friendlyName = friendlyName;
    changed = true;
  }
  if (typeof quantity === "number" && quantity !== s.quantity) {
    s.quantity = quantity;
    changed = true;
  }
  if (typeof autoRenew === "boolean" && autoRenew !== s.autoRenewEnabled) {
    s.autoRenewEnabled = autoRenew;
    changed = true;
  }
  if (changed) {
    s.etag = newEtag();
    state.counters.subscriptionsUpdated++;
  }
  // The suspend example's answer is PascalCase.
  return {
    status: 200,
    applied: changed,
    documentedCasing: "pascal",
    body: subscriptionResource(c, s),
  };
}

export function transitionError(
  c: CustomerState,
  s: SubscriptionState,
  target: SubscriptionStatus,
): ApiResult | null {
  const cannot = () =>
    pcError(400, 800091, `Subscription status cannot be changed from ${s.status} to ${target}.`);
  if (["deleted", "expired", "disabled", "none", "pending"].includes(s.status)) return cannot();
  if (target === "suspended") {
    if (s.productType.id.toLowerCase() === "azure") {
      const active = (c.azureEntitlements[s.id.toLowerCase()] ?? []).filter(
        (a) => a.status.toLowerCase() === "active",
      );
      if (active.length > 0) {
        // Doc "Preconditions": the Azure subscriptions must be cancelled before the plan is suspended.
        return pcError(
          403,
          900115,
          `The Azure plan cannot be suspended while it has active Azure subscriptions: ${active.map((a) => a.id).join(", ")}. Cancel them in the Azure portal first.`,
        );
      }
    }
    return null;
  }
  if (target === "active") return null; // reactivating a suspended subscription
  if (target === "deleted") return cancellationRefusal(s, Date.now());
  return cannot();
}

/** Legacy subscriptions have an etag; new-commerce (OnlineServicesNCE, Software) and Azure ones have none. */
export function hasEtag(s: SubscriptionState): boolean {
  return !isNewCommerce(s.productType.id) && s.productType.id.toLowerCase() !== "azure";
}

/**
 * Whether a subscription may be cancelled (status `deleted`) now: new commerce and software
 * subscriptions only, inside their cancellation window ("Cancel a commercial marketplace or new commerce
 * subscription": after the window "the API will throw an error", 400 code 900117 in the error table).
 */
function cancellationRefusal(s: SubscriptionState, now: number): ApiResult | null {
  const until = s.cancellationAllowedUntilDate;
  const cancellable = isNewCommerce(s.productType.id);
  if (cancellable && until !== null && Date.parse(until) >= now) return null;
  return pcError(
    400,
    900117,
    `Subscription ${s.id} cannot be cancelled: ${!cancellable || until === null ? "only new-commerce subscriptions can be cancelled, inside their cancellation window" : `its cancellation window ended at ${until}`}. Suspend it instead.`,
  );
}
