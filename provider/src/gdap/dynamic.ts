/**
 * `pulumi-partner-center/dynamic-gdap`: the implementation the DelegatedAdminRelationship shim loads by name
 * (gdap/shim.ts), issue 16.
 *
 * COMPATIBILITY CONTRACT: this subpath and its methods (`configure`, `check`, `diff`, `create`, `read`,
 * `update`, `delete`) are called by provider text stored in users' state files. Never rename them.
 *
 * Every method that needs settings awaits the stored configure promise (the host may call a method before
 * configure has finished: shared/pulumi-dynamic-providers.md, "Race").
 */
import { z } from "zod";
import {
  configureSettings,
  currentSettings,
  providerGraphFor,
  type ConfigureRequest,
} from "../configuration";
import {
  approvalUrl,
  ENDED,
  endRelationship,
  establishRelationship,
  findRelationship,
  sameSet,
} from "./gdap";
import type { AdminRelationship, GraphClient } from "./graph";
import { checkWith, GUID, log, parseWith, rethrow, UNKNOWN } from "../dynamic-common";

export const guid = (what: string, hint: string) =>
  z
    .string({ error: `${what} must be a string: a GUID, e.g. 0a1b2c3d-0000-4000-8000-00000000000a` })
    .trim()
    .regex(GUID, { error: `${what} must be a GUID like 0a1b2c3d-0000-4000-8000-00000000000a (${hint})` })
    .transform((s) => s.toLowerCase());

/** Unified role definition ids (Entra built-in roles), deduplicated, lower-case. */
export const rolesSchema = z
  .array(
    guid(
      "each of roles",
      "a Microsoft Entra role definition id, e.g. 29232cdf-9323-42fd-ade2-1d097af3e4de for Exchange Administrator",
    ),
    { error: "roles must be a list of Microsoft Entra role definition ids (GUIDs)" },
  )
  .min(1, { error: "roles must name at least one Microsoft Entra role definition id" })
  .max(72, { error: "roles must have at most 72 role definition ids" })
  .transform((r) => [...new Set(r)]);

const DAYS = /^P(\d{1,4})D$/;
/** ISO 8601 duration from P1D to P2Y inclusive (`delegatedadminrelationship`, property `duration`). */
const durationSchema = z
  .string({ error: "duration must be an ISO 8601 duration string such as P730D" })
  .trim()
  .refine(
    (d) => {
      const days = DAYS.exec(d);
      if (days) return Number(days[1]) >= 1 && Number(days[1]) <= 730;
      return d === "P1Y" || d === "P2Y";
    },
    {
      error:
        "duration must be an ISO 8601 duration from P1D to P2Y inclusive, in days (P1D ... P730D) or years (P1Y, P2Y), e.g. P730D",
    },
  );

/** The resource's inputs, validated strictly so that a typo fails in `check`. */
const inputsSchema = z.strictObject({
  customerId: guid(
    "customerId",
    "the customer's tenant id: Partner Center > Customers > the customer > Account > Microsoft ID",
  ),
  displayName: z
    .string({ error: "displayName must be a string" })
    .trim()
    .min(1, { error: "displayName must not be empty" })
    .max(50, { error: "displayName must be at most 50 characters (Microsoft Graph's limit)" }),
  duration: durationSchema,
  roles: rolesSchema,
  autoExtendDuration: z
    .enum(["PT0S", "P0D", "P180D"], {
      error:
        "autoExtendDuration must be PT0S (default: expire at endDateTime), P0D, or P180D (extend by 180 days)",
    })
    .optional(),
  approvalTimeoutSeconds: z
    .number({ error: "approvalTimeoutSeconds must be a number of seconds" })
    .int({ error: "approvalTimeoutSeconds must be a whole number of seconds" })
    .min(0, { error: "approvalTimeoutSeconds must be 0 (do not wait) or more" })
    .max(86_400, { error: "approvalTimeoutSeconds must be at most 86400 (one day): rerun pulumi up instead" })
    .optional(),
});

export type Inputs = z.output<typeof inputsSchema>;

// ---------------------------------------------------------------------------------- configure, shared

/** Reads `partnercenter:*` (with `partnercenter:graphEndpoint`); never throws (configuration.ts says why). */
export function configure(req: ConfigureRequest): Promise<void> {
  return configureSettings(req);
}

/** The Graph client of this process's settings (shared with the Partner Center client). */
export async function graph(): Promise<GraphClient> {
  return providerGraphFor(await currentSettings());
}

// -------------------------------------------------------------------------------------------- methods

/** Validates and normalises inputs. No network. */
export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
  return checkWith(inputsSchema, news);
}

const DEFAULT_AUTO_EXTEND = "PT0S";

/**
 * Everything but `approvalTimeoutSeconds` is fixed once the relationship is locked for approval (Graph allows
 * changes only in status `created`, and create locks it at once), so a change replaces it. A relationship that
 * has ended (terminated or expired outside Pulumi) is replaced too.
 *
 * Replacement deletes first (`deleteBeforeReplace`), deliberately: display names are unique per partner and
 * create adopts a live relationship of the same name, so creating first would adopt the very relationship being
 * replaced; and a role change that narrows access must not leave the old, wider roles active beside the new
 * ones. The cost: admin access pauses until the customer approves the new relationship. To change roles with no
 * pause, declare a second resource (another displayName), have it approved, then remove the first.
 */
