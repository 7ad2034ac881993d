/**
 * The estate file format: the sample is valid, mistakes are named by entry and field, Graph's rules are applied
 * at load, and the published JSON Schema is what the zod schema generates.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { estateJsonSchema } from "../../provider/src/estate/json-schema";
import {
  GLOBAL_ADMINISTRATOR,
  loadEstate,
  loadEstateFile,
  templateDisplayName,
} from "../../provider/src/estate/format";

const ROOT = path.resolve(__dirname, "../..");
const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";
const GROUP = "a0a0a0a0-0000-4000-8000-0000000000a1";
const HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

test("the sample estate file is valid", () => {
  const e = loadEstateFile(path.join(ROOT, "examples/estate/estate.json"));
  expect(e.customers).toHaveLength(12);
  expect(e.customers.every((c) => c.state === "active")).toBe(true);
});

test("the published JSON Schema is the one the zod schema generates", () => {
  const shipped = JSON.parse(fs.readFileSync(path.join(ROOT, "provider/schema/estate.v1.json"), "utf8"));
  expect(shipped).toEqual(estateJsonSchema());
});

test.each([
  [
    { version: 1, customers: [{ name: "a", customerId: "x" }] },
    /customers\[0\] \(a\)\.customerId: must be the customer's tenant id/,
  ],
  [
    { version: 1, customers: [{ name: "A b", customerId: A }] },
    /customers\[0\] \(A b\)\.name: must be lower-case/,
  ],
  [
    { version: 1, customers: [{ name: "a", customerId: A, ofboard: true }] },
    /customers\[0\] \(a\): .*"ofboard"/,
  ],
  [{ version: 1, customers: [{ name: "a", customerId: A, state: "gone" }] }, /customers\[0\] \(a\)\.state/],
  [
    {
      version: 1,
      customers: [
        { name: "a", customerId: A },
        { name: "a", customerId: B },
      ],
    },
    /customers\[1\] \(a\)\.name: "a" is also customers\[0\]/,
  ],
  [{ version: 2, customers: [] }, /estate\.version/],
  [
    {
      version: 1,
      customers: [{ name: "a", customerId: A, adminRelationships: [{ displayName: "x", template: "nope" }] }],
    },
    /adminRelationships\[0\]\.template: no GDAP template is named "nope"/,
  ],
])("a bad estate fails naming the entry and the field (%#)", (doc, message) => {
  expect(() => loadEstate(doc)).toThrow(message);
});

const withTemplate = (t: Record<string, unknown>) => ({
  version: 1,
  gdapTemplates: { helpdesk: { duration: "P730D", appliesTo: "all", ...t } },
  customers: [{ name: "contoso", customerId: A }],
});

test("Global Administrator with auto-extend is refused at load", () => {
  expect(() =>
    loadEstate(
      withTemplate({
        autoExtendDuration: "P180D",
        accessAssignments: [{ securityGroupId: GROUP, roles: [GLOBAL_ADMINISTRATOR] }],
      }),
    ),
  ).toThrow(/autoExtendDuration: P180D is not allowed with Global Administrator/);
  expect(() =>
    loadEstate(
      withTemplate({
        autoExtendDuration: "PT0S",
        accessAssignments: [{ securityGroupId: GROUP, roles: [GLOBAL_ADMINISTRATOR] }],
      }),
    ),
  ).not.toThrow();
});

test("one assignment per security group; assignment roles must be the relationship's", () => {
  expect(() =>
    loadEstate(
      withTemplate({
        accessAssignments: [
          { securityGroupId: GROUP, roles: [HELPDESK] },
          { securityGroupId: GROUP, roles: [HELPDESK] },
        ],
      }),
    ),
  ).toThrow(/accessAssignments\[1\]\.securityGroupId: .* assigned twice/);
  expect(() =>
    loadEstate(
      withTemplate({
        roles: [GLOBAL_ADMINISTRATOR],
        accessAssignments: [{ securityGroupId: GROUP, roles: [HELPDESK] }],
      }),
    ),
  ).toThrow(/accessAssignments\[0\]\.roles: .* not among the relationship's roles/);
});

test("a template applied to every customer resolves to one relationship each, named from template and customer", () => {
  const e = loadEstate(withTemplate({ accessAssignments: [{ securityGroupId: GROUP, roles: [HELPDESK] }] }));
  const [rel] = e.customers[0]!.relationships;
  expect(rel).toMatchObject({
    displayName: "helpdesk-contoso",
    template: "helpdesk",
    duration: "P730D",
    roles: [HELPDESK],
  });
  expect(templateDisplayName("t".repeat(30), "c".repeat(30))).toHaveLength(50);
});

test("YAML estate files are read when js-yaml is installed", () => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "estate-")), "estate.yaml");
  fs.writeFileSync(
    f,
    `version: 1\ncustomers:\n  - name: contoso\n    customerId: ${A}\n    state: offboard\n`,
  );
  expect(loadEstateFile(f).customers[0]).toMatchObject({ name: "contoso", state: "offboard" });
});
