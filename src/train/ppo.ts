/**
 * RLHF's third step (InstructGPT; Ziegler et al. 2019): optimise the SFT
 * policy against a reward model, penalised by its KL divergence from the
 * frozen SFT model. One function, `trainPpo`, with three advantage
 * estimators on the same rollouts (OpenRLHF's `--advantage_estimator`):
 *
 * - `gae`: PPO with a critic. Per-token reward −β·(log π − log π_ref), the
 *   RM score added at the last token; GAE(γ, λ) over a value head; whitened
 *   advantages; clipped policy and value losses.
 * - `rloo`: REINFORCE leave-one-out (Ahmadian et al. 2024): k samples per
 *   prompt, each sequence's return R = score − β·KL minus the mean return of
 *   the other k − 1; no critic.
 * - `grpo`: group-normalised (Shao et al. 2024): (R − mean) / std over the
 *   prompt's k samples; no critic. The KL is in the reward here too (not a
 *   separate loss term as in DeepSeek's GRPO), so the three differ only in
 *   the baseline.
 *
 * Every estimator uses the clipped ratio objective over several epochs of
 * minibatches per rollout, so one rollout of `promptsPerRollout × k`
 * sequences feeds `ppoEpochs × miniBatches` optimizer steps; the loop's
 * `steps` counts those updates.
 *
 * Rollouts sample at temperature 1 with no top-k/top-p: truncated sampling
 * makes the sampled log-probs disagree with the policy's, and TRL documents
 * it as the cause of negative KL estimates. A response that never ends
 * within `maxNewTokens` loses `missingEosPenalty` from its score (TRL's
 * `missing_eos_penalty`), so running on is never cheaper than stopping.
 *
 * The value head sits on the policy's trunk (TRL's
 * AutoModelForCausalLMWithValueHead), starting at zero rather than from the
 * RM: the RM's end-token head alone is near chance (notebook 04: 54 %), its
 * score is mostly the response's likelihood, which a per-position head
 * cannot copy, and a zero critic makes the first advantages plain returns.
 *
 * PPO-ptx (InstructGPT): `ptxCoef` > 0 adds γ · mean NLL of raw pretraining
 * windows to every update, against the alignment tax.
 */
import * as path from "path";
import { tf } from "../backend";
import { renderPrompt } from "../chat/template";
import type { ConfigSpec } from "../config";
import { LMBatch, randomWindows, weightSum } from "../data/lm-batches";
import { stepIndices } from "../data/sft-batches";
import type { EvalItem } from "../data/tasks/eval-sets";
import { mean } from "../eval/stats";
import { goldReward } from "../judge/gold";
import { generate } from "../model/generate";
import type { GPT } from "../model/gpt";
import { responseLogProbs } from "../model/logprobs";
import { tokenLogProbs } from "../model/ops";
import { endScores, RewardModel } from "../model/reward-model";
import type { MetricRow } from "../metrics";
import { Rng } from "../random";
import { loadRun, RunRecord } from "../run-record";
import type { BpeTokenizer } from "../tokenizer/index";
import { weightedNll } from "./lm";
import {
  checkResumable,
  FIXED_ON_RESUME,
  LOOP_DEFAULTS,
  LOOP_SPEC,
  LoopConfig,
  Objective,
  ProgressSink,
  resolveLoopConfig,
  TrainerState,
  trainLoop,
} from "./loop";

export const ADVANTAGES = ["gae", "rloo", "grpo"] as const;
export type Advantage = (typeof ADVANTAGES)[number];

/**
 * The loop's `steps` are optimizer updates and `batchSize` is sequences per
 * update: promptsPerRollout · samplesPerPrompt / miniBatches (set by {@link ppoConfig}).
 */
