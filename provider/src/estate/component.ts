/**
 * The `Estate` component: a whole estate file as Pulumi resources. Each customer not marked `state: offboard`
 * gets a protected ResellerRelationship and its GDAP relationships and access assignments (protected too), so
 * an entry lost in a bad merge cannot offboard anyone: the engine refuses to delete a protected resource.
 *
 * Offboarding: an entry with `state: offboard` is no longer declared. The engine decides a delete from the
 * protection recorded in state, not from the program (Pulumi "protect" resource option; the engine's delete step
 * refuses while the stored resource is protected), so protection is lifted for exactly those entries first, by
 * `partner-center estate unprotect` (which runs `pulumi state unprotect` on their URNs only), and the same
 * `pulumi up` then removes them.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RemovalBlocker } from "../errors";
import { DelegatedAdminAccessAssignment, DelegatedAdminRelationship } from "../gdap/resource";
import { ResellerRelationship } from "../resource";
import { durationInDays, loadEstate, loadEstateFile } from "./format";
import { clientFor } from "../invitation";
import { declare, type DeclaredCustomer } from "./plan-names";

/** Arguments of {@link Estate}: an estate file (JSON, or YAML with js-yaml installed), or its data. */
export interface EstateArgs {
  /** Path of the estate file, relative to the working directory of the program. */
  file?: string;
  /** The estate itself (the parsed file's shape), instead of a file. */
  estate?: unknown;
  /**
   * Read Partner Center's customer list (one GET per page, at every preview and update) to fill
   * `invitationLinks`. Default true.
   */
  invitationLinks?: boolean;
}

type Row<T> = Record<string, T>;

/** The estate as Pulumi resources; every output is a map keyed by customer name. */
export class Estate extends pulumi.ComponentResource {
  /** Each declared customer: customerId, companyName, relationship to the partner. */
  declare public readonly customers: pulumi.Output<
    Row<{ customerId: string; companyName: string | undefined; relationship: string | undefined }>
  >;
  /** After `pulumi refresh`: whether each customer's reseller relationship can be removed now. */
  declare public readonly removable: pulumi.Output<Row<boolean | null | undefined>>;
  /** After `pulumi refresh`: what blocks each removal. */
  declare public readonly blockers: pulumi.Output<Row<RemovalBlocker[]>>;
  /** The GDAP approval links of each customer, by relationship displayName. */
  declare public readonly approvalLinks: pulumi.Output<Row<Row<string>>>;
  /**
   * The declared customers that are not reseller customers of the partner yet: the invitation link each one's
   * global administrator opens (`pulumi up` fails for them with the same link). Read when the program runs, so
   * `pulumi preview` shows it. Undefined when it could not be read (a warning says why).
   */
  declare public readonly invitationLinks: pulumi.Output<Row<string> | undefined>;
  /** Names of the entries marked `state: offboard` (not declared: removed by this update). */
  declare public readonly offboarded: pulumi.Output<string[]>;
  /** The ResellerRelationship of each declared customer. */
  public readonly relationships: Readonly<Row<ResellerRelationship>>;

