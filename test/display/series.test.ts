import { strict as assert } from "assert";
import {
  behaviourBar,
  excludes,
  pairedVsSft,
  pooledPoint,
  poolSeeds,
  seedGroups,
  share,
  smooth,
  tailMean,
} from "../../src/display/series";
import { meanInterval } from "../../src/eval/stats";

describe("display/series: what figures and findings compute", () => {
  it("smooths a series with a trailing window, shorter at the start", () => {
    assert.deepEqual(smooth([1, 2, 3, 4, 5], 2), [1, 1.5, 2.5, 3.5, 4.5]);
    assert.deepEqual(smooth([3, 6, 9], 5), [3, 4.5, 6]);
    assert.deepEqual(smooth([], 3), []);
    assert.throws(() => smooth([1], 0), /window 0/);
  });

  it("averages the last fifth of a series, at least one point", () => {
    assert.equal(tailMean([1, 1, 1, 1, 1, 1, 1, 1, 4, 6]), 5);
    assert.equal(tailMean([2, 7]), 7);
    assert.equal(tailMean([1, 2, 3, 4], 2), 3.5);
    assert.throws(() => tailMean([]), /no values/);
  });

  it("counts a share, and the behaviour bar of a set of responses", () => {
    assert.equal(
      share([1, 2, 3, 4], (x) => x > 1),
      0.75,
    );
    const rs = ["answer", "answer", "continuation", "other", "refusal", "abstention", "answer", "answer"].map(
      (behaviour) => ({ behaviour }),
    );
    assert.deepEqual(behaviourBar("SFT", rs), {
      label: "SFT",
      answer_rate: 0.5,
      continuation_rate: 0.125,
      refusal_rate: 0.125,
      abstain_rate: 0.125,
      other_rate: 0.125,
    });
  });

  it("pools seeds per prompt, and compares the pooled method with SFT paired per prompt", () => {
    assert.deepEqual(poolSeeds([[0.2, 0.4, 1]]), [0.2, 0.4, 1], "one seed is itself");
    assert.deepEqual(
      poolSeeds([
        [0, 1],
        [1, 1],
      ]),
      [0.5, 1],
    );
    assert.throws(() => poolSeeds([]), /no seeds/);
    assert.throws(() => poolSeeds([[1, 2], [1]]), /different prompts/);
    const sft = [0.5, 0.5, 0.25];
    assert.deepEqual(
      pairedVsSft(sft, [
        [1, 0.5, 0.25],
        [0, 0.5, 0.75],
      ]),
      meanInterval([0, 0, 0.25]),
    );
    assert.throws(() => pairedVsSft([0.5], [[1, 1]]), /2 prompts against SFT's 1/);
  });

  it("pools several seeds' held-out points per prompt; one seed's point is itself", () => {
    const a = { perPrompt: { gold: [0.2, 0.6, 0.9], kl: [0.1, 0.3, 0.2] } };
    const b = { perPrompt: { gold: [0.4, 0.6, 0.7], kl: [0.3, 0.1, 0.2] } };
    assert.deepEqual(pooledPoint([a]), {
      gold: meanInterval(a.perPrompt.gold),
      kl: meanInterval(a.perPrompt.kl),
      perPrompt: a.perPrompt,
    });
    const p = pooledPoint([a, b]);
    assert.deepEqual(p.perPrompt.gold, [0.30000000000000004, 0.6, 0.8]);
    assert.deepEqual(p.gold, meanInterval(p.perPrompt.gold));
    assert.deepEqual(p.kl, meanInterval([0.2, 0.2, 0.2]));
  });

  it("tells whether an interval excludes a value, above or below", () => {
    assert.equal(excludes({ lo: 0.1, hi: 0.3 }, 0), true);
    assert.equal(excludes({ lo: -0.3, hi: -0.1 }, 0), true);
    assert.equal(excludes({ lo: -0.1, hi: 0.1 }, 0), false);
    assert.equal(excludes({ lo: 0.45, hi: 0.55 }, 0.5), false);
  });

  it("groups runs by their settings without the seed, in first-seen order", () => {
    const rows = [
      { loss: "ipo", seed: 0 },
      { loss: "kto", seed: 0 },
      { loss: "ipo", seed: 1 },
    ];
    assert.deepEqual(
      seedGroups(rows, (r) => r.loss),
      [
        { key: "ipo", rows: [rows[0], rows[2]] },
        { key: "kto", rows: [rows[1]] },
      ],
    );
  });
});
