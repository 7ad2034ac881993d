/**
 * What the GDAP store (gdap-store.ts) holds: delegated admin relationships, their requests, long-running operations and
 * access assignments, and the values Microsoft Graph allows in them.
 */
import { randomBytes } from "node:crypto";

/** A relationship as the emulator stores it. */
export interface GdapRelationshipState {
  id: string;
  displayName: string;
  status: string;
  customer: { tenantId: string; displayName?: string };
  duration: string;
  autoExtendDuration: string;
  roles: string[];
  createdDateTime: string;
  lastModifiedDateTime: string;
  activatedDateTime: string | null;
  endDateTime: string | null;
  etag: string;
  /** A status that applies at `at` (ms), on the first read from then on. */
  next: { status: string; at: number } | null;
  requests: {
    id: string;
    action: string;
    status: string;
    createdDateTime: string;
    lastModifiedDateTime: string;
  }[];
  assignments: GdapAssignmentState[];
  /** Long-running operations (`resources/delegatedadminrelationshipoperation`). */
  operations: GdapOperationState[];
}

/**
 * A long-running operation: an access assignment's role update, or the removal of Global Administrator from an
 * active relationship ("Update delegatedAdminAccessAssignment", "Update delegatedAdminRelationship": 202 with a
 * Location of `.../operations/{id}`). Its change applies when it completes (`at`).
 */
export interface GdapOperationState {
  id: string;
  operationType: "delegatedAdminAccessAssignmentUpdate" | "delegatedAdminRelationshipUpdate";
  status: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  /** The roles the target gets on completion, and which target (an assignment id, or the relationship). */
  roles: string[];
  assignmentId: string | null;
  at: number;
}

export interface GdapAssignmentState {
  id: string;
  status: string;
  securityGroupId: string;
  roles: string[];
  createdDateTime: string;
  lastModifiedDateTime: string;
  etag: string;
  next: { status: string; at: number } | null;
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Where `terminate` is accepted in the lenient mode (`GdapStore.terminateOnlyWhenActive = false`). */
export const TERMINABLE = new Set(["approvalPending", "approved", "activating", "active", "expiring"]);
/** Microsoft Entra Global Administrator (role template id). */
export const GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10";
export const AUTO_EXTEND = new Set(["PT0S", "P0D", "P180D"]);

/** Days of an ISO 8601 duration between P1D and P2Y, or null (`delegatedadminrelationship`, `duration`). */
export function durationDays(d: unknown): number | null {
  if (typeof d !== "string") return null;
  const days = /^P(\d{1,4})D$/.exec(d);
  if (days) {
    const n = Number(days[1]);
    return n >= 1 && n <= 730 ? n : null;
  }
  return d === "P1Y" ? 365 : d === "P2Y" ? 730 : null;
}

export function etag(): string {
  return `W/"${Buffer.from(`"${randomBytes(8).toString("hex")}"`).toString("base64")}"`;
}
