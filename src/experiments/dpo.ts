/**
 * What `npm run dpo` and notebook 07 share: the inputs of the DPO stage (the
 * committed SFT model and the reward model's comparison files), one run, its
 * held-out evaluation, and the sweep behind notebook 07's frontier: a β grid,
 * the loss variants and Preferred-FT, each measured exactly as notebook 05's
 * PPO runs are (sampledGold on the same held-out prompts with the same seed).
 */
import * as path from "path";
import { PATHS } from "../data/paths";
import {
  EvalItem,
  PreferenceRecord,
  readEvalJsonl,
  readPreferenceJsonl,
  sftExamples,
} from "../data/sft-data";
import { ci, f3 } from "../display/format";
import { goldReward } from "../judge/gold";
import type { GPT } from "../model/gpt";
import { loadModel } from "../model/load";
import {
  INTERVAL_SHAPE,
  loadRun,
  readRecord,
  RunRecord,
  SAMPLED_SHAPE,
  SWEEP_ROW_SHAPE,
  Versions,
} from "../run-record";
import type { BpeTokenizer } from "../tokenizer/index";
import { DPO_FULL, DPO_QUICK, dpoConfig, DpoConfig, DpoGroup, DpoNotes, trainDpo } from "../train/dpo";
import type { ProgressSink } from "../train/loop";
import { SFT_FULL, sftConfig, trainSft } from "../train/sft";
import type { MetricRow } from "../metrics";
import {
  comparePolicies,
  compareSampled,
  HELDOUT_SAMPLE_SEED,
  Interval,
  PolicyComparison,
  PolicyEval,
  policyResponses,
  SampledComparison,
  sampledGold,
  summarisePolicy,
} from "../eval/policy";
import { OFFLINE, OFFLINE_FILES, offlineGroups, PairSource } from "./dpo-offline";
import { comparisonFiles, DATA_DIR, RLHF_DIR, RLHF_FILES } from "../data/paths";
import { withReferenceLogps } from "../train/pairs";
import { rankingsToPairs, readRankings } from "../judge/comparisons";
import { pairGroups } from "../data/preference";

export const DPO_PATHS = Object.freeze({
  sft: PATHS.sftModel,
  /** The reward model's training comparisons: SFT samples ranked by the rater panel. */
  pairs: RLHF_FILES.trainPairs,
  /** Held-out comparisons (words no stage trains on): val/loss and val/rewards_accuracy. */
  valPairs: RLHF_FILES.testPairs,
  heldout: path.join(PATHS.sft, "prompts_heldout.jsonl"),
  out: path.join(PATHS.sftModel, "..", "dpo"),
});

/** Everything a DPO run starts from; the groups carry the SFT model's log-probs once loaded. */
export interface DpoInputs {
  sft: GPT;
  tokenizer: BpeTokenizer;
  records: PreferenceRecord[];
  /** Where the records came from (repository-relative), for the run record. */
  pairsFile: string;
  train: DpoGroup[];
  val: DpoGroup[];
  heldout: EvalItem[];
}

/**
 * Which of the HHH world's comparisons DPO trains on: every prompt of the HHH
 * pool and every `rmEvery`-th prompt of the reward model's pool, each
 * ranking's top response against each of the others (`top`). Why not all:
 * the RM's pool has 5,000 everyday prompts against 800 HHH ones; and in a
 * ranking of four answers to a harmful request, most pairs order two answers
 * that gold scores alike (a hazard answered either way scores 0), which the
 * raters order by coin flip. With every pair of the mixed pools DPO (and
 * RPO's NLL term on their chosen side, mostly answers) left refusal and
 * abstention where SFT had them, on training words too (issue 38's notes).
 */
export const DPO_MIX = Object.freeze({ rmEvery: 6, top: true });

/** The pairs of the HHH world that DPO trains on (DPO_MIX); the prompt id says which pool a pair came from. */
export function hhhDpoPairs(records: readonly PreferenceRecord[]): PreferenceRecord[] {
  return records.filter((r) => {
    const [pool, i] = (r.meta?.prompt_id ?? "").split("/");
    return pool !== "rm" || Number(i) % DPO_MIX.rmEvery === 0;
  });
}

/** Every ⌈n/k⌉-th item: a quick run's subset that keeps every pool and kind. */
const spread = <T>(xs: readonly T[], k: number): T[] =>
  xs.length > k ? xs.filter((_, i) => i % Math.ceil(xs.length / k) === 0) : [...xs];

