/**
 * `partner-center doctor` against the emulator: each verdict, the exit codes, and no secret in its output.
 */
import { main, type Check } from "../../provider/src/cli/doctor";
import { cliFixture } from "./fixture";

const REFRESH = "doctor-refresh-token-0123456789";
const f = cliFixture(
  {},
  { PARTNER_CENTER_GRAPH_ENDPOINT: "<emulator>", PARTNER_CENTER_REFRESH_TOKEN: REFRESH },
);

async function run(argv: string[], e: NodeJS.ProcessEnv = f.env, now = () => Date.now()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, f.pulumi.env(e), {
    now,
  });
  const text = out.join("\n") + err.join("\n");
  // No secret, ever: the configured refresh token, nor any token the emulator issued.
  expect(text).not.toContain(REFRESH);
  for (const t of f.emulator.state().issuedTokens) expect(text).not.toContain(t);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function checks(argv: string[] = [], e: NodeJS.ProcessEnv = f.env, now?: () => number) {
  const r = await run([...argv, "--json"], e, now);
  const doc = JSON.parse(r.out) as { checks: Check[]; summary: { exitCode: number } };
  expect(doc.summary.exitCode).toBe(r.code);
  return { code: r.code, by: (id: string) => doc.checks.find((c) => c.id === id)!, all: doc.checks };
}

test("a good setup: every check ok, the empty GDAP list flagged as a possible Admin agent problem, exit 0", async () => {
  const r = await checks();
  expect(r.code).toBe(0);
  expect(r.all.map((c) => [c.id, c.verdict])).toEqual([
    ["settings", "ok"],
    ["keys", "skip"],
    ["credentials", "ok"],
    ["token", "ok"],
    ["partnerCenter", "ok"],
    ["graph", "ok"],
    ["adminAgent", "warn"],
    ["clockSkew", "ok"],
    ["throttle", "ok"],
    ["contractDrift", "ok"],
  ]);
  expect(r.by("adminAgent").detail).toContain("Graph answered an empty GDAP list");
  // The text form: one line per check, next steps under the ones that are not ok.
  const text = await run([]);
  expect(text.out).toMatch(/^ok {4}settings/m);
  expect(text.out).toMatch(/^warn {2}Admin agent role .*\n\s+next: if you have GDAP relationships/m);
  expect(text.out).toContain("0 failed, 1 warning(s), 8 ok, 1 skipped.");
});

test("--stack: an unknown key fails with the closest real key, and what to run", async () => {
  f.pulumi.stack("dev", {
    "partnercenter:endpoint": f.emulator.url,
    "partnercenter:authority": f.emulator.url,
    "partnercenter:graphEndpoint": f.emulator.url,
    "partnercenter:tenantId": "0a0a0a0a-0000-4000-8000-00000000000a",
    "partnercenter:clientId": "pipeline",
    "partnercenter:refreshToken": { value: REFRESH, secret: true },
    "partnercenter:allowLoopbackWithCredentials": "true",
    "partnercenter:maxRequestPerMinute": "400",
    "aws:region": "eu-west-1",
  });
  const r = await checks(["--stack", "dev"], {});
  expect(r.code).toBe(1);
  expect(r.by("keys")).toMatchObject({
    verdict: "fail",
    detail:
      "partnercenter:maxRequestPerMinute is not a setting and is ignored: did you mean partnercenter:maxRequestsPerMinute?",
    next: "pulumi config rm partnercenter:maxRequestPerMinute and pulumi config set partnercenter:maxRequestsPerMinute <value>",
  });
  expect(r.by("token").verdict).toBe("ok"); // the stack's secret refresh token was used
  expect(f.pulumi.calls()[0]!.argv).toEqual(["config", "--show-secrets", "--json", "--stack", "dev"]);
});

test("loopback mixed with a real host fails, and nothing is sent anywhere", async () => {
  const r = await checks([], { ...f.env, PARTNER_CENTER_GRAPH_ENDPOINT: "" });
  expect(r.code).toBe(1);
  expect(r.by("settings").verdict).toBe("fail");
  expect(r.by("settings").detail).toContain("graphEndpoint https://graph.microsoft.com");
  expect(r.by("token")).toMatchObject({
    verdict: "skip",
    detail: "the settings mix loopback and real hosts",
  });
  expect(f.emulator.state().counters.tokenRequests).toBe(0);
});

test("an MFA-less token: Partner Center's 900421 fails the token and the access checks", async () => {
  f.emulator.addFault({ match: { path: "/v1/customers" }, kind: "mfa" });
  const r = await checks();
  expect(r.code).toBe(1);
  expect(r.by("token")).toMatchObject({ verdict: "fail", detail: expect.stringContaining("900421") });
  expect(r.by("token").next).toContain("partner-center login");
  expect(r.by("partnerCenter").verdict).toBe("fail");
});

test("a refused refresh token: the token check fails and says to log in again", async () => {
  f.emulator.configure({ requireCredentials: { refreshToken: "another-token-entirely" } });
  const r = await checks();
  expect(r.code).toBe(1);
  expect(r.by("token")).toMatchObject({
    verdict: "fail",
    next: expect.stringContaining("partner-center login"),
  });
  expect(r.by("partnerCenter").verdict).toBe("skip");
});

