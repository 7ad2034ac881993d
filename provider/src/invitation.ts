/**
 * The invitation link, for programs: `export const invitation = getResellerInvitationUrl();`
 */
import * as pulumi from "@pulumi/pulumi";
import { getSharedClient, type PartnerCenterClient } from "./client";
import { SETTING_KEYS } from "./configuration";
import { loadSettings } from "./settings";

/** Options of {@link getResellerInvitationUrl}. */
export interface InvitationUrlOptions {
  /** For an indirect provider: the indirect reseller's tenant id. */
  indirectResellerId?: string;
  /**
   * Settings to use instead of the stack's `partnercenter:*` config (keys without the prefix, e.g.
   * `{ endpoint: "http://127.0.0.1:8787" }`); environment variables still fill what is missing.
   */
  settings?: Partial<Record<(typeof SETTING_KEYS)[number], string>>;
}

/**
 * Returns the link a customer's global administrator opens to accept a reseller relationship with the partner
 * (`GET /v1/customers/relationshiprequests`). Settings come from the stack's `partnercenter:*` config, then the
 * `PARTNER_CENTER_*` environment variables, as for the resources.
 */
export async function getResellerInvitationUrl(options: InvitationUrlOptions = {}): Promise<string> {
  return clientFor(options.settings).relationshipRequests.getInvitationUrl(
    options.indirectResellerId ? { indirectResellerId: options.indirectResellerId } : {},
  );
}

/** The shared client for these settings, or for the stack's `partnercenter:*` config and the environment. */
export function clientFor(settings?: InvitationUrlOptions["settings"]): PartnerCenterClient {
  const config: Record<string, string | undefined> = {};
  if (settings) {
    Object.assign(config, settings);
  } else {
    const cfg = new pulumi.Config("partnercenter");
    for (const key of SETTING_KEYS) config[key] = cfg.get(key);
  }
  return getSharedClient(loadSettings(config));
}
