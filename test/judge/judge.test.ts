import { strict as assert } from "assert";
import {
  clamped,
  goldJudge,
  Judge,
  labelPairs,
  raterJudge,
  swapDebiased,
  swapped,
} from "../../src/judge/judge";
import { preferProbability, RATER_PANEL } from "../../src/judge/raters";
import { pair } from "./pairs";

const pairs = [pair("p/0 0-1", "cold", 1, "warm", 0.5), pair("p/1 0-1", "hot", 0.5, "cold", 1)];

/** A judge with a strong position bias: it prefers whatever is shown first. */
const firstAlways: Judge = { id: "first", label: (ps) => ps.map(() => 1) };

describe("judge/judge", () => {
  it("position-swap debiasing makes a judge that always prefers position 1 score exactly 0.5", () => {
    assert.deepEqual(labelPairs(swapDebiased(firstAlways), pairs), [0.5, 0.5]);
    // A judge that reads the content keeps its preference under swapping.
    assert.deepEqual(labelPairs(swapDebiased(goldJudge), pairs), [1, 0]);
  });

  it("swapping exchanges the two responses and nothing else", () => {
    const s = swapped(pairs)[0];
    assert.equal(s.a.content, "warm");
    assert.equal(s.b.content, "cold");
    assert.equal(s.id, pairs[0].id);
  });

  it("clamping bounds every label to [0.4, 0.6] (Constitutional AI) and refuses bounds that exclude 0.5", () => {
    const sure: Judge = { id: "sure", label: (ps) => ps.map((_, i) => (i === 0 ? 1 : 0.02)) };
    assert.deepEqual(labelPairs(clamped(sure), pairs), [0.6, 0.4]);
    assert.deepEqual(labelPairs(clamped(sure, 0.3, 0.9), pairs), [0.9, 0.3]);
    assert.throws(() => clamped(sure, 0.6, 0.9), /0 ≤ lo ≤ 0.5 ≤ hi ≤ 1/);
  });

  it("a label that is NaN or outside [0, 1] is an error naming the judge and the pair", () => {
    const nan: Judge = { id: "broken judge", label: (ps) => ps.map((_, i) => (i === 1 ? NaN : 0.5)) };
    assert.throws(() => labelPairs(nan, pairs), /judge broken judge: label NaN for pair p\/1 0-1/);
    const over: Judge = { id: "over", label: (ps) => ps.map(() => 1.2) };
    assert.throws(() => labelPairs(over, pairs), /label 1.2 for pair p\/0 0-1 is not a probability/);
    const short: Judge = { id: "short", label: () => [0.5] };
    assert.throws(() => labelPairs(short, pairs), /returned 1 labels for 2 pairs/);
    // Wrappers check the judge they wrap.
    assert.throws(() => labelPairs(swapDebiased(nan), pairs), /broken judge/);
  });

  it("the gold judge says 1, 0 or 0.5 by the gold reward", () => {
    assert.deepEqual(labelPairs(goldJudge, [...pairs, pair("p/2 0-1", "a", 0.5, "b", 0.5)]), [1, 0, 0.5]);
  });

  it("simulated raters click A with their Bradley–Terry probability, deterministically per seed", () => {
    const many = Array.from({ length: 3000 }, (_, i) => pair(`q/${i % 300} ${i}`, "cold", 0.7, "warm", 0.5));
    const judge = raterJudge(RATER_PANEL, 7);
    const labels = labelPairs(judge, many);
    assert.ok(labels.every((l) => l === 0 || l === 1));
    assert.deepEqual(labelPairs(raterJudge(RATER_PANEL, 7), many), labels);
    assert.notDeepEqual(labelPairs(raterJudge(RATER_PANEL, 8), many), labels);
    const expected =
      RATER_PANEL.reduce(
        (s, r) => s + preferProbability(r, { gold: 0.7, words: 1 }, { gold: 0.5, words: 1 }),
        0,
      ) / RATER_PANEL.length;
    const rate = labels.filter((l) => l === 1).length / labels.length;
    assert.ok(Math.abs(rate - expected) < 0.04, `${rate} vs ${expected}`);
    assert.throws(() => raterJudge([]), /panel is empty/);
  });
});
