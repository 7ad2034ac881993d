/**
 * `partner-center login` against the emulator's device-code endpoints, end to end: pending, slow_down,
 * approved, declined, expired; the token stored through a stand-in `pulumi` (on its standard input, never its
 * command line) or printed when asked; the consent checked; and no secret in any other output.
 */
import { main } from "../../provider/src/cli/login";
import { loadSettings } from "../../provider/src/settings";
import { PartnerCenterClient } from "../../provider/src/client";
import { cliFixture, TENANT } from "./fixture";

const f = cliFixture({ deviceCodeIntervalSeconds: 0 }, { PARTNER_CENTER_CLIENT_ID: "sam-app" });

async function admin(method: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${f.emulator.url}/_emulator/${route}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

type Code = { userCode: string; status: string; polls: number; scopes: string[] };
async function codes(): Promise<Code[]> {
  return (await admin("GET", "devicecode")) as Code[];
}
/** The user's answer in the browser, to the one code waiting. */
async function answer(action: string, body?: unknown): Promise<void> {
  const pending = (await codes()).filter((c) => c.status === "pending");
  expect(pending).toHaveLength(1);
  await admin("POST", `devicecode/${pending[0]!.userCode}/${action}`, body);
}

/**
 * Runs login; `script[n]` runs before the n-th poll (the sleep before it), standing in for the user. Records the
 * waits asked for.
 */
async function run(
  argv: string[],
  script: Record<number, () => Promise<void>>,
  e: NodeJS.ProcessEnv = f.env,
) {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, f.pulumi.env(e), {
    sleep: async (ms) => {
      sleeps.push(ms);
      await script[sleeps.length]?.();
      if (sleeps.length > 20) throw new Error("polled too often");
    },
  });
  return { code, out: out.join("\n"), err: err.join("\n"), sleeps };
}

/** No token the emulator issued appears in `text`. */
function expectNoSecret(text: string): void {
  for (const t of f.emulator.state().issuedTokens) expect(text).not.toContain(t);
  expect(text).not.toMatch(/pcemu-(rt|at|dc)-/);
}

test("pending, then approved: the refresh token goes to the stack on standard input, never on the command line", async () => {
  const r = await run(["--to-stack", "dev"], { 3: () => answer("approve") });
  expect(r.code).toBe(0);
  // Two polls answered authorization_pending, the third the tokens.
  expect((await codes())[0]).toMatchObject({ status: "redeemed", polls: 3 });
  expect(r.err).toMatch(
    /open https:\/\/microsoft\.com\/devicelogin in a browser and enter the code [A-Z]{8}/,
  );
  expect(r.err).toContain("ok   Partner Center: the token reads the customer list.");
  expect(r.err).toContain("Stored the refresh token in stack dev (partnercenter:refreshToken, secret)");
  expect(r.err).toMatch(/To rotate the token: run partner-center login again/);
  const set = f.pulumi.calls().filter((c) => c.argv[1] === "set");
  expect(set).toHaveLength(1);
  expect(set[0]!.argv).toEqual(["config", "set", "--secret", "partnercenter:refreshToken", "--stack", "dev"]);
  const token = set[0]!.stdin.trim();
  expect(token).toMatch(/^pcemu-rt-/);
  expect(set[0]!.argv.join(" ")).not.toContain(token);
  expectNoSecret(r.out + r.err);

  // The stored token is what the provider uses: its refresh-token grant works and reads customers.
  const client = new PartnerCenterClient(
    loadSettings({ refreshToken: token }, { ...f.env, PARTNER_CENTER_CLIENT_ID: "sam-app" }),
  );
  try {
    expect((await client.customers.list()).length).toBeGreaterThan(0);
  } finally {
    await client.close();
  }
});

test("slow_down adds 5 seconds to the interval for the polls after it", async () => {
  const r = await run(["--print-token"], {
    1: () => answer("slowdown"),
    2: () => answer("approve"),
  });
  expect(r.code).toBe(0);
  expect(r.sleeps).toEqual([0, 5000]);
  expect(r.out).toMatch(/^pcemu-rt-[0-9a-f]+$/); // asked for: the token alone on standard output
  expectNoSecret(r.err);
});

test("declined in the browser: exit 1, nothing stored", async () => {
  const r = await run(["--to-stack", "dev"], { 2: () => answer("decline") });
  expect(r.code).toBe(1);
  expect(r.err).toContain("the sign-in was declined in the browser: nothing was stored.");
  expect(f.pulumi.calls()).toHaveLength(0);
  expectNoSecret(r.out + r.err);
});

test("the code expires before the sign-in: exit 1 and run login again", async () => {
  const r = await run(["--to-stack", "dev", "--json"], { 1: () => answer("expire") });
  expect(r.code).toBe(1);
  expect(r.err).toContain("the code expired before the sign-in finished: run partner-center login again.");
  expect(f.pulumi.calls()).toHaveLength(0);
});

const PC_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation";
const GRAPH_SCOPE = "https://graph.microsoft.com/DelegatedAdminRelationship.ReadWrite.All";

