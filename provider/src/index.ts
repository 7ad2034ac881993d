/**
 * pulumi-partner-center: manage a CSP partner's reseller relationships with its customers as Pulumi resources.
 *
 * @packageDocumentation
 */
import "./program-exit";
export { ResellerRelationship, type ResellerRelationshipArgs } from "./resource";
export { getResellerInvitationUrl, type InvitationUrlOptions } from "./invitation";
export * from "./errors";
export { PartnerCenterClient } from "./client";
export type { Customer, Subscription, Entitlement } from "./client";
export { loadSettings, type Settings } from "./settings";
export {
  assessReadiness,
  adopt,
  remove,
  findBlockers,
  type Readiness,
  type RemovalResult,
  type AdoptOptions,
  type RemoveOptions,
} from "./relationship";
// GDAP: delegated admin relationships and access assignments (Microsoft Graph).
export {
  DelegatedAdminRelationship,
  DelegatedAdminAccessAssignment,
  type DelegatedAdminRelationshipArgs,
  type DelegatedAdminAccessAssignmentArgs,
} from "./gdap/resource";
export { GraphClient, type AdminRelationship, type AccessAssignment } from "./gdap/graph";
export {
  approvalUrl,
  endAdminAccess,
  adminAccessOf,
  type AdminRelationshipSummary,
} from "./gdap/relationships";
// The estate as a product: the Estate component and its versioned file format.
export {
  Estate,
  type EstateArgs,
  estateJsonSchema,
  loadEstate,
  loadEstateFile,
  type EstateFile,
} from "./estate";
