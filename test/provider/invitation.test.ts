/**
 * `getResellerInvitationUrl` as a program uses it: settings from the stack's `partnercenter:*` config (set
 * here with `setAllConfig` under setMocks: the engine is mocked, the HTTP calls are real, to the emulator).
 */
import * as pulumi from "@pulumi/pulumi";
import { getResellerInvitationUrl } from "../../provider/src/invitation";
import { startEmulator, type Emulator } from "../../packages/emulator/src";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ throttle: false });
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: a.name, state: a.inputs }), call: () => ({}) },
    "p",
    "s",
    false,
  );
});
afterAll(async () => {
  await emulator.close();
});

const settings = () => ({
  endpoint: emulator.url,
  authority: emulator.url,
  tenantId: "0a0a0a0a-0000-4000-8000-00000000000a",
  clientId: "program",
  refreshToken: "program-refresh-token",
});

test("from the stack's partnercenter:* config", async () => {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(settings()).map(([k, v]) => [`partnercenter:${k}`, v])),
    [],
  );
  const url = await getResellerInvitationUrl();
  expect(url).toBe(
    "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=0a0a0a0a-0000-4000-8000-00000000000a&msppId=0&DAP=false#/BillingAccounts/partner-invitation",
  );
});

test("for an indirect reseller, with explicit settings", async () => {
  const url = await getResellerInvitationUrl({
    settings: settings(),
    indirectResellerId: "99999999-9999-4999-8999-999999999999",
  });
  expect(url).toContain("indirectCSPId=99999999-9999-4999-8999-999999999999");
  expect(emulator.requests().at(-1)?.query).toContain(
    "indirectResellerId=99999999-9999-4999-8999-999999999999",
  );
});

test("an insecure endpoint is refused before any request", async () => {
  const before = emulator.requests().length;
  await expect(
    getResellerInvitationUrl({ settings: { ...settings(), endpoint: "http://partner.example.com" } }),
  ).rejects.toThrow(/partnercenter:endpoint/);
  expect(emulator.requests().length).toBe(before);
});
