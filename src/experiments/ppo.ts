/**
 * What `npm run ppo` and notebook 05 share: the inputs of the RLHF stage
 * (the committed SFT model, reward model and prompt pools), one PPO run from
 * them, and the policy evaluation that reads the gold reward by term on
 * prompts the policy trained on and on held-out ones.
 */
import * as path from "path";
import { ensureCorpus } from "../data/corpus";
import { ClozeItem, clozeItems, statedFacts } from "../data/facts";
import { readFactsFile } from "../data/facts-file";
import { pct } from "../display/report";
import { clozeProbe } from "../eval/probe";
import { tokenStream } from "../train/pretrain";
import { PATHS } from "../data/paths";
import { EvalItem, readEvalJsonl } from "../data/tasks/eval-sets";
import { meanInterval } from "../eval/stats";
import { goldReward } from "../judge/gold";
import type { GPT } from "../model/gpt";
import { loadModel } from "../model/load";
import { endScores, loadRewardModel, RewardModel } from "../model/reward-model";
import { renderPrompt } from "../chat/template";
import { perPromptMeans, SampledResponse, sampledKl } from "../eval/kl";
import {
  bestOfN,
  BestOfNPoint,
  comparePolicies,
  compareSampled,
  HELDOUT_SAMPLE_SEED,
  Interval,
  PolicyComparison,
  PolicyEval,
  PolicyResponse,
  policyResponses,
  SampledComparison,
  sampledGold,
  summarisePolicy,
} from "../eval/policy";
import { mean } from "../eval/stats";
import type { BpeTokenizer } from "../tokenizer/index";
import type { ProgressSink } from "../train/loop";
import {
  Advantage,
  ADVANTAGES,
  PPO_FULL,
  PPO_QUICK,
  ppoConfig,
  PpoConfig,
  PpoNotes,
  trainedPrompts,
  trainPpo,
  updatesPerRollout,
} from "../train/ppo";
import type { MetricRow } from "../metrics";
import { loadRun, readRecord, RunRecord, SWEEP_ROW_SHAPE } from "../run-record";

export const PPO_PATHS = Object.freeze({
  sft: PATHS.sftModel,
  rm: path.join(PATHS.sftModel, "..", "rm"),
  /** The policy's prompt pool: held-in clusters, 40 per task (npm run build-sft). */
  prompts: path.join(PATHS.sft, "prompts_policy.jsonl"),
  /** Held-out prompts: the same tasks on words and inputs no stage trains on. */
  heldout: path.join(PATHS.sft, "prompts_heldout.jsonl"),
  out: path.join(PATHS.sftModel, "..", "ppo"),
});

/** Everything a PPO run starts from. */
export interface PpoInputs {
  sft: GPT;
  tokenizer: BpeTokenizer;
  rm: RewardModel;
  prompts: EvalItem[];
  heldout: EvalItem[];
}

/** Load the committed SFT model, reward model and prompt pools (and check they fit together). */
export function loadPpoInputs(paths: Partial<typeof PPO_PATHS> = {}): PpoInputs {
  const p = { ...PPO_PATHS, ...paths };
  const { model: sft, tokenizer } = loadModel(p.sft);
  const rm = loadRewardModel(p.rm);
  if (JSON.stringify(rm.tokenizer.toJSON()) !== JSON.stringify(tokenizer.toJSON()))
    throw new Error(
      `${p.rm}: its tokenizer differs from ${p.sft}'s; retrain it from this SFT model (npm run rm)`,
    );
  return { sft, tokenizer, rm, prompts: readEvalJsonl(p.prompts), heldout: readEvalJsonl(p.heldout) };
}

/** A length bias on top of the RM: `perWord` score units per response word (notebook 05's hackable proxy). */
export const lengthBonus =
  (perWord: number) =>
  (r: { text: string }): number =>
    perWord * r.text.split(/\s+/).filter(Boolean).length;

export interface PpoRunOptions {
  inputs: PpoInputs;
  config?: Partial<PpoConfig>;
  base?: Readonly<PpoConfig>;
  /** Score units per response word added to the RM's (0: the RM alone). */
  lengthBias?: number;
  /** Raw pretraining tokens for PPO-ptx. */
  ptx?: Int32Array;
  evaluate?: (step: number, policy: GPT) => MetricRow;
  checkpointDir?: string;
  resumeFrom?: string;
  progress?: ProgressSink;
}

