#!/usr/bin/env node
"use strict";
/**
 * `npm run demo`: what the provider does to an estate, on this machine, with no Partner Center account.
 *
 * Starts the bundled Partner Center emulator with the sample estate, runs the estate program
 * (examples/estate) to collect the resources it declares, and drives their lifecycle through the real
 * `@pulumi/pulumi` provider host over gRPC: up, refresh, destroy of the offboarded customers, then up again
 * after the unrelated customer accepts the invitation. The Pulumi engine itself is not running here;
 * `npm run demo -- --pulumi` runs the real `pulumi up`, `refresh` and `destroy` instead (the CLI from
 * scripts/pulumi-cli.sh, or one on PATH).
 *
 * Exit code 0 when every step behaved as expected.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startEmulator } = require("pulumi-partner-center-emulator");
const { Host, runProgram, withoutProvider, ROOT, TYPE } = require("../../test/support/host");
const { readOptions } = require("../../test/support/args");
const { gdapStep } = require("./gdap-step");

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
  // The removal rules: new commerce cancelled inside its window; locked until its term ends; ended reservations; savings plan.
  fourthcoffee: { up: "adopted", refresh: "blocked", destroy: "removed after clearing" },
  proseware: { up: "adopted", refresh: "blocked", destroy: "blocked" },
  alpine: { up: "adopted", refresh: "removable", destroy: "removed" },
  blueyonder: { up: "adopted", refresh: "blocked", destroy: "blocked" },
};

/** The customers the demo offboards (`destroy --target`, the one-off flow); the estate file keeps them all. */
const DEMO_OFFBOARD = new Set(Object.keys(EXPECTED).filter((k) => EXPECTED[k].destroy !== "kept"));

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
  // The Estate component registers itself too: only its ResellerRelationships are driven here.
  const resources = (await runProgram(() => require(PROGRAM))).resources.filter((r) => r.type === TYPE);
  const providerText = String(resources[0].inputs.__provider);
  const host = await Host.start({ providerText });
  // The audit trail (partnercenter:auditLog): every check and change, as JSON lines, rendered in step 5.
  const trailDir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-demo-trail-"));
  const trail = path.join(trailDir, "partner-center-audit.jsonl");
  const estate = require(path.join(PROGRAM, "estate.json")).customers;
  const byName = Object.fromEntries(estate.map((c) => [c.name, c]));
  const got = Object.fromEntries(
    Object.keys(EXPECTED).map((k) => [k, { up: "-", refresh: "-", destroy: "kept" }]),
  );
  const state = {};

  try {
    await host.configureEmulator(emulator.url, {}, { "partnercenter:auditLog": trail });
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

    const offboard = resources.filter((r) => byName[r.name] && DEMO_OFFBOARD.has(r.name) && state[r.name]);
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
    got.trail = records.every((l) => JSON.parse(l).version === 2) ? records.length : 0;
    // The `partner-center-audit` command (npx partner-center-audit FILE in a project that installed the package).
    // Exit code 1: some operation needs a person (the demo's blocked removals); the report is the same.
    const r = spawnSync(process.execPath, [path.join(ROOT, "provider/dist/cli/audit-report.js"), trail], {
      encoding: "utf8",
    });
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`partner-center-audit exited ${r.status}: ${r.stderr}`);
    const report = r.stdout;
    say(indent(report.trimEnd()));
    say(
      `\n  In a pipeline: npx partner-center-audit --markdown ${path.basename(trail)} >> "$GITHUB_STEP_SUMMARY"`,
    );
    // GDAP: steps 6 and 7, on northwind (removable, kept by step 3), in examples/demo/gdap-step.js.
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

/**
 * The same story with the real Pulumi CLI, on a file backend in a folder under .cache/pulumi/work: the CLI
 * from scripts/pulumi-cli.sh (built on first use from Pulumi's Go modules, several minutes), or a `pulumi`
 * already on PATH (Pulumi's installer). The offboarding is the estate's: `state: offboard` in the estate file,
 * `partner-center estate unprotect`, `pulumi up`.
 */
