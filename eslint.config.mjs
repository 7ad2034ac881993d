// ESLint flat config: typescript-eslint's recommended rules over the provider, tests and examples.
import tseslint from "typescript-eslint";

/** The ways a file under client/core or client/resources can name client/index.ts. */
const CLIENT_INDEX = ["..", "../index", "../../client", "../../client/index"];
/** The provider talks to the emulator only over HTTP. */
const NO_EMULATOR = {
  group: ["pulumi-partner-center-emulator", "pulumi-partner-center-emulator/*", "**/packages/emulator/**"],
  message: "The provider may not import the emulator package: they talk only over HTTP.",
};

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "provider/dist/**",
      "packages/*/dist/**",
      "**/bin/**",
      "coverage/**",
      ".cache/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // Layers stay one-way (docs/_index.md#how-it-works). ESLint's built-in rule sees `import type` too. Exact names in
  // `paths` (a `patterns` entry ".." would match every parent-relative import).
  {
    files: ["provider/src/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_EMULATOR] }] },
  },
  {
    files: ["provider/src/client/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: CLIENT_INDEX.map((name) => ({
            name,
            message: "Client core may not import the client's index: the index imports core.",
          })),
          patterns: [
            {
              group: ["../resources/*", "../../client/*", "!../../client/core"],
              message: "Client core may not import the resources: they import core.",
            },
            NO_EMULATOR,
          ],
        },
      ],
    },
  },
  {
    files: ["provider/src/client/resources/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: CLIENT_INDEX.map((name) => ({
            name,
            message:
              "Resources may not import the client's index: it imports them (each resource owns its types).",
          })),
          patterns: [NO_EMULATOR],
        },
      ],
    },
  },
  {
    files: ["packages/emulator/src/routes/**/*.ts", "packages/emulator/src/admin/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ["..", "../index", "../app", "../server"].map((name) => ({
            name,
            message:
              "Routes are functions of (ctx, params, state): they may not import the app, the server or the index.",
          })),
        },
      ],
    },
  },
);
