/** Shared test fixtures: a tiny model, a small tokenizer, backend setup. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BpeTokenizer, trainBpe } from "../src/tokenizer/index";
import { initBackend, tf } from "../src/backend";
import { GPT } from "../src/model/gpt";
import type { GPTConfig } from "../src/model/config";

export const TINY: Partial<GPTConfig> = {
  vocabSize: 300,
  dModel: 32,
  nLayers: 2,
  nHeads: 2,
  contextLength: 32,
};

/** Word–antonym pairs the toy fixtures of several tests are made of. */
export const ANTONYMS: readonly (readonly [string, string])[] = [
  ["hot", "cold"],
  ["up", "down"],
  ["wet", "dry"],
  ["big", "small"],
  ["fast", "slow"],
  ["old", "new"],
  ["good", "bad"],
  ["light", "dark"],
];

/** Call in a `before` hook: picks the backend quietly. */
export async function setup(): Promise<void> {
  await initBackend({ quiet: true });
}

export function tinyModel(seed = 1, over: Partial<GPTConfig> = {}): GPT {
  return GPT.create({ ...TINY, ...over }, seed);
}

export function ids2d(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, undefined, "int32");
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let sampleTokenizer: BpeTokenizer | undefined;
/** A 300-token BPE trained on the committed corpus sample (cached per process). */
export function testTokenizer(): BpeTokenizer {
  sampleTokenizer ??= trainBpe(
    fs.readFileSync(path.join(__dirname, "..", "data", "corpus", "sample.txt"), "utf8"),
    { vocabSize: 300 },
  );
  return sampleTokenizer;
}

/** Debian's Python (the pyenv `python3` on PATH has none of its packages). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/** Whether SYSTEM_PYTHON exists and imports every module named (e.g. "torch", "jinja2"). */
export function systemPythonHas(...modules: string[]): boolean {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", modules.map((m) => `import ${m}`).join("; ")], {
    stdio: "ignore",
  });
  return r.status === 0;
}

/** Run a Python script file or `-c` code with SYSTEM_PYTHON, `input` as JSON on stdin; its stdout as JSON. */
export function runSystemPython(args: string[], input: unknown): unknown {
  const r = spawnSync(SYSTEM_PYTHON, args, {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`${SYSTEM_PYTHON} ${args[0]} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}
