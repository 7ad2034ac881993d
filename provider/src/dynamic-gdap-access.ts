/**
 * `pulumi-partner-center/dynamic-gdap-access`: the implementation the DelegatedAdminAccessAssignment shim loads
 * by name (gdap/shim.ts). Same compatibility contract as `dynamic-gdap`.
 *
 * Graph models an access assignment as a security group of the partner's tenant holding some of a relationship's
 * roles (`resources/delegatedadminaccessassignment`); its roles can be updated (PATCH with If-Match), its
 * relationship and group cannot.
 */
import { z } from "zod";
import { NotFoundError } from "./errors";
import { alignRoles, assignAccess, removeAccess } from "./gdap/assignments";
import { sameSet } from "./gdap/relationships";
import { checkWith, parseWith, reported } from "./dynamic-common";
import { log } from "./log";
import { configure as configureGdap, graph, guid, rolesSchema } from "./dynamic-gdap";
import type { AccessAssignment } from "./gdap/graph";

const inputsSchema = z.strictObject({
  relationshipId: z
    .string({
      error: "relationshipId must be a string: the relationshipId output of a DelegatedAdminRelationship",
    })
    .trim()
    .regex(/^[A-Za-z0-9-]{1,100}$/, {
      error:
        "relationshipId must be a delegated admin relationship id (the relationshipId output of a DelegatedAdminRelationship)",
    }),
  securityGroupId: guid(
    "securityGroupId",
    "the object id of a security group in the partner's tenant: Entra admin center > Groups > the group > Object ID",
  ),
  roles: rolesSchema,
});

type Inputs = z.output<typeof inputsSchema>;
const WHAT = "DelegatedAdminAccessAssignment";

export const configure = configureGdap;

export const check = reported(checkResource);

async function checkResource(_olds: Record<string, unknown>, news: Record<string, unknown>) {
  return checkWith(inputsSchema, news);
}

export const diff = reported(diffResource);

/** A new relationship or group replaces the assignment; new roles update it in place. */
async function diffResource(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
  const replaces = (["relationshipId", "securityGroupId"] as const).filter(
    (k) => lower(olds[k]) !== lower(news[k]),
  );
  const roles = (v: unknown) => (Array.isArray(v) ? v.map(String) : [String(v)]);
  const rolesChanged = !sameSet(roles(olds.roles), roles(news.roles));
  if (replaces.length) return { changes: true, replaces };
  return { changes: rolesChanged };
}

function outputs(inputs: Inputs, a: AccessAssignment): Record<string, unknown> {
  return { ...inputs, assignmentId: a.id, status: a.status };
}

export const create = reported(createAssignment);

async function createAssignment(news: Record<string, unknown>) {
  const inputs = parseWith(inputsSchema, news, WHAT);
  const g = await graph();
  const a = await assignAccess(g, inputs.relationshipId, inputs.securityGroupId, inputs.roles);
  log(
    inputs.relationshipId,
    `security group ${inputs.securityGroupId} holds ${inputs.roles.length} role(s) (${a.status}).`,
  );
  return { id: a.id, outs: outputs(inputs, a) };
}

export const read = reported(readAssignment);

async function readAssignment(id: string, props: Record<string, unknown> = {}) {
  const stored = parseWith(inputsSchema, props, WHAT);
  const g = await graph();
  let a: AccessAssignment;
  try {
    a = await g.getAssignment(stored.relationshipId, id);
  } catch (e) {
    if (e instanceof NotFoundError) {
      log(stored.relationshipId, `access assignment ${id} is gone: refresh drops it from the stack.`);
      return {};
    }
    throw e;
  }
  if (a.status === "deleted") return {};
  const actual: Inputs = { ...stored, roles: sameSet(a.roles, stored.roles) ? stored.roles : a.roles };
  return { id, props: outputs(actual, a), inputs: { ...actual } };
}

/** PATCHes the roles (If-Match with a fresh etag). */
export const update = reported(updateAssignment);

async function updateAssignment(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const inputs = parseWith(inputsSchema, news, WHAT);
  const g = await graph();
  const current = await g.getAssignment(inputs.relationshipId, id);
  const a = await alignRoles(g, inputs.relationshipId, current, inputs.roles);
  void olds;
  return { outs: outputs(inputs, a) };
}

async function del(id: string, props: Record<string, unknown>): Promise<void> {
  const stored = parseWith(inputsSchema, props, WHAT);
  const g = await graph();
  await removeAccess(g, stored.relationshipId, id);
  log(stored.relationshipId, `access assignment ${id} removed.`);
}
const deleteReported = reported(del);
export { deleteReported as delete };

// The input schema, for the provider plugin's schema.json (scripts/gen-schema.js): not part of the shim contract.
export { inputsSchema };
