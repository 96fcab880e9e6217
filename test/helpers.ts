/** Shared test fixtures: a tiny model, a small tokenizer, backend setup. */
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
