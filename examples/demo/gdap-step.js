"use strict";
/**
 * The demo's GDAP step, kept apart from demo.js so that it merges cleanly: a customer onboarded with
 * a delegated admin relationship and an access assignment, then offboarded with `terminateAdminRelationshipsOnRemoval`
 * so that removing the reseller relationship also ends the admin access. Same provider host process as the rest of
 * the demo (the engine runs every dynamic resource of a stack in one), each type with its own serialized provider.
 */
const { runProgram, withoutProvider } = require("../../test/support/host");

const EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const GROUP = "869713c9-0b28-4d08-8949-ae07ae1bf528";

/**
 * @param {{ host: import("./host").Host, emulator: import("pulumi-partner-center-emulator").Emulator,
 *   customerId: string, name: string, say: (s?: string) => void, step: (n: number, t: string, w: string) => void,
 *   indent: (s: string) => string, n: number }} o
 * @returns {Promise<boolean>} true when every stage behaved as expected
 */
async function gdapStep(o) {
  const { host, emulator, customerId, name, say, step, n } = o;
  const { resources } = await runProgram(() => {
    const { DelegatedAdminRelationship, DelegatedAdminAccessAssignment } = require("pulumi-partner-center");
    const rel = new DelegatedAdminRelationship(`${name}-admin`, {
      customerId,
      displayName: `${name} - helpdesk`,
      duration: "P730D",
      roles: [EXCHANGE_ADMIN, HELPDESK_ADMIN],
    });
    new DelegatedAdminAccessAssignment(`${name}-helpdesk`, {
      relationshipId: rel.relationshipId,
      securityGroupId: GROUP,
      roles: [HELPDESK_ADMIN],
    });
  });
  const text = (/** @type {string} */ type) =>
    String(resources.find((r) => r.type.endsWith(`:${type}`)).inputs.__provider);
  const rel = host.as(text("DelegatedAdminRelationship"), resources[0].type);
  const access = host.as(text("DelegatedAdminAccessAssignment"), resources[1].type);

  step(
    n,
    `GDAP: admin access as code for ${name}`,
    "A DelegatedAdminRelationship, approved by the customer, then an access assignment.",
  );
  const relInputs = withoutProvider(resources[0].inputs);
  const created = await rel.create(
    `${name}-admin`,
    withoutProvider((await rel.check(`${name}-admin`, relInputs)).inputs),
  );
  say(`  + ${name}-admin ${created.props.status}: send ${created.props.approvalUrl}`);
  emulator.gdap.approve(created.id); // what the customer's global admin does with the link
  const active = await rel.read(`${name}-admin`, created.id, withoutProvider(created.props));
  say(`  ~ refresh: ${active.props.status} until ${active.props.endDateTime}`);
  const assigned = await access.create(`${name}-helpdesk`, {
    relationshipId: created.id,
    securityGroupId: GROUP,
    roles: [HELPDESK_ADMIN],
  });
  say(`  + ${name}-helpdesk: group ${GROUP} holds Helpdesk Administrator (${assigned.props.status})`);

  step(
    n + 1,
    `offboard ${name} with terminateAdminRelationshipsOnRemoval: true`,
    "After the reseller relationship is removed and confirmed, every admin relationship of the customer is terminated.",
  );
  const reseller = { customerId, terminateAdminRelationshipsOnRemoval: true };
  const adopted = await host.create(name, reseller);
  const refreshed = await host.read(name, customerId, withoutProvider(adopted.props));
  const before = /** @type {any[]} */ (refreshed.props.adminRelationships || []);
  say(
    `  ~ refresh: admin access remains through ${before.map((r) => `${r.displayName} (${r.status})`).join(", ")}`,
  );
  await host.delete(name, customerId, withoutProvider(refreshed.props));
  const after = emulator.gdap.state().find((r) => r.id === created.id);
  say(`  - ${name} removed; ${name}-admin is now ${after && after.status}`);
  return before.length === 1 && !!after && after.status === "terminated" && active.props.status === "active";
}

module.exports = { gdapStep };
