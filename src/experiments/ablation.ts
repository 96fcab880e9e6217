/**
 * One run of an instruction-tuning ablation (notebook 08): build SFT data
 * from the task registry as the job says (which clusters, how requests are
 * worded, how many few-shot examples, how much data and how clean), tune a
 * copy of a base model on it, and score it on
 * - zero-shot and few-shot prompts of the held-out *transfer* clusters
 *   (choice, completion: skills from pretraining, formats SFT never shows),
 *   always from held-out words;
 * - held-in prompts about held-out words, whose responses are kept so the
 *   gold reward can compare any two runs prompt by prompt (InstructGPT, LIMA).
 * A job without `data` scores the base model as it is, prompted as raw text.
 *
 * A job is plain JSON: ./sweep.ts caches each result under a hash of it.
 */
import * as path from "path";
import { Message, renderChat } from "../chat/template";
import { pretrainingCorpus } from "../data/world";
import type { Headword } from "../data/facts";
import { readFactsFile } from "../data/facts-file";
import { corruptAnswers } from "../data/noise";
import { buildSftDataset, SftLine, sftExamples, subsetRecords } from "../data/sft-data";
import { CLUSTERS, Cluster, TRANSFER_CLUSTERS, CLUSTER_SPLIT, TemplateStyle } from "../data/tasks/index";
import { demoItems, EvalItem, sampled } from "../data/tasks/eval-sets";
import { ItemResult, PromptFormat, runPrompts } from "../eval/evaluate";
import { goldReward } from "../judge/gold";
import { loadModel, LoadedModel } from "../model/load";
import { tokenStream } from "../train/pretrain";
import type { ProgressSink } from "../train/loop";
import { SftConfig, sftConfig, trainSft } from "../train/sft";

/** What the instruction data of a run holds. */
export interface AblationData {
  /** Clusters trained on (tasks of each, equally mixed). */
  clusters: Cluster[];
  /** Conversations generated per task before any subsetting. */
  perTask: number;
  /** How requests are worded (FLAN Table 3). */
  templateStyle: TemplateStyle;
  /** Share of conversations with solved demos as prior turns (Flan 2022). */
  fewShotShare: number;
  /** Share of answers swapped for a wrong answer of the same task (LIMA's quality axis). */
  noise: number;
  /** Conversations trained on: a task-balanced subset (LIMA's quantity axis); all when absent. */
  examples?: number;
}

/** How every run is scored (the same for all jobs, so runs of different grids can share a cache entry). */
export interface AblationEval {
  /** Held-out clusters scored zero-shot and few-shot. */
  clusters: Cluster[];
  /** Prompts per task of those clusters. */
  perTask: number;
  /** Solved demos before each few-shot prompt (0: no few-shot score). */
  fewShot: number;
  /** Held-in prompts (about held-out words) whose responses are kept for gold comparisons. */
  gold: number;
  maxNewTokens: number;
}

/** One run of a grid: plain JSON, hashed as the cache key. */
export interface AblationJob {
  /** Base model folder (relative to the project). */
  base: string;
  /** The SFT data; absent: the base model untuned, prompted as raw text. */
  data?: AblationData;
  /** SFT settings (seed included) over ABLATION_SFT. */
  sft: Partial<SftConfig>;
  eval: AblationEval;
}

/** Counts per task: prompts, correct answers, and responses that answer (not continue). */
export interface TaskScore {
  n: number;
  correct: number;
  answered: number;
}

export interface AblationResult {
  /** How prompts were rendered: "chat" for tuned models, "raw" for a base model. */
  format: PromptFormat;
  parameters: number;
  trainExamples: number;
  /** Training conversations whose answer was made wrong. */
  corrupted: number;
  steps: number;
  zeroShot: Record<string, TaskScore>;
  fewShot: Record<string, TaskScore>;
  /** The held-in gold prompts: each response, whether it stopped, its gold reward and correctness. */
  gold: { response: string; stopped: boolean; reward: number; correct: boolean }[];
  seconds: number;
}

