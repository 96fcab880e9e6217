/**
 * The estimator math of PPO, RLOO and GRPO on plain numbers (each tested
 * against hand-computed values): per-token rewards, KL estimates, GAE, the
 * group baselines, whitening, the clipped losses and the adaptive KL
 * controller. The trainer (src/train/ppo.ts) and its rollout
 * (src/train/rollout.ts) call these; the update's tensor objective
 * (src/train/ppo-update.ts) computes what `clippedPolicyLoss` and
 * `clippedValueLoss` compute, per token.
 */

/**
 * Generalised advantage estimation (Schulman et al. 2016) over one response:
 * δ_t = r_t + γ V_{t+1} − V_t (V after the last token is 0),
 * A_t = δ_t + γλ A_{t+1}; returns = A + V (the value head's target).
 */
export function gae(rewards: readonly number[], values: readonly number[], gamma: number, lam: number) {
  const n = rewards.length;
  if (values.length !== n) throw new Error(`gae: ${n} rewards but ${values.length} values`);
  const advantages = new Array<number>(n);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const delta = rewards[t] + gamma * (t + 1 < n ? values[t + 1] : 0) - values[t];
    next = delta + gamma * lam * next;
    advantages[t] = next;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}

/** Per-token rewards: −β · (log π − log π_ref), with the score added at the last token. */
export function tokenRewards(
  logp: readonly number[],
  refLogp: readonly number[],
  score: number,
  beta: number,
): number[] {
  const r = logp.map((lp, t) => -beta * (lp - refLogp[t]));
  r[r.length - 1] += score;
  return r;
}

/**
 * Sequence KL estimates from per-token log-probs of samples from π:
 * k1 = Σ (log π − log π_ref), unbiased but noisy and can be negative on one
 * sample; k3 = Σ (ρ − 1 − log ρ) with ρ = π_ref/π, unbiased and never
 * negative (Schulman, "Approximating KL divergence", 2020).
 */
export function klEstimates(logp: readonly number[], refLogp: readonly number[]) {
  let k1 = 0,
    k3 = 0;
  logp.forEach((lp, t) => {
    const logRho = refLogp[t] - lp;
    k1 -= logRho;
    k3 += Math.exp(logRho) - 1 - logRho;
  });
  return { k1, k3 };
}

/** Leave-one-out baseline over one prompt's k returns: R_i − mean_{j≠i} R_j. */
export function rlooAdvantages(returns: readonly number[]): number[] {
  const k = returns.length;
  if (k < 2) throw new Error("rloo: needs at least 2 samples per prompt");
  const sum = returns.reduce((a, b) => a + b, 0);
  return returns.map((r) => r - (sum - r) / (k - 1));
}

/** Group-normalised advantages: (R_i − mean) / (std + eps), std over the group (unbiased). */
export function grpoAdvantages(returns: readonly number[], eps = 1e-4): number[] {
  const k = returns.length;
  if (k < 2) throw new Error("grpo: needs at least 2 samples per prompt");
  const m = returns.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(returns.reduce((s, r) => s + (r - m) ** 2, 0) / (k - 1));
  return returns.map((r) => (r - m) / (sd + eps));
}

/** Shift and scale numbers to mean 0, std 1 (a constant list becomes zeros). */
export function whiten(xs: readonly number[]): number[] {
  const n = xs.length;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, n - 1));
  return xs.map((x) => (sd > 1e-8 ? (x - m) / sd : 0));
}

/**
 * The clipped PPO losses per token (plain numbers; the tensor version in
 * the objective computes the same): policy max(−A·ρ, −A·clip(ρ, 1±ε)) and
 * value ½·max((V − R)², (V_old + clip(V − V_old, ±εv) − R)²).
 */
export function clippedPolicyLoss(logRatio: number, advantage: number, eps: number): number {
  const ratio = Math.exp(logRatio);
  return Math.max(-advantage * ratio, -advantage * Math.min(Math.max(ratio, 1 - eps), 1 + eps));
}

export function clippedValueLoss(value: number, oldValue: number, ret: number, eps: number): number {
  const clipped = oldValue + Math.min(Math.max(value - oldValue, -eps), eps);
  return 0.5 * Math.max((value - ret) ** 2, (clipped - ret) ** 2);
}

/**
 * The adaptive KL controller of Ziegler et al. (2019): β grows when the KL
 * is above target and shrinks below it, by at most 20 % × n/horizon per update.
 */
export function adaptBeta(beta: number, kl: number, target: number, n: number, horizon: number): number {
  const error = Math.min(Math.max(kl / target - 1, -0.2), 0.2);
  return beta * (1 + (error * n) / horizon);
}
