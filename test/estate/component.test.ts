/**
 * The Estate component under setMocks: what it declares (protected reseller relationships, GDAP expanded from
 * templates with explicit display names), what it leaves out (offboarded, gone), and its map outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../support/host";
import { check as checkRelationship } from "../../provider/src/dynamic-gdap";
import { Estate } from "../../provider/src/estate";

const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";
const C = "33333333-3333-4333-8333-333333333333";
const GROUP = "a0a0a0a0-0000-4000-8000-0000000000a1";
const HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

const ESTATE = {
  version: 1,
  gdapTemplates: {
    helpdesk: {
      duration: "P730D",
      appliesTo: "all",
      accessAssignments: [{ securityGroupId: GROUP, roles: [HELPDESK] }],
    },
  },
  customers: [
    { name: "contoso", customerId: A, suspendActiveSubscriptions: true },
    { name: "fabrikam", customerId: B, state: "offboard" },
    { name: "northwind", customerId: C, goneFromPartnerCenter: "2026-01-01" },
  ],
};

test("declares the active customers, protected, with their GDAP; offboarded and gone ones are not declared", async () => {
  let estate: Estate | undefined;
  const { resources } = await runProgram(() => {
    estate = new Estate("partner", { estate: ESTATE });
  });
  const byType = (t: string) => resources.filter((r) => r.type.endsWith(t)).map((r) => r.name);
  expect(byType(":ResellerRelationship")).toEqual(["contoso"]);
  expect(byType(":DelegatedAdminRelationship")).toEqual(["contoso-gdap-helpdesk-contoso"]);
  expect(byType(":DelegatedAdminAccessAssignment")).toEqual([`contoso-gdap-helpdesk-contoso-${GROUP}`]);
  const rel = resources.find((r) => r.type.endsWith(":DelegatedAdminRelationship"));
  expect(rel?.inputs).toMatchObject({
    displayName: "helpdesk-contoso",
    duration: "P730D",
    roles: [HELPDESK],
  });
  const contoso = resources.find((r) => r.name === "contoso");
  expect(contoso?.inputs).toMatchObject({ customerId: A, suspendActiveSubscriptions: true });
  // Protection is a resource option: read from the resource itself.
  const reseller = estate!.relationships.contoso as unknown as { __protect?: boolean };
  expect(reseller.__protect).toBe(true);
  const offboarded = await new Promise((resolve) => estate!.offboarded.apply(resolve));
  expect(offboarded).toEqual(["fabrikam"]);
  const removable = await new Promise((resolve) => estate!.removable.apply(resolve));
  expect(Object.keys(removable as object)).toEqual(["contoso"]);
});

test("a duration the estate format gives in months or mixed units reaches the relationship as days it accepts", async () => {
  const estate = {
    version: 1,
    customers: [
      {
        name: "contoso",
        customerId: A,
        adminRelationships: [
          { displayName: "six-months", duration: "P6M", roles: [HELPDESK] },
          { displayName: "year-and-a-month", duration: "P1Y30D", roles: [HELPDESK] },
          { displayName: "two-years", duration: "P2Y", roles: [HELPDESK] },
        ],
      },
    ],
  };
  const { resources } = await runProgram(() => new Estate("partner", { estate }));
  const rels = resources.filter((r) => r.type.endsWith(":DelegatedAdminRelationship"));
  expect(rels.map((r) => r.inputs.duration)).toEqual(["P180D", "P395D", "P2Y"]);
  // What the resource's own check says of them (the engine runs it; the mocks do not).
  for (const r of rels) expect((await checkRelationship({}, r.inputs)).failures).toBeUndefined();
});

test("an invalid estate fails before anything is declared", async () => {
  await expect(
    runProgram(() => new Estate("partner", { estate: { version: 1, customers: [{ name: "x" }] } })),
  ).rejects.toThrow(/customers\[0\] \(x\)\.customerId/);
  expect(pulumi).toBeDefined();
});
