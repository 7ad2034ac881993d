/**
 * GDAP resources declared from the stack config key `gdap` (JSON, see {@link Declared}), so that the
 * real-CLI suite (test/pulumi/gdap.test.ts) moves one stack through a relationship's life with
 * `pulumi config set gdap '{...}'`.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  DelegatedAdminAccessAssignment,
  DelegatedAdminRelationship,
  ResellerRelationship,
} from "pulumi-partner-center";

/** The `gdap` config (the test builds it). */
export interface Declared {
  /** DelegatedAdminRelationships, by resource name. */
  admins?: {
    name: string;
    customerId: string;
    /** Omitted: derived from the resource name (autonaming). */
    displayName?: string;
    duration: string;
    roles: string[];
    autoExtendDuration?: "PT0S" | "P0D" | "P180D";
  }[];
  /** DelegatedAdminAccessAssignments; `admin` names a relationship above. */
  assignments?: { name: string; admin: string; securityGroupId: string; roles: string[] }[];
  /** ResellerRelationships. */
  resellers?: { name: string; customerId: string; terminateAdminRelationshipsOnRemoval?: boolean }[];
}

const declared = new pulumi.Config().requireObject<Declared>("gdap");

const admins = new Map(
  (declared.admins ?? []).map((a) => [
    a.name,
    new DelegatedAdminRelationship(a.name, {
      customerId: a.customerId,
      ...(a.displayName !== undefined && { displayName: a.displayName }),
      duration: a.duration,
      roles: a.roles,
      ...(a.autoExtendDuration !== undefined && { autoExtendDuration: a.autoExtendDuration }),
    }),
  ]),
);

for (const a of declared.assignments ?? []) {
  const admin = admins.get(a.admin);
  if (!admin) throw new Error(`assignment ${a.name}: no relationship named ${a.admin} in the gdap config`);
  new DelegatedAdminAccessAssignment(a.name, {
    relationshipId: admin.relationshipId,
    securityGroupId: a.securityGroupId,
    roles: a.roles,
  });
}

for (const r of declared.resellers ?? [])
  new ResellerRelationship(r.name, {
    customerId: r.customerId,
    ...(r.terminateAdminRelationshipsOnRemoval !== undefined && {
      terminateAdminRelationshipsOnRemoval: r.terminateAdminRelationshipsOnRemoval,
    }),
  });

/** The link each customer's global administrator opens to approve, by relationship name. */
export const approvalUrls = pulumi.all(
  Object.fromEntries([...admins].map(([name, admin]) => [name, admin.approvalUrl])),
);
