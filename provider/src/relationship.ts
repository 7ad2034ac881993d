/**
 * The domain rules of a reseller relationship: adopt it, judge whether it can be removed, remove it.
 * No HTTP here: everything goes through {@link PartnerCenterClient}, so the rules are the same for the
 * provider, the readiness report and users' own scripts.
 *
 * Microsoft's rules ("Remove a reseller relationship with a customer", partner-center-sdk docs, and
 * shared/partner-center-api.md): every Azure reserved VM instance must be cancelled (through Azure support:
 * there is no API) and no subscription may be active before the relationship is patched to `none`.
 */
import { randomUUID } from "node:crypto";
import type { Customer, Entitlement, PartnerCenterClient, Subscription } from "./client";
import {
  NotFoundError,
  printable,
  ResponseValidationError,
  PartnerCenterError,
  RelationshipNotEstablishedError,
  RemovalBlockedError,
  RemovalUnconfirmedError,
  redact,
  type RemovalBlocker,
} from "./errors";

export type { RemovalBlocker } from "./errors";

/** Where progress lines go: the provider passes `pulumi.log.info`, the CLI `console.error`. */
export type Logger = (line: string) => void;

/**
 * The comparable form of an enum value from the service: Unicode NFKC (full-width and compatibility forms
 * folded), invisible format and control characters removed (zero-width spaces, bidi marks), surrounding
 * whitespace trimmed, lower-cased. Partner Center's enum casing varies (shared/partner-center-api.md,
 * "Casing"); the rest is so that a stray character can never turn a blocking value into an unknown one
 * that a deny-list would let through.
 */
export function normalizeEnum(value: string): string {
  return value
    .normalize("NFKC")
    .replace(/[\p{Cf}\p{Cc}]/gu, "")
    .replace(/^[\s\p{Z}]+|[\s\p{Z}]+$/gu, "")
    .toLowerCase();
}

/**
 * Subscription statuses known NOT to block removal (the Subscription resource's status enum, shared/
 * partner-center-api.md "Enumerations": none, active, suspended, deleted, expired, pending, disabled).
 * An allow-list: anything else blocks, so a status Microsoft adds later is treated as blocking until we know
 * better. `pending` becomes `active` once provisioned. `none` is the enum's default ("no status set"): it
 * does not prove the subscription is inactive, so it blocks too.
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
  if (NON_BLOCKING_STATUSES.has(status)) return undefined;
  const base = {
    kind: "subscription" as const,
    id: s.id,
    name: s.offerName ?? s.friendlyName ?? "",
    status: s.status,
  };
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
      return {
        ...base,
        ...end,
        rule: 'an active Azure savings plan (productType Azure, billingType or unitType "Benefit") blocks removal',
        class: "savingsPlan",
        nextStep: `Partner Center has no API to cancel an Azure savings plan: ask Azure support, or turn off its renewal in the Azure portal and remove the relationship after its term ends${s.commitmentEndDate ? ` on ${day(s.commitmentEndDate)}` : ""}`,
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
  // New commerce (and software subscriptions): "NCE subscriptions must be cancelled for the reselling
  // relationship to be removed" ("How to remove a reseller relationship with a customer in Partner Center"),
  // and only inside the window given by cancellationAllowedUntilDate ("Subscription resources"; null means it
  // cannot be cancelled).
  const deadline = instant(s.cancellationAllowedUntilDate);
  if (deadline !== undefined && deadline > now) {
    return {
      ...base,
      rule: "an active new-commerce subscription blocks removal until it is cancelled (a suspended one keeps billing and still blocks)",
      class: "newCommerceCancellable",
      date: s.cancellationAllowedUntilDate!,
      dateMeaning: "cancellationDeadline",
      nextStep: `cancel it before ${s.cancellationAllowedUntilDate} (the end of its cancellation window): in Partner Center, or set ${CANCEL_OPTION} to let the provider cancel it; suspending it would not do`,
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
    rule: `an active new-commerce subscription blocks removal, and ${window}: it cannot be cancelled until its term ends`,
    class: "newCommerceLocked",
    nextStep: `it cannot be cancelled (${window}) and blocks until its term ends${s.commitmentEndDate ? ` on ${day(s.commitmentEndDate)}` : ""}: ${autoRenew}; remove the relationship after that date`,
  };
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

function label(companyName: string | undefined, customerId: string): string {
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

/** A customer's standing, as refresh and the readiness report see it. */
export interface Readiness {
  customerId: string;
  /** The customer, when the partner still sees it. */
  customer: Customer | undefined;
  /** The customer is gone for this partner (404, or 403 code 20002). */
  gone: boolean;
  /** The relationship is `reseller`. */
  isReseller: boolean;
  removable: boolean;
  blockers: RemovalBlocker[];
  /** What was looked at and does not block (ended reservations, software purchases). */
  notes: RemovalNote[];
  subscriptions: Subscription[];
  entitlements: Entitlement[];
}

