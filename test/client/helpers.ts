/**
 * Shared setup: an emulator on loopback and a client pointed at it with tiny retry delays; typed failures and
 * the check that none of them holds a secret.
 */
import { PartnerCenterClient, type ClientOptions } from "../../provider/src/client";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../packages/emulator/src";
import { loadSettings, type Settings } from "../../provider/src/settings";
import { PartnerCenterError } from "../../provider/src/errors";

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

/**
 * The hooks of a file whose tests share one emulator: before each test its state is reset (throttling off) and
 * a new client made, closed after. Read `em` and `client` inside tests (they are set by the hooks).
 */
export function emulatorAndClient(): { readonly em: Emulator; readonly client: PartnerCenterClient } {
  const env = {} as { em: Emulator; client: PartnerCenterClient };
  beforeAll(async () => {
    env.em = await emulator();
  });
  afterAll(async () => {
    await env.em?.close();
  });
  beforeEach(() => {
    env.em.reset();
    env.em.configure({ throttle: false });
    env.client = clientFor(env.em);
  });
  afterEach(async () => {
    await env.client?.close();
  });
  return env;
}

export async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

/**
 * `failure(p)`: the typed error `p` rejects with. Each is kept in `errors`, for the file's check that no error
 * holds a secret ({@link expectNoSecrets}).
 */
export function failures(): {
  errors: unknown[];
  failure: (p: Promise<unknown>) => Promise<PartnerCenterError>;
} {
  const errors: unknown[] = [];
  const failure = async (p: Promise<unknown>): Promise<PartnerCenterError> => {
    const e = await caught(p);
    errors.push(e);
    expect(e).toBeInstanceOf(PartnerCenterError);
    return e as PartnerCenterError;
  };
  return { errors, failure };
}

/**
 * No error of `errors` holds a secret of this setup (the client secret, the refresh token, a token `em` issued):
 * not in its message, stack, JSON form or cause.
 */
export function expectNoSecrets(errors: readonly unknown[], em: Emulator): void {
  const secrets = [...em.state().issuedTokens, CLIENT_SECRET, REFRESH_TOKEN];
  for (const e of errors) {
    const pe = e as PartnerCenterError;
    const text = [pe.message, pe.stack, JSON.stringify(pe), JSON.stringify(pe.cause ?? null)].join("\n");
    for (const s of secrets) expect(text).not.toContain(s);
  }
}
