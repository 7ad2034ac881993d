/** schema.json is generated (scripts/gen-schema.js) from the zod input schemas, the settings table and the doc comments. */
import * as fs from "node:fs";
/* eslint-disable @typescript-eslint/no-require-imports */
const gen = require("../../scripts/gen-schema.js");
import { SETTINGS } from "../../provider/src/settings";

test("the committed provider/schema.json is the generated one (run `node scripts/gen-schema.js` after a change)", () => {
  expect(fs.readFileSync(gen.OUT, "utf8")).toBe(gen.text());
});

test("config: every setting with its PARTNER_CENTER_* variable; credentials are secret", () => {
  const schema = gen.generate();
  const vars = schema.config.variables;
  for (const [key, spec] of Object.entries(SETTINGS)) {
    expect(vars[key].defaultInfo.environment).toEqual([spec.env]);
    expect(Boolean(vars[key].secret)).toBe(spec.secret);
  }
  expect(["clientSecret", "refreshToken", "accessToken"].every((k) => vars[k].secret === true)).toBe(true);
  expect(schema.provider.inputProperties).toEqual(vars);
  expect(vars.maxConcurrency).toMatchObject({ type: "integer", default: 32 });
});

test("resources: the zod schemas' keys and required inputs, every input and output described", () => {
  const schema = gen.generate();
  const modules: Record<string, string> = {
    ResellerRelationship: "../../provider/src/dynamic",
    DelegatedAdminRelationship: "../../provider/src/dynamic-gdap",
    DelegatedAdminAccessAssignment: "../../provider/src/dynamic-gdap-access",
  };
  for (const [name, mod] of Object.entries(modules)) {
    const r = schema.resources[`partnercenter:index:${name}`];
    const shape = require(mod).inputsSchema.shape;
    // displayNamePrefix is filled in by the front door (the class, or the plugin from the URN), never declared.
    const declared = Object.keys(shape).filter((k) => k !== "displayNamePrefix");
    expect(Object.keys(r.inputProperties).sort()).toEqual(declared.sort());
    expect(r.inputProperties).not.toHaveProperty("displayNamePrefix");
    for (const p of [...Object.values(r.inputProperties), ...Object.values(r.properties)] as {
      description?: string;
    }[]) {
      expect(p.description).toMatch(/\w/);
    }
    expect(r.description).toMatch(/\w/);
    expect(JSON.stringify(r)).not.toMatch(/issue \d+/);
  }
  expect(schema.resources["partnercenter:index:ResellerRelationship"].requiredInputs).toEqual(["customerId"]);
});