/**
 * True for the answers to `GET /v1/customers/{id}` that mean the customer is gone for this partner: 404 with
 * code 1000 (not found) or 60003 (tenant not found), or 403 with code 20002 (no relationship)
 * (shared/partner-center-api.md, "Errors"). "Gone" is only ever concluded from these answers to a GET of the
 * customer itself, never from a list: a list can answer 404 for reasons of its own (a route, a proxy, a
 * transient fault), and treating that as "gone" would drop a resource whose relationship still stands.
 */
export function isGoneAnswer(e: unknown): boolean {
  if (!(e instanceof NotFoundError)) return false;
  const code = e.partnerCenterCode;
  return (
    (e.status === 404 && (code === "1000" || code === "60003")) || (e.status === 403 && code === "20002")
  );
}

/** The customer, or undefined when a GET of it shows it gone ({@link isGoneAnswer}). */
async function orGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isGoneAnswer(e)) return undefined;
    throw e;
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Settles one of several calls made at once with a shared controller: a failure that `tolerated` does not
 * accept aborts the siblings (their retries would only delay the error the operation will report anyway).
 */
function settle<T>(
  p: Promise<T>,
  siblings: AbortController,
  tolerated: (e: unknown) => boolean,
): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => {
      if (!tolerated(error) && !siblings.signal.aborted) siblings.abort(error);
      return { ok: false, error };
    },
  );
}

const isNotFound = (e: unknown): boolean => e instanceof NotFoundError;

/** The error of the first settled call that failed. */
function firstError(...results: Settled<unknown>[]): unknown {
  for (const r of results) if (!r.ok) return r.error;
  return undefined;
}

/** A list answered "not found" although the customer is there: nothing is judged on that. */
function unreadableLists(customerId: string, customer: Customer, error: unknown): NotFoundError {
  const ctx = error instanceof PartnerCenterError ? error : undefined;
  return new NotFoundError(
    `Could not read the subscriptions or entitlements of customer ${label(customer.companyName, customerId)}, although Partner Center still shows the customer (relationship "${printable(customer.relationshipToPartner)}"). Nothing was changed.`,
    {
      status: ctx?.status,
      partnerCenterCode: ctx?.partnerCenterCode,
      requestId: ctx?.requestId,
      correlationId: ctx?.correlationId,
      operation: ctx?.operation,
      action: "Run the command again; if it persists, check the customer in Partner Center.",
    },
  );
}

/**
 * Reads the customer, its subscriptions and its entitlements, all three at once (every page of each list),
 * and judges whether the reseller relationship can be removed now. The customer is gone only when its own
 * GET says so; when a call fails for good, the others are aborted.
 */
export async function assessReadiness(client: PartnerCenterClient, customerId: string): Promise<Readiness> {
  const siblings = new AbortController();
  const o = { signal: siblings.signal };
  const [customer, subscriptions, entitlements] = await Promise.all([
    settle(client.customers.get(customerId, o), siblings, isGoneAnswer),
    settle(client.subscriptions.list(customerId, o), siblings, isNotFound),
    settle(client.entitlements.list(customerId, o), siblings, isNotFound),
  ]);
  if (siblings.signal.aborted) throw siblings.signal.reason;
  if (!customer.ok) {
    return {
      customerId,
      customer: undefined,
      gone: true,
      isReseller: false,
      removable: false,
      blockers: [],
      notes: [],
      subscriptions: [],
      entitlements: [],
    };
  }
  if (!subscriptions.ok || !entitlements.ok) {
    // The customer answered but a list did not: never judge on partial data.
    throw unreadableLists(customerId, customer.value, firstError(subscriptions, entitlements));
  }
  const { blockers, notes } = assessRemoval(subscriptions.value, entitlements.value);
  const isReseller = customer.value.relationshipToPartner === "reseller";
  return {
    customerId,
    customer: customer.value,
    gone: false,
    isReseller,
    removable: isReseller && blockers.length === 0,
    blockers,
    notes,
    subscriptions: subscriptions.value,
    entitlements: entitlements.value,
  };
}