export interface PpoConfig extends LoopConfig {
  /** Prompts per rollout. */
  promptsPerRollout: number;
  /** Samples per prompt (k); rloo and grpo need k ≥ 2. */
  samplesPerPrompt: number;
  /** Minibatches per epoch over the rollout. */
  miniBatches: number;
  /** Passes over each rollout. */
  ppoEpochs: number;
  /** Response-length limit. */
  maxNewTokens: number;
  /** KL coefficient β (the starting value when `targetKl` > 0). */
  beta: number;
  /** Adaptive β toward this KL per response, in nats (Ziegler et al.); 0 = fixed β. */
  targetKl: number;
  /** Horizon of the adaptive controller, in sequences. */
  klHorizon: number;
  /** Advantage estimator. */
  advantage: Advantage;
  /** GAE discount γ and λ. */
  gamma: number;
  lam: number;
  /** Clip range ε of the policy ratio. */
  clipRange: number;
  /** Clip range of the value update (gae). */
  clipRangeValue: number;
  /** Weight of the value loss (gae). */
  vfCoef: number;
  /** Whiten advantages over the rollout (gae). */
  whitenAdvantages: boolean;
  /** Subtracted from the score of a response that never ends. */
  missingEosPenalty: number;
  /** PPO-ptx: weight γ of the pretraining loss (0 = plain PPO). */
  ptxCoef: number;
  /** Raw-text windows per update for ptx. */
  ptxBatchSize: number;
  /** Tokens per ptx window. */
  ptxLength: number;
}

const SPEC: ConfigSpec<PpoConfig> = {
  ...LOOP_SPEC,
  promptsPerRollout: { doc: "prompts per rollout", integer: true, min: 1 },
  samplesPerPrompt: { doc: "samples per prompt (k)", integer: true, min: 1 },
  miniBatches: { doc: "minibatches per epoch over a rollout", integer: true, min: 1 },
  ppoEpochs: { doc: "passes over each rollout", integer: true, min: 1 },
  maxNewTokens: { doc: "response-length limit", integer: true, min: 1 },
  beta: { doc: "KL coefficient β (start value if adaptive)", min: 0 },
  targetKl: { doc: "adaptive-β target KL in nats, 0 = fixed β", min: 0 },
  klHorizon: { doc: "adaptive-β horizon in sequences", min: 1 },
  advantage: { doc: "advantage estimator", oneOf: ADVANTAGES },
  gamma: { doc: "GAE discount", min: 0, max: 1 },
  lam: { doc: "GAE λ", min: 0, max: 1 },
  clipRange: { doc: "policy ratio clip ε", min: 0, max: 1 },
  clipRangeValue: { doc: "value clip range", min: 0 },
  vfCoef: { doc: "value loss weight", min: 0 },
  whitenAdvantages: { doc: "whiten advantages (gae)", oneOf: [true, false] },
  missingEosPenalty: { doc: "score penalty for a response that never ends", min: 0 },
  ptxCoef: { doc: "PPO-ptx pretraining loss weight, 0 = off", min: 0 },
  ptxBatchSize: { doc: "raw-text windows per update (ptx)", integer: true, min: 1 },
  ptxLength: { doc: "tokens per ptx window", integer: true, min: 2 },
};

/** The recipe of data/models/ppo (`npm run ppo`). */
export const PPO_FULL: Readonly<PpoConfig> = Object.freeze({
  ...LOOP_DEFAULTS,
  steps: 240,
  batchSize: 32,
  microBatchSize: 16,
  // Chosen by held-out runs of 240 updates (notebook 05, README): 2e-5 barely moved the
  // policy (KL < 0.1 nats); 1e-4 drove KL past 1 nat and held-out gold down; a short
  // warmup keeps Adam's first, badly normalised steps small.
  lr: 5e-5,
  warmupSteps: 10,
  minLrRatio: 1,
  weightDecay: 0,
  logEvery: 4,
  evalEvery: 40,
  promptsPerRollout: 16,
  // k = 8 samples per prompt, one pass in 4 minibatches: more samples of each prompt
  // gave the critic-free and the GAE runs a steadier signal than 2 epochs over k = 4.
  samplesPerPrompt: 8,
  miniBatches: 4,
  ppoEpochs: 1,
  maxNewTokens: 24,
  beta: 0.05,
  targetKl: 0,
  klHorizon: 10000,
  advantage: "gae",
  gamma: 1,
  lam: 0.95,
  clipRange: 0.2,
  clipRangeValue: 0.2,
  vfCoef: 0.5,
  whitenAdvantages: true,
  missingEosPenalty: 1,
  ptxCoef: 0,
  ptxBatchSize: 8,
  ptxLength: 64,
});

