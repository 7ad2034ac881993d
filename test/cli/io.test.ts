/**
 * The command lines of `partner-center readiness` and `partner-center audit`, read with node:util parseArgs
 * (cli/io.ts readArgs): the options each takes, in both `--name value` and `--name=value` forms, and the
 * usage error naming the bad argument for anything else.
 */
import { readArgs } from "../../provider/src/cli/io";
import { parseArgs as readinessArgs } from "../../provider/src/cli/readiness";
import { namesTrailFile, parseArgs as auditArgs } from "../../provider/src/cli/audit-report";

const A = "3b7c1f8e-2d4a-4f6b-9c1e-5a8d7e6f4b2c";
const B = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";

describe("readArgs", () => {
  const options = { json: { type: "boolean" }, name: { type: "string" } } as const;

  test("flags, string options in both forms, positionals", () => {
    expect(readArgs(["--json", "--name", "x", "p"], options)).toEqual({
      values: { json: true, name: "x" },
      positionals: ["p"],
      unknown: undefined,
    });
    expect(readArgs(["--name=y"], options).values).toEqual({ name: "y" });
  });

  test("a string option with no value reads as empty; the next argument is its value even if it looks like an option", () => {
    expect(readArgs(["--name"], options).values).toEqual({ name: "" });
    expect(readArgs(["--name", "--json"], options).values).toEqual({ name: "--json" });
  });

  test("the first argument that is not an option is returned as typed", () => {
    expect(readArgs(["--json", "--nope", "--other"], options).unknown).toBe("--nope");
    expect(readArgs(["-xy"], options).unknown).toBe("-xy");
    expect(readArgs(["--json=yes"], options).unknown).toBe("--json=yes");
    expect(readArgs(["p", "--", "q"], options).unknown).toBe("--");
    expect(readArgs(["--nope"], options).values).toEqual({});
  });
});

describe("partner-center-readiness arguments", () => {
  test("ids (lower-cased), --json, --all and --concurrency", () => {
    expect(readinessArgs([A.toUpperCase(), "--json", B])).toEqual({
      json: true,
      all: false,
      ids: [A, B],
      concurrency: 8,
    });
    expect(readinessArgs(["--all", "--concurrency", "16"])).toMatchObject({ all: true, concurrency: 16 });
    expect(readinessArgs(["--all", "--concurrency=3"])).toMatchObject({ concurrency: 3 });
  });

  test.each([
    [["--all", "--concurrency"], "--concurrency takes a whole number from 1 to 64"],
    [["--all", "--concurrency", "0"], "--concurrency takes a whole number from 1 to 64"],
    [["--all", "--concurrency", "65"], "--concurrency takes a whole number from 1 to 64"],
    [["--all", "--concurrency", "2.5"], "--concurrency takes a whole number from 1 to 64"],
    [["--all", "--concurrency", "--json"], "--concurrency takes a whole number from 1 to 64"],
    [
      [A, "--verbose"],
      'unknown argument "--verbose": expected --json, --all, --concurrency N or a customer tenant GUID',
    ],
    [["--json=1", A], 'unknown argument "--json=1"'],
    [[A, "not-a-guid"], 'unknown argument "not-a-guid"'],
    [[A, "--all"], "give customer tenant ids, or --all (not both, not neither)"],
    [["--json"], "give customer tenant ids, or --all (not both, not neither)"],
  ])("%j: %s", (argv, message) => {
    expect(() => readinessArgs(argv)).toThrow(message);
  });
});

describe("partner-center-audit arguments", () => {
  test("the FILE, a format, --operation and --reconcile", () => {
    expect(auditArgs(["t.jsonl"])).toEqual({ format: "text", reconcile: false, file: "t.jsonl" });
    expect(auditArgs(["--json", "--operation", "op-1", "--reconcile", "t.jsonl"])).toEqual({
      format: "json",
      reconcile: true,
      operation: "op-1",
      file: "t.jsonl",
    });
    expect(auditArgs(["--markdown", "--markdown", "--operation=op-2", "t.jsonl"])).toMatchObject({
      format: "markdown",
      operation: "op-2",
    });
  });

  test.each([
    [["--markdown", "--json", "t"], "give --markdown or --json, not both"],
    [["t", "--operation"], "--operation takes an operationId"],
    [["--nope", "t"], 'unknown option "--nope": expected --markdown, --json, --operation ID or --reconcile'],
    [[], "give exactly one trail FILE"],
    [["a", "b"], "give exactly one trail FILE"],
  ])("%j: %s", (argv, message) => {
    expect(() => auditArgs(argv)).toThrow(message);
  });

  test("an --operation id is not taken for the trail FILE", () => {
    expect(namesTrailFile(["--operation", "op-1"])).toBe(false);
    expect(namesTrailFile(["--json", "t.jsonl"])).toBe(true);
  });
});
