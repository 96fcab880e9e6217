/**
 * Direct preference optimisation (Rafailov et al. 2023) and its variants:
 * the policy learns from preference pairs directly, against a frozen
 * reference, with no reward model and no sampling.
 *
 * Every loss reads the same four numbers per pair, the summed log-probs of
 * the chosen and rejected responses under the policy (π_c, π_r) and under the
 * reference (ρ_c, ρ_r), through h = (π_c − ρ_c) − (π_r − ρ_r):
 *
 * | loss      | per pair                                         | paper |
 * |-----------|--------------------------------------------------|-------|
 * | `sigmoid` | −log σ(β h)                                      | DPO, Rafailov et al. 2023 |
 * | `cdpo`    | −(1−ε) log σ(β h) − ε log σ(−β h)                | conservative DPO: labels flipped with prob. ε (Mitchell 2023) |
 * | `ipo`     | (h − 1/(2β))²                                    | IPO, Azar et al. 2023 |
 * | `hinge`   | max(0, 1 − β h)                                  | SLiC, Zhao et al. 2023 |
 * | `simpo`   | −log σ(β (π_c/|y_c| − π_r/|y_r|) − γ)            | SimPO, Meng et al. 2024: no reference, length-normalised |
 *
 * Where this departs from TRL: IPO reads summed log-probs, as Azar et al.
 * write it (TRL averages them per token); batches hold whole prompts (all of
 * a prompt's pairs in one micro-batch, each distinct response scored once),
 * as the reward model's do (src/train/reward.ts).
 *
 * The reference's log-probs are computed once per dataset before the first
 * step (`referenceLogps`): the reference never changes, so a step costs one
 * forward and backward pass of the policy. The implicit reward of a response
 * is β (π − ρ) (β π/|y| for SimPO); its `rewards/*` metrics are TRL's.
 */
import { tf } from "../backend";
import type { ConfigSpec } from "../config";
import type { GPT } from "../model/gpt";
import { maskedLogProbs } from "../model/logprobs";
import { mapGroupChunks } from "../model/reward-model";
import { softplus } from "../model/ops";
import type { MetricRow } from "../metrics";
import type { RunRecord } from "../run-record";
import type { BpeTokenizer } from "../tokenizer/index";
import { sameTokenizer } from "../eval/kl";
import {
  LOOP_DEFAULTS,
  LOOP_SPEC,
  LoopConfig,
  Objective,
  ProgressSink,
  resolveLoopConfig,
  trainLoop,
} from "./loop";
import { groupBatches, PairGroup, pairMetrics } from "./reward";

export const DPO_LOSSES = ["sigmoid", "cdpo", "ipo", "hinge", "simpo"] as const;
export type DpoLoss = (typeof DPO_LOSSES)[number];

/** Per-pair inputs of a loss, each [P]. Lengths count response tokens (end token included). */
export interface PairLogps {
  policyChosen: tf.Tensor1D;
  policyRejected: tf.Tensor1D;
  refChosen: tf.Tensor1D;
  refRejected: tf.Tensor1D;
  lenChosen: tf.Tensor1D;
  lenRejected: tf.Tensor1D;
}

/** The knobs the losses read. */
export interface LossParams {
  beta: number;
  /** cDPO's ε: the probability that a label is flipped. */
  labelSmoothing: number;
  /** SimPO's target margin γ, in units of β-scaled mean log-prob. */
  simpoGamma: number;
}

/** h = (π_c − ρ_c) − (π_r − ρ_r): how much more the policy has raised chosen than rejected. */
export const logRatioMargin = (p: PairLogps): tf.Tensor1D =>
  tf.sub(tf.sub(p.policyChosen, p.refChosen), tf.sub(p.policyRejected, p.refRejected));

/** The loss of each pair, [P], by loss name (the table in the header). */
export const PAIR_LOSSES: Readonly<Record<DpoLoss, (p: PairLogps, c: LossParams) => tf.Tensor>> = {
  sigmoid: (p, c) => softplus(tf.mul(-c.beta, logRatioMargin(p))),
  cdpo: (p, c) => {
    const z = tf.mul(c.beta, logRatioMargin(p));
    return tf.add(tf.mul(1 - c.labelSmoothing, softplus(tf.neg(z))), tf.mul(c.labelSmoothing, softplus(z)));
  },
  ipo: (p, c) => tf.square(tf.sub(logRatioMargin(p), 1 / (2 * c.beta))),
  hinge: (p, c) => tf.relu(tf.sub(1, tf.mul(c.beta, logRatioMargin(p)))),
  simpo: (p, c) => {
    const norm = tf.sub(tf.div(p.policyChosen, p.lenChosen), tf.div(p.policyRejected, p.lenRejected));
    return softplus(tf.neg(tf.sub(tf.mul(c.beta, norm), c.simpoGamma)));
  },
};

