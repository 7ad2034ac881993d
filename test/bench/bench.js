#!/usr/bin/env node
"use strict";
/**
 * `npm run bench [-- --json] [-- --quick] [-- --soak] [-- --noisy-only] [-- --pulumi]`: estate-scale figures through the real `@pulumi/pulumi` provider
 * host (one process, as the engine uses), against the emulator on loopback. Every figure is a ratio or a count
 * measured in this run, so a slow or busy machine does not mislead.
 *
 * - latency:  emulator at 50 ms per request, no throttle; 200 clean removals at Pulumi-like parallelism
 *             against the seed's flow (GET entitlements, GET subscriptions, PATCH; one customer after the
 *             other, one connection) measured in the same run.
 * - throttle: emulator throttled per partner (500/min scaled down to LIMIT per WINDOW); removals at
 *             parallelism 32; utilization = successful requests per window / allowed, 429 fraction, failures.
 * - noisy:    the same throttle plus a share of stray 429s (0, 1, 3 and 10 % of requests answered 429 with
 *             Retry-After 1 whatever the budget: the partner's other tools, the portal, hiccups), side by side;
 *             useful utilisation (requests served per second / the allowed rate), 429 share, failures. Then
 *             a 3 s burst in which every request is answered 429, and the time until the served rate is back
 *             to 80 % of what it was before the burst.
 * - calls:    requests per adopt, read and clean delete; token requests per process.
 * - memory:   host RSS after 1,000 resources; the serialized provider's size.
 * - --pulumi [--count N]: instead of the above, a real `pulumi up` and `destroy` of N customers (default 200)
 *             through the dynamic provider and through the provider plugin, side by side (see pulumiBench).
 */
const os = require("node:os");
const { Client } = require("undici");
const { startEmulator, syntheticEstate } = require("pulumi-partner-center-emulator");
const { Host, captureProviderText, mapLimit, PARTNER_TENANT_ID: PARTNER } = require("../support/host");

const { numberOption, readOptions } = require("../support/args");

const OPTIONS = readOptions(
  "npm run bench -- [--json] [--quick] [--soak] [--noisy-only] [--pulumi [--count N]]",
  {
    json: { type: "boolean" },
    quick: { type: "boolean" },
    soak: { type: "boolean" },
    "noisy-only": { type: "boolean" },
    pulumi: { type: "boolean" },
    count: { type: "string" },
  },
);
const JSON_OUT = OPTIONS.json === true;
const QUICK = OPTIONS.quick === true;

/** The CLI's default parallelism is 4 x CPU cores. */
const PULUMI_PARALLEL = 4 * os.cpus().length;

const log = (s) => {
  if (!JSON_OUT) process.stdout.write(`${s}\n`);
};

async function withHost(emulator, providerText, fn) {
  const host = await Host.start({ providerText });
  try {
    await host.configureEmulator(emulator.url);
    return await fn(host);
  } finally {
    await host.stop();
  }
}

/** The emulator's request log holds API calls only (token and admin calls are not in it). */
const apiRequests = (emulator) => emulator.requests();

/** The seed's flow, one customer after the other on one connection. Returns ms per delete. */
async function sequentialBaseline(emulator, ids) {
  const client = new Client(emulator.url, { pipelining: 1, connections: 1 });
  try {
    const tok = await client.request({
      method: "POST",
      path: `/${PARTNER}/oauth2/token`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token&client_id=bench&client_secret=s&refresh_token=r&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com",
    });
    const { access_token: token } = await tok.body.json();
    const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
    const started = performance.now();
    for (const id of ids) {
      for (const p of [`/v1/customers/${id}/entitlements`, `/v1/customers/${id}/subscriptions`]) {
        const r = await client.request({ method: "GET", path: p, headers });
        await r.body.json();
      }
      const r = await client.request({
        method: "PATCH",
        path: `/v1/customers/${id}`,
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ relationshipToPartner: "none", attributes: { objectType: "Customer" } }),
      });
      const body = await r.body.json();
      if ((body.relationshipToPartner || body.RelationshipToPartner) !== "none")
        throw new Error("baseline PATCH not confirmed");
    }
    return (performance.now() - started) / ids.length;
  } finally {
    await client.close();
  }
}