/** Options of {@link adopt}. */
export interface AdoptOptions {
  /** Wait this long for the customer to accept the invitation (0: fail at once). */
  acceptanceTimeoutSeconds?: number;
  indirectResellerId?: string;
  log?: Logger;
  /** Poll interval while waiting; by default a tenth of the timeout, between 1 and 30 seconds. */
  pollIntervalMs?: number;
}

async function reseller(client: PartnerCenterClient, customerId: string): Promise<Customer | undefined> {
  const c = await orGone(client.customers.get(customerId));
  return c?.relationshipToPartner === "reseller" ? c : undefined;
}

/**
 * Adopts an existing reseller relationship in one GET. When there is none, fetches the invitation link and
 * throws {@link RelationshipNotEstablishedError} carrying it, or with `acceptanceTimeoutSeconds` prints the
 * link and polls until the customer accepts or the time runs out.
 */
export async function adopt(
  client: PartnerCenterClient,
  customerId: string,
  opts: AdoptOptions = {},
): Promise<Customer> {
  const found = await reseller(client, customerId);
  if (found) return found;

  const url = await client.relationshipRequests.getInvitationUrl(
    opts.indirectResellerId ? { indirectResellerId: opts.indirectResellerId } : {},
  );
  const timeoutMs = Math.max(0, opts.acceptanceTimeoutSeconds ?? 0) * 1000;
  if (timeoutMs > 0) {
    opts.log?.(
      `Customer ${customerId} has no reseller relationship yet. Send this invitation link to a global administrator of the customer's tenant: ${url} ; waiting up to ${opts.acceptanceTimeoutSeconds} s for the acceptance.`,
    );
    const interval = opts.pollIntervalMs ?? Math.min(30_000, Math.max(1_000, timeoutMs / 10));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()))));
      const accepted = await reseller(client, customerId);
      if (accepted) return accepted;
    }
  }
  const waited =
    timeoutMs > 0 ? ` The customer did not accept within ${opts.acceptanceTimeoutSeconds} s.` : "";
  throw new RelationshipNotEstablishedError(
    `Customer ${customerId} has no reseller relationship with this partner.${waited} Send this invitation link to a global administrator of the customer's tenant: ${url} . Once they accept it (and sign the Microsoft Customer Agreement), run \`pulumi up\` again, or set acceptanceTimeoutSeconds to wait for the acceptance.`,
    customerId,
    url,
  );
}

/** Options of {@link remove}. */
export interface RemoveOptions {
  /**
   * Suspend active legacy subscriptions (and Azure plans whose Azure subscriptions are all cancelled) first
   * (default false: they block). Never a new-commerce subscription: a suspended one keeps billing and still
   * blocks ("How to remove a reseller relationship with a customer in Partner Center").
   */
  suspendActiveSubscriptions?: boolean;
  /**
   * Cancel active new-commerce (and software) subscriptions that are inside their cancellation window
   * (`cancellationAllowedUntilDate` in the future) first: PATCH status `deleted` ("Cancel a commercial
   * marketplace or new commerce subscription"). Default false: they block. Cancelling ends the customer's
   * service with a prorated refund; it cannot be undone.
   */
  cancelNewCommerceSubscriptionsInWindow?: boolean;
  /** The current time, for the cancellation windows and expiries (tests); Date.now by default. */
  now?: () => number;
  log?: Logger;
  /** The customer's company name, when known (from state), for messages. */
  companyName?: string;
  /** How long to confirm a removal with GETs (default {@link REMOVAL_CONFIRM_TIMEOUT_MS}). */
  confirmTimeoutMs?: number;
  /** First pause between confirming GETs (default {@link REMOVAL_CONFIRM_INTERVAL_MS}); doubles each time. */
  confirmIntervalMs?: number;
}

