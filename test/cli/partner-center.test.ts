/**
 * The `partner-center` dispatcher: help, version, unknown commands, and the older tools wired as subcommands
 * (readiness with a stack's settings, audit, the estate placeholder); the built bin, spawned.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main, USAGE } from "../../provider/src/cli/index";
import { SAMPLE_CUSTOMERS } from "../../packages/emulator/src";
import { cliFixture } from "./fixture";

const BIN = path.resolve(__dirname, "../../provider/dist/cli/index.js");
const VERSION = (
  JSON.parse(readFileSync(path.resolve(__dirname, "../../provider/package.json"), "utf8")) as {
    version: string;
  }
).version;
const f = cliFixture({});

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, f.pulumi.env(env));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("help lists every command; no command is a usage error; --version is the package's", async () => {
  const help = await run(["--help"]);
  expect(help.code).toBe(0);
  for (const c of ["login", "doctor", "estate", "readiness", "audit"])
    expect(help.out).toMatch(new RegExp(`^  ${c} `, "m"));
  expect((await run([])).code).toBe(2);
  expect((await run(["--version"])).out).toBe(VERSION);
  const unknown = await run(["logn"]);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('unknown command "logn"');
});

test("each command has --help, and `help <command>` shows it", async () => {
  for (const c of ["login", "doctor", "readiness", "audit"]) {
    const r = await run([c, "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: partner-center/);
    expect(r.out).toMatch(/[Ee]xit code/);
  }
  expect((await run(["help", "doctor"])).out).toContain("Usage: partner-center doctor");
});

test("readiness --stack: the stack's settings reach a command that reads the environment", async () => {
  f.pulumi.stack("dev", {
    "partnercenter:endpoint": f.emulator.url,
    "partnercenter:authority": f.emulator.url,
    "partnercenter:tenantId": "0a0a0a0a-0000-4000-8000-00000000000a",
    "partnercenter:clientId": "pipeline",
    "partnercenter:refreshToken": { value: "stack-refresh-token-0123", secret: true },
    "partnercenter:allowLoopbackWithCredentials": "true",
  });
  const r = await run(["readiness", "--stack", "dev", "--json", SAMPLE_CUSTOMERS.clean]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out).summary).toMatchObject({ removable: 1, exitCode: 0 });
  expect(r.out + r.err).not.toContain("stack-refresh-token-0123");
  // Without the stack, the same environment has no credentials: a usage error.
  expect((await run(["readiness", SAMPLE_CUSTOMERS.clean])).code).toBe(2);
  expect((await run(["readiness", "--stack", "nosuch", SAMPLE_CUSTOMERS.clean])).code).toBe(2);
});

test("audit: the configured trail when no FILE is given, also with --operation ID; --stack=NAME is taken out", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ppc-dispatch-"));
  const trail = path.join(dir, "trail.jsonl");
  const line = (operationId: string) =>
    `${JSON.stringify({ version: 2, operationId, op: "removal", phase: "outcome", outcome: "removed", customer: { id: SAMPLE_CUSTOMERS.clean, name: operationId } })}\n`;
  writeFileSync(trail, line("op-a") + line("op-b"));
  const all = await run(["audit", "--json"], { PARTNER_CENTER_AUDIT_LOG: trail });
  expect(all.code).toBe(0);
  expect((JSON.parse(all.out) as { operations: unknown[] }).operations).toHaveLength(2);
  const one = await run(["audit", "--json", "--operation", "op-b"], { PARTNER_CENTER_AUDIT_LOG: trail });
  expect(one.code).toBe(0);
  expect((JSON.parse(one.out) as { operations: { operationId: string }[] }).operations).toEqual([
    expect.objectContaining({ operationId: "op-b" }),
  ]);
  expect((await run(["audit", "--stack="])).err).toContain("--stack needs a stack name");
  expect((await run(["readiness", "--stack=nosuch", SAMPLE_CUSTOMERS.clean])).code).toBe(2);
});

test("estate is routed with the dispatcher's output and environment: its help, and a missing setting named", async () => {
  const help = await run(["estate", "--help"]);
  expect(help.code).toBe(0);
  expect(help.out).toMatch(/Usage: partner-center estate <command>/);
  const missing = await run(["estate", "export"], { PARTNER_CENTER_TENANT_ID: "" });
  expect(missing.code).toBe(2);
  expect(missing.err).toMatch(/^partner-center estate: .*PARTNER_CENTER_/);
});

test("the built bin runs: partner-center --version and an unknown command", async () => {
  const spawn = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, ...args], (e, stdout, stderr) =>
        resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr }),
      );
    });
  expect(await spawn(["--version"])).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  const bad = await spawn(["nope"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(USAGE.split("\n")[0]);
});
