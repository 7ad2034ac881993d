/**
 * A stand-in `pulumi` on PATH for the `partner-center` commands: it answers `config --json --stack S` from
 * `config-S.json` in its directory and records every call's arguments and standard input, so a test can prove
 * that a secret arrived on standard input and never on the command line.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const SCRIPT = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const dir = __dirname, argv = process.argv.slice(2);
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify({ argv, stdin: input }) + "\\n");
  const stack = argv[argv.indexOf("--stack") + 1];
  if (argv[0] === "config" && argv.includes("--json")) {
    const f = path.join(dir, "config-" + stack + ".json");
    if (!fs.existsSync(f)) { process.stderr.write("error: no stack named '" + stack + "' found\\n"); process.exit(255); }
    process.stdout.write(fs.readFileSync(f));
    process.exit(0);
  }
  if (argv[0] === "config" && argv[1] === "set") {
    if (fs.existsSync(path.join(dir, "refuse"))) { process.stderr.write("error: the passphrase is wrong\\n"); process.exit(1); }
    process.exit(0);
  }
  process.exit(0);
});
`;

export interface FakePulumi {
  dir: string;
  /** The environment with this `pulumi` first on PATH. */
  env(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Sets a stack's config: key → value, or {value, secret}. */
  stack(name: string, config: Record<string, string | { value: string; secret: boolean }>): void;
  /** Every call so far. */
  calls(): { argv: string[]; stdin: string }[];
  /** Makes `config set` fail. */
  refuse(): void;
  remove(): void;
}

export function fakePulumi(): FakePulumi {
  const dir = mkdtempSync(path.join(tmpdir(), "fake-pulumi-"));
  writeFileSync(path.join(dir, "pulumi"), SCRIPT, { mode: 0o755 });
  appendFileSync(path.join(dir, "calls.jsonl"), "");
  return {
    dir,
    env: (base) => ({ ...base, PATH: `${dir}${path.delimiter}${process.env.PATH ?? ""}` }),
    stack(name, config) {
      const doc: Record<string, { value: string; secret: boolean }> = {};
      for (const [k, v] of Object.entries(config))
        doc[k] = typeof v === "string" ? { value: v, secret: false } : v;
      writeFileSync(path.join(dir, `config-${name}.json`), JSON.stringify(doc));
    },
    calls: () =>
      readFileSync(path.join(dir, "calls.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { argv: string[]; stdin: string }),
    refuse: () => writeFileSync(path.join(dir, "refuse"), ""),
    remove: () => (existsSync(dir) ? rmSync(dir, { recursive: true, force: true }) : undefined),
  };
}
