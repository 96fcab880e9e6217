/**
 * Pair training: what the reward model (src/train/reward.ts) and every
 * pairwise objective (src/train/objectives.ts, trained by src/train/dpo.ts)
 * share.
 *
 * - Batches hold whole prompts: all of a prompt's pairs in one micro-batch,
 *   each distinct response scored once (InstructGPT's grouping).
 * - The reference's log-probs are computed once per dataset before the first
 *   step (`withReferenceLogps`): the reference never changes, so a step costs
 *   one forward and backward pass of the policy. Objectives that never read
 *   the reference (SimPO, ORPO) skip that pass.
 * - Each pair's value is picked from its micro-batch's per-response values
 *   with a 0/1 matrix (`pickPairs`): Gather has no gradient kernel on wasm.
 * - One loop (`trainOnPairs`) runs both trainers: batches by step, held-out
 *   `val/loss` and `val/rewards_accuracy`, the counts on record.
 */
import { tf } from "../backend";
import { groupBatches, labelsOf, mapGroupChunks, pairCount, type PairGroup } from "../data/preference";
import type { GPT } from "../model/gpt";
import { maskedLogProbs, padResponses } from "../model/logprobs";
import type { MetricRow } from "../metrics";
import type { RunRecord } from "../run-record";
import type { BpeTokenizer } from "../tokenizer/index";
import { LoopConfig, Objective, ProgressSink, trainLoop } from "./loop";
import type { LabelledLogps, LossParams, ObjectiveInputs, PairLogps, PairObjective } from "./objectives";

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
  const laid = padResponses(
    rows.map((tokens, b) => ({ tokens, start: starts[b] })),
    padId,
  );
  return maskedLogProbs(model, laid, "sum");
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

/** A group with its reference log-probs (one per sequence). */
export interface RefGroup extends PairGroup {
  refLogps: number[];
}

/**
 * Groups with their reference log-probs: computed for the groups that lack
 * them, kept for those that have them (so runs on one dataset share one pass).
 */
export function withReferenceLogps(
  reference: GPT,
  groups: readonly (PairGroup | RefGroup)[],
  padId: number,
): RefGroup[] {
  const missing = groups.filter((g) => !("refLogps" in g));
  const ref = referenceLogps(reference, missing, padId);
  const found = new Map(missing.map((g, i) => [g, ref[i]]));
  return groups.map((g) => ("refLogps" in g ? g : { ...g, refLogps: found.get(g)! }));
}

/** Groups for an objective that never reads the reference: log-probs 0, no pass made. */
export const withoutReference = (groups: readonly (PairGroup | RefGroup)[]): RefGroup[] =>
  groups.map((g) => ("refLogps" in g ? g : { ...g, refLogps: g.sequences.map(() => 0) }));

/** Refuse pairs no pair objective can learn from, naming where they came from. */
export function checkPairs(groups: readonly PairGroup[], who = "DPO"): void {
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
  if (bad.length) throw new Error(`${who}: ${bad.length} unusable pair(s):\n${bad.slice(0, 10).join("\n")}`);
}

/** A micro-batch's sequences in one list, with where each group's rows begin. */
export function flatRows(micro: readonly PairGroup[]) {
  const offsets: number[] = [];
  let n = 0;
  for (const g of micro) (offsets.push(n), (n += g.sequences.length));
  return {
    rows: micro.flatMap((g) => g.sequences),
    starts: micro.flatMap((g) => g.sequences.map(() => g.promptLength)),
    offsets,
    n,
  };
}

/** Rows of a 0/1 matrix [idx.length, n] that picks entries `idx` of a vector [n] (differentiable). */
export function pickRows(values: tf.Tensor1D, idx: readonly number[], n: number): tf.Tensor1D {
  const m = new Float32Array(idx.length * n);
  idx.forEach((j, p) => (m[p * n + j] = 1));
  return tf.sum(tf.mul(tf.tensor2d(m, [idx.length, n]), values), 1) as tf.Tensor1D;
}

/** Each pair's position in its micro-batch's flat rows, chosen side (0) or rejected side (1). */
export const pairSide = (micro: readonly PairGroup[], offsets: readonly number[], s: 0 | 1): number[] =>
  micro.flatMap((g, i) => g.pairs.map((p) => offsets[i] + p[s]));

/** Each pair's chosen and rejected values [P] from per-row values [N] of a micro-batch. */
export function pickPairs(micro: readonly PairGroup[], values: tf.Tensor1D) {
  const { offsets, n } = flatRows(micro);
  return {
    chosen: pickRows(values, pairSide(micro, offsets, 0), n),
    rejected: pickRows(values, pairSide(micro, offsets, 1), n),
  };
}

/** The registered rewards/* metrics of P pairs of scores (plain numbers). */
export function pairMetrics(chosen: ArrayLike<number>, rejected: ArrayLike<number>) {
  const n = chosen.length;
  if (n === 0 || rejected.length !== n)
    throw new Error(`pairMetrics: need as many chosen as rejected scores, got ${n} and ${rejected.length}`);
  let c = 0,
    r = 0,
    wins = 0;
  for (let i = 0; i < n; i++) {
    c += chosen[i];
    r += rejected[i];
    if (chosen[i] > rejected[i]) wins++;
  }
  return {
    "rewards/chosen": c / n,
    "rewards/rejected": r / n,
    "rewards/margins": (c - r) / n,
    "rewards/accuracies": wins / n,
  };
}

