/** Summary statistics for results over seeds. */
import { Rng } from "../random";

/** Σ xs (0 for none), added left to right. */
export function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}

/** Arithmetic mean; throws on no values. */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) throw new Error("mean: no values");
  return sum(xs) / xs.length;
}

/** Mean, sample standard deviation (n − 1) and count; sd is 0 for one value. */
export function meanSd(xs: readonly number[]): { mean: number; sd: number; n: number } {
  const n = xs.length;
  if (n === 0) throw new Error("meanSd: no values");
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** A rate with its 95 % interval. */
export interface Rate {
  k: number;
  n: number;
  rate: number;
  lo: number;
  hi: number;
}

/**
 * `k` successes of `n` with the Wilson score interval (95 % by default):
 * unlike the normal approximation it stays inside [0, 1] and is sensible
 * at rates near 0 or 1 and for small n (Wilson, 1927; Brown, Cai & DasGupta, 2001).
 */
export function wilson(k: number, n: number, z = 1.959964): Rate {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || k < 0 || k > n)
    throw new Error(`wilson: need whole numbers 0 ≤ k ≤ n, got k = ${k}, n = ${n}`);
  if (n === 0) return { k, n, rate: NaN, lo: 0, hi: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { k, n, rate: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** Whether two intervals (rates, means) are disjoint: the only case the notebooks call a difference. */
export const separated = (a: Pick<Rate, "lo" | "hi">, b: Pick<Rate, "lo" | "hi">): boolean =>
  a.hi < b.lo || b.hi < a.lo;

/** Ranks 1..n of xs, ties sharing their average rank (what Spearman's ρ needs). */
export function ranks(xs: readonly number[]): number[] {
  const idx = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const out = new Array<number>(xs.length);
  for (let a = 0; a < idx.length;) {
    let b = a;
    while (b + 1 < idx.length && idx[b + 1].x === idx[a].x) b++;
    for (let k = a; k <= b; k++) out[idx[k].i] = (a + b) / 2 + 1;
    a = b + 1;
  }
  return out;
}

/** Pearson's r; NaN when either side is constant. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length < 2)
    throw new Error(`pearson: need two equally long lists of ≥ 2 values, got ${xs.length} and ${ys.length}`);
  const mx = mean(xs),
    my = mean(ys);
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman's ρ: Pearson's r of the (tie-averaged) ranks. */
export const spearman = (xs: readonly number[], ys: readonly number[]): number =>
  pearson(ranks(xs), ranks(ys));

/** Paired scores of the responses to one prompt (or any group whose members share a cause). */
export interface ScoreGroup {
  x: readonly number[];
  y: readonly number[];
}

/**
 * Spearman ρ over grouped scores, and its two parts: **between** groups (ρ of
 * the groups' means: does x rank prompts as y does?) and **within** groups
 * (ρ of the scores centred on their group's mean: does x rank one prompt's
 * responses as y does?). A reward model trained on within-prompt
 * comparisons can score well on one and badly on the other; the pooled ρ
 * mixes both. Groups of one response and groups where x and y are both
 * constant carry no within-group information and are left out of `within`.
 */
export function spearmanByGroup(groups: readonly ScoreGroup[]): {
  pooled: number;
  between: number;
  within: number;
} {
  for (const [i, g] of groups.entries())
    if (g.x.length !== g.y.length || g.x.length === 0)
      throw new Error(`spearmanByGroup: group ${i} has ${g.x.length} x and ${g.y.length} y scores`);
  const avg = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const centred = (v: readonly number[]) => {
    const m = avg(v);
    return v.map((a) => a - m);
  };
  const informative = groups.filter(
    (g) => g.x.length > 1 && !(new Set(g.x).size === 1 && new Set(g.y).size === 1),
  );
  return {
    pooled: spearman(
      groups.flatMap((g) => g.x),
      groups.flatMap((g) => g.y),
    ),
    between: spearman(
      groups.map((g) => avg(g.x)),
      groups.map((g) => avg(g.y)),
    ),
    within: spearman(
      informative.flatMap((g) => centred(g.x)),
      informative.flatMap((g) => centred(g.y)),
    ),
  };
}

/**
 * A percentile bootstrap 95 % interval of `stat` over `units` resampled with
 * replacement (Efron & Tibshirani 1993, ch. 13). Resample the unit the data
 * were drawn by (a prompt with all its responses, not single responses), so
 * the interval carries the prompts' own variation. Seeded: the same call
 * gives the same interval.
 */
export function bootstrapInterval<T>(
  units: readonly T[],
  stat: (sample: T[]) => number,
  o: { draws?: number; seed?: number } = {},
): { lo: number; hi: number; draws: number } {
  const draws = o.draws ?? 1000;
  if (units.length < 2) throw new Error(`bootstrapInterval: need at least 2 units, got ${units.length}`);
  const rng = new Rng(o.seed ?? 0).fork("bootstrap");
  const values: number[] = [];
  for (let d = 0; d < draws; d++) {
    const v = stat(Array.from(units, () => units[rng.int(0, units.length)]));
    // A resample can make the statistic undefined (all ties); it says nothing about the spread.
    if (Number.isFinite(v)) values.push(v);
  }
  if (values.length < draws / 2)
    throw new Error(
      `bootstrapInterval: the statistic was undefined on ${draws - values.length} of ${draws} resamples`,
    );
  values.sort((a, b) => a - b);
  const at = (q: number) =>
    values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))];
  return { lo: at(0.025), hi: at(0.975), draws: values.length };
}

