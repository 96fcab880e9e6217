/**
 * PPO's rollout, in the steps `trainPpo` names:
 *
 * 1. `collectRollout`: sample k responses per prompt from the policy at
 *    temperature 1, and read each response token's log-prob under the policy
 *    (the update's π_old) and the reference, and the critic's value;
 * 2. `scoreRollout`: the reward model's score at the end token, the caller's
 *    `scoreBonus`, the missing-end penalty, and the caller's `hooks.score`
 *    (the gold reward, for the record only);
 * 3. `assignAdvantages`: each row's advantages and returns, by the config's
 *    estimator;
 * 4. `rolloutMetrics`, `sampleTable` and `rolloutBatch`: what the step logs,
 *    keeps and hands to the update.
 *
 * The update that trains on the rows is src/train/ppo-update.ts; the math on
 * plain numbers is src/train/ppo-math.ts.
 */
import type { EvalItem } from "../data/tasks/eval-sets";
import { mean } from "../eval/stats";
import { generate } from "../model/generate";
import type { GPT } from "../model/gpt";
import { responseLogProbs, responseLogProbsAndValues } from "../model/logprobs";
import { endScores, RewardModel } from "../model/reward-model";
import type { MetricRow } from "../metrics";
import type { BpeTokenizer } from "../tokenizer/index";
import type { PpoConfig } from "./ppo-config";
import { gae, grpoAdvantages, klEstimates, rlooAdvantages, tokenRewards, whiten } from "./ppo-math";

/** One sampled response with what the update needs, per response token. */
export interface RolloutRow {
  /** Prompt + response token ids. */
  tokens: number[];
  /** Index of the first response token. */
  start: number;
  /** Index into the step's prompts. */
  prompt: number;
  stopped: boolean;
  oldLogp: number[];
  refLogp: number[];
  /** Value estimate before each response token (zeros without a critic). */
  values: number[];
  advantages: number[];
  returns: number[];
}

/** A sampled response as the score hooks see it. */
export interface RolloutResponse {
  /** The sampled response ids (the end token included when it stopped). */
  tokens: readonly number[];
  /** The response decoded, special tokens left out. */
  text: string;
  /** Whether it ended with the end token within `maxNewTokens`. */
  stopped: boolean;
}

/**
 * What a caller adds to each rollout. src/train knows no judge: a caller
 * that wants the gold reward logged beside the proxy passes it here.
 */
export interface PpoHooks {
  /**
   * Scores the rollout's responses for the record only: no score, advantage
   * or loss reads what it returns. `responses[i].item` is the prompt item
   * response i answers. `perRow[i]` is kept as response i's `gold` in
   * `notes.samples` (and the rollout's responses); `metrics` join the step's
   * logged row, after `objective/rlhf_reward`.
   */
  score?: (responses: readonly (RolloutResponse & { item: EvalItem })[]) => {
    perRow?: number[];
    metrics?: MetricRow;
  };
}

/** What one rollout produced: the rows the updates train on, and what a reader sees of them. */
export interface RolloutBatch {
  rows: RolloutRow[];
  /** Decoded responses with their scores (the per-step table). */
  responses: {
    prompt: number;
    text: string;
    stopped: boolean;
    score: number;
    /** `hooks.score`'s number for the response, when a hook gave one. */
    gold?: number;
    kl: number;
  }[];
  beta: number;
}

/** Step 1's output: the rows (advantages and returns still empty), their responses and KLs. */
export interface Collected {
  rows: RolloutRow[];
  responses: RolloutResponse[];
  /** Per row: k1 and k3 estimates of KL(π ‖ π_ref) over its response tokens. */
  kls: { k1: number; k3: number }[];
}

/** Rows per forward pass when reading a rollout's log-probs, values and scores. */
export const rolloutChunk = (c: PpoConfig) => Math.max(c.microBatchSize, 8);

/**
 * Step 1: k samples of each prompt (`prompts`: rendered ids, the step's
 * prompts in order) from the policy at temperature 1 with no truncation,
 * then each response token's log-prob under the policy and the reference and
 * (gae) the critic's value before it; rows of prompt p are p·k .. p·k + k − 1.
 */
