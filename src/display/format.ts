/**
 * How the notebooks write numbers in tables and findings: one definition of
 * each format, so "0.712 (0.698 to 0.726)" means the same thing everywhere.
 *
 * An interval is a mean (or a rate) with its 95 % bounds, as
 * `meanInterval`, `tInterval`, `wilson` and `winRate` return them.
 */
import { pct } from "./report";

/** A mean with its 95 % interval (`meanInterval`, `tInterval`, `winRate`, ...). */
export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

/** The bounds of an interval alone. */
export interface Bounds {
  lo: number;
  hi: number;
}

/** A share with its interval: a mean of shares (`{ mean }`) or a Wilson rate (`{ rate }`). */
export type ShareInterval = Bounds & ({ mean: number } | { rate: number });

/** 0.71234 → "0.71". */
export const f2 = (x: number): string => x.toFixed(2);

/** 0.71234 → "0.712". */
export const f3 = (x: number): string => x.toFixed(3);

/** A mean and its interval, three decimals: "0.712 (0.698 to 0.726)". */
export const ci = (i: Interval): string => `${f3(i.mean)} (${f3(i.lo)} to ${f3(i.hi)})`;

/** A value and the range around it, with an en dash: "0.712 (0.698–0.726)" (`digits` decimals). */
export const valueRange = (value: number, r: Bounds, digits = 3): string =>
  `${value.toFixed(digits)} (${r.lo.toFixed(digits)}–${r.hi.toFixed(digits)})`;

/** The bounds of an interval of shares as percentages: "72.4%–78.9%". */
export const pctRange = (r: Bounds): string => `${pct(r.lo)}–${pct(r.hi)}`;

/**
 * A share with its interval as percentages, the bounds cut to [0, 1] (an
 * interval of a share can reach past them only by the normal
 * approximation): "75.8% (72.4%–78.9%)".
 */
export const pctCi = (i: ShareInterval): string =>
  `${pct("mean" in i ? i.mean : i.rate)} (${pct(Math.max(0, i.lo))}–${pct(Math.min(1, i.hi))})`;

/**
 * A cell's mean over seeds with its interval in brackets, cut to [0, 1]:
 * "41.2% [35.0%, 47.4%]"; one run has no interval over seeds: "41.2% (one run)".
 */
export const seedInterval = (r: Interval & { n: number }): string =>
  r.n > 1
    ? `${pct(r.mean)} [${pct(Math.max(0, r.lo))}, ${pct(Math.min(1, r.hi))}]`
    : `${pct(r.mean)} (one run)`;

/** A mean ± a standard deviation, each written by `format`: "0.712 ± 0.004". */
export const plusMinus = (s: { mean: number; sd: number }, format: (x: number) => string = f3): string =>
  `${format(s.mean)} ± ${format(s.sd)}`;

/** Seconds as minutes: 962.8 → "16.0" (`digits` decimals). */
export const minutes = (seconds: number, digits = 1): string => (seconds / 60).toFixed(digits);