/** The four log-prob sums and lengths of a micro-batch's pairs, policy side differentiable. */
function pairLogps(micro: readonly RefGroup[], sums: tf.Tensor1D): PairLogps {
  const { offsets, n } = flatRows(micro);
  const [ci, ri] = [pairSide(micro, offsets, 0), pairSide(micro, offsets, 1)];
  const flat = (f: (g: RefGroup, j: number) => number) =>
    micro.flatMap((g) => g.sequences.map((_, j) => f(g, j)));
  const ref = flat((g, j) => g.refLogps[j]);
  const len = flat((g, j) => g.sequences[j].length - g.promptLength);
  return {
    policyChosen: pickRows(sums, ci, n),
    policyRejected: pickRows(sums, ri, n),
    refChosen: tf.tensor1d(ci.map((j) => ref[j])),
    refRejected: tf.tensor1d(ri.map((j) => ref[j])),
    lenChosen: tf.tensor1d(ci.map((j) => len[j])),
    lenRejected: tf.tensor1d(ri.map((j) => len[j])),
  };
}

/** Labelled responses (label ≠ 0) of a micro-batch: their flat row, group, and whether desirable. */
function labelledRows(micro: readonly PairGroup[], offsets: readonly number[]) {
  return micro.flatMap((g, i) =>
    labelsOf(g).flatMap((l, j) =>
      l === 0 ? [] : [{ row: offsets[i] + j, group: i, seq: j, desirable: l > 0 }],
    ),
  );
}

/** Units of the loss in some groups: pairs, or labelled responses. */
export const unitCount = (micro: readonly PairGroup[], unit: PairObjective["unit"]) =>
  unit === "pair"
    ? pairCount(micro)
    : micro.reduce((n, g) => n + labelsOf(g).filter((l) => l !== 0).length, 0);

/**
 * Mean of π − ρ over mismatched rows (no gradient): each labelled response
 * under the next group's prompt, cyclically, as Ethayarajh et al. estimate
 * KTO's reference point from a micro-batch. Rows that do not fit the context
 * are left out; a micro-batch of one prompt has no mismatched row and gives 0.
 */
export function mismatchedKl(
  policy: GPT,
  reference: GPT,
  micro: readonly PairGroup[],
  padId: number,
): number {
  if (micro.length < 2) return 0;
  const ctx = policy.config.contextLength;
  const rows: number[][] = [];
  const starts: number[] = [];
  micro.forEach((g, i) => {
    const next = micro[(i + 1) % micro.length];
    const prompt = next.sequences[0].slice(0, next.promptLength);
    labelsOf(g).forEach((l, j) => {
      const row = [...prompt, ...g.sequences[j].slice(g.promptLength)];
      if (l !== 0 && row.length <= ctx) (rows.push(row), starts.push(prompt.length));
    });
  });
  if (rows.length === 0) return 0;
  return tf.tidy(() => {
    const d = tf.sub(responseSums(policy, rows, starts, padId), responseSums(reference, rows, starts, padId));
    return tf.mean(d).dataSync()[0];
  });
}

/** What an objective reads of one micro-batch, the policy's side differentiable. */
export function objectiveInputs(
  model: GPT,
  micro: readonly RefGroup[],
  padId: number,
  o: { unit: PairObjective["unit"]; reference?: GPT },
): ObjectiveInputs {
  const { rows, starts, offsets, n } = flatRows(micro);
  const sums = responseSums(model, rows, starts, padId);
  const pairs = pairLogps(micro, sums);
  if (o.unit === "pair") return { pairs };
  if (!o.reference) throw new Error("objectiveInputs: an unpaired objective needs the reference model");
  const lab = labelledRows(micro, offsets);
  const labelled: LabelledLogps = {
    policy: pickRows(
      sums,
      lab.map((u) => u.row),
      n,
    ),
    ref: tf.tensor1d(lab.map((u) => micro[u.group].refLogps[u.seq])),
    len: tf.tensor1d(lab.map((u) => micro[u.group].sequences[u.seq].length - micro[u.group].promptLength)),
    desirable: tf.tensor1d(lab.map((u) => (u.desirable ? 1 : 0))),
    mismatchedKl: mismatchedKl(model, o.reference, micro, padId),
  };
  return { pairs, labelled };
}

/** Settings of `pairObjective`. */
export interface PairObjectiveOptions {
  /** RPO's α: weight of the chosen responses' NLL per token, added to pair objectives; 0 = off. */
  sftWeight: number;
  /** The frozen reference, for objectives that measure it during training (KTO's reference point). */
  reference?: GPT;
}

/**
 * An objective from the table as the loop optimises it: the mean loss over
 * the step's units (exact accumulation: each micro-batch's sum over the
 * step's count), keeping what the rewards/* and logps/* metrics need.
 */
