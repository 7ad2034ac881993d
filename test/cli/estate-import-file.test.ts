/**
 * `partner-center estate export --import-file`: the Pulumi bulk import file for the provider plugin, beside the
 * estate file, from the same read of Partner Center.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../provider/src/cli/estate";
import { SAMPLE_CUSTOMERS as ID } from "../../packages/emulator/src";
import { cliFixture, writeEstate } from "./fixture";

const f = cliFixture({}, { PARTNER_CENTER_REFRESH_TOKEN: "pipeline-refresh-token" });
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-import-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, f.env);
  return { code, out: out.join("\n"), err: err.join("\n") };
}
const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

test("export --import-file: one plugin ResellerRelationship per customer, named as in the estate; nothing written", async () => {
  const estate = path.join(dir, "estate.json");
  const imports = path.join(dir, "import.json");
  const r = await run(["export", "--out", estate, "--import-file", imports]);
  expect(r.code).toBe(0);
  const customers = read(estate).customers as { name: string; customerId: string }[];
  const doc = read(imports);
  // The exact shape `pulumi import --file` reads: type, name and id per resource.
  expect(Object.keys(doc)).toEqual(["resources"]);
  expect(doc.resources).toEqual(
    customers.map((c) => ({
      type: "partnercenter:index:ResellerRelationship",
      name: c.name,
      id: c.customerId,
    })),
  );
  expect(doc.resources).toContainEqual({
    type: "partnercenter:index:ResellerRelationship",
    name: "contoso-clean-ltd",
    id: ID.clean,
  });
  expect(r.out).toContain(`${customers.length} to import in ${imports}`);
  expect(f.emulator.requests().filter((q) => q.method !== "GET")).toEqual([]);
});

test("export --import-file leaves out customers gone from Partner Center or marked offboard; --import-provider names the instance", async () => {
  const merge = path.join(dir, "mine.json");
  writeEstate(merge, [
    { name: "leaving", customerId: ID.clean, state: "offboard" },
    { name: "left-us", customerId: "9f9f9f9f-0000-4000-8000-000000000001" },
    { name: "staying", customerId: ID.inactiveOnly.toUpperCase() },
  ]);
  const imports = path.join(dir, "import.json");
  const provider = "urn:pulumi:dev::estate::pulumi:providers:partnercenter::tenantA";
  const r = await run([
    "export",
    "--merge",
    merge,
    "--out",
    path.join(dir, "estate.json"),
    "--import-file",
    imports,
    "--import-provider",
    provider,
  ]);
  expect(r.code).toBe(0);
  const doc = read(imports);
  expect(doc.nameTable).toEqual({ partnercenter: provider });
  const names = doc.resources.map((s: { name: string }) => s.name);
  expect(names).toContain("staying");
  expect(names).not.toContain("leaving");
  expect(names).not.toContain("left-us");
  expect(doc.resources.find((s: { name: string }) => s.name === "staying")).toEqual({
    type: "partnercenter:index:ResellerRelationship",
    name: "staying",
    id: ID.inactiveOnly,
    provider: "partnercenter",
  });
});

test("--import-provider without --import-file, or with a URN that is no partnercenter provider: usage error, nothing read", async () => {
  const provider = "urn:pulumi:dev::estate::pulumi:providers:partnercenter::tenantA";
  const alone = await run(["export", "--import-provider", provider]);
  expect(alone.code).toBe(2);
  expect(alone.err).toMatch(/--import-provider goes with --import-file/);
  const imports = path.join(dir, "import.json");
  const wrong = await run(["export", "--import-file", imports, "--import-provider", "tenantA"]);
  expect(wrong.code).toBe(2);
  expect(wrong.err).toMatch(/--import-provider.*urn:pulumi:.*pulumi:providers:partnercenter/);
  expect(fs.existsSync(imports)).toBe(false);
  expect(f.emulator.requests()).toEqual([]);
});
