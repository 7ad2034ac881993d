import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Where a `partner-center` command writes: standard output for results, standard error for progress and errors. */
export interface CliIo {
  out(s: string): void;
  err(s: string): void;
}

/** The process's own streams, one line per call. */
export const STDIO: CliIo = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

/**
 * A command's options from `parse` (node:util parseArgs): its values, or the exit code when it printed its help
 * (0) or a usage error naming the bad argument (2).
 */
export function commandOptions<V extends { help?: boolean | undefined }>(
  command: string,
  usage: string,
  io: CliIo,
  parse: () => { values: V },
): V | number {
  try {
    const { values } = parse();
    if (!values.help) return values;
    io.out(usage);
    return 0;
  } catch (e) {
    io.err(`partner-center ${command}: ${e instanceof Error ? e.message : String(e)}\n\n${usage}`);
    return 2;
  }
}

/** A command line as {@link readArgs} read it. */
export interface ReadArgs {
  /**
   * The options given, by name: a flag's value is true; a string option's is its text, or "" when it came
   * last with no value (so "missing" and "empty" read alike, and each command words that error itself).
   */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /**
   * The first argument that is none of the options, as typed: an unknown option (`--nope`, `-x`), a value
   * given to a flag (`--json=yes`), or `--`. Undefined when there is none.
   */
  unknown: string | undefined;
}

/**
 * `argv` read by node:util `parseArgs` leniently (not `strict`), so that a command words its own usage errors
 * and keeps its exit codes: `--name value` and `--name=value`, flags, positionals, and what is not an option.
 * A string option takes the next argument as its value even when it starts with `-` (POSIX utility
 * conventions), so `--concurrency --json` reads "--json" as the concurrency and the command rejects it.
 */
export function readArgs(argv: readonly string[], options: Options): ReadArgs {
  const args = [...argv];
  const { values, positionals, tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  let unknown: string | undefined;
  for (const t of tokens) {
    const bad =
      t.kind === "option-terminator" ||
      (t.kind === "option" &&
        (!Object.hasOwn(options, t.name) || (options[t.name]?.type === "boolean" && t.value !== undefined)));
    if (bad) {
      unknown = args[t.index];
      break;
    }
  }
  const read: Record<string, string | boolean | undefined> = {};
  for (const [name, v] of Object.entries(values)) {
    if (!Object.hasOwn(options, name)) continue;
    // Lenient parsing records a string option given without a value as `true`.
    read[name] = options[name]?.type === "string" && typeof v !== "string" ? "" : (v as string | boolean);
  }
  return { values: read, positionals, unknown };
}
