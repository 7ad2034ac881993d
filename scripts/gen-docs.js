#!/usr/bin/env node
/**
 * Writes the settings table (settings.ts `settingsTable()`, from the one settings declaration) into every
 * Markdown file that carries the markers `<!-- settings:begin -->` and `<!-- settings:end -->`.
 *
 *   node scripts/gen-docs.js          rewrite the tables (after `npm run build`)
 *   node scripts/gen-docs.js --check  exit 1 when a committed table differs
 */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const BEGIN = "<!-- settings:begin -->";
const END = "<!-- settings:end -->";
/** The files that may carry the settings table. */
const FILES = ["README.md", "docs/installation-configuration.md"];

/** The Markdown files with the markers, each with its current and its generated text. */
function documents() {
  const { settingsTable } = require(path.join(ROOT, "provider", "dist", "settings"));
  const table = settingsTable();
  const out = [];
  for (const f of FILES) {
    const file = path.join(ROOT, f);
    if (!fs.existsSync(file)) continue;
    const current = fs.readFileSync(file, "utf8");
    const a = current.indexOf(BEGIN);
    const b = current.indexOf(END);
    if (a < 0 || b < a) continue;
    const generated = `${current.slice(0, a + BEGIN.length)}\n\n${table}\n\n${current.slice(b)}`;
    out.push({ file, current, generated });
  }
  if (out.length === 0) throw new Error(`gen-docs: no file among ${FILES.join(", ")} has ${BEGIN}`);
  return out;
}

module.exports = { documents, BEGIN, END };

if (require.main === module) {
  const stale = [];
  for (const d of documents()) {
    if (d.current === d.generated) continue;
    if (process.argv.includes("--check")) stale.push(path.relative(ROOT, d.file));
    else {
      fs.writeFileSync(d.file, d.generated);
      console.log(`wrote the settings table of ${path.relative(ROOT, d.file)}`);
    }
  }
  if (stale.length) {
    console.error(`stale settings table in ${stale.join(", ")}: run \`npm run gen:docs\`.`);
    process.exit(1);
  }
}