/** Implicit rewards of the chosen and rejected responses: β (π − ρ), or β π/|y| for SimPO. */
export function implicitRewards(p: PairLogps, loss: DpoLoss, beta: number) {
  return tf.tidy(() =>
    loss === "simpo"
      ? {
          chosen: tf.mul(beta, tf.div(p.policyChosen, p.lenChosen)),
          rejected: tf.mul(beta, tf.div(p.policyRejected, p.lenRejected)),
        }
      : {
          chosen: tf.mul(beta, tf.sub(p.policyChosen, p.refChosen)),
          rejected: tf.mul(beta, tf.sub(p.policyRejected, p.refRejected)),
        },
  );
}

/** `batchSize` and `microBatchSize` (the loop's) count prompts, each with all its pairs. */
export interface DpoConfig extends LoopConfig {
  loss: DpoLoss;
  /** β: strength of the KL constraint (DPO, cDPO, hinge: inverse temperature; IPO: target margin 1/(2β)); > 0. */
  beta: number;
  /** cDPO's ε in [0, 0.5); the other losses ignore it. */
  labelSmoothing: number;
  /** SimPO's γ; the other losses ignore it. */
  simpoGamma: number;
  /**
   * Weight α of an NLL term on the chosen responses (mean per token), added
   * to any loss: RPO (Pang et al. 2024), TRL's `rpo_alpha`. It keeps the
   * chosen responses likely while the margin grows; 0 = off.
   */
  sftWeight: number;
}

const SPEC: ConfigSpec<DpoConfig> = {
  ...LOOP_SPEC,
  loss: { doc: "the pair loss", oneOf: DPO_LOSSES },
  beta: { doc: "KL strength β, > 0 (the DPO paper: 0.05 to 5)", min: 0 },
  labelSmoothing: { doc: "cDPO's label-flip probability ε, 0 ≤ ε < 0.5", min: 0, max: 0.499 },
  simpoGamma: { doc: "SimPO's target margin γ", min: 0 },
  sftWeight: { doc: "RPO's α: weight of the chosen responses' NLL, 0 = off", min: 0 },
};

/**
 * The recipe of data/models/dpo (`npm run dpo`): β = 0.1 (the DPO paper's
 * default), about one epoch over the committed comparisons' prompts.
 */