  constructor(name: string, args: EstateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("partnercenter:index:Estate", name, {}, opts);
    if ((args.file === undefined) === (args.estate === undefined)) {
      throw new Error(`Estate "${name}": give either "file" or "estate", not both and not neither.`);
    }
    const estate = args.file !== undefined ? loadEstateFile(args.file) : loadEstate(args.estate, "estate");
    const decl = declare(estate);
    const relationships: Row<ResellerRelationship> = {};
    const approval: Row<pulumi.Output<Row<string>>> = {};
    for (const c of decl.filter((d) => d.disposition === "active")) {
      // Protected: only a named offboarding (state: offboard, then estate unprotect) removes them.
      const childOpts = { parent: this, protect: true };
      const gdap = c.relationships.map((r) => {
        const rel = new DelegatedAdminRelationship(
          r.name,
          {
            customerId: c.customerId,
            displayName: r.displayName, // explicit: adoption finds a live relationship by it
            // The format also takes months and mixed units; the resource takes days or whole years.
            duration: /^P(?:\d+D|[12]Y)$/.test(r.duration) ? r.duration : `P${durationInDays(r.duration)}D`,
            roles: r.roles,
            ...(r.autoExtendDuration !== undefined && { autoExtendDuration: r.autoExtendDuration }),
          },
          childOpts,
        );
        const assignments = r.assignments.map(
          (a) =>
            new DelegatedAdminAccessAssignment(
              a.name,
              { relationshipId: rel.relationshipId, securityGroupId: a.securityGroupId, roles: a.roles },
              childOpts,
            ),
        );
        return { displayName: r.displayName, rel, assignments };
      });
      // The reseller relationship depends on the GDAP relationships and their access assignments, so its
      // removal runs first and a blocked removal leaves the partner's admin access in place: the engine deletes
      // dependents before their dependencies, and runs no delete that waits on a failed one. Without the
      // assignments here, an assignment (which depends only on its relationship) would be deleted alongside.
      relationships[c.name] = new ResellerRelationship(c.name, c.args as never, {
        ...childOpts,
        dependsOn: gdap.flatMap((g) => [g.rel, ...g.assignments]),
        // The estate program declared these at the top level before this component existed.
        aliases: [{ parent: pulumi.rootStackResource }],
      });
      approval[c.name] = pulumi
        .all(gdap.map((g) => g.rel.approvalUrl))
        .apply((urls) => Object.fromEntries(gdap.map((g, i) => [g.displayName, urls[i] as string])));
    }
    this.relationships = relationships;
    const names = Object.keys(relationships);
    const rows = <T>(pick: (r: ResellerRelationship) => pulumi.Input<T>) =>
      pulumi
        .all(names.map((n) => pick(relationships[n] as ResellerRelationship)))
        .apply((vals) => Object.fromEntries(names.map((n, i) => [n, vals[i] as T])));
    const outs = {
      customers: pulumi
        .all(
          names.map((n) => {
            const r = relationships[n] as ResellerRelationship;
            return pulumi.all([r.customerId, r.companyName, r.relationshipToPartner]);
          }),
        )
        .apply((vals) =>
          Object.fromEntries(
            names.map((n, i) => {
              const [customerId, companyName, relationship] = vals[i] as [string, string, string];
              return [n, { customerId, companyName, relationship }];
            }),
          ),
        ),
      removable: rows((r) => r.removable),
      blockers: rows((r) => r.removalBlockers.apply((b) => b ?? [])),
      approvalLinks: pulumi
        .all(names.map((n) => approval[n] as pulumi.Output<Row<string>>))
        .apply((vals) => Object.fromEntries(names.map((n, i) => [n, vals[i] as Row<string>]))),
      invitationLinks: pulumi.output(
        args.invitationLinks === false
          ? Promise.resolve(undefined)
          : invitationLinks(decl.filter((d) => d.disposition === "active")).catch((e: unknown) => {
              void pulumi.log.warn(
                `Estate "${name}": invitationLinks could not be read: ${e instanceof Error ? e.message : String(e)}`,
                this,
              );
              return undefined;
            }),
      ),
      offboarded: pulumi.output(decl.filter((d) => d.disposition === "offboard").map((d) => d.name)),
    };
    Object.assign(this, outs);
    this.registerOutputs(outs);
  }
}

/**
 * The invitation link of each declared customer that is not a reseller customer of the partner: one read of
 * the customer list, then one link per indirect reseller involved ("Request a reseller relationship",
 * https://learn.microsoft.com/partner-center/developer/request-a-reseller-relationship). The link names the
 * partner only, no secret.
 */
async function invitationLinks(customers: readonly DeclaredCustomer[]): Promise<Row<string>> {
  if (customers.length === 0) return {};
  const client = clientFor();
  const onboarded = new Set<string>();
  for await (const page of client.customers.pages()) {
    for (const c of page) if (c.relationshipToPartner === "reseller") onboarded.add(c.id.toLowerCase());
  }
  const links = new Map<string, Promise<string>>();
  const out: Row<string> = {};
  for (const c of customers.filter((x) => !onboarded.has(x.customerId))) {
    const indirect = typeof c.args.indirectResellerId === "string" ? c.args.indirectResellerId : "";
    if (!links.has(indirect)) {
      links.set(
        indirect,
        client.relationshipRequests.getInvitationUrl(indirect ? { indirectResellerId: indirect } : {}),
      );
    }
    out[c.name] = await (links.get(indirect) as Promise<string>);
  }
  return out;
}