/**
 * Kendall's τ-b (ties on either side corrected); NaN when either side is
 * constant, as a ranking of all-equal items says nothing.
 */
export function kendallTau(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new Error(`kendallTau: lengths ${xs.length} and ${ys.length} differ`);
  let conc = 0,
    tx = 0,
    ty = 0,
    pairs = 0;
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) {
      const a = Math.sign(xs[i] - xs[j]),
        b = Math.sign(ys[i] - ys[j]);
      pairs++;
      if (a === 0) tx++;
      if (b === 0) ty++;
      conc += a * b;
    }
  return conc / Math.sqrt((pairs - tx) * (pairs - ty));
}

/** A mean with its 95 % normal-approximation interval (for means of many values: τ per prompt, ...). */
export function meanInterval(
  xs: readonly number[],
  z = 1.959964,
): { mean: number; lo: number; hi: number; n: number } {
  const { mean, sd, n } = meanSd(xs);
  const half = n > 1 ? (z * sd) / Math.sqrt(n) : Infinity;
  return { mean, lo: mean - half, hi: mean + half, n };
}

/** Two-sided 95 % quantiles of Student's t for 1 … 30 degrees of freedom (beyond: the normal's 1.96). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * The mean of a few values (one per seed) with its 95 % Student-t interval:
 * with 3 seeds the half-width is 4.3 standard errors, not 1.96, because the
 * spread itself is estimated from 3 values. Infinite for one value.
 */
export function tInterval(xs: readonly number[]): { mean: number; lo: number; hi: number; n: number } {
  const { mean, sd, n } = meanSd(xs);
  const t = n > 1 ? (T95[n - 2] ?? 1.959964) : Infinity;
  const half = n > 1 ? (t * sd) / Math.sqrt(n) : Infinity;
  return { mean, lo: mean - half, hi: mean + half, n };
}

/**
 * Cohen's κ of two raters' binary labels: agreement beyond what their
 * label rates alone would give by chance, (p_o − p_e) / (1 − p_e).
 * 1 = perfect, 0 = chance; NaN when both always say the same thing.
 */
