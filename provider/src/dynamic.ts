/**
 * `pulumi-partner-center/dynamic`: the implementation the serialized shim loads by name (see shim.ts).
 *
 * COMPATIBILITY CONTRACT: this subpath and the methods it exports (`configure`, `check`, `diff`, `create`,
 * `read`, `update`, `delete`) are called by provider text stored in users' state files. Never rename them;
 * every version must accept the state every earlier version wrote.
 *
 * The Pulumi provider host calls these concurrently and may call a method before `configure` has finished
 * (it caches the provider before awaiting configure: docs/design/pulumi-engine.md#race), so every
 * method that needs settings awaits the stored configure promise.
 */
import { z } from "zod";
import type { Customer, PartnerCenterClient } from "./client";
import { ConfigurationError, printable, type RemovalBlocker } from "./errors";
import { auditedAdoption, auditedRemoval, reconcileOnce } from "./audit";
import { adopt, assessReadiness, describeBlocker, remove, RESELLER_OPTIONS } from "./relationship";
import { importRefusedMessage } from "./resource";
import {
  configureSettings,
  currentSettings,
  providerClientFor,
  providerGraphFor,
  type ConfigureRequest,
} from "./configuration";
import { checkWith, GUID, parseWith, reported, UNKNOWN } from "./dynamic-common";
import { log } from "./log";
import { adminAccessReport, offboardAdminAccess, unfinishedAdminAccess } from "./gdap/offboarding";

export { SETTING_KEYS } from "./configuration";

const guid = (what: string) =>
  z
    .string({ error: `${what} must be a string: the tenant GUID, e.g. 0a1b2c3d-0000-4000-8000-00000000000a` })
    .trim()
    .regex(GUID, {
      error: `${what} must be a tenant GUID like 0a1b2c3d-0000-4000-8000-00000000000a (find it in Partner Center under Customers > the customer > Account > Microsoft ID)`,
    })
    .transform((s) => s.toLowerCase());

/** The resource's inputs, validated strictly so that a typo fails in `check` instead of being ignored. */
const inputsSchema = z.strictObject({
  customerId: guid("customerId"),
  suspendActiveSubscriptions: z
    .boolean({ error: "suspendActiveSubscriptions must be true or false" })
    .optional(),
  // Cancel new-commerce subscriptions inside their cancellation window (PATCH status deleted).
  cancelNewCommerceSubscriptionsInWindow: z
    .boolean({ error: "cancelNewCommerceSubscriptionsInWindow must be true or false" })
    .optional(),
  acceptanceTimeoutSeconds: z
    .number({ error: "acceptanceTimeoutSeconds must be a number of seconds" })
    .int({ error: "acceptanceTimeoutSeconds must be a whole number of seconds" })
    .min(0, { error: "acceptanceTimeoutSeconds must be 0 (fail at once) or more" })
    .max(86_400, {
      error: "acceptanceTimeoutSeconds must be at most 86400 (one day): rerun pulumi up instead",
    })
    .optional(),
  indirectResellerId: guid("indirectResellerId").optional(),
  // GDAP: set (true or false) = refresh reports adminRelationships; true = removal ends them.
  terminateAdminRelationshipsOnRemoval: z
    .boolean({ error: "terminateAdminRelationshipsOnRemoval must be true or false" })
    .optional(),
});

/** Validated inputs. */
export type Inputs = z.output<typeof inputsSchema>;

/** What the resource stores as outputs (besides `__provider`, which the host adds). */
export interface Outputs extends Inputs {
  relationshipToPartner: string;
  companyName?: string;
  domain?: string;
  /** null until the first refresh assesses it. */
  removable?: boolean | null;
  removalBlockers?: RemovalBlocker[] | null;
  /** GDAP: the customer's delegated admin relationships, after a refresh. */
  adminRelationships?: { id: string; displayName: string; status: string; endDateTime?: string }[];
}

// ---------------------------------------------------------------------------------------------- configure

/**
 * Reads `partnercenter:*` from the stack config (secrets arrive decrypted), then environment variables.
 * Never throws (configuration.ts says why).
 */
export function configure(req: ConfigureRequest): Promise<void> {
  return configureSettings(req);
}

const settings = currentSettings;