/**
 * Load the SFT model and the comparisons, and compute the reference's
 * log-probs once. With a panel: the HHH world's comparisons ranked by that
 * panel (`npm run comparisons`, mixed by DPO_MIX); without: the first world's
 * (data/rlhf/pairs_train.jsonl, which notebook 07's sweep records used).
 */
export function loadDpoInputs(o: { quick?: boolean; valGroups?: number; panel?: string } = {}): DpoInputs {
  const { model: sft, tokenizer } = loadModel(DPO_PATHS.sft);
  const C = sft.config.contextLength;
  const files = o.panel
    ? comparisonFiles(o.panel)
    : { trainPairs: DPO_PATHS.pairs, testPairs: DPO_PATHS.valPairs, trainRankings: "" };
  const records = o.panel
    ? hhhDpoPairs(rankingsToPairs(readRankings(files.trainRankings), { top: DPO_MIX.top }))
    : readPreferenceJsonl(files.trainPairs);
  let train = pairGroups(tokenizer, records, C);
  let val = pairGroups(tokenizer, readPreferenceJsonl(files.testPairs), C);
  val = o.panel ? spread(val, o.valGroups ?? 100) : val.slice(0, o.valGroups ?? 100);
  if (o.quick && o.panel) ((train = spread(train, 64)), (val = spread(val, 16)));
  else if (o.quick) ((train = train.slice(0, 64)), (val = val.slice(0, 16)));
  const pad = tokenizer.special.pad;
  return {
    sft,
    tokenizer,
    records,
    pairsFile: o.panel
      ? `${path.relative(path.join(DATA_DIR, ".."), files.trainRankings)} (DPO_MIX)`
      : path.relative(path.join(DATA_DIR, ".."), files.trainPairs),
    train: withReferenceLogps(sft, train, pad),
    val: withReferenceLogps(sft, val, pad),
    heldout: readEvalJsonl(DPO_PATHS.heldout),
  };
}

export interface DpoRunOptions {
  inputs: DpoInputs;
  config?: Partial<DpoConfig>;
  base?: Readonly<DpoConfig>;
  evaluate?: (step: number, policy: GPT) => MetricRow;
  checkpointDir?: string;
  resumeFrom?: string;
  progress?: ProgressSink;
}

/** One DPO run from the SFT model (the policy starts as a copy of it). */
export async function runDpo(o: DpoRunOptions) {
  const config = dpoConfig(o.config ?? {}, o.base ?? DPO_FULL);
  const policy = o.inputs.sft.clone();
  const run = await trainDpo({
    model: policy,
    reference: o.inputs.sft,
    tokenizer: o.inputs.tokenizer,
    train: o.inputs.train,
    val: o.inputs.val,
    config,
    evaluate: o.evaluate ? (step) => o.evaluate!(step, policy) : undefined,
    checkpointDir: o.checkpointDir,
    resumeFrom: o.resumeFrom,
    progress: o.progress,
    notes: { reference: "data/models/sft", pairs: o.inputs.pairsFile },
  });
  return { policy, run };
}

/**
 * Preferred-FT (the DPO paper's baseline): SFT on the chosen responses of
 * the same pairs, each distinct (prompt, chosen) once, from the SFT model.
 */
export async function runPreferredFt(
  inputs: DpoInputs,
  o: { steps: number; seed: number; lr?: number; progress?: ProgressSink },
) {
  const seen = new Set<string>();
  const lines = inputs.records.flatMap((p) => {
    const messages = [...p.prompt, ...p.chosen];
    const key = JSON.stringify(messages);
    if (seen.has(key) || p.meta?.chosen_truncated) return [];
    seen.add(key);
    return [{ messages, source: p.source }];
  });
  const examples = sftExamples(inputs.tokenizer, lines, inputs.sft.config.contextLength);
  const policy = inputs.sft.clone();
  const config = sftConfig(
    { steps: o.steps, seed: o.seed, lr: o.lr ?? DPO_FULL.lr, replayBatchSize: 0, evalEvery: 0, logEvery: 5 },
    SFT_FULL,
  );
  const run = await trainSft({
    model: policy,
    tokenizer: inputs.tokenizer,
    train: examples,
    config,
    progress: o.progress,
  });
  return { policy, run, examples: examples.length };
}

/** What `npm run dpo` records: greedy SFT against the policy on held-out prompts, and their samples. */
export interface DpoEval {
  heldout: PolicyComparison;
  sampled: SampledComparison;
}