/** A seconds-long run for tests and smoke checks. */
export const PPO_QUICK: Readonly<PpoConfig> = Object.freeze({
  ...PPO_FULL,
  steps: 8,
  promptsPerRollout: 4,
  batchSize: 8,
  microBatchSize: 8,
  logEvery: 4,
  evalEvery: 0,
  maxNewTokens: 12,
  warmupSteps: 0,
});

/**
 * Fields a resumed run must share with the run it continues: the loop's, and
 * everything that shapes a rollout or its advantages (a changed β would be
 * overwritten by the checkpoint's anyway).
 */
export const PPO_FIXED_ON_RESUME = [
  ...FIXED_ON_RESUME,
  "promptsPerRollout",
  "samplesPerPrompt",
  "miniBatches",
  "ppoEpochs",
  "maxNewTokens",
  "beta",
  "targetKl",
  "klHorizon",
  "advantage",
  "gamma",
  "lam",
  "clipRange",
  "clipRangeValue",
  "vfCoef",
  "whitenAdvantages",
  "missingEosPenalty",
  "ptxCoef",
  "ptxBatchSize",
  "ptxLength",
] as const satisfies readonly (keyof PpoConfig)[];

/** Which prompts rollout `r` samples: an epoch-wise shuffle of the pool, as SFT's batches. */
export const rolloutPrompts = (c: PpoConfig, pool: number, r: number) =>
  stepIndices(pool, r, c.promptsPerRollout, c.seed);

/** Every prompt a run of `c` samples from (the "trained on" side of an evaluation). */
export function trainedPrompts(c: PpoConfig, pool: number): number[] {
  const seen = new Set<number>();
  for (let r = 0; r < c.steps / updatesPerRollout(c); r++)
    for (const i of rolloutPrompts(c, pool, r)) seen.add(i);
  return [...seen].sort((a, b) => a - b);
}

/** Optimizer updates per rollout. */
export const updatesPerRollout = (c: PpoConfig) => c.ppoEpochs * c.miniBatches;

/**
 * Resolve a PPO config: batchSize follows from the rollout's size and the
 * minibatch count, and the checks a run would otherwise fail late on.
 */
export function ppoConfig(
  overrides: Partial<PpoConfig> = {},
  base: Readonly<PpoConfig> = PPO_FULL,
): Readonly<PpoConfig> {
  const merged = { ...base, ...overrides };
  const sequences = merged.promptsPerRollout * merged.samplesPerPrompt;
  if (sequences % merged.miniBatches !== 0)
    throw new Error(
      `PpoConfig: a rollout of ${sequences} sequences (promptsPerRollout × samplesPerPrompt) does not split ` +
        `into ${merged.miniBatches} minibatches`,
    );
  const batchSize = sequences / merged.miniBatches;
  const micro = Math.min(overrides.microBatchSize ?? base.microBatchSize, batchSize);
  const c = resolveLoopConfig("PpoConfig", base, SPEC, { ...overrides, batchSize, microBatchSize: micro });
  const U = updatesPerRollout(c);
  if (c.advantage !== "gae" && c.samplesPerPrompt < 2)
    throw new Error(`PpoConfig: advantage "${c.advantage}" needs samplesPerPrompt ≥ 2 (a group to compare)`);
  if (c.steps % U !== 0)
    throw new Error(`PpoConfig: steps ${c.steps} is not a multiple of the ${U} updates per rollout`);
  if (c.checkpointEvery % U !== 0)
    throw new Error(
      `PpoConfig: checkpointEvery ${c.checkpointEvery} is not a multiple of the ${U} updates per rollout ` +
        `(a checkpoint inside a rollout could not resume exactly)`,
    );
  return c;
}

// ---------------------------------------------------------------------------
// Pure pieces (tested against hand-computed values)

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

// ---------------------------------------------------------------------------
// Rollouts

/** One sampled response with what the update needs, per response token. */
export interface RolloutRow {
  /** Prompt + response token ids. */
  tokens: number[];
  /** Index of the first response token. */
  start: number;
  /** Index into the step's prompts. */
  prompt: number;
  stopped: boolean;
  oldLogp: number[];
  refLogp: number[];
  /** Value estimate before each response token (zeros without a critic). */
  values: number[];
  advantages: number[];
  returns: number[];
}

