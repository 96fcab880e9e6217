/** Summary statistics for results over seeds. */

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

/** Whether two rates' intervals are disjoint: the only case the notebooks call a difference. */
export const separated = (a: Rate, b: Rate): boolean => a.hi < b.lo || b.hi < a.lo;
