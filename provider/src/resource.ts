/**
 * The `ResellerRelationship` resource: a CSP partner's reseller relationship with one customer.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RemovalBlocker } from "./errors";
import { shim } from "./shim";

/** Arguments of {@link ResellerRelationship}. */
export interface ResellerRelationshipArgs {
  /** The customer's tenant id (a GUID; stored in lower case). Changing it replaces the resource. */
  customerId: pulumi.Input<string>;
  /**
   * On removal, suspend the customer's active legacy subscriptions first, as the PowerShell module does
   * (default false: active subscriptions block the removal and are listed). Never a new-commerce subscription
   * (a suspended one keeps billing and still blocks: see `cancelNewCommerceSubscriptionsInWindow`). Never used
   * when a reserved instance or another blocker the provider cannot clear remains: then nothing is changed.
   */
  suspendActiveSubscriptions?: pulumi.Input<boolean>;
  /**
   * On removal, cancel the customer's active new-commerce (and software) subscriptions that are still inside
   * their cancellation window (`cancellationAllowedUntilDate`), with Partner Center's documented PATCH status
   * `deleted`. Default false: they block, listed with their deadline. Cancelling ends the service (prorated
   * refund) and cannot be undone. One outside its window blocks until its term ends, and then nothing is
   * changed. Auto-renew is never changed by the provider.
   */
  cancelNewCommerceSubscriptionsInWindow?: pulumi.Input<boolean>;
  /**
   * On create, when the customer has no reseller relationship yet: 0 (default) fails at once with the
   * invitation link; more waits up to that many seconds for the customer to accept it.
   */
  acceptanceTimeoutSeconds?: pulumi.Input<number>;
  /** For an indirect provider: the indirect reseller's tenant id, used in the invitation link. */
  indirectResellerId?: pulumi.Input<string>;
  /**
   * GDAP. Unset (default): Microsoft Graph is never called. Set (true or false): refresh reports the
   * customer's delegated admin relationships in `adminRelationships`. True: after a confirmed removal of the
   * reseller relationship, every delegated admin relationship of the customer that has not ended is terminated
   * (or deleted while not yet locked) and the end is confirmed, so offboarding also ends admin access.
   */
  terminateAdminRelationshipsOnRemoval?: pulumi.Input<boolean>;
}

/**
 * A CSP partner's reseller relationship with a customer.
 *
 * - `pulumi up` adopts an existing `reseller` relationship (one GET); when there is none it fails with the
 *   invitation link to send to a global administrator of the customer's tenant.
 * - `pulumi refresh` reads the customer, its subscriptions and entitlements and sets `removable` and
 *   `removalBlockers`; a customer that is gone, or no longer a reseller customer, leaves the stack.
 * - `pulumi destroy` removes the relationship only when no Azure reserved instance and no active subscription
 *   remain (or after suspending the subscriptions, with `suspendActiveSubscriptions`), and only reports
 *   success once Partner Center confirms `none`.
 *
 * @example
 * ```ts
 * new ResellerRelationship("contoso", { customerId: "11111111-1111-4111-8111-111111111111" });
 * ```
 */
export class ResellerRelationship extends pulumi.dynamic.Resource {
  /** The customer's tenant id, lower-case. */
  declare public readonly customerId: pulumi.Output<string>;
  declare public readonly suspendActiveSubscriptions: pulumi.Output<boolean | undefined>;
  declare public readonly cancelNewCommerceSubscriptionsInWindow: pulumi.Output<boolean | undefined>;
  declare public readonly acceptanceTimeoutSeconds: pulumi.Output<number | undefined>;
  declare public readonly indirectResellerId: pulumi.Output<string | undefined>;
  /** `reseller` while the relationship exists. */
  declare public readonly relationshipToPartner: pulumi.Output<string>;
  /** The customer's company name, as Partner Center reports it. */
  declare public readonly companyName: pulumi.Output<string | undefined>;
  /** The customer's default domain (e.g. contoso.onmicrosoft.com), as Partner Center reports it. */
  declare public readonly domain: pulumi.Output<string | undefined>;
  /** After a refresh: whether the relationship can be removed now; null until the first refresh assesses it. */
  declare public readonly removable: pulumi.Output<boolean | null | undefined>;
  /** After a refresh: what blocks the removal (reserved instances, active or pending subscriptions); null until then. */
  declare public readonly removalBlockers: pulumi.Output<RemovalBlocker[] | null | undefined>;

  declare public readonly terminateAdminRelationshipsOnRemoval: pulumi.Output<boolean | undefined>;
  /** GDAP, after a refresh with terminateAdminRelationshipsOnRemoval set: the customer's admin relationships. */
  declare public readonly adminRelationships: pulumi.Output<
    { id: string; displayName: string; status: string; endDateTime?: string }[] | undefined
  >;

  constructor(name: string, args: ResellerRelationshipArgs, opts?: pulumi.CustomResourceOptions) {
    // A fresh props object each time: the constructor adds `__provider` to it. Outputs are declared as
    // undefined so that they become properties of the resource.
    super(
      shim,
      name,
      {
        customerId: args.customerId,
        suspendActiveSubscriptions: args.suspendActiveSubscriptions,
        cancelNewCommerceSubscriptionsInWindow: args.cancelNewCommerceSubscriptionsInWindow,
        acceptanceTimeoutSeconds: args.acceptanceTimeoutSeconds,
        indirectResellerId: args.indirectResellerId,
        terminateAdminRelationshipsOnRemoval: args.terminateAdminRelationshipsOnRemoval,
        relationshipToPartner: undefined,
        companyName: undefined,
        domain: undefined,
        removable: undefined,
        removalBlockers: undefined,
        adminRelationships: undefined,
      },
      refuseImport(name, opts),
      "partnercenter",
      "ResellerRelationship",
    );
  }
}

/**
 * The text of the error for an import. Pulumi imports by calling the provider's read with an id alone, and
 * the dynamic provider host cannot load a provider without the `__provider` input, so the CLI would only say
 * "code must be a string, not undefined" (docs/design/pulumi-engine.md#import). Declaring the resource adopts.
 */
export function importRefusedMessage(id: string): string {
  return (
    `ResellerRelationship cannot be imported (\`pulumi import\` or the \`import\` resource option, id "${id}"). ` +
    'Adopt the customer by declaring it instead: `new ResellerRelationship("<name>", { customerId: "<customer tenant id>" })` ' +
    "(or add it to your estate file) and run `pulumi up`: create adopts the existing reseller relationship with one read and changes nothing in Partner Center."
  );
}

/** The `import` option fails in the program, before the engine reaches the provider host. */
function refuseImport(
  name: string,
  opts: pulumi.CustomResourceOptions | undefined,
): pulumi.CustomResourceOptions | undefined {
  if (opts?.import !== undefined) throw new Error(`${name}: ${importRefusedMessage(opts.import)}`);
  return opts;
}
