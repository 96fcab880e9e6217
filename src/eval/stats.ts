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
