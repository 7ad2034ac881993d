/**
 * The examples a user copies: the estate program (run under setMocks: the engine is
 * mocked, the resources and their serialized provider are real), the pipeline files and their scripts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { runProgram } from "../support/host";

const ROOT = path.resolve(__dirname, "../..");

test("the estate program declares one relationship per customer, with its options", async () => {
  // The program is a CommonJS module that declares its resources when it is loaded, as `pulumi up` loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const all = (await runProgram(() => require(path.join(ROOT, "examples/estate")))).resources;
  expect(all.map((r) => r.type)).toContain("partnercenter:index:Estate");
  const resources = all.filter((r) => r.type !== "partnercenter:index:Estate");
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
  for (const f of [
    "set-stack-config.sh",
    "offboard-targets.sh",
    "offboard.sh",
    "offboard-customers.sh",
    "up.sh",
    "estate-plan.sh",
    "estate-comment-github.sh",
    "estate-comment-azure.sh",
  ]) {
    expect(spawnSync("bash", ["-n", path.join(ROOT, "examples/pipelines", f)]).status).toBe(0);
  }
  const r = spawnSync("bash", [path.join(ROOT, "examples/pipelines/set-stack-config.sh")], {
    env: { PATH: process.env.PATH },
    encoding: "utf8",
  });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain("PARTNER_CENTER_TENANT_ID");
});

const RESELLER = "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship";
const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";

/**
 * A stand-in for the Pulumi CLI, for the fast suite (the real one runs in test/pulumi): it logs every call,
 * answers `stack export --file F` with a fixed state, and succeeds otherwise.
 */
