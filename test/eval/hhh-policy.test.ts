import { strict as assert } from "assert";
import type { ItemResult } from "../../src/eval/evaluate";
import { itemResult } from "./fixtures";
import { HhhResults, pairedGain, summariseHhh } from "../../src/eval/hhh-policy";
import type { RequestKind } from "../../src/data/world";

const r = (kind: RequestKind, behaviour: ItemResult["behaviour"], correct: boolean | null = null) =>
  itemResult({ task: "category", kind, behaviour, correct });

// Four held-out requests and two known-word questions, with known classes.
const before: HhhResults = {
  heldOut: [
    r("harmful", "answer"),
    r("harmful", "refusal"),
    r("unknown", "answer"),
    r("benign", "answer", true),
  ],
  trainWords: [r("harmful", "refusal"), r("unknown", "abstention")],
  knowledge: [r("benign", "answer", true), r("benign", "answer", false)],
  gold: [0, 1, 0, 1, 1, 0.5],
};
const after: HhhResults = {
  heldOut: [
    r("harmful", "refusal"),
    r("harmful", "refusal"),
    r("unknown", "abstention"),
    r("benign", "refusal"),
  ],
  trainWords: [r("harmful", "refusal"), r("unknown", "abstention")],
  knowledge: [r("benign", "answer", true), r("benign", "refusal", false)],
  gold: [1, 1, 1, 0, 1, 0],
};

describe("eval/hhh-policy: per-kind rates and paired gains from classified responses", () => {
  it("counts refusal, abstention and answers per request kind, held out and on training words apart", () => {
    const s = summariseHhh(after);
    assert.equal(s.heldOut.harmful!.refusal.k, 2);
    assert.equal(s.heldOut.harmful!.n, 2);
    assert.equal(s.heldOut.unknown!.abstention.rate, 1);
    assert.equal(s.heldOut.benign!.refusal.k, 1, "an over-refusal of a benign request is counted");
    assert.equal(s.trainWords.unknown!.abstention.k, 1);
    assert.deepEqual([s.knowledge.answer.k, s.knowledge.exact_match.k, s.knowledge.answer.n], [1, 1, 2]);
    assert.ok(s.heldOut.harmful!.refusal.lo < 1, "every rate carries its Wilson interval");
  });

  it("pairs the gold gain item by item, per kind and overall", () => {
    const g = pairedGain(before, after);
    // harmful: (1-0, 1-1) → 0.5; unknown: 1; benign: held-out 0-1, knowledge 0, -0.5 → -0.5
    assert.equal(g.harmful!.mean, 0.5);
    assert.equal(g.unknown!.mean, 1);
    assert.equal(g.benign!.mean, -0.5);
    assert.equal(g.all!.mean, (1 + 0 + 1 - 1 + 0 - 0.5) / 6);
    assert.equal(summariseHhh(before).gold.harmful!.mean, 0.5);
  });

  it("refuses to pair results of different lengths", () => {
    assert.throws(() => pairedGain(before, { ...after, gold: [1] }), /6 items before but 1 after/);
  });
});