async function latencyBench(providerText) {
  const count = QUICK ? 60 : 200;
  const baselineCount = QUICK ? 15 : 40;
  const estate = syntheticEstate({ count: count + baselineCount });
  const ids = estate.customers.map((c) => c.id);
  const emulator = await startEmulator({ estate, latencyMs: 50, throttle: false });
  try {
    const seqMs = await sequentialBaseline(emulator, ids.slice(count));
    const mine = ids.slice(0, count);
    const ms = await withHost(emulator, providerText, async (host) => {
      const started = performance.now();
      await mapLimit(mine, PULUMI_PARALLEL, (id) => host.delete(id, id, { customerId: id }));
      return (performance.now() - started) / mine.length;
    });
    log(
      `latency: ${count} clean removals at parallelism ${PULUMI_PARALLEL}, 50 ms per request: ${ms.toFixed(1)} ms per delete; ` +
        `sequential seed flow (${baselineCount} customers, one connection): ${seqMs.toFixed(1)} ms per delete`,
    );
    return {
      msPerDelete: round(ms, 1),
      speedupVsSequential: round(seqMs / ms, 2),
      sequentialMsPerDelete: round(seqMs, 1),
      parallelism: PULUMI_PARALLEL,
      removals: count,
    };
  } finally {
    await emulator.close();
  }
}

async function throttleBench(providerText) {
  const limit = 50;
  const windowMs = QUICK ? 2000 : 3000;
  const count = QUICK ? 120 : 300;
  const parallelism = 32;
  const estate = syntheticEstate({ count });
  const ids = estate.customers.map((c) => c.id);
  const emulator = await startEmulator({ estate, throttle: { limit, windowMs, scope: "partner" } });
  try {
    let failures = 0;
    const elapsed = await withHost(emulator, providerText, async (host) => {
      const started = performance.now();
      await mapLimit(ids, parallelism, (id) =>
        host.delete(id, id, { customerId: id }).catch(() => {
          failures++;
        }),
      );
      return performance.now() - started;
    });
    const reqs = apiRequests(emulator);
    const ok = reqs.filter((r) => r.status !== 429).length;
    const throttled = reqs.filter((r) => r.status === 429).length;
    const windows = elapsed / windowMs;
    const utilization = ok / (windows * limit);
    log(
      `throttle: ${count} removals at parallelism ${parallelism}, limit ${limit} per ${windowMs / 1000} s (per partner): ` +
        `${ok} requests served in ${(elapsed / 1000).toFixed(1)} s = ${windows.toFixed(1)} windows; utilization ${utilization.toFixed(3)}; ` +
        `429 answers ${throttled} of ${reqs.length} (${((100 * throttled) / reqs.length).toFixed(2)} %); failures ${failures}`,
    );
    return {
      utilization: round(utilization, 3),
      throttled429Fraction: round(throttled / reqs.length, 4),
      failures,
      removals: count,
      limit,
      windowMs,
      parallelism,
    };
  } finally {
    await emulator.close();
  }
}

/** The throttle of the throttle and noisy benches: 500 a minute per partner, scaled down. */
const THROTTLE = { limit: 50, windowMs: 3000, scope: "partner" };

/** Removals of `ids` at parallelism 32 through one host; returns the elapsed ms and the failures. */
async function removeAll(emulator, providerText, ids, during) {
  let failures = 0;
  const elapsed = await withHost(emulator, providerText, async (host) => {
    const started = performance.now();
    const work = mapLimit(ids, 32, (id) =>
      host.delete(id, id, { customerId: id }).catch(() => {
        failures++;
      }),
    );
    if (during) await during(started);
    await work;
    return performance.now() - started;
  });
  return { elapsed, failures };
}

