#!/usr/bin/env node
"use strict";
/**
 * Import structure check, run by `npm test` (lint step): no import circle among the source files of the
 * provider and the emulator (type-only imports count: a circle of types is still a circle of concepts), and
 * none between their folders either, however long (no arrow back up: if `client/` uses `gdap/`, `gdap/` must
 * not use `client/`, whatever the files; nor may `gdap/` use `configuration.ts` if that uses `audit/` and
 * `audit/` uses `gdap/`). A folder counts as one node, each file at the top of a source tree as another.
 * No circle is excepted.
 *
 * Reads each file with the TypeScript compiler's parser: `import`, `export ... from`, `import x = require()`,
 * `require("...")` and `import("...")` with a relative specifier.
 * Usage: node scripts/check-imports.js [--graph]   (exit 1 with each circle listed)
 */
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const ROOT = path.resolve(__dirname, "..");
const SOURCES = ["provider/src", "packages/emulator/src"];

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The source file a relative specifier names, or undefined when it is not one of ours. */
function resolveSpecifier(from, spec) {
  if (!spec.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const f of [base, `${base}.ts`, path.join(base, "index.ts")]) {
    if (f.endsWith(".ts") && fs.existsSync(f) && fs.statSync(f).isFile()) return f;
  }
  const js = base.replace(/\.js$/, ".ts");
  return fs.existsSync(js) ? js : undefined;
}

/** Every relative module a file names. */
function specifiers(file) {
  const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e)) out.push(e.text);
    } else if (
      ts.isCallExpression(node) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      const callee = node.expression;
      if (
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === "require")
      )
        out.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const lit = node.argument.literal;
      if (ts.isStringLiteral(lit)) out.push(lit.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

/** The strongly connected components of more than one node, or of one node with an edge to itself (Tarjan). */
function circles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const found = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? new Set()).has(v)) found.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return found;
}

/** One shortest path from `from` back to itself inside `members`, to show a circle as an arrow chain. */
function loopThrough(graph, from, members) {
  const prev = new Map([[from, undefined]]);
  const queue = [from];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === from) {
        const chain = [v];
        for (let p = prev.get(v); p !== undefined; p = prev.get(p)) chain.unshift(p);
        return [...chain, from];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [from];
}

/** The folder a file belongs to, for the folder-level check: `provider/src/client` for any file under it. */
function folderOf(file, sourceRoot) {
  const rel = path.relative(sourceRoot, file).split(path.sep);
  return rel.length > 1 ? `${path.relative(ROOT, sourceRoot)}/${rel[0]}` : path.relative(ROOT, file);
}

function check() {
  const files = new Map();
  const folders = new Map();
  const problems = [];
  for (const s of SOURCES) {
    const sourceRoot = path.join(ROOT, s);
    for (const f of walk(sourceRoot)) {
      const rel = path.relative(ROOT, f);
      const targets = new Set();
      for (const spec of specifiers(f)) {
        const t = resolveSpecifier(f, spec);
        if (!t) continue;
        targets.add(path.relative(ROOT, t));
        const a = folderOf(f, sourceRoot);
        const b = folderOf(t, sourceRoot);
        if (a !== b && path.relative(sourceRoot, t).startsWith("..") === false) {
          if (!folders.has(a)) folders.set(a, new Set());
          folders.get(a).add(b);
        }
      }
      files.set(rel, targets);
    }
  }
  const report = (what, graph, scc) =>
    problems.push(`${what}: ${loopThrough(graph, scc[0], new Set(scc)).join(" -> ")}`);
  for (const scc of circles(files)) report("import circle", files, scc);
  for (const scc of circles(folders)) report("folders import each other", folders, scc);
  return { files, folders, problems };
}

if (require.main === module) {
  const { folders, problems } = check();
  if (process.argv.includes("--graph")) {
    for (const [a, bs] of [...folders].sort()) console.log(`${a} -> ${[...bs].sort().join(", ")}`);
  }
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(
      `${problems.length} import circle(s): break each by moving the shared piece to the lower module.`,
    );
    process.exitCode = 1;
  }
}

module.exports = { check, circles };
