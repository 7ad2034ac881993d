"use strict";
/**
 * Command-line options of the development scripts (demo, bench, soak), read with `node:util` `parseArgs` like
 * the package's CLIs: strict, so a mistyped option stops the script with its usage (exit 2) instead of being
 * ignored by a run that takes minutes.
 */
const { parseArgs } = require("node:util");

/**
 * @param {string} usage one line, e.g. "npm run bench -- [--json] [--count N]"
 * @param {import("node:util").ParseArgsConfig["options"]} options
 * @param {string[]} [argv]
 * @returns {Record<string, string | boolean | undefined>}
 */
function readOptions(usage, options, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\nusage: ${usage}\n`);
    process.exit(2);
  }
}

/**
 * The number given for `--name`, or `dflt`; anything else stops the script naming the option (exit 2).
 * @param {Record<string, unknown>} values @param {string} name @param {number} dflt
 * @param {{ integer?: boolean, min?: number, max?: number }} [rule]
 */
function numberOption(values, name, dflt, rule = {}) {
  const raw = values[name];
  if (raw === undefined) return dflt;
  const n = Number(raw);
  const { integer = true, min = 1, max = Infinity } = rule;
  if (raw === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    const what = integer ? "a whole number" : "a number";
    process.stderr.write(
      `--${name} takes ${what} from ${min}${max < Infinity ? ` to ${max}` : ""}, like --${name} ${dflt}\n`,
    );
    process.exit(2);
  }
  return n;
}

module.exports = { readOptions, numberOption };
