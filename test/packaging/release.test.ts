/**
 * What the published tarballs hold (scripts/release.js): `npm pack --dry-run` of both packages passes every
 * content check, and each check catches the fault it is there for.
 */
import { checkAll, pack, problems } from "../../scripts/release";

test("both packages pack with their licence, README, built entry points and resolvable source maps", () => {
  const results = pack({ dryRun: true });
  expect(results.map((r) => r.name).sort()).toEqual([
    "pulumi-partner-center",
    "pulumi-partner-center-emulator",
  ]);
  expect(checkAll(results)).toEqual([]);
  const provider = results.find((r) => r.name === "pulumi-partner-center")?.files.map((f) => f.path) ?? [];
  expect(provider).toEqual(
    expect.arrayContaining(["LICENSE", "README.md", "dist/dynamic.js", "src/dynamic.ts"]),
  );
});

const MANIFEST = {
  main: "dist/index.js",
  types: "dist/index.d.ts",
  exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
  bin: { tool: "dist/cli.js" },
};
const GOOD = [
  "package.json",
  "LICENSE",
  "README.md",
  "dist/index.js",
  "dist/index.d.ts",
  "dist/index.js.map",
  "dist/cli.js",
  "dist/cli.d.ts",
  "src/index.ts",
  "src/cli.ts",
];
const TEXT: Record<string, string> = {
  "dist/index.js": '"use strict";\n//# sourceMappingURL=index.js.map',
  "dist/index.js.map": JSON.stringify({ version: 3, sources: ["../src/index.ts"] }),
  "dist/cli.js": "#!/usr/bin/env node\n",
};
const check = (files: string[], text = TEXT, manifest: Record<string, unknown> = MANIFEST) =>
  problems({ files, manifest, read: (f) => text[f] });

test("a complete package has no problem", () => {
  expect(check(GOOD)).toEqual([]);
});

test.each([
  ["no LICENSE", GOOD.filter((f) => f !== "LICENSE"), /LICENSE is missing/],
  ["no README", GOOD.filter((f) => f !== "README.md"), /README.md is missing/],
  ["no dist", GOOD.filter((f) => !f.startsWith("dist/")), /dist\/index.js is missing \(main\)/],
  [
    "maps pointing at sources not shipped",
    GOOD.filter((f) => f !== "src/index.ts"),
    /points at src\/index.ts/,
  ],
  ["a test file", [...GOOD, "dist/index.test.js", "src/index.test.ts"], /index.test.js is a test/],
  ["a stale build", [...GOOD, "dist/removed.js", "dist/removed.d.ts"], /dist\/removed.js has no source/],
  ["a source never built", [...GOOD, "src/new.ts"], /src\/new.ts has no compiled dist\/new.js/],
  ["a tarball inside", [...GOOD, "old-0.0.1.tgz"], /old-0.0.1.tgz should not be published/],
])("%s is caught", (_what, files, message) => {
  expect(check(files).join("\n")).toMatch(message);
});

test("a bin without its shebang, and a map the .js names but nobody packed, are caught", () => {
  const text = { ...TEXT, "dist/cli.js": '"use strict";\n' };
  expect(check(GOOD, text).join("\n")).toMatch(/dist\/cli.js \(bin tool\) has no #! line/);
  expect(check(GOOD.filter((f) => f !== "dist/index.js.map")).join("\n")).toMatch(
    /names the source map dist\/index.js.map, which is not packed/,
  );
});

test("a files entry that packs nothing is caught (a schema file not generated, say)", () => {
  const manifest = { ...MANIFEST, files: ["dist", "src", "schema.json", "README.md", "LICENSE"] };
  expect(check(GOOD, TEXT, manifest)).toEqual(['files entry "schema.json" packs nothing']);
});

test("every export target must be packed", () => {
  const manifest = {
    ...MANIFEST,
    exports: { ...MANIFEST.exports, "./dynamic": { default: "./dist/dynamic.js" } },
  };
  expect(check(GOOD, TEXT, manifest).join("\n")).toMatch(
    /\.\/dist\/dynamic.js is missing \(exports\["\.\/dynamic"\]\)/,
  );
});
