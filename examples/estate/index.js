"use strict";
/**
 * The sample estate program: the estate file as Pulumi resources (see docs/guides/estate.md and docs/resources/estate.md).
 * Every customer is protected; `state: "offboard"` in the file, `partner-center estate unprotect`, then
 * `pulumi up` removes it. Config `estateFile` picks another file (relative to this folder, or absolute).
 */
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const { Estate } = require("pulumi-partner-center");

const file = path.resolve(__dirname, new pulumi.Config().get("estateFile") || "estate.json");
const estate = new Estate("partner", { file });
module.exports = {
  customers: estate.customers,
  removable: estate.removable,
  blockers: estate.blockers,
  approvalLinks: estate.approvalLinks,
  offboarded: estate.offboarded,
};
