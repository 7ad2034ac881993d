#!/usr/bin/env node
"use strict";
/**
 * `npm run soak [-- --operations 1000] [-- --fault-rate 0.1] [-- --seconds 240] [-- --seed 7] [-- --json]`
 *
 * Operations through the real provider host (one process, Pulumi-like parallelism) against the emulator,
 * with a fraction of all API requests hit by a random fault (throttling, 5xx, resets before and after
 * applying, slow answers, broken JSON, MFA refusals). Each customer goes through create, read and delete;
 * the estate mixes clean customers, customers with only inactive subscriptions, customers with active
 * subscriptions (with and without suspendActiveSubscriptions) and customers with reserved instances.
 *
 * A wrong outcome is any of: a delete reported successful while the relationship is still there; a
 * relationship removed while the delete reported a definite failure; a blocked customer removed or left
 * half-suspended; a create reported successful for a customer that is not a reseller customer; a read whose
 * `removable` disagrees with the estate; one MS-RequestId applied twice; a credential in the host's output.
 * Failures that the service's faults explain (a typed error, nothing changed) are counted, not wrong.
 * Bounded: it stops after `--seconds` even if operations remain.
 */
const { startEmulator } = require("pulumi-partner-center-emulator");
const { Host, captureProviderText, mapLimit, PARTNER_TENANT_ID: PARTNER } = require("../support/host");
const { numberOption, readOptions } = require("../support/args");

const SECRET = "soak-client-secret-3c9e1f7a";
const REFRESH = "soak-refresh-token-8b2d4e6c";

const OPTIONS = readOptions(
  "node test/soak/soak.js [--operations N] [--fault-rate 0.1] [--seconds N] [--seed N] [--json]",
  {
    operations: { type: "string" },
    "fault-rate": { type: "string" },
    seconds: { type: "string" },
    seed: { type: "string" },
    json: { type: "boolean" },
  },
);

/** Deterministic customer kinds, in proportion. */
const KINDS = [
  ...Array(10).fill("clean"),
  ...Array(3).fill("inactive"),
  ...Array(3).fill("activeSuspend"),
  ...Array(2).fill("activeBlocked"),
  ...Array(2).fill("reservedInstance"),
];

