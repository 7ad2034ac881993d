/**
 * How stacks behave in the real world, through the real provider host: many resources at once on a fresh
 * host (the configure race), a destroy from another machine's project directory where the package is an
 * installed copy, a project without the package, and no secret anywhere a user or a log can see.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  startEmulator,
  syntheticEstate,
  SAMPLE_CUSTOMERS,
  type Emulator,
} from "pulumi-partner-center-emulator";
import { captureProviderText, Host, withoutProvider } from "../support/host";

const ROOT = path.resolve(__dirname, "../..");
const CLIENT_SECRET = "client-secret-7f3a9c2e-recognisable";
const REFRESH_TOKEN = "refresh-token-5b1d8e4f-recognisable";

let emulator: Emulator;
let providerText: string;
const hosts: Host[] = [];

async function startHost(cwd?: string): Promise<Host> {
  const h = await Host.start({ providerText, ...(cwd && { cwd }) });
  hosts.push(h);
  await h.configureEmulator(emulator.url, { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN });
  return h;
}

beforeAll(async () => {
  providerText = await captureProviderText();
});
beforeEach(async () => {
  emulator = await startEmulator({ throttle: false });
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  await emulator.close();
});

test("25 concurrent creates on a fresh host all succeed with one token request", async () => {
  const estate = syntheticEstate({ count: 25 });
  emulator.loadEstate(estate);
  const host = await startHost();
  const ids = estate.customers.map((c) => c.id);
  const results = await Promise.all(ids.map((id, i) => host.create(`c${i}`, { customerId: id })));
  expect(results.map((r) => r.id)).toEqual(ids);
  expect(emulator.state().counters.tokensIssued).toBe(1);
});

/** A project directory elsewhere on disk, with the package installed from its `npm pack` tarball. */
function projectWithPackedCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-moved-"));
  const tgz = execFileSync(
    "npm",
    // --ignore-scripts: pack the build that is there; prepack would rebuild dist under the other suites' feet.
    ["pack", "--pack-destination", dir, "--workspace", "provider", "--silent", "--ignore-scripts"],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  )
    .trim()
    .split("\n")
    .pop()!;
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "moved-stack", private: true }));
  // Offline from the npm cache that `npm ci` filled; the Pulumi SDK itself is the project's own, linked here.
  execFileSync(
    "npm",
    [
      "install",
      `./${path.basename(tgz)}`,
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--legacy-peer-deps",
      "--ignore-scripts",
    ],
    { cwd: dir, stdio: "pipe" },
  );
  linkPulumiSdk(dir);
  return dir;
}

function linkPulumiSdk(dir: string): void {
  fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  fs.symlinkSync(
    path.join(ROOT, "node_modules/@pulumi/pulumi"),
    path.join(dir, "node_modules/@pulumi/pulumi"),
  );
}

test("a stack created here is destroyed from another project directory holding an installed copy", async () => {
  const id = SAMPLE_CUSTOMERS.clean;
  const here = await startHost();
  const created = await here.create("clean", { customerId: id });
  await here.stop();

  const moved = projectWithPackedCopy();
  const real = fs.realpathSync(path.join(moved, "node_modules/pulumi-partner-center"));
  expect(real.startsWith(moved)).toBe(true); // a copy, not the workspace link
  const there = await startHost(moved);
  await there.delete("clean", id, withoutProvider(created.props));
  expect(emulator.requests().filter((r) => r.method === "PATCH")).toHaveLength(1);
  fs.rmSync(moved, { recursive: true, force: true });
}, 120_000);

test("without the package installed, the error says to run npm ci in the project directory", async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-empty-"));
  linkPulumiSdk(empty);
  const host = await startHost(empty);
  await expect(
    host.delete("clean", SAMPLE_CUSTOMERS.clean, { customerId: SAMPLE_CUSTOMERS.clean }),
  ).rejects.toThrow(/could not load the package 'pulumi-partner-center'.*npm ci/s);
  fs.rmSync(empty, { recursive: true, force: true });
});

test("no secret or token in outputs, errors, the provider text or the host's output", async () => {
  const host = await startHost();
  const seen: string[] = [providerText];
  for (const id of [SAMPLE_CUSTOMERS.clean, SAMPLE_CUSTOMERS.activeSubscriptions]) {
    const c = await host.create(id, { customerId: id });
    seen.push(JSON.stringify(c));
    seen.push(JSON.stringify(await host.read(id, id, withoutProvider(c.props))));
  }
  for (const attempt of [
    host.create("w", { customerId: SAMPLE_CUSTOMERS.noRelationship }),
    host.delete("f", SAMPLE_CUSTOMERS.activeSubscriptions, {
      customerId: SAMPLE_CUSTOMERS.activeSubscriptions,
    }),
  ]) {
    seen.push(String(await attempt.catch((e: Error) => `${e.message}\n${e.stack}`)));
  }
  await host.delete("c", SAMPLE_CUSTOMERS.clean, { customerId: SAMPLE_CUSTOMERS.clean });
  seen.push(host.output());
  const tokens = emulator.state().issuedTokens;
  expect(tokens.length).toBeGreaterThan(0);
  const all = seen.join("\n");
  for (const secret of [CLIENT_SECRET, REFRESH_TOKEN, ...tokens]) expect(all).not.toContain(secret);
  expect(all).not.toMatch(/Bearer [A-Za-z0-9]/);
});
