/** The audited view of the client: every read and write the domain rules make, recorded on the operation. */
import type { Entitlement, PartnerCenterClient, RequestOptions, SentIds, Subscription } from "../client";
import { PartnerCenterError } from "../errors";
import type { Operation } from "./record";
import type { AuditRequest } from "./trail";

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

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
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
      const r = await settle(
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
          const r = await settle(customers.get(id, o));
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
          const r = await settle(
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
          const r = await settle(subscriptions.azureEntitlements(id, subscriptionId, o));
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
  const r = await settle(p);
  await op.noteRead(
    { what, count: r.ok ? r.value.length : null, ...(!r.ok && { error: codeOf(r.error) }) },
    r.ok ? { [what]: r.value } : undefined,
  );
  if (!r.ok) throw r.error;
  return r.value;
}
