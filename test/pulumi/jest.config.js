/**
 * Jest for the real-CLI suite (`npm run test:pulumi`): slow, serial, and kept out of `npm test`.
 * The CLI comes from scripts/pulumi-cli.sh (built once, then cached in .cache/pulumi/bin).
 */
const base = require("../../jest.config.js");

module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test/pulumi"],
  testPathIgnorePatterns: [],
  testTimeout: 300000,
  maxWorkers: 1,
};