/** What one rollout produced: the rows the updates train on, and what a reader sees of them. */
export interface RolloutBatch {
  rows: RolloutRow[];
  /** Decoded responses with their scores (the per-step table). */
  responses: {
    prompt: number;
    text: string;
    stopped: boolean;
    score: number;
    gold: number;
    kl: number;
  }[];
  beta: number;
}

/** Right-padded ids and response-token weights of rows, for one forward pass. */
function padRows(rows: readonly { tokens: number[]; start: number }[], pad: number) {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.tokens.length));
  const ids = new Int32Array(B * T).fill(pad);
  const mask = new Float32Array(B * (T - 1));
  rows.forEach((r, b) => {
    ids.set(r.tokens, b * T);
    for (let t = r.start; t < r.tokens.length; t++) mask[b * (T - 1) + t - 1] = 1;
  });
  return { ids, mask, B, T };
}

/**
 * log π of every next token [B, T−1] and, with a scalar head, the value read
 * before it [B, T−1], from one pass of the trunk (differentiable).
 */
function forward(model: GPT, ids: Int32Array, B: number, T: number, withValues: boolean) {
  const x = tf.tensor2d(ids, [B, T], "int32");
  const hidden = model.trunk(x).hidden;
  const V = model.config.vocabSize;
  const logits = tf.reshape(tf.slice(model.head(hidden), [0, 0, 0], [B, T - 1, V]), [B * (T - 1), V]);
  const targets = tf.reshape(tf.slice(x, [0, 1], [B, T - 1]), [B * (T - 1)]) as tf.Tensor1D;
  const logp = tf.reshape(tokenLogProbs(logits as tf.Tensor2D, targets), [B, T - 1]) as tf.Tensor2D;
  const values = withValues ? (tf.slice(model.scores(hidden), [0, 0], [B, T - 1]) as tf.Tensor2D) : undefined;
  return { logp, values };
}

/** The value head's estimate before each response token of each row (no gradient), in chunks. */
function responseValues(
  model: GPT,
  rows: readonly { tokens: number[]; start: number }[],
  pad: number,
  chunk: number,
) {
  const out: number[][] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const { ids, B, T } = padRows(part, pad);
    const v = tf.tidy(() => {
      const hidden = model.trunk(tf.tensor2d(ids, [B, T], "int32")).hidden;
      return (tf.slice(model.scores(hidden), [0, 0], [B, T - 1]) as tf.Tensor2D).arraySync();
    });
    part.forEach((r, b) => out.push(v[b].slice(r.start - 1, r.tokens.length - 1)));
  }
  return out;
}

export interface PpoArgs {
  /** The policy: the SFT model with a scalar head (the value head); trained in place. */
  model: GPT;
  /** The frozen SFT model the KL is measured against. */
  reference: GPT;
  /** The proxy reward. */
  rewardModel: RewardModel;
  tokenizer: BpeTokenizer;
  /** Prompt pool (the gold reward of each rollout is scored against its items). */
  prompts: readonly EvalItem[];
  config: Readonly<PpoConfig>;
  /**
   * Extra score on top of the RM's, per response (notebook 05's length
   * bias; the tests' toy task). `tokens` are the sampled response ids.
   */
  scoreBonus?: (response: { text: string; tokens: readonly number[]; stopped: boolean }) => number;
  /** Raw pretraining tokens (required when ptxCoef > 0). */
  ptx?: Int32Array;
  /** Held-out evaluation merged into each eval row. */
  evaluate?: (step: number) => MetricRow;
  checkpointDir?: string;
  resumeFrom?: string;
  progress?: ProgressSink;
  notes?: Partial<PpoNotes>;
}

/** What a PPO run keeps on record. */
export interface PpoNotes {
  prompts: number;
  /** Responses of each rollout to its first prompts: the per-step table. */
  samples: { step: number; prompt: string; response: string; score: number; gold: number; kl: number }[];
  base?: string;
  rewardModel?: string;
  [key: string]: unknown;
}

