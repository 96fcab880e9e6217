/**
 * Comparison data, InstructGPT's way: sample K responses per prompt from the
 * SFT model, let a simulated rater rank them, and turn each ranking into all
 * its K(K−1)/2 pairs. The gold reward is computed here, on the judging side,
 * and travels with the data only as extra fields (`gold_chosen`, ...) that
 * the reward-model trainer never reads.
 *
 * Identical responses are merged before ranking (a rater ranks distinct
 * answers; a pair of two equal texts teaches nothing); how many were merged
 * is counted, and a prompt left with one distinct response yields no pairs.
 */
import * as fs from "fs";
import type { Message } from "../chat/template";
import type { EvalItem } from "../data/tasks/eval-sets";
import { words } from "../data/tasks/check";
import { readJsonl } from "../data/tasks/jsonl";
import type { PreferenceRecord } from "../data/sft-data";
import { runPrompts } from "../eval/evaluate";
import type { GPT } from "../model/gpt";
import { Rng } from "../random";
import type { BpeTokenizer } from "../tokenizer/index";
import { GoldScore, GoldTerm, goldReward } from "./gold";
import { GOLD_RATER, Rater, rank, rankingPairs } from "./raters";

/** One distinct sampled response, with what the raters and the notebook see of it. */
export interface Response {
  content: string;
  /** The response hit the length limit without an end token. */
  truncated: boolean;
  words: number;
  /** The hidden truth (src/judge/gold.ts). */
  gold: number;
  /** Gold's helpful part, what the helpful-only raters rank by (absent in files written before it). */
  helpful?: number;
  terms: Record<GoldTerm, number>;
}

/** A prompt, its distinct responses, and (once ranked) who ranked them and how. */
export interface RankedPrompt {
  prompt_id: string;
  task: string;
  prompt: Message[];
  responses: Response[];
  /** How many of the K samples repeated an earlier one (merged). */
  duplicates: number;
  rater?: string;
  /** Indices into `responses`, best first. */
  order?: number[];
}

/** The pairs the rankings of `prompts` give: K(K − 1)/2 per prompt of K distinct responses. */
export function pairCount(prompts: readonly Pick<RankedPrompt, "responses">[]): number {
  return prompts.reduce((n, p) => n + (p.responses.length * (p.responses.length - 1)) / 2, 0);
}

/** How responses are sampled: plain sampling at temperature 1, as RLHF samples. */
export interface SampleOptions {
  /** Samples per prompt (InstructGPT: 4 to 9; K = 4 here). */
  k: number;
  maxNewTokens: number;
  /** Sample k uses seed + 1000·(k+1), so a prompt's samples do not depend on the others'. */
  seed: number;
  /** Prefix of the prompt ids (e.g. "rm" → "rm/17"). */
  idPrefix: string;
}

export const SAMPLE_DEFAULTS: Readonly<SampleOptions> = Object.freeze({
  k: 4,
  maxNewTokens: 32,
  seed: 0,
  idPrefix: "p",
});

const response = (item: EvalItem, content: string, stopped: boolean): Response => {
  const g: GoldScore = goldReward(item, content, stopped);
  return {
    content,
    truncated: !stopped,
    words: words(content).length,
    gold: g.total,
    helpful: g.hhh.helpful,
    terms: g.terms,
  };
};

/** K samples per item at temperature 1, merged to distinct responses and scored by gold. */
export function sampleResponses(
  model: GPT,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  options: Partial<SampleOptions> = {},
): RankedPrompt[] {
  const o = { ...SAMPLE_DEFAULTS, ...options };
  const runs = Array.from({ length: o.k }, (_, k) =>
    runPrompts(model, tok, items, {
      maxNewTokens: o.maxNewTokens,
      temperature: 1,
      seed: o.seed + 1000 * (k + 1),
    }),
  );
  return items.map((item, i) => {
    const seen = new Map<string, Response>();
    for (const run of runs) {
      const text = run[i].response.trim();
      if (text === "" || seen.has(text)) continue;
      seen.set(text, response(item, text, run[i].stopped));
    }
    return {
      prompt_id: `${o.idPrefix}/${i}`,
      task: item.task,
      prompt: item.messages,
      responses: [...seen.values()],
      duplicates: o.k - seen.size,
    };
  });
}

