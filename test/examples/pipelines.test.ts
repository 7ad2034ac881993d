/**
 * The example pipelines under hostile input. Each YAML file is rendered as its runner renders it: Azure
 * Pipelines' `${{ parameters.x }}` and `${{ if ... }}` templates, GitHub's `${{ inputs.x }}` and
 * `${{ github.event.inputs.x }}`, are textual substitutions made before bash reads the script. Every step that
 * takes the input is then run with bash, with stand-ins for `pulumi` and `npx` on PATH that log their calls:
 * no injected command may run, and only a list of GUIDs reaches `pulumi destroy --target`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "../..");
const PIPELINES = path.join(ROOT, "examples/pipelines");
const RESELLER = "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship";
const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";

type Step = {
  script?: string;
  run?: string;
  env?: Record<string, string>;
  condition?: string;
  if?: string;
  [key: string]: unknown;
};

/** A sandbox: stand-in `pulumi` and `npx` that log every call, and a marker file an injected command would create. */
function sandbox() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const log = path.join(dir, "calls.log");
  const marker = path.join(dir, "injected");
  // The customer's DelegatedAdminRelationship comes first in the state, as in the normal onboarding flow.
  const state = {
    deployment: {
      resources: [
        { urn: "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod", type: "pulumi:pulumi:Stack" },
        {
          urn: "urn:pulumi:prod::p::gdap::a-admin",
          type: "pulumi-nodejs:dynamic/partnercenter:DelegatedAdminRelationship",
          outputs: { customerId: A },
        },
        { urn: "urn:pulumi:prod::p::reseller::a", type: RESELLER, outputs: { customerId: A } },
        { urn: "urn:pulumi:prod::p::reseller::b", type: RESELLER, outputs: { customerId: B } },
      ],
    },
  };
  const stub = (name: string, extra = "") =>
    fs.writeFileSync(
      path.join(bin, name),
      `#!/usr/bin/env bash\nprintf '%s\\n' "${name} $*" >> ${JSON.stringify(log)}\ncat > /dev/null\n${extra}exit 0\n`,
      { mode: 0o755 },
    );
  stub("pulumi", `[ "$1 $2 $3" = "stack export --file" ] && printf '%s' '${JSON.stringify(state)}' > "$4"\n`);
  stub(
    "npx",
    `case "$*" in *"estate plan"*) printf '### Partner Center estate plan\\n'; exit "\${FAKE_PLAN_EXIT:-0}";; esac\n`,
  );
  // The estate file changed in the pull request (git diff --quiet exits 1) unless FAKE_UNCHANGED is set.
  stub("git", `[ -n "\${FAKE_UNCHANGED:-}" ] && exit 0\nexit 1\n`);
  stub("gh");
  // Keeps what curl was given from files (@file arguments), to check the body and that the token is not an argument.
  stub(
    "curl",
    `for a in "$@"; do case "$a" in @*) cat "\${a#@}" >> ${JSON.stringify(path.join(dir, "curl-files"))};; esac; done\n`,
  );
  const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []);
  return { dir, bin, marker, calls };
}

/** Hostile inputs: each tries to run a command; `$marker` is replaced by the marker file's path. */
const HOSTILE = [
  `${A} $(pulumi destroy --yes --skip-preview)`,
  `${A} $(touch $marker)`,
  `${A} \`touch $marker\``,
  `${A}; touch $marker`,
  `${A}\ntouch $marker`,
  `${A} && touch $marker #`,
  `${A}' ; touch $marker ; echo '`,
  `${A}" ; touch $marker ; echo "`,
  `${A} | touch $marker`,
  `${A} > $marker`,
  `${A} *`,
  `${A} --target-dependents`,
];

