/**
 * What blocks the removal of a reseller relationship, and how to say so. Microsoft's rules ("Remove a reseller
 * relationship with a customer", partner-center-sdk docs, and docs/design/partner-center-contract.md): every Azure
 * reserved VM instance must be cancelled (through Azure support: there is no API) and no subscription may be
 * active before the relationship is patched to `none`. Pure: no client, no HTTP.
 */
import type { Entitlement, Subscription } from "../client";
import { normalizeEnum } from "../client/core/schemas";
import { printable, ResponseValidationError, type RemovalBlocker } from "../errors";

export type { RemovalBlocker } from "../errors";
/** How the rules compare the service's enum values (defined with the client's schemas, which use it too). */
export { normalizeEnum };

/** Where progress lines go: the provider passes `pulumi.log.info`, the CLI `console.error`. */
export type Logger = (line: string) => void;

/**
 * Subscription statuses known NOT to block removal (the Subscription resource's status enum, see
 * docs/design/partner-center-contract.md: none, active, suspended, deleted, expired, pending, disabled).
 * An allow-list: anything else blocks, so a status Microsoft adds later is treated as blocking until we know
 * better. `pending` becomes `active` once provisioned. `none` is the enum's default ("no status set"): it
 * does not prove the subscription is inactive, so it blocks too. `suspended` is here for legacy subscriptions
 * (and Azure subscriptions under a plan) only: a suspended new-commerce subscription still blocks, see
 * {@link subscriptionBlocker}.
 */
export const NON_BLOCKING_STATUSES: ReadonlySet<string> = new Set([
  "suspended",
  "deleted",
  "expired",
  "disabled",
]);

/** Entitlement types known NOT to be a reservation: anything else is a reservation or unknown, and blocks. */
export const NON_BLOCKING_ENTITLEMENT_TYPES: ReadonlySet<string> = new Set(["software"]);

/** Quantity statuses of an entitlement known to be over (anything else, or none, counts as live). */
const ENDED_QUANTITY_STATUSES: ReadonlySet<string> = new Set([
  "cancelled",
  "canceled",
  "expired",
  "deleted",
  "disabled",
  "suspended",
  "refunded",
]);

/**
 * True when the entitlement type names an Azure reservation in any spelling: `reservedInstance`, the legacy
 * `VirtualMachineReservedInstance`, `reservation`, `Reserved_Instance`... (anything containing "reserv" once
 * normalised).
 */
export function isReservedInstance(e: Pick<Entitlement, "entitlementType">): boolean {
  return normalizeEnum(e.entitlementType).includes("reserv");
}

/** Something that does not block removal but is worth showing (readiness report, refresh log). */
export interface RemovalNote {
  kind: "reservedInstance" | "entitlement";
  id: string;
  name: string;
  /** Why it does not block, and what (if anything) a person may still want to do. */
  note: string;
  /** The date that decided it (an expiry), ISO 8601 as sent. */
  date?: string;
}

/** What blocks a removal, and what was looked at and found not to. */
export interface RemovalAssessment {
  blockers: RemovalBlocker[];
  notes: RemovalNote[];
}

/** The instant of an ISO date-time, or undefined when absent or unreadable (callers then fail closed). */
function instant(date: string | undefined): number | undefined {
  if (!date) return undefined;
  const t = Date.parse(date);
  return Number.isNaN(t) ? undefined : t;
}

/** The calendar date (YYYY-MM-DD) of an ISO date-time, for messages; the text as sent when unreadable. */
export function day(date: string): string {
  const t = instant(date);
  return t === undefined ? printable(date) : new Date(t).toISOString().slice(0, 10);
}

/**
 * Why a reservation no longer counts, or undefined when it is live (or the data cannot show otherwise). Read
 * with `showExpiry=true` ("Get a collection of entitlements"): an `expiryDate` in the past means the
 * reservation's term is over, and `quantityDetails` whose every entry is in an ended status (cancelled,
 * expired...) means nothing of it is active. The removal pages require cancelling *open* reserved instance
 * orders ("Remove a reseller relationship with a customer": "Call Azure support for canceling any open Azure
 * Reserved VM Instance orders"); an ended one has nothing left to cancel, and blocking on it would block the
 * customer for ever. Fail closed: no expiry and no quantity details, or an unreadable date, count as live.
 */