/**
 * The short SFT run of every ablation arm: notebook 03's arm recipe (60
 * steps of 16 conversations in micro-batches of 4, lr 1e-3, replay 8). Long
 * enough to teach the answer format, short enough for the notebook's default
 * grids to fit ten minutes on two cores. Micro-batches of 4, because in a
 * one-off probe (single timings, not `npm run bench`) they ran faster than
 * 8 or 16: length-sorted small micro-batches carry fewer pad tokens.
 */
export const ABLATION_SFT: Readonly<SftConfig> = sftConfig({
  steps: 60,
  batchSize: 16,
  microBatchSize: 4,
  lr: 1e-3,
  warmupSteps: 6,
  replayBatchSize: 8,
  replayLength: 64,
  logEvery: 10,
  evalEvery: 0,
});

/** The standard scoring of every job. */
export const ABLATION_EVAL: Readonly<AblationEval> = Object.freeze({
  clusters: TRANSFER_CLUSTERS.slice(),
  perTask: 50,
  fewShot: 2,
  gold: 100,
  maxNewTokens: 16,
});

/** The clusters a run may train on: the held-in ones and coding (never the transfer clusters). */
export const TRAINING_CLUSTERS: readonly Cluster[] = Object.freeze([...CLUSTER_SPLIT.heldIn, "coding"]);

/** The default data: every training cluster, instructions, SFT's few-shot share, clean. */
export const ABLATION_DATA: Readonly<AblationData> = Object.freeze({
  clusters: TRAINING_CLUSTERS.slice(),
  perTask: 70,
  templateStyle: "instructions",
  fewShotShare: 0.1,
  noise: 0,
});

/** What a worker loads once: the word facts, models by folder, replay text by folder. */
export interface AblationInputs {
  headwords: Headword[];
  models: Map<string, LoadedModel>;
  replay: Map<string, Int32Array>;
  docs: string[];
}

export function loadAblationInputs(): AblationInputs {
  const { headwords } = readFactsFile();
  return {
    headwords,
    models: new Map(),
    replay: new Map(),
    docs: pretrainingCorpus().train.slice(0, 5000),
  };
}

const ROOT = path.resolve(__dirname, "..", "..");

/** The model in `dir` (relative to the project, whatever the working directory), loaded once. */
function modelFor(inputs: AblationInputs, dir: string): LoadedModel {
  if (!inputs.models.has(dir)) inputs.models.set(dir, loadModel(path.resolve(ROOT, dir)));
  return inputs.models.get(dir)!;
}

/** Checks a job before any work, naming the bad field and the valid values. */
export function checkJob(job: AblationJob): void {
  const bad = [...(job.data?.clusters ?? []), ...job.eval.clusters].filter((c) => !CLUSTERS.includes(c));
  if (bad.length)
    throw new Error(`unknown cluster(s) ${bad.join(", ")}; clusters are: ${CLUSTERS.join(", ")}`);
  const leak = (job.data?.clusters ?? []).filter((c) => job.eval.clusters.includes(c));
  if (leak.length)
    throw new Error(`cluster(s) ${leak.join(", ")} are both trained on and held out; train on others`);
  sftConfig(job.sft, ABLATION_SFT); // throws naming unknown or invalid SFT fields
}

