/**
 * The estate file, version 1: the customers a partner manages, their GDAP templates and relationships. One zod
 * schema validates it (strict objects: a typo is an error, not an ignored key) and is published as the JSON
 * Schema `schema/estate.v1.json` (generated from it, see json-schema.ts) for editor completion.
 *
 * Graph rules applied at load (Microsoft Graph v1.0, "delegatedAdminRelationship resource type",
 * https://learn.microsoft.com/graph/api/resources/delegatedadminrelationship, and "delegatedAdminAccessAssignment
 * resource type"): displayName 1 to 50 characters and unique across the partner; duration P1D to P2Y;
 * autoExtendDuration PT0S, P0D or P180D; one access assignment per security group and relationship, its roles a
 * subset of the relationship's; a relationship holding Global Administrator cannot be auto-extended (Partner
 * Center, "GDAP frequently asked questions": auto-extend is not available with the Global Administrator role).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { ConfigurationError } from "../errors";
import { GUID } from "../guid";

/** The Microsoft Entra role definition id of Global Administrator. */
export const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";
/** Where the published schema lives in the package, for `$schema`. */
export const SCHEMA_FILE = "schema/estate.v1.json";
export const SCHEMA_ID = "https://unpkg.com/pulumi-partner-center/schema/estate.v1.json";

/** A resource name: what the Pulumi resource of a customer is called, and the key of every output map. */
export const NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

const guid = (what: string) =>
  z
    .string()
    .regex(GUID, { message: `must be ${what} (a GUID such as 11111111-1111-4111-8111-111111111111)` })
    .transform((s) => s.toLowerCase());

/** ISO 8601 durations Graph accepts for `duration`: days (P1D to P730D), or years/months/days up to P2Y. */
const duration = z
  .string()
  .regex(/^P(?:(?:[12]Y)|(?:\d{1,3}D)|(?:1Y\d{1,3}D)|(?:\d{1,2}M))$/, {
    message: "must be an ISO 8601 duration from P1D to P2Y (e.g. P730D)",
  })
  .refine((d) => durationInDays(d) >= 1 && durationInDays(d) <= 730, {
    message: "must be from P1D to P2Y (730 days)",
  })
  .describe("ISO 8601, from P1D to P2Y (e.g. P730D). Changing it replaces the relationship.");

/** A duration of the estate format in days: a year is 365 days, a month 30. */
export function durationInDays(d: string): number {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/.exec(d);
  if (!m) return NaN;
  return Number(m[1] ?? 0) * 365 + Number(m[2] ?? 0) * 30 + Number(m[3] ?? 0);
}

const autoExtend = z
  .enum(["PT0S", "P0D", "P180D"])
  .describe("PT0S or P0D: expires at its end date; P180D: extended by 180 days at a time.");

const roleIds = z
  .array(guid("a Microsoft Entra role definition id"))
  .min(1, { message: "needs at least one role" });

const accessAssignment = z
  .strictObject({
    securityGroupId: guid("the object id of a security group of the partner's tenant"),
    roles: roleIds.describe("Role definition ids: a subset of the relationship's roles."),
  })
  .describe("The members of a security group get some of the relationship's roles in the customer's tenant.");

const gdapTemplate = z
  .strictObject({
    description: z.string().optional(),
    duration,
    autoExtendDuration: autoExtend.optional(),
    roles: roleIds
      .optional()
      .describe("The roles the relationship asks for; default: every role of its access assignments."),
    accessAssignments: z.array(accessAssignment).default([]),
    appliesTo: z
      .union([z.literal("all"), z.array(z.string().regex(NAME_RE, { message: "must be a customer name" }))])
      .optional()
      .describe(
        '"all" customers (not offboarded), or a list of customer names; unset: only customers that name it.',
      ),
  })
  .describe("A GDAP template: one relationship per customer it applies to, with these access assignments.");

const adminRelationship = z
  .strictObject({
    displayName: z
      .string()
      .min(1)
      .max(50)
      .refine((s) => !s.includes("::"), { message: 'must not contain "::"' })
      .describe("Graph's displayName: unique across the partner's relationships, at most 50 characters."),
    template: z.string().optional().describe("The GDAP template this relationship follows."),
    duration: duration.optional(),
    autoExtendDuration: autoExtend.optional(),
    roles: roleIds.optional(),
    accessAssignments: z.array(accessAssignment).optional(),
  })
  .describe("A GDAP relationship of this customer: a template, or its own duration, roles and assignments.");

