/**
 * The device authorization grant: the device-code answer, each polling error, the admin API that stands in for
 * the user's browser, and the consent kept with the refresh tokens it leads to.
 */
import type { Emulator } from "../../packages/emulator/src";
import { PARTNER, start, tokenRequest } from "./helpers";

const DEVICE = `/${PARTNER}/oauth2/v2.0/devicecode`;
const TOKEN = `/${PARTNER}/oauth2/v2.0/token`;
const GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const PC = "https://api.partnercenter.microsoft.com/user_impersonation";
const GRAPH = "https://graph.microsoft.com/DelegatedAdminRelationship.ReadWrite.All";
let emu: Emulator;

beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function begin(scope = `${PC} offline_access`, clientId = "app") {
  const res = await tokenRequest(emu.url, { client_id: clientId, scope }, DEVICE);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, string | number>;
}
async function poll(deviceCode: string, clientId = "app") {
  const res = await tokenRequest(
    emu.url,
    { grant_type: GRANT, client_id: clientId, device_code: deviceCode },
    TOKEN,
  );
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}
async function act(userCode: string, action: string, body?: unknown) {
  return fetch(`${emu.url}/_emulator/devicecode/${userCode}/${action}`, {
    method: "POST",
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

test("the device-code answer has the documented fields, 900 s and a 5 s interval by default", async () => {
  const dc = await begin();
  expect(dc).toMatchObject({
    verification_uri: "https://microsoft.com/devicelogin",
    expires_in: 900,
    interval: 5,
  });
  expect(dc.user_code).toMatch(/^[A-Z]{8}$/);
  expect(dc.message).toContain(String(dc.user_code));
  // The admin view never shows the device code.
  const list = await (await fetch(`${emu.url}/_emulator/devicecode`)).text();
  expect(list).toContain(String(dc.user_code));
  expect(list).not.toContain(String(dc.device_code));
  const missing = await tokenRequest(emu.url, { client_id: "app" }, DEVICE);
  expect(missing.status).toBe(400);
  expect(((await missing.json()) as { error: string }).error).toBe("invalid_request");
});

test("polling: pending, slow_down when sooner than the interval, then the tokens once; unknown codes refused", async () => {
  const dc = await begin();
  expect((await poll(String(dc.device_code))).body.error).toBe("authorization_pending");
  expect((await poll(String(dc.device_code))).body.error).toBe("slow_down"); // within 5 s of the last poll
  emu.configure({ deviceCodeIntervalSeconds: 0 });
  const fast = await begin();
  expect((await act(String(fast.user_code), "approve")).status).toBe(200);
  expect((await poll(String(fast.device_code), "another-app")).body.error).toBe("bad_verification_code");
  const ok = await poll(String(fast.device_code));
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ token_type: "Bearer", scope: PC });
  expect(ok.body.refresh_token).toMatch(/^pcemu-rt-/);
  expect((await poll(String(fast.device_code))).body.error).toBe("invalid_grant"); // redeemed once only
  expect((await poll("pcemu-dc-nosuch")).body.error).toBe("bad_verification_code");
});

test("declined and expired codes end the flow; without offline_access there is no refresh token", async () => {
  emu.configure({ deviceCodeIntervalSeconds: 0 });
  const a = await begin();
  await act(String(a.user_code), "decline");
  expect((await poll(String(a.device_code))).body.error).toBe("authorization_declined");
  const b = await begin();
  await act(String(b.user_code), "expire");
  expect((await poll(String(b.device_code))).body.error).toBe("expired_token");
  expect((await act(String(b.user_code), "approve")).status).toBe(400); // no longer pending
  const c = await begin(PC);
  await act(String(c.user_code), "approve");
  const r = await poll(String(c.device_code));
  expect(r.status).toBe(200);
  expect(r.body.refresh_token).toBeUndefined();
  expect((await act("NOSUCHCODE", "approve")).status).toBe(400);
});

test("the consent travels with the refresh token: Graph is refused (AADSTS65001) until an administrator consents for the app", async () => {
  emu.configure({ deviceCodeIntervalSeconds: 0 });
  const dc = await begin();
  await act(String(dc.user_code), "approve");
  const { body } = await poll(String(dc.device_code));
  const refresh = (resource: string) =>
    tokenRequest(emu.url, {
      grant_type: "refresh_token",
      client_id: "app",
      refresh_token: body.refresh_token!,
      resource,
    });
  const pc = await refresh("https://api.partnercenter.microsoft.com");
  expect(pc.status).toBe(200);
  expect(((await pc.json()) as { scope: string }).scope).toBe("user_impersonation");
  const graph = await refresh("https://graph.microsoft.com");
  expect(graph.status).toBe(400);
  expect(((await graph.json()) as { error_description: string }).error_description).toMatch(/^AADSTS65001/);
  const granted = await fetch(`${emu.url}/_emulator/consent`, {
    method: "POST",
    body: JSON.stringify({ clientId: "app", scopes: [GRAPH] }),
  });
  expect(granted.status).toBe(200);
  const v2 = await tokenRequest(
    emu.url,
    { grant_type: "refresh_token", client_id: "app", refresh_token: body.refresh_token!, scope: GRAPH },
    TOKEN,
  );
  expect(v2.status).toBe(200);
  expect(((await v2.json()) as { scope: string }).scope).toBe(GRAPH);
  // Another app's token is not covered by this app's admin consent.
  const other = await begin(`${PC} offline_access`, "other-app");
  await act(String(other.user_code), "approve");
  const otherTokens = await poll(String(other.device_code), "other-app");
  const refused = await tokenRequest(emu.url, {
    grant_type: "refresh_token",
    client_id: "other-app",
    refresh_token: otherTokens.body.refresh_token!,
    resource: "https://graph.microsoft.com",
  });
  expect(refused.status).toBe(400);
});

test("scopes of two resources: the sign-in goes ahead, then the poll is refused with AADSTS28000 (invalid_scope)", async () => {
  emu.configure({ deviceCodeIntervalSeconds: 0 });
  const dc = await begin(`${PC} ${GRAPH} offline_access`);
  expect((await poll(String(dc.device_code))).body.error).toBe("authorization_pending");
  await act(String(dc.user_code), "approve");
  const r = await poll(String(dc.device_code));
  expect(r.status).toBe(400);
  expect(r.body.error).toBe("invalid_scope");
  expect(r.body.error_description).toMatch(/^AADSTS28000: .*contains more than one resource/);
  expect((r.body as unknown as { error_codes: number[] }).error_codes).toEqual([28000]);
  expect(r.body.refresh_token).toBeUndefined();
  // The refresh-token grant likewise: one resource per request.
  const one = await begin();
  await act(String(one.user_code), "approve");
  const { body } = await poll(String(one.device_code));
  const both = await tokenRequest(
    emu.url,
    {
      grant_type: "refresh_token",
      client_id: "app",
      refresh_token: body.refresh_token!,
      scope: `${PC} ${GRAPH}`,
    },
    TOKEN,
  );
  expect(both.status).toBe(400);
  expect(((await both.json()) as { error_description: string }).error_description).toMatch(/^AADSTS28000/);
});

test("a device-code refresh token is a public client's: a client secret with it is refused (AADSTS700025)", async () => {
  emu.configure({ deviceCodeIntervalSeconds: 0 });
  const dc = await begin();
  await act(String(dc.user_code), "approve");
  const { body } = await poll(String(dc.device_code));
  const form = {
    grant_type: "refresh_token",
    client_id: "app",
    refresh_token: body.refresh_token!,
    resource: "https://api.partnercenter.microsoft.com",
  };
  const withSecret = await tokenRequest(emu.url, { ...form, client_secret: "s3cret" });
  expect(withSecret.status).toBe(401);
  const err = (await withSecret.json()) as { error: string; error_description: string };
  expect(err.error).toBe("invalid_client");
  expect(err.error_description).toMatch(/^AADSTS700025: Client is public/);
  expect((await tokenRequest(emu.url, form)).status).toBe(200);
});