export function cohenKappa(a: readonly boolean[], b: readonly boolean[]): number {
  if (a.length !== b.length || a.length === 0)
    throw new Error(`cohenKappa: need the same non-empty items, got ${a.length} and ${b.length}`);
  const n = a.length;
  const po = a.filter((x, i) => x === b[i]).length / n;
  const pa = a.filter(Boolean).length / n;
  const pb = b.filter(Boolean).length / n;
  const pe = pa * pb + (1 - pa) * (1 - pb);
  return (po - pe) / (1 - pe);
}

/** One coefficient of a least-squares fit, with its standard error and 95 % interval. */
export interface Coefficient {
  estimate: number;
  se: number;
  lo: number;
  hi: number;
}

/**
 * Ordinary least squares y ≈ b0 + Σ b_j x_j with classical standard errors
 * (residual variance × (XᵀX)⁻¹). `columns` are the predictors; the intercept
 * is added. Small p only: the normal equations are solved by Gauss–Jordan.
 */
export function ols(
  y: readonly number[],
  columns: readonly (readonly number[])[],
  /** Degrees of freedom already spent elsewhere (e.g. one per group mean removed by `withinGroups`). */
  absorbed = 0,
): Coefficient[] {
  const n = y.length,
    p = columns.length + 1;
  if (n <= p + absorbed) throw new Error(`ols: ${n} observations cannot fit ${p + absorbed} coefficients`);
  const row = (i: number) => [1, ...columns.map((c) => c[i])];
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  for (let i = 0; i < n; i++) {
    const r = row(i);
    for (let a = 0; a < p; a++) {
      xty[a] += r[a] * y[i];
      for (let b = 0; b < p; b++) xtx[a][b] += r[a] * r[b];
    }
  }
  const inv = invert(xtx);
  const beta = inv.map((r) => r.reduce((s, v, j) => s + v * xty[j], 0));
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - row(i).reduce((s, v, j) => s + v * beta[j], 0)) ** 2;
  const s2 = rss / (n - p - absorbed);
  return beta.map((b, j) => {
    const se = Math.sqrt(s2 * inv[j][j]);
    return { estimate: b, se, lo: b - 1.959964 * se, hi: b + 1.959964 * se };
  });
}

/**
 * Each value minus its group's mean (the "within" transform of a fixed-effects
 * regression): a slope fitted on the result compares items of the same group
 * only, e.g. responses to the same prompt. Groups of one carry nothing and are dropped.
 */
export function withinGroups(groups: readonly (readonly number[])[]): { values: number[]; groups: number } {
  const kept = groups.filter((g) => g.length > 1);
  return {
    values: kept.flatMap((g) => {
      const m = mean(g);
      return g.map((x) => x - m);
    }),
    groups: kept.length,
  };
}

function invert(m: number[][]): number[][] {
  const p = m.length;
  const a = m.map((r, i) => [...r, ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    if (Math.abs(a[piv][c]) < 1e-12) throw new Error("ols: the predictors are collinear (XᵀX is singular)");
    [a[c], a[piv]] = [a[piv], a[c]];
    const d = a[c][c];
    for (let j = 0; j < 2 * p; j++) a[c][j] /= d;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * p; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((r) => r.slice(p));
}

/** One bin of a reliability diagram: the mean predicted probability against the observed rate. */
export interface CalibrationBin {
  predicted: number;
  observed: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * Predicted probabilities `p` of binary outcomes `y` in `bins` equal-width
 * bins of p (empty bins left out), each bin's observed rate with its Wilson
 * interval: a model is calibrated where `observed` tracks `predicted`.
 */
export function calibrationBins(xs: readonly { p: number; y: number }[], bins: number): CalibrationBin[] {
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const inBin = xs.filter((x) => Math.min(bins - 1, Math.floor(x.p * bins)) === b);
    if (inBin.length === 0) continue;
    const k = inBin.filter((x) => x.y === 1).length;
    const w = wilson(k, inBin.length);
    out.push({
      predicted: inBin.reduce((s, x) => s + x.p, 0) / inBin.length,
      observed: w.rate,
      lo: w.lo,
      hi: w.hi,
      n: inBin.length,
    });
  }
  return out;
}
