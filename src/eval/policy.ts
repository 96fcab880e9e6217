/**
 * Policy evaluation: how a policy's responses score, measured one way for
 * every method (PPO, DPO and its relatives, RLAIF, best-of-n), so they sit on
 * one chart. Greedy responses give a policy's typical answer; temperature-1
 * samples give what a user sampling from it gets, and the k1 KL to a
 * reference; paired per-prompt differences and win rates compare two
 * policies on the same prompts.
 *
 * The score is passed in (`score`): this layer sits below `src/judge/`, and
 * the gold reward (`goldReward` in src/judge/gold.ts) is the scorer every
 * caller uses today. Generation settings are this module's own
 * (`POLICY_EVAL`), not any trainer's, so an evaluation does not change when
 * a recipe does.
 */
import { renderPrompt } from "../chat/template";
import type { EvalItem } from "../data/tasks/eval-sets";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { runPrompts } from "./evaluate";
import { perPromptMeans, sampledKl, SampledResponse, sampleResponses } from "./kl";
import { mean as meanOf, meanInterval, Rate, wilson } from "./stats";

/** A mean with its 95 % interval. */
export type Interval = ReturnType<typeof meanInterval>;

/** What a scorer gives a response: the gold reward's shape (src/judge/gold.ts). */
export interface ResponseScore {
  total: number;
  /** Each term's value in [0, 1]. */
  terms: Readonly<Record<string, number>>;
  /** Weighted sums per kind; they add up to `total`. */
  byKind: Readonly<Record<"prompt-specific" | "behavioural", number>>;
}

/** Scores one response to one item (`goldReward` is one). */
export type ResponseScorer = (item: EvalItem, response: string, stopped: boolean) => ResponseScore;

/**
 * Generation settings of every policy evaluation: the response-length limit,
 * the sampling seed of every held-out measurement (so runs and notebooks
 * compare like with like) and the samples per prompt at temperature 1.
 */
export const POLICY_EVAL: Readonly<{ maxNewTokens: number; sampleSeed: number; samples: number }> =
  Object.freeze({ maxNewTokens: 24, sampleSeed: 1, samples: 4 });

/** The sampling seed of every held-out measurement. */
export const HELDOUT_SAMPLE_SEED = POLICY_EVAL.sampleSeed;

/** One greedy response and how it scores. */
export interface PolicyResponse {
  response: string;
  stopped: boolean;
  behaviour: string;
  correct: boolean;
  gold: ResponseScore;
}

/** A policy's greedy behaviour on eval items, with the gold reward by kind. */
export interface PolicyEval {
  n: number;
  gold: Interval;
  goldBehavioural: Interval;
  goldPromptSpecific: Interval;
  /** Mean of each gold term (0–1). */
  terms: Record<string, number>;
  answerRate: Rate;
  exactMatch: Rate;
  responseWords: number;
}

/** Greedy responses of `model` to `items`, scored by `score` and the task checkers. */
export function policyResponses(
  model: GPT,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  score: ResponseScorer,
  maxNewTokens = POLICY_EVAL.maxNewTokens,
): PolicyResponse[] {
  return runPrompts(model, tok, items, { maxNewTokens, temperature: 0 }).map((r, i) => ({
    response: r.response,
    stopped: r.stopped,
    behaviour: r.behaviour,
    correct: r.correct === true,
    gold: score(items[i], r.response, r.stopped),
  }));
}

const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** Means with intervals over scored responses. */
export function summarisePolicy(rs: readonly PolicyResponse[]): PolicyEval {
  if (rs.length === 0) throw new Error("summarisePolicy: no responses to summarise");
  const terms = Object.fromEntries(
    Object.keys(rs[0].gold.terms).map((t) => [t, rs.reduce((s, r) => s + r.gold.terms[t], 0) / rs.length]),
  );
  return {
    n: rs.length,
    gold: meanInterval(rs.map((r) => r.gold.total)),
    goldBehavioural: meanInterval(rs.map((r) => r.gold.byKind.behavioural)),
    goldPromptSpecific: meanInterval(rs.map((r) => r.gold.byKind["prompt-specific"])),
    terms,
    answerRate: wilson(rs.filter((r) => r.behaviour === "answer").length, rs.length),
    exactMatch: wilson(rs.filter((r) => r.correct).length, rs.length),
    responseWords: rs.reduce((s, r) => s + wordCount(r.response), 0) / rs.length,
  };
}

/** Two policies on the same items, and the paired gain (after − before) of the gold reward by kind. */
export interface PolicyComparison {
  before: PolicyEval;
  after: PolicyEval;
  /** Paired per-item differences: tighter than comparing the two intervals. */
  gain: { gold: Interval; behavioural: Interval; promptSpecific: Interval };
}

export function comparePolicies(
  before: readonly PolicyResponse[],
  after: readonly PolicyResponse[],
): PolicyComparison {
  if (before.length !== after.length)
    throw new Error(`comparePolicies: ${before.length} responses before but ${after.length} after`);
  const diff = (f: (r: PolicyResponse) => number) => meanInterval(after.map((r, i) => f(r) - f(before[i])));
  return {
    before: summarisePolicy(before),
    after: summarisePolicy(after),
    gain: {
      gold: diff((r) => r.gold.total),
      behavioural: diff((r) => r.gold.byKind.behavioural),
      promptSpecific: diff((r) => r.gold.byKind["prompt-specific"]),
    },
  };
}