async function noisyBench(providerText) {
  const count = QUICK ? 40 : 100;
  const runs = [];
  for (const noise of [0, 0.01, 0.03, 0.1]) {
    const estate = syntheticEstate({ count });
    const ids = estate.customers.map((c) => c.id);
    const emulator = await startEmulator({ estate, throttle: { ...THROTTLE, noise } });
    try {
      const { elapsed, failures } = await removeAll(emulator, providerText, ids);
      const reqs = apiRequests(emulator);
      const served = reqs.filter((r) => r.status !== 429).length;
      const throttled = reqs.length - served;
      const allowedPerSecond = (THROTTLE.limit * 1000) / THROTTLE.windowMs;
      const utilisation = served / ((elapsed / 1000) * allowedPerSecond);
      log(
        `noisy ${String(noise * 100).padStart(2)} %: ${count} removals, ${served} requests served in ${(elapsed / 1000).toFixed(1)} s; ` +
          `useful utilisation ${utilisation.toFixed(3)}; 429 answers ${throttled} of ${reqs.length} (${((100 * throttled) / reqs.length).toFixed(2)} %); failures ${failures}`,
      );
      runs.push({
        noise,
        usefulUtilisation: round(utilisation, 3),
        throttled429Fraction: round(throttled / reqs.length, 4),
        seconds: round(elapsed / 1000, 1),
        failures,
      });
    } finally {
      await emulator.close();
    }
  }
  return { removals: count, ...THROTTLE, parallelism: 32, runs, burst: await burstBench(providerText) };
}

/** Every request answered 429 for 3 s in the middle of a throttled run; seconds until the rate is back. */
async function burstBench(providerText) {
  const count = QUICK ? 100 : 150;
  const burstAtMs = 10_000;
  const burstMs = 3000;
  const estate = syntheticEstate({ count });
  const ids = estate.customers.map((c) => c.id);
  const emulator = await startEmulator({ estate, throttle: THROTTLE });
  try {
    // Wall-clock times, as in the emulator's request log.
    let burstStart = 0;
    let burstEnd = 0;
    const { failures } = await removeAll(emulator, providerText, ids, async () => {
      await new Promise((r) => setTimeout(r, burstAtMs));
      burstStart = Date.now();
      emulator.addFault({ kind: "throttle", retryAfterSeconds: 1, always: true });
      await new Promise((r) => setTimeout(r, burstMs));
      emulator.clearFaults();
      burstEnd = Date.now();
    });
    const servedAt = apiRequests(emulator)
      .filter((r) => r.status !== 429)
      .map((r) => Date.parse(r.time));
    const servedIn = (from, to) => servedAt.filter((t) => t >= from && t < to).length;
    const span = 2000;
    // The rate before the burst, over its last two windows; then the first 2 s span after the burst at 80 % of it.
    const before = servedIn(burstStart - 2 * THROTTLE.windowMs, burstStart) / (2 * THROTTLE.windowMs);
    let recoveredAt;
    const last = servedAt[servedAt.length - 1] ?? 0;
    for (let t = burstEnd; t + span <= last; t += 100) {
      if (servedIn(t, t + span) / span >= 0.8 * before) {
        recoveredAt = t;
        break;
      }
    }
    const recoverySeconds = recoveredAt === undefined ? null : round((recoveredAt - burstEnd) / 1000, 1);
    const after = servedIn(burstEnd, burstEnd + span) / span / before;
    log(
      `burst: every request answered 429 for ${burstMs / 1000} s after ${burstAtMs / 1000} s of a throttled run; served rate back to 80 % of the ` +
        `${(before * 1000).toFixed(1)}/s before it ${recoverySeconds === null ? "never" : `${recoverySeconds} s`} after the burst ended ` +
        `(the 2 s right after it served ${(100 * after).toFixed(0)} % of that rate); failures ${failures}`,
    );
    return {
      burstSeconds: burstMs / 1000,
      rateBeforePerSecond: round(before * 1000, 1),
      recoverySeconds,
      rateInFirst2sAfterFraction: round(after, 2),
      failures,
    };
  } finally {
    await emulator.close();
  }
}