/** One PPO run from the SFT model: the policy (value head at zero) and its record. */
export async function runPpo(o: PpoRunOptions) {
  const config = ppoConfig(o.config ?? {}, o.base ?? PPO_FULL);
  const policy = o.inputs.sft.withScalarHead();
  const bias = o.lengthBias ?? 0;
  const run = await trainPpo({
    model: policy,
    reference: o.inputs.sft,
    rewardModel: o.inputs.rm,
    tokenizer: o.inputs.tokenizer,
    prompts: o.inputs.prompts,
    config,
    scoreBonus: bias ? lengthBonus(bias) : undefined,
    // The gold reward of each rollout, logged beside the proxy: no loss or advantage reads it.
    hooks: {
      score: (responses) => {
        const gold = responses.map((r) => goldReward(r.item, r.text, r.stopped));
        return {
          perRow: gold.map((g) => g.total),
          metrics: {
            "objective/gold": mean(gold.map((g) => g.total)),
            "objective/gold_behavioural": mean(gold.map((g) => g.byKind.behavioural)),
            "objective/gold_prompt_specific": mean(gold.map((g) => g.byKind["prompt-specific"])),
          },
        };
      },
    },
    ptx: o.ptx,
    evaluate: o.evaluate ? (step) => o.evaluate!(step, policy) : undefined,
    checkpointDir: o.checkpointDir,
    resumeFrom: o.resumeFrom,
    progress: o.progress,
    notes: { lengthBias: bias } as Partial<PpoNotes>,
  });
  return { policy, run };
}

/** Raw pretraining tokens for PPO-ptx: the first `docs` documents of the corpus's training split. */
export function pretrainingTokens(inputs: Pick<PpoInputs, "tokenizer">, docs = 5000): Int32Array {
  const { headwords } = readFactsFile();
  return tokenStream(inputs.tokenizer, ensureCorpus(headwords).train.slice(0, docs));
}

/** The knowledge probe's cloze items (every stated fact of the vocabulary). */
export function knowledgeItems(): ClozeItem[] {
  return clozeItems(statedFacts(readFactsFile().headwords));
}

/** What `npm run ppo` records: SFT against the policy, on trained and held-out prompts. */
export interface RlhfEval {
  trained: PolicyComparison;
  heldout: PolicyComparison;
  /** Temperature-1 samples of the first 200 held-out prompts, 4 each. */
  sampled: SampledComparison;
  /** Knowledge-probe accuracy (the alignment tax's other face). */
  knowledge: { before: number; after: number };
}

/** Greedy SFT against greedy policy on the prompts the run trained on and on held-out ones. */
export function evaluateRlhf(
  inputs: PpoInputs,
  policy: GPT,
  config: Readonly<PpoConfig>,
  o: { quick?: boolean; cloze?: readonly ClozeItem[] } = {},
): RlhfEval {
  const cap = o.quick ? 50 : 500;
  const trainedItems = trainedPrompts(config, inputs.prompts.length)
    .slice(0, cap)
    .map((i) => inputs.prompts[i]);
  const heldout = inputs.heldout.slice(0, cap);
  const tok = inputs.tokenizer;
  const side = (items: EvalItem[]) =>
    comparePolicies(
      policyResponses(inputs.sft, tok, items, goldReward, config.maxNewTokens),
      policyResponses(policy, tok, items, goldReward, config.maxNewTokens),
    );
  const cloze = (o.cloze ?? knowledgeItems()).slice(0, o.quick ? 64 : undefined);
  return {
    trained: side(trainedItems),
    heldout: side(heldout),
    sampled: compareSampled(inputs.sft, policy, tok, heldout.slice(0, o.quick ? 16 : 200), goldReward),
    knowledge: {
      before: clozeProbe(inputs.sft, tok, cloze).accuracy,
      after: clozeProbe(policy, tok, cloze).accuracy,
    },
  };
}

const f3 = (x: number) => x.toFixed(3);
const ci = (i: Interval) => `${f3(i.mean)} (${f3(i.lo)} to ${f3(i.hi)})`;

