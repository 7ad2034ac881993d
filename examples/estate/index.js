"use strict";
/**
 * The sample estate program: one ResellerRelationship per customer of the estate file.
 * `pulumi up` adopts every relationship (and prints the invitation link where one is missing);
 * `pulumi refresh` fills `removable` and `removalBlockers`; offboarding is
 * `pulumi destroy --target` on the URNs exported as `offboardTargets` (or removing the entry).
 */
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const {
  ResellerRelationship,
  DelegatedAdminRelationship, // GDAP (issue 16)
  DelegatedAdminAccessAssignment,
} = require("pulumi-partner-center");
const { readEstate } = require("./estate");

const config = new pulumi.Config();
const file = path.resolve(__dirname, config.get("estateFile") || "estate.json");
const customers = readEstate(file);

const relationships = customers.map(
  (c) =>
    new ResellerRelationship(
      c.name,
      {
        customerId: c.customerId,
        ...(c.suspendActiveSubscriptions !== undefined && {
          suspendActiveSubscriptions: c.suspendActiveSubscriptions,
        }),
        ...(c.cancelNewCommerceSubscriptionsInWindow !== undefined && {
          cancelNewCommerceSubscriptionsInWindow: c.cancelNewCommerceSubscriptionsInWindow,
        }),
        ...(c.acceptanceTimeoutSeconds !== undefined && {
          acceptanceTimeoutSeconds: c.acceptanceTimeoutSeconds,
        }),
        ...(c.indirectResellerId !== undefined && { indirectResellerId: c.indirectResellerId }),
        ...(c.terminateAdminRelationshipsOnRemoval !== undefined && {
          terminateAdminRelationshipsOnRemoval: c.terminateAdminRelationshipsOnRemoval,
        }),
      },
      // Offboarding must be deliberate: protect the ones the estate file does not mark for removal.
      { protect: !c.offboard },
    ),
);

// GDAP (issue 16): each customer's delegated admin relationships and their access assignments. An assignment
// needs an approved (active) relationship: add it once the customer has approved (see `adminApprovalUrls`).
const adminRelationships = customers.flatMap((c) =>
  (c.adminRelationships || []).map((/** @type {any} */ r, /** @type {number} */ j) => {
    const rel = new DelegatedAdminRelationship(`${c.name}-admin-${j}`, {
      customerId: c.customerId,
      displayName: r.displayName,
      duration: r.duration,
      roles: r.roles,
      ...(r.autoExtendDuration !== undefined && { autoExtendDuration: r.autoExtendDuration }),
    });
    (r.accessAssignments || []).forEach((/** @type {any} */ a, /** @type {number} */ k) => {
      new DelegatedAdminAccessAssignment(`${c.name}-admin-${j}-access-${k}`, {
        relationshipId: rel.relationshipId,
        securityGroupId: a.securityGroupId,
        roles: a.roles,
      });
    });
    return rel;
  }),
);
exports.adminApprovalUrls = pulumi.all(
  adminRelationships.map((r) =>
    pulumi.all([r.displayName, r.status, r.approvalUrl]).apply(([displayName, status, url]) => ({
      displayName,
      status,
      url,
    })),
  ),
);

exports.customers = pulumi.all(
  relationships.map((r, i) =>
    pulumi
      .all([r.customerId, r.companyName, r.relationshipToPartner, r.removable])
      .apply(([customerId, companyName, relationship, removable]) => ({
        name: customers[i].name,
        customerId,
        companyName,
        relationship,
        removable,
      })),
  ),
);
exports.offboardTargets = pulumi.all(
  relationships.filter((_r, i) => customers[i].offboard).map((r) => r.urn),
);
