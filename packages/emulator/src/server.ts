/** Listen and close only: the socket around the app (app.ts), with the loopback guard. */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { handle } from "./app";
import type { EmulatorConfig, EmulatorOptions, RuntimeOptions } from "./config";
import { DEFAULT_ESTATE, type Estate } from "./estate";
import type { Fault } from "./faults";
import type { GdapStore } from "./gdap-store";
import { startConfig, Store, type EmulatorState, type RequestLogEntry } from "./state";

/** A running emulator. Every method is the programmatic twin of an admin route (`/_emulator/...`). */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:8787`: use it as both the Partner Center endpoint and the authority. */
  readonly url: string;
  /** The port actually bound. */
  readonly port: number;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
  /** Replaces the estate (`PUT /_emulator/estate`). @throws EstateValidationError naming the bad field. */
  loadEstate(estate: Estate): void;
  /** A copy of the estate, counters, issued tokens, pending faults and config (`GET /_emulator/state`). */
  state(): EmulatorState;
  /** The API request log, token and admin calls excluded (`GET /_emulator/requests`). */
  requests(): RequestLogEntry[];
  /** `DELETE /_emulator/requests`. */
  clearRequests(): void;
  /** Queues one fault or several (`POST /_emulator/faults`). @throws TypeError naming the bad field. */
  addFault(fault: Fault | readonly Fault[]): void;
  /** `DELETE /_emulator/faults`. */
  clearFaults(): void;
  /** The customer accepts the reseller invitation (`POST /_emulator/customers/{id}/accept`). */
  acceptInvitation(customerId: string): void;
  /** Changes run-time options (`PATCH /_emulator/config`); returns the resulting config. */
  configure(options: RuntimeOptions): EmulatorConfig;
  /** Every issued access token expires now (`POST /_emulator/tokens/expire`); returns how many. */
  expireTokens(): number;
  /** Back to the start estate and options; log, faults, counters and throttle windows cleared (`POST /_emulator/reset`). */
  reset(): void;
  /** Microsoft Graph's delegated admin relationships (GDAP) and how the emulator moves them. */
  readonly gdap: GdapStore;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    h === "localhost" || h === "::1" || h === "::ffff:127.0.0.1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/**
 * Starts the emulator on 127.0.0.1 (port 0 by default: read {@link Emulator.url}).
 * @throws Error for a non-loopback host without `allowNonLoopback`, or an invalid option or estate.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopbackHost(host) && options.allowNonLoopback !== true) {
    throw new Error(
      `startEmulator: refusing to listen on "${host}": the emulator is for loopback only (127.0.0.1, ::1, localhost). ` +
        "It accepts any credentials and serves a fake estate, so it must not be reachable from other machines. " +
        "Pass allowNonLoopback: true only inside an isolated network (e.g. a CI container).",
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`startEmulator: port must be an integer from 0 to 65535, got ${String(port)}`);
  const limit = options.requestLogLimit ?? 100_000;
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`startEmulator: requestLogLimit must be an integer >= 1, got ${String(limit)}`);
  let config: EmulatorConfig;
  try {
    config = startConfig(options as Record<string, unknown>);
  } catch (e) {
    throw new Error(`startEmulator: ${(e as Error).message}`);
  }
  const core = new Store(config, options.estate ?? DEFAULT_ESTATE, limit);
  const server = http.createServer((req, res) => void handle(core, req, res));
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost =
    address.family === "IPv6" || address.address.includes(":") ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        core.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    loadEstate: (estate) => core.loadEstate(estate),
    state: () => core.snapshot(),
    requests: () => core.requests(),
    clearRequests: () => core.clearRequests(),
    addFault: (fault) => core.addFault(fault),
    clearFaults: () => core.clearFaults(),
    acceptInvitation: (customerId) => core.acceptInvitation(customerId),
    configure: (partial) => core.configure(partial),
    expireTokens: () => core.expireTokens(),
    reset: () => core.reset(),
    gdap: core.gdap,
  };
}
