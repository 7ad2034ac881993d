#!/usr/bin/env node
/**
 * `partner-center-emulator`: runs the Partner Center emulator until SIGINT or SIGTERM.
 * Exit codes: 0 after a clean stop, 1 when it cannot start (e.g. port in use), 2 for bad arguments.
 */
import * as fs from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { startEmulator, type EmulatorOptions, type Estate } from "./index";

const USAGE = `Usage: partner-center-emulator [options]

A local Partner Center (and token endpoint) for tests, demos and pipelines.

Options:
  --port N                       TCP port (default 8787; 0 picks a free one)
  --host ADDRESS                 listening address (default 127.0.0.1; loopback only)
  --estate FILE                  estate JSON file (default: the built-in sample estate)
  --casing documented|camel|pascal  property-name casing of responses (default documented)
  --latency-ms N                 delay added to every API response (default 0)
  --throttle LIMIT/WINDOW_SECONDS  rate limit, e.g. 500/60 (the default)
  --throttle-scope partner|partnerAndCustomer  throttle key (default partnerAndCustomer)
  --no-throttle                  never answer 429
  --help                         this text
`;

class UsageError extends Error {}

/** The options, for node:util parseArgs: every value is read as text and checked below. */
const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  estate: { type: "string" },
  casing: { type: "string" },
  "latency-ms": { type: "string" },
  throttle: { type: "string" },
  "throttle-scope": { type: "string" },
  "no-throttle": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

function integer(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max)
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

function readEstate(file: string): Estate {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--estate: cannot read "${file}": ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Estate;
  } catch (e) {
    throw new UsageError(`--estate: "${file}" is not valid JSON: ${(e as Error).message}`);
  }
}

function parse(argv: string[]): EmulatorOptions | "help" {
  let values;
  try {
    // Strict: an unknown option, a positional, a missing value or a value given to a flag is an error that names it.
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return "help";
  const o: EmulatorOptions = { port: 8787 };
  if (values.port !== undefined) o.port = integer("--port", values.port, 0, 65535);
  if (values.host !== undefined) o.host = values.host;
  if (values.estate !== undefined) o.estate = readEstate(values.estate);
  if (values.casing !== undefined) {
    const v = values.casing;
    if (v !== "documented" && v !== "camel" && v !== "pascal")
      throw new UsageError(`--casing must be documented, camel or pascal, got "${v}"`);
    o.casing = v;
  }
  if (values["latency-ms"] !== undefined)
    o.latencyMs = integer("--latency-ms", values["latency-ms"], 0, 600_000);
  let throttle: { limit: number; windowMs: number } | undefined;
  if (values.throttle !== undefined) {
    const v = values.throttle;
    const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(v);
    if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0) {
      throw new UsageError(
        `--throttle must be LIMIT/WINDOW_SECONDS with LIMIT >= 1, e.g. 500/60, got "${v}"`,
      );
    }
    throttle = { limit: Number(m[1]), windowMs: Math.round(Number(m[2]) * 1000) };
  }
  const scope = values["throttle-scope"];
  if (scope !== undefined && scope !== "partner" && scope !== "partnerAndCustomer")
    throw new UsageError(`--throttle-scope must be partner or partnerAndCustomer, got "${scope}"`);
  if (values["no-throttle"] && (throttle || scope))
    throw new UsageError("--no-throttle cannot be combined with --throttle or --throttle-scope");
  if (values["no-throttle"]) o.throttle = false;
  else if (throttle || scope) o.throttle = { ...throttle, ...(scope ? { scope } : {}) };
  return o;
}

async function main(): Promise<number> {
  let options: EmulatorOptions | "help";
  try {
    options = parse(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`partner-center-emulator: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const bad = err.name === "EstateValidationError" || /startEmulator:/.test(err.message);
    process.stderr.write(
      `partner-center-emulator: ${err.code === "EADDRINUSE" ? `port ${String(options.port)} is already in use` : err.message}\n`,
    );
    return bad ? 2 : 1;
  }
  const { url } = emulator;
  const partner = emulator.state().partnerTenantId;
  process.stdout.write(
    [
      `Partner Center emulator listening on ${url}`,
      "Point the provider at it (any client id and refresh token are accepted):",
      `  export PARTNER_CENTER_ENDPOINT=${url}`,
      `  export PARTNER_CENTER_AUTHORITY=${url}`,
      `  export PARTNER_CENTER_TENANT_ID=${partner}`,
      "  export PARTNER_CENTER_CLIENT_ID=emulator-client PARTNER_CENTER_REFRESH_TOKEN=emulator-refresh-token",
      `  export PARTNER_CENTER_GRAPH_ENDPOINT=${url}`,
      "  export PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS=true",
      "(in a stack: partnercenter:graphEndpoint and partnercenter:allowLoopbackWithCredentials; without the",
      " latter the provider refuses to send credentials to a loopback address)",
      `Admin API: ${url}/_emulator/state, /_emulator/requests, /_emulator/faults, /_emulator/reset`,
      "Stop with Ctrl+C.",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await emulator.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`partner-center-emulator: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