export function evaluateDpo(inputs: DpoInputs, policy: GPT, o: { quick?: boolean } = {}): DpoEval {
  const tok = inputs.tokenizer;
  const items = inputs.heldout.slice(0, o.quick ? 50 : 500);
  return {
    heldout: comparePolicies(
      policyResponses(inputs.sft, tok, items, goldReward),
      policyResponses(policy, tok, items, goldReward),
    ),
    sampled: compareSampled(inputs.sft, policy, tok, items.slice(0, o.quick ? 16 : 200), goldReward),
  };
}

export function dpoSummary(ev: DpoEval): string {
  const h = ev.heldout;
  const s = ev.sampled;
  return [
    `held-out greedy (n=${h.before.n}): gold ${f3(h.before.gold.mean)} → ${f3(h.after.gold.mean)}, gain ${ci(h.gain.gold)}`,
    `held-out sampled (${s.prompts} prompts × ${s.samples}): gold ${f3(s.sft.gold.mean)} → ${f3(s.policy.gold.mean)}, ` +
      `gain ${ci(s.gain)}, KL to SFT ${f3(s.policy.kl.mean)} nats, win rate against SFT ${ci(s.winRate)}`,
  ].join("\n");
}

export type DpoModelRun = RunRecord<DpoConfig, DpoNotes & { evaluation: DpoEval }>;

export function loadDpoRun(dir: string = DPO_PATHS.out): DpoModelRun {
  const run = loadRun(dir, "dpo") as DpoModelRun;
  if (!run.notes.evaluation)
    throw new Error(`${dir}/run.json has no evaluation; it was not written by npm run dpo (rerun it)`);
  return run;
}

// ---------------------------------------------------------------------------
// The sweep of notebook 07 (`npm run dpo -- --sweep`).

export interface DpoSweepGrid {
  steps: number;
  /** The DPO paper's β grid. */
  betas: readonly number[];
  seeds: readonly number[];
  /** Every other objective, at the β given: one run at seed 0, or one per seed of `seeds`. */
  variants: readonly (Partial<DpoConfig> & { seeds?: readonly number[] })[];
  /** Preferred-FT runs (seeds). */
  preferredFtSeeds: readonly number[];
  prompts: number;
  samples: number;
  quick?: boolean;
}

export const DPO_SWEEP: Readonly<DpoSweepGrid> = Object.freeze({
  steps: 120,
  betas: [0.05, 0.1, 1, 5],
  seeds: [0, 1],
  variants: [
    { loss: "cdpo" as const, beta: 0.1, labelSmoothing: 0.1 },
    { loss: "ipo" as const, beta: 0.1 },
    { loss: "hinge" as const, beta: 0.1 },
    // SimPO's paper: β 2–2.5, γ/β ≈ 0.5.
    { loss: "simpo" as const, beta: 2, simpoGamma: 1 },
    // KTO's paper: β 0.1, λ_D = λ_U = 1 (the net-win labels are balanced); ORPO's: λ 0.1.
    { loss: "kto" as const, beta: 0.1, seeds: [0, 1] },
    { loss: "orpo" as const, beta: 0.1, orpoLambda: 0.1, seeds: [0, 1] },
  ],
  preferredFtSeeds: [0],
  prompts: 200,
  samples: 4,
});

export const DPO_SWEEP_QUICK: Readonly<DpoSweepGrid> = Object.freeze({
  ...DPO_SWEEP,
  steps: 6,
  betas: [0.1],
  seeds: [0],
  variants: [{ loss: "simpo" as const, beta: 2, simpoGamma: 1 }],
  prompts: 8,
  samples: 2,
  quick: true,
});

export interface DpoJob {
  study: "beta" | "variant" | "preferred-ft" | "offline";
  config: Partial<DpoConfig>;
  quick?: boolean;
  /** The "offline" study: which samples the pairs are of, on which prompts (see ./dpo-offline.ts). */
  pairs?: PairSource;
  every?: number;
  basePairs?: string;
}

export function dpoSweepJobs(s: DpoSweepGrid = DPO_SWEEP): DpoJob[] {
  const quick = s.quick;
  const jobs: DpoJob[] = [];
  for (const seed of s.seeds)
    for (const beta of s.betas) jobs.push({ study: "beta", quick, config: { steps: s.steps, seed, beta } });
  for (const { seeds, ...v } of s.variants)
    for (const seed of seeds ?? [0])
      jobs.push({ study: "variant", quick, config: { steps: s.steps, seed, ...v } });
  for (const seed of s.preferredFtSeeds)
    jobs.push({ study: "preferred-ft", quick, config: { steps: s.steps, seed } });
  return jobs;
}

