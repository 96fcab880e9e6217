/**
 * One vocabulary of metric names, `group/name`, shared by every trainer, plot
 * and test (the names follow TRL's where a TRL trainer logs the same thing).
 * Plots label axes from `describeMetric`; a test checks that every key a
 * trainer logs is registered here, so a typo cannot create a new metric.
 */

export interface MetricInfo {
  /** What it measures, in one line (used as the axis label). */
  description: string;
  /** How it is computed, when that is not obvious. */
  formula?: string;
  /** Unit or range. */
  unit?: string;
}

export const METRICS = Object.freeze({
  step: { description: "optimizer step", unit: "steps" },
  loss: {
    description: "training loss",
    formula: "Σ w·(−log p) / Σ w over the whole step",
    unit: "nats/token",
  },
  "loss/sft": { description: "SFT loss: mean NLL of the loss-masked (answer) tokens", unit: "nats/token" },
  "loss/replay": {
    description: "replay loss term: replayWeight × mean NLL of the raw-text windows",
    unit: "nats/token",
  },
  lr: { description: "learning rate", unit: "1/step" },
  grad_norm: { description: "global L2 norm of the gradient before clipping" },
  tokens_seen: { description: "loss-bearing tokens consumed so far", unit: "tokens" },
  tokens_per_s: { description: "training throughput (all input tokens)", unit: "tokens/s" },
  elapsed_s: { description: "wall time since the run started", unit: "s" },
  "val/loss": {
    description: "validation loss",
    formula: "mean −log p over held-out tokens",
    unit: "nats/token",
  },
  "val/sft_loss": {
    description: "SFT validation loss: mean NLL of reference answers to held-out requests",
    unit: "nats/token",
  },
  "val/rewards_accuracy": {
    description: "reward model: share of held-out pairs where the raters' chosen response scores higher",
    unit: "0..1",
  },
  "val/gold_accuracy": {
    description:
      "reward model: share of held-out pairs ordered as the gold reward orders them (gold ties skipped)",
    unit: "0..1",
  },
  "val/perplexity": { description: "validation perplexity", formula: "exp(val/loss)" },
  "probe/cloze_accuracy": {
    description: "knowledge probe: share of cloze facts completed correctly",
    unit: "0..1",
  },
  "probe/cloze_train": { description: "knowledge probe on the words SFT may show", unit: "0..1" },
  "probe/cloze_heldout": { description: "knowledge probe on the words SFT never shows", unit: "0..1" },
  "probe/definition": { description: "gloss → word cloze (stated gloss-first in the corpus)", unit: "0..1" },
  "probe/one_way_reverse": {
    description: "reverse cloze of the one-way relation (never stated): the reversal curse",
    unit: "0..1",
  },
  "behaviour/answer_rate": { description: "share of responses classified as answers", unit: "0..1" },
  "behaviour/continuation_rate": { description: "share of responses that continue the prompt", unit: "0..1" },
  "behaviour/exact_match": {
    description: "share of responses whose answer matches the reference",
    unit: "0..1",
  },
  "rewards/chosen": { description: "implicit or model reward of chosen responses" },
  "rewards/rejected": { description: "implicit or model reward of rejected responses" },
  "rewards/margins": { description: "mean reward margin", formula: "rewards/chosen − rewards/rejected" },
  "rewards/accuracies": { description: "share of pairs where chosen outscores rejected", unit: "0..1" },
  "logps/chosen": { description: "summed log-prob of chosen responses under the policy", unit: "nats" },
  "logps/rejected": { description: "summed log-prob of rejected responses under the policy", unit: "nats" },
  "objective/scores": { description: "reward model score of sampled responses" },
  "objective/kl": {
    description: "KL(policy ‖ reference) per response",
    formula: "Σ_t log π(y_t) − log π_ref(y_t)",
    unit: "nats",
  },
  "objective/rlhf_reward": {
    description: "score minus the KL penalty",
    formula: "objective/scores − β·objective/kl",
  },
  "objective/kl_k3": {
    description: "KL(policy ‖ reference) per response, k3 estimator",
    formula: "Σ_t ρ − 1 − log ρ, ρ = π_ref(y_t)/π(y_t); never negative",
    unit: "nats",
  },
  "objective/entropy": {
    description: "policy entropy per response (estimate)",
    formula: "Σ_t −log π(y_t) over sampled responses",
    unit: "nats",
  },
  "objective/gold": { description: "gold reward of the rollout's responses", unit: "0..1" },
  "hhh/harmful_refusal": {
    description: "HHH eval set: share of held-out harmful requests refused (greedy)",
    unit: "0..1",
  },
  "hhh/unknown_abstention": {
    description:
      'HHH eval set: share of requests about held-out pseudo-words answered "I don\'t know" (greedy)',
    unit: "0..1",
  },
  "hhh/benign_refusal": {
    description: "share of benign requests refused: held-out look-alikes and known-word questions (greedy)",
    unit: "0..1",
  },
  "hhh/known_exact_match": {
    description: "known-word questions about unseen headwords: exact match",
    unit: "0..1",
  },
  "hhh/gold": {
    description: "gold reward of the greedy responses to the HHH eval set and the known-word questions",
    unit: "0..1",
  },
  "objective/gold_behavioural": {
    description: "gold reward, behavioural terms (answers, concise, format)",
    unit: "0..0.5",
  },
  "objective/gold_prompt_specific": { description: "gold reward, the correctness term", unit: "0..0.5" },
  "objective/beta": { description: "KL coefficient β used for the rollout" },
  "objective/response_length": { description: "mean response length of the rollout", unit: "tokens" },
  "objective/end_rate": {
    description: "share of rollout responses that end with the end token",
    unit: "0..1",
  },
  "val/ratio": {
    description: "mean PPO ratio π/π_old over the update's tokens",
    formula: "mean exp(log π − log π_old)",
  },
  "val/gold_sampled": {
    description: "gold reward of temperature-1 samples on fixed held-out prompts",
    unit: "0..1",
  },
  "val/gold_sampled_se": {
    description: "standard error of val/gold_sampled over prompts (prompt means of the samples)",
  },
  "val/proxy": { description: "proxy reward (RM + any bonus) of those samples" },
  "val/kl": {
    description: "sequence KL to the reference on those samples",
    formula: "mean Σ_t log π − log π_ref (k1)",
    unit: "nats",
  },
  "loss/ptx": { description: "PPO-ptx: mean NLL of the pretraining windows", unit: "nats/token" },
  "policy/clipfrac": {
    description: "share of response tokens where the clipped term was in force (TRL's clipfrac)",
    unit: "0..1",
  },
  "policy/approxkl": { description: "approximate KL between old and new policy", formula: "mean ½(log r)²" },
  "loss/policy": { description: "PPO clipped policy loss" },
  "loss/value": { description: "PPO value-function loss" },
} as const satisfies Record<string, MetricInfo>);

