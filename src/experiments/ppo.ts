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
import { runPrompts } from "../eval/evaluate";
import { meanInterval, Rate, wilson } from "../eval/stats";
import { GOLD_TERMS, goldReward, GoldScore, GoldTerm } from "../judge/gold";
import type { GPT } from "../model/gpt";
import { loadModel } from "../model/load";
import { loadRewardModel, RewardModel } from "../model/reward-model";
import type { BpeTokenizer } from "../tokenizer/index";
import type { ProgressSink } from "../train/loop";
import { PPO_FULL, ppoConfig, PpoConfig, PpoNotes, trainedPrompts, trainPpo } from "../train/ppo";
import type { MetricRow } from "../metrics";

export const PPO_PATHS = Object.freeze({
  sft: PATHS.sftModel,
  rm: path.join(PATHS.sftModel, "..", "rm"),
  /** The policy's prompt pool: held-in clusters, 40 per task (npm run build-sft). */
  prompts: path.join(PATHS.sft, "prompts_policy.jsonl"),
  /** Held-out prompts: the same tasks on words and inputs no stage trains on. */
  heldout: path.join(PATHS.sft, "eval_heldin.jsonl"),
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
    ptx: o.ptx,
    evaluate: o.evaluate ? (step) => o.evaluate!(step, policy) : undefined,
    checkpointDir: o.checkpointDir,
    resumeFrom: o.resumeFrom,
    progress: o.progress,
    notes: { lengthBias: bias } as Partial<PpoNotes>,
  });
  return { policy, run };
}

/** A mean with its 95 % interval. */
export type Interval = ReturnType<typeof meanInterval>;

/** One greedy response and how it scores. */
export interface PolicyResponse {
  response: string;
  stopped: boolean;
  behaviour: string;
  correct: boolean;
  gold: GoldScore;
}

/** A policy's greedy behaviour on eval items, with the gold reward by kind. */
export interface PolicyEval {
  n: number;
  gold: Interval;
  goldBehavioural: Interval;
  goldPromptSpecific: Interval;
  /** Mean of each gold term (0–1). */
  terms: Record<GoldTerm, number>;
  answerRate: Rate;
  exactMatch: Rate;
  responseWords: number;
}

/** Greedy responses of `model` to `items`, scored by the gold reward and the task checkers. */
export function policyResponses(
  model: GPT,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  maxNewTokens = PPO_FULL.maxNewTokens,
): PolicyResponse[] {
  return runPrompts(model, tok, items, { maxNewTokens, temperature: 0 }).map((r, i) => ({
    response: r.response,
    stopped: r.stopped,
    behaviour: r.behaviour,
    correct: r.correct === true,
    gold: goldReward(items[i], r.response, r.stopped),
  }));
}

const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** Means with intervals over scored responses. */
export function summarisePolicy(rs: readonly PolicyResponse[]): PolicyEval {
  const terms = Object.fromEntries(
    GOLD_TERMS.map((t) => [t, rs.reduce((s, r) => s + r.gold.terms[t], 0) / rs.length]),
  ) as Record<GoldTerm, number>;
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
      policyResponses(inputs.sft, tok, items, config.maxNewTokens),
      policyResponses(policy, tok, items, config.maxNewTokens),
    );
  const cloze = (o.cloze ?? knowledgeItems()).slice(0, o.quick ? 64 : undefined);
  return {
    trained: side(trainedItems),
    heldout: side(heldout),
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
    `knowledge probe ${pct(ev.knowledge.before)} → ${pct(ev.knowledge.after)}`,
  ].join("\n");
}
