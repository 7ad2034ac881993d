/**
 * The audited view of the Partner Center client: every read and write the domain rules make, recorded on the
 * operation (operation.ts); and the audited removal and adoption, which run the domain rules on that view.
 */
import type {
  Customer,
  Entitlement,
  PartnerCenterClient,
  RequestOptions,
  SentIds,
  Subscription,
} from "../client";
import { PartnerCenterError, RemovalBlockedError, RemovalUnconfirmedError } from "../errors";
import type { RemovalResult } from "../relationship";
import type { Settings } from "../settings";
import { Operation } from "./operation";
import {
  AuditTrailError,
  auditLogPath,
  trailWriter,
  type AuditLogger,
  type AuditOutcome,
  type AuditRequest,
} from "./trail";

/** The ids of each logical request sent (the last attempt's correlation id), in the order first sent. */
function collector(): { onIds: (ids: SentIds) => void; requests: AuditRequest[] } {
  const byId = new Map<string, AuditRequest>();
  return {
    onIds: (ids) => void byId.set(ids.requestId, { ...ids }),
    get requests() {
      return [...byId.values()];
    },
  };
}

async function resultOf<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

function codeOf(e: unknown): string {
  return e instanceof PartnerCenterError ? e.code : "UNEXPECTED";
}

/**
 * A view of `client` that records every read and write of `op` (see the file comment). Only the methods
 * the domain rules call are wrapped; the rest is the client itself (prototype).
 */
export function auditedClient(client: PartnerCenterClient, op: Operation): PartnerCenterClient {
  /**
   * A subscription write (suspend, or new-commerce cancel): its intent before each attempt is sent, its
   * record right after Partner Center answers.
   */
  const change =
    (kind: "suspend" | "cancel") =>
    async (id: string, s: Subscription, o: RequestOptions = {}): Promise<Subscription> => {
      await op.writeChecked();
      const sent = collector();
      const subject = {
        kind: "subscription" as const,
        id: s.id,
        name: s.offerName ?? s.friendlyName ?? null,
      };
      const r = await resultOf(
        client.subscriptions[kind](id, s, {
          ...o,
          onIds: sent.onIds,
          beforeSend: op.intentHook(kind, subject, { status: s.status }),
        }),
      );
      await op.writeAfter(
        op.changeRecord(kind, s, r.ok ? r.value : undefined, sent.requests, r.ok ? undefined : r.error),
      );
      if (!r.ok) throw r.error;
      return r.value;
    };
  const { customers, subscriptions, entitlements } = client;
  const view = Object.create(client) as PartnerCenterClient;
  Object.defineProperties(view, {
    customers: {
      value: {
        ...customers,
        async get(id: string, o?: RequestOptions) {
          const r = await resultOf(customers.get(id, o));
          await op.noteRead({
            what: "customer",
            count: r.ok ? 1 : null,
            ...(!r.ok && { error: codeOf(r.error) }),
          });
          if (!r.ok) {
            if (op.patches.length > 0 && codeOf(r.error) === "PPC_NOT_FOUND") {
              op.relationshipAfter = { relationshipToPartner: null, confirmedBy: "customerGone" };
            }
            throw r.error;
          }
          op.noteCustomer(r.value);
          if (op.patches.length > 0) {
            op.relationshipAfter = {
              relationshipToPartner: r.value.relationshipToPartner,
              confirmedBy: "get",
            };
          }
          return r.value;
        },
        async removeRelationship(id: string, o: RequestOptions = {}) {
          await op.writeChecked();
          const sent = collector();
          const r = await resultOf(
            customers.removeRelationship(id, {
              ...o,
              onIds: sent.onIds,
              beforeSend: op.intentHook("removal", undefined, {
                relationshipToPartner: op.relationshipBefore ?? null,
              }),
            }),
          );
          op.patches.push(...sent.requests);
          if (!r.ok) throw r.error;
          op.relationshipAfter = {
            relationshipToPartner: r.value.relationshipToPartner || null,
            confirmedBy: "patchResponse",
          };
          return r.value;
        },
      },
    },
    subscriptions: {
      value: {
        ...subscriptions,
        list: (id: string, o?: RequestOptions) =>
          recordedList(op, "subscriptions", subscriptions.list(id, o)),
        async azureEntitlements(id: string, subscriptionId: string, o?: RequestOptions) {
          const r = await resultOf(subscriptions.azureEntitlements(id, subscriptionId, o));
          await op.noteRead({
            what: "azureEntitlements",
            of: subscriptionId,
            count: r.ok ? r.value.length : null,
            ...(!r.ok && { error: codeOf(r.error) }),
          });
          if (!r.ok) throw r.error;
          return r.value;
        },
        suspend: change("suspend"),
        cancel: change("cancel"),
      },
    },
    entitlements: {
      value: {
        ...entitlements,
        list: (id: string, o?: RequestOptions) => recordedList(op, "entitlements", entitlements.list(id, o)),
      },
    },
  });
  return view;
}