export function collectRollout(
  models: { policy: GPT; reference: GPT },
  prompts: readonly number[][],
  c: PpoConfig,
  tok: BpeTokenizer,
  seed: number,
): Collected {
  const { pad, eos } = tok.special;
  const k = c.samplesPerPrompt;
  const ids = prompts.flatMap((p) => Array.from({ length: k }, () => p));
  const g = generate(models.policy, ids, {
    maxNewTokens: c.maxNewTokens,
    temperature: 1,
    seed,
    stopTokens: [eos],
    padId: pad,
  });
  const seqs = ids.map((p, i) => ({ tokens: [...p, ...g.tokens[i]], start: p.length }));
  const o = { pad, chunk: rolloutChunk(c) };
  const pol =
    c.advantage === "gae"
      ? responseLogProbsAndValues(models.policy, seqs, o)
      : {
          logp: responseLogProbs(models.policy, seqs, o),
          values: seqs.map((q) => new Array<number>(q.tokens.length - q.start).fill(0)),
        };
  const refLogp = responseLogProbs(models.reference, seqs, o);
  const rows: RolloutRow[] = seqs.map((q, i) => ({
    ...q,
    prompt: Math.floor(i / k),
    stopped: g.stopped[i],
    oldLogp: pol.logp[i],
    refLogp: refLogp[i],
    values: pol.values[i],
    advantages: [],
    returns: [],
  }));
  const responses = g.tokens.map((t, i) => ({
    tokens: t,
    text: tok.decode(t, { skipSpecial: true }),
    stopped: g.stopped[i],
  }));
  return { rows, responses, kls: rows.map((r) => klEstimates(r.oldLogp, r.refLogp)) };
}

/** Step 2's output: the proxy's score of each row, and what `hooks.score` gave for the record. */
export interface Scored {
  /** RM score + scoreBonus − the missing-end penalty: what the advantages read. */
  scores: number[];
  /** `hooks.score`'s per-row numbers (the gold reward), if it gave them. */
  perRow?: number[];
  /** `hooks.score`'s metrics ({} without a hook). */
  metrics: MetricRow;
}

export interface ScoreOptions {
  rewardModel: RewardModel;
  pad: number;
  chunk: number;
  missingEosPenalty: number;
  /** Extra score per response (added to the RM's; see `PpoArgs.scoreBonus`). */
  scoreBonus?: (response: RolloutResponse) => number;
  hooks?: PpoHooks;
  /** The step's prompt items, indexed by `RolloutRow.prompt` (what hooks.score sees). */
  items: readonly EvalItem[];
}

/**
 * Step 2: the RM's score at the end token of each row, plus `scoreBonus`,
 * less `missingEosPenalty` for a response that never ended; then
 * `hooks.score` over the responses, for the record.
 */
export function scoreRollout(rollout: Collected, o: ScoreOptions): Scored {
  const { rows, responses } = rollout;
  const scores: number[] = [];
  for (let i = 0; i < rows.length; i += o.chunk) {
    const part = rows.slice(i, i + o.chunk);
    const s = endScores(
      o.rewardModel,
      part.map((q) => q.tokens),
      part.map((q) => q.start),
      o.pad,
    );
    scores.push(...s.dataSync());
    s.dispose();
  }
  responses.forEach((r, i) => {
    const bonus = o.scoreBonus?.(r) ?? 0;
    scores[i] += bonus - (r.stopped ? 0 : o.missingEosPenalty);
  });
  const judged = o.hooks?.score?.(responses.map((r, i) => ({ ...r, item: o.items[rows[i].prompt] })));
  return { scores, perRow: judged?.perRow, metrics: judged?.metrics ?? {} };
}

/**
 * Step 3: fill each row's advantages and returns from the scores and the
 * rows' log-probs. gae: per-token rewards −β·(log π − log π_ref) with the
 * score at the last token, GAE(γ, λ) over the critic's values, whitened over
 * the rollout when `whitenAdvantages`; rloo and grpo: each sequence's return
 * R = score − β·k1 against its prompt's group (rows p·k .. p·k + k − 1).
 */