/** Azure Pipelines' compile-time templates: `${{ if eq|ne(parameters.x, 'v') }}:` insertions, then `${{ parameters.x }}`. */
function renderAzure(parameters: Record<string, string>): Step[] {
  const doc = yaml.load(fs.readFileSync(path.join(PIPELINES, "azure-pipelines.yml"), "utf8")) as {
    steps: unknown[];
  };
  const flatten = (items: unknown[]): Step[] =>
    items.flatMap((item) => {
      const keys = Object.keys(item as object);
      const template = keys.find((k) => k.includes("${{"));
      if (template === undefined) return [item as Step];
      const m = /^\$\{\{\s*if\s+(eq|ne)\(parameters\.(\w+),\s*'([^']*)'\)\s*\}\}$/.exec(template);
      if (!m || keys.length !== 1) throw new Error(`a template this test does not render: ${template}`);
      const equal = parameters[m[2] as string] === m[3];
      return (m[1] === "eq") === equal
        ? flatten((item as Record<string, unknown[]>)[template] as unknown[])
        : [];
    });
  const substitute = (text: string) =>
    text.replace(/\$\{\{\s*parameters\.(\w+)\s*\}\}/g, (_, name: string) => {
      if (!(name in parameters)) throw new Error(`unknown parameter ${name}`);
      return parameters[name] as string;
    });
  return flatten(doc.steps).map((s) => deepMap(s, substitute));
}

/** GitHub Actions: `${{ inputs.x }}` and `${{ github.event.inputs.x }}` (and the context the steps use). */
function renderGithub(
  inputs: Record<string, string>,
  event: Record<string, string> = {},
): { job: string; steps: Step[]; env: Record<string, string> }[] {
  const doc = yaml.load(fs.readFileSync(path.join(PIPELINES, "github-actions.yml"), "utf8")) as {
    env: Record<string, string>;
    jobs: Record<string, { env?: Record<string, string>; steps: Step[] }>;
  };
  const substitute = (text: string) =>
    text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (all, expr: string) => {
      const input = /^(?:github\.event\.)?inputs\.(\w+)$/.exec(expr);
      if (input) return inputs[input[1] as string] ?? "";
      if (expr in event) return event[expr] as string;
      if (expr.startsWith("secrets.")) return "secret-value";
      if (expr === "github.token") return "github-token";
      if (expr === "runner.temp") return os.tmpdir();
      return all; // anything else is not an input
    });
  return Object.entries(doc.jobs).map(([job, j]) => ({
    job,
    steps: j.steps.map((s) => deepMap(s, substitute)),
    env: deepMap({ ...doc.env, ...j.env }, substitute),
  }));
}

function deepMap<T>(value: T, f: (s: string) => string): T {
  if (typeof value === "string") return f(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => deepMap(v, f)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepMap(v, f)])) as T;
  return value;
}

/** Azure's run-time macros `$(NAME)` in env values, for the variables the steps map. */
const macros = (env: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.replace(/\$\((\w+)\)/g, (_, name: string) => (name === "STACK" ? "prod" : `value-of-${name}`)),
    ]),
  );

/** Runs a step's script text with bash, as its runner does, in the repository with the stand-ins first on PATH. */
function runStep(
  text: string,
  env: Record<string, string>,
  box: ReturnType<typeof sandbox>,
  ci: "azure" | "github",
) {
  const file = path.join(box.dir, `step-${Math.random().toString(36).slice(2)}.sh`);
  fs.writeFileSync(file, text);
  // Azure Pipelines: `bash --noprofile --norc <file>`; GitHub Actions: `bash --noprofile --norc -eo pipefail <file>`.
  const args =
    ci === "azure" ? ["--noprofile", "--norc", file] : ["--noprofile", "--norc", "-eo", "pipefail", file];
  return spawnSync("bash", args, {
    cwd: ROOT,
    env: { ...env, PATH: `${box.bin}:${process.env.PATH}`, HOME: box.dir },
    encoding: "utf8",
    timeout: 30_000,
  });
}

const scriptOf = (s: Step) => s.script ?? s.run;
const mentions = (s: Step, text: string) => JSON.stringify(s).includes(JSON.stringify(text).slice(1, -1));

function expectNothingInjected(box: ReturnType<typeof sandbox>) {
  expect(fs.existsSync(box.marker)).toBe(false);
  // No destroy at all: a hostile word makes the whole list refused before pulumi runs.
  expect(box.calls().filter((c) => /^pulumi (destroy|up)/.test(c))).toEqual([]);
  // Only GUIDs, and nothing but GUIDs, ever reached the readiness command.
  for (const c of box.calls().filter((x) => x.startsWith("npx"))) {
    expect(c).toMatch(/^npx (--no-install )?partner-center-readiness( [0-9a-f-]{36})+$/);
  }
}

