/**
 * pulumi-partner-center: manage a CSP partner's reseller relationships with its customers as Pulumi resources.
 *
 * @packageDocumentation
 */
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