/**
 * Each prompt ranked by one rater of the panel, drawn per prompt (as each
 * InstructGPT prompt went to one labeller). Deterministic per seed.
 */
export function rankAll(
  prompts: readonly RankedPrompt[],
  panel: readonly Rater[],
  seed: number,
): RankedPrompt[] {
  if (panel.length === 0) throw new Error("rankAll: the rater panel is empty; give at least one rater");
  return prompts.map((p) => {
    const rng = new Rng(seed).fork(`rank/${p.prompt_id}`);
    const rater = rng.pick(panel);
    return { ...p, rater: rater.id, order: rank(rater, p.responses, rng) };
  });
}

/**
 * Every pair of every ranking, as TRL preference records with the rater and
 * gold scores beside them. `top`: only the top-ranked response against each
 * of the others (UltraFeedback's binarisation, which Zephyr's DPO trains on):
 * the pairs among the lower places are where rater noise between two equally
 * poor answers lives.
 */
export function rankingsToPairs(
  prompts: readonly RankedPrompt[],
  o: { top?: boolean } = {},
): PreferenceRecord[] {
  return prompts.flatMap((p) => {
    if (!p.order || !p.rater)
      throw new Error(`rankingsToPairs: prompt ${p.prompt_id} is not ranked; rank it with rankAll first`);
    const pairs = rankingPairs(p.order).filter(([c]) => !o.top || c === p.order![0]);
    return pairs.map(([c, r]) => {
      const [a, b] = [p.responses[c], p.responses[r]];
      return {
        prompt: p.prompt,
        chosen: [{ role: "assistant", content: a.content }],
        rejected: [{ role: "assistant", content: b.content }],
        meta: {
          prompt_id: p.prompt_id,
          rater: p.rater,
          gold_chosen: a.gold,
          gold_rejected: b.gold,
          ...(a.truncated ? { chosen_truncated: true } : {}),
          ...(b.truncated ? { rejected_truncated: true } : {}),
        },
      } satisfies PreferenceRecord;
    });
  });
}

/** Writes ranked prompts as JSONL (one prompt per line). */
export function writeRankings(file: string, prompts: readonly RankedPrompt[]): void {
  fs.writeFileSync(file, prompts.map((p) => JSON.stringify(p)).join("\n") + "\n");
}

/** Reads what {@link writeRankings} wrote, checking the fields a reader relies on (file:line on error). */
export function readRankings(file: string): RankedPrompt[] {
  return readJsonl(file, "ranked prompts", (o) => {
    for (const k of ["prompt_id", "task", "prompt", "responses"])
      if (o[k] === undefined) throw new Error(`missing "${k}"; rebuild the file with npm run rm`);
    const p = o as unknown as RankedPrompt;
    if (!Array.isArray(p.responses)) throw new Error(`"responses" must be a list`);
    if (p.order && [...p.order].sort((a, b) => a - b).join() !== p.responses.map((_, i) => i).join())
      throw new Error(
        `"order" ${JSON.stringify(p.order)} is not a ranking of the ${p.responses.length} responses`,
      );
    return p;
  });
}

/**
 * Pairs a noiseless gold rater gives: every pair of distinct responses whose
 * gold differs, better first (ties carry no truth to check against).
 */
export function goldPairs(prompts: readonly RankedPrompt[]): PreferenceRecord[] {
  return rankingsToPairs(rankAll(prompts, [GOLD_RATER], 0)).filter(
    (p) => p.meta!.gold_chosen! > p.meta!.gold_rejected!,
  );
}