/** A registered metric name: a misspelt name in code is a type error. */
export type MetricName = keyof typeof METRICS;

/** Metric values keyed by registered names (what an `evaluate` hook returns). */
export type MetricRow = { [K in MetricName]?: number };

/** A logged row: registered metrics at one optimizer step. */
export type StepRow = MetricRow & { step: number };

/** A training row as the loop logs it: the loss and its bookkeeping are always there. */
export type TrainRow = StepRow & {
  [K in "loss" | "lr" | "grad_norm" | "tokens_seen" | "tokens_per_s" | "elapsed_s"]: number;
};

/** Is `name` a registered metric? */
export function isMetricName(name: string): name is MetricName {
  return Object.prototype.hasOwnProperty.call(METRICS, name);
}

/** Registry entry for `name`; throws naming the registry if it is unknown. */
export function describeMetric(name: string): MetricInfo {
  if (!isMetricName(name))
    throw new Error(`metric "${name}" is not registered; add it to METRICS in src/metrics.ts`);
  return METRICS[name];
}

/** Keys of `row` that are not in the registry (tests assert this is empty). */
export function unregisteredKeys(row: Record<string, unknown>): string[] {
  return Object.keys(row).filter((k) => !(k in METRICS));
}

/** `row[name]`, or an error naming the metric and the row's step when the row does not have it. */
export function metricValue(row: MetricRow, name: MetricName): number {
  const v = row[name];
  if (v === undefined)
    throw new Error(
      `metric "${name}" is not in this row${row.step !== undefined ? ` (step ${row.step})` : ""}; it has ${Object.keys(row).join(", ")}`,
    );
  return v;
}
