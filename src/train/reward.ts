/**
 * Reward modelling (InstructGPT's second step): the loss and metrics of a
 * scalar score r(prompt, response) trained on preference pairs. The trainer
 * itself (scoring at the end token, pairs of one prompt in one batch) is the
 * reward-model issue's; these are the parts it builds on.
 *
 * Bradley–Terry: P(chosen ≻ rejected) = σ(r_c − r_r), so the loss is
 * −log σ(r_c − r_r − margin), averaged over pairs. TRL's RewardTrainer adds
 * two options, kept here with its meaning: a per-pair `margin` (the chosen
 * answer must win by at least that much), and a centring term
 * coefficient · mean((r_c + r_r)²) that keeps rewards near zero, since the
 * loss only sees differences.
 */
import { tf } from "../backend";

/**
 * softplus(x) = log(1 + eˣ) = −log σ(−x), in the form that never overflows:
 * max(x, 0) + log(1 + e^(−|x|)). (tf.logSigmoid's gradient failed on the
 * wasm backend in this project's test: a tensor it saved was already freed.)
 */
function softplus(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(x), tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(x))))));
}

/** Options of {@link bradleyTerryLoss}. */
export interface PairLossOptions {
  /** Per-pair margins, [P]; absent: 0. */
  margin?: tf.Tensor1D;
  /** Weight of the centring term (TRL's `center_rewards_coefficient`); absent or 0: none. */
  centerCoefficient?: number;
}

/** Mean Bradley–Terry loss over P pairs of scores [P] (differentiable). */
export function bradleyTerryLoss(
  chosen: tf.Tensor1D,
  rejected: tf.Tensor1D,
  o: PairLossOptions = {},
): tf.Scalar {
  if (chosen.shape[0] !== rejected.shape[0] || chosen.shape[0] === 0)
    throw new Error(
      `bradleyTerryLoss: need as many chosen as rejected scores, and at least one pair; ` +
        `got ${chosen.shape[0]} and ${rejected.shape[0]}`,
    );
  return tf.tidy(() => {
    let diff: tf.Tensor = tf.sub(chosen, rejected);
    if (o.margin) diff = tf.sub(diff, o.margin);
    let loss: tf.Scalar = tf.mean(softplus(tf.neg(diff)));
    if (o.centerCoefficient)
      loss = tf.add(loss, tf.mul(o.centerCoefficient, tf.mean(tf.square(tf.add(chosen, rejected)))));
    return loss;
  });
}

/** The registered rewards/* metrics of P pairs of scores (plain numbers). */
export function pairMetrics(chosen: ArrayLike<number>, rejected: ArrayLike<number>) {
  const n = chosen.length;
  if (n === 0 || rejected.length !== n)
    throw new Error(`pairMetrics: need as many chosen as rejected scores, got ${n} and ${rejected.length}`);
  let c = 0,
    r = 0,
    wins = 0;
  for (let i = 0; i < n; i++) {
    c += chosen[i];
    r += rejected[i];
    if (chosen[i] > rejected[i]) wins++;
  }
  return {
    "rewards/chosen": c / n,
    "rewards/rejected": r / n,
    "rewards/margins": (c - r) / n,
    "rewards/accuracies": wins / n,
  };
}
