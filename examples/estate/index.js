"use strict";
/**
 * The sample estate program: one ResellerRelationship per customer of the estate file.
 * `pulumi up` adopts every relationship (and prints the invitation link where one is missing);
 * `pulumi refresh` fills `removable` and `removalBlockers`; offboarding is
 * `pulumi destroy --target` on the URNs exported as `offboardTargets` (or removing the entry).
 */
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const { ResellerRelationship } = require("pulumi-partner-center");
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
        ...(c.acceptanceTimeoutSeconds !== undefined && {
          acceptanceTimeoutSeconds: c.acceptanceTimeoutSeconds,
        }),
        ...(c.indirectResellerId !== undefined && { indirectResellerId: c.indirectResellerId }),
      },
      // Offboarding must be deliberate: protect the ones the estate file does not mark for removal.
      { protect: !c.offboard },
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