export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
  const replaces: string[] = [];
  if (lower(olds.customerId) !== lower(news.customerId)) replaces.push("customerId");
  if (olds.displayName !== news.displayName) replaces.push("displayName");
  if (olds.duration !== news.duration) replaces.push("duration");
  if ((olds.autoExtendDuration ?? DEFAULT_AUTO_EXTEND) !== (news.autoExtendDuration ?? DEFAULT_AUTO_EXTEND)) {
    replaces.push("autoExtendDuration");
  }
  const roles = (v: unknown) => (Array.isArray(v) ? v.map(String) : [String(v)]);
  if (news.roles === UNKNOWN || !sameSet(roles(olds.roles), roles(news.roles))) replaces.push("roles");
  if (typeof olds.status === "string" && ENDED.has(olds.status)) replaces.push("status");
  const updates = (olds.approvalTimeoutSeconds ?? undefined) !== (news.approvalTimeoutSeconds ?? undefined);
  if (replaces.length) return { changes: true, replaces, deleteBeforeReplace: true };
  return { changes: updates };
}

function outputs(inputs: Inputs, rel: AdminRelationship): Record<string, unknown> {
  const outs: Record<string, unknown> = {
    ...inputs,
    relationshipId: rel.id,
    status: rel.status,
    approvalUrl: approvalUrl(rel.id),
  };
  // Omit absent values: `undefined` inside outputs fails in the host.
  if (rel.customerDisplayName !== undefined) outs.customerDisplayName = rel.customerDisplayName;
  if (rel.activatedDateTime !== undefined) outs.activatedDateTime = rel.activatedDateTime;
  if (rel.endDateTime !== undefined) outs.endDateTime = rel.endDateTime;
  return outs;
}

/** Creates the relationship (or adopts a live one of the same displayName) and locks it for approval. */
export async function create(news: Record<string, unknown>) {
  const inputs = parseWith(inputsSchema, news, "DelegatedAdminRelationship");
  const g = await graph();
  const rel = await establishRelationship(
    g,
    {
      displayName: inputs.displayName,
      customerId: inputs.customerId,
      duration: inputs.duration,
      roles: inputs.roles,
      autoExtendDuration: inputs.autoExtendDuration,
    },
    {
      ...(inputs.approvalTimeoutSeconds !== undefined && {
        approvalTimeoutSeconds: inputs.approvalTimeoutSeconds,
      }),
      log: (l) => log(inputs.customerId, l),
    },
  ).catch(rethrow);
  log(inputs.customerId, `delegated admin relationship ${rel.id} ("${rel.displayName}") is ${rel.status}.`);
  return { id: rel.id, outs: outputs(inputs, rel) };
}

/** Refresh: status, endDateTime and the roles as Graph has them; a blank id when Graph has no such relationship. */
export async function read(id: string, props: Record<string, unknown> = {}) {
  const stored = parseWith(inputsSchema, props, "DelegatedAdminRelationship");
  const g = await graph();
  const rel = await findRelationship(g, id).catch(rethrow);
  if (!rel) {
    log(stored.customerId, `delegated admin relationship ${id} is gone: refresh drops it from the stack.`);
    return {};
  }
  // What Graph has, so that a change made outside Pulumi shows as drift.
  const actual: Inputs = {
    ...stored,
    displayName: rel.displayName,
    ...(rel.customerTenantId && { customerId: rel.customerTenantId }),
    ...(rel.duration && { duration: rel.duration }),
    roles: sameSet(rel.roles, stored.roles) ? stored.roles : rel.roles,
  };
  if (rel.autoExtendDuration !== undefined) {
    if (stored.autoExtendDuration !== undefined || rel.autoExtendDuration !== DEFAULT_AUTO_EXTEND) {
      actual.autoExtendDuration = rel.autoExtendDuration as Inputs["autoExtendDuration"];
    }
  }
  if (ENDED.has(rel.status)) {
    log(
      stored.customerId,
      `delegated admin relationship ${id} is ${rel.status}: the next pulumi up replaces it.`,
    );
  }
  const { approvalTimeoutSeconds: _t, ...rest } = actual;
  const inputs: Record<string, unknown> = { ...rest };
  if (stored.approvalTimeoutSeconds !== undefined)
    inputs.approvalTimeoutSeconds = stored.approvalTimeoutSeconds;
  return { id, props: outputs(actual, rel), inputs };
}

/** Only approvalTimeoutSeconds updates in place: no API call. */
export async function update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const inputs = parseWith(inputsSchema, news, "DelegatedAdminRelationship");
  const outs: Record<string, unknown> = { ...inputs };
  for (const k of [
    "relationshipId",
    "status",
    "approvalUrl",
    "customerDisplayName",
    "activatedDateTime",
    "endDateTime",
  ]) {
    if (olds[k] !== undefined && olds[k] !== null) outs[k] = olds[k];
  }
  return { outs };
}

/** Ends the relationship (terminate, or delete while `created`) and confirms it. */
async function del(id: string, props: Record<string, unknown>): Promise<void> {
  const subject = typeof props.customerId === "string" ? props.customerId : id;
  const g = await graph();
  await endRelationship(g, id, { log: (l) => log(subject, l) }).catch(rethrow);
}
export { del as delete };

// The input schema, for the provider plugin's schema.json (scripts/gen-schema.js): not part of the shim contract.
export { inputsSchema };