test("a device-code refresh token sent with a client secret: Entra's AADSTS700025, and the next step is to unset clientSecret", async () => {
  // A sign-in as partner-center login does it, answered through the emulator's stand-in for the browser.
  f.emulator.configure({ deviceCodeIntervalSeconds: 0 });
  const base = `${f.emulator.url}/${f.env.PARTNER_CENTER_TENANT_ID}/oauth2/v2.0`;
  const post = (url: string, form: Record<string, string>) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    }).then((r) => r.json() as Promise<Record<string, string>>);
  const dc = await post(`${base}/devicecode`, {
    client_id: "pipeline",
    scope: "https://api.partnercenter.microsoft.com/user_impersonation offline_access",
  });
  await fetch(`${f.emulator.url}/_emulator/devicecode/${dc.user_code}/approve`, { method: "POST" });
  const tokens = await post(`${base}/token`, {
    grant_type: "urn:ietf:params:oauth:grant-type:device_code",
    client_id: "pipeline",
    device_code: dc.device_code!,
  });
  const secret = "doctor-client-secret-value";
  const r = await checks([], {
    ...f.env,
    PARTNER_CENTER_REFRESH_TOKEN: tokens.refresh_token,
    PARTNER_CENTER_CLIENT_SECRET: secret,
  });
  expect(r.code).toBe(1);
  expect(r.by("token").verdict).toBe("fail");
  expect(r.by("token").detail).toContain("AADSTS700025");
  expect(r.by("token").next).toContain("unset partnercenter:clientSecret");
  // Without the secret the same token works.
  const ok = await checks([], { ...f.env, PARTNER_CENTER_REFRESH_TOKEN: tokens.refresh_token });
  expect(ok.by("token").verdict).toBe("ok");
});

test("Graph's 403 is told apart from an empty list; with --graph it fails the run", async () => {
  const forbidden = {
    match: { path: "delegatedAdminRelationships" },
    kind: "body" as const,
    status: 403,
    body: {
      error: {
        code: "Authorization_RequestDenied",
        message: "Insufficient privileges to complete the operation.",
      },
    },
  };
  f.emulator.addFault(forbidden);
  const warned = await checks();
  expect(warned.code).toBe(0);
  expect(warned.by("graph")).toMatchObject({
    verdict: "warn",
    detail: expect.stringContaining("Graph answered 403 (Authorization_RequestDenied)"),
  });
  expect(warned.by("graph").detail).toContain("Not the same as an empty list");
  expect(warned.by("adminAgent").verdict).toBe("skip");

  f.emulator.addFault(forbidden);
  const failed = await checks(["--graph"]);
  expect(failed.code).toBe(1);
  expect(failed.by("graph").verdict).toBe("fail");
});

test("clock skew: a warning past a minute, a failure past five", async () => {
  const slightly = await checks([], f.env, () => Date.now() + 2 * 60_000);
  expect(slightly.by("clockSkew")).toMatchObject({
    verdict: "warn",
    detail: expect.stringMatching(/behind this machine's/),
  });
  expect(slightly.code).toBe(0);
  const far = await checks([], f.env, () => Date.now() - 10 * 60_000);
  expect(far.by("clockSkew")).toMatchObject({
    verdict: "fail",
    detail: expect.stringMatching(/ahead of this machine's/),
  });
  expect(far.code).toBe(1);
});

test("throttle headroom: a 429 in the sample, or a cap above the documented limit, is a warning", async () => {
  f.emulator.addFault({ match: { path: "/v1/customers" }, kind: "throttle", retryAfterSeconds: 30 });
  const throttled = await checks();
  expect(throttled.by("throttle")).toMatchObject({
    verdict: "warn",
    detail: expect.stringContaining("answered 429"),
  });
  expect(throttled.by("partnerCenter").verdict).toBe("warn");
  expect(throttled.code).toBe(0);
  const capped = await checks([], { ...f.env, PARTNER_CENTER_MAX_REQUESTS_PER_MINUTE: "900" });
  expect(capped.by("throttle")).toMatchObject({
    verdict: "warn",
    detail: expect.stringContaining("above the documented 500"),
  });
});

test("contract drift: unknown and missing fields are reported, and the run does not fail on them", async () => {
  const state = f.emulator.state();
  const reseller = state.customers.find(
    (c) => c.relationshipToPartner === "reseller" && c.subscriptions.length > 0,
  )!;
  f.emulator.addFault({
    match: { method: "GET", path: "^/v1/customers/?$" },
    kind: "body",
    body: {
      totalCount: 1,
      items: [
        {
          id: reseller.id,
          companyProfile: { tenantId: reseller.id, domain: "x.example", companyName: "X" },
          relationshipToPartner: "reseller",
          partnerSegment: "smb",
        },
      ],
      attributes: { objectType: "Collection" },
    },
  });
  f.emulator.addFault({
    match: { method: "GET", path: "/subscriptions$" },
    kind: "body",
    body: { totalCount: 1, items: [{ id: "sub-1", offerName: "Office", renewalMode: "auto" }] },
  });
  const r = await checks();
  expect(r.code).toBe(0);
  const drift = r.by("contractDrift");
  expect(drift.verdict).toBe("warn");
  expect(drift.detail).toContain("customer: unknown field partnerSegment");
  expect(drift.detail).toContain("subscription: unknown field renewalMode");
  expect(drift.detail).toContain("subscription: status missing");
});

test("could not run: bad usage, or --stack without a pulumi on PATH, exit 2", async () => {
  expect((await run(["--nope"])).code).toBe(2);
  const noPulumi = await main(
    ["--stack", "dev"],
    { out: () => undefined, err: () => undefined },
    { PATH: "/nonexistent" },
  );
  expect(noPulumi).toBe(2);
  const missingStack = await run(["--stack", "nosuch"]);
  expect(missingStack.code).toBe(2);
  expect(missingStack.err).toContain(
    `could not read the config of stack "nosuch": error: no stack named 'nosuch' found`,
  );
});