function reservationEnded(e: Entitlement, now: number): string | undefined {
  const expiry = instant(e.expiryDate);
  if (expiry !== undefined && expiry <= now) {
    return `expired on ${day(e.expiryDate!)}: nothing is left to cancel`;
  }
  const details = e.quantityDetails ?? [];
  if (
    details.length > 0 &&
    details.every((q) => ENDED_QUANTITY_STATUSES.has(normalizeEnum(q.status)) || q.quantity === 0)
  ) {
    return `its quantity details show nothing active (${details.map((q) => `${q.quantity ?? "?"} ${printable(q.status) || "no status"}`).join(", ")})`;
  }
  return undefined;
}

/** The options that let the provider clear a blocker itself, by name (for next steps). */
const SUSPEND_OPTION = "suspendActiveSubscriptions: true";
const CANCEL_OPTION = "cancelNewCommerceSubscriptionsInWindow: true";

function subscriptionBlocker(s: Subscription, now: number): RemovalBlocker | undefined {
  const status = normalizeEnum(s.status);
  const base = {
    kind: "subscription" as const,
    id: s.id,
    name: s.offerName ?? s.friendlyName ?? "",
    status: s.status,
  };
  // "For suspended NCE subscriptions, partners will continue to be billed. NCE subscriptions must be cancelled
  // for the reselling relationship to be removed. However, for suspended legacy subscriptions, the transacting
  // partner won't be billed." ("How to remove a reseller relationship with a customer in Partner Center",
  // https://learn.microsoft.com/partner-center/remove-a-relationship, Prerequisites.) So suspended
  // clears only a subscription known to be legacy; a new-commerce one is judged like an active one, and one the
  // data cannot place blocks until a person checks it.
  if (status === "suspended" && s.azureKind === undefined && s.isNewCommerce !== false) {
    if (s.isNewCommerce === true) return newCommerceBlocker(s, base, now, "suspended");
    return {
      ...base,
      rule: "status suspended clears a legacy subscription only (a suspended new-commerce subscription keeps billing and blocks), and the data does not say which this is",
      class: "commerceUndetermined",
      nextStep:
        "check it in Partner Center: a suspended legacy subscription does not block; a new-commerce one must be cancelled inside its cancellation window, or blocks until its term ends; the provider does not guess",
    };
  }
  if (NON_BLOCKING_STATUSES.has(status)) return undefined;
  if (status === "pending") {
    return {
      ...base,
      rule: "status pending blocks removal (it becomes active once provisioned)",
      class: "pending",
      nextStep: "wait until it is provisioned, then suspend or cancel it",
    };
  }
  if (status !== "active") {
    return {
      ...base,
      rule: `status "${s.status}" is not one known not to block (${[...NON_BLOCKING_STATUSES].join(", ")})`,
      class: "unknownStatus",
      nextStep:
        "check this subscription in Partner Center: its status is not one known to be inactive; suspend or cancel it if it is in use",
    };
  }
  const end = s.commitmentEndDate ? { date: s.commitmentEndDate, dateMeaning: "termEnd" as const } : {};
  switch (s.azureKind) {
    case "plan":
      return {
        ...base,
        rule: "an active Azure plan blocks removal",
        class: "azurePlan",
        nextStep: `cancel the Azure subscriptions under this Azure plan first (Partner Center refuses to suspend a plan with active Azure subscriptions, error 900115), then suspend the plan (or set ${SUSPEND_OPTION} once they are cancelled)`,
      };
    case "savingsPlan":
      // "All savings plan purchases are final. After you buy a savings plan, you can't cancel it or exchange it
      // for a reservation." ("Azure saving plan cancellation policies", Microsoft Cost Management,
      // https://learn.microsoft.com/azure/cost-management-billing/savings-plan/cancel-savings-plan): nobody can
      // cancel it, so the only way out is its term end.
      return {
        ...base,
        ...end,
        rule: 'an active Azure savings plan (productType Azure, billingType or unitType "Benefit") blocks removal, and savings plans cannot be cancelled ("All savings plan purchases are final")',
        class: "savingsPlan",
        nextStep: s.commitmentEndDate
          ? `an Azure savings plan cannot be cancelled ("All savings plan purchases are final"): it blocks until its term ends on ${day(s.commitmentEndDate)}; turn off its automatic renewal in the Azure portal so that it ends then, and remove the relationship after that date`
          : 'an Azure savings plan cannot be cancelled ("All savings plan purchases are final"): it blocks until its term ends, which Partner Center did not give (commitmentEndDate); look up its end date in the Azure portal (Reservations + savings plans), turn off its automatic renewal there, and remove the relationship after that date',
      };
    case "reservation":
      return {
        ...base,
        ...end,
        rule: "an active Azure reservation (productType Azure, offer naming a reservation) blocks removal",
        class: "reservedInstance",
        nextStep: "cancel this Azure reservation through Azure support (Partner Center has no API for it)",
      };
    case "undetermined":
      return {
        ...base,
        rule: `productType "Azure" is shared by Azure plans, savings plans and reservations, and this subscription's offer ("${printable(s.offerName ?? "")}") and billing type ("${printable(s.billingType ?? "")}") do not say which: the data cannot decide, so it blocks`,
        class: "azureUndetermined",
        nextStep:
          "check it in Partner Center: an Azure plan needs its Azure subscriptions cancelled then the plan suspended, a reservation or savings plan needs Azure support; the provider does not guess",
      };
    default:
      break;
  }
  if (s.isNewCommerce === undefined) {
    return {
      ...base,
      rule: "status active blocks removal, and the data does not say whether it is legacy (suspend) or new commerce (cancel inside its window)",
      class: "commerceUndetermined",
      nextStep:
        "check it in Partner Center: suspend it if it is a legacy subscription, cancel it inside its cancellation window if it is new commerce; the provider does not guess",
    };
  }
  if (!s.isNewCommerce) {
    return {
      ...base,
      rule: "status active blocks removal (legacy: suspending it clears it)",
      class: "legacyActive",
      nextStep: `suspend it in Partner Center, or set ${SUSPEND_OPTION} to let the provider suspend it`,
    };
  }
  return newCommerceBlocker(s, base, now, "active");
}

