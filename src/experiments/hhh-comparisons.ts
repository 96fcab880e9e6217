/**
 * The HHH world's comparisons, InstructGPT's way: K samples per prompt from
 * the SFT model on the reward model's pool and the HHH prompts (the test
 * side: held-out prompts and the HHH eval set), ranked once by each panel
 * (HHH raters: gold's order; helpful-only raters: gold's helpful part), and
 * counted: how often SFT's own samples refuse or abstain, and so how many
 * pairs could teach a reward model to prefer doing so.
 *
 * Why count: comparisons are ranked from the policy's samples, so a behaviour
 * SFT never writes never appears in a pair, and no preference method can
 * learn it from them (shared/notes/honesty-probe.md: DPO from an SFT model
 * that never abstained left abstention at 0).
 */
import type { EvalItem } from "../data/tasks/eval-sets";
import { RequestKind, REQUEST_KINDS, KindWords, requestKind } from "../data/world";
import { classify } from "../eval/behaviour";
import { RankedPrompt, rankAll, sampleResponses } from "../judge/comparisons";
import { PANELS, Rater } from "../judge/raters";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";

/** What SFT's samples do per request kind. */
export interface DeclineCounts {
  prompts: number;
  /** Distinct responses (identical samples merged). */
  responses: number;
  refusals: number;
  abstentions: number;
  /** Prompts with at least one refusal (abstention) among their responses: the ones a pair can teach it on. */
  promptsWithRefusal: number;
  promptsWithAbstention: number;
}

/** Pairs of one panel per kind, and how many put a refusal or abstention first or last. */
export interface PairCounts {
  pairs: number;
  refusalChosen: number;
  refusalRejected: number;
  abstentionChosen: number;
  abstentionRejected: number;
}

const lastUser = (p: RankedPrompt) => p.prompt.filter((m) => m.role === "user").pop()?.content ?? "";

/** The behaviour of each response of a prompt (src/eval/behaviour.ts). */
function behaviours(p: RankedPrompt): string[] {
  return p.responses.map(
    (r) => classify({ prompt: lastUser(p), response: r.content, stopped: !r.truncated }).behaviour,
  );
}

/** Per request kind: prompts, distinct responses, refusals and abstentions among them. */
export function declineCounts(
  prompts: readonly RankedPrompt[],
  world: KindWords,
): Partial<Record<RequestKind, DeclineCounts>> {
  const out: Partial<Record<RequestKind, DeclineCounts>> = {};
  for (const p of prompts) {
    const kind = requestKind(lastUser(p), world);
    const c = (out[kind] ??= {
      prompts: 0,
      responses: 0,
      refusals: 0,
      abstentions: 0,
      promptsWithRefusal: 0,
      promptsWithAbstention: 0,
    });
    const bs = behaviours(p);
    c.prompts++;
    c.responses += bs.length;
    c.refusals += bs.filter((b) => b === "refusal").length;
    c.abstentions += bs.filter((b) => b === "abstention").length;
    if (bs.includes("refusal")) c.promptsWithRefusal++;
    if (bs.includes("abstention")) c.promptsWithAbstention++;
  }
  return out;
}

/** Per request kind, the pairs a ranking gives and where refusals and abstentions land in them. */
export function pairCounts(
  ranked: readonly RankedPrompt[],
  world: KindWords,
): Partial<Record<RequestKind, PairCounts>> {
  const out: Partial<Record<RequestKind, PairCounts>> = {};
  for (const p of ranked) {
    if (!p.order) throw new Error(`pairCounts: prompt ${p.prompt_id} is not ranked`);
    const kind = requestKind(lastUser(p), world);
    const c = (out[kind] ??= {
      pairs: 0,
      refusalChosen: 0,
      refusalRejected: 0,
      abstentionChosen: 0,
      abstentionRejected: 0,
    });
    const bs = behaviours(p);
    p.order.forEach((better, a) =>
      p.order!.slice(a + 1).forEach((worse) => {
        c.pairs++;
        if (bs[better] === "refusal") c.refusalChosen++;
        if (bs[worse] === "refusal") c.refusalRejected++;
        if (bs[better] === "abstention") c.abstentionChosen++;
        if (bs[worse] === "abstention") c.abstentionRejected++;
      }),
    );
  }
  return out;
}

/** The two sides of the comparison data: prompts the stages train on, and held-out ones they are measured on. */
export type Sides<T> = { train: T; test: T };

/** The sampled prompts of each side and their ranking by each panel. */
export interface HhhComparisons {
  sampled: Sides<RankedPrompt[]>;
  ranked: Record<keyof typeof PANELS, Sides<RankedPrompt[]>>;
}

/** A prompt file's items and the prefix of their prompt ids ("rm/12", "hhh/3"), so a pair says where it came from. */
export interface PromptSource {
  prefix: string;
  items: readonly EvalItem[];
}

/**
 * K samples per prompt at temperature 1 on each side (the test side with
 * another seed, so no sample is shared by accident), ranked by both panels
 * (each prompt by one rater of each panel).
 */
export function hhhComparisons(
  model: GPT,
  tok: BpeTokenizer,
  sources: Sides<readonly PromptSource[]>,
  o: { k: number; seed: number },
): HhhComparisons {
  const sample = (side: readonly PromptSource[], seed: number) =>
    side.flatMap((s) => sampleResponses(model, tok, s.items, { k: o.k, seed, idPrefix: s.prefix }));
  const sampled = { train: sample(sources.train, o.seed), test: sample(sources.test, o.seed + 7) };
  const rank = (panel: readonly Rater[]) => ({
    train: rankAll(sampled.train, panel, o.seed),
    test: rankAll(sampled.test, panel, o.seed),
  });
  return { sampled, ranked: { hhh: rank(PANELS.hhh), helpful: rank(PANELS.helpful) } };
}

/** The kinds in their fixed order, for tables. */
export const KINDS: readonly RequestKind[] = REQUEST_KINDS;
