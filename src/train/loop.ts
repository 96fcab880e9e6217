/**
 * The training loop every trainer shares (pretraining, SFT, reward model,
 * DPO, PPO's update phase): AdamW, warmup + cosine schedule, gradient
 * clipping, gradient accumulation, periodic evaluation, logging to a run
 * record, checkpoints and resume.
 *
 * A trainer supplies an `Objective` (its loss) and a `batches(step)` function.
 * On-policy trainers (PPO, GRPO) also supply a `rollout(step, rng, model)`
 * hook: it samples from the current policy before the step's batches are
 * made, with a stream seeded by (seed, step), so a resumed run draws the same
 * samples as an uninterrupted one; with `updatesPerRollout` = U, one rollout
 * feeds U optimizer steps (PPO's epochs × minibatches). Accumulation is
 * exact: each micro-batch's loss is divided by the *whole step's* normaliser (e.g. loss-bearing tokens across all micro-batches), so
 * 4 micro-batches give the same gradient as 1 batch of 4x the size, not an
 * average of per-micro-batch means.
 */
import * as fs from "fs";
import * as path from "path";
import { backendInfo, initBackend, tf } from "../backend";
import { loadCheckpoint, saveCheckpoint } from "../model/checkpoint";
import { GPT } from "../model/gpt";
import { Rng } from "../random";
import { AdamW, clipByGlobalNorm, learningRate } from "./optimizer";
import type { MetricName, MetricRow } from "../metrics";
import { RunRecord, versions } from "../run-record";

// The loop's config and the resume checks live in ./loop-config.ts; re-exported so trainers import one module.
export * from "./loop-config";
import { checkResumable, checkScheduleUnchanged, LoopConfig } from "./loop-config";

/** What a rollout hook returns: samples for the step's batches, and metrics to log with the step. */
export interface Rollout<R> {
  samples: R;
  /** Registered metrics of the samples (e.g. objective/scores), merged into the step's logged row. */
  metrics?: MetricRow;
}

/** What a trainer optimises. `M` is its micro-batch type. */
export interface Objective<M> {
  /** One micro-batch's share of the step loss: its summed loss / `normalizer`. */
  loss(micro: M, normalizer: number): tf.Scalar;
  /** The whole step's normaliser, e.g. the loss-bearing tokens of all micro-batches. */
  normalizer(micros: M[]): number;
  /** Input tokens in a micro-batch (for throughput). */
  tokens(micro: M): number;
  /**
   * Optional name of the loss term a micro-batch belongs to (e.g. "sft" or
   * "replay"); the loop then also logs each term's share as `loss/<name>`.
   */
  part?(micro: M): LossTerm;
  /**
   * Optional metrics of the step just taken, read once after its gradient
   * (e.g. the reward model's rewards/* over the step's pairs, which its
   * `loss` saw); merged into the logged row.
   */
  stepMetrics?(): MetricRow;
}

/** The names of registered loss terms: "sft" for `loss/sft`, ... */
export type LossTerm<N = MetricName> = N extends `loss/${infer P}` ? P : never;

/** Receives progress; `progress()` from src/display (notebook or terminal bar) implements it. */
export interface ProgressSink {
  tick(n?: number, metrics?: Record<string, number | string>): void;
  done(metrics?: Record<string, number | string>): void;
}

export interface TrainArgs<M, C extends LoopConfig, N = Record<string, unknown>, R = undefined> {
  method: string;
  model: GPT;
  config: C;
  objective: Objective<M>;
  /**
   * On-policy methods: sample from the current policy (`model`) before the
   * step's batches are made. `rng` is a fresh stream seeded by (seed, step),
   * so a resumed run draws exactly the samples an uninterrupted one would.
   */
  rollout?: (step: number, rng: Rng, model: GPT) => Rollout<R> | Promise<Rollout<R>>;
  /**
   * Optimizer steps per rollout (PPO: epochs × minibatches over one batch of
   * samples); default 1. The rollout hook runs at steps 0, U, 2U, …, and the
   * steps in between reuse its samples. A run can only resume at a multiple of U.
   */
  updatesPerRollout?: number;
  /**
   * Trainer state beyond weights and optimizer (PPO's adaptive KL
   * coefficient): saved as `file` in every checkpoint and restored on resume.
   */
  state?: TrainerState;
  /**
   * Micro-batches for `step`; a pure function of (step, rng, the step's
   * rollout samples) so a resumed run sees the same data.
   */
  batches: (step: number, rng: Rng, samples: R) => M[];
  /** Metrics on held-out data (registered names, e.g. "val/loss"). */
  evaluate?: (step: number) => MetricRow | Promise<MetricRow>;
  /** Where checkpoints go (none if omitted). */
  checkpointDir?: string;
  tokenizer?: { toJSON(): unknown };
  /** Continue from this checkpoint folder: weights, optimizer, step and log. */
  resumeFrom?: string;
  /** Let a resumed run change the learning-rate schedule (refused by default). */
  allowScheduleChange?: boolean;
  progress?: ProgressSink;
  /** Facts for the run record (saved with every checkpoint, so objects may grow during the run). */
  notes?: N;
}

