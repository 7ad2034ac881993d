/**
 * The domain rules of GDAP access assignments: give a security group some of an active relationship's roles,
 * align them, and delete the assignment with confirmation. No HTTP here: everything goes through
 * {@link GraphClient}. The relationships themselves: relationships.ts.
 */
import type { AccessAssignment, GraphClient } from "./graph";
import {
  ConfigurationError,
  NotFoundError,
  RelationshipNotEstablishedError,
  RemovalUnconfirmedError,
} from "../errors";
import { isRefusal } from "../client/core/classify";
import {
  approvalUrl,
  completed,
  findRelationship,
  GRANTING,
  sameSet,
  type OperationOptions,
} from "./relationships";

/**
 * Creates an access assignment (a security group gets some of the relationship's roles). The relationship must
 * be active and the roles a subset of its roles (`delegatedadminrelationship-post-accessassignments`).
 */
export async function assignAccess(
  graph: GraphClient,
  relationshipId: string,
  securityGroupId: string,
  roles: readonly string[],
): Promise<AccessAssignment> {
  const rel = await findRelationship(graph, relationshipId);
  if (!rel) {
    throw new NotFoundError(`Delegated admin relationship ${relationshipId} does not exist.`, {
      action: "Check relationshipId (the id output of the DelegatedAdminRelationship resource).",
    });
  }
  if (!GRANTING.has(rel.status) || rel.status === "approved" || rel.status === "activating") {
    throw new RelationshipNotEstablishedError(
      `Delegated admin relationship ${relationshipId} is ${rel.status}: access can be assigned only once it is active.${rel.status === "approvalPending" ? ` Send this link to a global administrator of the customer's tenant: ${approvalUrl(relationshipId)} , then run \`pulumi up\` again.` : ""}`,
      rel.customerTenantId,
      approvalUrl(relationshipId),
    );
  }
  const missing = roles.filter((r) => !rel.roles.includes(r));
  if (missing.length) {
    throw new ConfigurationError(
      `roles ${missing.join(", ")} are not roles of delegated admin relationship ${relationshipId}; an access assignment can only use the relationship's roles (${rel.roles.join(", ")}).`,
      { action: "Remove them from roles, or add them to the relationship (which replaces it)." },
    );
  }
  const existing = (await graph.listAssignments(relationshipId)).find(
    (a) => a.securityGroupId === securityGroupId && a.status !== "deleted" && a.status !== "deleting",
  );
  // One assignment per security group and relationship: adopt it (and align its roles) rather than fail.
  if (existing) return alignRoles(graph, relationshipId, existing, roles);
  return graph.createAssignment(relationshipId, securityGroupId, roles);
}

/**
 * PATCHes an assignment's roles when they differ (a fresh etag first). Graph usually answers 202 with a
 * long-running operation: it is followed to completion, then the assignment is read back.
 */
export async function alignRoles(
  graph: GraphClient,
  relationshipId: string,
  a: AccessAssignment,
  roles: readonly string[],
  opts: OperationOptions = {},
): Promise<AccessAssignment> {
  if (sameSet(a.roles, roles)) return a;
  const fresh = await graph.getAssignment(relationshipId, a.id);
  const answer = await graph.updateAssignment(relationshipId, a.id, fresh.etag ?? "*", roles);
  await completed(graph, answer, `the role update of access assignment ${a.id}`, opts);
  return answer.kind === "done" ? answer.value : graph.getAssignment(relationshipId, a.id);
}

/** Deletes an assignment (If-Match with a fresh etag) and confirms: gone, deleting or deleted is success. */
export async function removeAccess(graph: GraphClient, relationshipId: string, id: string): Promise<void> {
  const find = async () => {
    try {
      return await graph.getAssignment(relationshipId, id);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  };
  const a = await find();
  if (!a || a.status === "deleted" || a.status === "deleting") return;
  try {
    await graph.deleteAssignment(relationshipId, id, a.etag ?? "*");
  } catch (e) {
    if (isRefusal(e) && !(e instanceof NotFoundError)) throw e;
  }
  const after = await find();
  if (after && after.status !== "deleted" && after.status !== "deleting") {
    throw new RemovalUnconfirmedError(
      `Microsoft Graph did not confirm the deletion of access assignment ${id}: it is still ${after.status}.`,
      { action: "The resource stays in the stack. Run the command again." },
    );
  }
}
