/**
 * No listener piles up under load: a 1,000-resource run (create, refresh, delete) through the real provider
 * host, against the emulator with latency so that hundreds of requests overlap, must not emit a single
 * MaxListenersExceededWarning, neither in the emulator nor in the host (the client).
 *
 * The emulator runs as its own process (its CLI): Node prints process warnings on the real process's stderr,
 * which jest's sandboxed `process` object does not let a test observe in-process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { syntheticEstate } from "pulumi-partner-center-emulator";
import { captureProviderText, Host, mapLimit } from "../support/host";

const COUNT = 1000;
/** The CLI's default parallelism on our 2-core machines is 4 x cores; 32 makes the overlap larger still. */
const PARALLEL = 32;
const CLI = path.resolve(__dirname, "../../packages/emulator/dist/cli.js");

let emulator: ChildProcess;
let url: string;
let host: Host;
const emulatorStderr: string[] = [];

beforeAll(async () => {
  emulator = spawn(process.execPath, [CLI, "--port", "0", "--latency-ms", "5", "--no-throttle"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  emulator.stderr!.on("data", (d: Buffer) => emulatorStderr.push(d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    let out = "";
    emulator.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    emulator.once("exit", (code) =>
      reject(new Error(`emulator exited (${code}): ${emulatorStderr.join("")}`)),
    );
  });
  const put = await fetch(`${url}/_emulator/estate`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(syntheticEstate({ count: COUNT })),
  });
  expect(put.status).toBe(200);
  host = await Host.start({ providerText: await captureProviderText() });
  await host.configureEmulator(url);
});
afterAll(async () => {
  await host?.stop();
  emulator.kill("SIGTERM");
});

type Created = { id: string; props: Record<string, unknown> };

test(`${COUNT} resources created, refreshed and deleted without a MaxListenersExceededWarning`, async () => {
  const ids = syntheticEstate({ count: COUNT }).customers.map((c) => c.id);
  const created = await mapLimit(ids, PARALLEL, (id: string, i: number) =>
    host.create(`c${i}`, { customerId: id }),
  );
  await mapLimit(created, PARALLEL, (r: Created, i: number) => host.read(`c${i}`, r.id, r.props));
  await mapLimit(created, PARALLEL, (r: Created, i: number) => host.delete(`c${i}`, r.id, r.props));
  // Every customer was really removed: the run did the work it claims.
  const state = (await (await fetch(`${url}/_emulator/state`)).json()) as {
    customers: { relationshipToPartner: string }[];
  };
  expect(state.customers.filter((c) => c.relationshipToPartner === "reseller")).toHaveLength(0);
  const leaks = [...emulatorStderr, ...host.stderr].filter((l) => l.includes("MaxListenersExceeded"));
  expect(leaks).toEqual([]);
}, 300_000);
