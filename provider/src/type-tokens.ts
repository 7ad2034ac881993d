/**
 * The resource type tokens state files hold, under both front doors: the dynamic provider
 * (`pulumi-nodejs:dynamic/...`) and the provider plugin (`partnercenter:index:...`). Whatever reads a stack's
 * state (the estate plan, unprotect) must know both: a stack moved to the plugin, or imported with
 * `estate export --import-file`, holds the plugin's.
 */
export const DYNAMIC_TYPES = {
  reseller: "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship",
  gdap: "pulumi-nodejs:dynamic/partnercenter:DelegatedAdminRelationship",
  access: "pulumi-nodejs:dynamic/partnercenter:DelegatedAdminAccessAssignment",
} as const;

export const PLUGIN_TYPES = {
  reseller: "partnercenter:index:ResellerRelationship",
  gdap: "partnercenter:index:DelegatedAdminRelationship",
  access: "partnercenter:index:DelegatedAdminAccessAssignment",
} as const;

export type ResourceKind = keyof typeof DYNAMIC_TYPES;

/** Which of our resources a state entry's type is, under either front door; undefined for anything else. */
export function kindOf(type: string): ResourceKind | undefined {
  for (const kind of Object.keys(DYNAMIC_TYPES) as ResourceKind[]) {
    if (type === DYNAMIC_TYPES[kind] || type === PLUGIN_TYPES[kind]) return kind;
  }
  return undefined;
}