/**
 * An active or suspended new-commerce (or software) subscription. "NCE subscriptions must be cancelled for the
 * reselling relationship to be removed" ("How to remove a reseller relationship with a customer in Partner
 * Center"), and only inside the window given by cancellationAllowedUntilDate ("Subscription resources"; null
 * means it cannot be cancelled).
 */
function newCommerceBlocker(
  s: Subscription,
  base: Pick<RemovalBlocker, "kind" | "id" | "name" | "status">,
  now: number,
  state: "active" | "suspended",
): RemovalBlocker {
  const what =
    state === "suspended"
      ? "a suspended new-commerce subscription still bills and blocks removal"
      : "an active new-commerce subscription blocks removal";
  const end = s.commitmentEndDate ? { date: s.commitmentEndDate, dateMeaning: "termEnd" as const } : {};
  const deadline = instant(s.cancellationAllowedUntilDate);
  if (deadline !== undefined && deadline > now) {
    return {
      ...base,
      rule: `${what} until it is cancelled (a suspended one keeps billing and still blocks)`,
      class: "newCommerceCancellable",
      date: s.cancellationAllowedUntilDate!,
      dateMeaning: "cancellationDeadline",
      nextStep: `${state === "suspended" ? "it is suspended, but a suspended new-commerce subscription keeps billing and still blocks: " : ""}cancel it before ${s.cancellationAllowedUntilDate} (the end of its cancellation window): in Partner Center, or set ${CANCEL_OPTION} to let the provider cancel it; suspending it would not do`,
    };
  }
  const window = s.cancellationAllowedUntilDate
    ? `its cancellation window ended on ${day(s.cancellationAllowedUntilDate)}`
    : "it has no cancellation window now";
  const autoRenew =
    s.autoRenewEnabled === false
      ? "auto-renew is already off, so it ends then"
      : "turn off auto-renew (autoRenewEnabled: false, in Partner Center) so that it ends then instead of renewing";
  return {
    ...base,
    ...end,
    rule: `${what}, and ${window}: it cannot be cancelled until its term ends`,
    class: "newCommerceLocked",
    nextStep: `${state === "suspended" ? "it is suspended but keeps billing, and " : ""}it cannot be cancelled (${window}) and blocks until its term ends${s.commitmentEndDate ? ` on ${day(s.commitmentEndDate)}` : ""}: ${autoRenew}; remove the relationship after that date`,
  };
}

