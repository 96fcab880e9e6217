import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

/**
 * The layers of src/, lowest first: a module imports only from its own layer
 * or a lower one (type-only imports included), and no chain of imports
 * returns to where it started. The README's "The library" section states the
 * same order.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["backend", "native", "random", "config", "metrics", "output", "tokenizer", "chat"],
  ["model", "data", "run-record"],
  ["eval"],
  ["judge"],
  ["train"],
  ["display"],
  ["experiments"],
  ["cli", "notebook"],
];

/**
 * Within experiments/, a study never imports another study: each family
 * (its own file plus `-worker`, `-record`, `-offline`, `-grids`, `-analysis`, `-sweep`)
 * reads shared code from the layers below and from the job-running
 * infrastructure only.
 */
const EXPERIMENT_INFRASTRUCTURE = ["pool", "sweep"];
const FAMILY_ALIASES: Record<string, string> = { arm: "sft" };
const family = (file: string) => {
  const base = path.basename(file, ".ts").replace(/-(worker|record|offline|grids|analysis|sweep)$/, "");
  return FAMILY_ALIASES[base] ?? base;
};

const SRC = path.resolve(__dirname, "..", "src");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Relative imports and re-exports of a file, type-only ones included, resolved to files. */
export function importsOf(file: string, text = fs.readFileSync(file, "utf8")): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.{1,2}\/[^"']+)["']/g;
  for (const m of text.matchAll(re)) {
    const target = path.resolve(path.dirname(file), m[1]);
    const found = [`${target}.ts`, path.join(target, "index.ts"), target].find(
      (c) => fs.existsSync(c) && fs.statSync(c).isFile(),
    );
    if (found) out.push(found);
  }
  return out;
}

/** The layer name of a src file: its top folder, or its own name for a top-level file. */
function unit(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0] : rel[0].replace(/\.ts$/, "");
}

function layerOf(file: string): number {
  const u = unit(file);
  const i = LAYERS.findIndex((l) => l.includes(u));
  if (i < 0)
    throw new Error(`src/${u} is in no layer: add it to LAYERS in test/layers.test.ts and the README`);
  return i;
}

/** Every cycle's files, as found by a depth-first search (each cycle reported once, by its first file). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === "open") found.push(stack.slice(stack.indexOf(g)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe("the layers of src/", () => {
  const files = sourceFiles(SRC);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const rel = (f: string) => path.relative(SRC, f);

  it("every module imports only from its own layer or a lower one, types included", () => {
    const bad: string[] = [];
    for (const [f, deps] of graph)
      for (const d of deps)
        if (layerOf(d) > layerOf(f)) bad.push(`${rel(f)} imports ${rel(d)} (${unit(d)} is above ${unit(f)})`);
    assert.deepEqual(bad, [], `imports from a higher layer:\n${bad.join("\n")}`);
  });

  it("no import cycle, type-only imports included", () => {
    const found = cycles(graph).map((c) => c.map(rel).join(" → "));
    assert.deepEqual(found, [], `import cycles:\n${found.join("\n")}`);
  });

  it("no study in experiments/ imports another study", () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      if (unit(f) !== "experiments") continue;
      for (const d of deps) {
        if (unit(d) !== "experiments" || EXPERIMENT_INFRASTRUCTURE.includes(family(d))) continue;
        if (family(d) !== family(f)) bad.push(`${rel(f)} imports ${rel(d)}`);
      }
    }
    assert.deepEqual(bad, [], `a study imports another:\n${bad.join("\n")}`);
  });

  it("the checks themselves find what they look for", () => {
    const g = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    assert.deepEqual(cycles(g), [["a", "b", "c"]]);
    const fake = path.join(SRC, "model", "x.ts");
    const text = 'import type { A } from "../train/dpo";\nexport { B } from "./gpt";\n';
    assert.deepEqual(importsOf(fake, text).map(rel), ["train/dpo.ts", "model/gpt.ts"]);
    assert.ok(layerOf(path.join(SRC, "train", "dpo.ts")) > layerOf(fake), "train sits above model");
  });
});
