/**
 * SDKs generated from the provider plugin's schema (tools/pulumi-gen-sdk, pkg/v3's codegen; built by
 * scripts/pulumi-cli.sh): the Node.js SDK compiles and a TypeScript program uses the plugin through it under the
 * real CLI; the Python SDK byte-compiles; the Go SDK builds. (No .NET: its codegen is not in pkg/v3, and no
 * Python `pulumi` package can be installed here, so the Python SDK is not imported.)
 */
import { SAMPLE_CUSTOMERS as ID, startEmulator, type Emulator } from "pulumi-partner-center-emulator";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../support/host";
import { cliEnv, run, Stack } from "../support/pulumi";

const RR = "partnercenter:index:ResellerRelationship";
let env: NodeJS.ProcessEnv;
let emulator: Emulator;
let sdk: string;
const stacks: Stack[] = [];

beforeAll(async () => {
  env = cliEnv();
  emulator = await startEmulator({ throttle: false });
  // Inside the workspace, so that the SDK and the program resolve the same @pulumi/pulumi.
  const work = path.join(ROOT, ".cache/pulumi/work");
  fs.mkdirSync(work, { recursive: true });
  sdk = fs.mkdtempSync(path.join(work, "sdk-"));
  const r = await run(
    "pulumi-gen-sdk",
    [path.join(ROOT, "provider/schema.json"), sdk, "nodejs", "python", "go"],
    {
      cwd: ROOT,
      env,
    },
  );
  if (r.code !== 0) throw new Error(`pulumi-gen-sdk exited ${r.code}:\n${r.out}`);
});
afterAll(async () => {
  await emulator.close();
  for (const s of stacks) s.remove();
  fs.rmSync(sdk, { recursive: true, force: true });
});

test("Node.js SDK: compiles, and a TypeScript program adopts and removes a customer through it", async () => {
  const dir = path.join(sdk, "nodejs");
  // Publishing sets the version; the SDK asks the engine for the plugin of this version.
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  pkg.version = JSON.parse(fs.readFileSync(path.join(ROOT, "provider/package.json"), "utf8")).version;
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg));
  const tsc = await run(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], {
    cwd: dir,
    env,
  });
  // pkg/v3 v3.274.1's codegen emits `exists()` over runtime.existsResource, which @pulumi/pulumi 3.248 does not
  // have yet: the only errors; everything else compiles (and is emitted).
  const errors = tsc.out.split("\n").filter((l) => /error TS/.test(l));
  expect(errors.length).toBeGreaterThan(0);
  expect(errors.filter((l) => !/existsResource/.test(l))).toEqual([]);
  // As the SDK's publishing step does: the compiled package reads its version from its own package.json.
  fs.copyFileSync(path.join(dir, "package.json"), path.join(dir, "bin/package.json"));

  const program = [
    `import * as partnercenter from ${JSON.stringify(path.join(dir, "bin"))};`,
    `const contoso = new partnercenter.ResellerRelationship("contoso", { customerId: "${ID.clean}" });`,
    "export const company = contoso.companyName;",
    "export const invitation = partnercenter.getResellerInvitationUrlOutput({}).url;",
  ].join("\n");
  const s = await Stack.create(env, {
    files: {
      "Pulumi.yaml": [
        "name: partnercenter-sdk",
        "runtime: nodejs",
        "main: index.ts",
        "plugins:",
        "  providers:",
        "    - name: partnercenter",
        `      path: ${path.join(ROOT, "provider/bin")}`,
      ].join("\n"),
      "index.ts": program,
      "tsconfig.json": fs.readFileSync(path.join(__dirname, "program/tsconfig.json"), "utf8"),
    },
    emulatorUrl: emulator.url,
  });
  stacks.push(s);
  await s.ok(["up", "--yes"]);
  const outputs = JSON.parse(await s.ok(["stack", "output", "--json"]));
  expect(outputs.company).toBe("Contoso Clean Ltd");
  expect(outputs.invitation).toMatch(/^https:\/\//);
  expect((await s.resources(RR)).map((r) => r.id)).toEqual([ID.clean]);
  expect(emulator.requests().filter((r) => r.method !== "GET")).toEqual([]);
  await s.ok(["destroy", "--yes"]);
  expect(emulator.state().customers.find((c) => c.id === ID.clean)?.relationshipToPartner).toBe("none");
});

test("Python SDK: every module byte-compiles", async () => {
  const r = await run("python3", ["-m", "compileall", "-q", path.join(sdk, "python")], { cwd: sdk, env });
  expect(r).toEqual({ code: 0, out: "" });
  expect(fs.existsSync(path.join(sdk, "python/pulumi_partnercenter/reseller_relationship.py"))).toBe(true);
});

test("Go SDK: builds against the Pulumi Go SDK", async () => {
  const dir = path.join(sdk, "go");
  fs.writeFileSync(
    path.join(dir, "go.mod"),
    "module github.com/partner-center/pulumi-partner-center/sdk/go\n\ngo 1.26\n\nrequire github.com/pulumi/pulumi/sdk/v3 v3.274.1\n",
  );
  const go = env.GO ?? "go";
  const tidy = await run(go, ["mod", "tidy"], { cwd: dir, env: { ...env, GOFLAGS: "-mod=mod" } });
  expect(tidy.code).toBe(0);
  // -trimpath as the CLI's build, so Go's build cache of the Pulumi SDK is shared (cold: about 4 minutes here).
  const build = await run(go, ["build", "-trimpath", "./..."], { cwd: dir, env });
  expect(build).toEqual({ code: 0, out: "" });
}, 600_000);
