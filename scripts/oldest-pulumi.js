#!/usr/bin/env node
"use strict";
/**
 * The oldest @pulumi/pulumi this package supports (the floor of its peer range), tested as a user would get it:
 * a temporary project outside the workspace, `npm install` of that @pulumi/pulumi with our packed tarballs,
 * then scripts/oldest-pulumi/check.js in it (the provider host lifecycle against the emulator). Needs the npm
 * registry (or its cache) and nothing else. Run by .ci/run.
 *
 *   node scripts/oldest-pulumi.js [VERSION]    VERSION defaults to the peer range's floor; a VERSION given is
 *                                              installed even outside the peer range, to probe it
 */
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");

/** The floor of the provider's @pulumi/pulumi peer range (`>=X.Y.Z ...`). @returns {string} */
function floorVersion() {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "provider/package.json"), "utf8"));
  const range = manifest.peerDependencies["@pulumi/pulumi"];
  const floor = /^>=\s*(\d+\.\d+\.\d+)/.exec(range)?.[1];
  if (!floor) throw new Error(`the @pulumi/pulumi peer range "${range}" has no ">=X.Y.Z" floor`);
  return floor;
}

function main() {
  const probe = process.argv[2];
  const version = probe ?? floorVersion();
  const start = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-oldest-pulumi-"));
  try {
    const tarballs = execFileSync(
      "node",
      [path.join(__dirname, "release.js"), "pack", path.join(dir, "tarballs")],
      {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      },
    )
      .trim()
      .split("\n");
    const project = path.join(dir, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "oldest-pulumi-check", private: true }, null, 2),
    );
    execFileSync(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        ...(probe ? ["--legacy-peer-deps"] : []),
        `@pulumi/pulumi@${version}`,
        ...tarballs,
      ],
      { cwd: project, stdio: ["ignore", "inherit", "inherit"] },
    );
    const installed = require(path.join(project, "node_modules/@pulumi/pulumi/package.json")).version;
    if (installed !== version)
      throw new Error(`asked for @pulumi/pulumi ${version}, npm installed ${installed}`);
    fs.copyFileSync(path.join(__dirname, "oldest-pulumi/check.js"), path.join(project, "check.js"));
    execFileSync("node", ["check.js"], { cwd: project, stdio: "inherit", timeout: 120_000 });
    process.stdout.write(`oldest-pulumi: done in ${Math.round((Date.now() - start) / 1000)} s\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`oldest-pulumi: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

module.exports = { floorVersion };
