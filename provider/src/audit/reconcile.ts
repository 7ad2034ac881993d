/**
 * Settling the writes a trail has an `intent` for but no outcome (the process was killed while the write was
 * in flight, or the outcome record could not be written): read what Partner Center (or Microsoft Graph)
 * shows now, and append a `reconciled` record saying what was found, under the intent's operationId and with
 * its MS-RequestId. Run by the provider at its first refresh or delete with a trail, and by
 * `partner-center-audit --reconcile`.
 *
 * An intent is settled only when the process that wrote it is gone (same host: its pid no longer runs), or,
 * written on another host, after {@link OTHER_HOST_AGE_MS}: reading while the write is still in flight could
 * record a state the write is about to change.
 */
import { hostname } from "node:os";
import type { PartnerCenterClient } from "../client";
import { NotFoundError } from "../errors";
import type { GraphClient } from "../gdap/graph";
import { ENDED, findRelationship, sameTenant } from "../gdap/relationships";
import type { Settings } from "../settings";
import { Operation } from "./operation";
import { openIntents, parseTrail, readTrailFile } from "./read";
import {
  errorOf,
  auditLogPath,
  serializeRecord,
  trailWriter,
  type AuditLogger,
  type AuditOutcome,
  type AuditRecord,
} from "./trail";

/** An intent written on another host is settled only once it is this old. */
export const OTHER_HOST_AGE_MS = 15 * 60_000;

/** What a reconciliation did. */
export interface ReconcileResult {
  /** The `reconciled` records appended. */
  settled: AuditRecord[];
  /** Intents left open, and why (still in flight, or the read failed). */
  open: { intent: AuditRecord; reason: string }[];
}

