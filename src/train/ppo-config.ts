/**
 * PPO's config (`PpoConfig`, one documented field per knob), its presets
 * and its resolver, and the arithmetic of rollouts (which prompts a rollout
 * draws, how many updates one feeds). Apart from ./ppo.ts so that the
 * rollout and the update read it without importing the trainer.
 */
import type { ConfigSpec } from "../config";
import { stepIndices } from "../data/sft-batches";
import { FIXED_ON_RESUME, LOOP_DEFAULTS, LOOP_SPEC, LoopConfig, resolveLoopConfig } from "./loop-config";

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
