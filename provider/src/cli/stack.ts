/**
 * Settings for the `partner-center` commands from the same places as the provider: a stack's config (through
 * the Pulumi CLI, `--stack <name>`) or the environment. And the one way a secret is handed to a stack: on the
 * standard input of `pulumi config set --secret`, never on its command line (where `ps` and shell history see it).
 */
import { spawn } from "node:child_process";
import { registerSecret, redact } from "../errors";
import { closestKey as closestSetting, isSettingKey, SETTINGS } from "../settings";

/** A failure to read or write a stack through the Pulumi CLI: the command could not do its work (exit 2). */
export class StackError extends Error {}

/** The output of one Pulumi CLI run. */
export interface PulumiResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `pulumi <args>` (found on the PATH of `env`), `input` on its standard input. Rejects with StackError when
 * there is no `pulumi` to run.
 */
export function runPulumi(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input = "",
): Promise<PulumiResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        new StackError(
          e.code === "ENOENT"
            ? "the Pulumi CLI (pulumi) is not on PATH: install it, or give the settings as environment variables instead of --stack"
            : `could not run the Pulumi CLI: ${e.message}`,
        ),
      ),
    );
    child.on("close", (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.on("error", () => undefined); // a CLI that exits without reading its input
    child.stdin.end(input);
  });
}

/** The first line of the Pulumi CLI's complaint, with every known secret masked. */
function complaint(r: PulumiResult): string {
  const line = (r.stderr || r.stdout).split(/\r?\n/).find((l) => l.trim()) ?? `exit code ${r.code}`;
  return redact(line.trim()).slice(0, 300);
}

/** A stack's `partnercenter:` settings, and the keys under that namespace the provider does not know. */
export interface StackConfig {
  /** `partnercenter:<key>` → value (secrets decrypted: never print them). */
  config: Record<string, string>;
  /** Unknown `partnercenter:` keys, each with the known key it most likely means. */
  unknown: { key: string; suggestion: string | undefined }[];
}

/**
 * Reads a stack's config with `pulumi config --show-secrets --json --stack <stack>`. Secret values are registered
 * with `registerSecret`, so no message can show them. @throws StackError naming the stack and what went wrong.
 */
export async function readStackConfig(stack: string, env: NodeJS.ProcessEnv): Promise<StackConfig> {
  const r = await runPulumi(["config", "--show-secrets", "--json", "--stack", stack], env);
  if (r.code !== 0) throw new StackError(`could not read the config of stack "${stack}": ${complaint(r)}`);
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new StackError(`pulumi config --json for stack "${stack}" did not answer JSON`);
  }
  const config: Record<string, string> = {};
  const unknown: StackConfig["unknown"] = [];
  for (const [key, entry] of Object.entries(
    (doc ?? {}) as Record<string, { value?: unknown; secret?: unknown }>,
  )) {
    if (!key.startsWith("partnercenter:")) continue;
    const value = entry?.value;
    const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
    if (entry?.secret === true && text) registerSecret(text);
    const name = key.slice("partnercenter:".length);
    if (isSettingKey(name)) config[key] = text;
    else unknown.push({ key, suggestion: closestKey(name) });
  }
  return { config, unknown };
}

/** The known key closest to `name` (case or a few letters apart), or undefined when none is close. */
export function closestKey(name: string): string | undefined {
  const best = closestSetting(name);
  return best.near ? `partnercenter:${best.key}` : undefined;
}

/**
 * The environment a command that reads only the environment sees for a stack: each `partnercenter:<key>` of the
 * stack as its environment variable, over the caller's environment (stack config wins, as in the provider).
 */
export function stackEnvironment(config: Record<string, string>, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [key, value] of Object.entries(config)) {
    const name = key.slice("partnercenter:".length);
    const variable = isSettingKey(name) ? SETTINGS[name].env : undefined;
    if (variable && value !== "") out[variable] = value;
  }
  return out;
}

/**
 * Stores a secret in a stack: `pulumi config set --secret <key> --stack <stack>`, the value on standard input.
 * @throws StackError when the Pulumi CLI is missing or refuses.
 */
export async function setStackSecret(
  stack: string,
  key: string,
  value: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const r = await runPulumi(["config", "set", "--secret", key, "--stack", stack], env, `${value}\n`);
  if (r.code !== 0) throw new StackError(`could not store ${key} in stack "${stack}": ${complaint(r)}`);
}
