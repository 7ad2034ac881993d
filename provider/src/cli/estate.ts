/**
 * `partner-center estate`: export and plan the estate file. A placeholder until the estate commands land: it
 * says so and exits 2 ("could not run").
 */
export async function main(argv: string[]): Promise<number> {
  void argv;
  process.stderr.write("partner-center estate: not available in this version.\n");
  return 2;
}
