/** The audit trail: records and their writer (trail.ts), and how operations are recorded (operation.ts). */
export * from "./trail";
export { auditedAdoption, auditedRemoval, type AuditedRemovalOptions } from "./audited-client";
export { parseTrail, openIntents, readTrailFile, type Trail } from "./read";
export { reconcileTrail, reconcileOnce, type ReconcileResult, type ReconcileDeps } from "./reconcile";
export { auditedGraph } from "./audited-graph";