export function assignAdvantages(
  rows: RolloutRow[],
  scores: readonly number[],
  beta: number,
  c: Pick<PpoConfig, "advantage" | "gamma" | "lam" | "whitenAdvantages" | "samplesPerPrompt">,
): void {
  if (c.advantage === "gae") {
    rows.forEach((r, i) => {
      const g = gae(tokenRewards(r.oldLogp, r.refLogp, scores[i], beta), r.values, c.gamma, c.lam);
      r.advantages = g.advantages;
      r.returns = g.returns;
    });
    if (c.whitenAdvantages) {
      const flat = whiten(rows.flatMap((r) => r.advantages));
      let j = 0;
      for (const r of rows) r.advantages = r.advantages.map(() => flat[j++]);
    }
    return;
  }
  const k = c.samplesPerPrompt;
  const R = rows.map((r, i) => scores[i] - beta * klEstimates(r.oldLogp, r.refLogp).k1);
  for (let p = 0; p < rows.length; p += k) {
    const group = R.slice(p, p + k);
    const adv = c.advantage === "rloo" ? rlooAdvantages(group) : grpoAdvantages(group);
    adv.forEach((A, j) => {
      const r = rows[p + j];
      r.advantages = r.oldLogp.map(() => A);
      r.returns = r.oldLogp.map(() => group[j]);
    });
  }
}

/** Step 4: the rollout's metrics (TRL's names), `hooks.score`'s among them, under the β it was scored with. */
export function rolloutMetrics(rollout: Collected, scored: Scored, beta: number): MetricRow {
  const { rows, responses, kls } = rollout;
  const { scores } = scored;
  return {
    "objective/kl": mean(kls.map((x) => x.k1)),
    "objective/kl_k3": mean(kls.map((x) => x.k3)),
    "objective/entropy": mean(rows.map((r) => -r.oldLogp.reduce((s, x) => s + x, 0))),
    "objective/scores": mean(scores),
    "objective/rlhf_reward": mean(scores.map((s, i) => s - beta * kls[i].k1)),
    ...scored.metrics,
    "objective/beta": beta,
    "objective/response_length": mean(responses.map((r) => r.tokens.length)),
    "objective/end_rate": mean(responses.map((r) => (r.stopped ? 1 : 0))),
  };
}

/** The rollout's responses with their scores (`picked`: the step's prompts, as indices into the pool). */
export function rolloutBatch(
  rollout: Collected,
  scored: Scored,
  picked: readonly number[],
  beta: number,
): RolloutBatch {
  const { rows, responses, kls } = rollout;
  return {
    rows,
    beta,
    responses: responses.map((r, i) => ({
      prompt: picked[rows[i].prompt],
      text: r.text,
      stopped: r.stopped,
      score: scored.scores[i],
      ...(scored.perRow ? { gold: scored.perRow[i] } : {}),
      kl: kls[i].k1,
    })),
  };
}

/** One row of the run's response table (`PpoNotes.samples`). */
export interface SampleRow {
  step: number;
  prompt: string;
  response: string;
  score: number;
  /**
   * `hooks.score`'s number for the response: the gold reward in every run
   * `npm run ppo` and notebook 05 make; absent from a run without that hook.
   */
  gold: number;
  kl: number;
}

/** The first sample of each of the step's first two prompts, for the run's response table. */
export function sampleTable(
  step: number,
  rollout: Collected,
  scored: Scored,
  items: readonly EvalItem[],
  k: number,
): SampleRow[] {
  const out: SampleRow[] = [];
  for (let p = 0; p < Math.min(2, items.length); p++) {
    const i = p * k;
    out.push({
      step,
      prompt: items[p].messages.map((m) => m.content).join("\n"),
      response: rollout.responses[i].text,
      score: scored.scores[i],
      ...((scored.perRow ? { gold: scored.perRow[i] } : {}) as { gold: number }),
      kl: rollout.kls[i].k1,
    });
  }
  return out;
}