/** Refuse models that cannot be compared token by token, before any rollout. */
export function checkCompatible(
  policy: GPT,
  reference: GPT,
  rm: RewardModel,
  tok: BpeTokenizer,
  toks?: {
    reference?: BpeTokenizer;
    rewardModel?: BpeTokenizer;
  },
): void {
  if (!rm.model.config.scalarHead)
    throw new Error("PPO: the reward model has no scalar head; pass a folder made by npm run rm");
  const same = (a: BpeTokenizer, b: BpeTokenizer) =>
    JSON.stringify(a.toJSON()) === JSON.stringify(b.toJSON());
  for (const [name, m, t] of [
    ["reference", reference, toks?.reference],
    ["reward model", rm.model, toks?.rewardModel],
  ] as const) {
    if (m.config.vocabSize !== policy.config.vocabSize)
      throw new Error(
        `PPO: the ${name} has a vocabulary of ${m.config.vocabSize} tokens, the policy ${policy.config.vocabSize}; ` +
          `both must come from the same tokenizer (start from the same SFT model)`,
      );
    if (t && !same(t, tok))
      throw new Error(
        `PPO: the ${name}'s tokenizer differs from the policy's; use models trained from the same base`,
      );
  }
}

/** Train the policy with PPO / RLOO / GRPO; returns the run record. */
export async function trainPpo(a: PpoArgs): Promise<RunRecord<PpoConfig, PpoNotes>> {
  const c = a.config;
  const tok = a.tokenizer;
  const pad = tok.special.pad;
  const eos = tok.special.eos;
  if (!a.model.config.scalarHead && c.advantage === "gae")
    throw new Error("PPO: the policy needs a scalar head for its value (sft.withScalarHead())");
  checkCompatible(a.model, a.reference, a.rewardModel, tok);
  if (c.ptxCoef > 0 && !a.ptx)
    throw new Error("PPO-ptx: ptxCoef > 0 needs the raw pretraining tokens (args.ptx)");
  const C = a.model.config.contextLength;
  const prompts = a.prompts.map((item, i) => {
    const ids = renderPrompt(tok, item.messages);
    if (ids.length + 1 > C)
      throw new Error(
        `${(item as { source?: string }).source ?? `prompt ${i + 1}`}: renders to ${ids.length} tokens, ` +
          `no room for a response in the context of ${C}; shorten it or drop it`,
      );
    return ids;
  });
  if (prompts.length < c.promptsPerRollout)
    throw new Error(`PPO: ${prompts.length} prompts, fewer than one rollout of ${c.promptsPerRollout}`);

  const k = c.samplesPerPrompt;
  const U = updatesPerRollout(c);
  let beta = c.beta;
  const state: TrainerState = {
    file: "ppo_state.json",
    save: () => ({ beta }),
    load: (v, source) => {
      const b = (v as { beta?: unknown }).beta;
      if (typeof b !== "number" || !Number.isFinite(b)) throw new Error(`${source}: "beta" must be a number`);
      beta = b;
    },
  };
  const notes: PpoNotes = { samples: [], ...a.notes, prompts: prompts.length };
  if (a.resumeFrom) {
    // The recipe must be the one the checkpoint was made with, and its response table carries on.
    const file = path.join(a.resumeFrom, "run.json");
    const previous = loadRun(a.resumeFrom, "ppo");
    checkResumable(previous.config, c, file, PPO_FIXED_ON_RESUME);
    notes.samples = (previous.notes.samples ?? []).slice();
  }

  const rollout = (step: number, rng: Rng, model: GPT) => {
    const r = step / U;
    const picked = rolloutPrompts(c, prompts.length, r);
    const ids = picked.flatMap((i) => Array.from({ length: k }, () => prompts[i]));
    const g = generate(model, ids, {
      maxNewTokens: c.maxNewTokens,
      temperature: 1,
      seed: rng.int(0, 2 ** 31),
      stopTokens: [eos],
      padId: pad,
    });
    const seqs = ids.map((p, i) => ({ tokens: [...p, ...g.tokens[i]], start: p.length }));
    const chunk = Math.max(c.microBatchSize, 8);
    const pol = {
      logp: responseLogProbs(model, seqs, { pad, chunk }),
      values:
        c.advantage === "gae"
          ? responseValues(model, seqs, pad, chunk)
          : seqs.map((q) => new Array<number>(q.tokens.length - q.start).fill(0)),
    };
    const ref = { logp: responseLogProbs(a.reference, seqs, { pad, chunk }) };
    const scores: number[] = [];
    for (let i = 0; i < seqs.length; i += chunk) {
      const part = seqs.slice(i, i + chunk);
      const s = endScores(
        a.rewardModel,
        part.map((q) => q.tokens),
        part.map((q) => q.start),
        pad,
      );
      scores.push(...s.dataSync());
      s.dispose();
    }
    const texts = g.tokens.map((t) => tok.decode(t, { skipSpecial: true }));
    texts.forEach((t, i) => {
      const bonus = a.scoreBonus?.({ text: t, tokens: g.tokens[i], stopped: g.stopped[i] }) ?? 0;
      scores[i] += bonus - (g.stopped[i] ? 0 : c.missingEosPenalty);
    });
    const gold = texts.map((t, i) => goldReward(a.prompts[picked[Math.floor(i / k)]], t, g.stopped[i]));
    const kls = seqs.map((_, i) => klEstimates(pol.logp[i], ref.logp[i]));
    const rows: RolloutRow[] = seqs.map((q, i) => ({
      ...q,
      prompt: Math.floor(i / k),
      stopped: g.stopped[i],
      oldLogp: pol.logp[i],
      refLogp: ref.logp[i],
      values: pol.values[i],
      advantages: [],
      returns: [],
    }));
    assignAdvantages(rows, scores, kls, beta, c);
    const metrics: MetricRow = {
      "objective/kl": mean(kls.map((x) => x.k1)),
      "objective/kl_k3": mean(kls.map((x) => x.k3)),
      "objective/entropy": mean(pol.logp.map((lp) => -lp.reduce((s, x) => s + x, 0))),
      "objective/scores": mean(scores),
      "objective/rlhf_reward": mean(scores.map((s, i) => s - beta * kls[i].k1)),
      "objective/gold": mean(gold.map((x) => x.total)),
      "objective/gold_behavioural": mean(gold.map((x) => x.byKind.behavioural)),
      "objective/gold_prompt_specific": mean(gold.map((x) => x.byKind["prompt-specific"])),
      "objective/beta": beta,
      "objective/response_length": mean(g.tokens.map((t) => t.length)),
      "objective/end_rate": mean(g.stopped.map((s) => (s ? 1 : 0))),
    };
    for (let i = 0; i < Math.min(2, picked.length); i++)
      notes.samples.push({
        step,
        prompt: a.prompts[picked[i]].messages.map((m) => m.content).join("\n"),
        response: texts[i * k],
        score: scores[i * k],
        gold: gold[i * k].total,
        kl: kls[i * k].k1,
      });
    const batch: RolloutBatch = {
      rows,
      beta,
      responses: texts.map((text, i) => ({
        prompt: picked[Math.floor(i / k)],
        text,
        stopped: g.stopped[i],
        score: scores[i],
        gold: gold[i].total,
        kl: kls[i].k1,
      })),
    };
    if (c.targetKl > 0)
      beta = adaptBeta(beta, metrics["objective/kl"]!, c.targetKl, seqs.length, c.klHorizon);
    return { samples: batch, metrics };
  };

  const stats = newStats();
  return trainLoop<PpoMicro, PpoConfig, PpoNotes, RolloutBatch>({
    method: "ppo",
    model: a.model,
    config: c,
    objective: ppoObjective(a.model, pad, c, stats),
    rollout,
    updatesPerRollout: U,
    state,
    batches: (step, rng, samples) => {
      const within = step % U;
      const epoch = Math.floor(within / c.miniBatches);
      const order = new Rng(c.seed)
        .fork(`ppo/${step - within}/${epoch}`)
        .shuffle(samples.rows.map((_, i) => i));
      const mb = within % c.miniBatches;
      const picked = order.slice(mb * c.batchSize, (mb + 1) * c.batchSize).map((i) => samples.rows[i]);
      const micros: PpoMicro[] = [];
      for (let i = 0; i < picked.length; i += c.microBatchSize)
        micros.push({ kind: "ppo", rows: picked.slice(i, i + c.microBatchSize) });
      if (c.ptxCoef > 0) {
        const w = randomWindows(a.ptx!, c.ptxBatchSize, Math.min(c.ptxLength, C), rng);
        const responseTokens = picked.reduce((n, r) => n + r.oldLogp.length, 0);
        const scale = (c.ptxCoef * responseTokens) / weightSum(w);
        micros.push({ kind: "ptx", batch: { ...w, weights: w.weights.map((x) => x * scale) } });
      }
      return micros;
    },
    evaluate: a.evaluate,
    checkpointDir: a.checkpointDir,
    resumeFrom: a.resumeFrom,
    tokenizer: tok,
    progress: a.progress,
    notes,
  });
}

