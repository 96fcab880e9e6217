/**
 * PPO's update: the minibatches of a rollout each optimizer step trains on,
 * and the objective, the clipped ratio loss (plus, with a critic, the clipped
 * value loss, and with ptx the pretraining NLL) on tensors, what
 * `clippedPolicyLoss` and `clippedValueLoss` (src/train/ppo-math.ts) compute
 * on numbers.
 */
import { tf } from "../backend";
import { LMBatch, randomWindows, weightSum } from "../data/lm-batches";
import type { GPT } from "../model/gpt";
import { nextTokenLogProbs, padResponses } from "../model/logprobs";
import type { MetricRow } from "../metrics";
import { Rng } from "../random";
import { weightedNll } from "./lm";
import type { Objective } from "./loop";
import type { PpoConfig } from "./ppo-config";
import type { RolloutBatch, RolloutRow } from "./rollout";

/** A micro-batch of an update: rollout rows, or (PPO-ptx) raw pretraining windows. */
export type PpoMicro = { kind: "ppo"; rows: RolloutRow[] } | { kind: "ptx"; batch: LMBatch };

/**
 * The micro-batches of optimizer step `step`: minibatch `step mod U` of the
 * rollout, in the order of a shuffle seeded by (seed, rollout, epoch), split
 * into micro-batches; with ptx, one more micro-batch of raw windows whose
 * weights make its NLL count `ptxCoef` per response token of the update.
 */
export function updateBatches(
  step: number,
  rng: Rng,
  samples: RolloutBatch,
  c: PpoConfig,
  ptx: { tokens?: Int32Array; contextLength: number },
): PpoMicro[] {
  const within = step % (c.ppoEpochs * c.miniBatches);
  const epoch = Math.floor(within / c.miniBatches);
  const order = new Rng(c.seed).fork(`ppo/${step - within}/${epoch}`).shuffle(samples.rows.map((_, i) => i));
  const mb = within % c.miniBatches;
  const picked = order.slice(mb * c.batchSize, (mb + 1) * c.batchSize).map((i) => samples.rows[i]);
  const micros: PpoMicro[] = [];
  for (let i = 0; i < picked.length; i += c.microBatchSize)
    micros.push({ kind: "ppo", rows: picked.slice(i, i + c.microBatchSize) });
  if (c.ptxCoef > 0) {
    const w = randomWindows(ptx.tokens!, c.ptxBatchSize, Math.min(c.ptxLength, ptx.contextLength), rng);
    const responseTokens = picked.reduce((n, r) => n + r.oldLogp.length, 0);
    const scale = (c.ptxCoef * responseTokens) / weightSum(w);
    micros.push({ kind: "ptx", batch: { ...w, weights: w.weights.map((x) => x * scale) } });
  }
  return micros;
}

/** Sums over the step's response tokens, read by `stepMetrics`. */
export function newStats() {
  return { tokens: 0, policy: 0, value: 0, clipped: 0, approxkl: 0, ratio: 0, ptx: 0 };
}

export type PpoStats = ReturnType<typeof newStats>;

/** rows[b][field][j] at column start − 1 + j of a [B, T − 1] tensor (0 elsewhere). */
function perToken(rows: RolloutRow[], T: number, field: "oldLogp" | "values" | "advantages" | "returns") {
  const out = new Float32Array(rows.length * (T - 1));
  rows.forEach((r, b) => r[field].forEach((x, j) => (out[b * (T - 1) + r.start - 1 + j] = x)));
  return tf.tensor2d(out, [rows.length, T - 1]);
}

/**
 * The summed loss over the response tokens of `rows` (differentiable): the
 * clipped policy loss max(−A·ρ, −A·clip(ρ, 1 ± ε)), plus with a critic
 * vfCoef × ½·max((V − R)², (V_old + clip(V − V_old, ±εv) − R)²); adds the
 * sums the step's metrics read to `s`.
 */
export function ppoRowsLoss(model: GPT, rows: RolloutRow[], pad: number, c: PpoConfig, s: PpoStats) {
  const critic = c.advantage === "gae";
  const { tokens, weights, B, T } = padResponses(rows, pad);
  const w = tf.tensor2d(weights, [B, T - 1]);
  const f = nextTokenLogProbs(model, tf.tensor2d(tokens, [B, T], "int32"), { values: critic });
  const logRatio = tf.mul(tf.sub(f.logp, perToken(rows, T, "oldLogp")), w);
  const ratio = tf.exp(logRatio);
  const adv = perToken(rows, T, "advantages");
  const unclipped = tf.mul(tf.neg(adv), ratio);
  const clippedTerm = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - c.clipRange, 1 + c.clipRange));
  const pg = tf.maximum(unclipped, clippedTerm);
  const pgSum = tf.sum(tf.mul(pg, w));
  let total: tf.Tensor = pgSum;
  if (critic) {
    const ret = perToken(rows, T, "returns");
    const old = perToken(rows, T, "values");
    const v = f.values!;
    const vClip = tf.add(old, tf.clipByValue(tf.sub(v, old), -c.clipRangeValue, c.clipRangeValue));
    const vf = tf.mul(0.5, tf.maximum(tf.square(tf.sub(v, ret)), tf.square(tf.sub(vClip, ret))));
    const vfSum = tf.sum(tf.mul(vf, w));
    s.value += vfSum.dataSync()[0];
    total = tf.add(total, tf.mul(c.vfCoef, vfSum));
  }
  const n = tf.sum(w).dataSync()[0];
  s.tokens += n;
  s.policy += pgSum.dataSync()[0];
  s.ratio += tf.sum(tf.mul(ratio, w)).dataSync()[0];
  s.approxkl += tf.sum(tf.mul(0.5, tf.square(logRatio))).dataSync()[0];
  // TRL's clipfrac: tokens where the clipped term is the one in force (no gradient flows there).
  s.clipped += tf.sum(tf.mul(tf.cast(tf.greater(clippedTerm, unclipped), "float32"), w)).dataSync()[0];
  return total;
}

/**
 * The update's loss: Σ over response tokens of `ppoRowsLoss` / the update's
 * response tokens, plus the ptx micro-batch's pre-scaled NLL; its step
 * metrics are per response token (loss/policy, policy/clipfrac, …).
 */
export function ppoObjective(model: GPT, pad: number, c: PpoConfig, s: PpoStats): Objective<PpoMicro> {
  return {
    loss: (m, norm) => {
      if (m.kind === "ptx") {
        const l = weightedNll(model, m.batch);
        s.ptx += l.dataSync()[0] / c.ptxCoef;
        return tf.div(l, norm) as tf.Scalar;
      }
      return tf.div(ppoRowsLoss(model, m.rows, pad, c, s), norm) as tf.Scalar;
    },
    normalizer: (micros) =>
      micros.reduce(
        (n, m) => n + (m.kind === "ppo" ? m.rows.reduce((t, r) => t + r.oldLogp.length, 0) : 0),
        0,
      ),
    tokens: (m) =>
      m.kind === "ppo" ? m.rows.reduce((n, r) => n + r.tokens.length, 0) : m.batch.B * m.batch.T,
    stepMetrics: () => {
      const n = Math.max(1, s.tokens);
      const row: MetricRow = {
        "loss/policy": s.policy / n,
        "policy/clipfrac": s.clipped / n,
        "policy/approxkl": s.approxkl / n,
        "val/ratio": s.ratio / n,
        ...(c.advantage === "gae" ? { "loss/value": s.value / n } : {}),
        ...(c.ptxCoef > 0 ? { "loss/ptx": s.ptx / n } : {}),
      };
      Object.assign(s, newStats());
      return row;
    },
  };
}