async function callsAndMemoryBench(providerText) {
  const count = QUICK ? 300 : 1000;
  const estate = syntheticEstate({ count });
  const ids = estate.customers.map((c) => c.id);
  const emulator = await startEmulator({ estate, throttle: false });
  try {
    return await withHost(emulator, providerText, async (host) => {
      const idleRss = host.rssMiB();
      const measure = async (fn) => {
        const before = apiRequests(emulator).length;
        await fn();
        return apiRequests(emulator).length - before;
      };
      const [a, b] = ids;
      const create = await measure(() => host.create(a, { customerId: a }));
      const read = await measure(() => host.read(a, a, { customerId: a }));
      const del = await measure(() => host.delete(b, b, { customerId: b }));
      const rest = ids.slice(2);
      // `pulumi up` of the whole estate through one host, then `pulumi refresh` of it.
      await mapLimit(rest, PULUMI_PARALLEL, (id) => host.create(id, { customerId: id }));
      const rss = host.rssMiB();
      await mapLimit(rest, PULUMI_PARALLEL, (id) => host.read(id, id, { customerId: id }));
      const rssRefresh = host.rssMiB();
      const tokenRequests = emulator.state().counters.tokenRequests;
      log(
        `calls: ${create} request(s) per adopt, ${read} per read, ${del} per clean delete; ${tokenRequests} token request(s) for the process`,
      );
      log(
        `memory: host RSS ${fmt(rss)} MiB after adopting ${count} resources, ${fmt(rssRefresh)} MiB after refreshing them ` +
          `(an idle host with @pulumi/pulumi loaded is ${fmt(idleRss)} MiB)`,
      );
      return {
        calls: { create, read, delete: del, tokenRequests },
        memory: {
          hostRssMiB: rss === undefined ? null : round(rss, 1),
          hostRssAfterRefreshMiB: rssRefresh === undefined ? null : round(rssRefresh, 1),
          idleHostRssMiB: idleRss === undefined ? null : round(idleRss, 1),
          resources: count,
        },
      };
    });
  } finally {
    await emulator.close();
  }
}

function fmt(n) {
  return n === undefined ? "n/a" : n.toFixed(1);
}

function round(n, d) {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}

/** `--count N` (the `--pulumi` run's customers), else `dflt`. */
function countArg(dflt) {
  return numberOption(OPTIONS, "count", dflt);
}

/**
 * The state file's bytes, and what they would be without the source positions and stack traces the engine
 * records for each resource (the language host's call site: Go frames of Pulumi YAML's host), which say where a
 * resource was declared, not what it is.
 */
function stateFigures(stack) {
  const fs = require("node:fs");
  const bytes = stack.stateBytes();
  const text = fs.readFileSync(stack.stateFile(), "utf8");
  const doc = JSON.parse(text);
  const indent = JSON.stringify(doc, null, 4) === text.trimEnd() ? 4 : undefined;
  const full = Buffer.byteLength(JSON.stringify(doc, null, indent));
  for (const r of doc.checkpoint?.latest?.resources ?? []) {
    delete r.sourcePosition;
    delete r.stackTrace;
  }
  return {
    bytes,
    withoutSourcePositions: bytes - (full - Buffer.byteLength(JSON.stringify(doc, null, indent))),
  };
}

/**
 * One front door's run: `pulumi up` and `pulumi destroy` of the estate on an empty stack first (the CLI's fixed
 * cost), then of every customer, then the same with PULUMI_SKIP_CHECKPOINTS=true (the engine then writes the
 * state once at the end instead of after every step; each write is the whole checkpoint, so the cost per step
 * grows with it). `declare(customers)` puts the customers into the program.
 */
async function stackRun(emulator, env, files, declare, customers, stackOpts = {}) {
  const { Stack } = require("../support/pulumi");
  const stack = await Stack.create(env, { files, emulatorUrl: emulator.url, ...stackOpts });
  try {
    const timed = async (cmd, extraEnv = {}) => {
      emulator.clearRequests();
      const started = performance.now();
      const r = await stack.pulumi(cmd, extraEnv);
      if (r.code !== 0) throw new Error(`pulumi ${cmd.join(" ")} exited ${r.code}:\n${r.out}`);
      const reqs = apiRequests(emulator);
      return {
        seconds: (performance.now() - started) / 1000,
        calls: reqs.length,
        throttled: reqs.filter((r) => r.status === 429).length,
      };
    };
    const empty = { up: (await timed(["up", "--yes", "--skip-preview"])).seconds };
    const emptyState = stateFigures(stack);
    empty.destroy = (await timed(["destroy", "--yes", "--skip-preview"])).seconds;
    await declare(stack, customers);
    const up = await timed(["up", "--yes", "--skip-preview"]);
    const state = stateFigures(stack);
    const destroy = await timed(["destroy", "--yes", "--skip-preview"]);
    emulator.reset();
    const skip = { PULUMI_SKIP_CHECKPOINTS: "true" };
    const upSkip = await timed(["up", "--yes", "--skip-preview"], skip);
    const destroySkip = await timed(["destroy", "--yes", "--skip-preview"], skip);
    emulator.reset();
    return { empty, up, destroy, upSkip, destroySkip, state, emptyState };
  } finally {
    stack.remove();
  }
}

