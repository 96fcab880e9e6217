/**
 * The language-modelling objective (pretraining, and SFT with loss masks):
 * −Σ w_t log p(x_{t+1} | x_≤t) / Σ w over the whole step, where w is the
 * per-token loss weight (1 = learn this token, 0 = context only).
 */
import { tf } from "../backend";
import { GPT } from "../model/gpt";
import { Rng } from "../random";
import { Objective } from "./loop";

/** A micro-batch of token rows with per-target loss weights. */
export interface LMBatch {
  /** Rows of token ids, [B, T] flattened row-major. */
  tokens: Int32Array;
  /** Loss weight of predicting tokens[b, t+1]; [B, T-1] flattened. */
  weights: Float32Array;
  B: number;
  T: number;
}

/** Σ of a batch's loss weights: the number of loss-bearing tokens. */
export function weightSum(b: LMBatch): number {
  let s = 0;
  for (let i = 0; i < b.weights.length; i++) s += b.weights[i];
  return s;
}

/** Summed weighted negative log-likelihood of a batch (a scalar tensor). */
export function weightedNll(model: GPT, b: LMBatch): tf.Scalar {
  return tf.tidy(() => {
    const lp = model.sequenceLogProbs(tf.tensor2d(b.tokens, [b.B, b.T], "int32"));
    return tf.neg(tf.sum(tf.mul(lp, tf.tensor2d(b.weights, [b.B, b.T - 1])))) as tf.Scalar;
  });
}

/** The LM objective for `trainLoop`. */
export function lmObjective(model: GPT): Objective<LMBatch> {
  return {
    loss: (b, norm) => tf.tidy(() => tf.div(weightedNll(model, b), norm) as tf.Scalar),
    normalizer: (micros) => micros.reduce((n, b) => n + weightSum(b), 0),
    tokens: (b) => b.B * b.T,
  };
}

/**
 * B random windows of T tokens from a token stream, every target weighted 1
 * (pretraining). Throws if the stream is shorter than one window.
 */
export function randomWindows(stream: Int32Array, B: number, T: number, rng: Rng): LMBatch {
  if (stream.length < T + 1) throw new Error(`token stream of ${stream.length} tokens is shorter than one window of ${T}; add data or shorten the context`);
  const tokens = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = rng.int(0, stream.length - T + 1);
    tokens.set(stream.subarray(start, start + T), b * T);
  }
  return { tokens, weights: new Float32Array(B * (T - 1)).fill(1), B, T };
}

/** Mean loss per weighted token over batches (no gradients), e.g. validation loss. */
export function evalLoss(model: GPT, batches: LMBatch[]): number {
  let nll = 0;
  let n = 0;
  for (const b of batches) {
    const s = weightedNll(model, b);
    nll += s.dataSync()[0];
    s.dispose();
    n += weightSum(b);
  }
  if (n === 0) throw new Error("evalLoss: the batches have no weighted tokens");
  return nll / n;
}

/** Deterministic, non-overlapping windows covering a stream (for validation). */
export function sequentialWindows(stream: Int32Array, B: number, T: number, maxBatches = Infinity): LMBatch[] {
  const out: LMBatch[] = [];
  const perRow = T;
  const rows = Math.floor((stream.length - 1) / perRow);
  for (let r0 = 0; r0 + B <= rows && out.length < maxBatches; r0 += B) {
    const tokens = new Int32Array(B * T);
    for (let b = 0; b < B; b++) tokens.set(stream.subarray((r0 + b) * perRow, (r0 + b) * perRow + T), b * T);
    out.push({ tokens, weights: new Float32Array(B * (T - 1)).fill(1), B, T });
  }
  if (out.length === 0) throw new Error(`validation stream of ${stream.length} tokens is too short for one batch of ${B}×${T}`);
  return out;
}
