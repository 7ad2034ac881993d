/**
 * `pulumi-partner-center/dynamic-gdap`: the implementation the DelegatedAdminRelationship shim loads by name
 * (gdap/shim.ts).
 *
 * COMPATIBILITY CONTRACT: this subpath and its methods (`configure`, `check`, `diff`, `create`, `read`,
 * `update`, `delete`) are called by provider text stored in users' state files. Never rename them.
 *
 * Every method that needs settings awaits the stored configure promise (the host may call a method before
 * configure has finished: docs/design/pulumi-engine.md#race).
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { configureSettings, currentSettings, providerGraphFor, type ConfigureRequest } from "./configuration";
import {
  approvalUrl,
  changeRelationship,
  ENDED,
  endRelationship,
  establishRelationship,
  findRelationship,
  GLOBAL_ADMINISTRATOR,
  sameDuration,
  sameSet,
} from "./gdap/relationships";
import type { AdminRelationship, GraphClient } from "./gdap/graph";
import { ConfigurationError } from "./errors";
import { checkWith, GUID, parseWith, reported, UNKNOWN } from "./dynamic-common";
import { log, warn } from "./log";

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

/** Graph's limit on displayName ("delegatedAdminRelationship resource type": "Maximum length is 50 characters"). */
const NAME_MAX = 50;

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
    .max(NAME_MAX, { error: "displayName must be at most 50 characters (Microsoft Graph's limit)" })
    .optional(),
  /**
   * Set by the resource's constructor (the resource name) when displayName is omitted: `check` then derives a
   * unique displayName from it, Pulumi's autonaming convention.
   */
  displayNamePrefix: z.string({ error: "displayNamePrefix must be a string" }).trim().min(1).optional(),
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

type Parsed = z.output<typeof inputsSchema>;
/** Inputs after `check`: displayName is always there. */
export type Inputs = Parsed & { displayName: string };

/** Parses checked inputs (displayName present). */
function parseInputs(raw: Record<string, unknown>): Inputs {
  const parsed = parseWith(inputsSchema, raw, "DelegatedAdminRelationship");
  if (parsed.displayName === undefined) {
    throw new ConfigurationError("Invalid DelegatedAdminRelationship inputs: displayName: missing.", {
      action:
        "Give the resource a displayName, or create it with this package's DelegatedAdminRelationship class.",
    });
  }
  return parsed as Inputs;
}

/**
 * `{prefix}-{7 random hex}`, at most 50 characters: Pulumi's autonaming convention, so that a replacement gets a
 * name no relationship, ended ones included, ever had.
 */
function autoName(prefix: string): string {
  const suffix = randomBytes(4).toString("hex").slice(0, 7);
  return `${prefix.slice(0, NAME_MAX - suffix.length - 1)}-${suffix}`;
}

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

export const check = reported(checkResource);

/**
 * Validates and normalises inputs. No network. An omitted displayName is kept from the old inputs, else derived
 * from the resource name (the engine checks a replacement again without old inputs, so it gets a new name).
 * Global Administrator with autoExtendDuration P180D is refused: "Don't autoextend GDAP with Global
 * Administrator" (Partner Center, "Expire granular relationships and extend granular delegated admin privileges
 * (GDAP)", https://learn.microsoft.com/partner-center/customers/expiring-gdap-relationships-and-auto-extend-gdap).
 */