/**
 * `--pulumi`: a real `pulumi up` and `pulumi destroy` of a COUNT-customer estate (`--count`, default 200)
 * against the emulator at its default throttle, with the CLI from scripts/pulumi-cli.sh, through both front
 * doors in the same run: the dynamic provider (test/pulumi/program, TypeScript) and the provider plugin (a
 * Pulumi YAML program). Measured in the same run: a `pulumi up` of an empty program (the CLI's fixed cost) and
 * the same adoptions and removals through one provider host at the CLI's default parallelism (the provider's
 * own time, the same domain code behind both doors), so the engine's overhead per resource is
 * (CLI wall - fixed cost - host time) / COUNT.
 */
async function pulumiBench() {
  const path = require("node:path");
  const fs = require("node:fs");
  const { DEFAULT_THROTTLE } = require("pulumi-partner-center-emulator");
  const { cliEnv, pluginYaml, projectFiles } = require("../support/pulumi");
  const count = countArg(QUICK ? 50 : 200);
  const estate = syntheticEstate({ count });
  const ids = estate.customers.map((c) => c.id);
  const customers = ids.map((id, i) => ({ name: `c${i}`, customerId: id }));
  const env = cliEnv();
  const emulator = await startEmulator({ estate }); // default throttle
  try {
    const dynamic = await stackRun(
      emulator,
      env,
      projectFiles(path.join(__dirname, "../pulumi/program")),
      (stack, cs) => stack.ok(["config", "set", "customers", JSON.stringify(cs)]),
      customers,
      { config: { customers: "[]" } },
    );
    const plugin = await stackRun(
      emulator,
      env,
      { "Pulumi.yaml": pluginYaml("ppc-bench-plugin", []) },
      (stack, cs) =>
        fs.writeFileSync(path.join(stack.dir, "Pulumi.yaml"), pluginYaml("ppc-bench-plugin", cs)),
      customers,
    );

    // The provider's own time for the same work: one host, the CLI's default parallelism.
    const providerText = await captureProviderText();
    const host = await withHost(emulator, providerText, async (h) => {
      const t0 = performance.now();
      await mapLimit(ids, PULUMI_PARALLEL, (id) => h.create(id, { customerId: id }));
      const t1 = performance.now();
      await mapLimit(ids, PULUMI_PARALLEL, (id) => h.delete(id, id, { customerId: id }));
      return { up: (t1 - t0) / 1000, destroy: (performance.now() - t1) / 1000 };
    });

    // The throttle bound: calls / allowed rate. The emulator's default is DEFAULT_THROTTLE per partner and
    // customer, so each customer has its own budget; also shown for one partner-wide budget of the same size.
    const { limit, windowMs } = DEFAULT_THROTTLE;
    const bound = (calls, keys) => (calls / (limit * keys)) * (windowMs / 1000);
    const figures = (op, empty, hostSeconds) => ({
      wallSeconds: round(op.seconds, 1),
      calls: op.calls,
      throttled429: op.throttled,
      throttleBoundSeconds: round(bound(op.calls, count), 2),
      partnerWideBoundSeconds: round(bound(op.calls, 1), 0),
      providerSeconds: round(hostSeconds, 1),
      engineOverheadMsPerResource: round(((op.seconds - empty - hostSeconds) * 1000) / count, 1),
    });
    const door = (r) => ({
      emptyStackSeconds: { up: round(r.empty.up, 1), destroy: round(r.empty.destroy, 1) },
      up: figures(r.up, r.empty.up, host.up),
      destroy: figures(r.destroy, r.empty.destroy, host.destroy),
      skipCheckpoints: {
        up: figures(r.upSkip, r.empty.up, host.up),
        destroy: figures(r.destroySkip, r.empty.destroy, host.destroy),
      },
      stateBytes: r.state.bytes,
      // Per customer: what the customers add to the state of an empty stack.
      stateBytesPerResource: Math.round((r.state.bytes - r.emptyState.bytes) / count),
      stateBytesPerResourceWithoutSourcePositions: Math.round(
        (r.state.withoutSourcePositions - r.emptyState.withoutSourcePositions) / count,
      ),
    });
    const result = {
      resources: count,
      parallel: PULUMI_PARALLEL,
      throttle: { limit, windowMs, scope: DEFAULT_THROTTLE.scope },
      dynamic: door(dynamic),
      plugin: door(plugin),
    };
    for (const name of ["dynamic", "plugin"]) {
      const d = result[name];
      for (const op of ["up", "destroy"]) {
        const f = d[op];
        log(
          `${name}: pulumi ${op} of ${count} customers: ${f.wallSeconds} s wall, ${f.calls} API calls (${f.throttled429} throttled); ` +
            `throttle bound ${f.throttleBoundSeconds} s (per-customer ${limit}/${windowMs / 1000} s), ${f.partnerWideBoundSeconds} s if one partner-wide budget; ` +
            `provider alone ${f.providerSeconds} s; engine overhead ${f.engineOverheadMsPerResource} ms per resource`,
        );
      }
      for (const op of ["up", "destroy"]) {
        const f = d.skipCheckpoints[op];
        log(
          `  ${op} with PULUMI_SKIP_CHECKPOINTS=true: ${f.wallSeconds} s wall, engine overhead ${f.engineOverheadMsPerResource} ms per resource`,
        );
      }
      log(
        `  empty stack: up ${d.emptyStackSeconds.up} s, destroy ${d.emptyStackSeconds.destroy} s; state file after up: ${d.stateBytes} bytes, ` +
          `${d.stateBytesPerResource} per customer (${d.stateBytesPerResourceWithoutSourcePositions} without source positions and stack traces)`,
      );
    }
    return result;
  } finally {
    await emulator.close();
  }
}

