"use strict";
/**
 * Reads and validates an estate file: `{ "customers": [{ "name", "customerId", "offboard"?,
 * "suspendActiveSubscriptions"?, "acceptanceTimeoutSeconds"?, "indirectResellerId"? }] }`.
 * Errors name the customer entry and the field, so a typo fails before anything is planned.
 */
const fs = require("node:fs");

const FIELDS = new Set([
  "name",
  "customerId",
  "offboard",
  "suspendActiveSubscriptions",
  "cancelNewCommerceSubscriptionsInWindow", // issue 14
  "acceptanceTimeoutSeconds",
  "indirectResellerId",
  // GDAP (issue 16)
  "terminateAdminRelationshipsOnRemoval",
  "adminRelationships",
]);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * @typedef {{ name: string, customerId: string, offboard: boolean, suspendActiveSubscriptions?: boolean,
 *   acceptanceTimeoutSeconds?: number, indirectResellerId?: string }} EstateCustomer
 * @param {string} file
 * @returns {EstateCustomer[]}
 */
function readEstate(file) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`estate file ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!doc || !Array.isArray(doc.customers))
    throw new Error(`estate file ${file}: expected {"customers": [...]}`);
  const names = new Set();
  return doc.customers.map((c, i) => {
    const where = `estate file ${file}, customers[${i}]`;
    for (const k of Object.keys(c)) {
      if (!FIELDS.has(k))
        throw new Error(`${where}: unknown field "${k}" (expected one of ${[...FIELDS].join(", ")})`);
    }
    if (typeof c.name !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(c.name)) {
      throw new Error(
        `${where}: "name" must be lower-case letters, digits and dashes (it names the Pulumi resource)`,
      );
    }
    if (names.has(c.name)) throw new Error(`${where}: duplicate name "${c.name}"`);
    names.add(c.name);
    if (typeof c.customerId !== "string" || !GUID.test(c.customerId)) {
      throw new Error(`${where}: "customerId" must be the customer's tenant GUID`);
    }
    // GDAP (issue 16): [{ displayName, duration, roles, autoExtendDuration?, accessAssignments?: [{ securityGroupId, roles }] }];
    // the provider's check validates each value and names the field.
    if (c.adminRelationships !== undefined) {
      if (!Array.isArray(c.adminRelationships))
        throw new Error(`${where}: "adminRelationships" must be a list of relationships`);
      c.adminRelationships.forEach((/** @type {any} */ r, /** @type {number} */ j) => {
        const at = `${where}.adminRelationships[${j}]`;
        for (const k of Object.keys(r || {})) {
          if (!["displayName", "duration", "roles", "autoExtendDuration", "accessAssignments"].includes(k))
            throw new Error(`${at}: unknown field "${k}"`);
        }
        if (r.accessAssignments !== undefined && !Array.isArray(r.accessAssignments))
          throw new Error(`${at}: "accessAssignments" must be a list of {securityGroupId, roles}`);
      });
    }
    for (const k of [
      "offboard",
      "suspendActiveSubscriptions",
      "cancelNewCommerceSubscriptionsInWindow",
      "terminateAdminRelationshipsOnRemoval",
    ]) {
      if (c[k] !== undefined && typeof c[k] !== "boolean")
        throw new Error(`${where}: "${k}" must be true or false`);
    }
    return { ...c, offboard: c.offboard === true };
  });
}

module.exports = { readEstate };
