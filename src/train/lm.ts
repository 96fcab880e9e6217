/**
 * The language-modelling objective (pretraining, and SFT with loss masks):
 * −Σ w_t log p(x_{t+1} | x_≤t) / Σ w over the whole step, where w is the
 * per-token loss weight (1 = learn this token, 0 = context only).
 */
import { tf } from "../backend";
import { LMBatch, weightSum } from "../data/lm-batches";
import type { GPT } from "../model/gpt";
import { maskedLogProbs } from "../model/logprobs";
import { Objective } from "./loop";

// The batches are made in src/data/lm-batches.ts; re-exported for existing callers (bench/).
export { randomWindows, sequentialWindows, weightSum } from "../data/lm-batches";
export type { LMBatch } from "../data/lm-batches";

/** Summed weighted negative log-likelihood of a batch (a scalar tensor): −Σ w·log p. */
export function weightedNll(model: GPT, b: LMBatch): tf.Scalar {
  return tf.tidy(() => tf.neg(maskedLogProbs(model, b, "total")) as tf.Scalar);
}

/** The LM objective for `trainLoop`. */
export function lmObjective(model: GPT): Objective<LMBatch> {
  return {
    loss: (b, norm) => tf.tidy(() => tf.div(weightedNll(model, b), norm) as tf.Scalar),
    normalizer: (micros) => micros.reduce((n, b) => n + weightSum(b), 0),
    tokens: (b) => b.B * b.T,
  };
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