/** The options of a removal that let the provider clear blockers itself. */
export interface ClearingOptions {
  suspendActiveSubscriptions?: boolean | undefined;
  cancelNewCommerceSubscriptionsInWindow?: boolean | undefined;
}

/**
 * The blockers with their next steps fitted to the options already set: a blocker whose opt-in is set is not
 * told to set it. `cleared`: the provider already ran its changes, so a blocker it should have cleared is still
 * there (its change did not take effect, or someone changed it since); otherwise it was held back because
 * something else blocks (all or nothing).
 */
export function fitNextSteps(
  blockers: readonly RemovalBlocker[],
  opts: ClearingOptions,
  cleared: boolean,
): RemovalBlocker[] {
  return blockers.map((b) => {
    const option =
      b.class === "newCommerceCancellable" && opts.cancelNewCommerceSubscriptionsInWindow
        ? { name: CANCEL_OPTION, verb: "cancel" }
        : (b.class === "legacyActive" || b.class === "azurePlan") && opts.suspendActiveSubscriptions
          ? { name: SUSPEND_OPTION, verb: "suspend" }
          : undefined;
    if (!option) return b;
    return {
      ...b,
      nextStep: cleared
        ? `${option.name} is set and the provider's changes ran, but Partner Center still lists it as ${printable(b.status)}: the change did not take effect (or it changed since); check it in Partner Center, ${option.verb} it there if needed, then run the command again`
        : `${option.name} is set: the provider will ${option.verb} it once nothing else blocks (it changes all or nothing); clear the others first`,
    };
  });
}

/**
 * Classifies a customer's entitlements and subscriptions for removal: the blockers (reserved instances first,
 * then entitlements of an unknown type, then subscriptions), each with its class, next step and the date that
 * matters; and notes on what was looked at and does not block (ended reservations, software purchases).
 * Allow-lists throughout: only a subscription whose status is one of {@link NON_BLOCKING_STATUSES}, a
 * software entitlement and an ended reservation do not block. Each blocker carries the rule that decided it.
 *
 * @throws ResponseValidationError when the lists cannot be trusted: two subscriptions with the same id.
 */
export function assessRemoval(
  subscriptions: readonly Subscription[],
  entitlements: readonly Entitlement[],
  now: number = Date.now(),
): RemovalAssessment {
  const ids = new Set<string>();
  for (const s of subscriptions) {
    const id = normalizeEnum(s.id);
    if (ids.has(id)) {
      throw new ResponseValidationError(
        `Partner Center listed subscription ${printable(s.id)} twice; a list that does not add up is not trusted. Nothing was changed.`,
        { action: "Run the command again; if it persists, report it with the MS-CorrelationId." },
      );
    }
    ids.add(id);
  }
  const reservations: RemovalBlocker[] = [];
  const unknown: RemovalBlocker[] = [];
  const notes: RemovalNote[] = [];
  for (const e of entitlements) {
    const type = normalizeEnum(e.entitlementType);
    const blocker = {
      id: e.id,
      name: e.productId ?? e.entitlementType,
      status: e.status || "active",
    };
    if (NON_BLOCKING_ENTITLEMENT_TYPES.has(type)) {
      // Microsoft's portal page lists cancelling software purchases first, but neither its REST removal page
      // nor the sample checks them, and a perpetual purchase can be cancelled only within 30 days of purchase
      // ("New commerce experience cancellation policy"): after that it is the customer's for good. Software
      // subscriptions are listed as subscriptions and judged there (new-commerce rules).
      notes.push({
        kind: "entitlement",
        id: blocker.id,
        name: blocker.name,
        note: 'software purchase: does not block the removal; to end it with the relationship, cancel the order within its cancellation window (perpetual software: 30 days after purchase) in Partner Center ("Cancel software purchases")',
        ...(e.expiryDate !== undefined && { date: e.expiryDate }),
      });
      continue;
    }
    if (isReservedInstance(e)) {
      const ended = reservationEnded(e, now);
      if (ended !== undefined) {
        notes.push({
          kind: "reservedInstance",
          id: blocker.id,
          name: blocker.name,
          note: `Azure reservation ${ended}; it does not block the removal`,
          ...(e.expiryDate !== undefined && { date: e.expiryDate }),
        });
        continue;
      }
      reservations.push({
        kind: "reservedInstance",
        ...blocker,
        rule: `entitlement type "${e.entitlementType}" is an Azure reservation${e.expiryDate ? ` live until ${day(e.expiryDate)}` : " with no expiry date shown"}`,
        class: "reservedInstance",
        nextStep: "cancel this Azure reservation through Azure support (Partner Center has no API for it)",
        ...(e.expiryDate !== undefined && { date: e.expiryDate, dateMeaning: "expiry" as const }),
      });
    } else {
      unknown.push({
        kind: "entitlement",
        ...blocker,
        rule: `entitlement type "${e.entitlementType}" is neither software nor a reservation: an unknown type blocks until it is checked`,
        class: "unknownEntitlement",
        nextStep:
          "check this entitlement in Partner Center: its type is not one this provider knows, so it is not removed blindly; cancel it if it is a reservation or a purchase that must end first",
      });
    }
  }
  const subs: RemovalBlocker[] = [];
  for (const s of subscriptions) {
    const b = subscriptionBlocker(s, now);
    if (b) subs.push(b);
  }
  return { blockers: [...reservations, ...unknown, ...subs], notes };
}

