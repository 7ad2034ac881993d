#!/usr/bin/env node
"use strict";
/**
 * `node test/bench/estate.js [--json] [--count N]`: `partner-center estate export` and `estate plan` against a
 * synthetic emulator estate, each in its own Node process (as a user runs them), the emulator in this one with
 * Partner Center's throttle (500 requests a minute). Not a timed test: it prints figures and ratios.
 *
 * - export: wall time against the throttle bound (the requests it made, spaced at the throttle's minimum interval
 *   of 60 s / 500), and peak heap and RSS at 1,000 and N customers (default 5,000): their ratio shows whether
 *   memory grows with the estate. The N export is run again under --max-old-space-size=MEMORY_CAP_MB.
 * - plan: the exported file against a state holding every customer (no read needed), and against an empty
 *   state (every customer would be adopted: one read each).
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startEmulator, syntheticEstate, DEFAULT_THROTTLE } = require("pulumi-partner-center-emulator");
const { PARTNER_TENANT_ID } = require("../support/host");

const CLI = path.join(__dirname, "../../provider/dist/cli/estate.js");
const MEMORY_CAP_MB = 48;
const { numberOption, readOptions } = require("../support/args");

const args = process.argv.slice(2);
// The measuring child gets the CLI's own arguments after --child; only the parent reads options.
const OPTIONS =
  args[0] === "--child"
    ? {}
    : readOptions("node test/bench/estate.js [--json] [--count N]", {
        json: { type: "boolean" },
        count: { type: "string" },
      });
const JSON_OUT = OPTIONS.json === true;
const COUNT = numberOption(OPTIONS, "count", 5000);
const log = (s) => {
  if (!JSON_OUT) process.stdout.write(`${s}\n`);
};

/** Child mode: runs the estate CLI in this process, sampling memory; prints the peaks as the last line. */
async function child(argv) {
  const peak = { heapUsed: 0, rss: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.rss = Math.max(peak.rss, m.rss);
  };
  const timer = setInterval(sample, 5);
  const { main } = require(CLI);
  const started = performance.now();
  const code = await main(argv, { out: () => {}, err: (s) => process.stderr.write(`${s}\n`) });
  const ms = performance.now() - started;
  clearInterval(timer);
  sample();
  process.stdout.write(`${JSON.stringify({ code, ms, ...peak })}\n`);
}

function runChild(argv, env, nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...nodeArgs, __filename, "--child", ...argv], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("error", reject);
    p.on("close", (code) => {
      const last = out.trim().split("\n").pop();
      try {
        resolve({ exit: code, ...JSON.parse(last) });
      } catch {
        reject(new Error(`child exited ${code}: ${out}`));
      }
    });
  });
}

async function exportOf(count, dir, nodeArgs = []) {
  const emulator = await startEmulator({
    estate: syntheticEstate({ count, partnerTenantId: PARTNER_TENANT_ID }),
    throttle: DEFAULT_THROTTLE,
  });
  try {
    const env = {
      ...process.env,
      PARTNER_CENTER_ENDPOINT: emulator.url,
      PARTNER_CENTER_AUTHORITY: emulator.url,
      PARTNER_CENTER_TENANT_ID: PARTNER_TENANT_ID,
      PARTNER_CENTER_CLIENT_ID: "bench",
      PARTNER_CENTER_CLIENT_SECRET: "bench-secret",
      PARTNER_CENTER_REFRESH_TOKEN: "bench-refresh-token",
      PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: "true",
    };
    const file = path.join(dir, `estate-${count}.json`);
    emulator.clearRequests?.();
    const before = emulator.requests().length;
    const r = await runChild(["export", "--out", file], env, nodeArgs);
    const requests = emulator.requests().length - before;
    if (r.code !== 0) throw new Error(`export of ${count} exited ${r.code}`);
    const customers = JSON.parse(fs.readFileSync(file, "utf8")).customers.length;
    let plan;
    if (nodeArgs.length === 0) {
      const state = (ids) => {
        const f = path.join(dir, `state-${count}-${ids.length}.json`);
        const resources = ids.map((c) => ({
          urn: `urn:pulumi:bench::estate::partnercenter:index:Estate$pulumi-nodejs:dynamic/partnercenter:ResellerRelationship::${c.name}`,
          type: "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship",
          protect: true,
          outputs: { customerId: c.customerId },
        }));
        fs.writeFileSync(f, JSON.stringify({ deployment: { resources } }));
        return f;
      };
      const all = JSON.parse(fs.readFileSync(file, "utf8")).customers;
      const full = await runChild(["plan", "--estate", file, "--state", state(all)], env);
      const at = emulator.requests().length;
      const empty = await runChild(["plan", "--estate", file, "--state", state([])], env);
      plan = { full, empty, emptyRequests: emulator.requests().length - at };
    }
    return { count, customers, requests, ...r, plan };
  } finally {
    await emulator.close();
  }
}

async function bench() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-bench-"));
  const minIntervalMs = DEFAULT_THROTTLE.windowMs / DEFAULT_THROTTLE.limit; // per budget key
  try {
    const small = await exportOf(1000, dir);
    const large = await exportOf(COUNT, dir);
    const capped = await exportOf(COUNT, dir, [`--max-old-space-size=${MEMORY_CAP_MB}`]);
    const mb = (b) => (b / 1024 / 1024).toFixed(1);
    const bound = (n) => n * minIntervalMs;
    const figures = {
      throttle: `${DEFAULT_THROTTLE.limit} requests per ${DEFAULT_THROTTLE.windowMs / 1000} s per partner and customer (minimum interval ${minIntervalMs} ms)`,
      exports: [small, large].map((r) => ({
        customers: r.customers,
        requests: r.requests,
        ms: Math.round(r.ms),
        throttleBoundMs: bound(r.requests),
        timeOverBound: +(r.ms / bound(r.requests)).toFixed(2),
        peakHeapMB: +mb(r.heapUsed),
        peakRssMB: +mb(r.rss),
        planNothingToDoMs: Math.round(r.plan.full.ms),
        planAdoptAllMs: Math.round(r.plan.empty.ms),
        planAdoptAllRequests: r.plan.emptyRequests,
      })),
      heapRatio: +(large.heapUsed / small.heapUsed).toFixed(2),
      rssRatio: +(large.rss / small.rss).toFixed(2),
      estateRatio: large.customers / small.customers,
      cappedExport: { maxOldSpaceSizeMB: MEMORY_CAP_MB, ok: capped.code === 0, customers: capped.customers },
    };
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    log(`estate export and plan, emulator throttled at ${figures.throttle}`);
    for (const e of figures.exports) {
      log(
        `  ${e.customers} customers: export ${e.ms} ms for ${e.requests} requests (throttle bound ${e.throttleBoundMs} ms, ` +
          `x${e.timeOverBound}); peak heap ${e.peakHeapMB} MB, RSS ${e.peakRssMB} MB; plan, nothing to do: ` +
          `${e.planNothingToDoMs} ms; plan, all to adopt: ${e.planAdoptAllMs} ms (${e.planAdoptAllRequests} requests)`,
      );
    }
    log(
      `  estate x${figures.estateRatio}: peak heap x${figures.heapRatio}, peak RSS x${figures.rssRatio}; ` +
        `export of ${COUNT} under --max-old-space-size=${MEMORY_CAP_MB}: ${capped.code === 0 ? "completed" : "FAILED"}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (args[0] === "--child") {
  child(args.slice(1)).catch((e) => {
    process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  });
} else {
  bench().catch((e) => {
    process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  });
}
