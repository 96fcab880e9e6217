/**
 * The sweep of notebook 05 (`npm run ppo -- --sweep`): β × seeds, the three
 * advantage estimators, and PPO-ptx, each run measured the same way, and its
 * committed record (data/rlhf/ppo_sweep.json). Notebook 07 reads it too.
 */
import * as path from "path";
import { PATHS } from "../data/paths";
import type { ClozeItem } from "../data/facts";
import {
  HELDOUT_SAMPLE_SEED,
  Interval,
  PolicyEval,
  policyResponses,
  sampledGold,
  summarisePolicy,
} from "../eval/policy";
import { clozeProbe } from "../eval/probe";
import { mean } from "../eval/stats";
import { goldReward } from "../judge/gold";
import type { MetricRow } from "../metrics";
import { readRecord, SWEEP_ROW_SHAPE } from "../run-record";
import type { ProgressSink } from "../train/loop";
import { ADVANTAGES, Advantage, PPO_FULL, PPO_QUICK, PpoConfig, updatesPerRollout } from "../train/ppo";
import { PpoInputs, runPpo } from "./ppo";

// ---------------------------------------------------------------------------
// The sweep of notebook 05 (`npm run ppo -- --sweep`): β × seeds, the three
// advantage estimators, and PPO-ptx, each run measured the same way.

/** A sweep's grid. */
export interface SweepGrid {
  /** Updates per run (shorter than PPO_FULL's, so the grid fits in minutes). */
  steps: number;
  betas: readonly number[];
  seeds: readonly number[];
  advantages: readonly Advantage[];
  /** PPO-ptx's γ. */
  ptxCoef: number;
  /** Held-out prompts per run, and samples per prompt for the sampled gold and KL. */
  prompts: number;
  samples: number;
  /** Start every run from PPO_QUICK (a smoke test of the whole path). */
  quick?: boolean;
}

export const PPO_SWEEP: Readonly<SweepGrid> = Object.freeze({
  steps: 120,
  betas: [0, 0.01, 0.05, 0.2],
  seeds: [0, 1],
  advantages: ADVANTAGES,
  // InstructGPT's γ is 27.8 on its loss scale; here 1 weighs a pretraining token like a response token.
  ptxCoef: 1,
  prompts: 200,
  samples: 4,
});

/** The grid of `npm run ppo -- --sweep --quick`: seconds per run, for checking the path end to end. */
export const PPO_SWEEP_QUICK: Readonly<SweepGrid> = Object.freeze({
  ...PPO_SWEEP,
  steps: 8,
  betas: [0, 0.05],
  seeds: [0],
  prompts: 16,
  samples: 2,
  quick: true,
});

/** One run of a sweep: what changes from the recipe. */
export interface PpoJob {
  study: "beta" | "advantage" | "ptx";
  config: Partial<PpoConfig>;
  lengthBias?: number;
  /** Start from PPO_QUICK instead of PPO_FULL (smoke runs of the sweep). */
  quick?: boolean;
}

/** The sweep's runs; the β = 0.05 gae runs double as the advantage study's gae arm. */
export function sweepJobs(s: SweepGrid = PPO_SWEEP): PpoJob[] {
  const jobs: PpoJob[] = [];
  const quick = s.quick;
  for (const seed of s.seeds) {
    for (const beta of s.betas) jobs.push({ study: "beta", quick, config: { steps: s.steps, seed, beta } });
    for (const advantage of s.advantages.filter((a) => a !== "gae"))
      jobs.push({ study: "advantage", quick, config: { steps: s.steps, seed, advantage } });
    jobs.push({ study: "ptx", quick, config: { steps: s.steps, seed, ptxCoef: s.ptxCoef } });
  }
  return jobs;
}

export const jobLabel = (j: PpoJob) =>
  `${j.study} ${j.config.advantage ?? PPO_FULL.advantage} β=${j.config.beta ?? PPO_FULL.beta} ` +
  `ptx=${j.config.ptxCoef ?? 0} seed ${j.config.seed ?? 0}`;

/** What one run measured on held-out prompts. */
export interface SweepResult {
  job: PpoJob;
  config: PpoConfig;
  seconds: number;
  /** Response tokens sampled in rollouts over the whole run. */
  sampledTokens: number;
  /** Temperature-1 samples: gold and k1 KL to SFT, intervals over prompts. */
  sampled: { gold: Interval; kl: Interval; perPrompt: { gold: number[]; kl: number[] } };
  greedy: PolicyEval;
  knowledge: number;
  /** The logged rows of the run, for curves. */
  metrics: MetricRow[];
}

/** Train one sweep run and measure it (the worker's job). */
export async function runSweepJob(
  inputs: PpoInputs,
  job: PpoJob,
  o: { ptx?: Int32Array; cloze: readonly ClozeItem[]; progress?: ProgressSink; sweep?: SweepGrid },
): Promise<SweepResult> {
  const s = o.sweep ?? (job.quick ? PPO_SWEEP_QUICK : PPO_SWEEP);
  const t = Date.now();
  const { policy, run } = await runPpo({
    inputs,
    config: job.config,
    base: job.quick ? PPO_QUICK : PPO_FULL,
    lengthBias: job.lengthBias,
    ptx: job.config.ptxCoef ? o.ptx : undefined,
    progress: o.progress,
  });
  const seconds = (Date.now() - t) / 1000;
  const items = inputs.heldout.slice(0, s.prompts);
  const tok = inputs.tokenizer;
  const result: SweepResult = {
    job,
    config: run.config,
    seconds,
    sampledTokens: run.metrics.length
      ? (run.config.steps / updatesPerRollout(run.config)) *
        run.config.promptsPerRollout *
        run.config.samplesPerPrompt *
        mean(run.metrics.map((m) => m["objective/response_length"] ?? 0))
      : 0,
    sampled: sampledGold(policy, inputs.sft, tok, items, {
      samples: s.samples,
      seed: HELDOUT_SAMPLE_SEED,
      score: goldReward,
      maxNewTokens: run.config.maxNewTokens,
    }),
    greedy: summarisePolicy(policyResponses(policy, tok, items, goldReward, run.config.maxNewTokens)),
    knowledge: clozeProbe(policy, tok, job.quick ? o.cloze.slice(0, 64) : o.cloze).accuracy,
    metrics: run.metrics,
  };
  policy.dispose();
  return result;
}

/** The run record `npm run ppo` writes beside the policy, with its evaluation. */
export interface PpoSweepRecord {
  command: string;
  grid: SweepGrid;
  backend: { name: string; path?: string };
  durationS: number;
  rows: SweepResult[];
}

export const PPO_SWEEP_FILE = path.join(PATHS.sft, "..", "rlhf", "ppo_sweep.json");

/** The record of `npm run ppo -- --sweep`, checked; a missing or stale file names that command. */
export function readPpoSweep(file = PPO_SWEEP_FILE): PpoSweepRecord {
  return readRecord<PpoSweepRecord>(file, {
    command: "npm run ppo -- --sweep",
    shape: {
      command: "string",
      grid: { betas: "number[]", ptxCoef: "number" },
      backend: { name: "string" },
      durationS: "number",
      rows: [
        {
          ...SWEEP_ROW_SHAPE,
          config: { beta: "number", advantage: "string", ptxCoef: "number", seed: "number" },
          sampledTokens: "number",
          knowledge: "number",
          metrics: "array",
        },
      ],
    },
  });
}