/** The prompts every job is scored on, deterministic (seed 0), from held-out words. */
export function ablationPrompts(headwords: readonly Headword[], e: AblationEval) {
  const zero = sampled(headwords, e.clusters, "corpus", { seed: 0, perTask: e.perTask }, "ablation");
  const demos = e.fewShot
    ? demoItems(
        headwords,
        zero.map((z) => z.task),
        e.perTask * e.fewShot,
        0,
      )
    : [];
  // Item i of a task gets that task's demos i·k … i·k+k−1: different demos for every prompt.
  const seen = new Map<string, number>();
  const few: EvalItem[] = e.fewShot
    ? zero.map((z) => {
        const i = seen.get(z.task) ?? 0;
        seen.set(z.task, i + 1);
        const mine = demos.filter((d) => d.task === z.task).slice(i * e.fewShot, (i + 1) * e.fewShot);
        const turns = mine.flatMap((d): Message[] => [
          ...d.messages,
          { role: "assistant", content: d.answer },
        ]);
        return { ...z, messages: [...turns, ...z.messages] };
      })
    : [];
  const heldin = sampled(
    headwords,
    CLUSTER_SPLIT.heldIn,
    "corpus",
    { seed: 0, perTask: Math.ceil(e.gold / 25) },
    "ablation-gold",
  );
  const step = heldin.length / Math.max(1, e.gold);
  const gold = Array.from(
    { length: Math.min(e.gold, heldin.length) },
    (_, i) => heldin[Math.floor(i * step)],
  );
  return { zero, few, gold };
}

function byTask(items: readonly EvalItem[], results: readonly ItemResult[]): Record<string, TaskScore> {
  const out: Record<string, TaskScore> = {};
  results.forEach((r, i) => {
    const s = (out[items[i].task] ??= { n: 0, correct: 0, answered: 0 });
    s.n++;
    if (r.correct) s.correct++;
    if (r.behaviour === "answer") s.answered++;
  });
  return out;
}

/** Run one job: tune (unless it has no data), score, dispose. */
export async function runAblationJob(
  inputs: AblationInputs,
  job: AblationJob,
  progress?: ProgressSink,
): Promise<AblationResult> {
  checkJob(job);
  const t0 = Date.now();
  const base = modelFor(inputs, job.base);
  const { tokenizer } = base;
  const model = job.data ? base.model.clone() : base.model;
  try {
    let trainExamples = 0,
      corrupted = 0,
      steps = 0;
    if (job.data) {
      const config = sftConfig(job.sft, ABLATION_SFT);
      const d = job.data;
      const all: SftLine[] = buildSftDataset({
        seed: config.seed,
        perTask: d.perTask,
        headwords: inputs.headwords,
        clusters: d.clusters,
        templateStyle: d.templateStyle,
        fewShotShare: d.fewShotShare,
        fit: { tokenizer, contextLength: model.config.contextLength },
        log: () => undefined, // fitting is reported by npm run build-sft; here every arm would repeat it
      });
      const records = d.examples !== undefined ? subsetRecords(all, d.examples, config.seed) : all;
      // Wrong answers come from the whole dataset, and must leave the conversation inside the context.
      const C = model.config.contextLength;
      const noisy = corruptAnswers(records, d.noise, config.seed, {
        donors: all,
        fits: (m) => renderChat(tokenizer, m).ids.length <= C,
      });
      corrupted = noisy.corrupted;
      trainExamples = noisy.records.length;
      if (!inputs.replay.has(job.base)) inputs.replay.set(job.base, tokenStream(tokenizer, inputs.docs));
      const train = sftExamples(tokenizer, noisy.records, model.config.contextLength, { mask: "assistant" });
      await trainSft({ model, tokenizer, train, replay: inputs.replay.get(job.base)!, config, progress });
      steps = config.steps;
    }
    const format: PromptFormat = job.data ? "chat" : "raw";
    const p = ablationPrompts(inputs.headwords, job.eval);
    const run = (items: EvalItem[]) =>
      runPrompts(model, tokenizer, items, { format, maxNewTokens: job.eval.maxNewTokens });
    const gold = run(p.gold).map((r, i) => ({
      response: r.response,
      stopped: r.stopped,
      reward: goldReward(p.gold[i], r.response, r.stopped).total,
      correct: r.correct === true,
    }));
    return {
      format,
      parameters: model.numParameters(),
      trainExamples,
      corrupted,
      steps,
      zeroShot: byTask(p.zero, run(p.zero)),
      fewShot: p.few.length ? byTask(p.few, run(p.few)) : {},
      gold,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    if (model !== base.model) model.dispose();
  }
}