const customer = z
  .strictObject({
    name: z.string().regex(NAME_RE, {
      message: "must be lower-case letters, digits and dashes, at most 63 (it names the Pulumi resource)",
    }),
    customerId: guid("the customer's tenant id"),
    companyName: z.string().optional().describe("As Partner Center shows it (informational)."),
    state: z
      .enum(["active", "offboard"])
      .default("active")
      .describe(
        "offboard: remove the reseller relationship (and this customer's GDAP) at the next `pulumi up`.",
      ),
    goneFromPartnerCenter: z
      .string()
      .optional()
      .describe("Set by `partner-center estate export --merge`: the date the customer was no longer found."),
    suspendActiveSubscriptions: z.boolean().optional(),
    cancelNewCommerceSubscriptionsInWindow: z.boolean().optional(),
    acceptanceTimeoutSeconds: z.number().int().min(0).max(86_400).optional(),
    indirectResellerId: guid("the indirect reseller's tenant id").optional(),
    terminateAdminRelationshipsOnRemoval: z.boolean().optional(),
    adminRelationships: z.array(adminRelationship).optional(),
  })
  .describe("A reseller customer.");

/** The estate file schema (input shape; see {@link loadEstate} for the cross-field rules). */
export const estateSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1).describe("The estate file format version."),
    gdapTemplates: z
      .record(
        z.string().regex(NAME_RE, { message: "template names are lower-case letters, digits and dashes" }),
        gdapTemplate,
      )
      .optional(),
    customers: z.array(customer),
  })
  .describe("A Partner Center estate for the pulumi-partner-center Estate component.");

export type EstateFile = z.output<typeof estateSchema>;
export type EstateCustomer = EstateFile["customers"][number];
export type GdapTemplate = NonNullable<EstateFile["gdapTemplates"]>[string];
export type AdminRelationshipEntry = NonNullable<EstateCustomer["adminRelationships"]>[number];
export type AccessAssignmentEntry = z.output<typeof accessAssignment>;

/** A relationship fully resolved: template applied, roles known. */
export interface ResolvedRelationship {
  displayName: string;
  template: string | undefined;
  duration: string;
  autoExtendDuration: "PT0S" | "P0D" | "P180D" | undefined;
  roles: string[];
  accessAssignments: AccessAssignmentEntry[];
}

/** A loaded, checked estate: each customer with its GDAP relationships resolved. */
export interface Estate {
  file: EstateFile;
  customers: (EstateCustomer & { relationships: ResolvedRelationship[] })[];
}

function where(source: string, p: readonly PropertyKey[], doc: unknown): string {
  let at = source;
  let node: unknown = doc;
  for (const k of p) {
    if (typeof k === "number") {
      const n = (node as unknown[] | undefined)?.[k] as { name?: unknown } | undefined;
      at += typeof n?.name === "string" ? `[${k}] (${n.name})` : `[${k}]`;
    } else at += `.${String(k)}`;
    node = (node as Record<PropertyKey, unknown> | undefined)?.[k];
  }
  return at;
}