describe("Azure Pipelines: the offboardCustomers parameter", () => {
  test.each(HOSTILE)("hostile input %j runs no injected command", (template) => {
    const box = sandbox();
    const value = template.replace(/\$marker/g, box.marker);
    const steps = renderAzure({ offboardCustomers: value });
    const taking = steps.filter((s) => mentions(s, value));
    expect(taking.length).toBeGreaterThan(0);
    const statuses = taking.map((s) => runStep(scriptOf(s) ?? "", macros(s.env), box, "azure").status);
    expectNothingInjected(box);
    for (const s of taking) {
      // The input is data in the environment: never in the script, nor in a condition's expression text.
      expect(scriptOf(s) ?? "").not.toContain(value);
      expect(s.condition ?? "").not.toContain(value);
    }
    // The offboarding step refuses the list (a word that is not a GUID) before anything runs.
    expect(statuses.filter((c) => c === 0)).toEqual([]);
  });

  test("a list of ids (spaces, tabs, new lines) destroys exactly their ResellerRelationships; none runs up", () => {
    const box = sandbox();
    const steps = renderAzure({ offboardCustomers: ` ${B}\n\t${A.toUpperCase()} ` });
    expect(steps.some((s) => scriptOf(s)?.includes("up.sh"))).toBe(false);
    const [step, ...more] = steps.filter((s) => s.env?.CUSTOMERS !== undefined);
    expect(more).toEqual([]);
    const r = runStep(scriptOf(step as Step) ?? "", macros(step?.env), box, "azure");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(box.calls().filter((c) => !/^pulumi (config set|stack export)/.test(c))).toEqual([
      `npx --no-install partner-center-readiness ${B} ${A.toUpperCase()}`,
      "pulumi stack select prod",
      "pulumi destroy --yes --skip-preview --run-program --continue-on-error --target=urn:pulumi:prod::p::reseller::b --target=urn:pulumi:prod::p::reseller::a",
    ]);
  });

  test("the default ('none') runs up.sh, and no offboarding step", () => {
    const steps = renderAzure({ offboardCustomers: "none" });
    expect(steps.filter((s) => scriptOf(s)?.includes("up.sh"))).toHaveLength(1);
    expect(steps.filter((s) => s.env?.CUSTOMERS !== undefined)).toEqual([]);
  });
});

describe("GitHub Actions: the customers input", () => {
  test.each(HOSTILE)("hostile input %j runs no injected command", (template) => {
    const box = sandbox();
    const value = template.replace(/\$marker/g, box.marker);
    const statuses: (number | null)[] = [];
    const texts: string[] = [];
    for (const { steps, env } of renderGithub({ customers: value })) {
      for (const s of steps) {
        const text = scriptOf(s);
        if (text === undefined) continue;
        texts.push(text, s.if ?? "");
        // The steps of the job that carries the input, and any step that names it, run with it.
        if (!Object.values(env).includes(value) && !mentions(s, value)) continue;
        if (!/CUSTOMERS|offboard|readiness/.test(text)) continue;
        statuses.push(runStep(text, { ...env, ...s.env } as Record<string, string>, box, "github").status);
      }
    }
    expect(statuses.length).toBeGreaterThan(0);
    expectNothingInjected(box);
    for (const t of texts) expect(t).not.toContain(value);
    expect(statuses.filter((c) => c === 0)).toEqual([]);
  });

  test("a list of ids destroys exactly their ResellerRelationships", () => {
    const box = sandbox();
    const job = renderGithub({ customers: `${A}\n${B}` }).find((j) => j.job === "offboard");
    const step = job?.steps.find((s) => scriptOf(s)?.includes("offboard"));
    const r = runStep(scriptOf(step as Step) ?? "", { ...job?.env, STACK: "prod" }, box, "github");
    expect(r.status).toBe(0);
    expect(box.calls().filter((c) => c.startsWith("pulumi destroy"))).toEqual([
      "pulumi destroy --yes --skip-preview --run-program --continue-on-error --target=urn:pulumi:prod::p::reseller::a --target=urn:pulumi:prod::p::reseller::b",
    ]);
  });
});

test.each([
  ["*"],
  ["-"],
  ["--target-dependents"],
  ["urn:pulumi:prod::p::reseller::a"],
  [`${A} ${B}`],
  [`${A}\n${B}`],
  [A, "$(touch x)"],
])("offboard.sh refuses %j before pulumi runs (exit 2)", (...ids) => {
  const box = sandbox();
  const r = spawnSync("bash", [path.join(PIPELINES, "offboard.sh"), ...ids], {
    env: { PATH: `${box.bin}:${process.env.PATH}`, STACK: "prod" },
    encoding: "utf8",
  });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/is not a customer tenant id/);
  expect(box.calls()).toEqual([]);
});

test("offboard-targets.sh picks the customer's ResellerRelationship, never its DelegatedAdminRelationship", () => {
  const box = sandbox();
  const r = spawnSync("bash", [path.join(PIPELINES, "offboard-targets.sh"), A], {
    env: { PATH: `${box.bin}:${process.env.PATH}` },
    encoding: "utf8",
  });
  expect(r.status).toBe(0);
  expect(r.stdout).toBe("--target=urn:pulumi:prod::p::reseller::a\n");
});