/** Where to read. `graph` only when the trail has GDAP intents. */
export interface ReconcileDeps {
  client: PartnerCenterClient;
  graph?: (() => Promise<GraphClient>) | undefined;
  log?: AuditLogger | undefined;
  now?: () => number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Why an intent cannot be settled yet, or undefined. */
function inFlight(intent: AuditRecord, now: number): string | undefined {
  const w = intent.writer;
  if (!w) return undefined;
  if (w.host === hostname()) {
    if (w.pid === process.pid || alive(w.pid)) {
      return `the process that sent it (pid ${w.pid}) is still running`;
    }
    return undefined;
  }
  const age = now - Date.parse(intent.time);
  return age < OTHER_HOST_AGE_MS
    ? `it was sent from host ${w.host} less than ${OTHER_HOST_AGE_MS / 60_000} minutes ago`
    : undefined;
}

const gone = (e: unknown) => e instanceof NotFoundError;

/** What the service shows now for the write of `intent`. */
async function observe(
  intent: AuditRecord,
  deps: ReconcileDeps,
): Promise<{ outcome: AuditOutcome; after: Record<string, string | null> | null }> {
  const customerId = intent.customer.id;
  const method = intent.requests[0]?.method ?? "";
  switch (intent.op) {
    case "removal": {
      try {
        const c = await deps.client.customers.get(customerId);
        const rel = c.relationshipToPartner || null;
        return {
          outcome: rel === "none" ? "removed" : "notApplied",
          after: { relationshipToPartner: rel, confirmedBy: "get" },
        };
      } catch (e) {
        if (!gone(e)) throw e;
        return { outcome: "removed", after: { relationshipToPartner: null, confirmedBy: "customerGone" } };
      }
    }
    case "suspend":
    case "cancel": {
      const s = await deps.client.subscriptions.get(customerId, intent.subject.id);
      const done = intent.op === "suspend" ? "suspended" : "cancelled";
      const target = intent.op === "suspend" ? ["suspended"] : ["deleted", "cancelled", "canceled"];
      return {
        outcome: target.includes(s.status.toLowerCase()) ? done : "notApplied",
        after: { status: s.status },
      };
    }
    default:
      return observeGraph(intent, method, deps);
  }
}

async function observeGraph(
  intent: AuditRecord,
  method: string,
  deps: ReconcileDeps,
): Promise<{ outcome: AuditOutcome; after: Record<string, string | null> | null }> {
  if (!deps.graph) throw new Error("Microsoft Graph is not configured here");
  const graph = await deps.graph();
  const s = intent.subject;
  const relationship = () => findRelationship(graph, s.id);
  switch (intent.op) {
    case "gdapCreation": {
      const found = (
        await graph.listRelationships({
          customerTenantId: intent.customer.id,
          ...(s.name ? { displayName: s.name } : {}),
        })
      ).filter(
        // Graph's filters are not trusted: this customer's relationship of this name, nothing else.
        (r) => sameTenant(r.customerTenantId, intent.customer.id) && (!s.name || r.displayName === s.name),
      );
      const r = found[0];
      return r
        ? { outcome: "created", after: { id: r.id, status: r.status } }
        : { outcome: "notApplied", after: null };
    }
    case "gdapDeletion": {
      const r = await relationship();
      return r ? { outcome: "notApplied", after: { status: r.status } } : { outcome: "deleted", after: null };
    }
    case "gdapTermination": {
      const r = await relationship();
      if (!r) return { outcome: "deleted", after: null };
      const ended = ENDED.has(r.status);
      return { outcome: ended ? "terminated" : "notApplied", after: { status: r.status } };
    }
    case "gdapApprovalRequest": {
      const r = await relationship();
      if (!r) return { outcome: "deleted", after: null };
      return {
        outcome: r.status.toLowerCase() === "created" ? "notApplied" : "requested",
        after: { status: r.status },
      };
    }
    case "gdapUpdate": {
      // Like a role update: what is there now is said, not whether this write made it so.
      const r = await relationship();
      if (!r) return { outcome: "unconfirmed", after: null };
      return {
        outcome: "unconfirmed",
        after: {
          status: r.status,
          autoExtendDuration: r.autoExtendDuration ?? null,
          roles: r.roles.join(" "),
        },
      };
    }
    case "gdapAccessAssignment": {
      const relationshipId = s.relationshipId ?? "";
      if (method === "POST") {
        const all = await graph.listAssignments(relationshipId);
        const a = all.find((x) => x.securityGroupId === s.name && x.status !== "deleted");
        return a
          ? { outcome: "created", after: { id: a.id, status: a.status } }
          : { outcome: "notApplied", after: null };
      }
      let a;
      try {
        a = await graph.getAssignment(relationshipId, s.id);
      } catch (e) {
        if (!gone(e)) throw e;
        return { outcome: method === "DELETE" ? "deleted" : "unconfirmed", after: null };
      }
      if (method === "DELETE") {
        const ended = ["deleted", "deleting"].includes(a.status.toLowerCase());
        return { outcome: ended ? "deleted" : "notApplied", after: { status: a.status } };
      }
      // A role update cannot be told apart from the roles before it: say what is there, not what happened.
      return { outcome: "unconfirmed", after: { status: a.status, roles: a.roles.join(" ") } };
    }
    default:
      throw new Error(`no way to reconcile a ${String(intent.op)} write`);
  }
}

/** Settles every open intent of the trail at `path` (see the file comment). */
export async function reconcileTrail(
  path: string,
  settings: Settings,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  const text = await readTrailFile(path);
  if (text === undefined) return { settled: [], open: [] };
  const now = (deps.now ?? Date.now)();
  const result: ReconcileResult = { settled: [], open: [] };
  const writer = trailWriter(path);
  for (const intent of openIntents(parseTrail(text).records)) {
    const busy = inFlight(intent, now);
    if (busy) {
      result.open.push({ intent, reason: busy });
      continue;
    }
    let seen: Awaited<ReturnType<typeof observe>>;
    try {
      seen = await observe(intent, deps);
    } catch (e) {
      result.open.push({ intent, reason: `the read failed: ${errorOf(e).message}` });
      continue;
    }
    const op = new Operation(writer, settings, {
      op: intent.op,
      customerId: intent.customer.id,
      companyName: intent.customer.name ?? undefined,
    });
    const r: AuditRecord = {
      ...op.record("reconciled", intent.op, {
        operationId: intent.operationId,
        customer: intent.customer,
        subject: intent.subject,
        options: intent.options,
        before: intent.before,
        after: seen.after,
        requests: intent.requests,
        outcome: seen.outcome,
        checks: null,
      }),
    };
    // Required: an unrecorded settlement would be read again next time, which is harmless; a lost one is not.
    await writer.append(serializeRecord(r));
    deps.log?.(
      `audit trail: the ${intent.op} of ${intent.subject.kind} ${intent.subject.id} (customer ${intent.customer.id}, MS-RequestId ${intent.requests[0]?.requestId ?? "?"}) had no outcome on record; ${seen.outcome === "notApplied" ? "it shows no effect" : `it shows ${seen.outcome}`}: recorded as reconciled.`,
    );
    result.settled.push(r);
  }
  return result;
}

const once = new Map<string, Promise<void>>();

/**
 * For the provider: settles the open intents of the configured trail once per process (at its first
 * refresh or delete); never fails the caller, a failure is a log line.
 */
export function reconcileOnce(settings: Settings, deps: ReconcileDeps): Promise<void> {
  const path = auditLogPath(settings);
  if (!path) return Promise.resolve();
  let p = once.get(path);
  if (!p) {
    p = reconcileTrail(path, settings, deps).then(
      (r) => {
        for (const o of r.open) {
          deps.log?.(
            `audit trail: the ${o.intent.op} of customer ${o.intent.customer.id} (MS-RequestId ${o.intent.requests[0]?.requestId ?? "?"}) has no outcome on record and was not settled: ${o.reason}.`,
          );
        }
      },
      (e: unknown) =>
        deps.log?.(`warning: the audit trail ${path} could not be reconciled: ${errorOf(e).message}`),
    );
    once.set(path, p);
  }
  return p;
}
