"use strict";
/**
 * Driving the real `pulumi` CLI (built by scripts/pulumi-cli.sh, or installed) against the emulator, for the
 * demo (`--pulumi`), the benchmark (`--pulumi`) and the real-CLI suite (test/pulumi): one stack per use on a
 * file backend, in a project folder under the git-ignored .cache folder, so that Node finds the workspace's
 * node_modules as a user's project finds its own.
 *
 * Commands run asynchronously: the emulator runs in the calling process, and a blocking spawn would stall it.
 */
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { ROOT, PARTNER_TENANT_ID } = require("./host");

const PASSPHRASE = "local-file-backend-passphrase";

/**
 * The environment `scripts/pulumi-cli.sh --env` prints, applied over this process's: the CLI from
 * .cache/pulumi/bin (built on first use, several minutes), no update check, no plugin downloads.
 * @returns {NodeJS.ProcessEnv}
 */
function cliEnv() {
  const out = execFileSync("bash", ["-c", 'eval "$(scripts/pulumi-cli.sh --env)" && env -0'], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const kv of out.split("\0")) {
    const i = kv.indexOf("=");
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

/** @typedef {{ code: number | null, out: string }} Result stdout and stderr interleaved as they came */

/**
 * Runs a command to completion without blocking the event loop.
 * @param {string} cmd @param {string[]} args
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, input?: string, echo?: boolean }} opts
 * @returns {Promise<Result>}
 */
function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const take = (/** @type {Buffer} */ d) => {
      out += d.toString();
      if (opts.echo) process.stdout.write(d);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
    child.stdin.end(opts.input ?? "");
  });
}

/** @typedef {{ urn: string, type: string, id?: string, inputs?: Record<string, unknown>, outputs?: Record<string, unknown> }} StateResource */

/** A stack of a Pulumi project in its own folder, with its own file backend. */
class Stack {
  /** @param {string} dir @param {NodeJS.ProcessEnv} env @param {boolean} echo */
  constructor(dir, env, echo) {
    this.dir = dir;
    this.env = env;
    this.echo = echo;
  }

  /**
   * Writes the project's files, runs `pulumi stack init`, then sets the emulator's settings (secrets piped
   * with --secret, as examples/pipelines/set-stack-config.sh does) and any other config.
   * @param {NodeJS.ProcessEnv} baseEnv from {@link cliEnv}
   * @param {{ files: Record<string, string>, emulatorUrl: string, secrets?: { clientSecret: string, refreshToken: string },
   *   config?: Record<string, string>, echo?: boolean, dir?: string }} opts `files`: name to content (Pulumi.yaml,
   *   the program...); `dir`: an existing project folder with its own node_modules (default: a new folder in the
   *   workspace, which finds the workspace's node_modules)
   * @returns {Promise<Stack>}
   */
  static async create(baseEnv, opts) {
    const work = path.join(ROOT, ".cache/pulumi/work");
    fs.mkdirSync(work, { recursive: true });
    const dir = opts.dir ?? fs.mkdtempSync(path.join(work, "stack-"));
    for (const [f, text] of Object.entries(opts.files)) fs.writeFileSync(path.join(dir, f), text);
    fs.mkdirSync(path.join(dir, ".state"));
    const env = {
      ...baseEnv,
      PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    };
    const stack = new Stack(dir, env, opts.echo ?? false);
    await stack.ok(["stack", "init", "test"]);
    const settings = {
      endpoint: opts.emulatorUrl,
      authority: opts.emulatorUrl,
      tenantId: PARTNER_TENANT_ID,
      clientId: "local-client",
      // The emulator is on loopback: say so, or the provider refuses to send it credentials (SECURITY.md).
      allowLoopbackWithCredentials: "true",
    };
    for (const [k, v] of Object.entries(settings)) await stack.ok(["config", "set", `partnercenter:${k}`, v]);
    const secrets = opts.secrets ?? {
      clientSecret: "local-client-secret",
      refreshToken: "local-refresh-token",
    };
    for (const [k, v] of Object.entries(secrets)) await stack.setSecret(k, v);
    for (const [k, v] of Object.entries(opts.config ?? {})) await stack.ok(["config", "set", k, v]);
    return stack;
  }

