/**
 * End to end with the real Pulumi CLI: `npm run demo -- --pulumi` runs `pulumi up`, `refresh` and
 * `destroy --target` of the sample estate on a file backend in a temporary directory, against the emulator.
 * The CLI cannot be installed on our build machines (its npm package downloads the binary at run time), so
 * where no `pulumi` binary is on PATH this test is skipped, and its name says why.
 */
import { execFile, spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const pulumi = spawnSync("pulumi", ["version"], { encoding: "utf8" });
const available = pulumi.status === 0;
const name = available
  ? `sample estate with the real pulumi CLI ${pulumi.stdout.trim()}`
  : "sample estate with the real pulumi CLI (skipped: no `pulumi` binary on PATH; install the Pulumi CLI to run it)";

if (!available) console.warn(`Skipped: ${name}`);

(available ? test : test.skip)(
  name,
  async () => {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [path.join(ROOT, "examples/demo/demo.js"), "--pulumi"],
        { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
        (_e, stdout, stderr) => resolve({ code: child.exitCode, out: stdout + stderr }),
      );
    });
    expect(code).toBe(0);
    expect(out).toContain("invType=ResellerRelationship");
    expect(out).toMatch(/cannot be removed yet/);
  },
  600_000,
);
