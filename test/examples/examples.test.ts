/**
 * The examples a user copies: the estate file reader, the estate program (run under setMocks: the engine is
 * mocked, the resources and their serialized provider are real), the pipeline files and their scripts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { runProgram } from "../../examples/demo/host";
import { readEstate } from "../../examples/estate/estate";

const ROOT = path.resolve(__dirname, "../..");

function estateFile(doc: unknown): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "estate-")), "estate.json");
  fs.writeFileSync(f, JSON.stringify(doc));
  return f;
}

test("the sample estate file is valid and marks the offboarded customers", () => {
  const customers = readEstate(path.join(ROOT, "examples/estate/estate.json"));
  expect(customers).toHaveLength(12);
  expect(customers.filter((c) => c.offboard).map((c) => c.name)).toEqual([
    "contoso",
    "fabrikam",
    "adatum",
    "litware",
    "tailspin",
    "wingtip",
    "fourthcoffee",
    "proseware",
    "alpine",
    "blueyonder",
  ]);
});

test.each([
  [
    { customers: [{ name: "a", customerId: "x" }] },
    /customers\[0\]: "customerId" must be the customer's tenant GUID/,
  ],
  [
    { customers: [{ name: "A b", customerId: "11111111-1111-4111-8111-111111111111" }] },
    /"name" must be lower-case/,
  ],
  [
    { customers: [{ name: "a", customerId: "11111111-1111-4111-8111-111111111111", ofboard: true }] },
    /unknown field "ofboard"/,
  ],
  [
    {
      customers: [
        { name: "a", customerId: "11111111-1111-4111-8111-111111111111" },
        { name: "a", customerId: "22222222-2222-4222-8222-222222222222" },
      ],
    },
    /duplicate name "a"/,
  ],
  [{ clients: [] }, /expected \{"customers": \[\.\.\.\]\}/],
])("a bad estate file fails naming the entry and the field (%#)", (doc, message) => {
  expect(() => readEstate(estateFile(doc))).toThrow(message);
});

test("the estate program declares one relationship per customer, with its options", async () => {
  // The program is a CommonJS module that declares its resources when it is loaded, as `pulumi up` loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resources } = await runProgram(() => require(path.join(ROOT, "examples/estate")));
  expect(resources.map((r) => r.name)).toHaveLength(12);
  for (const r of resources) {
    expect(r.type).toBe("pulumi-nodejs:dynamic/partnercenter:ResellerRelationship");
    expect(typeof r.inputs.__provider).toBe("string");
  }
  const fabrikam = resources.find((r) => r.name === "fabrikam");
  expect(fabrikam?.inputs.suspendActiveSubscriptions).toBe(true);
});

test("Pulumi.yaml and the pipeline files are valid YAML; only the dev stack points at the emulator", () => {
  const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
    runtime: { name: string };
    main: string;
    config: Record<string, { value?: string }>;
  };
  expect(project.runtime.name).toBe("nodejs");
  expect(fs.existsSync(path.join(ROOT, project.main, "index.js"))).toBe(true);
  // No partnercenter:* default project-wide: a stack that sets only real secrets must not inherit the emulator.
  expect(Object.keys(project.config).filter((k) => k.startsWith("partnercenter:"))).toEqual([]);
  const dev = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, string>;
  };
  expect(dev.config["partnercenter:endpoint"]).toMatch(/^http:\/\/127\.0\.0\.1:8787$/);
  expect(dev.config["partnercenter:allowLoopbackWithCredentials"]).toBe("true");
  for (const f of ["github-actions.yml", "azure-pipelines.yml"]) {
    const doc = yaml.load(fs.readFileSync(path.join(ROOT, "examples/pipelines", f), "utf8"));
    expect(doc).toBeInstanceOf(Object);
  }
});

test("the pipeline scripts parse, and set-stack-config refuses to run without credentials", () => {
  for (const f of ["set-stack-config.sh", "offboard-targets.sh"]) {
    expect(spawnSync("bash", ["-n", path.join(ROOT, "examples/pipelines", f)]).status).toBe(0);
  }
  const r = spawnSync("bash", [path.join(ROOT, "examples/pipelines/set-stack-config.sh")], {
    env: { PATH: process.env.PATH },
    encoding: "utf8",
  });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain("PARTNER_CENTER_TENANT_ID");
});

test("offboard-targets.sh turns customer ids into --target URNs from the stack's state", () => {
  // A stand-in for the Pulumi CLI (not installable here): it only answers `stack export --file F`.
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
  const state = {
    deployment: {
      resources: [
        { urn: "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod" },
        { urn: "urn:a", outputs: { customerId: "11111111-1111-4111-8111-111111111111" } },
        { urn: "urn:b", outputs: { customerId: "22222222-2222-4222-8222-222222222222" } },
      ],
    },
  };
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/usr/bin/env bash\n[ "$1 $2 $3" = "stack export --file" ] && printf '%s' '${JSON.stringify(state)}' > "$4"\n`,
    { mode: 0o755 },
  );
  const script = path.join(ROOT, "examples/pipelines/offboard-targets.sh");
  const env = { PATH: `${bin}:${process.env.PATH}` };
  const ok = spawnSync(
    "bash",
    [script, "22222222-2222-4222-8222-222222222222", "11111111-1111-4111-8111-111111111111"],
    {
      env,
      encoding: "utf8",
    },
  );
  expect(ok.status).toBe(0);
  expect(ok.stdout.trim()).toBe("--target urn:b --target urn:a");
  const missing = spawnSync("bash", [script, "33333333-3333-4333-8333-333333333333"], {
    env,
    encoding: "utf8",
  });
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain("is not in this stack");
});
