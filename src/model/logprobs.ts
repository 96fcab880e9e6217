/**
 * The one log-prob primitive: weighted sums of log p(x_{t+1} | x_≤t) over
 * token rows, differentiable, built on `GPT.sequenceLogProbs`. The LM and SFT
 * losses, the evaluation's continuation log-probs, and the coming DPO,
 * reward-model and PPO code all read their log-probs from here.
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
