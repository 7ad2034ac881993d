#!/usr/bin/env node
"use strict";
/**
 * `npm run demo`: what the provider does to an estate, on this machine, with no Partner Center account.
 *
 * Starts the bundled Partner Center emulator with the sample estate, runs the estate program
 * (examples/estate) to collect the resources it declares, and drives their lifecycle through the real
 * `@pulumi/pulumi` provider host over gRPC: up, refresh, destroy of the offboarded customers, then up again
 * after the unrelated customer accepts the invitation. The Pulumi engine itself is not running (its CLI
 * cannot be installed everywhere); `npm run demo -- --pulumi` runs the real `pulumi up`, `refresh` and
 * `destroy` instead when a `pulumi` binary is on PATH.
 *
 * Exit code 0 when every step behaved as expected.
 */
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startEmulator } = require("pulumi-partner-center/emulator");
const { Host, runProgram, withoutProvider, ROOT } = require("./host");
const { gdapStep } = require("./gdap-step"); // GDAP (issue 16)

const PROGRAM = path.join(ROOT, "examples/estate");

/** What each customer of the sample estate should do, step by step. */
const EXPECTED = {
  contoso: { up: "adopted", refresh: "removable", destroy: "removed" },
  fabrikam: { up: "adopted", refresh: "blocked", destroy: "removed after clearing" },
  northwind: { up: "adopted", refresh: "removable", destroy: "kept" },
  adatum: { up: "adopted", refresh: "blocked", destroy: "blocked" },
  litware: { up: "adopted", refresh: "blocked", destroy: "blocked" },
  tailspin: { up: "adopted", refresh: "blocked", destroy: "blocked" },
  wingtip: { up: "adopted", refresh: "blocked", destroy: "blocked" },
  woodgrove: { up: "invitation link", refresh: "-", destroy: "kept", again: "adopted" },
  // Issue 14: new commerce cancelled inside its window; locked until its term ends; ended reservations; savings plan.
  fourthcoffee: { up: "adopted", refresh: "blocked", destroy: "removed after clearing" },
  proseware: { up: "adopted", refresh: "blocked", destroy: "blocked" },
  alpine: { up: "adopted", refresh: "removable", destroy: "removed" },
  blueyonder: { up: "adopted", refresh: "blocked", destroy: "blocked" },
};

const say = (s = "") => process.stdout.write(`${s}\n`);
const step = (n, title, why) => say(`\n=== ${n}. ${title}\n    ${why}\n`);
const indent = (s, by = "      ") =>
  s
    .split("\n")
    .map((l) => by + l)
    .join("\n");