/** Temperature-1 samples of `model` on `items`: mean score and k1 KL to `reference`, per-prompt intervals. */
export function sampledGold(
  model: GPT,
  reference: GPT,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  o: { samples: number; seed: number; score: ResponseScorer; maxNewTokens?: number },
) {
  const prompts = items.map((it) => renderPrompt(tok, it.messages));
  const s = sampledKl(model, reference, tok, prompts, {
    samples: o.samples,
    seed: o.seed,
    maxNewTokens: o.maxNewTokens ?? POLICY_EVAL.maxNewTokens,
  });
  const gold = perPromptMeans(s, (x) => o.score(items[x.prompt], x.text, x.stopped).total);
  const kl = perPromptMeans(s, (x) => x.kl);
  return { gold: meanInterval(gold), kl: meanInterval(kl), perPrompt: { gold, kl } };
}

/** Per-prompt win rate of a against b (ties count half), with its 95 % interval over prompts. */
export function winRate(a: readonly number[], b: readonly number[]): Interval {
  if (a.length !== b.length || a.length === 0)
    throw new Error(
      `winRate: need the same non-empty prompts on both sides, got ${a.length} and ${b.length}`,
    );
  return meanInterval(a.map((x, i) => (x > b[i] ? 1 : x < b[i] ? 0 : 0.5)));
}

/** A row of the RLAIF paper's table: one policy against another by the gold judge, per seed and pooled. */
export interface WinRow {
  a: string;
  b: string;
  perSeed: Interval[];
  /** Mean of the seeds' win rates, with the interval of the seeds' prompts pooled. */
  pooled: Interval;
}

/**
 * Win rate of a against b on the same held-out prompts (ties ½), per seed
 * (seed i of a against seed i of b, or b's only run) and pooled: each
 * prompt's win score averaged over the seeds, then the interval over prompts
 * (the seeds share their prompts, so they are not independent samples).
 */
export function winRow(a: string, b: string, as: readonly number[][], bs: readonly number[][]): WinRow {
  const other = (i: number) => bs[Math.min(i, bs.length - 1)];
  const score = (x: number, y: number) => (x > y ? 1 : x < y ? 0 : 0.5);
  const perSeed = as.map((g, i) => winRate(g, other(i)));
  const perPrompt = as[0].map((_, k) => as.reduce((s, g, i) => s + score(g[k], other(i)[k]), 0) / as.length);
  return { a, b, perSeed, pooled: meanInterval(perPrompt) };
}

/** SFT's and a policy's temperature-1 samples of the same prompts with the same seed, paired per prompt. */
export interface SampledComparison {
  prompts: number;
  samples: number;
  sft: ReturnType<typeof sampledGold>;
  policy: ReturnType<typeof sampledGold>;
  /** Paired per-prompt gain of the sampled gold (policy − SFT). */
  gain: Interval;
  winRate: Interval;
}

/**
 * The policy's own distribution against SFT's: what a user sampling from
 * each would get. Greedy answers hide what sampling shows (a policy that
 * sharpens SFT's distribution gains here first), so both are reported.
 */
export function compareSampled(
  sft: GPT,
  policy: GPT,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  score: ResponseScorer,
  samples = POLICY_EVAL.samples,
): SampledComparison {
  const opts = { samples, seed: POLICY_EVAL.sampleSeed, score };
  const before = sampledGold(sft, sft, tok, items, opts);
  const after = sampledGold(policy, sft, tok, items, opts);
  return {
    prompts: items.length,
    samples,
    sft: before,
    policy: after,
    gain: meanInterval(after.perPrompt.gold.map((g, i) => g - before.perPrompt.gold[i])),
    winRate: winRate(after.perPrompt.gold, before.perPrompt.gold),
  };
}

/** Best-of-n at one n: the proxy's pick among the first n samples of each prompt. */
export interface BestOfNPoint {
  n: number;
  /** The analytic KL of best-of-n from the sampling policy: log n − (n − 1)/n. */
  kl: number;
  proxy: Interval;
  gold: Interval;
}

/**
 * KL(best-of-n ‖ π) when the n samples are almost surely distinct (Stiennon
 * et al. 2020; Gao et al. 2023); an upper bound when they can repeat, as
 * short answers here do (Beirami et al. 2024).
 */
export const bestOfNKl = (n: number) => Math.log(n) - (n - 1) / n;

/** Scores a batch of samples by a proxy (a reward model, say), one number per sample. */
export type ProxyScorer = (prompts: readonly number[][], samples: readonly SampledResponse[]) => number[];

/**
 * Best-of-n sampling from `model` under a proxy: sample max(ns) responses per
 * item at temperature 1, score each by `proxy`, and for each n keep the
 * proxy's favourite of the first n. Gold and proxy of the picks, with
 * intervals over items.
 */
export function bestOfN(
  model: GPT,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  o: {
    ns: readonly number[];
    seed: number;
    proxy: ProxyScorer;
    score: ResponseScorer;
    maxNewTokens?: number;
  },
): BestOfNPoint[] {
  const N = Math.max(...o.ns);
  const prompts = items.map((it) => renderPrompt(tok, it.messages));
  const samples = sampleResponses(model, tok, prompts, {
    samples: N,
    seed: o.seed,
    maxNewTokens: o.maxNewTokens ?? POLICY_EVAL.maxNewTokens,
  });
  const proxy = o.proxy(prompts, samples);
  const gold = samples.map((s) => o.score(items[s.prompt], s.text, s.stopped).total);
  return o.ns.map((n) => {
    const picks = items.map((_, p) => {
      let best = p * N;
      for (let j = p * N; j < p * N + n; j++) if (proxy[j] > proxy[best]) best = j;
      return best;
    });
    return {
      n,
      kl: bestOfNKl(n),
      proxy: meanInterval(picks.map((j) => proxy[j])),
      gold: meanInterval(picks.map((j) => gold[j])),
    };
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
    correctBefore: meanOf(idx.map((i) => before[i].gold.terms.correct)),
    correctAfter: meanOf(idx.map((i) => after[i].gold.terms.correct)),
  }));
}
