/**
 * The packages as a user gets them: both tarballs packed and checked (scripts/release.js), installed with
 * `npm install` into a fresh TypeScript project outside the workspace (so nothing resolves from the workspace's
 * node_modules), then `pulumi preview`, `up` and `destroy` of that project against the emulator, and the
 * `partner-center` bin as the install links it.
 */
import { startEmulator, SAMPLE_CUSTOMERS as ID, type Emulator } from "pulumi-partner-center-emulator";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PARTNER_TENANT_ID } from "../support/host";
import { cliEnv, run, Stack } from "../support/pulumi";
import { checkAll, pack } from "../../scripts/release";

const ROOT = path.resolve(__dirname, "../..");
const installed = (name: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { ResellerRelationship, getResellerInvitationUrl } from "pulumi-partner-center";

const contoso = new ResellerRelationship("contoso", { customerId: "${ID.clean}" });
export const company = contoso.companyName;
export const invitation = pulumi.output(getResellerInvitationUrl());
`;

let dir: string;
let emulator: Emulator;
let stack: Stack | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ throttle: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-package-"));
});
afterAll(async () => {
  await emulator.close();
  stack?.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the packed tarballs install into a fresh program that previews, adopts and removes through the real CLI", async () => {
  // The workspace has just been built (npm test, or the suite's own build): pack what is there, and check it.
  const results = pack({ dryRun: false, build: false, destination: dir });
  expect(checkAll(results)).toEqual([]);
  const tarballs = results.map((r) => path.join(dir, r.filename));

  const project = path.join(dir, "project");
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "fresh-program", private: true }),
  );
  // The registry's packages come from npm's cache (npm ci filled it); the tarballs are ours.
  const install = await run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      `@pulumi/pulumi@${installed("@pulumi/pulumi")}`,
      `typescript@${installed("typescript")}`,
      provider(tarballs),
    ],
    { cwd: project, env: process.env },
  );
  expect(install.code).toBe(0);
  // The program finds the package in its own node_modules, from the tarball.
  const linked = fs.realpathSync(path.join(project, "node_modules/pulumi-partner-center"));
  expect(linked.startsWith(project)).toBe(true);
  expect(fs.existsSync(path.join(linked, "src/dynamic.ts"))).toBe(true);

  stack = await Stack.create(cliEnv(), {
    dir: project,
    files: {
      "Pulumi.yaml": "name: fresh-program\nruntime: nodejs\nmain: index.ts\n",
      "index.ts": PROGRAM,
      // TypeScript 6 with @pulumi/pulumi's ts-node: module and moduleResolution node16 (docs/installation-configuration.md).
      "tsconfig.json": JSON.stringify({
        compilerOptions: { strict: true, target: "es2022", module: "node16", moduleResolution: "node16" },
        files: ["index.ts"],
      }),
    },
    emulatorUrl: emulator.url,
  });

  const preview = await stack.pulumi(["preview"]);
  expect(preview.code).toBe(0);
  expect(preview.out).toMatch(/\+ 2 to create/);

  const up = await stack.pulumi(["up", "--yes", "--skip-preview"]);
  expect(up.code).toBe(0);
  expect(up.out).toMatch(/company\s*:\s*"Contoso Clean Ltd"/);
  expect(up.out).toMatch(/invitation\s*:\s*"https:\/\/admin\.microsoft\.com\//);
  const patches = () => emulator.requests().filter((r) => r.method === "PATCH");
  expect(patches()).toEqual([]);

  // The bin the install linked, from the tarball: its version, and a readiness report against the emulator.
  const bin = path.join(project, "node_modules/.bin/partner-center");
  const version = await run(bin, ["--version"], { cwd: project, env: process.env });
  expect(version.out.trim()).toBe(results.find((r) => r.name === "pulumi-partner-center")?.version);
  const readiness = await run(bin, ["readiness", "--json", ID.clean], {
    cwd: project,
    env: {
      ...process.env,
      PARTNER_CENTER_ENDPOINT: emulator.url,
      PARTNER_CENTER_AUTHORITY: emulator.url,
      PARTNER_CENTER_TENANT_ID: PARTNER_TENANT_ID,
      PARTNER_CENTER_CLIENT_ID: "local-client",
      PARTNER_CENTER_REFRESH_TOKEN: "local-refresh-token",
      PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: "true",
    },
  });
  expect(readiness.code).toBe(0);
  expect(JSON.parse(readiness.out).summary).toMatchObject({ removable: 1, blocked: 0 });

  const destroy = await stack.pulumi(["destroy", "--yes", "--skip-preview"]);
  expect(destroy.code).toBe(0);
  expect(patches().map((r) => r.customerId)).toEqual([ID.clean]);
  expect(emulator.state().customers.find((c) => c.id === ID.clean)?.relationshipToPartner).toBe("none");
});

/** The provider's tarball (the emulator's is packed and checked too, but a program needs only the provider). */
function provider(tarballs: string[]): string {
  const t = tarballs.find((f) => path.basename(f).startsWith("pulumi-partner-center-0"));
  if (!t) throw new Error(`no provider tarball among ${tarballs.join(", ")}`);
  return t;
}