/** What {@link remove} did. */
export interface RemovalResult {
  outcome: "removed" | "alreadyGone";
  /** Ids of the subscriptions it suspended. */
  suspended: string[];
  /** Ids of the new-commerce subscriptions it cancelled. */
  cancelled: string[];
  /** MS-RequestId of the relationship PATCH. */
  requestId?: string;
}

/**
 * Removes the reseller relationship, only after proving nothing blocks it. When blocked, throws
 * {@link RemovalBlockedError} and changes nothing; with `suspendActiveSubscriptions`, suspends the active
 * subscriptions first (never when a reserved instance or an unsuspendable subscription would block anyway).
 * Succeeds only when the service confirms `none`, or a GET shows the customer gone or `none` (polled for up to
 * {@link REMOVAL_CONFIRM_TIMEOUT_MS}, allowing for propagation). The PATCH is sent once (its transport retries
 * aside); a refusal after an attempt that may have been applied is checked with a GET, never reported as such.
 */
export async function remove(
  client: PartnerCenterClient,
  customerId: string,
  opts: RemoveOptions = {},
): Promise<RemovalResult> {
  const log = opts.log ?? (() => undefined);
  const siblings = new AbortController();
  const o = { signal: siblings.signal };
  const [listed, ents] = await Promise.all([
    settle(client.subscriptions.list(customerId, o), siblings, isNotFound),
    settle(client.entitlements.list(customerId, o), siblings, isNotFound),
  ]);
  if (siblings.signal.aborted) throw siblings.signal.reason;
  if (!listed.ok || !ents.ok) {
    // A list answered "not found". Only the customer's own GET can say it is gone (see isGoneAnswer).
    const customer = await orGone(client.customers.get(customerId));
    if (customer === undefined) {
      log(`Customer ${customerId} is already gone for this partner: nothing to remove.`);
      return { outcome: "alreadyGone", suspended: [], cancelled: [] };
    }
    throw unreadableLists(customerId, customer, firstError(listed, ents));
  }
  const subscriptions = listed.value;
  const entitlements = ents.value;

  const now = opts.now ?? Date.now;
  let blockers = findBlockers(subscriptions, entitlements, now());
  const suspended: string[] = [];
  const cancelled: string[] = [];
  if (blockers.length > 0) {
    const plan = await planClearing(client, customerId, subscriptions, blockers, opts);
    if (typeof plan === "string") {
      throw new RemovalBlockedError(
        blockedMessage(customerId, blockers, opts.companyName, plan),
        customerId,
        blockers,
      );
    }
    await applyClearing(client, customerId, plan, log, suspended, cancelled);
    // Check again from the service, not from our own view: every page of both lists.
    const [subsAfter, entsAfter] = await Promise.all([
      client.subscriptions.list(customerId),
      client.entitlements.list(customerId),
    ]);
    blockers = findBlockers(subsAfter, entsAfter, now());
    if (blockers.length > 0) {
      throw new RemovalBlockedError(
        blockedMessage(
          customerId,
          blockers,
          opts.companyName,
          ` (Already changed: ${changedText(suspended, cancelled)}.)`,
        ).replace("Nothing was changed.", "The relationship was not removed."),
        customerId,
        blockers,
      );
    }
  }

  const requestId = randomUUID();
  let lost: unknown;
  try {
    const res = await client.customers.removeRelationship(customerId, { requestId });
    // The documented 200 ("Remove the reseller relationship with a customer") shows `none`: done.
    if (res.relationshipToPartner === "none") return removed();
  } catch (e) {
    // A refusal answered to the first attempt (or to retries none of which may have been applied) was not
    // applied: surface it as it is. After an attempt that may have been applied (no answer, a 5xx), a retry
    // may be answered 404 (1000), 403 (20002) or 400 (3000, "the relationship does not exist") although the
    // relationship is gone: nothing documents that a retried PATCH is answered from a replay. So those, like
    // every answer that is not a clear refusal, are checked with a GET.
    if (
      e instanceof PartnerCenterError &&
      isRefusal(e.status) &&
      !(e.mayHaveApplied && isRetriedPatchGoneAnswer(e))
    ) {
      throw e;
    }
    lost = e;
  }
  // Never PATCH again from here: only GETs, for at most the propagation time.
  const after = await confirmRemoved(client, customerId, opts, requestId, lost);
  if (after !== undefined) {
    throw new RemovalUnconfirmedError(
      `Partner Center did not confirm the removal of the reseller relationship with customer ${customerId}${lost ? ` (${describeError(lost)})` : ""}, and after ${Math.round(confirmTimeout(opts) / 1000)} s the customer still shows relationship "${after.relationshipToPartner}".`,
      {
        requestId,
        action:
          "The resource stays in the stack. Check the customer in Partner Center, then run the command again: it checks before it changes anything.",
      },
    );
  }
  return removed();

  function removed(): RemovalResult {
    log(
      `Removed the reseller relationship with customer ${customerId}${suspended.length || cancelled.length ? ` after changing subscriptions (${changedText(suspended, cancelled)})` : ""}: Partner Center confirmed none (MS-RequestId ${requestId}).`,
    );
    return { outcome: "removed", suspended, cancelled, requestId };
  }
}