/** State a trainer keeps between steps, saved with each checkpoint. */
export interface TrainerState {
  /** File name inside the checkpoint folder, e.g. "ppo_state.json". */
  file: string;
  save(): unknown;
  load(value: unknown, source: string): void;
}

/**
 * Gradients of the summed micro-batch losses, keyed by parameter name.
 * Exposed for tests (accumulation parity) and for trainers with custom steps.
 */
export function accumulateGradients<M>(
  model: GPT,
  objective: Objective<M>,
  micros: M[],
): { loss: number; parts: MetricRow; grads: Map<string, tf.Tensor> } {
  if (micros.length === 0)
    throw new Error(
      "the step has no micro-batches: the training set is empty (check the dataset path and filters)",
    );
  const norm = objective.normalizer(micros);
  if (!(norm > 0))
    throw new Error(
      `this step has nothing to learn from (normaliser ${norm}): every loss weight in its batch is 0; check the loss masks`,
    );
  const vars = model.trainableVariables();
  const nameOf = new Map([...model.params].map(([name, v]) => [v.name, name]));
  let loss = 0;
  const parts: MetricRow = {};
  let acc: Map<string, tf.Tensor> | undefined;
  for (const micro of micros) {
    const { value, grads } = tf.variableGrads(() => objective.loss(micro, norm), vars);
    const v = value.dataSync()[0];
    value.dispose();
    loss += v;
    if (objective.part) {
      const name = `loss/${objective.part(micro)}` as const;
      parts[name] = (parts[name] ?? 0) + v;
    }
    const named = new Map(Object.entries(grads).map(([k, g]) => [nameOf.get(k)!, g] as [string, tf.Tensor]));
    if (!acc) {
      acc = named;
      continue;
    }
    for (const [k, g] of named) {
      const sum = tf.add(acc.get(k)!, g);
      tf.dispose([acc.get(k)!, g]);
      acc.set(k, sum);
    }
  }
  return { loss, parts, grads: acc! };
}

/** Run the loop; returns the run record (also saved as run.json in the checkpoint). */
export async function trainLoop<M, C extends LoopConfig, N = Record<string, unknown>, R = undefined>(
  args: TrainArgs<M, C, N, R>,
): Promise<RunRecord<C, N>> {
  const backend = backendInfo() ?? (await initBackend());
  const { model, objective } = args;
  const c: C = { ...args.config, decaySteps: args.config.decaySteps ?? args.config.steps };
  const opt = new AdamW(model.params, c);
  const run = newRecord(args, c, backend);
  const U = args.updatesPerRollout ?? 1;
  const start = args.resumeFrom ? resumeAt(args, opt, run, U) : 0;
  const rng = new Rng(c.seed);
  const t0 = Date.now() - run.durationS * 1000;
  let lastCheckpoint: string | undefined = args.resumeFrom;
  let tokensSeen = run.metrics.length ? run.metrics[run.metrics.length - 1].tokens_seen : 0;
  let tLog = Date.now();
  let inputTokens = 0;
  if (args.evaluate && c.evalAtStart && start === 0) run.evals.push({ step: 0, ...(await args.evaluate(0)) });
  let rollout: Rollout<R> | undefined;
  for (let step = start; step < c.steps; step++) {
    if (args.rollout && step % U === 0)
      rollout = await args.rollout(step, rng.fork(`rollout/${step}`), model);
    const micros = args.batches(step, rng.fork(`batch/${step}`), rollout?.samples as R);
    const lr = learningRate(step, c);
    const norm = objective.normalizer(micros);
    const { loss, parts, gradNorm } = update(args, opt, micros, { step, lr, lastCheckpoint });
    const stepMetrics = objective.stepMetrics?.();
    tokensSeen += norm;
    inputTokens += micros.reduce((n, m) => n + objective.tokens(m), 0);
    const last = step === c.steps - 1;
    if ((step + 1) % c.logEvery === 0 || last) {
      const now = Date.now();
      run.metrics.push({
        step: step + 1,
        loss,
        ...parts,
        ...stepMetrics,
        ...rollout?.metrics,
        lr,
        grad_norm: gradNorm,
        tokens_seen: tokensSeen,
        tokens_per_s: (inputTokens * 1000) / Math.max(1, now - tLog),
        elapsed_s: (now - t0) / 1000,
      });
      tLog = now;
      inputTokens = 0;
    }
    if (args.evaluate && ((c.evalEvery > 0 && (step + 1) % c.evalEvery === 0) || last)) {
      run.evals.push({ step: step + 1, ...(await args.evaluate(step + 1)) });
    }
    run.durationS = (Date.now() - t0) / 1000;
    args.progress?.tick(1, { loss: +loss.toFixed(4) });
    if (args.checkpointDir && ((c.checkpointEvery > 0 && (step + 1) % c.checkpointEvery === 0) || last)) {
      if (last) run.checkpoint = args.checkpointDir;
      lastCheckpoint = await checkpoint(args, opt, run, step + 1);
    }
  }
  args.progress?.done();
  opt.dispose();
  return run;
}