async function client(): Promise<PartnerCenterClient> {
  return providerClientFor(await settings());
}

// -------------------------------------------------------------------------------------------------- check

export const check = reported(checkResource);

/** Validates and normalises inputs. No network. */
async function checkResource(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<{ inputs?: Record<string, unknown>; failures?: { property: string; reason: string }[] }> {
  const changed = changedCustomerId(olds, news);
  if (changed) return { failures: [changed] };
  return checkWith(inputsSchema, news);
}

/**
 * An existing resource's customerId never changes. The engine would replace it create-before-delete: adopt the
 * new customer, then delete the old resource, which offboards the old customer (Pulumi docs, "replaceOnChanges"
 * and "deleteBeforeReplace"). A typo fix must never do that, so check refuses and says how to offboard on purpose.
 * `olds` are the inputs stored in state: empty for a new resource.
 */
function changedCustomerId(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { property: string; reason: string } | undefined {
  const was = olds.customerId;
  const now = news.customerId;
  if (typeof was !== "string" || was === "" || was === UNKNOWN) return undefined;
  if (typeof now !== "string" || now === UNKNOWN) return undefined;
  if (was.trim().toLowerCase() === now.trim().toLowerCase()) return undefined;
  return {
    property: "customerId",
    reason:
      `customerId cannot change on an existing ResellerRelationship (it is ${was}, the program now says ${now.trim()}): ` +
      `Pulumi would adopt the new customer and then remove the reseller relationship with ${was}. Nothing was changed. ` +
      `To fix a typo, put ${was} back. To offboard ${was} on purpose, remove this resource from the program ` +
      "(or run `pulumi destroy --target <its URN>`) and run `pulumi up`; then declare the other customer as a new resource.",
  };
}

function parseInputs(raw: Record<string, unknown>): Inputs {
  return parseWith(inputsSchema, raw, "ResellerRelationship");
}

// --------------------------------------------------------------------------------------------------- diff

export const diff = reported(diffResource);

/** A new customerId replaces the resource; the other inputs update in place; `__provider` is ignored. */
async function diffResource(
  _id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<{ changes: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }> {
  const norm = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : (v ?? undefined));
  const replaces = norm(olds.customerId) !== norm(news.customerId) ? ["customerId"] : [];
  const updates = RESELLER_OPTIONS.filter((k) => norm(olds[k]) !== norm(news[k]));
  const changes = replaces.length > 0 || updates.length > 0;
  // Removing a relationship before adopting another is never needed (they are different customers), so the
  // default create-before-delete order stands.
  return replaces.length ? { changes, replaces } : { changes };
}

// ------------------------------------------------------------------------------------------ create, update

function outputs(
  inputs: Inputs,
  customer: Customer,
  prior?: Record<string, unknown>,
): Record<string, unknown> {
  const outs: Record<string, unknown> = { ...inputs, relationshipToPartner: customer.relationshipToPartner };
  // Omit absent values: `undefined` inside outputs fails in the host ("Unexpected struct type").
  if (customer.companyName !== undefined) outs.companyName = customer.companyName;
  else if (prior?.companyName !== undefined) outs.companyName = prior.companyName;
  if (customer.domain !== undefined) outs.domain = customer.domain;
  else if (prior?.domain !== undefined) outs.domain = prior.domain;
  return outs;
}

/** Adopts an existing reseller relationship (one GET), or fails with the invitation link. */
export const create = reported(adoptRelationship);

async function adoptRelationship(
  news: Record<string, unknown>,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  const inputs = parseInputs(news);
  const c = await client();
  const id = inputs.customerId;
  // AUDIT HOOK: with partnercenter:auditLog set, adopt runs on an audited view of the client and
  // one record is written after it (the create fails if it cannot be); otherwise adopt runs as it is.
  const customer = await auditedAdoption(
    await settings(),
    c,
    id,
    (l) => log(id, l),
    (ac) =>
      adopt(ac, id, {
        ...(inputs.acceptanceTimeoutSeconds !== undefined && {
          acceptanceTimeoutSeconds: inputs.acceptanceTimeoutSeconds,
        }),
        ...(inputs.indirectResellerId !== undefined && { indirectResellerId: inputs.indirectResellerId }),
        log: (l) => log(id, l),
      }),
  );
  log(
    id,
    `adopted the reseller relationship with ${printable(customer.companyName ?? id)}${customer.domain ? ` (${printable(customer.domain)})` : ""}.`,
  );
  return { id, outs: { ...outputs(inputs, customer), ...NOT_ASSESSED } };
}

/**
 * `removable` and `removalBlockers` before the first refresh: null, "not assessed yet". Adoption reads only the
 * customer, and claiming true (or no blocker) without reading subscriptions and entitlements would not be honest.
 * Present rather than absent, so that a program exporting them gets no "Undefined value" warning: Pulumi passes
 * null through to the program, where absent keys (and `undefined`) become undefined.
 */
const NOT_ASSESSED = { removable: null, removalBlockers: null } as const;

export const update = reported(updateResource);

/** No API call: the new inputs with the outputs already known. */
async function updateResource(
  _id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<{ outs: Record<string, unknown> }> {
  const inputs = parseInputs(news);
  const outs: Record<string, unknown> = { ...inputs };
  // GDAP: adminRelationships kept like the other refresh outputs.
  for (const k of [
    "relationshipToPartner",
    "companyName",
    "domain",
    "removable",
    "removalBlockers",
    "adminRelationships",
  ]) {
    if (olds[k] !== undefined && olds[k] !== null) outs[k] = olds[k];
  }
  outs.relationshipToPartner ??= "reseller";
  outs.removable ??= NOT_ASSESSED.removable;
  outs.removalBlockers ??= NOT_ASSESSED.removalBlockers;
  return { outs };
}

// --------------------------------------------------------------------------------------------------- read

/** Refresh: the customer, its subscriptions and entitlements; a blank id when the relationship is gone. */
export const read = reported(refresh);

async function refresh(
  id: string,
  props: Record<string, unknown> = {},
): Promise<{ id?: string; props?: Record<string, unknown>; inputs?: Record<string, unknown> }> {
  // Refresh always passes the stored outputs, which hold customerId. Only an import (`pulumi import`, or the
  // `import` resource option) reads with a bare id: refuse it, and say how to adopt instead.
  if (props.customerId === undefined) throw new ConfigurationError(importRefusedMessage(id));
  const inputs = parseInputs(props);
  const c = await client();
  await settleTrail(c); // AUDIT
  const r = await assessReadiness(c, inputs.customerId);
  if (r.gone || !r.isReseller || !r.customer) {
    const why = r.gone
      ? "the customer is gone for this partner"
      : `the relationship is now "${printable(r.customer?.relationshipToPartner ?? "")}", not reseller`;
    // GDAP: the resource is responsible for the customer's admin access too: it leaves the stack
    // only once no relationship it must end remains, so that the next destroy finishes a failed GDAP step.
    if (inputs.terminateAdminRelationshipsOnRemoval) {
      const kept = await keptForAdminAccess(inputs, r.customer, props, why);
      if (kept) return kept;
    }
    log(inputs.customerId, `${why}: refresh drops the resource from the stack.`);
    return {};
  }
  const outs: Record<string, unknown> = {
    ...outputs(inputs, r.customer, props),
    removable: r.removable,
    removalBlockers: r.blockers,
  };
  // GDAP: with terminateAdminRelationshipsOnRemoval set, what admin access remains.
  if (inputs.terminateAdminRelationshipsOnRemoval !== undefined) {
    const s = await settings();
    const admin = await adminAccessReport(
      () => providerGraphFor(s),
      inputs.customerId,
      (l) => log(inputs.customerId, l),
    );
    if (admin !== undefined) outs.adminRelationships = admin;
  }
  log(
    inputs.customerId,
    r.removable
      ? `removable (${r.subscriptions.length} subscription(s), ${r.entitlements.length} entitlement(s), none blocking).`
      : `not removable: ${r.blockers.map((b) => describeBlocker(b)).join(", ")}.`,
  );
  return { id: inputs.customerId, props: outs, inputs: { ...inputs } };
}

/**
 * GDAP: the refresh answer that keeps a resource whose reseller relationship is gone while admin
 * relationships it must end remain (or Graph cannot be read to prove none does); undefined when none remains.
 */
async function keptForAdminAccess(
  inputs: Inputs,
  customer: Customer | undefined,
  props: Record<string, unknown>,
  why: string,
): Promise<{ id: string; props: Record<string, unknown>; inputs: Record<string, unknown> } | undefined> {
  const id = inputs.customerId;
  const s = await settings();
  const left = await unfinishedAdminAccess(
    () => providerGraphFor(s),
    id,
    (l) => log(id, l),
  );
  if (left && left.open.length === 0) return undefined;
  const outs: Record<string, unknown> = {
    ...outputs(
      inputs,
      customer ?? { id, companyName: undefined, domain: undefined, relationshipToPartner: "none" },
      props,
    ),
    relationshipToPartner: customer?.relationshipToPartner ?? "none",
    removable: true,
    removalBlockers: [],
  };
  if (left) outs.adminRelationships = left.all;
  else if (Array.isArray(props.adminRelationships)) outs.adminRelationships = props.adminRelationships;
  log(
    id,
    `${why}, but ${
      left
        ? `${left.open.length} delegated admin relationship(s) of this customer still grant admin access (${left.open.map((a) => `${a.displayName} (${a.status})`).join(", ")})`
        : "Microsoft Graph could not be read to confirm that no delegated admin relationship remains"
    }: refresh keeps the resource in the stack (terminateAdminRelationshipsOnRemoval), so that the next \`pulumi destroy\` (or removing it from the program) ends its admin access.`,
  );
  return { id, props: outs, inputs: { ...inputs } };
}

// ------------------------------------------------------------------------------------------------- delete

/**
 * AUDIT: the first refresh or delete of the process settles the trail's writes that have an intent but no
 * outcome (a run killed while they were in flight), by reading what Partner Center shows. Never fails.
 */
async function settleTrail(c: PartnerCenterClient): Promise<void> {
  const s = await settings();
  await reconcileOnce(s, { client: c, graph: () => providerGraphFor(s), log: (l) => log("audit", l) });
}

/**
 * Removes the relationship after checking every page of entitlements and subscriptions. Throws (and so
 * keeps the resource in state) when anything blocks it or the service does not confirm `none`.
 */
async function del(id: string, props: Record<string, unknown>): Promise<void> {
  const inputs = parseInputs({ ...props, customerId: props.customerId ?? id });
  const c = await client();
  await settleTrail(c); // AUDIT
  // AUDIT HOOK: with partnercenter:auditLog set, remove runs on an audited view of the client:
  // the `checked` record is written when both lists are read (before any suspend or PATCH; its failure fails
  // the delete with nothing sent), a record per suspend after it, the outcome after remove settles.
  const companyName = typeof props.companyName === "string" ? props.companyName : undefined;
  const audit = {
    companyName,
    relationshipBefore:
      typeof props.relationshipToPartner === "string" ? props.relationshipToPartner : undefined,
    suspendActiveSubscriptions: inputs.suspendActiveSubscriptions,
    cancelNewCommerceSubscriptionsInWindow: inputs.cancelNewCommerceSubscriptionsInWindow,
    log: (l: string) => log(inputs.customerId, l),
  };
  await auditedRemoval(await settings(), c, inputs.customerId, audit, (ac) =>
    remove(ac, inputs.customerId, {
      ...(inputs.suspendActiveSubscriptions !== undefined && {
        suspendActiveSubscriptions: inputs.suspendActiveSubscriptions,
      }),
      ...(inputs.cancelNewCommerceSubscriptionsInWindow !== undefined && {
        cancelNewCommerceSubscriptionsInWindow: inputs.cancelNewCommerceSubscriptionsInWindow,
      }),
      ...(companyName !== undefined && { companyName }),
      log: (l) => log(inputs.customerId, l),
    }),
  );
  // GDAP: after a confirmed removal (or a customer already gone), end its admin relationships.
  if (inputs.terminateAdminRelationshipsOnRemoval) {
    const s = await settings();
    await offboardAdminAccess(
      () => providerGraphFor(s),
      inputs.customerId,
      (l) => log(inputs.customerId, l),
    );
  }
}
const deleteReported = reported(del);
export { deleteReported as delete };

// The input schema, for the provider plugin's schema.json (scripts/gen-schema.js): not part of the shim contract.
export { inputsSchema };