/** The blockers of {@link assessRemoval}. */
export function findBlockers(
  subscriptions: readonly Subscription[],
  entitlements: readonly Entitlement[],
  now: number = Date.now(),
): RemovalBlocker[] {
  return assessRemoval(subscriptions, entitlements, now).blockers;
}

/** What the user must do about one blocker (its {@link RemovalBlocker.nextStep}; a generic step for old states). */
export function nextStep(blocker: RemovalBlocker): string {
  if (blocker.nextStep) return blocker.nextStep;
  if (blocker.kind === "reservedInstance") {
    return "cancel this Azure reservation through Azure support (Partner Center has no API for it)";
  }
  return "check it in Partner Center and suspend or cancel it";
}

export function label(companyName: string | undefined, customerId: string): string {
  return companyName ? `${printable(companyName)} (${customerId})` : customerId;
}

const KIND_LABEL: Record<RemovalBlocker["kind"], string> = {
  reservedInstance: "Azure reserved instance",
  entitlement: "entitlement",
  subscription: "subscription",
};

/** One blocker on one line, service text made printable: `subscription <id> "<name>" (<status>)`; `token`: the kind as its output value (`reservedInstance`). */
export function describeBlocker(b: RemovalBlocker, kind: "words" | "token" = "words"): string {
  const name = b.name ? ` "${printable(b.name)}"` : "";
  return `${kind === "token" ? b.kind : KIND_LABEL[b.kind]} ${printable(b.id)}${name} (${printable(b.status)})`;
}

const DATE_LABEL: Record<NonNullable<RemovalBlocker["dateMeaning"]>, string> = {
  cancellationDeadline: "cancel by",
  termEnd: "term ends",
  expiry: "expires",
};

/** The class and date of a blocker, for messages: `[newCommerceCancellable, cancel by 2026-12-01T00:00:00Z]`. */
export function describeClass(b: RemovalBlocker): string {
  const date = b.date && b.dateMeaning ? `, ${DATE_LABEL[b.dateMeaning]} ${printable(b.date)}` : "";
  return b.class ? `[${b.class}${date}]` : "";
}

/** The removal blocked message: every blocker with its id, name, status, class, date and next step. */
export function blockedMessage(
  customerId: string,
  blockers: readonly RemovalBlocker[],
  companyName?: string,
  preface = "",
): string {
  const lines = blockers.map(
    (b) =>
      `  - ${describeBlocker(b)} ${describeClass(b)}: ${printable(nextStep(b))} [rule: ${printable(b.rule ?? "")}]`,
  );
  return (
    `The reseller relationship with ${label(companyName, customerId)} cannot be removed yet: ` +
    `${blockers.length} blocker${blockers.length === 1 ? "" : "s"}. Nothing was changed.${preface}\n` +
    `${lines.join("\n")}\nThen run the command again (pulumi destroy, or pulumi up after removing the resource).`
  );
}
