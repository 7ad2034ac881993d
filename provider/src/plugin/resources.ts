/**
 * The plugin's resources and function: each token maps onto the module the dynamic provider runs, so the two
 * front doors share every rule. What differs is only how the engine reaches them (an import reads with an id
 * alone here, while the dynamic host cannot import at all).
 */
import * as reseller from "../dynamic";
import * as gdap from "../dynamic-gdap";
import * as access from "../dynamic-gdap-access";
import { currentSettings, providerClientFor } from "../configuration";
import { GUID, rethrow } from "../dynamic-common";
import { ConfigurationError } from "../errors";
import { PLUGIN_TYPES } from "../type-tokens";

/** What each dynamic module exports. */
export interface ResourceModule {
  check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ inputs?: Record<string, unknown>; failures?: { property: string; reason: string }[] }>;
  diff(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ changes: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
  create(news: Record<string, unknown>): Promise<{ id: string; outs: Record<string, unknown> }>;
  read(
    id: string,
    props?: Record<string, unknown>,
  ): Promise<{ id?: string; props?: Record<string, unknown>; inputs?: Record<string, unknown> }>;
  update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ outs: Record<string, unknown> }>;
  delete(id: string, props: Record<string, unknown>): Promise<void>;
}

export const RESELLER_RELATIONSHIP = PLUGIN_TYPES.reseller;
export const DELEGATED_ADMIN_RELATIONSHIP = PLUGIN_TYPES.gdap;
export const DELEGATED_ADMIN_ACCESS_ASSIGNMENT = PLUGIN_TYPES.access;
export const GET_RESELLER_INVITATION_URL = "partnercenter:index:getResellerInvitationUrl";

/** The resource types the plugin serves. */
export const RESOURCES: Readonly<Record<string, ResourceModule>> = {
  [RESELLER_RELATIONSHIP]: reseller,
  [DELEGATED_ADMIN_RELATIONSHIP]: gdap,
  [DELEGATED_ADMIN_ACCESS_ASSIGNMENT]: access,
};

/**
 * Read, as the engine calls it: refresh passes the stored outputs; an import (`pulumi import`, the `import`
 * option) passes the id alone. A reseller relationship's id is the customer's tenant id, so an import reads it
 * as a refresh would: GETs only, nothing written, and a customer that is not a reseller customer is not found.
 */
export async function readResource(
  type: string,
  mod: ResourceModule,
  id: string,
  props: Record<string, unknown>,
): Promise<{ id?: string; props?: Record<string, unknown>; inputs?: Record<string, unknown> }> {
  if (Object.keys(props).length === 0) {
    if (type === RESELLER_RELATIONSHIP) {
      if (!GUID.test(id.trim())) {
        rethrow(
          new ConfigurationError(
            `Cannot import ResellerRelationship "${id}": the id must be the customer's tenant id, a GUID like 0a1b2c3d-0000-4000-8000-00000000000a.`,
          ),
        );
      }
      return mod.read(id, { customerId: id });
    }
    const name = type.split(":").at(-1)!;
    rethrow(
      new ConfigurationError(
        `${name} cannot be imported by its id alone: its inputs (customer, roles, group) are not all readable from Microsoft Graph. ` +
          "Declare it in the program instead and run `pulumi up`: create adopts a live relationship with the same displayName.",
      ),
    );
  }
  return mod.read(id, props);
}

/** Microsoft's invitation link for a new reseller customer, with this provider's settings. */
export async function getResellerInvitationUrl(args: Record<string, unknown>): Promise<{ url: string }> {
  const indirect = args.indirectResellerId;
  if (indirect !== undefined && (typeof indirect !== "string" || !GUID.test(indirect.trim()))) {
    throw new ConfigurationError(
      "indirectResellerId must be the indirect reseller's tenant id, a GUID like 0a1b2c3d-0000-4000-8000-00000000000a.",
    );
  }
  const client = providerClientFor(await currentSettings());
  const url = await client.relationshipRequests.getInvitationUrl(
    typeof indirect === "string" ? { indirectResellerId: indirect.trim().toLowerCase() } : {},
  );
  return { url };
}
