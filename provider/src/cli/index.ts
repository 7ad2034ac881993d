#!/usr/bin/env node
/**
 * `partner-center`: one command-line tool with subcommands, in the style of `gh` and `az`. Each subcommand has
 * `--help`, `--json` and documented exit codes, prints no secret, and takes its settings from the environment and,
 * except `estate`, with `--stack NAME` from that stack's config (through the Pulumi CLI), as the provider does.
 * `estate`'s `--stack` names the stack whose state it reads.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { main as auditMain, namesTrailFile } from "./audit-report";
import { main as doctorMain } from "./doctor";
import { main as estateMain } from "./estate";
import { STDIO, type CliIo } from "./io";
import { main as loginMain } from "./login";
import { main as readinessMain } from "./readiness";
import { readStackConfig, stackEnvironment, StackError } from "./stack";

/** Exit code of a usage error, the same for every subcommand. */
export const USAGE_EXIT = 2;

const COMMANDS: Record<string, string> = {
  login: "sign in (device code, MFA) and store the refresh token in a stack or print it",
  doctor: "read-only checks of settings, token, access, consent, clock and contract, with next steps",
  estate: "export the live partner to an estate file, or plan it against the stack",
  readiness: "whether each customer's reseller relationship can be removed now, and what blocks it",
  audit: "the audit trail's operations, as text, Markdown or JSON",
};

export const USAGE = `Usage: partner-center <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([c, d]) => `  ${c.padEnd(10)} ${d}`)
  .join("\n")}

Run partner-center <command> --help for a command's options and exit codes.
Settings come from the environment (PARTNER_CENTER_*) and, except for estate (whose --stack names the state it
reads), from a stack's config with --stack NAME (pulumi config --show-secrets --json, through the Pulumi CLI). No command prints a secret,
except login --print-token, which prints the refresh token it was asked for.
  --version   the version of pulumi-partner-center
  --help      this text`;

/** The package's version, from its package.json. */
export function version(): string {
  try {
    return (
      JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }
    ).version;
  } catch {
    return "unknown";
  }
}

/** Takes `--stack NAME` (or `--stack=NAME`) out of `argv`; the rest goes to the subcommand as it was. */
function takeStack(argv: readonly string[]): { stack: string | undefined; rest: string[] } {
  const args = [...argv];
  const { tokens } = parseArgs({
    args,
    options: { stack: { type: "string" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const taken = new Set<number>();
  let stack: string | undefined;
  for (const t of tokens) {
    if (t.kind !== "option" || t.name !== "stack" || t.rawName !== "--stack") continue;
    stack = t.value ?? "";
    taken.add(t.index);
    if (t.inlineValue === false) taken.add(t.index + 1);
  }
  return { stack, rest: args.filter((_, i) => !taken.has(i)) };
}

/** Runs `partner-center <argv>`; returns the exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = STDIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    if (command === "help" && args[0] && args[0] in COMMANDS) return main([args[0], "--help"], io, env);
    io.out(USAGE);
    return command === undefined ? USAGE_EXIT : 0;
  }
  if (command === "--version" || command === "-v") {
    io.out(version());
    return 0;
  }
  switch (command) {
    case "login":
      return loginMain(args, io, env);
    case "doctor":
      return doctorMain(args, io, env);
    case "estate":
      // Its --stack names the stack whose state plan and unprotect read; its settings come from the environment.
      return estateMain(args, io, env);
    case "readiness":
    case "audit": {
      // These read the environment only: a stack's settings reach them as the environment variables.
      const { stack, rest } = takeStack(args);
      let runEnv = env;
      if (stack !== undefined) {
        if (!stack) {
          io.err(`partner-center ${command}: --stack needs a stack name`);
          return USAGE_EXIT;
        }
        try {
          runEnv = stackEnvironment((await readStackConfig(stack, env)).config, env);
        } catch (e) {
          io.err(`partner-center ${command}: ${e instanceof StackError ? e.message : String(e)}`);
          return USAGE_EXIT;
        }
      }
      if (command === "readiness") return readinessMain(rest, io, runEnv);
      // The trail named by the settings when no FILE is given.
      const trail = runEnv.PARTNER_CENTER_AUDIT_LOG;
      const withFile = namesTrailFile(rest) || rest.includes("--help") || !trail ? rest : [...rest, trail];
      return auditMain(
        withFile,
        (s) => io.out(s.replace(/\n$/, "")),
        (s) => io.err(s.replace(/\n$/, "")),
      );
    }
    default:
      io.err(`partner-center: unknown command "${command}"\n\n${USAGE}`);
      return USAGE_EXIT;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`partner-center: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
