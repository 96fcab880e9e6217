/**
 * Direct preference optimisation (Rafailov et al. 2023) and its relatives:
 * the policy learns from preference data directly, against a frozen
 * reference, with no reward model and no sampling.
 *
 * The losses are the table of src/train/objectives.ts (DPO, cDPO, IPO,
 * SLiC's hinge, SimPO, ...); the batching, the reference pass and the loop
 * are src/train/pairs.ts's, shared with the reward model. This file holds the
 * config and the entry point. The implicit reward of a response is
 * β (π − ρ) (β π/|y| for the reference-free losses); its `rewards/*`
 * metrics are TRL's.
 */
import type { ConfigSpec } from "../config";
import type { PairGroup } from "../data/preference";
import { sameTokenizer } from "../eval/kl";
import type { GPT } from "../model/gpt";
import type { MetricRow } from "../metrics";
import type { RunRecord } from "../run-record";
import type { BpeTokenizer } from "../tokenizer/index";
import { LOOP_DEFAULTS, LOOP_SPEC, LoopConfig, ProgressSink, resolveLoopConfig } from "./loop";
import {
  DPO_LOSSES,
  DpoLoss,
  OBJECTIVE_DEFAULTS,
  OBJECTIVE_PARAMS,
  ObjectiveParamName,
  ObjectiveParam,
  ObjectiveParams,
  PAIR_OBJECTIVES,
  PairObjective,
} from "./objectives";
import {
  checkPairs,
  pairEval,
  pairObjective,
  PairNotes,
  RefGroup,
  trainOnPairs,
  withoutReference,
  withReferenceLogps,
} from "./pairs";

/** A group of pairs with its reference log-probs. */
export type DpoGroup = RefGroup;

/** `batchSize` and `microBatchSize` (the loop's) count prompts, each with all its pairs. */
export interface DpoConfig extends LoopConfig, ObjectiveParams {
  /** The objective (src/train/objectives.ts); its own knobs are `OBJECTIVE_PARAMS`. */
  loss: DpoLoss;
  /** β: strength of the KL constraint (DPO, cDPO, hinge: inverse temperature; IPO: target margin 1/(2β)); > 0. */
  beta: number;
  /**
   * Weight α of an NLL term on the chosen responses (mean per token), added
   * to any loss: RPO (Pang et al. 2024), TRL's `rpo_alpha`. It keeps the
   * chosen responses likely while the margin grows; 0 = off.
   */
  sftWeight: number;
}

const SPEC = {
  ...LOOP_SPEC,
  ...Object.fromEntries(
    (Object.entries(OBJECTIVE_PARAMS) as [string, ObjectiveParam][]).map(([k, p]) => [
      k,
      { doc: p.doc, min: p.min, max: p.max },
    ]),
  ),
  loss: { doc: "the pair loss", oneOf: DPO_LOSSES },
  beta: { doc: "KL strength β, > 0 (the DPO paper: 0.05 to 5)", min: 0 },
  sftWeight: { doc: "RPO's α: weight of the chosen responses' NLL, 0 = off", min: 0 },
} as unknown as ConfigSpec<DpoConfig>;

/**
 * The recipe of data/models/dpo (`npm run dpo`): β = 0.1 (the DPO paper's
 * default), about one epoch over the committed comparisons' prompts.
 */
export const DPO_FULL: Readonly<DpoConfig> = Object.freeze({
  ...LOOP_DEFAULTS,
  ...OBJECTIVE_DEFAULTS,
  loss: "sigmoid",
  beta: 0.1,
  sftWeight: 0,
  steps: 180,
  batchSize: 16,
  microBatchSize: 4,
  // 2e-5 left the margins at 0 after 60 steps; 2e-4 moved 1.7 nats from SFT and lost 0.06 gold.
  lr: 5e-5,
  warmupSteps: 10,
  minLrRatio: 0.1,
  weightDecay: 0,
  logEvery: 5,
  evalEvery: 30,
});

/**
 * `npm run dpo`'s recipe in the helpful–honest–harmless world: DPO with
 * RPO's NLL term on the chosen responses (Pang et al. 2024), which tripled
 * how far abstention carried to new words in shared/notes/honesty-probe.md,
 * at twice DPO_FULL's step size for 240 steps (about 2.4 passes over the
 * mixed pairs): at 5e-5 the held-out refusal rate did not move.
 */
export const DPO_HHH: Readonly<DpoConfig> = Object.freeze({
  ...DPO_FULL,
  sftWeight: 1,
  lr: 1e-4,
  steps: 240,
});

/**
 * A recipe with another loss: RPO's NLL term reads a pair's chosen side, so
 * an objective that learns from labelled responses (KTO) runs without it.
 */
export function recipeForLoss(base: Readonly<DpoConfig>, loss: DpoLoss): DpoConfig {
  const unit = (PAIR_OBJECTIVES[loss] as PairObjective).unit;
  return { ...base, loss, ...(unit === "response" ? { sftWeight: 0 } : {}) };
}

/** A seconds-long run for tests and smoke checks. */
export const DPO_QUICK: Readonly<DpoConfig> = Object.freeze({
  ...DPO_FULL,
  steps: 10,
  warmupSteps: 2,
  batchSize: 8,
  logEvery: 2,
  evalEvery: 5,
});