/** Fill each row's advantages and returns from the rollout's scores and KLs. */
function assignAdvantages(
  rows: RolloutRow[],
  scores: readonly number[],
  kls: readonly { k1: number }[],
  beta: number,
  c: PpoConfig,
): void {
  if (c.advantage === "gae") {
    rows.forEach((r, i) => {
      const g = gae(tokenRewards(r.oldLogp, r.refLogp, scores[i], beta), r.values, c.gamma, c.lam);
      r.advantages = g.advantages;
      r.returns = g.returns;
    });
    if (c.whitenAdvantages) {
      const flat = whiten(rows.flatMap((r) => r.advantages));
      let j = 0;
      for (const r of rows) r.advantages = r.advantages.map(() => flat[j++]);
    }
    return;
  }
  const k = c.samplesPerPrompt;
  const R = rows.map((_, i) => scores[i] - beta * kls[i].k1);
  for (let p = 0; p < rows.length; p += k) {
    const group = R.slice(p, p + k);
    const adv = c.advantage === "rloo" ? rlooAdvantages(group) : grpoAdvantages(group);
    adv.forEach((A, j) => {
      const r = rows[p + j];
      r.advantages = r.oldLogp.map(() => A);
      r.returns = r.oldLogp.map(() => group[j]);
    });
  }
}

