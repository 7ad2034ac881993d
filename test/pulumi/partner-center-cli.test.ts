/**
 * The `partner-center` bin with the real Pulumi CLI: `login --to-stack` stores the refresh token as a stack
 * secret (through `pulumi config set --secret`, on standard input), and `doctor --stack` reads it back through
 * `pulumi config --show-secrets --json`, unknown keys included. The device-code sign-in is answered through the
 * emulator's admin API while the command polls.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type Emulator } from "pulumi-partner-center-emulator";
import { cliEnv, Stack } from "../support/pulumi";

const BIN = path.resolve(__dirname, "../../provider/dist/cli/index.js");
let env: NodeJS.ProcessEnv;
let emulator: Emulator;
let stack: Stack;

beforeAll(async () => {
  env = cliEnv();
  emulator = await startEmulator({ throttle: false, deviceCodeIntervalSeconds: 0 });
  stack = await Stack.create(env, {
    files: { "Pulumi.yaml": "name: partner-center-cli\nruntime: nodejs\n" },
    emulatorUrl: emulator.url,
    config: { "partnercenter:graphEndpoint": emulator.url },
  });
  // The device-code sign-in is a public client's: its refresh token is redeemed without a secret, and the
  // app's Graph permission has an administrator's consent (both as README's credentials section says).
  await stack.ok(["config", "rm", "partnercenter:clientSecret"]);
  await fetch(`${emulator.url}/_emulator/consent`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      clientId: "local-client",
      scopes: ["https://graph.microsoft.com/DelegatedAdminRelationship.ReadWrite.All"],
    }),
  });
});
afterAll(async () => {
  await emulator.close();
  stack?.remove();
});

function partnerCenter(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: stack.dir, env: stack.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function approveWhenAsked(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const codes = (await (await fetch(`${emulator.url}/_emulator/devicecode`)).json()) as {
      userCode: string;
      status: string;
    }[];
    const pending = codes.find((c) => c.status === "pending");
    if (pending) {
      await fetch(`${emulator.url}/_emulator/devicecode/${pending.userCode}/approve`, { method: "POST" });
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("login never asked for a sign-in");
}

test("login --to-stack stores the token as a stack secret; doctor --stack reads it and finds a mistyped key", async () => {
  const [login] = await Promise.all([
    partnerCenter(["login", "--stack", "test", "--to-stack", "test", "--graph"]),
    approveWhenAsked(),
  ]);
  expect(login.stderr).toContain("Stored the refresh token in stack test");
  expect(login.code).toBe(0);
  const config = JSON.parse(await stack.ok(["config", "--show-secrets", "--json"])) as Record<
    string,
    { value: string; secret: boolean }
  >;
  const token = config["partnercenter:refreshToken"]!;
  expect(token.secret).toBe(true);
  expect(token.value).toMatch(/^pcemu-rt-/);
  expect(emulator.state().issuedTokens).toContain(token.value);
  expect(login.stdout + login.stderr).not.toContain(token.value);
  expect(fs.readFileSync(path.join(stack.dir, "Pulumi.test.yaml"), "utf8")).not.toContain(token.value);

  const good = await partnerCenter(["doctor", "--stack", "test", "--json"]);
  expect(good.code).toBe(0);
  const doc = JSON.parse(good.stdout) as { checks: { id: string; verdict: string }[] };
  expect(doc.checks.filter((c) => c.verdict === "fail")).toEqual([]);
  expect(doc.checks.find((c) => c.id === "token")!.verdict).toBe("ok");
  expect(good.stdout + good.stderr).not.toContain(token.value);

  await stack.ok(["config", "set", "partnercenter:maxRequestPerMinute", "400"]);
  const typo = await partnerCenter(["doctor", "--stack", "test"]);
  expect(typo.code).toBe(1);
  expect(typo.stdout).toContain("did you mean partnercenter:maxRequestsPerMinute?");
});