/**
 * How long {@link remove} keeps checking with GETs that a removal took effect, when the PATCH's own answer did
 * not show `none` (lost, 5xx, or a 200 without it). Microsoft's removal sample waits "for changes to
 * propagate" (about two minutes) before it reads the customer again, so a GET right after the PATCH may still
 * show the old relationship. Override per call with {@link RemoveOptions.confirmTimeoutMs}.
 */
export const REMOVAL_CONFIRM_TIMEOUT_MS = 120_000;
/** First pause between two confirming GETs; it doubles up to {@link REMOVAL_CONFIRM_MAX_INTERVAL_MS}. */
export const REMOVAL_CONFIRM_INTERVAL_MS = 500;
const REMOVAL_CONFIRM_MAX_INTERVAL_MS = 15_000;

function confirmTimeout(opts: RemoveOptions): number {
  return Math.max(0, opts.confirmTimeoutMs ?? REMOVAL_CONFIRM_TIMEOUT_MS);
}

/**
 * GETs the customer until it is gone (404, 403/20002) or shows `none`, within the confirmation time. Returns
 * undefined when the removal is confirmed, else the customer as last seen. A GET that fails otherwise ends the
 * check with {@link RemovalUnconfirmedError}.
 */
async function confirmRemoved(
  client: PartnerCenterClient,
  customerId: string,
  opts: RemoveOptions,
  requestId: string,
  lost: unknown,
): Promise<Customer | undefined> {
  const deadline = Date.now() + confirmTimeout(opts);
  let interval = Math.max(1, opts.confirmIntervalMs ?? REMOVAL_CONFIRM_INTERVAL_MS);
  for (;;) {
    let after: Customer | undefined;
    try {
      after = await orGone(client.customers.get(customerId));
    } catch (e) {
      throw new RemovalUnconfirmedError(
        `The removal of the reseller relationship with customer ${customerId} could not be confirmed${lost ? `: ${describeError(lost)}` : ""}; the check that followed failed: ${describeError(e)}.`,
        {
          requestId,
          action:
            "The resource stays in the stack. Run the command again: it checks before it changes anything.",
        },
      );
    }
    if (after === undefined || after.relationshipToPartner === "none") return undefined;
    const left = deadline - Date.now();
    if (left <= 0) return after;
    await new Promise((r) => setTimeout(r, Math.min(interval, left)));
    interval = Math.min(interval * 2, REMOVAL_CONFIRM_MAX_INTERVAL_MS);
  }
}

