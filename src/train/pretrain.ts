/**
 * Pretraining: next-token prediction on raw documents joined by <|eos|>
 * (GPT-2's <|endoftext|> convention), random windows of `contextLength`.
 * The recipe (PRETRAIN_FULL): AdamW lr 2e-3, β2 0.95 (nanoGPT's small-model
 * settings), 32×128 tokens a step; its result is data/models/base/run.json.
 */
import type { ConfigSpec } from "../config";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { LOOP_DEFAULTS, LOOP_SPEC, LoopConfig, ProgressSink, resolveLoopConfig, trainLoop } from "./loop";
import { LMBatch, randomWindows, sequentialWindows } from "../data/lm-batches";
import { evalLoss, lmObjective } from "./lm";
import type { MetricRow } from "../metrics";
import type { RunRecord } from "../run-record";

/** `batchSize` and `microBatchSize` (the loop's) count sequences of the context length. */
export interface PretrainConfig extends LoopConfig {
  /** Validation batches per evaluation (of batchSize × context tokens). */
  evalBatches: number;
}

const SPEC: ConfigSpec<PretrainConfig> = {
  ...LOOP_SPEC,
  evalBatches: { doc: "validation batches per evaluation", integer: true, min: 1 },
};

/**
 * The base model's recipe: 5,500 steps × 32×128 tokens = 22.5 M tokens, one
 * cosine from warmup to step 5,500 (decaySteps = steps), about 50 minutes on
 * two CPU cores with the native path.
 */
export const PRETRAIN_FULL: Readonly<PretrainConfig> = Object.freeze({
  ...LOOP_DEFAULTS,
  steps: 5500,
  lr: 2e-3,
  warmupSteps: 100,
  minLrRatio: 0.1,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.95,
  batchSize: 32,
  microBatchSize: 32,
  evalBatches: 8,
  logEvery: 10,
  evalEvery: 250,
  checkpointEvery: 250,
});

/** A seconds-long run for tests and smoke checks. */
export const PRETRAIN_QUICK: Readonly<PretrainConfig> = Object.freeze({
  ...PRETRAIN_FULL,
  steps: 30,
  warmupSteps: 5,
  batchSize: 8,
  microBatchSize: 8,
  evalBatches: 2,
  logEvery: 5,
  evalEvery: 15,
  checkpointEvery: 0,
});

/** Validate a pretraining config (defaults: PRETRAIN_FULL). */
export function pretrainConfig(
  overrides: Partial<PretrainConfig> = {},
  base: Readonly<PretrainConfig> = PRETRAIN_FULL,
): Readonly<PretrainConfig> {
  return resolveLoopConfig("PretrainConfig", base, SPEC, overrides);
}

/** Documents → one token stream, each document followed by <|eos|>. */
export function tokenStream(tok: BpeTokenizer, docs: readonly string[]): Int32Array {
  if (docs.length === 0) throw new Error("tokenStream: no documents; the corpus is empty");
  const parts: number[][] = docs.map((d) => [...tok.encode(d), tok.special.eos]);
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** What a pretraining run keeps on record. */
export interface PretrainNotes {
  trainTokens: number;
  valTokens: number;
  /** The knowledge probe of the final model (written by `npm run pretrain`). */
  probe?: {
    accuracy: number;
    byRelation: Record<string, number>;
    bySplit: Record<string, number>;
    /** Every probe item by relation and direction, stated or not (see eval/probe.ts). */
    byDirection?: Record<string, number>;
    /** Stated-fact cloze accuracy per word group (everyday, lookalike, hazard), overall and by split. */
    byGroup?: Record<string, { accuracy: number; bySplit: Record<string, number> }>;
  };
}

export interface PretrainArgs {
  model: GPT;
  tokenizer: BpeTokenizer;
  train: Int32Array;
  val: Int32Array;
  config: Readonly<PretrainConfig>;
  checkpointDir?: string;
  resumeFrom?: string;
  /** Let a resume change the learning-rate schedule (refused by default). */
  allowScheduleChange?: boolean;
  progress?: ProgressSink;
  /** Extra evaluation (e.g. the knowledge probe), merged into each eval row. */
  probe?: (step: number) => MetricRow;
}

/** Pretrain `model` on the token streams; returns the run record. */
export async function pretrain(a: PretrainArgs): Promise<RunRecord<PretrainConfig, PretrainNotes>> {
  const c = a.config;
  const T = a.model.config.contextLength;
  const micro = c.microBatchSize;
  const valBatches = sequentialWindows(a.val, c.batchSize, T, c.evalBatches);
  return trainLoop<LMBatch, PretrainConfig, PretrainNotes>({
    method: "pretrain",
    model: a.model,
    config: c,
    objective: lmObjective(a.model),
    batches: (step, rng) =>
      Array.from({ length: c.batchSize / micro }, () => randomWindows(a.train, micro, T, rng)),
    evaluate: (step) => {
      const loss = evalLoss(a.model, valBatches);
      return { "val/loss": loss, "val/perplexity": Math.exp(loss), ...(a.probe ? a.probe(step) : {}) };
    },
    checkpointDir: a.checkpointDir,
    resumeFrom: a.resumeFrom,
    allowScheduleChange: a.allowScheduleChange,
    tokenizer: a.tokenizer,
    progress: a.progress,
    notes: { trainTokens: a.train.length, valTokens: a.val.length },
  });
}

declare module "../run-record" {
  interface RunKinds {
    pretrain: RunRecord<PretrainConfig, PretrainNotes>;
  }
}
