/**
 * ROUGE-L between short texts, as the `rouge-score` Python package computes
 * it with its default tokeniser and no stemmer (the setting Self-Instruct
 * uses to filter instructions):
 *
 * - tokens: lowercase the text, turn every run of characters outside
 *   `[a-z0-9]` into a space, split on spaces ("Don't!" → `don`, `t`;
 *   accented letters are dropped, as in the package);
 * - score: the F-measure of the longest common subsequence (LCS) of the two
 *   token sequences, P = LCS/|b|, R = LCS/|a|, F = 2PR/(P+R) = 2·LCS/(|a|+|b|),
 *   so it is symmetric; 0 when either text has no tokens.
 *
 * Texts are tokenised once into integer ids (`RougeIndex`) and the LCS runs
 * on typed arrays with one reusable row, so the ~15k pairs of 175
 * instructions take milliseconds.
 */

/** The `rouge-score` default tokens of `text` (lowercase alphanumeric runs). */
export function rougeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ")
    .filter((t) => t.length > 0);
}

/** Length of the longest common subsequence of two id sequences. `row` is scratch space (≥ b.length + 1). */
export function lcsLength(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  row: Int32Array = new Int32Array(b.length + 1),
): number {
  const n = b.length;
  row.fill(0, 0, n + 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    let diag = 0; // row[j-1] of the previous i
    for (let j = 1; j <= n; j++) {
      const up = row[j];
      row[j] = ai === b[j - 1] ? diag + 1 : up > row[j - 1] ? up : row[j - 1];
      diag = up;
    }
  }
  return row[n];
}

/** ROUGE-L F-measure from an LCS length and the two sequence lengths. */
export const rougeFromLcs = (lcs: number, m: number, n: number): number =>
  m === 0 || n === 0 ? 0 : (2 * lcs) / (m + n);

/** ROUGE-L F-measure of two texts (symmetric, in [0, 1]). */
export function rougeL(a: string, b: string): number {
  const ix = new RougeIndex();
  const ta = ix.encode(a),
    tb = ix.encode(b);
  return rougeFromLcs(lcsLength(ta, tb), ta.length, tb.length);
}

/** The most similar entry of an index to a query. `index` is -1 for an empty index. */
export interface Nearest {
  score: number;
  index: number;
}

/**
 * A growing set of tokenised texts to compare queries against. Tokens are
 * interned to integers so LCS compares numbers, not strings.
 */
export class RougeIndex {
  private readonly vocab = new Map<string, number>();
  private row = new Int32Array(64);
  /** Token ids of every added text, in order. */
  readonly seqs: Int32Array[] = [];

  /** Token ids of `text` (new tokens get new ids). */
  encode(text: string): Int32Array {
    const toks = rougeTokens(text);
    const ids = new Int32Array(toks.length);
    toks.forEach((t, i) => {
      let id = this.vocab.get(t);
      if (id === undefined) this.vocab.set(t, (id = this.vocab.size));
      ids[i] = id;
    });
    return ids;
  }

  /** Adds a text; returns its index. */
  add(text: string): number {
    this.seqs.push(this.encode(text));
    return this.seqs.length - 1;
  }

  get size(): number {
    return this.seqs.length;
  }

  /** ROUGE-L between two id sequences (e.g. two entries of `seqs`). */
  score(a: Int32Array, b: Int32Array): number {
    if (this.row.length <= b.length) this.row = new Int32Array(2 * b.length + 1);
    return rougeFromLcs(lcsLength(a, b, this.row), a.length, b.length);
  }

  /**
   * The entry most similar to `query` (ids from `encode`). Exact: an entry is
   * skipped only when its length bound 2·min(m,n)/(m+n) cannot beat the best so far.
   */
  nearest(query: Int32Array): Nearest {
    let best = { score: 0, index: this.seqs.length > 0 ? 0 : -1 };
    const m = query.length;
    if (m === 0) return best;
    for (let k = 0; k < this.seqs.length; k++) {
      const s = this.seqs[k];
      if ((2 * Math.min(m, s.length)) / (m + s.length) <= best.score) continue;
      const sc = this.score(query, s);
      if (sc > best.score) best = { score: sc, index: k };
    }
    return best;
  }
}

/**
 * ROUGE-L of every unordered pair of `texts`, in the order
 * (0,1), (0,2), …, (0,n-1), (1,2), …: n(n-1)/2 scores.
 */
export function pairwiseRougeL(texts: readonly string[]): Float64Array {
  const ix = new RougeIndex();
  texts.forEach((t) => ix.add(t));
  const n = texts.length;
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[k++] = ix.score(ix.seqs[i], ix.seqs[j]);
  return out;
}

/** One pair of texts and its score. */
export interface ScoredPair {
  i: number;
  j: number;
  score: number;
}

/** The `k` most similar pairs, given `pairwiseRougeL(texts)` for `n` texts (ties: earlier pair first). */
export function topPairs(scores: ArrayLike<number>, n: number, k: number): ScoredPair[] {
  if (scores.length !== (n * (n - 1)) / 2)
    throw new Error(`topPairs: ${scores.length} scores is not n(n-1)/2 for n = ${n}`);
  const pairs: ScoredPair[] = [];
  let p = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push({ i, j, score: scores[p++] });
  return pairs.sort((a, b) => b.score - a.score || a.i - b.i || a.j - b.j).slice(0, k);
}

/** For each text, the ROUGE-L to its most similar other text (n ≥ 2). */
export function nearestNeighbourRougeL(texts: readonly string[]): Float64Array {
  const n = texts.length;
  const scores = pairwiseRougeL(texts);
  const best = new Float64Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, p++) {
      if (scores[p] > best[i]) best[i] = scores[p];
      if (scores[p] > best[j]) best[j] = scores[p];
    }
  }
  return best;
}

/** Fixed-width histogram: `counts[b]` values fell in [edges[b], edges[b+1]) (the last bin includes `max`). */
export interface Histogram {
  edges: number[];
  centers: number[];
  counts: number[];
  /** Values below `min` / above `max` / not a number: counted, never dropped silently. */
  below: number;
  above: number;
  nan: number;
  total: number;
}

/** Histogram of `values` in `bins` equal bins over [min, max] (defaults: 20 bins over [0, 1], as for ROUGE-L). */
export function histogram(
  values: ArrayLike<number>,
  opts: { bins?: number; min?: number; max?: number } = {},
): Histogram {
  const { bins = 20, min = 0, max = 1 } = opts;
  if (!(bins >= 1 && Number.isInteger(bins)))
    throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  if (!(max > min)) throw new Error(`histogram: need max > min, got [${min}, ${max}]`);
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, b) => min + b * width);
  const centers = Array.from({ length: bins }, (_, b) => min + (b + 0.5) * width);
  const counts = new Array<number>(bins).fill(0);
  let below = 0,
    above = 0,
    nan = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) nan++;
    else if (v < min) below++;
    else if (v > max) above++;
    else counts[Math.min(bins - 1, Math.floor(((v - min) / (max - min)) * bins))]++;
  }
  return { edges, centers, counts, below, above, nan, total: values.length };
}