export const DPO_FULL: Readonly<DpoConfig> = Object.freeze({
  ...LOOP_DEFAULTS,
  loss: "sigmoid",
  beta: 0.1,
  labelSmoothing: 0,
  simpoGamma: 0,
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
  if (c.labelSmoothing > 0 && c.loss !== "cdpo")
    throw new Error(
      `DpoConfig.labelSmoothing = ${c.labelSmoothing} is read by loss "cdpo" only (loss is "${c.loss}"); ` +
        `set loss: "cdpo" (--loss cdpo) or leave labelSmoothing at 0`,
    );
  if (c.simpoGamma > 0 && c.loss !== "simpo")
    throw new Error(
      `DpoConfig.simpoGamma = ${c.simpoGamma} is read by loss "simpo" only (loss is "${c.loss}"); ` +
        `set loss: "simpo" or leave simpoGamma at 0`,
    );
  return c;
}

/**
 * Summed log-probs of each sequence's response tokens (from `start` on),
 * differentiable: rows are right-padded, so padding never changes a row's values.
 */
export function responseSums(
  model: GPT,
  rows: readonly number[][],
  starts: readonly number[],
  padId: number,
): tf.Tensor1D {
  const B = rows.length;
  const T = Math.max(2, ...rows.map((r) => r.length));
  const tokens = new Int32Array(B * T).fill(padId);
  const weights = new Float32Array(B * (T - 1));
  rows.forEach((r, b) => {
    tokens.set(r, b * T);
    // weights[t] is the weight of predicting token t + 1.
    for (let t = starts[b]; t < r.length; t++) weights[b * (T - 1) + t - 1] = 1;
  });
  return maskedLogProbs(model, { tokens, weights, B, T }, "sum");
}

/** The reference's summed response log-probs of every sequence of every group (no gradient). */
export function referenceLogps(
  reference: GPT,
  groups: readonly PairGroup[],
  padId: number,
  rows = 32,
): number[][] {
  return mapGroupChunks(groups, (seqs, starts) => responseSums(reference, seqs, starts, padId), rows);
}

/** A group of pairs with its reference log-probs (one per sequence). */
export interface DpoGroup extends PairGroup {
  refLogps: number[];
}

/**
 * Groups with their reference log-probs: computed for the groups that lack
 * them, kept for those that have them (so runs on one dataset share one pass).
 */
export function withReferenceLogps(
  reference: GPT,
  groups: readonly (PairGroup | DpoGroup)[],
  padId: number,
): DpoGroup[] {
  const missing = groups.filter((g) => !("refLogps" in g));
  const ref = referenceLogps(reference, missing, padId);
  const found = new Map(missing.map((g, i) => [g, ref[i]]));
  return groups.map((g) => ("refLogps" in g ? g : { ...g, refLogps: found.get(g)! }));
}

/** Refuse pairs DPO cannot learn from, naming where they came from. */
export function checkPairs(groups: readonly PairGroup[]): void {
  const bad: string[] = [];
  for (const g of groups)
    for (const [c, r] of g.pairs) {
      if (c === r)
        bad.push(
          `${g.source}: a pair's chosen and rejected responses are the same text; ` +
            `it carries no preference (h is 0 whatever the policy does): drop it`,
        );
      else if (g.sequences[c].length <= g.promptLength || g.sequences[r].length <= g.promptLength)
        bad.push(`${g.source}: a pair has an empty response; drop it`);
    }
  if (bad.length) throw new Error(`DPO: ${bad.length} unusable pair(s):\n${bad.slice(0, 10).join("\n")}`);
}

/** The four log-prob sums and lengths of a micro-batch's pairs, policy side differentiable. */
function microPairs(model: GPT, micro: readonly DpoGroup[], padId: number): PairLogps {
  const offsets: number[] = [];
  let k = 0;
  for (const g of micro) (offsets.push(k), (k += g.sequences.length));
  const sums = responseSums(
    model,
    micro.flatMap((g) => g.sequences),
    micro.flatMap((g) => g.sequences.map(() => g.promptLength)),
    padId,
  );
  const side = (s: 0 | 1) => micro.flatMap((g, i) => g.pairs.map((p) => offsets[i] + p[s]));
  const [ci, ri] = [side(0), side(1)];
  const P = ci.length;
  // Pick each pair's sums with a 0/1 matrix [P, N]: Gather has no gradient kernel on wasm.
  const pick = (idx: number[]) => {
    const m = new Float32Array(P * k);
    idx.forEach((j, p) => (m[p * k + j] = 1));
    return tf.sum(tf.mul(tf.tensor2d(m, [P, k]), sums), 1) as tf.Tensor1D;
  };
  const flat = (f: (g: DpoGroup, j: number) => number) =>
    micro.flatMap((g) => g.sequences.map((_, j) => f(g, j)));
  const ref = flat((g, j) => g.refLogps[j]);
  const len = flat((g, j) => g.sequences[j].length - g.promptLength);
  return {
    policyChosen: pick(ci),
    policyRejected: pick(ri),
    refChosen: tf.tensor1d(ci.map((j) => ref[j])),
    refRejected: tf.tensor1d(ri.map((j) => ref[j])),
    lenChosen: tf.tensor1d(ci.map((j) => len[j])),
    lenRejected: tf.tensor1d(ri.map((j) => len[j])),
  };
}

const pairCount = (m: readonly PairGroup[]) => m.reduce((n, g) => n + g.pairs.length, 0);

/** Mean pair loss over the step's pairs (exact accumulation), keeping what the metrics need. */
function dpoObjective(model: GPT, padId: number, c: DpoConfig): Objective<DpoGroup[]> {
  let seen = { rc: [] as number[], rr: [] as number[], lc: [] as number[], lr: [] as number[] };
  return {
    loss: (micro, norm) => {
      const p = microPairs(model, micro, padId);
      const r = implicitRewards(p, c.loss, c.beta);
      seen.rc.push(...r.chosen.dataSync());
      seen.rr.push(...r.rejected.dataSync());
      seen.lc.push(...p.policyChosen.dataSync());
      seen.lr.push(...p.policyRejected.dataSync());
      let loss = PAIR_LOSSES[c.loss](p, c);
      if (c.sftWeight > 0) loss = tf.sub(loss, tf.mul(c.sftWeight, tf.div(p.policyChosen, p.lenChosen)));
      return tf.div(tf.sum(loss), norm) as tf.Scalar;
    },
    normalizer: (micros) => micros.reduce((n, m) => n + pairCount(m), 0),
    tokens: (m) => m.reduce((n, g) => n + g.sequences.reduce((t, s) => t + s.length, 0), 0),
    stepMetrics: () => {
      const row: MetricRow = {
        ...pairMetrics(seen.rc, seen.rr),
        "logps/chosen": mean(seen.lc),
        "logps/rejected": mean(seen.lr),
      };
      seen = { rc: [], rr: [], lc: [], lr: [] };
      return row;
    },
  };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Loss and rewards/* of held-out groups under the current policy (no gradient). */
export function pairEval(
  model: GPT,
  groups: readonly DpoGroup[],
  padId: number,
  c: LossParams & { loss: DpoLoss },
) {
  let loss = 0,
    n = 0;
  const rc: number[] = [],
    rr: number[] = [];
  for (let i = 0; i < groups.length; i += 8) {
    tf.tidy(() => {
      const p = microPairs(model, groups.slice(i, i + 8) as DpoGroup[], padId);
      const r = implicitRewards(p, c.loss, c.beta);
      loss += tf.sum(PAIR_LOSSES[c.loss](p, c)).dataSync()[0];
      n += p.policyChosen.shape[0];
      rc.push(...r.chosen.dataSync());
      rr.push(...r.rejected.dataSync());
    });
  }
  const m = pairMetrics(rc, rr);
  return { loss: loss / n, accuracy: m["rewards/accuracies"], margin: m["rewards/margins"] };
}

/** What a DPO run keeps on record. */
export interface DpoNotes {
  trainGroups: number;
  trainPairs: number;
  valGroups: number;
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
  train: readonly (PairGroup | DpoGroup)[];
  config: Readonly<DpoConfig>;
  /** Held-out groups: `val/loss` and `val/rewards_accuracy` at every evaluation. */
  val?: readonly (PairGroup | DpoGroup)[];
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

/** Train `model` with a DPO-family loss on pair groups; returns the run record. */
export async function trainDpo(a: DpoArgs): Promise<RunRecord<DpoConfig, DpoNotes>> {
  const c = dpoConfig(a.config, a.config);
  checkReference(a);
  const train = a.train.filter((g) => g.pairs.length > 0);
  checkPairs(train);
  if (train.length < c.batchSize)
    throw new Error(
      `DPO: ${train.length} prompts with pairs, fewer than one batch of ${c.batchSize}; add pairs or lower batchSize`,
    );
  const pad = a.tokenizer.special.pad;
  const t0 = Date.now();
  const groups = withReferenceLogps(a.reference, train, pad);
  const val = withReferenceLogps(
    a.reference,
    (a.val ?? []).filter((g) => g.pairs.length > 0),
    pad,
  );
  const referenceSeconds = (Date.now() - t0) / 1000;
  const evaluate =
    val.length || a.evaluate
      ? (step: number): MetricRow => {
          const row: MetricRow = {};
          if (val.length) {
            const r = pairEval(a.model, val, pad, c);
            row["val/loss"] = r.loss;
            row["val/rewards_accuracy"] = r.accuracy;
          }
          return { ...row, ...(a.evaluate?.(step) ?? {}) };
        }
      : undefined;
  return trainLoop<DpoGroup[], DpoConfig, DpoNotes>({
    method: "dpo",
    model: a.model,
    config: c,
    objective: dpoObjective(a.model, pad, c),
    batches: (step) => groupBatches(groups, step, c),
    evaluate,
    checkpointDir: a.checkpointDir,
    resumeFrom: a.resumeFrom,
    tokenizer: a.tokenizer,
    progress: a.progress,
    notes: {
      ...a.notes,
      trainGroups: groups.length,
      trainPairs: pairCount(groups),
      valGroups: val.length,
      referenceSeconds,
    },
  });
}

declare module "../run-record" {
  interface RunKinds {
    dpo: RunRecord<DpoConfig, DpoNotes>;
  }
}
