/**
 * Ablation arms: what one short SFT run of an experiment is (an `Arm`), what
 * it gives (an `ArmResult`), and how arms are run (`ArmOptions`,
 * `PoolOptions`). Shared by ./sft.ts (one process) and ./pool.ts (workers).
 */
import type { MaskMode } from "../chat/template";
import type { EvalSetName } from "../data/tasks/eval-sets";
import type { RateSummary } from "../eval/evaluate";
import type { EvalSets } from "../eval/suite";
import type { RunRecord } from "../run-record";
import type { ProgressSink } from "../train/loop";
import type { SftConfig, SftNotes } from "../train/sft";

export interface InputOptions {
  base?: string;
  train?: string;
  /** Pretraining documents tokenized for replay (the first N of the corpus). */
  replayDocs?: number;
}

/** One SFT run of an experiment. */
export interface Arm {
  /** Name of the ablation it belongs to, e.g. "mask". */
  group: string;
  /** The value that varies, e.g. "assistant" or "250". */
  label: string;
  mask?: MaskMode;
  /** Training examples (a task-balanced subset); all when omitted. */
  trainSize?: number;
  /** Overrides of the experiment's base config (seed, replay, ...). */
  config?: Partial<SftConfig>;
}

/** What an arm gives: `S` are the eval sets it was asked to score. */
export interface ArmResult<S extends EvalSetName = EvalSetName> {
  group: string;
  label: string;
  seed: number;
  mask: MaskMode;
  trainSize: number;
  replay: boolean;
  /** Answer rate and exact match per eval set. */
  sets: Record<S, RateSummary>;
  /** Knowledge probe after the run. */
  cloze: number;
  seconds: number;
  run: RunRecord<SftConfig, SftNotes>;
}

export interface ArmOptions<S extends EvalSetName = EvalSetName> {
  /** Eval sets to score (thin them for short arms); the result has a score for each. */
  sets: Pick<EvalSets, S>;
  maxNewTokens?: number;
  progress?: ProgressSink;
}

export interface PoolOptions<S extends EvalSetName = EvalSetName> extends ArmOptions<S> {
  /** Child processes (default 2: the cores of the machines this lab targets). */
  workers?: number;
  onArm?: (r: ArmResult<S>, i: number) => void;
}

/** One arm and how it is scored. */
export interface ArmJob {
  arm: Arm;
  base: SftConfig;
  sets: ArmOptions["sets"];
  maxNewTokens?: number;
}
