/**
 * The program-side filter for @pulumi/pulumi's "Resource monitor is terminating" rejection, in a real Node process
 * (the filter changes process-wide behaviour, so it is not installed in jest's own process).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const MODULE = path.resolve(__dirname, "../../provider/dist/program-exit.js");

/** Runs a child that installs the filter as if it were @pulumi/pulumi's runner, then rejects `reasons`. */
function child(main: string, reasons: string): { status: number | null; stderr: string } {
  const script = `
    require(${JSON.stringify(MODULE)}).quietMonitorTermination(${JSON.stringify(main)});
    process.on("unhandledRejection", (e) => { console.error("unhandled: " + e.message); process.exitCode = 1; });
    const grpc = (code, message) => Object.assign(new Error(message), { code });
    for (const r of ${reasons}) Promise.reject(r);
  `;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

const RUNNER = "/project/node_modules/@pulumi/pulumi/cmd/run/index.js";

test("the SDK's monitor-termination rejection is not reported, and the program ends with 'already reported' (32)", () => {
  const r = child(
    RUNNER,
    `[grpc(14, "Resource monitor is terminating"), grpc(1, "Resource monitor is terminating")]`,
  );
  expect(r.stderr).toBe("");
  expect(r.status).toBe(32);
});

test("any other rejection still reaches the SDK's handlers", () => {
  const r = child(
    RUNNER,
    `[grpc(14, "14 UNAVAILABLE: no connection"), new Error("a bug"), grpc(2, "Resource monitor is terminating")]`,
  );
  expect(r.stderr).toContain("unhandled: 14 UNAVAILABLE: no connection");
  expect(r.stderr).toContain("unhandled: a bug");
  expect(r.stderr).toContain("unhandled: Resource monitor is terminating");
  expect(r.status).toBe(1);
});

test("outside @pulumi/pulumi's runner nothing is filtered", () => {
  const r = child("/project/index.js", `[grpc(14, "Resource monitor is terminating")]`);
  expect(r.stderr).toContain("unhandled: Resource monitor is terminating");
  expect(r.status).toBe(1);
});
