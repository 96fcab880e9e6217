/**
 * Language-modelling batches: token rows with per-target loss weights, the
 * input of every LM-style objective (pretraining windows here, SFT batches in
 * ./sft-batches.ts).
 */
import type { Rng } from "../random";

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

/**
 * B random windows of T tokens from a token stream, every target weighted 1
 * (pretraining). Throws if the stream is shorter than one window.
 */
export function randomWindows(stream: Int32Array, B: number, T: number, rng: Rng): LMBatch {
  if (stream.length < T + 1)
    throw new Error(
      `token stream of ${stream.length} tokens is shorter than one window of ${T}; add data or shorten the context`,
    );
  const tokens = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = rng.int(0, stream.length - T + 1);
    tokens.set(stream.subarray(start, start + T), b * T);
  }
  return { tokens, weights: new Float32Array(B * (T - 1)).fill(1), B, T };
}

/** Deterministic, non-overlapping windows covering a stream (for validation). */
export function sequentialWindows(
  stream: Int32Array,
  B: number,
  T: number,
  maxBatches = Infinity,
): LMBatch[] {
  const out: LMBatch[] = [];
  const perRow = T;
  const rows = Math.floor((stream.length - 1) / perRow);
  for (let r0 = 0; r0 + B <= rows && out.length < maxBatches; r0 += B) {
    const tokens = new Int32Array(B * T);
    for (let b = 0; b < B; b++) tokens.set(stream.subarray((r0 + b) * perRow, (r0 + b) * perRow + T), b * T);
    out.push({ tokens, weights: new Float32Array(B * (T - 1)).fill(1), B, T });
  }
  if (out.length === 0)
    throw new Error(`validation stream of ${stream.length} tokens is too short for one batch of ${B}×${T}`);
  return out;
}