async function pulumiDemo() {
  const { cliEnv, run, Stack } = require("../../test/support/pulumi");
  let env;
  try {
    env = cliEnv();
  } catch {
    const which = spawnSync("pulumi", ["version"], { encoding: "utf8" });
    if (which.status !== 0) {
      say(
        "--pulumi: no Pulumi CLI. Build one with scripts/pulumi-cli.sh (needs Go and the Go module proxy), or install\n" +
          "it with Pulumi's installer (https://www.pulumi.com/docs/iac/download-install/), or run `npm run demo` without --pulumi.",
      );
      return 2;
    }
    env = { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" };
  }
  const emulator = await startEmulator({});
  const estate = require(path.join(PROGRAM, "estate.json")).customers;
  // The repository's Pulumi.yaml, with `main` pointing back at examples/estate from the stack's folder
  // (Stack.create makes it at .cache/pulumi/work/stack-*).
  const main = path.relative(path.join(ROOT, ".cache/pulumi/work/stack-"), PROGRAM);
  const stack = await Stack.create(env, {
    files: {
      "Pulumi.yaml": fs
        .readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")
        .replace(/^main: .*$/m, `main: ${main}/`),
    },
    emulatorUrl: emulator.url,
    echo: true,
  });
  try {
    const version = (await stack.ok(["version"])).trim();
    say(`\nReal Pulumi CLI ${version}, file backend in ${stack.dir}, emulator at ${emulator.url}.`);
    step(
      1,
      "pulumi up",
      "Adopts every relationship; Woodgrove has none yet: its error carries the invitation link.",
    );
    // --continue-on-error: without it the engine starts no create after Woodgrove's fails, and which
    // customers were started by then depends on timing (a loaded machine left Fabrikam out).
    await stack.pulumi(["up", "--yes", "--skip-preview", "--continue-on-error"]);
    step(2, "pulumi refresh", "Fills removable and removalBlockers for every customer.");
    await stack.ok(["refresh", "--yes", "--skip-preview"]);

    const offboard = estate.filter((c) => DEMO_OFFBOARD.has(c.name));
    step(
      3,
      `state: offboard for the ${offboard.length} customers, partner-center estate plan and unprotect, pulumi up`,
      "The pull request marks them; unprotect lifts protection from exactly these; up removes the removable\n" +
        "    ones (--continue-on-error), and the blocked ones stay, named. Every other customer stays protected.",
    );
    const cli = {
      ...stack.env,
      PARTNER_CENTER_ENDPOINT: emulator.url,
      PARTNER_CENTER_AUTHORITY: emulator.url,
      PARTNER_CENTER_TENANT_ID: "0a0a0a0a-0000-4000-8000-00000000000a",
      PARTNER_CENTER_CLIENT_ID: "local-client",
      PARTNER_CENTER_CLIENT_SECRET: "local-client-secret",
      PARTNER_CENTER_REFRESH_TOKEN: "local-refresh-token",
      PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: "true",
    };
    const partnerCenterEstate = (args) => {
      say(`\n$ partner-center estate ${args.join(" ")}`);
      return run(process.execPath, [path.join(ROOT, "provider/dist/cli/estate.js"), ...args], {
        cwd: stack.dir,
        env: cli,
        echo: true,
      });
    };
    const file = path.join(stack.dir, "estate.json");
    const withState = (pick) =>
      JSON.stringify({ version: 1, customers: estate.map((c) => ({ ...c, ...pick(c) })) }, null, 2);
    fs.writeFileSync(
      file,
      withState((c) => (DEMO_OFFBOARD.has(c.name) ? { state: "offboard" } : {})),
    );
    await stack.ok(["config", "set", "estateFile", file]);
    await partnerCenterEstate(["plan", "--estate", file]);
    await partnerCenterEstate(["unprotect", "--estate", file]);
    await stack.pulumi(["up", "--yes", "--skip-preview", "--continue-on-error"]);

    step(
      4,
      "Woodgrove accepts the invitation; the blocked customers are set back to active (not yet); pulumi up",
      "",
    );
    await emulator.acceptInvitation(estate.find((c) => c.name === "woodgrove").customerId);
    const inState = new Set((await stack.resources(TYPE)).map((r) => r.urn.split("::").pop()));
    fs.writeFileSync(
      file,
      withState((c) => (DEMO_OFFBOARD.has(c.name) && !inState.has(c.name) ? { state: "offboard" } : {})),
    );
    const again = await stack.pulumi(["up", "--yes", "--skip-preview"]);

    const final = new Set((await stack.resources(TYPE)).map((r) => r.urn.split("::").pop()));
    const rows = Object.entries(EXPECTED).map(([name, exp]) => {
      const expectInState = exp.destroy !== "removed" && !exp.destroy.startsWith("removed after");
      const ok = final.has(name) === expectInState;
      return [
        name,
        exp.destroy,
        final.has(name) ? "in the stack" : "removed",
        ok ? "as expected" : "UNEXPECTED",
      ];
    });
    say("\n=== Summary\n");
    say(table(["customer", "expected after offboarding", "now", "check"], rows));
    const ok = again.code === 0 && rows.every((r) => r[3] === "as expected");
    say(ok ? "\nEverything behaved as expected." : "\nSomething did not behave as expected.");
    return ok ? 0 : 1;
  } finally {
    await emulator.close();
    stack.remove();
  }
}

const options = readOptions("npm run demo [-- --pulumi]", { pulumi: { type: "boolean" } });
const main = options.pulumi ? pulumiDemo : hostDemo;
main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`demo failed: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
