/** Jest: TypeScript through ts-jest, transpile-only (isolatedModules in tsconfig); `npm run typecheck` type-checks. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The real-CLI suite has its own config and command (npm run test:pulumi).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/pulumi/"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  setupFiles: ["<rootDir>/test/setup-env.ts"],
  testTimeout: 60000,
  maxWorkers: 2,
};
