/**
 * The committed record of `npm run rlaif` (data/rlhf/rlaif.json) and what
 * notebook 06 reads from it: the runs of a label source, win rates between
 * policies per seed and pooled, several seeds' runs as one point.
 */
import type { Agreement, positionBias } from "../judge/agreement";
import { meanInterval } from "../eval/stats";
import { INTERVAL_SHAPE, RATE_SHAPE, readRecord, SAMPLED_SHAPE, type Versions } from "../run-record";
import { Interval, winRow, WinRow } from "../eval/policy";

// winRow is policy evaluation (src/eval/policy.ts); notebook 06 reads it beside the record.
export { winRow, type WinRow };
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

/** The record of `npm run rlaif`, checked; a missing or stale file names that command. */
export function readRlaifRecord(file = RLAIF_PATHS.record): RlaifRecord {
  const agreement = {
    judge: "string",
    n: "number",
    accuracy: INTERVAL_SHAPE,
    accuracyDecided: RATE_SHAPE,
  } as const;
  const point = {
    ...SAMPLED_SHAPE,
    anyBroken: INTERVAL_SHAPE,
    perPromptBroken: "object",
    behaviour: { answer: "number", continuation: "number", other: "number" },
  } as const;
  const cost = { seconds: "number", calls: "number", tokens: "number" } as const;
  return readRecord<RlaifRecord>(file, {
    command: "npm run rlaif",
    shape: {
      command: "string",
      trainPairs: "number",
      backend: { name: "string" },
      startedAt: "string",
      durationS: "number",
      judges: {
        rows: [{ ...agreement, decided: RATE_SHAPE, softAccuracy: INTERVAL_SHAPE }],
        positionBias: "object",
        tuned: [{ comparisons: "number", seconds: "number", costPer1000: cost }],
      },
      labelSets: [
        {
          source: "string",
          seconds: "number",
          ties: "number",
          steps: "number",
          agreementWithGold: agreement,
        },
      ],
      slcai: {
        responses: "number",
        breaking: "number",
        byModel: "number",
        byRule: "number",
        unrevisable: "number",
        examples: [{ reply: { request: "string", response: "string" }, broken: "array", by: "string" }],
      },
      sft: point,
      rows: [{ job: { kind: "string", seed: "number", steps: "number" }, point }],
    },
  });
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

/** Several seeds' runs as one point: per prompt, the seeds' mean gold and KL, then the interval over prompts. */
export function pooledPoint(points: readonly PolicyPoint[]): { gold: Interval; kl: Interval } {
  if (points.length === 0) throw new Error("pooledPoint: no runs to pool");
  const avg = (k: "gold" | "kl") =>
    points[0].perPrompt[k].map((_, i) => points.reduce((s, p) => s + p.perPrompt[k][i], 0) / points.length);
  return { gold: meanInterval(avg("gold")), kl: meanInterval(avg("kl")) };
}
