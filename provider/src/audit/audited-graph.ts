/**
 * The audited view of the Microsoft Graph (GDAP) client: every write (relationship create, approval request,
 * termination, delete; access assignment create, update, delete) is written ahead, an `intent` record with
 * the ids each attempt will send on disk before it is sent, and followed by its outcome record. The Graph
 * client's methods take no request options, so the intent hook reaches its transport through
 * {@link withWriteHook}. Reads pass through; relationships read are remembered so that a write naming only
 * a relationship id is recorded under its customer.
 */
import type {
  AccessAssignment,
  AdminRelationship,
  GraphClient,
  RelationshipRequest,
  Updated,
} from "../gdap/graph";
import { withWriteHook, type SentIds } from "../client/core/transport";
import type { Settings } from "../settings";
import { Operation } from "./operation";
import {
  errorOf,
  auditLogPath,
  trailWriter,
  type AuditLogger,
  type AuditOp,
  type AuditOutcome,
  type AuditRecord,
  type AuditRequest,
} from "./trail";

type Subject = AuditRecord["subject"];

/** `graph` with its writes on record when `settings.auditLog` is set; `graph` itself otherwise. */
export function auditedGraph(graph: GraphClient, settings: Settings, log?: AuditLogger): GraphClient {
  const path = auditLogPath(settings);
  if (!path) return graph;
  const writer = trailWriter(path);
  const customerOf = new Map<string, { id: string; name: string | null }>();
  const remember = (r: AdminRelationship): AdminRelationship => {
    if (r.customerTenantId) {
      customerOf.set(r.id, { id: r.customerTenantId, name: r.customerDisplayName ?? null });
    }
    return r;
  };
  /** The customer of a relationship: remembered from a read, or read now (before the write). */
  const customer = async (relationshipId: string) =>
    customerOf.get(relationshipId) ??
    (remember(await graph.getRelationship(relationshipId)), customerOf.get(relationshipId)) ?? {
      id: "",
      name: null,
    };

  async function write<T>(
    op: AuditOp,
    who: { id: string; name: string | null },
    subject: Subject,
    before: AuditRecord["before"],
    done: (v: T) => { outcome: AuditOutcome; after: AuditRecord["after"]; subject?: Subject },
    send: () => Promise<T>,
  ): Promise<T> {
    const o = new Operation(writer, settings, {
      op,
      customerId: who.id,
      companyName: who.name ?? undefined,
      log,
    });
    const sent = new Map<string, AuditRequest>();
    const intent = o.intentHook(op, subject, before);
    const hook = async (ids: SentIds) => {
      sent.set(ids.requestId, { ...ids });
      await intent(ids);
    };
    let value: T;
    try {
      value = await withWriteHook(hook, send);
    } catch (e) {
      if (sent.size > 0) {
        await o.writeAfter(
          o.record("outcome", op, {
            subject,
            before,
            requests: [...sent.values()],
            outcome: "failed",
            error: errorOf(e),
          }),
        );
      }
      throw e;
    }
    const d = done(value);
    await o.writeAfter(
      o.record("outcome", op, {
        subject: d.subject ?? subject,
        before,
        after: d.after,
        requests: [...sent.values()],
        outcome: d.outcome,
      }),
    );
    return value;
  }

  const view = Object.create(graph) as GraphClient;
  const rel = (id: string, name: string | null = null): Subject => ({ kind: "adminRelationship", id, name });
  const assignment = (relationshipId: string, id: string, group: string | null): Subject => ({
    kind: "accessAssignment",
    id,
    name: group,
    relationshipId,
  });
  Object.assign(view, {
    getRelationship: async (id: string) => remember(await graph.getRelationship(id)),
    listRelationships: async (f?: Parameters<GraphClient["listRelationships"]>[0]) =>
      (await graph.listRelationships(f)).map(remember),
    createRelationship: (body: Parameters<GraphClient["createRelationship"]>[0]) =>
      write(
        "gdapCreation",
        { id: body.customerTenantId.toLowerCase(), name: null },
        rel("", body.displayName),
        null,
        (r: AdminRelationship) => ({
          outcome: "created",
          after: { id: r.id, status: r.status },
          subject: rel(remember(r).id, body.displayName),
        }),
        () => graph.createRelationship(body),
      ),
    createRequest: async (id: string, action: "lockForApproval" | "terminate") =>
      write(
        action === "terminate" ? "gdapTermination" : "gdapApprovalRequest",
        await customer(id),
        rel(id),
        null,
        (r: RelationshipRequest) => ({
          outcome: "requested",
          after: { request: r.id, action: r.action, status: r.status },
        }),
        () => graph.createRequest(id, action),
      ),
    updateRelationship: async (
      id: string,
      etag: string,
      change: Parameters<GraphClient["updateRelationship"]>[2],
    ) =>
      write(
        "gdapUpdate",
        await customer(id),
        rel(id),
        null,
        (u: Updated<AdminRelationship>) =>
          u.kind === "done"
            ? {
                outcome: "updated",
                after: {
                  status: u.value.status,
                  autoExtendDuration: u.value.autoExtendDuration ?? null,
                  roles: u.value.roles.join(" "),
                },
              }
            : { outcome: "requested", after: { operation: u.operation } },
        () => graph.updateRelationship(id, etag, change),
      ),
    deleteRelationship: async (id: string, etag: string) =>
      write(
        "gdapDeletion",
        await customer(id),
        rel(id),
        null,
        () => ({ outcome: "deleted", after: null }),
        () => graph.deleteRelationship(id, etag),
      ),
    createAssignment: async (relationshipId: string, group: string, roles: readonly string[]) =>
      write(
        "gdapAccessAssignment",
        await customer(relationshipId),
        assignment(relationshipId, "", group),
        null,
        (a: AccessAssignment) => ({
          outcome: "created",
          after: { id: a.id, status: a.status, roles: a.roles.join(" ") },
          subject: assignment(relationshipId, a.id, group),
        }),
        () => graph.createAssignment(relationshipId, group, roles),
      ),
    updateAssignment: async (relationshipId: string, id: string, etag: string, roles: readonly string[]) =>
      write(
        "gdapAccessAssignment",
        await customer(relationshipId),
        assignment(relationshipId, id, null),
        null,
        (u: Updated<AccessAssignment>) =>
          u.kind === "done"
            ? {
                outcome: "updated",
                after: { status: u.value.status, roles: u.value.roles.join(" ") },
                subject: assignment(relationshipId, id, u.value.securityGroupId),
              }
            : { outcome: "requested", after: { operation: u.operation, roles: roles.join(" ") } },
        () => graph.updateAssignment(relationshipId, id, etag, roles),
      ),
    deleteAssignment: async (relationshipId: string, id: string, etag: string) =>
      write(
        "gdapAccessAssignment",
        await customer(relationshipId),
        assignment(relationshipId, id, null),
        null,
        () => ({ outcome: "deleted", after: null }),
        () => graph.deleteAssignment(relationshipId, id, etag),
      ),
  });
  return view;
}