async function checkResource(olds: Record<string, unknown>, news: Record<string, unknown>) {
  const result = checkWith(inputsSchema, news);
  const inputs = result.inputs;
  if (!inputs) return result;
  const failures: { property: string; reason: string }[] = [];
  if (inputs.displayName === undefined) {
    const kept =
      typeof olds?.displayName === "string" && olds.displayName !== UNKNOWN ? olds.displayName : undefined;
    const prefix = inputs.displayNamePrefix;
    if (kept !== undefined) inputs.displayName = kept;
    else if (typeof prefix === "string" && prefix !== UNKNOWN) inputs.displayName = autoName(prefix);
    else if (prefix !== UNKNOWN) {
      failures.push({
        property: "displayName",
        reason:
          "displayName is required: a name unique across all of the partner's relationships, at most 50 characters (or use the DelegatedAdminRelationship class, which derives one from the resource name)",
      });
    }
  }
  const roles = Array.isArray(inputs.roles) ? inputs.roles.map(String) : [];
  if (inputs.autoExtendDuration === "P180D" && roles.includes(GLOBAL_ADMINISTRATOR)) {
    failures.push({
      property: "autoExtendDuration",
      reason: `autoExtendDuration P180D cannot be used with the Global Administrator role (${GLOBAL_ADMINISTRATOR}): Partner Center says "Don't autoextend GDAP with Global Administrator". Remove autoExtendDuration (or set PT0S), or remove Global Administrator from roles`,
    });
  }
  return failures.length ? { failures } : { inputs };
}

const DEFAULT_AUTO_EXTEND = "PT0S";

/**
 * What a change does, from Graph's rules ("Update delegatedAdminRelationship"): while `created` or `active`, a new
 * autoExtendDuration is updated in place; while `active`, removing only the Global Administrator role is updated
 * in place (a long-running operation). Any other change of customerId, displayName, duration (compared by value:
 * P2Y is P730D) or roles replaces it, and so does an ended relationship (terminated or expired outside Pulumi).
 *
 * A replacement creates the new relationship first, then ends the old one (Pulumi's default order). It needs a
 * new displayName: names are unique across all of the partner's relationships, ended ones included, so the old
 * name would be refused. An autonamed resource gets one (the engine checks it again without old inputs); a
 * replacement that keeps an explicit displayName is refused here, before anything is sent, with the fix. Every
 * replacement logs a warning (shown by `pulumi preview --diff`): admin access pauses until the customer approves
 * the new relationship.
 */
export const diff = reported(diffRelationship);

async function diffRelationship(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
  const status = typeof olds.status === "string" ? olds.status : undefined;
  const replaces: string[] = [];
  const updates: string[] = [];
  if (lower(olds.customerId) !== lower(news.customerId)) replaces.push("customerId");
  if (olds.displayName !== news.displayName) replaces.push("displayName");
  if (news.duration === UNKNOWN || !sameDuration(olds.duration, news.duration)) replaces.push("duration");
  const oldAuto = olds.autoExtendDuration ?? DEFAULT_AUTO_EXTEND;
  const newAuto = news.autoExtendDuration ?? DEFAULT_AUTO_EXTEND;
  if (oldAuto !== newAuto) {
    (status === "created" || status === "active" ? updates : replaces).push("autoExtendDuration");
  }
  const roles = (v: unknown) => (Array.isArray(v) ? v.map((x) => String(x).toLowerCase()) : [String(v)]);
  if (news.roles === UNKNOWN || !sameSet(roles(olds.roles), roles(news.roles))) {
    const gaRemoved =
      status === "active" &&
      news.roles !== UNKNOWN &&
      roles(olds.roles).includes(GLOBAL_ADMINISTRATOR) &&
      sameSet(
        roles(olds.roles).filter((r) => r !== GLOBAL_ADMINISTRATOR),
        roles(news.roles),
      );
    (gaRemoved ? updates : replaces).push("roles");
  }
  if (status !== undefined && ENDED.has(status)) replaces.push("status");
  if ((olds.approvalTimeoutSeconds ?? undefined) !== (news.approvalTimeoutSeconds ?? undefined)) {
    updates.push("approvalTimeoutSeconds");
  }
  if (!replaces.length) return { changes: updates.length > 0 };
  const name = String(olds.displayName ?? id);
  const autonamed = typeof news.displayNamePrefix === "string";
  if (news.displayName === olds.displayName && !autonamed) {
    throw new ConfigurationError(
      `DelegatedAdminRelationship "${name}" (${id}) must be replaced (${replaces.join(", ")} changed), and its successor cannot keep displayName "${name}": Microsoft Graph keeps the names of ended relationships and refuses a name used before. Nothing was changed.`,
      {
        action:
          "Remove displayName from the resource (the provider then derives a new unique name from the resource name), or give it a new displayName, then run the command again.",
      },
    );
  }
  warn(
    String(lower(olds.customerId)),
    `replacing delegated admin relationship ${id} ("${name}", ${status ?? "status unknown"}) because ${replaces.join(", ")} changed: a new relationship is created and must be approved by the customer, and the old one is ended, so admin access through it pauses until the customer approves the new one. To avoid the pause, declare the new relationship as a second resource, have it approved, then remove this one.`,
  );
  return { changes: true, replaces, deleteBeforeReplace: false };
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
export const create = reported(createRelationship);

async function createRelationship(news: Record<string, unknown>) {
  const inputs = parseInputs(news);
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
  );
  log(inputs.customerId, `delegated admin relationship ${rel.id} ("${rel.displayName}") is ${rel.status}.`);
  return { id: rel.id, outs: outputs(inputs, rel) };
}

