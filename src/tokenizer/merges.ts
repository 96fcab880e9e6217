/**
 * The BPE merge loop (Sennrich et al. 2016, "Neural Machine Translation of Rare Words with
 * Subword Units"), on byte-level symbols as in GPT-2 (Radford et al. 2019).
 *
 * Input is a table of pre-tokens ("words") and how often each occurs; words never merge across
 * their boundaries. Each step merges the most frequent adjacent pair of symbols everywhere.
 * Pair counts are updated incrementally: only the words that contain the chosen pair are
 * touched, and a max-heap with lazy deletion finds the next best pair.
 *
 * Ties are broken deterministically: the higher count wins, then the pair whose symbols were
 * created earlier (bytes in byte order come first, then merged symbols in the order they were
 * learned). The same word table therefore always yields the same merges.
 */

/** What {@link learnMerges} learned, in the order it learned it. */
export interface LearnedMerges {
  /** Every merge applied, as `[left, right]` symbol strings, in rank order. */
  merges: [string, string][];
  /** The symbols the merges added to the vocabulary, in order (no duplicates). */
  newSymbols: string[];
}

/** Symbol ids stay below this, so a pair packs into one number: `left * SYMBOL_LIMIT + right`. */
const SYMBOL_LIMIT = 1 << 16;

/**
 * Learns merges until `newSymbolCount` new symbols exist or no pair occurs `minFrequency`
 * times any more (the caller compares `newSymbols.length` with what it asked for).
 *
 * @param wordCounts pre-token → frequency; every character of a pre-token must be in `alphabet`.
 * @param alphabet the initial symbols (GPT-2's 256 byte symbols, in byte order).
 * @param newSymbolCount how many symbols to add.
 * @param minFrequency the smallest pair count still worth merging (≥ 1).
 */
export function learnMerges(
  wordCounts: ReadonlyMap<string, number>,
  alphabet: readonly string[],
  newSymbolCount: number,
  minFrequency: number,
): LearnedMerges {
  const symbols = alphabet.slice();
  const idOf = new Map<string, number>(symbols.map((s, i) => [s, i]));
  const { words, freqs } = symbolWords(wordCounts, idOf);

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>(); // may hold stale or repeated word indices
  const addPairs = (w: number, sign: 1 | -1, touched?: Set<number>, newSymbol?: number): void => {
    const seq = words[w];
    for (let i = 0; i + 1 < seq.length; i++) {
      const key = seq[i] * SYMBOL_LIMIT + seq[i + 1];
      const count = (pairCount.get(key) ?? 0) + sign * freqs[w];
      if (count === 0) pairCount.delete(key);
      else pairCount.set(key, count);
      if (sign < 0) continue;
      if (touched === undefined || seq[i] === newSymbol || seq[i + 1] === newSymbol) {
        const list = pairWords.get(key);
        if (list === undefined) pairWords.set(key, [w]);
        else if (list[list.length - 1] !== w) list.push(w);
        touched?.add(key);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1);

  const heap = new PairHeap();
  for (const [key, count] of pairCount) if (count >= minFrequency) heap.push(count, key);

  const merges: [string, string][] = [];
  const newSymbols: string[] = [];
  const visitedAt = new Int32Array(words.length).fill(-1);
  while (newSymbols.length < newSymbolCount) {
    const best = popBest(heap, pairCount, minFrequency);
    if (best === undefined) break;
    const a = Math.floor(best / SYMBOL_LIMIT);
    const b = best % SYMBOL_LIMIT;
    const merged = symbols[a] + symbols[b];
    // Two different merges can spell the same string (("ab","c") and ("a","bc")): reuse its id.
    let c = idOf.get(merged);
    if (c === undefined) {
      c = symbols.length;
      if (c >= SYMBOL_LIMIT) break;
      symbols.push(merged);
      idOf.set(merged, c);
      newSymbols.push(merged);
    }
    merges.push([symbols[a], symbols[b]]);

    const step = merges.length;
    const touched = new Set<number>();
    for (const w of pairWords.get(best) ?? []) {
      if (visitedAt[w] === step) continue;
      visitedAt[w] = step;
      const replaced = mergePair(words[w], a, b, c);
      if (replaced === words[w]) continue; // stale entry: the pair is gone from this word
      addPairs(w, -1);
      words[w] = replaced;
      addPairs(w, 1, touched, c);
    }
    pairWords.delete(best);
    pairCount.delete(best);
    // Pairs not involving c only lost counts (the heap finds that out lazily);
    // pairs involving c are new or grew, so they get fresh entries.
    for (const key of touched) {
      const count = pairCount.get(key) ?? 0;
      if (count >= minFrequency) heap.push(count, key);
    }
  }
  return { merges, newSymbols };
}

/** Each pre-token as a list of symbol ids, with its frequency. */
function symbolWords(wordCounts: ReadonlyMap<string, number>, idOf: ReadonlyMap<string, number>) {
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [word, freq] of wordCounts) {
    words.push(
      Array.from(word, (ch) => {
        const id = idOf.get(ch);
        if (id === undefined)
          throw new Error(`learnMerges: symbol ${JSON.stringify(ch)} is not in the alphabet`);
        return id;
      }),
    );
    freqs.push(freq);
  }
  return { words, freqs };
}

/** Replaces each non-overlapping `a b` (left to right) by `c`; returns `seq` itself if none. */
function mergePair(seq: number[], a: number, b: number, c: number): number[] {
  let out: number[] | undefined;
  for (let i = 0; i < seq.length; i++) {
    if (i + 1 < seq.length && seq[i] === a && seq[i + 1] === b) {
      out ??= seq.slice(0, i);
      out.push(c);
      i++;
    } else if (out !== undefined) {
      out.push(seq[i]);
    }
  }
  return out ?? seq;
}

/** Pops heap entries until one's count is still current; re-queues stale ones. */
function popBest(heap: PairHeap, pairCount: Map<number, number>, minFrequency: number): number | undefined {
  while (heap.size > 0) {
    const [count, key] = heap.pop();
    const current = pairCount.get(key) ?? 0;
    if (current === count) return key;
    if (current >= minFrequency) heap.push(current, key);
  }
  return undefined;
}

/** Binary max-heap of (count, pairKey): higher count first, then smaller key (older symbols). */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const lastCount = this.counts.pop() as number;
    const lastKey = this.keys.pop() as number;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.counts.length && this.before(l, best)) best = l;
        if (r < this.counts.length && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }

  private before(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci > cj || (ci === cj && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
}