export function pairObjective(
  model: GPT,
  padId: number,
  objective: PairObjective,
  c: LossParams,
  o: PairObjectiveOptions,
): Objective<RefGroup[]> {
  let seen = { rc: [] as number[], rr: [] as number[], lc: [] as number[], lr: [] as number[] };
  return {
    loss: (micro, norm) => {
      const x = objectiveInputs(model, micro, padId, { unit: objective.unit, reference: o.reference });
      const p = x.pairs;
      if (p.policyChosen.shape[0] > 0) {
        const r = tf.tidy(() => objective.rewards(p, c));
        seen.rc.push(...r.chosen.dataSync());
        seen.rr.push(...r.rejected.dataSync());
        tf.dispose([r.chosen, r.rejected]);
        seen.lc.push(...p.policyChosen.dataSync());
        seen.lr.push(...p.policyRejected.dataSync());
      }
      let loss = objective.loss(x, c) as tf.Tensor;
      if (o.sftWeight > 0) loss = tf.sub(loss, tf.mul(o.sftWeight, tf.div(p.policyChosen, p.lenChosen)));
      return tf.div(tf.sum(loss), norm) as tf.Scalar;
    },
    normalizer: (micros) => micros.reduce((n, m) => n + unitCount(m, objective.unit), 0),
    tokens: (m) => m.reduce((n, g) => n + g.sequences.reduce((t, s) => t + s.length, 0), 0),
    stepMetrics: () => {
      // A step whose prompts hold no pair (KTO on all-desirable labels) has no rewards/* to log.
      const row: MetricRow = seen.rc.length
        ? { ...pairMetrics(seen.rc, seen.rr), "logps/chosen": mean(seen.lc), "logps/rejected": mean(seen.lr) }
        : {};
      seen = { rc: [], rr: [], lc: [], lr: [] };
      return row;
    },
  };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Loss and rewards/* of held-out groups under the current policy (no gradient). */
export function pairEval(
  model: GPT,
  groups: readonly RefGroup[],
  padId: number,
  objective: PairObjective,
  c: LossParams,
  reference?: GPT,
) {
  let loss = 0,
    n = 0;
  const rc: number[] = [],
    rr: number[] = [];
  for (let i = 0; i < groups.length; i += 8) {
    tf.tidy(() => {
      const micro = groups.slice(i, i + 8);
      const x = objectiveInputs(model, micro, padId, { unit: objective.unit, reference });
      const r = objective.rewards(x.pairs, c);
      loss += tf.sum(objective.loss(x, c)).dataSync()[0];
      n += unitCount(micro, objective.unit);
      rc.push(...r.chosen.dataSync());
      rr.push(...r.rejected.dataSync());
    });
  }
  const m = rc.length ? pairMetrics(rc, rr) : undefined;
  return {
    loss: loss / n,
    accuracy: m?.["rewards/accuracies"] ?? NaN,
    margin: m?.["rewards/margins"] ?? NaN,
  };
}

/** The counts every pair-trained run keeps on record. */
export interface PairNotes {
  trainGroups: number;
  trainPairs: number;
  valGroups: number;
}

/** What `trainOnPairs` runs: a trainer's objective and held-out measure over pair groups. */
export interface PairTraining<G extends PairGroup, C extends LoopConfig, N extends PairNotes> {
  method: string;
  model: GPT;
  tokenizer: BpeTokenizer;
  config: C;
  train: readonly G[];
  val: readonly G[];
  objective: Objective<G[]>;
  /** Held-out loss and pairwise accuracy (`val/loss`, `val/rewards_accuracy`). */
  valMetrics: (val: readonly G[]) => { loss: number; accuracy: number };
  /** Extra evaluation merged into each eval row (e.g. held-out gold of samples). */
  evaluate?: (step: number) => MetricRow;
  checkpointDir?: string;
  resumeFrom?: string;
  progress?: ProgressSink;
  notes?: Omit<N, keyof PairNotes> & Partial<PairNotes>;
}

/** The one loop of the reward model and the pairwise objectives: whole prompts per micro-batch. */
export async function trainOnPairs<G extends PairGroup, C extends LoopConfig, N extends PairNotes>(
  a: PairTraining<G, C, N>,
): Promise<RunRecord<C, N>> {
  const evaluate =
    a.val.length || a.evaluate
      ? (step: number): MetricRow => {
          const row: MetricRow = {};
          if (a.val.length) {
            const r = a.valMetrics(a.val);
            row["val/loss"] = r.loss;
            row["val/rewards_accuracy"] = r.accuracy;
          }
          return { ...row, ...(a.evaluate?.(step) ?? {}) };
        }
      : undefined;
  return trainLoop<G[], C, N>({
    method: a.method,
    model: a.model,
    config: a.config,
    objective: a.objective,
    batches: (step) => groupBatches(a.train, step, a.config),
    evaluate,
    checkpointDir: a.checkpointDir,
    resumeFrom: a.resumeFrom,
    tokenizer: a.tokenizer,
    progress: a.progress,
    notes: {
      ...a.notes,
      trainGroups: a.train.length,
      trainPairs: pairCount(a.train),
      valGroups: a.val.length,
    } as N,
  });
}
