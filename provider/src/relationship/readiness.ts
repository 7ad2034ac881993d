/** Readiness: can a relationship be removed now, and what blocks it (read-only; the readiness report's rules). */
import type { Customer, Entitlement, PartnerCenterClient, Subscription } from "../client";
import { exchangeOf, NotFoundError, printable, PartnerCenterError, type RemovalBlocker } from "../errors";
import { assessRemoval, label, type RemovalNote } from "./blockers";

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
 * (docs/design/partner-center-contract.md#errors). "Gone" is only ever concluded from these answers to a GET of the
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
export async function orGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isGoneAnswer(e)) return undefined;
    throw e;
  }
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Settles one of several calls made at once with a shared controller: a failure that `tolerated` does not
 * accept aborts the siblings (their retries would only delay the error the operation will report anyway).
 */
export function settle<T>(
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

export const isNotFound = (e: unknown): boolean => e instanceof NotFoundError;

/** The error of the first settled call that failed. */
export function firstError(...results: Settled<unknown>[]): unknown {
  for (const r of results) if (!r.ok) return r.error;
  return undefined;
}

/** A list answered "not found" although the customer is there: nothing is judged on that. */
export function unreadableLists(customerId: string, customer: Customer, error: unknown): NotFoundError {
  return new NotFoundError(
    `Could not read the subscriptions or entitlements of customer ${label(customer.companyName, customerId)}, although Partner Center still shows the customer (relationship "${printable(customer.relationshipToPartner)}"). Nothing was changed.`,
    {
      ...(error instanceof PartnerCenterError ? exchangeOf(error) : {}),
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
