/**
 * A reward model: a GPT with a scalar head, and the small table that turns
 * its outputs into a score. For a prompt x and response y,
 *
 *   raw(x, y) = head(h_end) + λ · (1/|y|) Σ_t log p(y_t | x, y_<t)
 *   score     = (raw − mean) / std
 *
 * - `head(h_end)` is the scalar head read at the response's last token: its
 *   end token when it ended, its last token when it hit the length limit,
 *   so whether the response stopped is visible to the score.
 * - The likelihood term (weight λ) is the mean log-prob of the response
 *   under the reward model's own LM head (tied to its embedding, trained
 *   with it). Why: at this size the end-token head alone stays near chance
 *   on held-out pairs, even with ten thousand comparisons, while the SFT
 *   model's own likelihood already orders pairs as the gold reward does
 *   about three times in four (notebook 04 measures both). λ = 0 is
 *   InstructGPT's plain head.
 * - mean and std are set after training on SFT samples (`normaliseRewards`),
 *   so a KL coefficient β means the same against any reward model.
 *
 * Saved as a checkpoint folder with `reward.json` beside the weights.
 */
import * as fs from "fs";
import * as path from "path";
import { tf } from "../backend";
import type { RunRecord } from "../run-record";
import { mapGroupChunks, type Scorable } from "../data/preference";
import type { BpeTokenizer } from "../tokenizer/index";
import { saveCheckpoint } from "./checkpoint";
import type { GPT } from "./gpt";
import { loadModel } from "./load";

/** How raw outputs become a score. */
export interface RewardHead {
  /** λ: weight of the response's mean log-prob. */
  likelihoodWeight: number;
  /** Subtracted from raw scores (0 until normalised). */
  mean: number;
  /** Divides raw − mean (1 until normalised). */
  std: number;
}

export interface RewardModel {
  model: GPT;
  head: RewardHead;
}

/** A reward model over `model` (it must have a scalar head), not yet normalised. */
export function rewardModel(model: GPT, likelihoodWeight: number): RewardModel {
  if (!model.config.scalarHead)
    throw new Error("reward model: the model has no scalar head; make one with sft.withScalarHead()");
  return { model, head: { likelihoodWeight, mean: 0, std: 1 } };
}

/**
 * Scores of rows [rows] (differentiable). Rows are right-padded: with causal
 * attention a token never sees the padding after it, so a row's score does
 * not depend on its batch (a test checks batch 1 against batch 16, the
 * padding bug reward-bench found in reward-model code).
 */
export function endScores(
  rm: RewardModel,
  rows: readonly number[][],
  starts: readonly number[],
  padId: number,
): tf.Tensor1D {
  const { model, head } = rm;
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(B * T).fill(padId);
  const last = new Float32Array(B * T);
  const answer = new Float32Array(B * (T - 1)); // 1/|y| on the log-probs of response tokens
  rows.forEach((r, b) => {
    if (!(starts[b] > 0 && starts[b] < r.length))
      throw new Error(`endScores: row ${b} has no response tokens (start ${starts[b]}, length ${r.length})`);
    ids.set(r, b * T);
    last[b * T + r.length - 1] = 1;
    for (let t = starts[b]; t < r.length; t++) answer[b * (T - 1) + t - 1] = 1 / (r.length - starts[b]);
  });
  return tf.tidy(() => {
    const x = tf.tensor2d(ids, [B, T], "int32");
    const hidden = model.trunk(x).hidden;
    let raw: tf.Tensor = tf.sum(tf.mul(model.scores(hidden), tf.tensor2d(last, [B, T])), 1);
    if (head.likelihoodWeight !== 0) {
      const lp = model.sequenceLogProbs(x); // [B, T-1]
      const meanLp = tf.sum(tf.mul(lp, tf.tensor2d(answer, [B, T - 1])), 1);
      raw = tf.add(raw, tf.mul(head.likelihoodWeight, meanLp));
    }
    return tf.div(tf.sub(raw, head.mean), head.std) as tf.Tensor1D;
  });
}

/** Scores of every group's sequences (no gradient), in batches of about `rows` sequences. */
export function scoreGroups(
  rm: RewardModel,
  groups: readonly Scorable[],
  padId: number,
  rows = 32,
): number[][] {
  return mapGroupChunks(groups, (seqs, starts) => endScores(rm, seqs, starts, padId), rows);
}

/**
 * Set mean and std so that `scores` (this model's scores of SFT samples,
 * as it scores now) would have mean 0 and std 1. Order and pairwise
 * accuracy are unchanged. Returns the new head.
 */
export function normaliseRewards(rm: RewardModel, scores: readonly number[]): RewardHead {
  if (scores.length < 2) throw new Error(`normaliseRewards: need at least 2 scores, got ${scores.length}`);
  const m = scores.reduce((s, x) => s + x, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((s, x) => s + (x - m) ** 2, 0) / (scores.length - 1));
  if (!(sd > 0))
    throw new Error("normaliseRewards: every score is the same; the reward model has not learned");
  // Scores are (raw − mean)/std already: fold the new shift and scale into the old ones.
  rm.head = { ...rm.head, mean: rm.head.mean + m * rm.head.std, std: rm.head.std * sd };
  return rm.head;
}

const HEAD_FILE = "reward.json";

/** Save the model, tokenizer, run record and head table atomically into `dir`. */
export async function saveRewardModel(
  dir: string,
  rm: RewardModel,
  tokenizer: BpeTokenizer,
  run: RunRecord,
  step: number,
): Promise<void> {
  await saveCheckpoint(dir, { model: rm.model, tokenizer, run, step, extra: { [HEAD_FILE]: rm.head } });
}

/** A reward model folder written by `npm run rm`; errors name what is missing and how to make it. */
export function loadRewardModel(dir: string): RewardModel & { tokenizer: BpeTokenizer; run?: RunRecord } {
  const { model, tokenizer, run } = loadModel(dir);
  if (!model.config.scalarHead) {
    model.dispose();
    throw new Error(
      `${dir}: the model has no scalar head, so it is not a reward model; pass an RM folder (npm run rm)`,
    );
  }
  try {
    return { model, head: readRewardHead(dir), tokenizer, run };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** A reward-model folder's score table (reward.json), checked field by field. */
export function readRewardHead(dir: string): RewardHead {
  const file = path.join(dir, HEAD_FILE);
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: ${dir} is not a reward-model folder; train one with npm run rm`);
  const head = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<RewardHead>;
  for (const k of ["likelihoodWeight", "mean", "std"] as const)
    if (typeof head[k] !== "number" || !Number.isFinite(head[k]))
      throw new Error(`${file}: "${k}" must be a finite number; retrain with npm run rm`);
  return head as RewardHead;
}
