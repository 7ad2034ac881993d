/** The JSON Microsoft Graph answers for GDAP resources (the `@odata.type` and property names of its reference pages). */
import type { GdapAssignmentState, GdapOperationState, GdapRelationshipState } from "../../gdap-model";

export function relBody(r: GdapRelationshipState): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
    "@odata.etag": r.etag,
    id: r.id,
    displayName: r.displayName,
    duration: r.duration,
    customer: r.customer,
    accessDetails: { unifiedRoles: r.roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
    status: r.status,
    autoExtendDuration: r.autoExtendDuration,
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: r.lastModifiedDateTime,
    activatedDateTime: r.activatedDateTime,
    endDateTime: r.endDateTime,
  };
}

export function requestBody(q: GdapRelationshipState["requests"][number]): Record<string, unknown> {
  return { "@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest", ...q };
}

export function operationBody(o: GdapOperationState, data: unknown): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.delegatedAdminRelationshipOperation",
    "@odata.etag": `W/"${Buffer.from(`"${o.lastModifiedDateTime}"`).toString("base64")}"`,
    id: o.id,
    operationType: o.operationType,
    data: JSON.stringify(data),
    status: o.status,
    createdDateTime: o.createdDateTime,
    lastModifiedDateTime: o.lastModifiedDateTime,
  };
}

export function assignmentBody(a: GdapAssignmentState | undefined): Record<string, unknown> | undefined {
  if (!a) return undefined;
  return {
    "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
    "@odata.etag": a.etag,
    id: a.id,
    status: a.status,
    createdDateTime: a.createdDateTime,
    lastModifiedDateTime: a.lastModifiedDateTime,
    accessContainer: { accessContainerId: a.securityGroupId, accessContainerType: "securityGroup" },
    accessDetails: { unifiedRoles: a.roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
  };
}