type PpoMicro = { kind: "ppo"; rows: RolloutRow[] } | { kind: "ptx"; batch: LMBatch };

/** Sums over the step's response tokens, read by `stepMetrics`. */
function newStats() {
  return { tokens: 0, policy: 0, value: 0, clipped: 0, approxkl: 0, ratio: 0, ptx: 0 };
}

/**
 * The update's loss: Σ over response tokens of the clipped policy loss
 * (+ vfCoef × the clipped value loss with a critic) / the update's response
 * tokens, plus the ptx micro-batch's pre-scaled NLL.
 */
function ppoObjective(
  model: GPT,
  pad: number,
  c: PpoConfig,
  s: ReturnType<typeof newStats>,
): Objective<PpoMicro> {
  const critic = c.advantage === "gae";
  const perToken = (
    rows: RolloutRow[],
    T: number,
    field: "oldLogp" | "values" | "advantages" | "returns",
  ) => {
    const out = new Float32Array(rows.length * (T - 1));
    rows.forEach((r, b) => r[field].forEach((x, j) => (out[b * (T - 1) + r.start - 1 + j] = x)));
    return tf.tensor2d(out, [rows.length, T - 1]);
  };
  return {
    loss: (m, norm) => {
      if (m.kind === "ptx") {
        const l = weightedNll(model, m.batch);
        s.ptx += l.dataSync()[0] / c.ptxCoef;
        return tf.div(l, norm) as tf.Scalar;
      }
      const { ids, mask, B, T } = padRows(m.rows, pad);
      const w = tf.tensor2d(mask, [B, T - 1]);
      const f = forward(model, ids, B, T, critic);
      const logRatio = tf.mul(tf.sub(f.logp, perToken(m.rows, T, "oldLogp")), w);
      const ratio = tf.exp(logRatio);
      const adv = perToken(m.rows, T, "advantages");
      const unclipped = tf.mul(tf.neg(adv), ratio);
      const clippedTerm = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - c.clipRange, 1 + c.clipRange));
      const pg = tf.maximum(unclipped, clippedTerm);
      const pgSum = tf.sum(tf.mul(pg, w));
      let total: tf.Tensor = pgSum;
      if (critic) {
        const ret = perToken(m.rows, T, "returns");
        const old = perToken(m.rows, T, "values");
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
      return tf.div(total, norm) as tf.Scalar;
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
        ...(critic ? { "loss/value": s.value / n } : {}),
        ...(c.ptxCoef > 0 ? { "loss/ptx": s.ptx / n } : {}),
      };
      Object.assign(s, newStats());
      return row;
    },
  };
}

declare module "../run-record" {
  interface RunKinds {
    ppo: RunRecord<PpoConfig, PpoNotes>;
  }
}