/** A few lines a terminal reader can take in. */
export function ppoSummary(ev: RlhfEval): string {
  const side = (name: string, c: PolicyComparison) =>
    `${name} (n=${c.before.n}): gold ${f3(c.before.gold.mean)} → ${f3(c.after.gold.mean)}, gain ${ci(c.gain.gold)}; ` +
    `behavioural ${ci(c.gain.behavioural)}, prompt-specific ${ci(c.gain.promptSpecific)}; answer rate ` +
    `${pct(c.before.answerRate.rate)} → ${pct(c.after.answerRate.rate)}, exact match ` +
    `${pct(c.before.exactMatch.rate)} → ${pct(c.after.exactMatch.rate)}`;
  return [
    side("trained prompts", ev.trained),
    side("held-out prompts", ev.heldout),
    `held-out sampled (${ev.sampled.prompts} prompts × ${ev.sampled.samples}): gold ` +
      `${f3(ev.sampled.sft.gold.mean)} → ${f3(ev.sampled.policy.gold.mean)}, gain ${ci(ev.sampled.gain)}, ` +
      `KL to SFT ${f3(ev.sampled.policy.kl.mean)} nats, win rate against SFT ${ci(ev.sampled.winRate)}`,
    `knowledge probe ${pct(ev.knowledge.before)} → ${pct(ev.knowledge.after)}`,
  ].join("\n");
}

/**
 * The proxy reward PPO optimises, of sampled responses: the RM's score, plus
 * `lengthBias` per word, minus the missing-end penalty (as in the trainer).
 */
export function proxyScores(
  rm: RewardModel,
  tok: BpeTokenizer,
  prompts: readonly number[][],
  samples: readonly SampledResponse[],
  lengthBias: number,
  missingEosPenalty = PPO_FULL.missingEosPenalty,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < samples.length; i += 32) {
    const part = samples.slice(i, i + 32);
    const t = endScores(
      rm,
      part.map((s) => [...prompts[s.prompt], ...s.tokens]),
      part.map((s) => prompts[s.prompt].length),
      tok.special.pad,
    );
    out.push(...t.dataSync());
    t.dispose();
  }
  const bonus = lengthBonus(lengthBias);
  return samples.map((s, i) => out[i] + bonus(s) - (s.stopped ? 0 : missingEosPenalty));
}

/**
 * Best-of-n from `model` under PPO's proxy (the RM's score plus `lengthBias`
 * per word, `proxyScores`), scored by gold: `bestOfN` of src/eval/policy.ts.
 */
export function rmBestOfN(
  model: GPT,
  rm: RewardModel,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  o: { ns: readonly number[]; seed: number; maxNewTokens?: number; lengthBias?: number },
): BestOfNPoint[] {
  return bestOfN(model, tok, items, {
    ns: o.ns,
    seed: o.seed,
    maxNewTokens: o.maxNewTokens ?? PPO_FULL.maxNewTokens,
    proxy: (prompts, samples) => proxyScores(rm, tok, prompts, samples, o.lengthBias ?? 0),
    score: goldReward,
  });
}

/** An `evaluate` hook that also keeps what section 3 of notebook 05 tests afterwards. */
export interface GoldMonitor {
  (step: number, policy: GPT): MetricRow;
  /** Per-prompt mean gold at every evaluated step (same prompts, same sampling seed: paired). */
  readonly perPrompt: Map<number, number[]>;
  /** A copy of the policy at the step with the highest mean gold so far (the run's gold peak). */
  readonly peak: { step: number; gold: number; policy: GPT } | undefined;
  /** Free the peak's copy. */
  dispose(): void;
}

/**
 * An `evaluate` hook for a PPO run: the policy's temperature-1 samples on
 * fixed held-out items, their gold, proxy and KL to SFT (Gao et al.'s axes,
 * measured on the same prompts at every point rather than on each rollout's).
 * It keeps a copy of the policy at its gold peak, so the peak can be measured
 * again on fresh samples (`confirmPeak`): a peak picked as the best of many
 * noisy points looks higher on the samples that picked it than it is.
 */
