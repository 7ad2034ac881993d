/**
 * Microsoft Graph's GDAP resources as the client returns them, and the zod schemas that validate Graph's
 * answers (delegatedAdminRelationship, its requests, accessAssignment; Graph v1.0 reference pages).
 */
import { z } from "zod";

/** The statuses of a delegatedAdminRelationship (Graph `delegatedAdminRelationshipStatus`). */
export type RelationshipStatus =
  | "activating"
  | "active"
  | "approvalPending"
  | "approved"
  | "created"
  | "expired"
  | "expiring"
  | "terminated"
  | "terminating"
  | "terminationRequested"
  | (string & {});

/** A delegated admin relationship as the client returns it. */
export interface AdminRelationship {
  id: string;
  displayName: string;
  status: RelationshipStatus;
  /** The customer's tenant id, lower-case ("" when Graph sent none). */
  customerTenantId: string;
  customerDisplayName: string | undefined;
  duration: string;
  autoExtendDuration: string | undefined;
  /** Unified role definition ids, lower-case, in the order sent. */
  roles: string[];
  activatedDateTime: string | undefined;
  endDateTime: string | undefined;
  /** When the partner created it: a request not approved expires 90 days later (GDAP FAQ). */
  createdDateTime: string | undefined;
  /** `@odata.etag`, for If-Match. */
  etag: string | undefined;
}

/**
 * A delegatedAdminRelationshipOperation: a long-running update. The resource page lists the statuses notStarted,
 * running, complete and failed; its documented example ("Get delegatedAdminRelationshipOperation") shows
 * `succeeded`. Both `complete` and `succeeded` are read as done.
 */
export interface RelationshipOperation {
  id: string;
  status: string;
  operationType: string | undefined;
}

/** A delegatedAdminRelationshipRequest. */
export interface RelationshipRequest {
  id: string;
  action: string;
  /** created, pending, succeeded, failed. */
  status: string;
}

/** A delegatedAdminAccessAssignment. */
export interface AccessAssignment {
  id: string;
  /** pending, active, deleting, deleted, error. */
  status: string;
  securityGroupId: string;
  roles: string[];
  etag: string | undefined;
}

const text = z.string().nullish();
const roleList = z
  .object({ unifiedRoles: z.array(z.object({ roleDefinitionId: z.string() })).nullish() })
  .nullish();
const roleIds = (d: z.infer<typeof roleList>) =>
  (d?.unifiedRoles ?? []).map((r) => r.roleDefinitionId.toLowerCase());

export const relationshipSchema = z
  .object({
    "@odata.etag": text,
    id: z.string().min(1),
    displayName: text,
    status: z.string(),
    duration: text,
    autoExtendDuration: text,
    customer: z.object({ tenantId: text, displayName: text }).nullish(),
    accessDetails: roleList,
    activatedDateTime: text,
    endDateTime: text,
    createdDateTime: text,
  })
  .transform((r): AdminRelationship => ({
    id: r.id,
    displayName: r.displayName ?? "",
    status: r.status,
    customerTenantId: (r.customer?.tenantId ?? "").toLowerCase(),
    customerDisplayName: r.customer?.displayName ?? undefined,
    duration: r.duration ?? "",
    autoExtendDuration: r.autoExtendDuration ?? undefined,
    roles: roleIds(r.accessDetails),
    // The documented create example sends "activatedDateTime": "" before activation.
    activatedDateTime: r.activatedDateTime || undefined,
    endDateTime: r.endDateTime || undefined,
    createdDateTime: r.createdDateTime || undefined,
    etag: r["@odata.etag"] ?? undefined,
  }));

export const operationSchema = z
  .object({ id: z.string().min(1), status: z.string(), operationType: text })
  .transform((o): RelationshipOperation => ({
    id: o.id,
    status: o.status,
    operationType: o.operationType ?? undefined,
  }));

export const requestSchema = z
  .object({ id: z.string().min(1), action: z.string(), status: z.string() })
  .transform((r): RelationshipRequest => ({ id: r.id, action: r.action, status: r.status }));

export const assignmentSchema = z
  .object({
    "@odata.etag": text,
    id: z.string().min(1),
    status: z.string(),
    accessContainer: z.object({ accessContainerId: z.string(), accessContainerType: text }).nullish(),
    accessDetails: roleList,
  })
  .transform((a): AccessAssignment => ({
    id: a.id,
    status: a.status,
    securityGroupId: (a.accessContainer?.accessContainerId ?? "").toLowerCase(),
    roles: roleIds(a.accessDetails),
    etag: a["@odata.etag"] ?? undefined,
  }));

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ value: z.array(item), "@odata.nextLink": z.string().nullish() });
