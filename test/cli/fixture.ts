/**
 * The fixture of the `partner-center` command tests: an emulator for the file, a fresh stand-in `pulumi` for each
 * test, and the environment that points a command at the emulator; and the estate files the tests hand in.
 */
import * as fs from "node:fs";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../packages/emulator/src";
import { fakePulumi, type FakePulumi } from "./fake-pulumi";

export const TENANT = "0a0a0a0a-0000-4000-8000-00000000000a";

export interface CliFixture {
  readonly emulator: Emulator;
  readonly env: NodeJS.ProcessEnv;
  readonly pulumi: FakePulumi;
}

/** Registers the hooks; the returned object's fields are set once they have run. */
export function cliFixture(options: EmulatorOptions, extraEnv: NodeJS.ProcessEnv = {}): CliFixture {
  const f = {} as { emulator: Emulator; env: NodeJS.ProcessEnv; pulumi: FakePulumi };
  beforeAll(async () => {
    f.emulator = await startEmulator({ throttle: false, ...options });
    f.env = {
      PARTNER_CENTER_ENDPOINT: f.emulator.url,
      PARTNER_CENTER_AUTHORITY: f.emulator.url,
      PARTNER_CENTER_TENANT_ID: TENANT,
      PARTNER_CENTER_CLIENT_ID: "pipeline",
      PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: "true",
      ...Object.fromEntries(
        Object.entries(extraEnv).map(([k, v]) => [k, v === "<emulator>" ? f.emulator.url : v]),
      ),
    };
  });
  afterAll(async () => {
    await f.emulator.close();
  });
  beforeEach(() => {
    f.emulator.reset();
    f.pulumi = fakePulumi();
  });
  afterEach(() => f.pulumi.remove());
  return f;
}

/** Writes an estate file (format version 1) at `file`: these entries, and any other top-level fields. */
export function writeEstate(file: string, customers: readonly object[], more: object = {}): void {
  fs.writeFileSync(file, JSON.stringify({ version: 1, ...more, customers }));
}
