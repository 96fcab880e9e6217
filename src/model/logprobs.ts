/**
 * The one log-prob primitive: weighted sums of log p(x_{t+1} | x_≤t) over
 * token rows, differentiable, built on `GPT.sequenceLogProbs`. The LM and SFT
 * losses, the evaluation's continuation log-probs, and the coming DPO,
 * reward-model and PPO code all read their log-probs from here;
 * `responseLogProbs` gives the per-token values over response tokens (no
 * gradient), for KL estimates (src/eval/kl.ts) and rollout statistics.
 *
 * A weight says how much token t+1 counts (1 = it is part of the response or
 * the learned text, 0 = context or padding); rows may be left-padded
 * (`keyMask`, `positions`) or right-padded (weights 0 after the end).
 */
import { tf } from "../backend";
import type { GPT } from "./gpt";

/** Token rows and per-target weights (an `LMBatch` is one). */
export interface WeightedRows {
  /** Token ids, [B, T] flattened row-major. */
  tokens: Int32Array;
  /** Weight of predicting tokens[b, t+1]; [B, T-1] flattened. */
  weights: Float32Array;
  B: number;
  T: number;
  /** Left padding: 1 for real tokens, 0 for padding; [B, T] flattened. */
  keyMask?: Float32Array;
  /** Left padding: each token's position; [B, T] flattened. */
  positions?: Int32Array;
}

/**
 * - `sum`: per row, Σ_t w_t log p — [B] (DPO's and PPO's sequence log-prob);
 * - `mean`: per row, that sum / Σ_t w_t — [B] (length-normalised; rows with no weight give 0);
 * - `total`: one Σ over the whole batch — a scalar (the LM loss's numerator, −NLL).
 */
export type LogProbReduce = "sum" | "mean" | "total";

export function maskedLogProbs(model: GPT, rows: WeightedRows, reduce: "sum" | "mean"): tf.Tensor1D;
export function maskedLogProbs(model: GPT, rows: WeightedRows, reduce: "total"): tf.Scalar;
export function maskedLogProbs(
  model: GPT,
  rows: WeightedRows,
  reduce: LogProbReduce,
): tf.Tensor1D | tf.Scalar {
  const { B, T } = rows;
  if (rows.tokens.length !== B * T)
    throw new Error(`maskedLogProbs: ${rows.tokens.length} token ids for a [${B}, ${T}] batch`);
  if (rows.weights.length !== B * (T - 1))
    throw new Error(
      `maskedLogProbs: ${rows.weights.length} weights for a [${B}, ${T}] batch (need B·(T−1) = ${B * (T - 1)})`,
    );
  return tf.tidy(() => {
    const opts = rows.keyMask
      ? {
          keyMask: tf.tensor2d(rows.keyMask, [B, T]),
          positions: rows.positions && tf.tensor2d(rows.positions, [B, T], "int32"),
        }
      : {};
    const lp = model.sequenceLogProbs(tf.tensor2d(rows.tokens, [B, T], "int32"), opts);
    const w = tf.tensor2d(rows.weights, [B, T - 1]);
    const weighted = tf.mul(lp, w);
    if (reduce === "total") return tf.sum(weighted) as tf.Scalar;
    const sums = tf.sum(weighted, 1) as tf.Tensor1D;
    if (reduce === "sum") return sums;
    const n = tf.sum(w, 1);
    return tf.div(sums, tf.maximum(n, 1e-9)) as tf.Tensor1D;
  });
}

/** A prompt followed by a response: `tokens[start..]` are the response's tokens. */
export interface ResponseRow {
  tokens: readonly number[];
  /** Index of the first response token (≥ 1: a response is predicted from at least one token). */
  start: number;
}

/**
 * Right-padded token rows with weight 1 on every response token (from
 * `start` on) and 0 on the prompt and the padding: the one way every trainer
 * lays out prompt + response rows for `maskedLogProbs` (DPO's and the reward
 * model's pairs, PPO's rollouts). Attention is causal, so padding after a
 * row's end never changes its values.
 */
export function padResponses(rows: readonly ResponseRow[], pad: number): WeightedRows {
  const B = rows.length;
  const T = Math.max(2, ...rows.map((r) => r.tokens.length));
  const tokens = new Int32Array(B * T).fill(pad);
  const weights = new Float32Array(B * (T - 1));
  rows.forEach((r, b) => {
    tokens.set(r.tokens, b * T);
    // weights[t] is the weight of predicting token t + 1.
    for (let t = r.start; t < r.tokens.length; t++) weights[b * (T - 1) + t - 1] = 1;
  });
  return { tokens, weights, B, T };
}

/**
 * log p(token) of every response token of every row, under `model`, by one
 * full forward pass per chunk of rows (no gradient; what KL estimates and
 * PPO's rollout statistics need). Rows are right-padded with `pad`: attention
 * is causal, so padding after a row's end cannot change its log-probs.
 */
export function responseLogProbs(
  model: GPT,
  rows: readonly ResponseRow[],
  o: { pad: number; chunk: number },
): number[][] {
  const C = model.config.contextLength;
  rows.forEach((r, i) => {
    if (r.start < 1 || r.start > r.tokens.length)
      throw new Error(`responseLogProbs: row ${i} starts its response at ${r.start} of ${r.tokens.length}`);
    if (r.tokens.length > C)
      throw new Error(
        `responseLogProbs: row ${i} has ${r.tokens.length} tokens but the model's context is ${C}`,
      );
  });
  const out: number[][] = [];
  for (let i = 0; i < rows.length; i += o.chunk) {
    const part = rows.slice(i, i + o.chunk);
    const B = part.length;
    const T = Math.max(2, ...part.map((r) => r.tokens.length));
    const ids = new Int32Array(B * T).fill(o.pad);
    part.forEach((r, b) => ids.set(r.tokens, b * T));
    const lp = tf.tidy(() => model.sequenceLogProbs(tf.tensor2d(ids, [B, T], "int32")).arraySync());
    // lp[b][t] is log p(tokens[t + 1]), so the response tokens start at start − 1.
    part.forEach((r, b) => out.push(lp[b].slice(r.start - 1, r.tokens.length - 1)));
  }
  return out;
}
