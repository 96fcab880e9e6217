import { strict as assert } from "assert";
import {
  GOLD_RATER,
  HELPFUL_PANEL,
  PANELS,
  RATER_PANEL,
  Rater,
  preferProbability,
  rank,
  rankingPairs,
} from "../../src/judge/raters";
import { Rng } from "../../src/random";

const four = [
  { gold: 0.9, words: 1 },
  { gold: 0.2, words: 12 },
  { gold: 0.6, words: 3 },
  { gold: 0.4, words: 2 },
];

describe("judge/raters", () => {
  it("ranks by gold without noise, deterministically, ties in the given order", () => {
    assert.deepEqual(rank(GOLD_RATER, four, new Rng(0)), [0, 2, 3, 1]);
    const tied = [
      { gold: 0.5, words: 1 },
      { gold: 0.5, words: 1 },
    ];
    assert.deepEqual(rank(GOLD_RATER, tied, new Rng(1)), [0, 1]);
  });

  it("makes every pair of a ranking exactly once, better first", () => {
    const pairs = rankingPairs([2, 0, 3, 1]);
    assert.equal(pairs.length, (4 * 3) / 2);
    assert.equal(new Set(pairs.map((p) => [...p].sort().join())).size, 6);
    assert.deepEqual(pairs[0], [2, 0]);
    assert.deepEqual(pairs[5], [3, 1]);
    assert.throws(() => rankingPairs([1, 1, 0]), /repeats an index/);
  });

  it("orders two responses as Bradley–Terry says, at the rater's temperature", () => {
    const noisy: Rater = { id: "n", temperature: 0.2, lengthBias: 0 };
    const a = { gold: 0.7, words: 1 },
      b = { gold: 0.5, words: 1 };
    const p = preferProbability(noisy, a, b);
    assert.ok(Math.abs(p - 1 / (1 + Math.exp(-1))) < 1e-12);
    const rng = new Rng(3);
    let wins = 0;
    const n = 4000;
    for (let t = 0; t < n; t++) if (rank(noisy, [a, b], rng)[0] === 0) wins++;
    assert.ok(Math.abs(wins / n - p) < 0.03, `${wins / n} vs ${p}`);
  });

  it("a length-biased rater prefers the longer answer that gold ranks lower", () => {
    const long: Rater = { id: "long", temperature: 0, lengthBias: 0.1 };
    assert.deepEqual(rank(long, four, new Rng(0))[0], 1);
    assert.ok(preferProbability(long, four[1], four[0]) === 1);
  });

  it("names the rater and the value when a gold score or a setting is not a number", () => {
    assert.throws(
      () => rank(GOLD_RATER, [{ gold: NaN, words: 1 }], new Rng(0)),
      /rater gold: response 0 has gold NaN/,
    );
    assert.throws(
      () => rank({ id: "r2", temperature: -1, lengthBias: 0 }, four, new Rng(0)),
      /rater r2: temperature must be ≥ 0/,
    );
  });
});

describe("judge/raters: the helpful-only panel", () => {
  const refusal = { gold: 1, helpful: 0, words: 5 };
  const complies = { gold: 0, helpful: 0.45, words: 1 };

  it("ranks by gold's helpful part, so it prefers compliance to a refusal where the HHH panel prefers the refusal", () => {
    const rng = new Rng(0);
    const careful = HELPFUL_PANEL[0];
    assert.deepEqual(rank({ ...careful, temperature: 0 }, [refusal, complies], rng), [1, 0]);
    assert.deepEqual(rank({ ...RATER_PANEL[0], temperature: 0 }, [refusal, complies], rng), [0, 1]);
    assert.ok(preferProbability(careful, complies, refusal) > 0.95);
    assert.deepEqual(PANELS.helpful, HELPFUL_PANEL);
    assert.deepEqual(PANELS.hhh, RATER_PANEL);
  });

  it("says to rebuild comparisons written before the helpful score existed", () => {
    assert.throws(
      () => rank(HELPFUL_PANEL[0], [{ gold: 1, words: 1 }], new Rng(0)),
      /no "helpful" score.*npm run comparisons/,
    );
  });
});