/** Refresh: status, endDateTime and the roles as Graph has them; a blank id when Graph has no such relationship. */
export const read = reported(readRelationship);

async function readRelationship(id: string, props: Record<string, unknown> = {}) {
  const stored = parseInputs(props);
  const g = await graph();
  const rel = await findRelationship(g, id);
  if (!rel) {
    log(stored.customerId, `delegated admin relationship ${id} is gone: refresh drops it from the stack.`);
    return {};
  }
  // What Graph has, so that a change made outside Pulumi shows as drift.
  const actual: Inputs = {
    ...stored,
    displayName: rel.displayName,
    ...(rel.customerTenantId && { customerId: rel.customerTenantId }),
    // By value: Graph may report P730D for a declared P2Y.
    ...(rel.duration && !sameDuration(rel.duration, stored.duration) && { duration: rel.duration }),
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

/**
 * In place: approvalTimeoutSeconds (no API call); autoExtendDuration (while created or active) and the removal of
 * Global Administrator (while active, a long-running operation followed to completion) are PATCHed, If-Match with
 * a fresh etag, and the relationship is read back.
 */
export const update = reported(updateRelationship);

async function updateRelationship(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const inputs = parseInputs(news);
  const change: { autoExtendDuration?: string; roles?: readonly string[] } = {};
  if (
    (olds.autoExtendDuration ?? DEFAULT_AUTO_EXTEND) !== (inputs.autoExtendDuration ?? DEFAULT_AUTO_EXTEND)
  ) {
    change.autoExtendDuration = inputs.autoExtendDuration ?? DEFAULT_AUTO_EXTEND;
  }
  const oldRoles = Array.isArray(olds.roles) ? olds.roles.map(String) : [];
  if (!sameSet(oldRoles, inputs.roles)) change.roles = inputs.roles;
  if (change.autoExtendDuration !== undefined || change.roles !== undefined) {
    const g = await graph();
    const rel = await changeRelationship(g, id, change);
    log(
      inputs.customerId,
      `delegated admin relationship ${id} ("${rel.displayName}") updated in place (${Object.keys(change).join(", ")}); it is ${rel.status}.`,
    );
    return { outs: outputs(inputs, rel) };
  }
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
  const outcome = await endRelationship(g, id, { log: (l) => log(subject, l) });
  if (outcome === "expiresOnItsOwn") {
    warn(
      subject,
      `delegated admin relationship ${id} leaves the stack but is not ended: Microsoft Graph cannot end it in its status (see the line above for its expiry).`,
    );
  }
}
const deleteReported = reported(del);
export { deleteReported as delete };

// The input schema, for the provider plugin's schema.json (scripts/gen-schema.js): not part of the shim contract.
export { inputsSchema };
