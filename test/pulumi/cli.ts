/**
 * Driving the real `pulumi` CLI (built by scripts/pulumi-cli.sh) against the emulator: one stack per test on
 * a file backend, in a copy of test/pulumi/program under the git-ignored .cache folder (so that Node finds the
 * workspace's node_modules, as a user's project finds its own).
 *
 * Commands run asynchronously: the emulator runs in this process, so a blocking spawn would stall it.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
export const TYPE = "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship";
export const PASSPHRASE = "real-cli-suite-passphrase";

/** The environment scripts/pulumi-cli.sh prints (`--env`), applied to this process's. Builds the CLI if needed. */
export function cliEnv(): NodeJS.ProcessEnv {
  const out = execFileSync("bash", ["-c", 'eval "$(scripts/pulumi-cli.sh --env)" && env -0'], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  const env: NodeJS.ProcessEnv = {};
  for (const kv of out.split("\0")) {
    const i = kv.indexOf("=");
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

export interface Result {
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  out: string;
}

/** Runs a command to completion without blocking the event loop. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
    child.stdin.end(opts.input ?? "");
  });
}

export interface Customer {
  name: string;
  customerId: string;
  suspendActiveSubscriptions?: boolean;
  protect?: boolean;
  importId?: string;
}

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** A stack of the test program, with its own project copy and file backend. */
export class Stack {
  private constructor(
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** `pulumi stack init`, then the emulator's settings (secrets with --secret) and the customers. */
  static async create(
    baseEnv: NodeJS.ProcessEnv,
    emulatorUrl: string,
    customers: Customer[],
    secrets = { clientSecret: "suite-client-secret", refreshToken: "suite-refresh-token" },
  ): Promise<Stack> {
    const work = path.join(ROOT, ".cache/pulumi/work");
    fs.mkdirSync(work, { recursive: true });
    const dir = fs.mkdtempSync(path.join(work, "stack-"));
    for (const f of fs.readdirSync(path.join(__dirname, "program")))
      fs.copyFileSync(path.join(__dirname, "program", f), path.join(dir, f));
    fs.mkdirSync(path.join(dir, ".state"));
    const env = {
      ...baseEnv,
      PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    };
    const stack = new Stack(dir, env);
    await stack.ok(["stack", "init", "test"]);
    for (const [k, v] of Object.entries({
      endpoint: emulatorUrl,
      authority: emulatorUrl,
      tenantId: "0a0a0a0a-0000-4000-8000-00000000000a",
      clientId: "suite-client",
    }))
      await stack.ok(["config", "set", `partnercenter:${k}`, v]);
    for (const [k, v] of Object.entries(secrets)) await stack.setSecret(k, v);
    await stack.setCustomers(customers);
    return stack;
  }

  /** `pulumi <args>`; the exit code is the caller's to check. */
  pulumi(args: string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string): Promise<Result> {
    return run("pulumi", [...args, "--non-interactive", "--color=never"], {
      cwd: this.dir,
      env: { ...this.env, ...extraEnv },
      ...(input !== undefined && { input }),
    });
  }

  /** `pulumi <args>`, which must succeed. */
  async ok(args: string[]): Promise<string> {
    const r = await this.pulumi(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.out}`);
    return r.out;
  }

  /** A secret piped on stdin, never on the command line (as examples/pipelines/set-stack-config.sh does). */
  async setSecret(key: string, value: string): Promise<void> {
    const r = await this.pulumi(["config", "set", "--secret", `partnercenter:${key}`], {}, value);
    if (r.code !== 0) throw new Error(`config set ${key} exited ${r.code}:\n${r.out}`);
  }

  async setCustomers(customers: Customer[]): Promise<void> {
    await this.ok(["config", "set", "customers", JSON.stringify(customers)]);
  }

  /** The raw checkpoint text: what anyone with read access to the backend sees. */
  async stateText(): Promise<string> {
    return this.ok(["stack", "export"]);
  }

  /** The stack's ResellerRelationship resources, from `pulumi stack export`. */
  async relationships(): Promise<StateResource[]> {
    const s = JSON.parse(await this.stateText()) as { deployment: { resources?: StateResource[] } };
    return (s.deployment.resources ?? []).filter((r) => r.type === TYPE);
  }

  async names(): Promise<string[]> {
    return (await this.relationships()).map((r) => r.urn.split("::").pop() ?? "").sort();
  }

  async urn(name: string): Promise<string> {
    const r = (await this.relationships()).find((x) => x.urn.endsWith(`::${name}`));
    if (!r) throw new Error(`${name} is not in the stack`);
    return r.urn;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
