/** What a CI secret store gives the pipelines' scripts (set-stack-config.sh reads these), pointing at the emulator. */
import type { Stack } from "../support/pulumi";

export function pipelineEnv(s: Stack, emulatorUrl: string): NodeJS.ProcessEnv {
  return {
    ...s.env,
    STACK: "test",
    PARTNER_CENTER_ENDPOINT: emulatorUrl,
    PARTNER_CENTER_AUTHORITY: emulatorUrl,
    PARTNER_CENTER_TENANT_ID: "0a0a0a0a-0000-4000-8000-00000000000a",
    PARTNER_CENTER_CLIENT_ID: "suite-client",
    PARTNER_CENTER_CLIENT_SECRET: "suite-client-secret",
    PARTNER_CENTER_REFRESH_TOKEN: "refresh-token-from-the-secret-store",
  };
}
