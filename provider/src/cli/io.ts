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
