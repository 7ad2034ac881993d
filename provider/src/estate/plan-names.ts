/**
 * What the Estate component declares for an estate, as plain data: the resource names and inputs of each
 * customer's ResellerRelationship, GDAP relationships and access assignments. The component turns it into
 * resources; `partner-center estate plan` compares it with the stack.
 */
import { RESELLER_OPTIONS } from "../relationship";
import type { Estate, ResolvedRelationship } from "./format";

export interface DeclaredAssignment {
  name: string;
  securityGroupId: string;
  roles: string[];
}
export interface DeclaredRelationship extends ResolvedRelationship {
  name: string;
  assignments: DeclaredAssignment[];
}
export interface DeclaredCustomer {
  name: string;
  customerId: string;
  companyName: string | undefined;
  /** `active`: declared and protected. `offboard`: not declared (removed at the next up). `gone`: not declared. */
  disposition: "active" | "offboard" | "gone";
  args: Record<string, unknown>;
  relationships: DeclaredRelationship[];
}

/** A resource-name fragment from any text: lower-case letters, digits and dashes. */
export function slug(text: string, max = 40): string {
  const s = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");
  return s || "customer";
}

/** The declarations of an estate, in the file's order. */
export function declare(estate: Estate): DeclaredCustomer[] {
  return estate.customers.map((c) => {
    const args: Record<string, unknown> = { customerId: c.customerId };
    for (const k of RESELLER_OPTIONS) if (c[k] !== undefined) args[k] = c[k];
    const disposition = c.state === "offboard" ? "offboard" : c.goneFromPartnerCenter ? "gone" : "active";
    return {
      name: c.name,
      customerId: c.customerId,
      companyName: c.companyName,
      disposition,
      args,
      relationships: c.relationships.map((r) => {
        const name = `${c.name}-gdap-${slug(r.displayName, 50)}`;
        return {
          ...r,
          name,
          assignments: r.accessAssignments.map((a) => ({
            name: `${name}-${a.securityGroupId}`,
            securityGroupId: a.securityGroupId,
            roles: a.roles,
          })),
        };
      }),
    };
  });
}
