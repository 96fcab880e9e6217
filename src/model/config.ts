/**
 * The one config object that defines a model. Everything downstream (trainer,
 * generation, checkpoints, benchmark) reads shapes from here.
 */
import { ConfigSpec, resolveConfig } from "../config";

export interface GPTConfig {
  /** Vocabulary size, specials included; must match the tokenizer. */
  vocabSize: number;
  /** Longest sequence the model sees (tokens); learned positions stop here. */
  contextLength: number;
  /** Width of the residual stream. */
  dModel: number;
  /** Transformer blocks. */
  nLayers: number;
  /** Attention heads; must divide dModel. */
  nHeads: number;
  /** MLP hidden width as a multiple of dModel (GPT-2 uses 4). */
  mlpRatio: number;
  /** Add a scalar head on the trunk (reward model score, PPO value). */
  scalarHead: boolean;
  /** Std of the normal init of weights (GPT-2 uses 0.02). */
  initStd: number;
}

export const GPT_DEFAULTS: Readonly<GPTConfig> = Object.freeze({
  vocabSize: 512,
  contextLength: 128,
  dModel: 128,
  nLayers: 4,
  nHeads: 4,
  mlpRatio: 4,
  scalarHead: false,
  initStd: 0.02,
});

const SPEC: ConfigSpec<GPTConfig> = {
  vocabSize: { doc: "tokens in the vocabulary, 262..65536", integer: true, min: 262, max: 65536 },
  contextLength: { doc: "maximum sequence length in tokens", integer: true, min: 2, max: 4096 },
  dModel: { doc: "residual width", integer: true, min: 8, max: 4096 },
  nLayers: { doc: "number of transformer blocks", integer: true, min: 1, max: 64 },
  nHeads: { doc: "attention heads, must divide dModel", integer: true, min: 1, max: 64 },
  mlpRatio: { doc: "MLP width / dModel", integer: true, min: 1, max: 8 },
  scalarHead: { doc: "add a scalar (reward/value) head", oneOf: [true, false] },
  initStd: { doc: "init std of weights", min: 1e-4, max: 1 },
};

/** Fill defaults and validate; throws naming every bad field. */
export function gptConfig(overrides: Partial<GPTConfig> = {}): Readonly<GPTConfig> {
  const c = resolveConfig("GPTConfig", GPT_DEFAULTS, SPEC, overrides);
  if (c.dModel % c.nHeads !== 0) {
    throw new Error(
      `GPTConfig: nHeads = ${c.nHeads} must divide dModel = ${c.dModel}; pick nHeads in {${divisors(c.dModel).join(", ")}}`,
    );
  }
  return c;
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= Math.min(n, 64); i++) if (n % i === 0) out.push(i);
  return out;
}

/**
 * The committed base model's shape (npm run pretrain): 2.0 M parameters,
 * 1.5× config A's width and a 1,024-token vocabulary. Why this size: 500
 * headwords state ~3× the facts of config A's 200, and on two cores this
 * width still reads ~22 M tokens in 50 minutes (BENCHMARKS.md, "Choosing
 * the base model's size").
 */
export const BASE_MODEL = gptConfig({
  vocabSize: 1024,
  dModel: 192,
  nLayers: 4,
  nHeads: 6,
  contextLength: 128,
});

/** The benchmark configs: A (~0.9 M) and B (~5 M) of the model-core issue, and the base model's. */
export const PRESETS = Object.freeze({
  A: gptConfig({ vocabSize: 512, dModel: 128, nLayers: 4, nHeads: 4, contextLength: 128 }),
  B: gptConfig({ vocabSize: 1024, dModel: 256, nLayers: 6, nHeads: 8, contextLength: 128 }),
  /** The base model's shape, so `npm run bench -- --configs base` times it. */
  base: BASE_MODEL,
});

/** Shapes of every parameter, by name, in a fixed order (checkpoints rely on it). */
export function parameterShapes(c: GPTConfig): [string, number[]][] {
  const D = c.dModel;
  const F = c.mlpRatio * D;
  const shapes: [string, number[]][] = [
    ["wte", [c.vocabSize, D]],
    ["wpe", [c.contextLength, D]],
  ];
  for (let l = 0; l < c.nLayers; l++) {
    const p = `h${l}.`;
    shapes.push(
      [p + "ln1.g", [D]],
      [p + "ln1.b", [D]],
      [p + "attn.wq", [D, D]],
      [p + "attn.bq", [D]],
      [p + "attn.wk", [D, D]],
      [p + "attn.bk", [D]],
      [p + "attn.wv", [D, D]],
      [p + "attn.bv", [D]],
      [p + "attn.wo", [D, D]],
      [p + "attn.bo", [D]],
      [p + "ln2.g", [D]],
      [p + "ln2.b", [D]],
      [p + "mlp.w1", [D, F]],
      [p + "mlp.b1", [F]],
      [p + "mlp.w2", [F, D]],
      [p + "mlp.b2", [D]],
    );
  }
  shapes.push(["lnf.g", [D]], ["lnf.b", [D]]);
  if (c.scalarHead) shapes.push(["score.w", [D, 1]], ["score.b", [1]]);
  return shapes;
}

/** Parameter count (the LM head is tied to `wte`, so it adds nothing). */
export function countParameters(c: GPTConfig): number {
  return parameterShapes(c).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
}