/** A list read of the removal check, recorded with its count (or error code); its items complete the check. */
async function recordedList<K extends "subscriptions" | "entitlements">(
  op: Operation,
  what: K,
  p: Promise<K extends "subscriptions" ? Subscription[] : Entitlement[]>,
): Promise<K extends "subscriptions" ? Subscription[] : Entitlement[]> {
  const r = await resultOf(p);
  await op.noteRead(
    { what, count: r.ok ? r.value.length : null, ...(!r.ok && { error: codeOf(r.error) }) },
    r.ok ? { [what]: r.value } : undefined,
  );
  if (!r.ok) throw r.error;
  return r.value;
}

/** The outcome of a failed removal, from its error. */
function removalOutcome(e: unknown): AuditOutcome {
  if (e instanceof RemovalBlockedError) return "blocked";
  if (e instanceof RemovalUnconfirmedError) return "unconfirmed";
  return "failed";
}

/** Options of {@link auditedRemoval}. */
export interface AuditedRemovalOptions {
  companyName?: string | undefined;
  /** `relationshipToPartner` as the stack state last recorded it. */
  relationshipBefore?: string | undefined;
  suspendActiveSubscriptions?: boolean | undefined;
  cancelNewCommerceSubscriptionsInWindow?: boolean | undefined;
  log?: AuditLogger | undefined;
}

/**
 * Runs a removal (`run`, given the client to use) with its audit trail when `settings.auditLog` is set, and
 * as it is otherwise. Records `checked` before any change (failing the removal, with nothing sent, when that
 * record cannot be written), one record per subscription change, and the outcome.
 */
export async function auditedRemoval(
  settings: Settings,
  client: PartnerCenterClient,
  customerId: string,
  opts: AuditedRemovalOptions,
  run: (client: PartnerCenterClient) => Promise<RemovalResult>,
): Promise<RemovalResult> {
  const path = auditLogPath(settings);
  if (!path) return run(client);
  const op = new Operation(trailWriter(path), settings, { op: "removal", customerId, ...opts });
  let result: RemovalResult;
  try {
    result = await run(auditedClient(client, op));
  } catch (e) {
    // The trail itself failed before any change: there is nothing more to record, and no way to.
    if (!(e instanceof AuditTrailError)) await op.writeAfter(op.outcomeRecord(removalOutcome(e), e));
    throw e;
  }
  if (result.outcome === "alreadyGone") {
    op.relationshipAfter = { relationshipToPartner: null, confirmedBy: "customerGone" };
  }
  await op.writeAfter(op.outcomeRecord(result.outcome === "alreadyGone" ? "alreadyGone" : "removed"));
  return result;
}

/**
 * Runs an adoption with its audit trail when `settings.auditLog` is set. Adoption changes nothing in
 * Partner Center, only the stack, so its one record comes after the read; if it cannot be written, the
 * create fails and the resource does not enter the stack.
 */
export async function auditedAdoption(
  settings: Settings,
  client: PartnerCenterClient,
  customerId: string,
  log: AuditLogger | undefined,
  run: (client: PartnerCenterClient) => Promise<Customer>,
): Promise<Customer> {
  const path = auditLogPath(settings);
  if (!path) return run(client);
  const op = new Operation(trailWriter(path), settings, { op: "adopt", customerId, log });
  let customer: Customer;
  try {
    customer = await run(auditedClient(client, op));
  } catch (e) {
    await op.writeAfter(op.outcomeRecord("failed", e));
    throw e;
  }
  const r = op.outcomeRecord("adopted");
  r.after = { relationshipToPartner: customer.relationshipToPartner };
  await op.writeRequired(r, `Customer ${customerId} was not adopted into the stack.`);
  return customer;
}
