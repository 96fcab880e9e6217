/**
 * The committed record of `npm run rlaif` (data/rlhf/rlaif.json) and what
 * notebook 06 reads from it: the runs of a label source, win rates between
 * policies per seed and pooled, several seeds' runs as one point.
 */
import * as fs from "fs";
import type { Agreement, positionBias } from "../judge/agreement";
import { meanInterval } from "../eval/stats";
import type { Versions } from "../run-record";
import { winRate } from "./dpo";
import type { Interval } from "./ppo";
import { LabelSource, PolicyPoint, RLAIF_PATHS, RlaifLoss, RlaifResult } from "./rlaif";

export interface RlaifRecord {
  command: string;
  /** Unordered training pairs every label set labels. */
  trainPairs: number;
  settings: Record<string, unknown> & { heldout: number; samples: number; seeds: number[] };
  backend: { name: string; path?: string };
  versions: Versions;
  startedAt: string;
  durationS: number;
  judges: {
    pairs: number;
    rows: Agreement[];
    costPer1000: Record<string, { seconds: number; calls: number; tokens: number }>;
    positionBias: Record<string, ReturnType<typeof positionBias>>;
    tooLong: number;
    tuned: {
      comparisons: number;
      steps: number;
      seconds: number;
      conversations: number;
      costPer1000: { seconds: number; calls: number; tokens: number };
    }[];
  };
  labelSets: {
    source: LabelSource;
    seconds: number;
    ties: number;
    steps: number;
    agreementWithGold: Agreement;
  }[];
  slcai: {
    responses: number;
    breaking: number;
    byModel: number;
    byRule: number;
    unrevisable: number;
    examples: {
      reply: { request: string; response: string };
      broken: string[];
      critique: string;
      revision: string | null;
      by: string;
    }[];
  };
  sft: PolicyPoint;
  rows: RlaifResult[];
}

export function readRlaifRecord(file = RLAIF_PATHS.record): RlaifRecord {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing; make it with npm run rlaif`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as RlaifRecord;
}

/** The one-pass runs of a label source with one loss (every seed), in seed order. */
export const sourceRuns = (rec: RlaifRecord, source: LabelSource, loss: RlaifLoss = "dpo") =>
  rec.rows.filter(
    (r) =>
      r.job.kind === "dpo" &&
      r.job.source === source &&
      r.job.loss === loss &&
      r.job.steps === rec.labelSets.find((l) => l.source === source)!.steps,
  );

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

/** Several seeds' runs as one point: per prompt, the seeds' mean gold and KL, then the interval over prompts. */
export function pooledPoint(points: readonly PolicyPoint[]): { gold: Interval; kl: Interval } {
  if (points.length === 0) throw new Error("pooledPoint: no runs to pool");
  const avg = (k: "gold" | "kl") =>
    points[0].perPrompt[k].map((_, i) => points.reduce((s, p) => s + p.perPrompt[k][i], 0) / points.length);
  return { gold: meanInterval(avg("gold")), kl: meanInterval(avg("kl")) };
}
