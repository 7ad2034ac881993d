/** Adopt a relationship, and remove one: clear what may be cleared, patch to `none`, confirm. */
import { randomUUID } from "node:crypto";
import type { Customer, PartnerCenterClient, Subscription } from "../client";
import {
  ChangeNotAppliedError,
  exchangeOf,
  printable,
  PartnerCenterError,
  RelationshipNotEstablishedError,
  RemovalBlockedError,
  RemovalNotPermittedError,
  RemovalRefusedError,
  RemovalUnconfirmedError,
  redact,
  type RemovalBlocker,
} from "../errors";
import { isRefusal } from "../client/core/classify";
import {
  blockedMessage,
  type ClearingOptions,
  findBlockers,
  fitNextSteps,
  label,
  NON_BLOCKING_STATUSES,
  type Logger,
} from "./blockers";
import { normalizeEnum } from "../client/core/schemas";
import { deadlineAfter, poll } from "../client/core/wait";
import { firstError, isNotFound, orGone, settle, unreadableLists } from "./readiness";
import type { ResellerRelationshipArgs } from "../resource";

/**
 * The ResellerRelationship inputs besides `customerId`: the options of {@link adopt} and {@link remove}, and
 * GDAP's `terminateAdminRelationshipsOnRemoval`. Each updates in place (a new customerId replaces the
 * resource), and an estate entry passes on each one it sets.
 */
export const RESELLER_OPTIONS = [
  "suspendActiveSubscriptions",
  "cancelNewCommerceSubscriptionsInWindow",
  "acceptanceTimeoutSeconds",
  "indirectResellerId",
  "terminateAdminRelationshipsOnRemoval",
] as const satisfies readonly (keyof ResellerRelationshipArgs)[];

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
    const accepted = await poll(() => reseller(client, customerId), {
      done: (c) => c !== undefined,
      deadline: deadlineAfter(timeoutMs),
      intervalMs: opts.pollIntervalMs ?? Math.min(30_000, Math.max(1_000, timeoutMs / 10)),
      start: { value: undefined },
    });
    if (accepted) return accepted;
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
    // A list answered "not found". Only the customer's own GET can say it is gone (readiness.ts isGoneAnswer).
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
      const fitted = fitNextSteps(blockers, opts, false);
      throw new RemovalBlockedError(
        blockedMessage(customerId, fitted, opts.companyName, plan),
        customerId,
        fitted,
      );
    }
    await applyClearing(client, customerId, plan, log, suspended, cancelled);
    // Check again from the service, not from our own view: every page of both lists.
    const [subsAfter, entsAfter] = await Promise.all([
      client.subscriptions.list(customerId),
      client.entitlements.list(customerId),
    ]);
    blockers = fitNextSteps(findBlockers(subsAfter, entsAfter, now()), opts, true);
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
    // After an attempt that may have been applied (no answer, a 5xx), a retry may be answered 404 (1000),
    // 403 (20002) or 400 (3000, "the relationship does not exist") although the relationship is gone: nothing
    // documents that a retried PATCH is answered from a replay. So those, like every answer that is not a clear
    // refusal, are checked with GETs for the propagation time (below).
    if (!(e instanceof PartnerCenterError) || !isRefusal(e) || (e.mayHaveApplied && patchSaysNotThere(e))) {
      lost = e;
    } else if (patchSaysNotThere(e)) {
      // The same answers to a first attempt (nothing of ours applied): the relationship was gone before we
      // asked. One GET says whether it is: gone or `none` is success; still there is a refusal.
      const after = await orGone(client.customers.get(customerId)).catch((g: unknown) => {
        throw refusal(
          customerId,
          e,
          opts,
          suspended,
          cancelled,
          `; the GET that should have confirmed it failed: ${describeError(g)}`,
        );
      });
      if (after === undefined || after.relationshipToPartner === "none") {
        log(
          `Customer ${customerId}: Partner Center answered the removal with ${describeAnswer(e)}, and a GET confirms the reseller relationship is already gone (${after === undefined ? "customer not found" : 'relationship "none"'}): nothing left to remove.`,
        );
        return { outcome: "alreadyGone", suspended, cancelled, requestId };
      }
      throw refusal(
        customerId,
        e,
        opts,
        suspended,
        cancelled,
        `, and a GET still shows relationship "${printable(after.relationshipToPartner)}"`,
      );
    } else {
      throw refusal(customerId, e, opts, suspended, cancelled, "");
    }
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
  const first = Math.max(1, opts.confirmIntervalMs ?? REMOVAL_CONFIRM_INTERVAL_MS);
  const removed = (c: Customer | undefined) => c === undefined || c.relationshipToPartner === "none";
  const read = async (): Promise<Customer | undefined> => {
    try {
      return await orGone(client.customers.get(customerId));
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
  };
  const last = await poll(read, {
    done: removed,
    deadline: deadlineAfter(confirmTimeout(opts)),
    // Doubling from the first pause, up to the longest.
    intervalMs: (pauses) =>
      pauses === 0 ? first : Math.min(first * 2 ** pauses, REMOVAL_CONFIRM_MAX_INTERVAL_MS),
  });
  return removed(last) ? undefined : last;
}

