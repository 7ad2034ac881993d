/**
 * The emulator's modules import one way: no import circle, `import type` included (a circle of types still ties
 * two files together), and routes never import the pipeline, the server or the package index.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const SRC = path.resolve(__dirname, "../../packages/emulator/src");

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, "index.ts")].find((p) => fs.existsSync(p));
}

/** Each file's relative imports (static imports and re-exports, type-only ones included). */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files(SRC)) {
    const info = ts.preProcessFile(fs.readFileSync(f, "utf8"), true, false);
    g.set(
      f,
      info.importedFiles.map((i) => resolve(f, i.fileName)).filter((x): x is string => x !== undefined),
    );
  }
  return g;
}

function cycles(g: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, "open");
    stack.push(f);
    for (const to of g.get(f) ?? []) {
      if (state.get(to) === "open") found.push([...stack.slice(stack.indexOf(to)), to]);
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of g.keys()) if (!state.has(f)) visit(f);
  return found.map((c) => c.map((f) => path.relative(SRC, f)));
}

test("no import circle among the emulator's modules", () => {
  expect(cycles(graph())).toEqual([]);
});

test("routes never import the pipeline, the server or the package index", () => {
  const g = graph();
  const banned = ["app.ts", "server.ts", "index.ts"].map((f) => path.join(SRC, f));
  const offenders = [...g].flatMap(([f, to]) =>
    path.relative(SRC, f).startsWith("routes")
      ? to
          .filter((t) => banned.includes(t))
          .map((t) => `${path.relative(SRC, f)} -> ${path.relative(SRC, t)}`)
      : [],
  );
  expect(offenders).toEqual([]);
});