/** A new run's record: config, model shape, seed, backend and versions; no rows yet. */
function newRecord<M, C extends LoopConfig, N, R>(
  args: TrainArgs<M, C, N, R>,
  c: C,
  backend: RunRecord["backend"],
): RunRecord<C, N> {
  return {
    method: args.method,
    config: c,
    model: { ...args.model.config },
    seed: c.seed,
    backend,
    versions: versions(backend.tfjsVersion),
    startedAt: new Date().toISOString(),
    durationS: 0,
    metrics: [],
    evals: [],
    notes: args.notes ?? ({} as N),
  };
}

/** Restore a checkpoint into the model, optimizer, record and trainer state; returns its step. */
function resumeAt<M, C extends LoopConfig, N, R>(
  args: TrainArgs<M, C, N, R>,
  opt: AdamW,
  run: RunRecord<C, N>,
  updatesPerRollout: number,
): number {
  const dir = args.resumeFrom!;
  const start = resume(dir, args.model, opt, run, args.allowScheduleChange ?? false);
  if (start % updatesPerRollout !== 0)
    throw new Error(
      `${dir}: saved at step ${start}, inside a rollout of ${updatesPerRollout} updates; its samples are gone, so ` +
        `it cannot resume exactly. Checkpoint every multiple of ${updatesPerRollout} steps (checkpointEvery).`,
    );
  if (args.state) loadState(dir, args.state);
  return start;
}

/** One optimizer step over the step's micro-batches; refuses a non-finite loss before touching the weights. */
function update<M, C extends LoopConfig, N, R>(
  args: TrainArgs<M, C, N, R>,
  opt: AdamW,
  micros: M[],
  at: { step: number; lr: number; lastCheckpoint?: string },
) {
  return tf.tidy(() => {
    const { loss, parts, grads } = accumulateGradients(args.model, args.objective, micros);
    if (!Number.isFinite(loss)) {
      throw new Error(
        `loss is ${loss} at step ${at.step} (lr ${at.lr.toExponential(2)}); stopped before updating. Last good checkpoint: ${at.lastCheckpoint ?? "none (set checkpointEvery and checkpointDir)"}`,
      );
    }
    const clipped = clipByGlobalNorm(grads, args.config.gradClip);
    opt.apply(clipped.grads, at.lr);
    return { loss, parts, gradNorm: clipped.norm };
  });
}

async function checkpoint<M, C extends LoopConfig, N, R>(
  args: TrainArgs<M, C, N, R>,
  opt: AdamW,
  run: RunRecord<C, N>,
  step: number,
): Promise<string> {
  const state = opt.state();
  try {
    return await saveCheckpoint(args.checkpointDir!, {
      model: args.model,
      tokenizer: args.tokenizer,
      optimizer: state,
      run,
      step,
      extra: args.state ? { [args.state.file]: args.state.save() } : undefined,
    });
  } finally {
    tf.dispose([...state.m.values(), ...state.v.values()]);
  }
}

/** Restore a trainer's own state from a checkpoint folder. */
function loadState(dir: string, state: TrainerState): void {
  const file = path.join(dir, state.file);
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: the checkpoint has no trainer state, so it cannot resume exactly`);
  state.load(JSON.parse(fs.readFileSync(file, "utf8")), file);
}

/** Load weights, optimizer state and the log so far; returns the step to continue from. */
function resume<C extends LoopConfig, N>(
  dir: string,
  model: GPT,
  opt: AdamW,
  run: RunRecord<C, N>,
  allowScheduleChange: boolean,
): number {
  const ck = loadCheckpoint(dir, model.config);
  if (ck.run) {
    try {
      checkResumable(ck.run.config as Partial<LoopConfig>, run.config, `${dir}/run.json`);
      if (!allowScheduleChange)
        checkScheduleUnchanged(ck.run.config as Partial<LoopConfig>, run.config, `${dir}/run.json`);
    } catch (e) {
      ck.model.dispose();
      if (ck.optimizer) tf.dispose([...ck.optimizer.m.values(), ...ck.optimizer.v.values()]);
      throw e;
    }
  }
  for (const [name, v] of model.params) v.assign(ck.model.params.get(name)!);
  ck.model.dispose();
  if (!ck.optimizer)
    throw new Error(
      `${dir}: has no optimizer state (optimizer.json), so training cannot resume exactly; start a new run from it instead`,
    );
  opt.load(ck.optimizer, `${dir}/optimizer.json`);
  tf.dispose([...ck.optimizer.m.values(), ...ck.optimizer.v.values()]);
  if (ck.run) {
    run.metrics = ck.run.metrics;
    run.evals = ck.run.evals;
    run.durationS = ck.run.durationS;
    run.startedAt = ck.run.startedAt;
  }
  return ck.step;
}