/**
 * The answers to the removal PATCH that say the relationship is not there: 404 (1000 "Not found"), 403 20002
 * ("This partner has no commerce relationship with the customer") and 400 3000 (seen as "The relationship between
 * the partner and customer does not exist"), "Partner Center REST error codes"
 * (https://learn.microsoft.com/partner-center/developer/error-codes). Always confirmed with a GET.
 */
function patchSaysNotThere(e: PartnerCenterError): boolean {
  return (
    e.status === 404 ||
    (e.status === 403 && e.partnerCenterCode === "20002") ||
    (e.status === 400 && e.partnerCenterCode === "3000")
  );
}

/** `HTTP 400 code 3000 "..."`: the answer as Partner Center gave it, printable. */
function describeAnswer(e: PartnerCenterError): string {
  const desc = e.partnerCenterDescription ? ` "${printable(e.partnerCenterDescription)}"` : "";
  return `HTTP ${e.status ?? "?"}${e.partnerCenterCode ? ` code ${printable(e.partnerCenterCode)}` : ""}${desc}`;
}

/**
 * A refusal of the removal PATCH, typed: its status, code and description kept (the error's message ends with
 * them, as every Partner Center error's does), with the next step. A 403
 * other than 20002 means the account may not remove it: "Indirect resellers can't remove relationships with the
 * customer; they must work through the Indirect Provider to do so", and the roles are "Admin agent | Sales
 * agent" ("How to remove a reseller relationship with a customer in Partner Center",
 * https://learn.microsoft.com/partner-center/remove-a-relationship); "API access to Partner Center for indirect
 * resellers isn't supported" ("Get started with Partner Center APIs"). Partner Center documents no error of its
 * own for that case; the error table's 403 rows are 2032 "Access denied" and 900150 "The supplied role does not
 * have the rights to perform the requested operation". Any other refusal: what the PATCH answers when a
 * precondition is not met is not documented (the table's 800063, "This order {0} cannot be cancelled. Use PATCH
 * /customers/{1}/subscriptions/<subscriptionId> to suspend subscriptions", is one), so its description is shown
 * as it is, with what to check.
 */
function refusal(
  customerId: string,
  e: PartnerCenterError,
  opts: RemoveOptions,
  suspended: readonly string[],
  cancelled: readonly string[],
  confirm: string,
): RemovalRefusedError {
  const who = label(opts.companyName, customerId);
  const changed =
    suspended.length || cancelled.length
      ? ` Already changed before the PATCH: ${changedText(suspended, cancelled)}.`
      : " Nothing was changed.";
  const ctx = exchangeOf(e);
  if (e.status === 403 && e.partnerCenterCode !== "20002") {
    return new RemovalNotPermittedError(
      `Partner Center did not let this account remove the reseller relationship with ${who}${confirm}.${changed}`,
      customerId,
      {
        ...ctx,
        action:
          "Indirect resellers cannot remove relationships with customers: their indirect provider must remove it (Partner Center, Customers, the customer, Account, Remove reseller relationship). Otherwise the user behind the refresh token needs the Admin agent or Sales agent role in this partner's Partner Center. The resource stays in the stack; run the command again once that is settled.",
      },
    );
  }
  return new RemovalRefusedError(
    `Partner Center refused to remove the reseller relationship with ${who}${confirm}.${changed}`,
    customerId,
    {
      ...ctx,
      action:
        "The check before the PATCH found nothing blocking, so Partner Center knows of something the lists did not show, or something changed since: check the customer in Partner Center for active or suspended new-commerce subscriptions (they must be cancelled), active legacy subscriptions (suspend them), open Azure reservations (Azure support) and software purchases, clear what its description names, then run the command again: it checks again before it changes anything. The resource stays in the stack.",
    },
  );
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What the provider will change to clear the blockers: cancellations first (their windows close), then suspensions. */
export interface ClearingPlan {
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
 * Azure subscriptions leaves everything as it is. Reads only (an Azure plan's Azure subscriptions): `estate plan`
 * judges an offboarding with it, so the plan and the removal follow one rule.
 */
export async function planClearing(
  client: PartnerCenterClient,
  customerId: string,
  subs: readonly Subscription[],
  blockers: readonly RemovalBlocker[],
  opts: ClearingOptions,
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
      } else if (e instanceof ChangeNotAppliedError) {
        // Answered with success but not applied: said as such, never counted as changed.
        e.message = redact(`${e.message} Nothing else was changed; the relationship was not removed.`);
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