export function dpoConfig(
  overrides: Partial<DpoConfig> = {},
  base: Readonly<DpoConfig> = DPO_FULL,
): Readonly<DpoConfig> {
  const c = resolveLoopConfig("DpoConfig", base, SPEC, overrides);
  if (!(c.beta > 0))
    throw new Error(
      `DpoConfig.beta = ${c.beta} must be > 0: β is the KL constraint's strength (β → 0 ignores the reference; ` +
        `IPO divides by it); the DPO paper uses 0.05 to 5`,
    );
  // A knob the chosen loss never reads would be ignored without a word.
  for (const [k, p] of Object.entries(OBJECTIVE_PARAMS) as [ObjectiveParamName, ObjectiveParam][]) {
    if (c[k] !== p.default && !p.readBy.includes(c.loss))
      throw new Error(
        `DpoConfig.${k} = ${c[k]} is read by loss ${p.readBy.map((l) => `"${l}"`).join(", ")} only ` +
          `(loss is "${c.loss}"); set loss: "${p.readBy[0]}" (--loss ${p.readBy[0]}) or leave ${k} at ${p.default}`,
      );
  }
  const unit = (PAIR_OBJECTIVES[c.loss] as PairObjective).unit;
  if (unit === "response" && c.sftWeight > 0)
    throw new Error(
      `DpoConfig.sftWeight = ${c.sftWeight} adds an NLL term on each pair's chosen response, but loss ` +
        `"${c.loss}" learns from labelled responses, not pairs; leave sftWeight at 0`,
    );
  if (unit === "response" && c.microBatchSize < 2)
    throw new Error(
      `DpoConfig.microBatchSize = 1: loss "${c.loss}" estimates its reference point from each response under ` +
        `another prompt of its micro-batch; use microBatchSize ≥ 2`,
    );
  return c;
}

/** What a DPO run keeps on record. */
export interface DpoNotes extends PairNotes {
  /** The reference it was measured against, and where its pairs came from. */
  reference?: string;
  pairs?: string;
  /** Seconds spent on the reference's log-probs before the first step. */
  referenceSeconds?: number;
  [key: string]: unknown;
}

export interface DpoArgs {
  /** The policy, trained in place (usually a copy of the reference). */
  model: GPT;
  /** Frozen: only its log-probs are read, once. */
  reference: GPT;
  tokenizer: BpeTokenizer;
  /** The reference's tokenizer, when it was loaded separately: checked against `tokenizer`. */
  referenceTokenizer?: BpeTokenizer;
  /** Pair groups; those that already carry `refLogps` (withReferenceLogps) skip the reference pass. */
  train: readonly (PairGroup | RefGroup)[];
  config: Readonly<DpoConfig>;
  /** Held-out groups: `val/loss` and `val/rewards_accuracy` at every evaluation. */
  val?: readonly (PairGroup | RefGroup)[];
  /** Extra evaluation merged into each eval row (e.g. held-out gold of samples). */
  evaluate?: (step: number) => MetricRow;
  checkpointDir?: string;
  resumeFrom?: string;
  progress?: ProgressSink;
  notes?: Partial<DpoNotes>;
}

/** Refuse a reference that cannot be compared with the policy token by token. */
export function checkReference(a: Pick<DpoArgs, "model" | "reference" | "tokenizer" | "referenceTokenizer">) {
  if (a.reference.config.vocabSize !== a.model.config.vocabSize)
    throw new Error(
      `DPO: the reference has a vocabulary of ${a.reference.config.vocabSize} tokens, the policy ` +
        `${a.model.config.vocabSize}; both must come from the same tokenizer (start the policy from the reference)`,
    );
  if (a.referenceTokenizer && !sameTokenizer(a.referenceTokenizer, a.tokenizer))
    throw new Error(
      "DPO: the reference's tokenizer differs from the policy's; use models trained from the same base",
    );
  if (a.reference === a.model)
    throw new Error(
      "DPO: the policy and the reference are the same object; train a copy (reference.clone())",
    );
}

/** Train `model` with an objective of the table on pair groups; returns the run record. */
export async function trainDpo(a: DpoArgs): Promise<RunRecord<DpoConfig, DpoNotes>> {
  const c = dpoConfig(a.config, a.config);
  checkReference(a);
  const objective: PairObjective = PAIR_OBJECTIVES[c.loss];
  const usable = (g: PairGroup) =>
    objective.unit === "pair" ? g.pairs.length > 0 : g.sequences.length > 0 && g.promptLength > 0;
  const train = a.train.filter(usable);
  checkPairs(train);
  if (train.length < c.batchSize)
    throw new Error(
      `DPO: ${train.length} prompts with pairs, fewer than one batch of ${c.batchSize}; add pairs or lower batchSize`,
    );
  const pad = a.tokenizer.special.pad;
  const t0 = Date.now();
  const refs = (gs: readonly (PairGroup | RefGroup)[]) =>
    objective.reference ? withReferenceLogps(a.reference, gs, pad) : withoutReference(gs);
  const groups = refs(train);
  const val = refs((a.val ?? []).filter(usable));
  const referenceSeconds = (Date.now() - t0) / 1000;
  const reference = objective.unit === "response" ? a.reference : undefined;
  return trainOnPairs<RefGroup, DpoConfig, DpoNotes>({
    method: "dpo",
    model: a.model,
    tokenizer: a.tokenizer,
    config: c,
    train: groups,
    val,
    objective: pairObjective(a.model, pad, objective, c, { sftWeight: c.sftWeight, reference }),
    valMetrics: (v) => pairEval(a.model, v, pad, objective, c, reference),
    evaluate: a.evaluate,
    checkpointDir: a.checkpointDir,
    resumeFrom: a.resumeFrom,
    progress: a.progress,
    notes: { ...a.notes, referenceSeconds },
  });
}

declare module "../run-record" {
  interface RunKinds {
    dpo: RunRecord<DpoConfig, DpoNotes>;
  }
}
