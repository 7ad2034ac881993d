/**
 * GDAP resources: a delegated admin relationship with a customer, and access assignments in it.
 */
import * as pulumi from "@pulumi/pulumi";
import { accessAssignmentShim, relationshipShim } from "./shim";

/** Arguments of {@link DelegatedAdminRelationship}. */
export interface DelegatedAdminRelationshipArgs {
  /** The customer's tenant id (a GUID). Changing it replaces the relationship. */
  customerId: pulumi.Input<string>;
  /**
   * Unique across all of the partner's relationships, ended ones included, at most 50 characters. Optional: by
   * default the resource name plus a random suffix (`contoso-admin-1a2b3c4`), kept across updates; a replacement
   * then gets a new one, which an explicit displayName cannot (change it yourself, or the replacement is refused).
   * Changing it replaces the relationship.
   */
  displayName?: pulumi.Input<string>;
  /** ISO 8601, from P1D to P2Y (e.g. P730D; P2Y is the same value). Changing its value replaces the relationship. */
  duration: pulumi.Input<string>;
  /**
   * Microsoft Entra role definition ids the partner asks for (e.g. 29232cdf-9323-42fd-ade2-1d097af3e4de,
   * Exchange Administrator). Fixed once the customer approves, except that Global Administrator can be removed
   * from an active relationship in place: any other change replaces the relationship (a new one is created, then
   * the old one ended; admin access pauses until the customer approves the new one).
   */
  roles: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * PT0S (default: expires at endDateTime), P0D, or P180D (extended by 180 days at a time). Updated in place
   * while the relationship is created or active. Not with Global Administrator in roles.
   */
  autoExtendDuration?: pulumi.Input<"PT0S" | "P0D" | "P180D">;
  /**
   * 0 (default): create returns as soon as the relationship awaits approval, with `approvalUrl`. More: wait up
   * to that many seconds for the customer's approval, and fail with the link when it does not come (the next
   * `pulumi up` adopts the pending relationship by its displayName).
   */
  approvalTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * A granular delegated admin privileges (GDAP) relationship with a customer (Microsoft Graph
 * `tenantRelationships/delegatedAdminRelationships`).
 *
 * - `pulumi up` creates it, locks it for approval and outputs `approvalUrl`, the link a global administrator of
 *   the customer's tenant opens to approve it; a live relationship with the same displayName is adopted.
 * - `pulumi refresh` reports `status` (approvalPending, active, expiring, terminated...), `endDateTime` and the
 *   roles as Graph has them.
 * - `pulumi destroy` terminates it (or deletes it while not yet locked) and waits for Graph to confirm.
 *
 * @example
 * ```ts
 * const admin = new DelegatedAdminRelationship("contoso-admin", {
 *   customerId: "11111111-1111-4111-8111-111111111111",
 *   displayName: "Contoso - helpdesk",
 *   duration: "P730D",
 *   roles: ["729827e3-9c14-49f7-bb1b-9608f156bbb8"], // Helpdesk Administrator
 * });
 * export const approveAt = admin.approvalUrl;
 * ```
 */
export class DelegatedAdminRelationship extends pulumi.dynamic.Resource {
  declare public readonly customerId: pulumi.Output<string>;
  declare public readonly displayName: pulumi.Output<string>;
  declare public readonly duration: pulumi.Output<string>;
  declare public readonly roles: pulumi.Output<string[]>;
  declare public readonly autoExtendDuration: pulumi.Output<string | undefined>;
  declare public readonly approvalTimeoutSeconds: pulumi.Output<number | undefined>;
  /** The Graph id of the relationship (also the resource id). */
  declare public readonly relationshipId: pulumi.Output<string>;
  /** created, approvalPending, active, expiring, expired, terminationRequested, terminated... */
  declare public readonly status: pulumi.Output<string>;
  /** The link the customer's global administrator opens to approve the relationship. */
  declare public readonly approvalUrl: pulumi.Output<string>;
  declare public readonly customerDisplayName: pulumi.Output<string | undefined>;
  declare public readonly activatedDateTime: pulumi.Output<string | undefined>;
  declare public readonly endDateTime: pulumi.Output<string | undefined>;

  constructor(name: string, args: DelegatedAdminRelationshipArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      relationshipShim,
      name,
      {
        customerId: args.customerId,
        displayName: args.displayName,
        // Autonaming: check derives the displayName from the resource name when none is given.
        displayNamePrefix: args.displayName === undefined ? name : undefined,
        duration: args.duration,
        roles: args.roles,
        autoExtendDuration: args.autoExtendDuration,
        approvalTimeoutSeconds: args.approvalTimeoutSeconds,
        relationshipId: undefined,
        status: undefined,
        approvalUrl: undefined,
        customerDisplayName: undefined,
        activatedDateTime: undefined,
        endDateTime: undefined,
      },
      opts,
      "partnercenter",
      "DelegatedAdminRelationship",
    );
  }
}

/** Arguments of {@link DelegatedAdminAccessAssignment}. */
export interface DelegatedAdminAccessAssignmentArgs {
  /** The relationship's id (`DelegatedAdminRelationship.relationshipId`); it must be active. Changing it replaces. */
  relationshipId: pulumi.Input<string>;
  /** Object id of a security group in the partner's tenant. Changing it replaces the assignment. */
  securityGroupId: pulumi.Input<string>;
  /** Role definition ids: a subset of the relationship's roles. Updated in place. */
  roles: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * An access assignment: the members of a security group of the partner's tenant get some of a GDAP
 * relationship's roles in the customer's tenant (Graph `delegatedAdminAccessAssignment`).
 */
export class DelegatedAdminAccessAssignment extends pulumi.dynamic.Resource {
  declare public readonly relationshipId: pulumi.Output<string>;
  declare public readonly securityGroupId: pulumi.Output<string>;
  declare public readonly roles: pulumi.Output<string[]>;
  declare public readonly assignmentId: pulumi.Output<string>;
  /** pending, active, deleting, deleted, error. */
  declare public readonly status: pulumi.Output<string>;

  constructor(name: string, args: DelegatedAdminAccessAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      accessAssignmentShim,
      name,
      {
        relationshipId: args.relationshipId,
        securityGroupId: args.securityGroupId,
        roles: args.roles,
        assignmentId: undefined,
        status: undefined,
      },
      opts,
      "partnercenter",
      "DelegatedAdminAccessAssignment",
    );
  }
}