export function heldoutMonitor(
  inputs: PpoInputs,
  items: readonly EvalItem[],
  o: { samples: number; seed: number; lengthBias: number; maxNewTokens?: number },
): GoldMonitor {
  const tok = inputs.tokenizer;
  const prompts = items.map((it) => renderPrompt(tok, it.messages));
  const perPrompt = new Map<number, number[]>();
  let peak: GoldMonitor["peak"];
  const evaluate = (step: number, policy: GPT): MetricRow => {
    const s = sampledKl(policy, inputs.sft, tok, prompts, {
      samples: o.samples,
      seed: o.seed,
      maxNewTokens: o.maxNewTokens ?? PPO_FULL.maxNewTokens,
    });
    const proxy = proxyScores(inputs.rm, tok, prompts, s, o.lengthBias);
    const golds = perPromptMeans(s, (x) => goldReward(items[x.prompt], x.text, x.stopped).total);
    const gold = meanInterval(golds);
    perPrompt.set(step, golds);
    if (!peak || gold.mean > peak.gold) {
      peak?.policy.dispose();
      peak = { step, gold: gold.mean, policy: policy.clone() };
    }
    return {
      "val/gold_sampled": gold.mean,
      "val/gold_sampled_se": (gold.hi - gold.mean) / 1.959964,
      "val/proxy": mean(proxy),
      "val/kl": mean(s.map((x) => x.kl)),
    };
  };
  // defineProperties, not Object.assign: assign would copy the peak once, not the getter.
  return Object.defineProperties(evaluate, {
    perPrompt: { value: perPrompt },
    peak: { get: () => peak },
    dispose: { value: () => peak?.policy.dispose() },
  }) as GoldMonitor;
}

/** SFT, the gold peak and the final policy measured again on fresh samples, paired per prompt. */
export interface PeakCheck {
  samples: number;
  seed: number;
  gold: { sft: Interval; peak: Interval; final: Interval };
  /** Paired changes (the same prompts, the same sampling seed): peak − SFT, final − peak, final − SFT. */
  rise: Interval;
  fall: Interval;
  net: Interval;
}

/**
 * Measure SFT, the peak checkpoint and the final policy on the same items
 * with a sampling seed the monitor did not use, and pair them per prompt.
 * Fresh samples make the peak's height an unbiased estimate; pairing removes
 * what the prompts themselves contribute (some are hard for every model).
 */
export function confirmPeak(
  inputs: PpoInputs,
  items: readonly EvalItem[],
  peak: GPT,
  final: GPT,
  o: { samples: number; seed: number },
): PeakCheck {
  const gold = (m: GPT) =>
    sampledGold(m, inputs.sft, inputs.tokenizer, items, { ...o, score: goldReward }).perPrompt.gold;
  const [s, p, f] = [inputs.sft, peak, final].map(gold);
  const diff = (a: number[], b: number[]) => meanInterval(a.map((x, i) => x - b[i]));
  return {
    ...o,
    gold: { sft: meanInterval(s), peak: meanInterval(p), final: meanInterval(f) },
    rise: diff(p, s),
    fall: diff(f, p),
    net: diff(f, s),
  };
}

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
export type PpoModelRun = RunRecord<PpoConfig, PpoNotes & { evaluation: RlhfEval; lengthBias: number }>;

/** Read a policy folder's run record (written by `npm run ppo`). */
export function loadPpoRun(dir: string = PPO_PATHS.out): PpoModelRun {
  const run = loadRun(dir, "ppo") as PpoModelRun;
  if (!run.notes.evaluation)
    throw new Error(`${dir}/run.json has no evaluation; it was not written by npm run ppo (rerun it)`);
  return run;
}

/** The committed record of `npm run ppo -- --sweep`. */
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

/** The paired gold gain (after − before) per task, tasks in first-seen order. */
export function gainByTask(
  items: readonly EvalItem[],
  before: readonly PolicyResponse[],
  after: readonly PolicyResponse[],
): { task: string; n: number; gain: Interval; correctBefore: number; correctAfter: number }[] {
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => groups.set(it.task, [...(groups.get(it.task) ?? []), i]));
  return [...groups].map(([task, idx]) => ({
    task,
    n: idx.length,
    gain: meanInterval(idx.map((i) => after[i].gold.total - before[i].gold.total)),
    correctBefore: mean(idx.map((i) => before[i].gold.terms.correct)),
    correctAfter: mean(idx.map((i) => after[i].gold.terms.correct)),
  }));
}
