/**
 * A GUID in any casing (tenant ids, role definition ids, security group ids, offer ids of legacy licences).
 * Both cases spelled out rather than the `i` flag: the estate's JSON Schema publishes this pattern, and a JSON
 * Schema pattern carries no flags.
 */
export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