export const dpoJobLabel = (j: DpoJob) =>
  j.study === "preferred-ft"
    ? `Preferred-FT seed ${j.config.seed}`
    : j.study === "offline"
      ? `DPO on ${j.pairs === "base" ? "base-model (offline)" : "SFT (online)"} pairs seed ${j.config.seed ?? 0}`
      : `${j.config.loss ?? "sigmoid"} β=${j.config.beta ?? DPO_FULL.beta} seed ${j.config.seed ?? 0}`;

export interface DpoSweepResult {
  job: DpoJob;
  seconds: number;
  sampled: ReturnType<typeof sampledGold>;
  greedy: PolicyEval;
  metrics: MetricRow[];
}

/** Train one sweep run and measure it on the held-out prompts (a worker's job). */
export async function runDpoJob(
  inputs: DpoInputs,
  job: DpoJob,
  progress?: ProgressSink,
): Promise<DpoSweepResult> {
  const s = job.quick ? DPO_SWEEP_QUICK : DPO_SWEEP;
  const t = Date.now();
  const { policy, run } =
    job.study === "preferred-ft"
      ? await runPreferredFt(inputs, { steps: job.config.steps!, seed: job.config.seed ?? 0, progress })
      : await runDpo({
          inputs: job.pairs
            ? {
                ...inputs,
                train: offlineGroups(job.pairs, inputs, { every: job.every, basePairs: job.basePairs }),
              }
            : inputs,
          config: job.config,
          base: job.quick ? DPO_QUICK : DPO_FULL,
          progress,
        });
  const seconds = (Date.now() - t) / 1000;
  const items = inputs.heldout.slice(0, s.prompts);
  const tok = inputs.tokenizer;
  const result: DpoSweepResult = {
    job,
    seconds,
    sampled: sampledGold(policy, inputs.sft, tok, items, {
      samples: s.samples,
      seed: HELDOUT_SAMPLE_SEED,
      score: goldReward,
    }),
    greedy: summarisePolicy(policyResponses(policy, tok, items, goldReward)),
    metrics: run.metrics,
  };
  policy.dispose();
  return result;
}

/** The committed record of `npm run dpo -- --sweep`, with the SFT and best-of-n points measured alike. */
export interface DpoSweepRecord {
  command: string;
  grid: DpoSweepGrid;
  backend: { name: string; path?: string };
  durationS: number;
  rows: DpoSweepResult[];
  sft: ReturnType<typeof sampledGold>;
  bestOfN: { n: number; kl: number; gold: Interval; proxy: Interval }[];
}

export const DPO_SWEEP_FILE = path.join(RLHF_DIR, "dpo_sweep.json");

/** The record of `npm run dpo -- --sweep`, checked; a missing or stale file names that command. */
export function readDpoSweep(file = DPO_SWEEP_FILE): DpoSweepRecord {
  return readRecord<DpoSweepRecord>(file, {
    command: "npm run dpo -- --sweep",
    shape: {
      command: "string",
      grid: { betas: "number[]" },
      backend: { name: "string" },
      durationS: "number",
      rows: [SWEEP_ROW_SHAPE],
      sft: SAMPLED_SHAPE,
      bestOfN: [{ n: "number", kl: "number", gold: INTERVAL_SHAPE }],
    },
  });
}

/** What `npm run dpo -- --offline` commits (data/rlhf/dpo_offline.json). */
export interface OfflineRecord {
  command: string;
  config: Omit<typeof OFFLINE, "every" | "steps"> & { every: number; steps: number };
  backend: { name: string; path?: string };
  versions: Versions;
  startedAt: string;
  durationS: number;
  /** Pairs of each source on the study's prompts, and the mean gold of their chosen and rejected responses. */
  pairs: Record<PairSource, { n: number; gold: { chosen: number; rejected: number } }>;
  rows: DpoSweepResult[];
  /** The SFT model measured as the runs are (held-out prompts, samples at temperature 1). */
  sft: DpoSweepResult["sampled"];
}

/** The record of `npm run dpo -- --offline`, checked; a missing or stale file names that command. */
export function readOfflineRecord(file = OFFLINE_FILES.record): OfflineRecord {
  const pairs = { n: "number", gold: { chosen: "number", rejected: "number" } } as const;
  return readRecord<OfflineRecord>(file, {
    command: "npm run dpo -- --offline",
    shape: {
      command: "string",
      backend: { name: "string" },
      durationS: "number",
      pairs: { sft: pairs, base: pairs },
      rows: [{ ...SWEEP_ROW_SHAPE, job: { ...SWEEP_ROW_SHAPE.job, pairs: "string" } }],
      sft: SAMPLED_SHAPE,
    },
  });
}