/** Reads an estate file: JSON, or YAML when the optional `js-yaml` package is installed. */
export function readEstateFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigurationError(`estate file ${file} cannot be read: ${(e as Error).message}`);
  }
  if (/\.ya?ml$/i.test(file)) {
    let yaml: { load(s: string): unknown };
    try {
      // YAML is optional so that the package adds no runtime dependency: js-yaml when the project has it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      yaml = require("js-yaml") as { load(s: string): unknown };
    } catch {
      throw new ConfigurationError(`estate file ${file} is YAML, and the js-yaml package is not installed.`, {
        action: "Run `npm install js-yaml` in the project, or write the estate as JSON.",
      });
    }
    try {
      return yaml.load(text);
    } catch (e) {
      throw new ConfigurationError(`estate file ${file} is not valid YAML: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigurationError(`estate file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Validates an estate (the parsed file, or data a program built) and resolves its GDAP relationships.
 * @throws ConfigurationError naming the entry and the field, with every problem found.
 */
export function loadEstate(doc: unknown, source = "estate"): Estate {
  const parsed = estateSchema.safeParse(doc);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 20).map((i) => `${where(source, i.path, doc)}: ${i.message}`);
    throw new ConfigurationError(`the estate is not valid:\n  ${lines.join("\n  ")}`, {
      action: `Fix the fields named above (the JSON Schema ${SCHEMA_FILE} in the package lists every field).`,
    });
  }
  const file = parsed.data;
  const problems: string[] = [];
  const templates = file.gdapTemplates ?? {};
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  const displayNames = new Map<string, string>();
  file.customers.forEach((c, i) => {
    const at = `${source}.customers[${i}] (${c.name})`;
    if (names.has(c.name)) problems.push(`${at}.name: "${c.name}" is also customers[${names.get(c.name)}]`);
    names.set(c.name, i);
    if (ids.has(c.customerId))
      problems.push(`${at}.customerId: ${c.customerId} is also customers[${ids.get(c.customerId)}]`);
    ids.set(c.customerId, i);
  });
  for (const [t, tpl] of Object.entries(templates)) {
    if (Array.isArray(tpl.appliesTo)) {
      for (const n of tpl.appliesTo) {
        if (!names.has(n))
          problems.push(`${source}.gdapTemplates.${t}.appliesTo: no customer is named "${n}"`);
      }
    }
  }
  const customers = file.customers.map((c, i) => {
    const at = `${source}.customers[${i}] (${c.name})`;
    const relationships: ResolvedRelationship[] = [];
    const used = new Set<string>();
    (c.adminRelationships ?? []).forEach((r, j) => {
      const rat = `${at}.adminRelationships[${j}]`;
      if (r.template !== undefined) {
        const tpl = templates[r.template];
        if (!tpl) {
          problems.push(`${rat}.template: no GDAP template is named "${r.template}"`);
          return;
        }
        for (const k of ["duration", "autoExtendDuration", "roles", "accessAssignments"] as const) {
          if (r[k] !== undefined)
            problems.push(`${rat}.${k}: comes from template "${r.template}"; remove it here`);
        }
        used.add(r.template);
        relationships.push(resolve(r.displayName, r.template, tpl));
      } else if (r.duration === undefined) {
        problems.push(`${rat}.duration: required (or name a template)`);
      } else {
        relationships.push(
          resolve(r.displayName, undefined, {
            duration: r.duration,
            autoExtendDuration: r.autoExtendDuration,
            roles: r.roles,
            accessAssignments: r.accessAssignments ?? [],
          }),
        );
      }
    });
    for (const [t, tpl] of Object.entries(templates)) {
      const applies =
        tpl.appliesTo === "all" || (Array.isArray(tpl.appliesTo) && tpl.appliesTo.includes(c.name));
      if (applies && !used.has(t)) relationships.push(resolve(templateDisplayName(t, c.name), t, tpl));
    }
    relationships.forEach((r, j) => {
      const rat = `${at}.adminRelationships[${j}] ("${r.displayName}")`;
      problems.push(...graphRules(r).map((p) => `${rat}: ${p}`));
      const other = displayNames.get(r.displayName.toLowerCase());
      if (other) problems.push(`${rat}.displayName: also used by ${other} (Graph requires it unique)`);
      displayNames.set(r.displayName.toLowerCase(), at);
    });
    return { ...c, relationships };
  });
  if (problems.length) {
    throw new ConfigurationError(`the estate is not valid:\n  ${problems.slice(0, 20).join("\n  ")}`, {
      action: "Fix the entries named above; nothing was planned or changed.",
    });
  }
  return { file, customers };
}

function resolve(
  displayName: string,
  template: string | undefined,
  t: Pick<GdapTemplate, "duration" | "autoExtendDuration" | "roles" | "accessAssignments">,
): ResolvedRelationship {
  const roles = t.roles ?? [...new Set(t.accessAssignments.flatMap((a) => a.roles))].sort();
  return {
    displayName,
    template,
    duration: t.duration,
    autoExtendDuration: t.autoExtendDuration,
    roles,
    accessAssignments: t.accessAssignments,
  };
}

/** Graph's rules for one relationship; each problem as a sentence naming the field. */
export function graphRules(r: ResolvedRelationship): string[] {
  const out: string[] = [];
  if (r.roles.length === 0)
    out.push("roles: the relationship asks for no role (give roles or access assignments)");
  if (r.autoExtendDuration === "P180D" && r.roles.includes(GLOBAL_ADMINISTRATOR)) {
    out.push(
      `autoExtendDuration: P180D is not allowed with Global Administrator (${GLOBAL_ADMINISTRATOR}); use PT0S or drop the role`,
    );
  }
  const groups = new Set<string>();
  r.accessAssignments.forEach((a, k) => {
    if (groups.has(a.securityGroupId)) {
      out.push(
        `accessAssignments[${k}].securityGroupId: ${a.securityGroupId} is assigned twice (one active assignment per group)`,
      );
    }
    groups.add(a.securityGroupId);
    const extra = a.roles.filter((x) => !r.roles.includes(x));
    if (extra.length)
      out.push(`accessAssignments[${k}].roles: ${extra.join(", ")} not among the relationship's roles`);
  });
  return out;
}

/**
 * The displayName of a template's relationship with a customer: `{template}-{customer}`, unique because
 * customer names are; past Graph's 50 characters, cut and suffixed with a hash of the whole so it stays unique.
 */
export function templateDisplayName(template: string, customerName: string): string {
  const full = `${template}-${customerName}`;
  if (full.length <= 50) return full;
  return `${full.slice(0, 41)}-${fnv(full)}`;
}

/** 8 hex digits of FNV-1a: a short, stable suffix (not a security property). */
export function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** Loads an estate file from disk. */
export function loadEstateFile(file: string): Estate {
  return loadEstate(readEstateFile(file), path.basename(file));
}
