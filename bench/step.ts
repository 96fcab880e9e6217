/**
 * One training step of a preset config on synthetic tokens, as both
 * `npm run bench` and `npm run bench:profile` time it: forward, backward,
 * clipping and an AdamW update, batch 16 × context.
 */
import { tf } from "../src/backend";
import { GPTConfig } from "../src/model/config";
import { GPT } from "../src/model/gpt";
import { Rng } from "../src/random";
import { accumulateGradients } from "../src/train/loop";
import { lmObjective, randomWindows } from "../src/train/lm";
import { AdamW, clipByGlobalNorm } from "../src/train/optimizer";

export const BATCH = 16;

/** A model of config `c` and a function running one step on it. */
export function trainingStep(c: GPTConfig): { model: GPT; step: () => void } {
  const model = GPT.create(c, 0);
  const stream = new Int32Array(100000).map((_, i) => (i * 7919) % c.vocabSize);
  const rng = new Rng(0);
  const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01 });
  const objective = lmObjective(model);
  const step = () =>
    tf.tidy(() => {
      const { grads } = accumulateGradients(model, objective, [
        randomWindows(stream, BATCH, c.contextLength, rng),
      ]);
      opt.apply(clipByGlobalNorm(grads, 1).grads, 1e-3);
    });
  return { model, step };
}