test("--graph: the device code asks for Partner Center only; without admin consent for Graph, AADSTS65001 and the next step", async () => {
  const r = await run(["--to-stack", "dev", "--graph"], {
    1: async () => {
      // One resource per request: Graph is not in the device-code request (Entra would answer AADSTS28000).
      expect((await codes())[0]!.scopes).toEqual([PC_SCOPE, "offline_access"]);
      await answer("approve");
    },
  });
  expect(r.code).toBe(1);
  expect(r.err).toContain("ok   Partner Center: the token reads the customer list.");
  expect(r.err).toMatch(/FAIL Microsoft Graph: no Graph token \(invalid_grant\): AADSTS65001/);
  expect(r.err).toContain("must grant admin consent for the app's Microsoft Graph permission");
  expect(r.err).toContain("nothing was stored");
  expect(f.pulumi.calls()).toHaveLength(0);
  expectNoSecret(r.out + r.err);
});

test("--graph with the app's admin consent: a separate Graph token request, both checked, JSON summary without the token", async () => {
  await admin("POST", "consent", { clientId: "sam-app", scopes: [GRAPH_SCOPE] });
  const r = await run(["--to-stack", "dev", "--graph", "--json"], { 1: () => answer("approve") });
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.out) as {
    coverage: { what: string; ok: boolean }[];
    storedIn: string;
    exitCode: number;
  };
  expect(doc.coverage.map((c) => [c.what, c.ok])).toEqual([
    ["partnerCenter", true],
    ["graph", true],
  ]);
  expect(doc.storedIn).toBe("stack dev (partnercenter:refreshToken, secret)");
  expectNoSecret(r.out + r.err);
});

test("a client secret is configured: the provider's redemption with it is refused (AADSTS700025), nothing stored", async () => {
  const secret = "sam-app-secret-value";
  const r = await run(
    ["--to-stack", "dev", "--json"],
    { 1: () => answer("approve") },
    {
      ...f.env,
      PARTNER_CENTER_CLIENT_SECRET: secret,
    },
  );
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/FAIL client secret: .*\(invalid_client\): AADSTS700025/);
  expect(r.err).toContain("unset partnercenter:clientSecret");
  const doc = JSON.parse(r.out) as { coverage: { what: string; ok: boolean }[] };
  expect(doc.coverage.map((c) => [c.what, c.ok])).toEqual([
    ["partnerCenter", true],
    ["clientSecret", false],
  ]);
  expect(f.pulumi.calls()).toHaveLength(0);
  expect(r.out + r.err).not.toContain(secret);
  expectNoSecret(r.out + r.err);
});

test("a sign-in without MFA (Partner Center answers 900421): exit 1, nothing stored", async () => {
  f.emulator.addFault({ match: { path: "/v1/customers" }, kind: "mfa" });
  const r = await run(["--to-stack", "dev"], { 1: () => answer("approve") });
  expect(r.code).toBe(1);
  expect(r.err).toContain("HTTP 401 code 900421: the sign-in did not use MFA");
  expect(f.pulumi.calls()).toHaveLength(0);
});

test("the stack refuses the secret: exit 3, and the token is not shown instead", async () => {
  f.pulumi.refuse();
  const r = await run(["--to-stack", "dev"], { 1: () => answer("approve") });
  expect(r.code).toBe(3);
  expect(r.err).toContain(
    'could not store partnercenter:refreshToken in stack "dev": error: the passphrase is wrong',
  );
  expectNoSecret(r.out + r.err);
});

test("usage: a destination is required, one only; settings are checked before anything is sent", async () => {
  for (const argv of [[], ["--to-stack", "dev", "--print-token"], ["--print-token", "--json"], ["--bogus"]]) {
    const r = await run(argv, {});
    expect(r.code).toBe(2);
  }
  const loop = await run(
    ["--print-token"],
    {},
    { ...f.env, PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: "" },
  );
  expect(loop.code).toBe(2);
  expect(loop.err).toContain("refusing to send a sign-in to a loopback address");
  const noTenant = await run(["--print-token"], {}, { ...f.env, PARTNER_CENTER_TENANT_ID: "" });
  expect(noTenant.code).toBe(2);
  expect(noTenant.err).toContain("missing partnercenter:tenantId");
  expect(await codes()).toHaveLength(0);
});

test("--stack: tenant, client id and endpoints come from the stack's config", async () => {
  f.pulumi.stack("dev", {
    "partnercenter:endpoint": f.emulator.url,
    "partnercenter:authority": f.emulator.url,
    "partnercenter:tenantId": TENANT,
    "partnercenter:clientId": "from-stack",
    "partnercenter:allowLoopbackWithCredentials": "true",
  });
  const r = await run(["--stack", "dev", "--to-stack", "dev"], { 1: () => answer("approve") }, {});
  expect(r.code).toBe(0);
  expect((await codes())[0]!).toMatchObject({ status: "redeemed" });
  expect(((await admin("GET", "devicecode")) as { clientId: string }[])[0]!.clientId).toBe("from-stack");
});
