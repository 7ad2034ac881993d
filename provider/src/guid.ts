/** A GUID in any casing (tenant ids, role definition ids, security group ids, offer ids of legacy licences). */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
