/**
 * One ResellerRelationship per entry of the stack config key `customers` (a JSON array), so that each test of
 * the real-CLI suite declares its own estate with `pulumi config set customers '[...]'`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResellerRelationship } from "pulumi-partner-center";

/** One entry of the `customers` config (the tests build these). */
export interface Entry {
  name: string;
  customerId: string;
  suspendActiveSubscriptions?: boolean;
  cancelNewCommerceSubscriptionsInWindow?: boolean;
  protect?: boolean;
  /** Pulumi's `import` resource option: adopt an existing resource by id. */
  importId?: string;
  /** Names of entries declared earlier that this one depends on (orders the engine's deletes). */
  dependsOn?: string[];
}

const customers = new pulumi.Config().requireObject<Entry[]>("customers");

const byName = new Map<string, ResellerRelationship>();
const relationships = customers.map((c) => {
  const r = new ResellerRelationship(
    c.name,
    {
      customerId: c.customerId,
      ...(c.suspendActiveSubscriptions !== undefined && {
        suspendActiveSubscriptions: c.suspendActiveSubscriptions,
      }),
      ...(c.cancelNewCommerceSubscriptionsInWindow !== undefined && {
        cancelNewCommerceSubscriptionsInWindow: c.cancelNewCommerceSubscriptionsInWindow,
      }),
    },
    {
      protect: c.protect ?? false,
      ...(c.importId !== undefined && { import: c.importId }),
      dependsOn: (c.dependsOn ?? []).flatMap((n) => byName.get(n) ?? []),
    },
  );
  byName.set(c.name, r);
  return r;
});

export const companies = pulumi.all(relationships.map((r) => r.companyName));
