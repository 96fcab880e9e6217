/**
 * The one log-prob primitive, `nextTokenLogProbs`: log p(x_{t+1} | x_≤t) at
 * every position of token rows, differentiable (`GPT.nextTokenLogProbs`
 * over one pass of the trunk), and on request the scalar head's values from the
 * same pass of the trunk (PPO's critic). Built on it: `maskedLogProbs`,
 * weighted sums over rows (the LM and SFT losses, DPO, the evaluation's
 * continuation log-probs), and `responseLogProbs` /
 * `responseLogProbsAndValues`, the per-token values over response tokens (no
 * gradient), for KL estimates (src/eval/kl.ts) and PPO's rollouts. PPO's
 * update reads its log-probs and values from `nextTokenLogProbs` directly.
 *
 * A weight says how much token t+1 counts (1 = it is part of the response or
 * the learned text, 0 = context or padding); rows may be left-padded
 * (`keyMask`, `positions`) or right-padded (weights 0 after the end).
 */
import { tf } from "../backend";
import type { ForwardOptions, GPT } from "./gpt";

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

/** What `nextTokenLogProbs` gives, both [B, T−1]. */
export interface NextTokenLogProbs {
  /** log p(ids[b, t+1] | ids[b, ≤t]). */
  logp: tf.Tensor2D;
  /** With `values: true`: the scalar head read at position t, before token t+1 (PPO's value). */
  values?: tf.Tensor2D;
}

/**
 * log p(ids[:, t+1] | ids[:, ..t]) for every position, ids [B, T] → [B, T−1],
 * differentiable, the numbers of `GPT.sequenceLogProbs`. With `values`, also the scalar head's output at
 * positions 0..T−2 from the same trunk pass: one forward pass gives PPO both
 * its ratio and its critic, and one backward pass their gradients.
 */
export function nextTokenLogProbs(
  model: GPT,
  ids: tf.Tensor2D,
  o: Pick<ForwardOptions, "keyMask" | "positions"> & { values?: boolean } = {},
): NextTokenLogProbs {
  const [B, T] = ids.shape;
  const hidden = model.trunk(ids, { keyMask: o.keyMask, positions: o.positions }).hidden;
  const logp = model.nextTokenLogProbs(hidden, ids);
  const values = o.values ? (tf.slice(model.scores(hidden), [0, 0], [B, T - 1]) as tf.Tensor2D) : undefined;
  return { logp, values };
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
    const lp = nextTokenLogProbs(model, tf.tensor2d(rows.tokens, [B, T], "int32"), opts).logp;
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
  return perResponseToken(model, rows, o, false).logp;
}

/**
 * `responseLogProbs` and the scalar head's value before each response token
 * (PPO's critic), from the same forward pass of each chunk.
 */
export function responseLogProbsAndValues(
  model: GPT,
  rows: readonly ResponseRow[],
  o: { pad: number; chunk: number },
): { logp: number[][]; values: number[][] } {
  const r = perResponseToken(model, rows, o, true);
  return { logp: r.logp, values: r.values! };
}

function perResponseToken(
  model: GPT,
  rows: readonly ResponseRow[],
  o: { pad: number; chunk: number },
  withValues: boolean,
): { logp: number[][]; values?: number[][] } {
  const C = model.config.contextLength;
  rows.forEach((r, i) => {
    if (r.start < 1 || r.start > r.tokens.length)
      throw new Error(`responseLogProbs: row ${i} starts its response at ${r.start} of ${r.tokens.length}`);
    if (r.tokens.length > C)
      throw new Error(
        `responseLogProbs: row ${i} has ${r.tokens.length} tokens but the model's context is ${C}`,
      );
  });
  const logp: number[][] = [];
  const values: number[][] = [];
  for (let i = 0; i < rows.length; i += o.chunk) {
    const part = rows.slice(i, i + o.chunk);
    const { tokens, B, T } = padResponses(part, o.pad);
    const out = tf.tidy(() => {
      const f = nextTokenLogProbs(model, tf.tensor2d(tokens, [B, T], "int32"), { values: withValues });
      return { logp: f.logp.arraySync(), values: f.values?.arraySync() };
    });
    // out.logp[b][t] is log p(tokens[t + 1]), so the response tokens start at start − 1.
    part.forEach((r, b) => {
      logp.push(out.logp[b].slice(r.start - 1, r.tokens.length - 1));
      if (out.values) values.push(out.values[b].slice(r.start - 1, r.tokens.length - 1));
    });
  }
  return withValues ? { logp, values } : { logp };
}
