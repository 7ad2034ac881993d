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

/**
 * True when the entitlement type names an Azure reservation in any spelling: `reservedInstance`, the legacy
 * `VirtualMachineReservedInstance`, `reservation`, `Reserved_Instance`... (anything containing "reserv" once
 * normalised).
 */
export function isReservedInstance(e: Pick<Entitlement, "entitlementType">): boolean {
  return normalizeEnum(e.entitlementType).includes("reserv");
}

/**
 * The blockers among a customer's entitlements and subscriptions: reserved instances first, then entitlements
 * of an unknown type, then subscriptions. Allow-lists throughout: only a subscription whose status is one of
 * {@link NON_BLOCKING_STATUSES} and an entitlement of a type in {@link NON_BLOCKING_ENTITLEMENT_TYPES} do not
 * block. Each blocker carries the rule that decided it.
 *
 * @throws ResponseValidationError when the lists cannot be trusted: two subscriptions with the same id.
 */
export function findBlockers(
  subscriptions: readonly Subscription[],
  entitlements: readonly Entitlement[],
): RemovalBlocker[] {
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
  for (const e of entitlements) {
    const type = normalizeEnum(e.entitlementType);
    if (NON_BLOCKING_ENTITLEMENT_TYPES.has(type)) continue;
    const blocker = {
      id: e.id,
      name: e.productId ?? e.entitlementType,
      status: e.status || "active",
    };
    if (isReservedInstance(e)) {
      reservations.push({
        kind: "reservedInstance",
        ...blocker,
        rule: `entitlement type "${e.entitlementType}" is an Azure reservation`,
      });
    } else {
      unknown.push({
        kind: "entitlement",
        ...blocker,
        rule: `entitlement type "${e.entitlementType}" is neither software nor a reservation: an unknown type blocks until it is checked`,
      });
    }
  }
  const subs: RemovalBlocker[] = [];
  for (const s of subscriptions) {
    const status = normalizeEnum(s.status);
    if (NON_BLOCKING_STATUSES.has(status)) continue;
    subs.push({
      kind: "subscription",
      id: s.id,
      name: s.offerName ?? s.friendlyName ?? "",
      status: s.status,
      rule:
        status === "active" || status === "pending"
          ? `status ${status} blocks removal`
          : `status "${s.status}" is not one known not to block (${[...NON_BLOCKING_STATUSES].join(", ")})`,
    });
  }
  return [...reservations, ...unknown, ...subs];
}

