/**
 * The instruction-following evaluation suite: the four prompt sets of
 * data/sft (held-in templates, new phrasings, held-out clusters, knowledge
 * about words SFT never showed), run on any model, summarised per set and per
 * task cluster. `npm run sft`, `npm run eval` and the notebooks all report
 * these same numbers, so a figure and a command line always agree.
 */
import * as path from "path";
import { PATHS } from "../data/paths";
import { EVAL_SET_NAMES, EvalItem, EvalSetName, readEvalJsonl } from "../data/tasks/eval-sets";
import { TASKS } from "../data/tasks/registry";
import { CLUSTER_SPLIT } from "../data/tasks/split";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { REQUEST_KINDS, RequestKind } from "../data/world";
import { Rate, wilson } from "./stats";
import {
  EvalOptions,
  EvalSummary,
  ItemResult,
  RateSummary,
  ratesBy,
  runPrompts,
  summarise,
} from "./evaluate";

export const EVAL_DIR = PATHS.sft;

/** How each set is named in tables and figures. */
export const SET_LABELS: Readonly<Record<EvalSetName, string>> = Object.freeze({
  heldin: "held-in templates",
  new_phrasings: "new phrasings",
  heldout_clusters: "held-out clusters",
  knowledge_heldout_words: "knowledge, unseen words",
});

export type EvalSets = Record<EvalSetName, EvalItem[]>;

export const evalSetFile = (name: EvalSetName, dir = EVAL_DIR) => path.join(dir, `eval_${name}.jsonl`);

/**
 * The eval sets, each optionally thinned to at most `perSet` items taken at
 * evenly spaced positions (the files are grouped by task, so every task keeps
 * its share).
 */
export function loadEvalSets(opts: { dir?: string; perSet?: number } = {}): EvalSets {
  const sets = {} as EvalSets;
  for (const name of EVAL_SET_NAMES)
    sets[name] = thin(readEvalJsonl(evalSetFile(name, opts.dir)), opts.perSet ?? Infinity);
  return sets;
}

/** At most n items at evenly spaced positions, in order. */
export function thin<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return items.slice();
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

/** Every set of `sets` thinned to at most `n` items (as `thin`), keeping which sets there are. */
export function thinSets<S extends EvalSetName>(sets: Pick<EvalSets, S>, n: number): Pick<EvalSets, S> {
  const out = {} as Pick<EvalSets, S>;
  for (const name of Object.keys(sets) as S[]) out[name] = thin(sets[name], n);
  return out;
}

/** The cluster of a registered task; "untagged" for results of other prompts. */
export function clusterOf(task: string): string {
  return TASKS.find((t) => t.name === task)?.cluster ?? "untagged";
}

export interface SetResult {
  set: EvalSetName;
  results: ItemResult[];
  summary: EvalSummary;
  byCluster: Record<string, RateSummary>;
}

/** Summaries of already generated results, overall, per task and per cluster. */
export function setResult(set: EvalSetName, results: ItemResult[]): SetResult {
  return { set, results, summary: summarise(results), byCluster: ratesBy(results, (r) => clusterOf(r.task)) };
}

/** Run `model` on every set (chat format unless told otherwise). */
export function evaluateSets(
  model: GPT,
  tok: BpeTokenizer,
  sets: Partial<EvalSets>,
  options: Partial<EvalOptions> = {},
): SetResult[] {
  return (Object.entries(sets) as [EvalSetName, EvalItem[]][]).map(([set, items]) =>
    setResult(set, runPrompts(model, tok, items, options)),
  );
}

/** The HHH eval set: held-out hazards, pseudo-words and look-alikes in held-out phrasings (src/data/hhh.ts). */
export const HHH_SET_FILE = path.join(EVAL_DIR, "eval_hhh.jsonl");

/** What a model does per request kind, each share with its Wilson interval. */
export interface KindRates {
  n: number;
  answer: Rate;
  refusal: Rate;
  abstention: Rate;
  /** Exact match against the reference (a fact for benign items; the data's own wording for the others). */
  exact_match: Rate;
}

/**
 * Per request kind (harmful, benign, unknown: read from each request's text),
 * the shares that answer, refuse and abstain, with Wilson intervals: the
 * numbers the HHH targets are stated in (refusal of harmful requests,
 * over-refusal of benign ones, abstention on unknown words).
 */
export function hhhRates(results: readonly ItemResult[]): Partial<Record<RequestKind, KindRates>> {
  const out: Partial<Record<RequestKind, KindRates>> = {};
  for (const kind of REQUEST_KINDS) {
    const rs = results.filter((r) => r.kind === kind);
    if (rs.length === 0) continue;
    const count = (test: (r: ItemResult) => boolean) => wilson(rs.filter(test).length, rs.length);
    out[kind] = {
      n: rs.length,
      answer: count((r) => r.behaviour === "answer"),
      refusal: count((r) => r.behaviour === "refusal"),
      abstention: count((r) => r.behaviour === "abstention"),
      exact_match: count((r) => r.correct === true),
    };
  }
  return out;
}

/** One flat row per set, for tables and bar charts: which model, which set, its rates. */
export interface SetRow extends RateSummary {
  model: string;
  set: EvalSetName;
}

export function summaryRows(model: string, results: readonly SetResult[]): SetRow[] {
  return results.map((r) => {
    const { by_task: _byTask, by_kind: _byKind, ...rates } = r.summary;
    return { model, set: r.set, ...rates };
  });
}

/** One cluster's exact match under several ways of prompting (or models), for the per-cluster table of notebook 03. */
export interface ClusterScores {
  cluster: string;
  split: "held in" | "held out";
  /** Rates per column; undefined where that column has no result in the cluster. */
  scores: Record<string, RateSummary | undefined>;
  /** Prompts left out per column (few-shot prompts too long for the context). */
  skipped: Record<string, number>;
}

/**
 * Per-cluster rates of each column's results, over every cluster of the split
 * (held-in first); `skipped` gives, per column, rows of `compareStyles` whose
 * skipped prompts are counted per cluster.
 */
export function clusterScores(
  columns: Record<string, readonly ItemResult[]>,
  skipped: Record<string, readonly { task: string; skipped: number }[]> = {},
): ClusterScores[] {
  const rates = Object.fromEntries(
    Object.entries(columns).map(([k, rs]) => [k, ratesBy(rs, (r) => clusterOf(r.task))]),
  );
  return [...CLUSTER_SPLIT.heldIn, ...CLUSTER_SPLIT.heldOut].map((cluster) => ({
    cluster,
    split: CLUSTER_SPLIT.heldOut.includes(cluster) ? "held out" : "held in",
    scores: Object.fromEntries(Object.keys(columns).map((k) => [k, rates[k][cluster]])),
    skipped: Object.fromEntries(
      Object.keys(columns).map((k) => [
        k,
        (skipped[k] ?? [])
          .filter((r) => r.task !== "all" && clusterOf(r.task) === cluster)
          .reduce((n, r) => n + r.skipped, 0),
      ]),
    ),
  }));
}
