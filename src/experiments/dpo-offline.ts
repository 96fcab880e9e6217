/**
 * Online against offline preferences (notebook 07, `npm run dpo -- --offline`).
 * DPO learns from whatever pairs it is given. Here it is given two sets on
 * the same prompts, ranked by the same rater panel, and trained with the same
 * steps, β and seeds from the SFT model:
 * - **online**: pairs of the SFT model's own samples (the committed
 *   comparisons of notebook 04: the policy DPO starts from wrote them);
 * - **offline**: pairs of the *base* model's samples to the same prompts:
 *   stale data, written by an older policy whose outputs the SFT model no
 *   longer produces (it continues text instead of answering).
 * The pairs' source is the only difference between the two.
 */
import * as fs from "fs";
import * as path from "path";
import { EvalItem, PreferenceRecord, readEvalJsonl, readPreferenceJsonl } from "../data/sft-data";
import { rankAll, rankingsToPairs, sampleResponses } from "../judge/comparisons";
import { RATER_PANEL } from "../judge/raters";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { DpoGroup } from "../train/dpo";
import { COMPARISON_PROMPTS, RLHF_DIR } from "../data/paths";
import { withReferenceLogps } from "../train/pairs";
import { pairGroups } from "../data/preference";

/** Which pairs a run trains on. */
export type PairSource = "sft" | "base";

export const OFFLINE = Object.freeze({
  /** Every `every`-th prompt of those the committed SFT comparisons have pairs for (3,461 → 1,154). */
  every: 3,
  /** Samples per prompt, as the committed comparisons (K = 4). */
  k: 4,
  sampleSeed: 0,
  raterSeed: 0,
  /** DPO_SWEEP's length and the paper's β. */
  steps: 120,
  beta: 0.1,
  seeds: [0, 1],
});

export const OFFLINE_FILES = Object.freeze({
  /** The base model's ranked samples (written by `npm run dpo -- --offline`, committed). */
  basePairs: path.join(RLHF_DIR, "pairs_base_train.jsonl"),
  record: path.join(RLHF_DIR, "dpo_offline.json"),
});

/**
 * The prompts of the study, with the ids the committed comparisons gave them
 * ("rm/<index in the pool>"): every `every`-th of the prompts that have SFT
 * pairs (a prompt whose four SFT samples were all alike has none), so both
 * sources cover the same prompts.
 */
export function offlinePrompts(
  sftRecords: readonly PreferenceRecord[],
  every: number = OFFLINE.every,
): { items: EvalItem[]; ids: string[] } {
  const pool = readEvalJsonl(COMPARISON_PROMPTS.train);
  const paired = new Set(sftRecords.map((r) => r.meta?.prompt_id));
  const keep = pool
    .map((_, i) => i)
    .filter((i) => paired.has(`rm/${i}`))
    .filter((_, k) => k % every === 0);
  return { items: keep.map((i) => pool[i]), ids: keep.map((i) => `rm/${i}`) };
}

/** The base model's K samples of each prompt, ranked by the rater panel, as pairs (the stale data). */
export function baseComparisons(
  base: GPT,
  tok: BpeTokenizer,
  prompts: { items: readonly EvalItem[]; ids: readonly string[] },
): PreferenceRecord[] {
  const sampled = sampleResponses(base, tok, prompts.items, { k: OFFLINE.k, seed: OFFLINE.sampleSeed }).map(
    (p, i) => ({ ...p, prompt_id: prompts.ids[i] }),
  );
  return rankingsToPairs(rankAll(sampled, RATER_PANEL, OFFLINE.raterSeed));
}

/** The pairs a source gives on the study's prompts: the committed SFT ones there, or the base model's file. */
export function offlineRecords(
  source: PairSource,
  sftRecords: readonly PreferenceRecord[],
  o: { every?: number; basePairs?: string } = {},
): PreferenceRecord[] {
  if (source === "base") {
    const file = o.basePairs ?? OFFLINE_FILES.basePairs;
    if (!fs.existsSync(file))
      throw new Error(
        `${file} is missing; make it with npm run dpo -- --offline (it samples the base model)`,
      );
    return readPreferenceJsonl(file);
  }
  const ids = new Set(offlinePrompts(sftRecords, o.every).ids);
  return sftRecords.filter((r) => ids.has(r.meta?.prompt_id ?? ""));
}

const cache = new Map<string, DpoGroup[]>();

/** The pair groups of a source with the reference's log-probs, computed once per process. */
export function offlineGroups(
  source: PairSource,
  inputs: { sft: GPT; tokenizer: BpeTokenizer; records: readonly PreferenceRecord[] },
  o: { every?: number; basePairs?: string } = {},
): DpoGroup[] {
  const key = `${source}/${o.every ?? OFFLINE.every}/${o.basePairs ?? ""}`;
  if (!cache.has(key)) {
    const records = offlineRecords(source, inputs.records, o);
    if (records.length === 0)
      throw new Error(
        `offline DPO: no ${source} pairs on the study's prompts; rebuild them with npm run dpo -- --offline`,
      );
    const groups = pairGroups(inputs.tokenizer, records, inputs.sft.config.contextLength);
    cache.set(key, withReferenceLogps(inputs.sft, groups, inputs.tokenizer.special.pad));
  }
  return cache.get(key)!;
}

/** Mean gold of a pair set's responses (each response once per pair side): how good the data's samples are. */
export function pairGold(records: readonly PreferenceRecord[]): { chosen: number; rejected: number } {
  const mean = (f: (r: PreferenceRecord) => number | undefined) =>
    records.reduce((s, r) => s + (f(r) ?? 0), 0) / Math.max(1, records.length);
  return { chosen: mean((r) => r.meta?.gold_chosen), rejected: mean((r) => r.meta?.gold_rejected) };
}
