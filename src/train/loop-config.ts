/**
 * The loop's config, shared by every trainer's (`LoopConfig`, its defaults
 * and spec), and the checks that a resumed run keeps what must not change.
 */
import { ConfigSpec, resolveConfig } from "../config";

/** Loop knobs shared by every trainer's config. */
export interface LoopConfig {
  /** Optimizer steps. */
  steps: number;
  /** Examples (sequences, conversations, prompts) per optimizer step. */
  batchSize: number;
  /** Examples per forward/backward pass; divides batchSize (exact gradient accumulation). */
  microBatchSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Linear warmup steps. */
  warmupSteps: number;
  /**
   * Step at which the cosine decay reaches lr·minLrRatio (nanoGPT's
   * lr_decay_iters); the lr stays there after it. Resolved configs always
   * have it: by default it is `steps`.
   */
  decaySteps?: number;
  /** Final LR as a fraction of the peak (cosine decay). */
  minLrRatio: number;
  /** Decoupled weight decay (matrices only). */
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Clip the global gradient norm to this (0 = off). */
  gradClip: number;
  /** Seed for batching and anything else random in the run. */
  seed: number;
  /** Log a metrics row every N steps (the last step is always logged). */
  logEvery: number;
  /** Run `evaluate` every N steps (0 = only at the end). */
  evalEvery: number;
  /** Also run `evaluate` before the first step (logged as step 0; not on resume). */
  evalAtStart: boolean;
  /** Save a checkpoint every N steps (0 = only at the end). */
  checkpointEvery: number;
}

export const LOOP_DEFAULTS: Readonly<LoopConfig> = Object.freeze({
  steps: 100,
  batchSize: 16,
  microBatchSize: 16,
  lr: 1e-3,
  warmupSteps: 10,
  minLrRatio: 0.1,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  gradClip: 1.0,
  seed: 0,
  logEvery: 10,
  evalEvery: 0,
  evalAtStart: false,
  checkpointEvery: 0,
});

export const LOOP_SPEC: ConfigSpec<LoopConfig> = {
  steps: { doc: "optimizer steps", integer: true, min: 1 },
  batchSize: { doc: "examples per step", integer: true, min: 1 },
  microBatchSize: { doc: "examples per forward pass, divides batchSize", integer: true, min: 1 },
  lr: { doc: "peak learning rate, e.g. 1e-3", min: 0, max: 1 },
  warmupSteps: { doc: "linear warmup steps", integer: true, min: 0 },
  decaySteps: {
    doc: "step where the cosine decay ends (default: steps)",
    integer: true,
    min: 1,
    optional: true,
  },
  minLrRatio: { doc: "final lr / peak lr", min: 0, max: 1 },
  weightDecay: { doc: "AdamW decoupled weight decay", min: 0, max: 1 },
  beta1: { doc: "Adam first-moment decay", min: 0, max: 0.9999 },
  beta2: { doc: "Adam second-moment decay", min: 0, max: 0.99999 },
  eps: { doc: "Adam epsilon", min: 0, max: 1 },
  gradClip: { doc: "max global grad norm, 0 = off", min: 0 },
  seed: { doc: "random seed", integer: true, min: 0 },
  logEvery: { doc: "steps between metric rows", integer: true, min: 1 },
  evalEvery: { doc: "steps between evaluations, 0 = end only", integer: true, min: 0 },
  evalAtStart: { doc: "evaluate before the first step", oneOf: [true, false] },
  checkpointEvery: { doc: "steps between checkpoints, 0 = end only", integer: true, min: 0 },
};

/**
 * Resolve a trainer's config (`resolveConfig` plus the loop's own checks):
 * batchSize must be a multiple of microBatchSize, and `decaySteps` is
 * written out. It defaults to `steps`; a base config whose decay ended at its
 * last step keeps that when the overrides change `steps`.
 */
export function resolveLoopConfig<T extends LoopConfig>(
  name: string,
  base: Readonly<T>,
  spec: ConfigSpec<T>,
  overrides: Partial<T> = {},
): Readonly<T> {
  const c = resolveConfig(name, base, spec, overrides);
  if (c.batchSize % c.microBatchSize !== 0)
    throw new Error(
      `${name}: batchSize ${c.batchSize} is not a multiple of microBatchSize ${c.microBatchSize}`,
    );
  const follows = base.decaySteps === undefined || base.decaySteps === base.steps;
  const decaySteps = overrides.decaySteps ?? (follows ? c.steps : base.decaySteps!);
  return Object.freeze({ ...c, decaySteps });
}

/** Config fields that define the learning-rate schedule: a resumed run must not change them. */
export const SCHEDULE_FIELDS = ["lr", "warmupSteps", "decaySteps", "minLrRatio"] as const;

/**
 * How `next` would change the schedule of the run recorded as `previous`
 * (a record without decaySteps decayed over its `steps`); empty when it would not.
 */
export function scheduleChanges(previous: Partial<LoopConfig>, next: Partial<LoopConfig>): string[] {
  const decay = (c: Partial<LoopConfig>) => c.decaySteps ?? c.steps;
  return SCHEDULE_FIELDS.flatMap((k) => {
    const [a, b] = k === "decaySteps" ? [decay(previous), decay(next)] : [previous[k], next[k]];
    return a === b ? [] : [`${k} ${a} → ${b}`];
  });
}

/**
 * Fields a resumed run can never change: its batches, its optimizer and its
 * seed. Changing one would splice two different runs under one record.
 */
export const FIXED_ON_RESUME = [
  "seed",
  "batchSize",
  "microBatchSize",
  "weightDecay",
  "beta1",
  "beta2",
  "eps",
  "gradClip",
] as const satisfies readonly (keyof LoopConfig)[];

/**
 * Refuses a resume that changes a {@link FIXED_ON_RESUME} field (or a
 * trainer's own list, `fields`), naming each (no flag allows it: start a new
 * run instead). CLIs call it before their slow setup.
 */
export function checkResumable<C extends LoopConfig>(
  previous: Partial<C>,
  next: Partial<C>,
  source: string,
  fields: readonly (keyof C & string)[] = FIXED_ON_RESUME,
): void {
  const changes = fields.flatMap((k) =>
    previous[k] === undefined || previous[k] === next[k] ? [] : [`${k} ${previous[k]} → ${next[k]}`],
  );
  if (!changes.length) return;
  throw new Error(
    `${source}: resuming would change ${changes.join(", ")}: the run's batches or optimizer would no longer be ` +
      `the ones it recorded. Resume with the recorded values, or start a new run without --resume.`,
  );
}

/** The error a resume with a changed schedule gives (CLIs check before their slow setup). */
export function checkScheduleUnchanged(
  previous: Partial<LoopConfig>,
  next: Partial<LoopConfig>,
  source: string,
  /** Whether the command has --decay-steps and --allow-schedule-change (pretrain and sft do). */
  flags: { scheduleFlags: boolean } = { scheduleFlags: true },
): void {
  const changes = scheduleChanges(previous, next);
  if (!changes.length) return;
  const decay = previous.decaySteps ?? previous.steps;
  const fix = flags.scheduleFlags
    ? `To train longer on the same schedule keep decaySteps ${decay} ` +
      `(--decay-steps ${decay}: the lr then stays at its minimum), or allow the change explicitly ` +
      `(--allow-schedule-change; allowScheduleChange in code).`
    : `Resume with the run's own settings (steps ${previous.steps}), or start a new run without --resume.`;
  throw new Error(
    `${source}: resuming would change the learning-rate schedule the run was trained with (${changes.join(", ")}), ` +
      `a warm restart its record would not describe. ${fix}`,
  );
}
