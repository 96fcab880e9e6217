/**
 * What the ablation grids are read for: exact match on the transfer
 * clusters (zero- and few-shot), exact match and gold reward on held-in
 * prompts, per-cell means with intervals over seeds, and gold win rates
 * between two groups of runs. Shared by notebook 08 and `npm run sweep`.
 */
import { mean } from "../eval/stats";
import type { AblationResult, TaskScore } from "./ablation";
import type { Cell, GridRun } from "./ablation-grids";
import { winRow, WinRow } from "../eval/policy";
import { cellTable } from "./sweep";

type Shots = "zeroShot" | "fewShot";

const share = (scores: readonly TaskScore[], k: "correct" | "answered") =>
  scores.reduce((s, x) => s + x[k], 0) /
  Math.max(
    1,
    scores.reduce((s, x) => s + x.n, 0),
  );

/** Exact match over every prompt of the transfer clusters (optionally one task). */
export function transferEm(r: AblationResult, shots: Shots = "zeroShot", task?: string): number {
  const scores = Object.entries(r[shots]).filter(([t]) => !task || t === task);
  if (scores.length === 0)
    throw new Error(`transferEm: the run has no ${shots} score${task ? ` for ${task}` : ""}`);
  return share(
    scores.map(([, s]) => s),
    "correct",
  );
}

/** Share of transfer prompts answered (not continued or rambled on). */
export const transferAnswerRate = (r: AblationResult, shots: Shots = "zeroShot") =>
  share(Object.values(r[shots]), "answered");

/** Exact match on the held-in gold prompts (held-out words). */
export const heldinEm = (r: AblationResult) => mean(r.gold.map((g) => (g.correct ? 1 : 0)));

/** Mean gold reward on the held-in gold prompts. */
export const goldMean = (r: AblationResult) => mean(r.gold.map((g) => g.reward));

/** One row per cell: mean of `metric` over its seeds with a 95 % t interval (see cellTable). */
export const cells = (run: GridRun, metric: (r: AblationResult) => number) =>
  cellTable(
    run.rows,
    (row) => row.cell,
    (row) => metric(row.result),
  );

/** The cell rows as plain objects, typed. */
export function cellRows(run: GridRun, metric: (r: AblationResult) => number) {
  return cells(run, metric).objects() as (Cell & { mean: number; lo: number; hi: number; n: number })[];
}

/**
 * Gold win rate of the runs `a` picks against the runs `b` picks, prompt by
 * prompt on the held-in gold prompts (ties ½); seed i of `a` meets seed i
 * of `b`, or `b`'s last run (an untuned base has one). Interval over prompts.
 */
export function goldWinRate(
  run: GridRun,
  a: { label: string; pick: (c: Cell) => boolean },
  b: { label: string; pick: (c: Cell) => boolean },
): WinRow {
  const rewards = (pick: (c: Cell) => boolean) =>
    run.rows.filter((r) => pick(r.cell)).map((r) => r.result.gold.map((g) => g.reward));
  const as = rewards(a.pick),
    bs = rewards(b.pick);
  if (!as.length || !bs.length) throw new Error(`goldWinRate: no runs for ${as.length ? b.label : a.label}`);
  return winRow(a.label, b.label, as, bs);
}
