/**
 * What a preference stage did in the helpful–honest–harmless world, the way
 * issue 38 states its targets: SFT and the policy answer greedily
 * - the HHH eval set (held-out hazards, pseudo-words and look-alikes in
 *   held-out phrasings): refusal, abstention and answer rates per kind;
 * - requests about the words the comparisons were made on (training words):
 *   the same rates, so a gap between the two says how far the behaviour
 *   carries to words the stage never saw;
 * - known-word questions (unseen headwords): answer rate and exact match,
 *   the alignment tax;
 * and the gold reward's paired gain over SFT on the held-out requests, per
 * kind and overall (the same responses scored for both, so the interval is
 * over the per-prompt differences).
 */
import * as path from "path";
import { PATHS } from "../data/paths";
import { EvalItem, readEvalJsonl } from "../data/tasks/eval-sets";
import { REQUEST_KINDS, RequestKind } from "../data/world";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { ItemResult, runPrompts } from "./evaluate";
import { POLICY_EVAL, ResponseScorer } from "./policy";
import { meanInterval, Rate, wilson } from "./stats";
import type { MetricRow } from "../metrics";
import { hhhRates, KindRates } from "./suite";

/** The three prompt sets, each a list of eval items. */
export interface HhhSets {
  heldOut: readonly EvalItem[];
  trainWords: readonly EvalItem[];
  knowledge: readonly EvalItem[];
}

/**
 * The committed sets: data/sft/eval_hhh.jsonl; every other request of
 * data/sft/prompts_hhh.jsonl (the preference stages' own prompts, 400); the
 * known-word questions about unseen headwords (735).
 */
export function readHhhSets(o: { quick?: boolean } = {}): HhhSets {
  // Quick: every 10th item, so a seconds-long run still sees every kind.
  const read = (name: string, every = 1) =>
    readEvalJsonl(path.join(PATHS.sft, name)).filter((_, i) => i % (o.quick ? 10 * every : every) === 0);
  return {
    heldOut: read("eval_hhh.jsonl"),
    trainWords: read("prompts_hhh.jsonl", 2),
    knowledge: read("eval_knowledge_heldout_words.jsonl"),
  };
}

/** One model's greedy behaviour on the three sets. */
export interface HhhBehaviour {
  heldOut: Partial<Record<RequestKind, KindRates>>;
  trainWords: Partial<Record<RequestKind, KindRates>>;
  /** Known-word questions: answered, exactly right, and refused (an over-refusal). */
  knowledge: { answer: Rate; exact_match: Rate; refusal: Rate };
  /** Mean gold of the held-out requests, per kind and overall. */
  gold: Partial<Record<RequestKind | "all", ReturnType<typeof meanInterval>>>;
}

export interface HhhPolicyEval {
  sft: HhhBehaviour;
  policy: HhhBehaviour;
  /** Paired gold gain (policy − SFT) on the held-out requests and the known-word questions, per kind and overall. */
  gain: Partial<Record<RequestKind | "all", ReturnType<typeof meanInterval>>>;
}

const greedy = (model: GPT, tok: BpeTokenizer, items: readonly EvalItem[]) =>
  runPrompts(model, tok, items, { maxNewTokens: POLICY_EVAL.maxNewTokens, temperature: 0 });

/** Per kind (and "all"), the values of `xs` grouped by the kind of each result. */
function byKind<T>(
  results: readonly ItemResult[],
  xs: readonly T[],
): Partial<Record<RequestKind | "all", T[]>> {
  const out: Partial<Record<RequestKind | "all", T[]>> = { all: [...xs] };
  for (const kind of REQUEST_KINDS) {
    const ys = xs.filter((_, i) => results[i].kind === kind);
    if (ys.length) out[kind] = ys;
  }
  return out;
}

const intervals = (groups: Partial<Record<string, number[]>>) =>
  Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, meanInterval(v!)]));

/** Greedy results of one model on the three sets, and the gold of each held-out request and known-word question. */
export interface HhhResults {
  heldOut: readonly ItemResult[];
  trainWords: readonly ItemResult[];
  knowledge: readonly ItemResult[];
  /** One per held-out request, then one per known-word question. */
  gold: readonly number[];
}

/** What the results say, per request kind (pure: the responses are classified already). */
export function summariseHhh(r: HhhResults): HhhBehaviour {
  const count = (test: (x: ItemResult) => boolean) =>
    wilson(r.knowledge.filter(test).length, r.knowledge.length);
  return {
    heldOut: hhhRates(r.heldOut),
    trainWords: hhhRates(r.trainWords),
    knowledge: {
      answer: count((x) => x.behaviour === "answer"),
      exact_match: count((x) => x.correct === true),
      refusal: count((x) => x.behaviour === "refusal"),
    },
    gold: intervals(byKind([...r.heldOut, ...r.knowledge], r.gold)),
  };
}

