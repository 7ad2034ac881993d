/** Shared setup: an emulator on loopback and a client pointed at it with tiny retry delays. */
import { PartnerCenterClient, type ClientOptions } from "../../provider/src/client";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../packages/emulator/src";
import { loadSettings, type Settings } from "../../provider/src/settings";

export const CLIENT_SECRET = "emulator-client-secret-value-0123";
export const REFRESH_TOKEN = "emulator-refresh-token-value-4567";

export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ throttle: false, ...options });
}

export function settingsFor(em: Emulator, extra: Record<string, string> = {}): Settings {
  return loadSettings(
    {
      "partnercenter:endpoint": em.url,
      "partnercenter:authority": em.url,
      "partnercenter:tenantId": "0a0a0a0a-0000-4000-8000-00000000000a",
      "partnercenter:clientId": "pulumi-app",
      "partnercenter:clientSecret": CLIENT_SECRET,
      "partnercenter:refreshToken": REFRESH_TOKEN,
      "partnercenter:allowLoopbackWithCredentials": "true",
      ...extra,
    },
    {},
  );
}

/** A client with millisecond backoffs, so retry tests stay fast. */
export function clientFor(em: Emulator, options: ClientOptions = {}, extra: Record<string, string> = {}) {
  return new PartnerCenterClient(settingsFor(em, extra), {
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4, ...options.retry },
    ...options,
  });
}

export async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}