test("offboard-customers.sh with an empty or blank CUSTOMERS refuses (exit 2) and runs nothing", () => {
  for (const customers of [undefined, "", " \n\t "]) {
    const box = sandbox();
    const r = spawnSync("bash", [path.join(PIPELINES, "offboard-customers.sh")], {
      env: {
        PATH: `${box.bin}:${process.env.PATH}`,
        STACK: "prod",
        ...(customers !== undefined && { CUSTOMERS: customers }),
      },
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/CUSTOMERS is empty: nothing to offboard/);
    expect(box.calls()).toEqual([]);
  }
});

describe("the estate flow: the plan as the pull-request comment, then unprotect and up on main", () => {
  const md = (box: ReturnType<typeof sandbox>) => path.join(box.dir, "estate-plan.md");
  const planned = (box: ReturnType<typeof sandbox>) =>
    box.calls().filter((c) => c.startsWith("npx") || c.startsWith("gh") || c.startsWith("curl"));

  test.each(HOSTILE)(
    "GitHub: a hostile pull-request number %j runs nothing and posts nothing",
    (template) => {
      const box = sandbox();
      const value = template.replace(/\$marker/g, box.marker);
      const job = renderGithub({}, { "github.event.pull_request.number": value }).find(
        (j) => j.job === "plan",
      );
      const steps = (job?.steps ?? []).filter((s) => /estate-/.test(scriptOf(s) ?? ""));
      expect(steps).toHaveLength(2);
      const statuses = steps.map((s) => {
        expect(scriptOf(s)).not.toContain(value);
        return runStep(scriptOf(s) ?? "", { ...job?.env, ...s.env } as Record<string, string>, box, "github")
          .status;
      });
      expect(fs.existsSync(box.marker)).toBe(false);
      expect(statuses).toEqual([0, 2]);
      expect(planned(box)).toEqual([
        `npx --no-install partner-center estate plan --estate examples/estate/estate.json --stack prod --markdown`,
      ]);
    },
  );

  test("GitHub: the plan is posted with gh pr comment --body-file; a blocking exit fails the check and says why", () => {
    for (const [exit, words] of [
      ["0", undefined],
      ["1", /Do not merge yet/],
      ["2", /estate file is invalid/],
      ["3", /Not checked/],
    ] as const) {
      const box = sandbox();
      const job = renderGithub({}, { "github.event.pull_request.number": "42" }).find(
        (j) => j.job === "plan",
      );
      const [plan, comment] = (job?.steps ?? []).filter((s) => /estate-/.test(scriptOf(s) ?? ""));
      const env = (s?: Step) =>
        ({ ...job?.env, ...s?.env, PLAN_MARKDOWN: md(box), FAKE_PLAN_EXIT: exit }) as Record<string, string>;
      expect(runStep(scriptOf(plan as Step) ?? "", env(plan), box, "github").status).toBe(Number(exit));
      expect(comment?.if).toBe("${{ !cancelled() }}");
      expect(runStep(scriptOf(comment as Step) ?? "", env(comment), box, "github").status).toBe(0);
      expect(box.calls().filter((c) => c.startsWith("gh"))).toEqual([
        `gh pr comment 42 --body-file ${md(box)}`,
      ]);
      const text = fs.readFileSync(md(box), "utf8");
      expect(text).toMatch(/^### Partner Center estate plan/);
      if (words) expect(text).toMatch(words);
    }
  });

  test("GitHub: a pull request that does not change the estate file gets no plan and no comment", () => {
    const box = sandbox();
    const job = renderGithub({}, { "github.event.pull_request.number": "42" }).find((j) => j.job === "plan");
    for (const s of (job?.steps ?? []).filter((x) => /estate-/.test(scriptOf(x) ?? ""))) {
      const env = { ...job?.env, ...s.env, PLAN_MARKDOWN: md(box), FAKE_UNCHANGED: "1" } as Record<
        string,
        string
      >;
      expect(runStep(scriptOf(s) ?? "", env, box, "github").status).toBe(0);
    }
    expect(planned(box)).toEqual([]);
  });

  test("Azure: the plan becomes a pull-request thread; the token never reaches a command line", () => {
    const box = sandbox();
    const steps = renderAzure({ offboardCustomers: "none" }).filter((s) => /estate-/.test(scriptOf(s) ?? ""));
    expect(steps.map((s) => s.condition)).toEqual([
      "eq(variables['Build.Reason'], 'PullRequest')",
      "and(not(canceled()), eq(variables['Build.Reason'], 'PullRequest'))",
    ]);
    const env = (s: Step, over: Record<string, string>) => ({
      ...macros(s.env),
      PLAN_MARKDOWN: md(box),
      FAKE_PLAN_EXIT: "1",
      ...over,
    });
    const [plan, comment] = steps as [Step, Step];
    expect(runStep(scriptOf(plan) ?? "", env(plan, {}), box, "azure").status).toBe(1);
    const repo = "5c2b3a4d-1111-4222-8333-444455556666";
    const ok = env(comment, {
      PULL_REQUEST_ID: "7",
      REPOSITORY_ID: repo,
      COLLECTION_URI: "https://dev.azure.com/contoso/",
      PROJECT_ID: "p1",
      SYSTEM_ACCESSTOKEN: "the-access-token",
    });
    expect(runStep(scriptOf(comment) ?? "", ok, box, "azure").status).toBe(0);
    const curl = box.calls().filter((c) => c.startsWith("curl"));
    expect(curl).toHaveLength(1);
    expect(curl[0]).toContain(
      `https://dev.azure.com/contoso/p1/_apis/git/repositories/${repo}/pullRequests/7/threads?api-version=7.1`,
    );
    expect(curl[0]).not.toContain("the-access-token");
    const sent = fs.readFileSync(path.join(box.dir, "curl-files"), "utf8");
    expect(sent).toContain("Authorization: Bearer the-access-token");
    const body = JSON.parse(sent.slice(sent.indexOf("{")));
    expect(body).toEqual({
      comments: [{ parentCommentId: 0, content: fs.readFileSync(md(box), "utf8"), commentType: 1 }],
      status: 1,
    });
    // A value that is not an id: refused before curl runs.
    for (const bad of [{ PULL_REQUEST_ID: "7; touch x" }, { REPOSITORY_ID: "$(touch x)" }]) {
      const r = runStep(scriptOf(comment) ?? "", { ...ok, ...bad }, box, "azure");
      expect(r.status).toBe(2);
    }
    expect(box.calls().filter((c) => c.startsWith("curl"))).toHaveLength(1);
  });

  test("up.sh: estate unprotect of the marked entries, then pulumi up --continue-on-error; no estate file: plain up", () => {
    for (const estate of ["examples/estate/estate.json", undefined]) {
      const box = sandbox();
      const r = spawnSync("bash", [path.join(PIPELINES, "up.sh")], {
        cwd: ROOT,
        env: {
          PATH: `${box.bin}:${process.env.PATH}`,
          STACK: "prod",
          PARTNER_CENTER_TENANT_ID: "t",
          PARTNER_CENTER_CLIENT_ID: "c",
          PARTNER_CENTER_CLIENT_SECRET: "s",
          PARTNER_CENTER_REFRESH_TOKEN: "r",
          ...(estate && { ESTATE_FILE: estate }),
        },
        encoding: "utf8",
      });
      expect(r.status).toBe(0);
      expect(box.calls().filter((c) => !c.startsWith("pulumi config set"))).toEqual([
        "pulumi stack select prod",
        ...(estate
          ? [`npx --no-install partner-center estate unprotect --estate ${estate} --stack prod`]
          : []),
        "pulumi up --yes --skip-preview --continue-on-error",
      ]);
    }
  });
});

test("offboard-targets.sh refuses a customer managed by an Estate, or protected, and points to the estate flow", () => {
  const box = sandbox();
  const estateUrn = "urn:pulumi:prod::p::partnercenter:index:Estate::partner";
  for (const [resource, words] of [
    [
      { parent: estateUrn, protect: true },
      /managed by the Estate component[\s\S]*"state": "offboard"[\s\S]*estate unprotect/,
    ],
    [{ parent: estateUrn, protect: false }, /managed by the Estate component/],
    [{ protect: true }, /is protected: destroy would refuse it/],
  ] as const) {
    const state = {
      deployment: {
        resources: [
          { urn: "urn:pulumi:prod::p::x::a", type: RESELLER, outputs: { customerId: A }, ...resource },
        ],
      },
    };
    const pulumi = path.join(box.bin, "pulumi");
    fs.writeFileSync(pulumi, `#!/usr/bin/env bash\nprintf '%s' '${JSON.stringify(state)}' > "$4"\n`, {
      mode: 0o755,
    });
    const r = spawnSync("bash", [path.join(PIPELINES, "offboard-targets.sh"), A], {
      env: { PATH: `${box.bin}:${process.env.PATH}` },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(words);
  }
});