function estateFor(count) {
  const customers = [];
  for (let n = 1; n <= count; n++) {
    const id = `50a40000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
    const kind = KINDS[n % KINDS.length];
    const sub = (i, status) => ({
      id: `${id.slice(0, 24)}${(n * 16 + i).toString(16).padStart(12, "0")}`,
      offerName: `Offer ${i}`,
      status,
    });
    const c = { id, companyName: `Soak ${n}`, subscriptions: [], entitlements: [] };
    if (kind === "inactive") c.subscriptions = [sub(1, "suspended"), sub(2, "deleted")];
    if (kind === "activeSuspend" || kind === "activeBlocked")
      c.subscriptions = [sub(1, "active"), sub(2, "active"), sub(3, "suspended")];
    if (kind === "reservedInstance")
      c.entitlements = [{ entitlementType: "reservedInstance" }, { entitlementType: "software" }];
    customers.push({ kind, estate: c });
  }
  return customers;
}

/**
 * Random faults. 429s are not among them: they come from the emulator's real throttle (partner-wide,
 * 100 requests per 2 s), as Partner Center sends them. Random 429s at a steady rate would read as an ever
 * lower limit to any adaptive limiter (the matrix covers one-off 429s with and without Retry-After).
 */
const FAULTS = [
  { kind: "status", status: 500 },
  { kind: "status", status: 502 },
  { kind: "status", status: 503 },
  { kind: "status", status: 504 },
  { kind: "reset" },
  { kind: "resetAfterApply" },
  { kind: "slow", delayMs: 300 },
  { kind: "malformedJson" },
  { kind: "truncatedJson" },
  { kind: "mfa" },
  // A hostile server: respelled statuses and types (an active one may become undocumented),
  // company names with escapes and bidi overrides, lists that do not add up, lists saying "not found" for a
  // customer that is there.
  { kind: "disguise" },
  { kind: "inflateTotalCount" },
  { kind: "duplicateItem", match: { path: "/subscriptions$" } },
  { kind: "status", status: 404, code: 1000, match: { path: "/(subscriptions|entitlements)$" } },
  { kind: "status", status: 403, code: 20002, match: { path: "/(subscriptions|entitlements)$" } },
];

/**
 * Runs the soak and returns its figures.
 * @param {{ operations?: number, faultRate?: number, seconds?: number, seed?: number, parallelism?: number, log?: (s: string) => void }} [o]
 */
async function soak(o = {}) {
  const operations = o.operations ?? 1000;
  const faultRate = o.faultRate ?? 0.1;
  const seconds = o.seconds ?? 240;
  const parallelism = o.parallelism ?? 8;
  const log = o.log ?? (() => undefined);
  // Some creates fail (faults) and end their customer early: a little more than a third of a customer each.
  const customers = estateFor(Math.ceil(operations / 2.7));
  const emulator = await startEmulator({
    estate: { partnerTenantId: PARTNER, customers: customers.map((c) => c.estate) },
    throttle: { limit: 100, windowMs: 2000, scope: "partner" },
    seed: o.seed ?? 7,
    // A removal shows in GETs only after a while, as Microsoft's removal sample expects ("wait for changes to
    // propagate"): the provider must confirm by polling, never by a second PATCH.
    propagationDelaySeconds: 1,
  });
  // Each fault kind gets an equal share of the fault rate; the emulator draws with its seeded generator.
  emulator.addFault(FAULTS.map((f) => ({ ...f, always: true, probability: faultRate / FAULTS.length })));
  const providerText = await captureProviderText();
  const host = await Host.start({ providerText });
  const wrong = [];
  const counts = { operations: 0, succeeded: 0, failedSafely: 0, unconfirmed: 0, skipped: 0 };
  /** Successes that were not true (a removal reported but not done, an adoption of a non-reseller). */
  let falseSuccesses = 0;
  /** Customers with a blocker whose relationship was removed, whatever was reported. */
  let blockedRemovals = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  try {
    await host.configureEmulator(emulator.url, {
      clientId: "soak",
      clientSecret: SECRET,
      refreshToken: REFRESH,
    });
    const state = (id) => emulator.state().customers.find((c) => c.id === id);
    const isRemoved = (id) => {
      const s = state(id);
      return !!s && s.relationshipToPartner !== "reseller";
    };

    let budget = operations;
    await mapLimit(customers, parallelism, async (c) => {
      const id = c.estate.id;
      const props = {
        customerId: id,
        ...(c.kind === "activeSuspend" && { suspendActiveSubscriptions: true }),
      };
      for (const op of ["create", "read", "delete"]) {
        if (budget <= 0) break;
        if (Date.now() > deadline) {
          counts.skipped++;
          continue;
        }
        budget--;
        counts.operations++;
        try {
          if (op === "create") {
            await host.create(id, props);
            if (isRemoved(id)) {
              falseSuccesses++;
              wrong.push(`${id}: create reported success for a customer that is not a reseller`);
            }
          } else if (op === "read") {
            const r = await host.read(id, id, props);
            const expected = c.kind === "clean" || c.kind === "inactive";
            if (r.id && r.props.removable !== expected)
              wrong.push(`${id}: read said removable=${r.props.removable}, expected ${expected}`);
          } else {
            await host.delete(id, id, props);
            if (!isRemoved(id)) {
              falseSuccesses++;
              wrong.push(`${id}: delete reported success but the relationship is still there`);
            }
            if (c.kind === "activeBlocked" || c.kind === "reservedInstance")
              wrong.push(`${id}: a blocked customer was removed`);
          }
          counts.succeeded++;
        } catch (e) {
          const m = String((e && (e.details || e.message)) || e);
          if (op === "delete" && /PPC_REMOVAL_UNCONFIRMED|PPC_CONNECTION|could not be confirmed/.test(m)) {
            counts.unconfirmed++; // outcome unknown to the provider: the resource stays, the next run re-checks
          } else {
            counts.failedSafely++;
            if (op === "delete" && isRemoved(id))
              wrong.push(`${id}: removed, but the delete reported a failure: ${m.slice(0, 160)}`);
          }
          if (op === "create") break; // as in Pulumi: no read or delete of a resource that was never created
        }
        // A blocked customer must never be left half-suspended.
        if (c.kind === "activeBlocked") {
          const s = state(id);
          // It starts with one suspended subscription of three.
          if (s && s.subscriptions.filter((x) => x.status === "suspended").length > 1) {
            wrong.push(`${id}: a subscription of a blocked customer was suspended`);
          }
        }
      }
    });

    for (const c of customers) {
      if ((c.kind === "activeBlocked" || c.kind === "reservedInstance") && isRemoved(c.estate.id)) {
        blockedRemovals++;
        wrong.push(`${c.estate.id}: a customer with a blocker was removed`);
      }
    }
    const log2 = emulator.requests();
    const applied = log2.filter((r) => r.applied);
    const perRequest = new Map();
    for (const r of applied) perRequest.set(r.requestId, (perRequest.get(r.requestId) || 0) + 1);
    for (const [rid, n] of perRequest) if (n > 1) wrong.push(`MS-RequestId ${rid} applied ${n} times`);
    const out = host.output();
    for (const t of [SECRET, REFRESH, ...emulator.state().issuedTokens]) {
      if (out.includes(t)) wrong.push("a credential appeared in the host's output");
    }
    // Disguised company names carry ANSI escapes and a right-to-left override: none may reach the output.
    if (/[\u001b\u202e]/.test(out))
      wrong.push("a control or bidi character from the service reached the host's output");
    const faults = log2.filter((r) => r.fault).length;
    const throttled = log2.filter((r) => r.status === 429 && !r.fault).length;
    const result = {
      ...counts,
      requests: log2.length,
      faultsInjected: faults,
      faultFraction: Math.round((faults / Math.max(1, log2.length)) * 1000) / 1000,
      throttled429: throttled,
      falseSuccesses,
      blockedRemovals,
      wrongOutcomes: wrong.length,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    log(
      `soak: ${result.operations} operations (${result.succeeded} succeeded, ${result.failedSafely} failed safely with a typed error, ` +
        `${result.unconfirmed} left for the next run to confirm, ${result.skipped} skipped by the time bound) in ${result.seconds} s; ` +
        `${result.requests} API requests, ${result.faultsInjected} faults injected (${(result.faultFraction * 100).toFixed(1)} %), ` +
        `${result.throttled429} answered 429 by the throttle; ` +
        `false successes: ${result.falseSuccesses}; removals of a customer with a blocker: ${result.blockedRemovals}; ` +
        `wrong outcomes: ${result.wrongOutcomes}`,
    );
    for (const w of wrong.slice(0, 20)) log(`  WRONG: ${w}`);
    return result;
  } finally {
    await host.stop();
    await emulator.close();
  }
}

module.exports = { soak };

if (require.main === module) {
  const json = OPTIONS.json === true;
  soak({
    operations: numberOption(OPTIONS, "operations", 1000),
    faultRate: numberOption(OPTIONS, "fault-rate", 0.1, { integer: false, min: 0, max: 1 }),
    seconds: numberOption(OPTIONS, "seconds", 240),
    seed: numberOption(OPTIONS, "seed", 7, { min: 0 }),
    log: json ? undefined : (s) => process.stdout.write(`${s}\n`),
  }).then(
    (r) => {
      if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(r.wrongOutcomes === 0 ? 0 : 1);
    },
    (e) => {
      process.stderr.write(`soak failed: ${e && e.stack ? e.stack : e}\n`);
      process.exit(1);
    },
  );
}
