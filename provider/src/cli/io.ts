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
