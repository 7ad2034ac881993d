/**
 * The audit trail under the real Pulumi CLI: a `pulumi destroy` killed (SIGKILL) while the relationship PATCH
 * is in flight. The trail already holds the write's intent with the MS-RequestId it sent; the orphaned
 * provider process notices its engine is gone and exits without sending more; after `pulumi cancel`, the
 * next refresh settles the intent from what Partner Center shows, and the report says so.
 * `npm run test:pulumi`; not part of `npm test`.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { SAMPLE_CUSTOMERS as ID, startEmulator, type Emulator } from "pulumi-partner-center-emulator";
import type { AuditRecord } from "../../provider/src/audit";
import { ROOT, TYPE } from "../support/host";
import { cliEnv, projectFiles, run, Stack } from "../support/pulumi";

/** The CLI's environment and the emulator, shared by the file's tests; the stacks made, removed at the end. */
const shared: { env: NodeJS.ProcessEnv; emulator?: Emulator; stacks: Stack[] } = { env: {}, stacks: [] };

beforeAll(async () => {
  shared.env = cliEnv();
  shared.emulator = await startEmulator({ throttle: false });
});
afterAll(async () => {
  await shared.emulator?.close();
  shared.stacks.forEach((s) => s.remove());
});

function trail(file: string): AuditRecord[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

async function until<T>(what: string, f: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    // A zombie is not running: it only waits to be reaped.
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
};

test("destroy killed while the PATCH is in flight: the intent is on record; cancel, refresh settles it from Partner Center", async () => {
  const { env, stacks } = shared;
  const emulator = shared.emulator!;
  const s = await Stack.create(env, {
    files: projectFiles(path.join(__dirname, "program")),
    emulatorUrl: emulator.url,
    config: { customers: JSON.stringify([{ name: "contoso", customerId: ID.clean }]) },
  });
  stacks.push(s);
  const file = path.join(s.dir, "audit.jsonl");
  await s.ok(["config", "set", "partnercenter:auditLog", file]);
  await s.ok(["up", "--yes", "--skip-preview"]);

  // Partner Center applies the removal and holds its answer for two minutes: the CLI is killed meanwhile.
  emulator.addFault({ match: { method: "PATCH", customerId: ID.clean }, kind: "slow", delayMs: 120_000 });
  const destroy = spawn("pulumi", ["destroy", "--yes", "--skip-preview", "--non-interactive"], {
    cwd: s.dir,
    env: s.env,
    stdio: "ignore",
  });
  const intent = await until(
    "the PATCH's intent",
    () => trail(file).find((r) => r.phase === "intent" && r.op === "removal"),
    60_000,
  );
  // Written ahead: the intent is on disk first, then the PATCH reaches Partner Center.
  const sent = await until(
    "the PATCH",
    () => {
      const p = emulator.requests().filter((r) => r.method === "PATCH");
      return p.length > 0 ? p : undefined;
    },
    30_000,
  );
  expect(sent).toHaveLength(1);
  expect(intent.requests).toEqual([
    {
      method: "PATCH",
      path: sent[0]!.path,
      requestId: sent[0]!.requestId,
      correlationId: sent[0]!.correlationId,
    },
  ]);
  await new Promise((r) => {
    destroy.once("exit", r);
    destroy.kill("SIGKILL");
  });

  // The orphaned provider process sees its engine gone and exits well before the answer would come.
  const provider = intent.writer!.pid;
  await until("the orphaned provider to exit", () => !running(provider), 30_000);
  const afterKill = trail(file).filter((r) => r.operationId === intent.operationId);
  expect(afterKill.map((r) => `${r.phase}/${r.outcome}`)).toEqual(["checked/null", "intent/null"]);

  // The report: incomplete, with the request id to quote; exit 1.
  const report = () =>
    run(process.execPath, [path.join(ROOT, "provider/dist/cli/audit-report.js"), file], { cwd: s.dir, env });
  const before = await report();
  expect(before.code).toBe(1);
  expect(before.out).toContain(`sent with no outcome on record: the removal of relationship ${ID.clean}`);
  expect(before.out).toContain(`MS-RequestId ${intent.requests[0]!.requestId}`);

  // The file backend's lock outlives the killed CLI: refresh fails until `pulumi cancel`.
  const locked = await s.pulumi(["refresh", "--yes", "--skip-preview"]);
  expect(locked.code).not.toBe(0);
  expect(locked.out).toMatch(/locked|update.*in progress|currently.*update/i);
  await s.ok(["cancel", "--yes"]);
  const refresh = await s.pulumi(["refresh", "--yes", "--skip-preview"]);
  expect(refresh.code).toBe(0);
  expect(refresh.out).toContain("had no outcome on record");

  const settled = trail(file).filter((r) => r.operationId === intent.operationId);
  expect(settled.map((r) => `${r.phase}/${r.outcome}`)).toEqual([
    "checked/null",
    "intent/null",
    "reconciled/removed",
  ]);
  expect(settled[2]!.requests).toEqual(intent.requests);
  // The customer is gone in Partner Center: refresh dropped it, and the stack agrees.
  expect(await s.resources(TYPE)).toEqual([]);
  expect(emulator.requests().filter((r) => r.method === "PATCH")).toHaveLength(1);
  const after = await report();
  expect(after.code).toBe(0);
  expect(after.out).toContain("removal REMOVED (RECONCILED)");
});
