/** The audit trail (issue 17): records and their writer (trail.ts), and how operations are recorded (record.ts). */
export * from "./trail";
export { auditedAdoption, auditedRemoval, type AuditedRemovalOptions } from "./record";