async function main() {
  if (OPTIONS.pulumi) {
    const result = await pulumiBench();
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const started = performance.now();
  log(
    `pulumi-partner-center benchmark on ${os.cpus().length} cores, Node ${process.version}${QUICK ? " (quick)" : ""}`,
  );
  const providerText = await captureProviderText();
  if (OPTIONS["noisy-only"]) {
    // Just the noisy series and the burst (about 2 minutes), while tuning the pacing.
    const noisy = await noisyBench(providerText);
    if (JSON_OUT) process.stdout.write(`${JSON.stringify({ noisy })}\n`);
    return;
  }
  const latency = await latencyBench(providerText);
  const throttle = await throttleBench(providerText);
  const noisy = await noisyBench(providerText);
  const { calls, memory } = await callsAndMemoryBench(providerText);
  const result = {
    latency,
    throttle,
    noisy,
    calls,
    memory,
    providerTextBytes: Buffer.byteLength(providerText),
  };
  if (OPTIONS.soak) {
    // The reliability soak (test/soak/soak.js) through the same harness: 1,000 operations, 10 % faults.
    result.soak = await require("../soak/soak").soak({ log });
  }
  log(`provider text: ${result.providerTextBytes} bytes`);
  log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const targets = [
    ["speedupVsSequential >= 5", latency.speedupVsSequential >= 5],
    ["throttle utilization >= 0.9", throttle.utilization >= 0.9],
    ["throttle failures = 0", throttle.failures === 0],
    ["429 fraction <= 1 %", throttle.throttled429Fraction <= 0.01],
    ...noisy.runs.map((r) => {
      const goal = r.noise === 0 ? 0.9 : r.noise <= 0.03 ? 0.85 : 0.7;
      return [`useful utilisation >= ${goal} at ${r.noise * 100} % stray 429s`, r.usefulUtilisation >= goal];
    }),
    ["noisy runs: failures = 0", noisy.runs.every((r) => r.failures === 0)],
    [
      "rate back within 5 s of a 429 burst",
      noisy.burst.recoverySeconds !== null && noisy.burst.recoverySeconds <= 5,
    ],
    ["1 request per adopt", calls.create === 1],
    ["4 requests per clean delete", calls.delete === 4],
    ["1 token request per process", calls.tokenRequests === 1],
    ["host RSS < 200 MiB at 1,000 resources", memory.hostRssMiB !== null && memory.hostRssMiB < 200],
  ];
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.soak && result.soak.wrongOutcomes > 0) process.exitCode = 1;
  } else {
    log("\ntargets:");
    for (const [name, met] of targets) log(`  ${met ? "met    " : "MISSED "} ${name}`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