function isRefusal(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** The answers a retried removal PATCH may get once the first attempt was applied: 404, 403/20002, 400/3000. */
function isRetriedPatchGoneAnswer(e: PartnerCenterError): boolean {
  return (
    e.status === 404 ||
    (e.status === 403 && e.partnerCenterCode === "20002") ||
    (e.status === 400 && e.partnerCenterCode === "3000")
  );
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What the provider will change to clear the blockers: cancellations first (their windows close), then suspensions. */
interface ClearingPlan {
  cancel: Subscription[];
  suspend: Subscription[];
}

/** `cancelled a, b; suspended c`, or `nothing`. */
function changedText(suspended: readonly string[], cancelled: readonly string[]): string {
  const parts = [
    cancelled.length ? `cancelled ${cancelled.map(printable).join(", ")}` : "",
    suspended.length ? `suspended ${suspended.map(printable).join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "nothing";
}

/**
 * The changes that would clear every blocker with the options given, or (a string) why not: then nothing is
 * changed. A half-changed customer is the worst outcome for an unattended run, so it is all or nothing: a
 * reserved instance, a locked new-commerce subscription, anything undetermined, or an Azure plan with active
 * Azure subscriptions leaves everything as it is.
 */
async function planClearing(
  client: PartnerCenterClient,
  customerId: string,
  subs: readonly Subscription[],
  blockers: readonly RemovalBlocker[],
  opts: RemoveOptions,
): Promise<ClearingPlan | string> {
  const byId = new Map(subs.map((s) => [s.id, s]));
  const plan: ClearingPlan = { cancel: [], suspend: [] };
  const left: RemovalBlocker[] = [];
  for (const b of blockers) {
    const s = b.kind === "subscription" ? byId.get(b.id) : undefined;
    if (s && b.class === "newCommerceCancellable" && opts.cancelNewCommerceSubscriptionsInWindow) {
      plan.cancel.push(s);
    } else if (
      s &&
      (b.class === "legacyActive" || b.class === "azurePlan") &&
      opts.suspendActiveSubscriptions
    ) {
      plan.suspend.push(s);
    } else {
      left.push(b);
    }
  }
  if (left.length > 0) {
    if (plan.cancel.length + plan.suspend.length === 0) return "";
    return ` The provider could clear ${plan.cancel.length + plan.suspend.length} of them with the options set, but not ${left.map((b) => printable(b.id)).join(", ")}, so it changed none.`;
  }
  const plans = plan.suspend.filter((s) => s.isAzurePlan);
  if (plans.length > 0 && (await anyAzurePlanInUse(client, customerId, plans))) {
    return " An Azure plan still has active Azure subscriptions (Partner Center would refuse to suspend it, error 900115), so the provider changed nothing.";
  }
  return plan;
}

/**
 * Applies a {@link ClearingPlan}, one subscription at a time (each PATCH its own; a failure stops before the
 * next change). A failure after some changes says exactly which were made, in the error and a log line.
 */
async function applyClearing(
  client: PartnerCenterClient,
  customerId: string,
  plan: ClearingPlan,
  log: Logger,
  suspended: string[],
  cancelled: string[],
): Promise<void> {
  const steps = [
    ...plan.cancel.map((s) => ({ s, action: "cancel" as const })),
    ...plan.suspend.map((s) => ({ s, action: "suspend" as const })),
  ];
  for (const { s, action } of steps) {
    try {
      if (action === "cancel") await client.subscriptions.cancel(customerId, s);
      else await client.subscriptions.suspend(customerId, s);
    } catch (e) {
      if (suspended.length || cancelled.length) {
        const what = `Already changed before ${action === "cancel" ? "cancelling" : "suspending"} ${printable(s.id)} failed: ${changedText(suspended, cancelled)}; the relationship was not removed.`;
        log(what);
        if (e instanceof Error) e.message = redact(`${e.message} ${what}`);
      }
      throw e;
    }
    (action === "cancel" ? cancelled : suspended).push(s.id);
  }
  log(
    `Cleared the blockers of customer ${customerId}: ${steps
      .map(
        ({ s, action }) =>
          `${action === "cancel" ? "cancelled" : "suspended"} ${printable(s.id)}${s.offerName ? ` "${printable(s.offerName)}"` : ""}`,
      )
      .join(", ")}.`,
  );
}

async function anyAzurePlanInUse(
  client: PartnerCenterClient,
  customerId: string,
  plans: readonly Subscription[],
): Promise<boolean> {
  const lists = await Promise.all(plans.map((p) => client.subscriptions.azureEntitlements(customerId, p.id)));
  // An allow-list here too: an Azure subscription in a status not known to be inactive counts as in use.
  return lists.some((l) => l.some((a) => !NON_BLOCKING_STATUSES.has(normalizeEnum(a.status))));
}