/** Table printing without dependencies. @param {string[]} head @param {string[][]} rows */
function table(head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    "  " +
    cells
      .map((c, i) => String(c).padEnd(w[i]))
      .join("  ")
      .trimEnd();
  return [line(head), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

/** The first line of an error the host returned: the message a Pulumi user would read. */
function message(e) {
  const m = String((e && (e.details || e.message)) || e);
  return m.replace(/^\d+ [A-Z_]+: /, "");
}

async function hostDemo() {
  say("Partner Center provider demo: the sample estate on the bundled emulator.");
  say("The real @pulumi/pulumi provider host runs the provider over gRPC, exactly as `pulumi up` would;");
  say(
    "the Pulumi engine itself is NOT running here (this script plays its part). Use --pulumi for the real CLI.",
  );

  const emulator = await startEmulator({});
  const { resources } = await runProgram(() => require(PROGRAM));
  const providerText = String(resources[0].inputs.__provider);
  const host = await Host.start({ providerText });
  // The audit trail (partnercenter:auditLog): every check and change, as JSON lines, rendered in step 5.
  const trailDir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-demo-trail-"));
  const trail = path.join(trailDir, "partner-center-audit.jsonl");
  await host.configureEmulator(emulator.url, {}, { "partnercenter:auditLog": trail });
  const estate = require(path.join(PROGRAM, "estate.json")).customers;
  const byName = Object.fromEntries(estate.map((c) => [c.name, c]));
  const got = Object.fromEntries(
    Object.keys(EXPECTED).map((k) => [k, { up: "-", refresh: "-", destroy: "kept" }]),
  );
  const state = {};

  try {
    say(
      `\nEmulator: ${emulator.url} (sample estate: ${resources.length} customers declared in examples/estate/estate.json)`,
    );

    step(1, "pulumi up", "Each ResellerRelationship adopts the customer's existing relationship in one GET.");
    await Promise.all(
      resources.map(async (r) => {
        const inputs = withoutProvider(r.inputs);
        const checked = await host.check(r.name, inputs);
        try {
          const created = await host.create(r.name, withoutProvider(checked.inputs));
          state[r.name] = created;
          got[r.name].up = "adopted";
          say(`  + ${r.name.padEnd(10)} adopted: ${created.props.companyName} (${created.id})`);
        } catch (e) {
          const m = message(e);
          got[r.name].up = /invType=ResellerRelationship/.test(m) ? "invitation link" : "failed";
          say(`  x ${r.name.padEnd(10)} not created:\n${indent(m)}`);
        }
      }),
    );

    step(
      2,
      "pulumi refresh",
      "Reads each customer, its subscriptions and entitlements: can the relationship be removed?",
    );
    const rows = [];
    for (const r of resources) {
      const s = state[r.name];
      if (!s) continue;
      const read = await host.read(r.name, s.id, withoutProvider(s.props));
      state[r.name] = { id: read.id, props: read.props };
      const blockers = /** @type {any[]} */ (read.props.removalBlockers || []);
      got[r.name].refresh = read.props.removable ? "removable" : "blocked";
      rows.push([
        r.name,
        String(read.props.companyName),
        read.props.removable ? "yes" : "no",
        blockers
          .map(
            (b) =>
              `${b.kind === "reservedInstance" ? "reserved instance" : `${b.status} subscription`} ${b.name || b.id}`,
          )
          .join("; ") || "-",
      ]);
    }
    say(table(["customer", "company", "removable", "what blocks it"], rows));

    const offboard = resources.filter((r) => byName[r.name] && byName[r.name].offboard && state[r.name]);
    step(
      3,
      `pulumi destroy --target (the ${offboard.length} customers marked "offboard")`,
      "Removal only when nothing blocks it; blocked ones fail with every blocker named, and nothing changes.",
    );
    for (const r of offboard) {
      const s = state[r.name];
      try {
        await host.delete(r.name, s.id, withoutProvider(s.props));
        const suspended = emulator
          .requests()
          .filter(
            (q) =>
              q.method === "PATCH" &&
              q.applied &&
              q.customerId === s.id &&
              q.path.includes("/subscriptions/"),
          );
        got[r.name].destroy = suspended.length > 0 ? "removed after clearing" : "removed";
        const opts = ["suspendActiveSubscriptions", "cancelNewCommerceSubscriptionsInWindow"].filter(
          (k) => byName[r.name][k],
        );
        say(
          `  - ${r.name.padEnd(10)} removed${opts.length ? ` (${opts.map((k) => `${k}: true`).join(", ")})` : ""}`,
        );
      } catch (e) {
        got[r.name].destroy = "blocked";
        say(`  ! ${r.name.padEnd(10)} kept in the stack:\n${indent(message(e))}`);
      }
    }
    const lines = host
      .output()
      .split("\n")
      .filter((l) => /Suspended|Removed the reseller/.test(l));
    say(
      `\n  Provider log (what \`pulumi destroy\` shows as info lines):\n${indent(lines.join("\n"), "    ")}`,
    );

    step(
      4,
      "the customer accepts the invitation, then pulumi up again",
      "Woodgrove's global admin opens the link and accepts.",
    );
    await emulator.acceptInvitation(byName.woodgrove.customerId);
    try {
      const created = await host.create("woodgrove", { customerId: byName.woodgrove.customerId });
      got.woodgrove.again = "adopted";
      say(`  + woodgrove  adopted: ${created.props.companyName}`);
    } catch (e) {
      got.woodgrove.again = "failed";
      say(`  x woodgrove  ${message(e)}`);
    }
    step(
      5,
      "the audit trail (partner-center-audit)",
      `What each operation checked and changed, with the ids to quote to Microsoft: ${trail}`,
    );
    const records = fs.readFileSync(trail, "utf8").trimEnd().split("\n");
    got.trail = records.every((l) => JSON.parse(l).version === 1) ? records.length : 0;
    // The `partner-center-audit` command (npx partner-center-audit FILE in a project that installed the package).
    const report = execFileSync(
      process.execPath,
      [path.join(ROOT, "provider/dist/cli/audit-report.js"), trail],
      {
        encoding: "utf8",
      },
    );
    say(indent(report.trimEnd()));
    say(
      `\n  In a pipeline: npx partner-center-audit --markdown ${path.basename(trail)} >> "$GITHUB_STEP_SUMMARY"`,
    );
    // GDAP (issue 16): steps 6 and 7, on northwind (removable, kept by step 3), in examples/demo/gdap-step.js.
    const gdapOk = await gdapStep({
      host,
      emulator,
      customerId: byName.northwind.customerId,
      name: "northwind",
      say,
      step,
      indent,
      n: 6,
    });
    if (!gdapOk) got.trail = 0;
  } finally {
    await host.stop();
    await emulator.close();
    fs.rmSync(trailDir, { recursive: true, force: true });
  }

  say("\n=== Summary\n");
  let ok = true;
  if (!got.trail) {
    ok = false;
    say("The audit trail was not written as expected.");
  }
  const rows = Object.entries(EXPECTED).map(([name, exp]) => {
    const g = got[name];
    const match =
      exp.up === g.up &&
      exp.refresh === g.refresh &&
      exp.destroy === g.destroy &&
      (!exp.again || exp.again === g.again);
    ok &&= match;
    return [
      name,
      g.up + (g.again ? ` -> ${g.again}` : ""),
      g.refresh,
      g.destroy,
      match ? "as expected" : "UNEXPECTED",
    ];
  });
  say(table(["customer", "up", "refresh", "destroy", "check"], rows));
  say(
    ok
      ? "\nEverything behaved as expected."
      : "\nSomething did not behave as expected: see the rows marked UNEXPECTED.",
  );
  return ok ? 0 : 1;
}

/** The same story with the real Pulumi CLI, on a file backend in a temporary directory. */
async function pulumiDemo() {
  const which = spawnSync("pulumi", ["version"], { encoding: "utf8" });
  if (which.status !== 0) {
    say(
      "--pulumi: no `pulumi` binary on PATH. Install the Pulumi CLI, or run `npm run demo` without --pulumi.",
    );
    return 2;
  }
  const emulator = await startEmulator({});
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-demo-"));
  const configFile = path.join(tmp, "Pulumi.demo.yaml");
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${tmp}`,
    PULUMI_CONFIG_PASSPHRASE: "demo-only-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  const run = (args, allowFail = false) => {
    say(`\n$ pulumi ${args.join(" ")}`);
    const r = spawnSync("pulumi", [...args, "--cwd", ROOT], { env, stdio: "inherit" });
    if (r.status !== 0 && !allowFail) throw new Error(`pulumi ${args[0]} exited ${r.status}`);
    return r.status;
  };
  try {
    say(`Real Pulumi CLI (${which.stdout.trim()}), file backend in ${tmp}, emulator at ${emulator.url}.`);
    run(["stack", "init", "demo", "--non-interactive"]);
    // The dev stack's settings (emulator, dummy credentials, the loopback opt-in), at this emulator's port.
    fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), configFile);
    for (const k of ["endpoint", "authority"])
      run(["config", "set", `partnercenter:${k}`, emulator.url, "--config-file", configFile]);
    // Woodgrove has no relationship yet: `up` fails for it, by design, and prints the invitation link.
    run(["up", "--yes", "--skip-preview", "--config-file", configFile], true);
    run(["refresh", "--yes", "--skip-preview", "--config-file", configFile]);
    // From the state, not the stack outputs: an update that failed for one customer (Woodgrove) keeps the
    // resources it created but may not save outputs. The same script the pipeline examples use.
    const offboardIds = require(path.join(PROGRAM, "estate.json"))
      .customers.filter((c) => c.offboard)
      .map((c) => c.customerId);
    const targets = execFileSync(path.join(ROOT, "examples/pipelines/offboard-targets.sh"), offboardIds, {
      env,
      cwd: ROOT,
      encoding: "utf8",
    })
      .trim()
      .split(/\s+/);
    run(["destroy", "--yes", "--skip-preview", "--config-file", configFile, ...targets], true);
    run(["stack", "output", "--config-file", configFile], true);
    say("\nThe blocked customers stay in the stack; see the errors above for their blockers.");
    return 0;
  } finally {
    spawnSync("pulumi", ["stack", "rm", "demo", "--yes", "--force", "--cwd", ROOT], { env, stdio: "ignore" });
    await emulator.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const main = process.argv.includes("--pulumi") ? pulumiDemo : hostDemo;
main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`demo failed: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