/** Paired gold gain (after − before, item by item), per kind of request and overall. */
export function pairedGain(before: HhhResults, after: HhhResults) {
  if (before.gold.length !== after.gold.length)
    throw new Error(`pairedGain: ${before.gold.length} items before but ${after.gold.length} after`);
  const diff = after.gold.map((g, i) => g - before.gold[i]);
  return intervals(byKind([...before.heldOut, ...before.knowledge], diff));
}

/** Greedy responses of a model to the three sets, scored by gold. */
export function hhhResults(model: GPT, tok: BpeTokenizer, sets: HhhSets, score: ResponseScorer): HhhResults {
  const heldOut = greedy(model, tok, sets.heldOut);
  const knowledge = greedy(model, tok, sets.knowledge);
  const items = [...sets.heldOut, ...sets.knowledge];
  const gold = [...heldOut, ...knowledge].map((r, i) => score(items[i], r.response, r.stopped).total);
  return { heldOut, trainWords: greedy(model, tok, sets.trainWords), knowledge, gold };
}

/** SFT against the policy on the same items, greedy: rates per kind and the paired gold gain. */
export function hhhPolicyEval(
  sft: GPT,
  policy: GPT,
  tok: BpeTokenizer,
  sets: HhhSets,
  score: ResponseScorer,
): HhhPolicyEval {
  const before = hhhResults(sft, tok, sets, score);
  const after = hhhResults(policy, tok, sets, score);
  return { sft: summariseHhh(before), policy: summariseHhh(after), gain: pairedGain(before, after) };
}

/** Lines for a console: per kind, SFT → policy, on held-out and on training words. */
export function hhhSummary(ev: HhhPolicyEval): string[] {
  const p = (r: Rate | undefined) => (r ? `${(100 * r.rate).toFixed(1)}%` : "–");
  const ci = (x: { mean: number; lo: number; hi: number } | undefined) =>
    x ? `${x.mean >= 0 ? "+" : ""}${x.mean.toFixed(3)} (${x.lo.toFixed(3)} to ${x.hi.toFixed(3)})` : "–";
  const lines = [
    "kind      set          refusal SFT → policy   abstention SFT → policy   answer SFT → policy",
  ];
  for (const kind of REQUEST_KINDS)
    for (const set of ["heldOut", "trainWords"] as const) {
      const [a, b] = [ev.sft[set][kind], ev.policy[set][kind]];
      if (!a || !b) continue;
      lines.push(
        `${kind.padEnd(9)} ${(set === "heldOut" ? "held out" : "train words").padEnd(12)} ` +
          `${`${p(a.refusal)} → ${p(b.refusal)}`.padEnd(22)} ${`${p(a.abstention)} → ${p(b.abstention)}`.padEnd(25)} ` +
          `${p(a.answer)} → ${p(b.answer)}`,
      );
    }
  lines.push(
    `known words: answer ${p(ev.sft.knowledge.answer)} → ${p(ev.policy.knowledge.answer)}, ` +
      `exact match ${p(ev.sft.knowledge.exact_match)} → ${p(ev.policy.knowledge.exact_match)}`,
  );
  lines.push(
    `gold gain over SFT, greedy, paired: all ${ci(ev.gain.all)}; ` +
      REQUEST_KINDS.map((k) => `${k} ${ci(ev.gain[k])}`).join("; "),
  );
  return lines;
}

/**
 * An `evaluate` hook for a trainer: the HHH rates at each evaluation step,
 * greedy, on the held-out requests and every third known-word question (the
 * curves of notebook 05; the whole sets are measured once, at the end).
 */
export function hhhMonitor(
  tok: BpeTokenizer,
  sets: HhhSets,
  score: ResponseScorer,
): (step: number, model: GPT) => MetricRow {
  const thin: HhhSets = { ...sets, trainWords: [], knowledge: sets.knowledge.filter((_, i) => i % 3 === 0) };
  return (_step, model) => {
    const r = hhhResults(model, tok, thin, score);
    const share = (rs: readonly ItemResult[], test: (x: ItemResult) => boolean) =>
      rs.length ? rs.filter(test).length / rs.length : NaN;
    const benign = [...r.heldOut.filter((x) => x.kind === "benign"), ...r.knowledge];
    return {
      "hhh/harmful_refusal": share(
        r.heldOut.filter((x) => x.kind === "harmful"),
        (x) => x.behaviour === "refusal",
      ),
      "hhh/unknown_abstention": share(
        r.heldOut.filter((x) => x.kind === "unknown"),
        (x) => x.behaviour === "abstention",
      ),
      "hhh/benign_refusal": share(benign, (x) => x.behaviour === "refusal"),
      "hhh/known_exact_match": share(r.knowledge, (x) => x.correct === true),
      "hhh/gold": r.gold.reduce((t, g) => t + g, 0) / r.gold.length,
    };
  };
}
