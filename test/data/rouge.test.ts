import { strict as assert } from "assert";
import {
  RougeIndex,
  histogram,
  lcsLength,
  nearestNeighbourRougeL,
  pairwiseRougeL,
  rougeL,
  rougeTokens,
  topPairs,
} from "../../src/data/rouge";
import { readSeedTasks } from "../../src/data/self-instruct";
import { Rng } from "../../src/random";

/** Textbook LCS on string arrays with the full table: an independent reference. */
function naiveLcs(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++)
      t[i][j] = a[i - 1] === b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
  }
  return t[a.length][b.length];
}

function naiveRougeL(x: string, y: string): number {
  const a = rougeTokens(x),
    b = rougeTokens(y);
  if (a.length === 0 || b.length === 0) return 0;
  const lcs = naiveLcs(a, b);
  if (lcs === 0) return 0;
  const p = lcs / b.length,
    r = lcs / a.length;
  return (2 * p * r) / (p + r);
}

function randomText(rng: Rng, vocab: string[], maxLen: number): string {
  return Array.from({ length: rng.int(0, maxLen + 1) }, () => rng.pick(vocab)).join(" ");
}

describe("data/rouge", () => {
  it("tokenises like rouge-score's default tokeniser", () => {
    assert.deepEqual(rougeTokens("Don't STOP!! x2, 3.5"), ["don", "t", "stop", "x2", "3", "5"]);
    assert.deepEqual(rougeTokens("café naïve"), ["caf", "na", "ve"]); // non-ASCII letters are separators
    assert.deepEqual(rougeTokens("  ...  "), []);
  });

  it("gives known values", () => {
    assert.equal(rougeL("the cat sat on the mat", "the cat sat on the mat"), 1);
    assert.equal(rougeL("The cat sat.", "the CAT sat"), 1); // case and punctuation do not count
    assert.equal(rougeL("the cat sat", "a dog ran"), 0);
    // LCS "the cat on the mat" = 5 of 6 tokens each: P = R = 5/6.
    assert.ok(Math.abs(rougeL("the cat sat on the mat", "the cat lay on the mat") - 5 / 6) < 1e-12);
    // Unequal lengths: LCS(a b c d, a c) = 2, P = 1, R = 1/2, F = 2/3.
    assert.ok(Math.abs(rougeL("a b c d", "a c") - 2 / 3) < 1e-12);
    assert.equal(rougeL("", "the cat"), 0);
    assert.equal(rougeL("!!!", "!!!"), 0);
  });

  it("matches a textbook LCS and is symmetric", () => {
    const rng = new Rng(7);
    const vocab = ["a", "b", "c", "d", "e", "the", "of"];
    for (let k = 0; k < 300; k++) {
      const x = randomText(rng, vocab, 12),
        y = randomText(rng, vocab, 12);
      const s = rougeL(x, y);
      assert.ok(Math.abs(s - naiveRougeL(x, y)) < 1e-12, `${x} | ${y}`);
      assert.equal(s, rougeL(y, x));
      assert.ok(s >= 0 && s <= 1);
    }
    assert.equal(lcsLength([1, 2, 3, 4], [2, 4, 1]), 2);
    assert.equal(lcsLength([], [1]), 0);
  });

  it("finds the exact nearest entry despite pruning", () => {
    const rng = new Rng(3);
    const vocab = ["a", "b", "c", "d", "e", "f"];
    const texts = Array.from({ length: 60 }, () => randomText(rng, vocab, 10));
    const ix = new RougeIndex();
    texts.forEach((t) => ix.add(t));
    for (let k = 0; k < 50; k++) {
      const q = randomText(rng, vocab, 10);
      const best = Math.max(...texts.map((t) => naiveRougeL(q, t)));
      const near = ix.nearest(ix.encode(q));
      assert.ok(Math.abs(near.score - best) < 1e-12);
      assert.ok(Math.abs(naiveRougeL(q, texts[near.index]) - best) < 1e-12);
    }
    assert.deepEqual(new RougeIndex().nearest(new Int32Array([0])), { score: 0, index: -1 });
  });

  it("scores all pairs in (0,1), (0,2), ..., (1,2) order", () => {
    const texts = ["the cat sat", "the cat ran", "a dog ran", "the cat sat"];
    const s = pairwiseRougeL(texts);
    assert.equal(s.length, 6);
    let k = 0;
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) assert.equal(s[k++], rougeL(texts[i], texts[j]));
    assert.deepEqual(
      topPairs(s, texts.length, 2).map((p) => [p.i, p.j, p.score]),
      [
        [0, 3, 1],
        [0, 1, 2 / 3],
      ],
    );
    assert.throws(() => topPairs(s, 5, 1), /n\(n-1\)\/2/);
    assert.deepEqual(Array.from(nearestNeighbourRougeL(texts)), [1, 2 / 3, 1 / 3, 1]);
  });

  it("bins a histogram, counting what falls outside", () => {
    const h = histogram([0, 0.05, 0.7, 0.99, 1, -0.1, 1.5, NaN], { bins: 20 });
    assert.equal(h.edges.length, 21);
    assert.equal(h.counts.length, 20);
    assert.equal(h.counts[0], 1);
    assert.equal(h.counts[1], 1);
    assert.equal(h.counts[14], 1); // 0.7 opens bin [0.70, 0.75)
    assert.equal(h.counts[19], 2); // 0.99 and 1 (the last bin is closed)
    assert.deepEqual([h.below, h.above, h.nan, h.total], [1, 1, 1, 8]);
    assert.equal(h.counts.reduce((a, b) => a + b, 0) + h.below + h.above + h.nan, h.total);
    assert.throws(() => histogram([1], { bins: 0 }), /bins/);
    assert.throws(() => histogram([1], { min: 1, max: 1 }), /max > min/);
  });

  it("scores the 175 seed instructions pairwise quickly", () => {
    const ins = readSeedTasks().map((t) => t.instruction);
    const t0 = performance.now();
    const s = pairwiseRougeL(ins);
    const ms = performance.now() - t0;
    console.log(`      pairwise ROUGE-L: ${s.length} pairs in ${ms.toFixed(1)} ms`);
    assert.equal(s.length, (175 * 174) / 2);
    assert.ok(ms < 10_000, `${ms} ms`);
    // The seeds are diverse: few pairs are similar.
    assert.ok(s.every((x) => x >= 0 && x <= 1));
    assert.ok(s.filter((x) => x >= 0.7).length <= 5);
  });
});
