/** GDAP test helpers: the real serialized providers of the two GDAP resources, and their type tokens. */
import { runProgram } from "../support/host";

export const RELATIONSHIP_TYPE = "pulumi-nodejs:dynamic/partnercenter:DelegatedAdminRelationship";
export const ACCESS_TYPE = "pulumi-nodejs:dynamic/partnercenter:DelegatedAdminAccessAssignment";

/** The `__provider` texts a program stores for each GDAP resource type, by type name. */
export async function captureGdapProviderTexts(): Promise<Record<string, string>> {
  const { resources } = await runProgram(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pcc = require("pulumi-partner-center") as typeof import("../../provider/src");
    new pcc.DelegatedAdminRelationship("capture-rel", {
      customerId: "11111111-1111-4111-8111-111111111111",
      displayName: "capture",
      duration: "P730D",
      roles: ["29232cdf-9323-42fd-ade2-1d097af3e4de"],
    });
    new pcc.DelegatedAdminAccessAssignment("capture-access", {
      relationshipId: "capture",
      securityGroupId: "869713c9-0b28-4d08-8949-ae07ae1bf528",
      roles: ["29232cdf-9323-42fd-ade2-1d097af3e4de"],
    });
  });
  const out: Record<string, string> = {};
  for (const r of resources) {
    const text = r.inputs.__provider;
    if (typeof text === "string") out[r.type.split(":").pop()!] = text;
  }
  return out;
}

/** A relationship as the emulator's `gdap.state()` has it (the fields a Graph list item needs). */
interface StoredRelationship {
  id: string;
  displayName: string;
  status: string;
  customer: { tenantId: string };
}

/**
 * The list answer Graph would give for these relationships, in this order (the documented item fields the
 * client reads): for a `body` fault that plays a server ignoring `$filter`, or listing an id twice.
 */
export function listAnswer(stored: readonly StoredRelationship[], ids: readonly string[]): unknown {
  return {
    value: ids.map((id) => {
      const r = stored.find((x) => x.id === id)!;
      return { id: r.id, displayName: r.displayName, status: r.status, customer: { ...r.customer } };
    }),
  };
}
