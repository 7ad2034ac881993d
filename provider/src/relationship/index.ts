/**
 * The domain rules of a reseller relationship: adopt it, judge whether it can be removed, remove it. In
 * blockers.ts (the rules, pure), readiness.ts (read-only assessment) and removal.ts (adopt, remove).
 * No HTTP here: everything goes through {@link PartnerCenterClient}, so the rules are the same for the
 * provider, the readiness report and users' own scripts.
 *
 * Microsoft's rules ("Remove a reseller relationship with a customer", partner-center-sdk docs;
 * docs/design/partner-center-contract.md#preconditions-for-removing-a-reseller-relationship): every Azure reserved VM instance must be cancelled (through Azure support:
 * there is no API) and no subscription may be active before the relationship is patched to `none`.
 */
export * from "./blockers";
export { assessReadiness, isGoneAnswer, type Readiness } from "./readiness";
export * from "./removal";
