/**
 * Every reference resolves inside the repository: each relative link of a Markdown file (to a file, and to a
 * heading of it), and each `docs/...` page named in code. Code names no document the repository does not hold.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const tracked = (...patterns: string[]) =>
  execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", ...patterns], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    const m = !fence && /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The relative links of a Markdown text that do not resolve, as `target (why)`. */
export function brokenLinks(file: string, markdown: string, root = ROOT): string[] {
  const broken: string[] = [];
  const dir = path.dirname(path.join(root, file));
  const text = markdown.replace(/```[\s\S]*?```/g, ""); // links inside code blocks are examples
  for (const m of text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("<")) continue; // https:, mailto:
    const [p = "", anchor] = target.split("#");
    const dest = p === "" ? path.join(root, file) : path.resolve(dir, decodeURI(p));
    if (!fs.existsSync(dest)) {
      broken.push(`${target} (no such file)`);
      continue;
    }
    if (anchor && dest.endsWith(".md") && !anchors(fs.readFileSync(dest, "utf8")).has(anchor))
      broken.push(`${target} (no such heading)`);
  }
  return broken;
}

test("every relative link in the repository's Markdown resolves to a file and a heading", () => {
  const files = tracked("*.md");
  expect(files).toEqual(expect.arrayContaining(["README.md", "docs/_index.md", "CHANGELOG.md"]));
  const broken = files.flatMap((f) =>
    brokenLinks(f, fs.readFileSync(path.join(ROOT, f), "utf8")).map((b) => `${f}: ${b}`),
  );
  expect(broken).toEqual([]);
});

const CODE = ["*.ts", "*.js", "*.mjs", "*.sh", "*.yml", "*.yaml", "*.go"];
/** The code files, this test (whose examples are broken on purpose) left out. */
const code = () => tracked(...CODE).filter((f) => f !== "test/docs/links.test.ts");

test("every docs/ page named in code exists, with its heading when one is named", () => {
  const missing: string[] = [];
  for (const f of code()) {
    const text = fs.readFileSync(path.join(ROOT, f), "utf8");
    for (const m of text.matchAll(/\bdocs\/[\w./-]+\.md(?:#[\w-]+)?/g)) {
      const [page = "", anchor] = m[0].split("#");
      const file = path.join(ROOT, page);
      if (!fs.existsSync(file)) missing.push(`${f}: ${m[0]} (no such page)`);
      else if (anchor && !anchors(fs.readFileSync(file, "utf8")).has(anchor))
        missing.push(`${f}: ${m[0]} (no such heading)`);
    }
  }
  expect(missing).toEqual([]);
});

test("code names no document from outside the repository", () => {
  const outside = /\b(?:shared\/[\w-]+\.md|(?:partner-center-api|pulumi-dynamic-providers|design)\.md)\b/;
  const found = code().flatMap((f) =>
    fs
      .readFileSync(path.join(ROOT, f), "utf8")
      .split("\n")
      .flatMap((line, i) => (outside.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
  );
  expect(found).toEqual([]);
});

test("the checks catch a missing file, a missing heading and an outside document", () => {
  expect(
    brokenLinks("README.md", "[a](docs/nowhere.md) [b](docs/_index.md#no-such-heading) [c](#licence)"),
  ).toEqual(["docs/nowhere.md (no such file)", "docs/_index.md#no-such-heading (no such heading)"]);
  expect([...anchors("# The `partner-center` command\n## A: b\n## A: b")]).toEqual([
    "the-partner-center-command",
    "a-b",
    "a-b-1",
  ]);
});
