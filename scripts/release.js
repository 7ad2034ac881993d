#!/usr/bin/env node
"use strict";
/**
 * Packs the two publishable packages and checks what the tarballs hold, before anything is published.
 *
 *   node scripts/release.js check          `npm pack --dry-run` of both packages, content checks (CI, fast)
 *   node scripts/release.js pack [DIR]     `npm pack` from a clean build (prepack) into DIR, then the same checks;
 *                                          prints the tarball paths, one a line (DIR defaults to .cache/release)
 *
 * Publishing itself is a person's step: `npm publish <tarball>` for each printed path, after CHANGELOG.md has
 * its version section and both package.json files carry the version (see CONTRIBUTING.md, "Releasing").
 */
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
/** The publishable workspaces, by folder. */
const PACKAGES = ["provider", "packages/emulator"];

/** @typedef {{ name: string, version: string, filename: string, files: { path: string }[] }} PackResult */

/**
 * `npm pack --json` of every publishable package.
 * @param {{ dryRun: boolean, destination?: string, build?: boolean }} opts a dry run, or `build: false`, skips
 *   the prepack build (the caller has just built, as `npm test` does)
 * @returns {PackResult[]}
 */
function pack(opts) {
  const args = ["pack", "--json", ...PACKAGES.flatMap((p) => ["--workspace", p])];
  if (opts.dryRun) args.push("--dry-run");
  if (opts.dryRun || opts.build === false) args.push("--ignore-scripts");
  if (opts.destination) args.push("--pack-destination", opts.destination);
  const out = execFileSync("npm", args, {
    cwd: ROOT,
    encoding: "utf8",
    // prepack's tsc output goes to stderr, so stdout stays the JSON document.
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.slice(out.indexOf("[")));
}

/**
 * Everything wrong with one package's tarball, as sentences (empty when it is fit to publish).
 * @param {{ files: string[], manifest: Record<string, any>, read: (file: string) => string | undefined }} pkg
 *   `files`: the paths in the tarball; `manifest`: its package.json; `read`: a file's text, as packed
 * @returns {string[]}
 */
function problems(pkg) {
  const files = new Set(pkg.files);
  const found = [];
  const need = (/** @type {string} */ f, /** @type {string} */ why) => {
    if (!files.has(f.replace(/^\.\//, ""))) found.push(`${f} is missing (${why})`);
  };
  need("package.json", "the manifest");
  need("LICENSE", "the licence text must travel with the code");
  need("README.md", "the page the registry shows");

  // Every entry point the manifest names: main, types, each export condition, each bin.
  const m = pkg.manifest;
  if (m.main) need(m.main, "main");
  if (m.types) need(m.types, "types");
  for (const [sub, target] of Object.entries(m.exports ?? {})) {
    const targets = typeof target === "string" ? [target] : Object.values(/** @type {object} */ (target));
    for (const t of targets) need(String(t), `exports["${sub}"]`);
  }
  for (const [name, target] of Object.entries(m.bin ?? {})) {
    need(String(target), `bin ${name}`);
    const text = pkg.read(String(target));
    if (text !== undefined && !text.startsWith("#!"))
      found.push(`${target} (bin ${name}) has no #! line: npm cannot run it`);
  }
  // Every `files` entry packs something: the schema files, the plugin launcher, the sources for the maps.
  for (const entry of m.files ?? []) {
    const e = String(entry).replace(/^\.\//, "").replace(/\/$/, "");
    if (!pkg.files.some((f) => f === e || f.startsWith(`${e}/`)))
      found.push(`files entry "${entry}" packs nothing`);
  }

  for (const f of pkg.files) {
    if (/(^|\/)(test|tests|__tests__|__mocks__)\/|\.(test|spec)\.[cm]?[jt]s$/.test(f))
      found.push(`${f} is a test: tests are not published`);
    if (/(^|\/)\.|\.tgz$|\.tsbuildinfo$|(^|\/)node_modules\//.test(f))
      found.push(`${f} should not be published`);
  }

  // Compiled output and sources agree: a dist file without its source is left over from a deleted module
  // (a stale build), and a source without its output was never built.
  const dist = pkg.files.filter((f) => f.startsWith("dist/") && f.endsWith(".js"));
  const src = pkg.files.filter((f) => f.startsWith("src/") && f.endsWith(".ts") && !f.endsWith(".d.ts"));
  if (dist.length === 0) found.push("dist/ holds no JavaScript: build before packing");
  for (const f of dist) {
    const source = `src/${f.slice("dist/".length, -".js".length)}.ts`;
    if (!files.has(source)) found.push(`${f} has no source (${source}): a stale build; pack from clean`);
  }
  for (const f of src) {
    const out = `dist/${f.slice("src/".length, -".ts".length)}`;
    if (!files.has(`${out}.js`)) found.push(`${f} has no compiled ${out}.js`);
    if (!files.has(`${out}.d.ts`)) found.push(`${f} has no declarations ${out}.d.ts`);
  }

  // Source maps resolve: each map named by a .js is packed, and each source a map names is packed.
  for (const f of dist) {
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(pkg.read(f) ?? "")?.[1];
    if (!url) continue;
    const map = path.posix.join(path.posix.dirname(f), url);
    if (!files.has(map)) {
      found.push(`${f} names the source map ${map}, which is not packed`);
      continue;
    }
    const parsed = JSON.parse(pkg.read(map) ?? "{}");
    for (const s of parsed.sources ?? []) {
      const target = path.posix.join(path.posix.dirname(map), parsed.sourceRoot ?? "", s);
      if (!files.has(target)) found.push(`${map} points at ${target}, which is not packed`);
    }
  }
  return found;
}

/**
 * Checks every packed package; the files are read from the package folder (what a pack of it holds).
 * @param {PackResult[]} results @returns {string[]} one sentence per problem, prefixed with the package name
 */
function checkAll(results) {
  return results.flatMap((r) => {
    const dir = path.join(ROOT, PACKAGES.find((p) => readManifest(p).name === r.name) ?? "");
    const read = (/** @type {string} */ f) => {
      try {
        return fs.readFileSync(path.join(dir, f), "utf8");
      } catch {
        return undefined;
      }
    };
    const files = r.files.map((f) => f.path);
    return problems({ files, manifest: readManifest(path.relative(ROOT, dir)), read }).map(
      (p) => `${r.name}: ${p}`,
    );
  });
}

/** @param {string} folder @returns {Record<string, any>} */
function readManifest(folder) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, folder, "package.json"), "utf8"));
}

function main() {
  const [command = "check", dirArg] = process.argv.slice(2);
  if (command !== "check" && command !== "pack") {
    process.stderr.write("usage: node scripts/release.js check | pack [DIR]\n");
    process.exit(2);
  }
  let destination;
  if (command === "pack") {
    destination = path.resolve(dirArg ?? path.join(ROOT, ".cache/release"));
    fs.mkdirSync(destination, { recursive: true });
  }
  const results = pack({ dryRun: command === "check", ...(destination && { destination }) });
  const found = checkAll(results);
  if (found.length) {
    process.stderr.write(
      `release: the tarballs are not fit to publish:\n${found.map((p) => `  - ${p}`).join("\n")}\n`,
    );
    process.exit(1);
  }
  for (const r of results) {
    process.stderr.write(`release: ${r.filename}: ${r.files.length} files, checked\n`);
    if (destination) process.stdout.write(`${path.join(destination, r.filename)}\n`);
  }
}

if (require.main === module) main();

module.exports = { pack, problems, checkAll, PACKAGES };