  /**
   * `pulumi <args>`; the exit code is the caller's to check.
   * @param {string[]} args @param {NodeJS.ProcessEnv} [extraEnv] @param {string} [input]
   * @returns {Promise<Result>}
   */
  pulumi(args, extraEnv = {}, input) {
    if (this.echo) process.stdout.write(`\n$ pulumi ${args.join(" ")}\n`);
    return run("pulumi", [...args, "--non-interactive", "--color=never"], {
      cwd: this.dir,
      env: { ...this.env, ...extraEnv },
      echo: this.echo,
      ...(input !== undefined && { input }),
    });
  }

  /** `pulumi <args>`, which must succeed. @param {string[]} args @returns {Promise<string>} */
  async ok(args) {
    const r = await this.pulumi(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.out}`);
    return r.out;
  }

  /** A secret piped on stdin, never on the command line. @param {string} key @param {string} value */
  async setSecret(key, value) {
    const r = await this.pulumi(["config", "set", "--secret", `partnercenter:${key}`], {}, value);
    if (r.code !== 0) throw new Error(`config set ${key} exited ${r.code}:\n${r.out}`);
  }

  /** The checkpoint as `pulumi stack export` prints it: what anyone with read access to the backend sees. */
  async stateText() {
    const r = await run("pulumi", ["stack", "export", "--non-interactive"], { cwd: this.dir, env: this.env });
    if (r.code !== 0) throw new Error(`pulumi stack export exited ${r.code}:\n${r.out}`);
    return r.out;
  }

  /** Resources of one type in the state. @param {string} type @returns {Promise<StateResource[]>} */
  async resources(type) {
    const s = JSON.parse(await this.stateText());
    return (s.deployment.resources || []).filter((/** @type {StateResource} */ r) => r.type === type);
  }

  /** The state file on the file backend (undefined before the first update). @returns {string | undefined} */
  stateFile() {
    const stacks = path.join(this.dir, ".state/.pulumi/stacks");
    const find = (/** @type {string} */ d) =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) =>
          e.isDirectory() ? find(path.join(d, e.name)) : e.name === "test.json" ? [path.join(d, e.name)] : [],
        );
    return find(stacks)[0];
  }

  /** The state file's size in bytes. */
  stateBytes() {
    const file = this.stateFile();
    return file ? fs.statSync(file).size : 0;
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The files of a project folder (not recursive), to give to {@link Stack.create}. @param {string} dir */
function projectFiles(dir) {
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

/**
 * A Pulumi YAML project declaring reseller relationships through the provider plugin of this workspace
 * (provider/bin). @param {string} project
 * @param {{ name: string, customerId: string, protect?: boolean }[]} customers @returns {string} Pulumi.yaml
 */
function pluginYaml(project, customers) {
  const lines = [
    `name: ${project}`,
    "runtime: yaml",
    "plugins:",
    "  providers:",
    "    - name: partnercenter",
    `      path: ${path.join(ROOT, "provider/bin")}`,
    customers.length ? "resources:" : "resources: {}",
  ];
  for (const c of customers) {
    lines.push(`  ${c.name}:`, "    type: partnercenter:index:ResellerRelationship", "    properties:");
    lines.push(
      `      customerId: ${c.customerId}`,
      ...(c.protect ? ["    options:", "      protect: true"] : []),
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A real-CLI test file's setup (jest): the CLI's environment, one emulator on loopback for the file, reset
 * before each test, and the stacks a test pushes on `stacks` removed at the end.
 * @param {Record<string, unknown>} [emulatorOptions] for `startEmulator`; the throttle is off unless given
 * @returns {{ env: NodeJS.ProcessEnv, emulator: import("pulumi-partner-center-emulator").Emulator, stacks: Stack[] }}
 */
function cliSuite(emulatorOptions = { throttle: false }) {
  const suite = /** @type {any} */ ({ env: {}, emulator: undefined, stacks: [] });
  beforeAll(async () => {
    suite.env = cliEnv();
    suite.emulator = await require("pulumi-partner-center-emulator").startEmulator(emulatorOptions);
  });
  afterAll(async () => {
    await suite.emulator?.close();
    for (const s of suite.stacks) s.remove();
  });
  beforeEach(() => suite.emulator.reset());
  return suite;
}

module.exports = { cliEnv, cliSuite, run, Stack, projectFiles, pluginYaml, PASSPHRASE };