function standInCli() {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
  const log = path.join(bin, "calls.log");
  const state = {
    deployment: {
      resources: [
        { urn: "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod" },
        { urn: "urn:pulumi:prod::p::t::a", type: RESELLER, outputs: { customerId: A } },
        { urn: "urn:pulumi:prod::p::t::b", type: RESELLER, outputs: { customerId: B } },
      ],
    },
  };
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/usr/bin/env bash\necho "$*" >> ${JSON.stringify(log)}\ncat > /dev/null\n` +
      `[ "$1 $2 $3" = "stack export --file" ] && printf '%s' '${JSON.stringify(state)}' > "$4"\nexit 0\n`,
    { mode: 0o755 },
  );
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    STACK: "prod",
    PARTNER_CENTER_TENANT_ID: "0a0a0a0a-0000-4000-8000-00000000000a",
    PARTNER_CENTER_CLIENT_ID: "client",
    PARTNER_CENTER_CLIENT_SECRET: "secret",
    PARTNER_CENTER_REFRESH_TOKEN: "token",
  };
  const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []);
  return { env, calls };
}

const pipelineScript = (f: string) => path.join(ROOT, "examples/pipelines", f);

test("offboard-targets.sh turns customer ids into --target URNs from the stack's state", () => {
  const { env } = standInCli();
  const script = pipelineScript("offboard-targets.sh");
  const ok = spawnSync(
    "bash",
    [script, "22222222-2222-4222-8222-222222222222", "11111111-1111-4111-8111-111111111111"],
    { env, encoding: "utf8" },
  );
  expect(ok.status).toBe(0);
  expect(ok.stdout.trim().split("\n")).toEqual([
    "--target=urn:pulumi:prod::p::t::b",
    "--target=urn:pulumi:prod::p::t::a",
  ]);
  const missing = spawnSync("bash", [script, "33333333-3333-4333-8333-333333333333"], {
    env,
    encoding: "utf8",
  });
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain("is not in this stack");
  expect(spawnSync("bash", [script], { env, encoding: "utf8" }).status).toBe(2);
});

test("offboard.sh runs destroy only with one --target per id given, with --run-program and --continue-on-error", () => {
  const script = pipelineScript("offboard.sh");
  const destroys = (calls: string[]) => calls.filter((c) => c.startsWith("destroy"));

  const ok = standInCli();
  const r = spawnSync("bash", [script, "22222222-2222-4222-8222-222222222222"], {
    env: ok.env,
    encoding: "utf8",
  });
  expect(r.status).toBe(0);
  expect(destroys(ok.calls())).toEqual([
    "destroy --yes --skip-preview --run-program --continue-on-error --target=urn:pulumi:prod::p::t::b",
  ]);

  for (const [args, envChange, status] of [
    [[], {}, 2], // an empty CUSTOMERS
    [["33333333-3333-4333-8333-333333333333"], {}, 1], // not in the stack
    [["22222222-2222-4222-8222-222222222222"], { PARTNER_CENTER_REFRESH_TOKEN: "" }, 1], // failed config step
  ] as const) {
    const cli = standInCli();
    const failed = spawnSync("bash", [script, ...args], {
      env: { ...cli.env, ...envChange },
      encoding: "utf8",
    });
    expect(failed.status).toBe(status);
    expect(destroys(cli.calls())).toEqual([]);
  }
});

test("up.sh stops before pulumi up when a config step fails", () => {
  const cli = standInCli();
  const r = spawnSync("bash", [pipelineScript("up.sh")], {
    env: { ...cli.env, PARTNER_CENTER_CLIENT_SECRET: "" },
    encoding: "utf8",
  });
  expect(r.status).not.toBe(0);
  expect(cli.calls().filter((c) => c.startsWith("up"))).toEqual([]);
});

/** The steps, with those inside `${{ if ... }}:` template insertions (whichever way the condition goes). */
function azureSteps(items: unknown[]): { script?: string }[] {
  return items.flatMap((s) =>
    Object.keys(s as object).some((k) => k.startsWith("${{"))
      ? azureSteps(Object.values(s as object).flat() as unknown[])
      : [s as { script?: string }],
  );
}

test("the pipeline YAML stops at a failed command and changes the stack only through up.sh and offboard.sh", () => {
  type Step = { script?: string; run?: string };
  const azure = yaml.load(fs.readFileSync(pipelineScript("azure-pipelines.yml"), "utf8")) as {
    steps: Step[];
  };
  const github = yaml.load(fs.readFileSync(pipelineScript("github-actions.yml"), "utf8")) as {
    jobs: Record<string, { steps: Step[] }>;
  };
  const scripts = [
    // Azure Pipelines runs a script step without -e: a multi-line one must turn it on itself.
    ...azureSteps(azure.steps).flatMap((s) => (s.script ? [{ text: s.script, ci: "azure" }] : [])),
    // GitHub Actions runs `bash -e {0}`, which still ignores a failure inside $(...) and pipes.
    ...Object.values(github.jobs).flatMap((j) =>
      j.steps.flatMap((s) => (s.run ? [{ text: s.run, ci: "github" }] : [])),
    ),
  ];
  for (const { text, ci } of scripts) {
    const lines = text.trim().split("\n");
    // A one-line step is safe only when it has no command substitution or pipe to hide a failure in.
    const needsStrict = lines.length > 1 || /\$\(|\|/.test(text);
    expect({ ci, first: needsStrict ? lines[0] : "set -euo pipefail" }).toEqual({
      ci,
      first: "set -euo pipefail",
    });
    expect(text).not.toMatch(/pulumi (up|destroy)|offboard-targets/);
  }
  const all = scripts.map((s) => s.text).join("\n");
  expect(all.match(/examples\/pipelines\/offboard-customers\.sh/g)).toHaveLength(2);
  expect(all.match(/examples\/pipelines\/up\.sh/g)).toHaveLength(2);
});

test("npm run demo: the README's first command runs the whole story on the emulator and every step behaves", () => {
  // The real provider host and the emulator, as a user runs it; the --pulumi variant runs in test:pulumi.
  const r = spawnSync(process.execPath, [path.join(ROOT, "examples/demo/demo.js")], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.stderr).not.toMatch(/demo failed/);
  expect(r.stdout).toContain("Everything behaved as expected.");
  expect(r.status).toBe(0);
}, 150_000);