/** What the user must do about one blocker. */
export function nextStep(blocker: RemovalBlocker, subscription?: Subscription): string {
  if (blocker.kind === "reservedInstance") {
    return "cancel this Azure reservation through Azure support (Partner Center has no API for it)";
  }
  if (blocker.kind === "entitlement") {
    return "check this entitlement in Partner Center: its type is not one this provider knows, so it is not removed blindly; cancel it if it is a reservation or a purchase that must end first";
  }
  const status = normalizeEnum(blocker.status);
  if (status === "pending") {
    return "wait until it is provisioned, then suspend or cancel it";
  }
  if (status !== "active") {
    return "check this subscription in Partner Center: its status is not one known to be inactive; suspend or cancel it if it is in use";
  }
  if (subscription?.isAzurePlan) {
    return "cancel the Azure subscriptions under this Azure plan first (Partner Center refuses to suspend a plan with active Azure subscriptions, error 900115), then suspend the plan";
  }
  if (subscription?.isNewCommerce) {
    return "cancel it in Partner Center within its cancellation window (a suspended new-commerce subscription keeps billing), or suspend it (suspendActiveSubscriptions: true)";
  }
  return "suspend or cancel it in Partner Center, or set suspendActiveSubscriptions: true to let the provider suspend it";
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

/** The removal blocked message: every blocker with its id, name, status and next step. */
export function blockedMessage(
  customerId: string,
  blockers: readonly RemovalBlocker[],
  subscriptions: readonly Subscription[],
  companyName?: string,
): string {
  const byId = new Map(subscriptions.map((s) => [s.id, s]));
  const lines = blockers.map(
    (b) => `  - ${describeBlocker(b)}: ${nextStep(b, byId.get(b.id))} [rule: ${printable(b.rule ?? "")}]`,
  );
  return (
    `The reseller relationship with ${label(companyName, customerId)} cannot be removed yet: ` +
    `${blockers.length} blocker${blockers.length === 1 ? "" : "s"}. Nothing was changed.\n` +
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
      subscriptions: [],
      entitlements: [],
    };
  }
  if (!subscriptions.ok || !entitlements.ok) {
    // The customer answered but a list did not: never judge on partial data.
    throw unreadableLists(customerId, customer.value, firstError(subscriptions, entitlements));
  }
  const blockers = findBlockers(subscriptions.value, entitlements.value);
  const isReseller = customer.value.relationshipToPartner === "reseller";
  return {
    customerId,
    customer: customer.value,
    gone: false,
    isReseller,
    removable: isReseller && blockers.length === 0,
    blockers,
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
  /** Suspend active subscriptions first, as the PowerShell module does (default false: they block). */
  suspendActiveSubscriptions?: boolean;
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
  /** MS-RequestId of the relationship PATCH. */
  requestId?: string;
}

/** Subscriptions the provider may suspend: `active` ones only (a `pending` one cannot be suspended yet). */
function suspendable(subs: readonly Subscription[]): Subscription[] {
  return subs.filter((s) => s.status === "active");
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
      return { outcome: "alreadyGone", suspended: [] };
    }
    throw unreadableLists(customerId, customer, firstError(listed, ents));
  }
  const subscriptions = listed.value;
  const entitlements = ents.value;

  let subs = subscriptions;
  let blockers = findBlockers(subs, entitlements);
  const suspended: string[] = [];
  if (blockers.length > 0 && opts.suspendActiveSubscriptions) {
    subs = await suspendAll(client, customerId, subs, blockers, log, suspended);
    blockers = findBlockers(subs, entitlements);
  }
  if (blockers.length > 0) {
    throw new RemovalBlockedError(
      blockedMessage(customerId, blockers, subs, opts.companyName),
      customerId,
      blockers,
    );
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
      `Removed the reseller relationship with customer ${customerId}${suspended.length ? ` after suspending ${suspended.length} subscription(s)` : ""}: Partner Center confirmed none (MS-RequestId ${requestId}).`,
    );
    return { outcome: "removed", suspended, requestId };
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

async function suspendAll(
  client: PartnerCenterClient,
  customerId: string,
  subs: Subscription[],
  blockers: readonly RemovalBlocker[],
  log: Logger,
  suspended: string[],
): Promise<Subscription[]> {
  // Suspend nothing unless every blocker can be cleared: a reserved instance or a pending subscription would
  // still block, and a half-suspended customer is the worst outcome for an unattended run.
  const blocking = new Set(blockers.filter((b) => b.kind === "subscription").map((b) => b.id));
  const toSuspend = suspendable(subs).filter((s) => blocking.has(s.id));
  if (blockers.some((b) => b.kind === "reservedInstance") || toSuspend.length !== blocking.size) return subs;
  const plans = toSuspend.filter((s) => s.isAzurePlan);
  if (plans.length > 0 && (await anyAzurePlanInUse(client, customerId, plans))) return subs;

  for (const s of toSuspend) {
    // One at a time: the etag of each is its own, and a failure stops before the next change.
    try {
      await client.subscriptions.suspend(customerId, s);
    } catch (e) {
      if (suspended.length) {
        log(
          `Suspended ${printable(suspended.join(", "))} before suspending ${printable(s.id)} failed; the relationship was not removed.`,
        );
      }
      throw e;
    }
    suspended.push(s.id);
  }
  log(
    `Suspended ${toSuspend.length} active subscription(s) of customer ${customerId}: ${toSuspend
      .map(
        (s) =>
          `${printable(s.id)}${s.offerName ? ` "${printable(s.offerName)}"` : ""}${s.isNewCommerce ? " (new commerce: a suspended new-commerce subscription keeps billing until cancelled)" : ""}`,
      )
      .join(", ")}.`,
  );
  // Check again from the service, not from our own view: every page.
  return client.subscriptions.list(customerId);
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
