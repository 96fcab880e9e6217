import { strict as assert } from "assert";
import type { ItemResult } from "../../src/eval/evaluate";
import { itemResult } from "./fixtures";
import { accuracyCoverage, declineCheck, selectiveArea, selectiveItems } from "../../src/eval/selective";

const item = (confidence: number, correct: boolean, answered = true) => ({ confidence, correct, answered });

describe("eval/selective: accuracy against coverage, and declining where one would be wrong", () => {
  it("orders answers by confidence: a model that knows what it knows keeps its accuracy as coverage grows", () => {
    const knows = [item(-0.1, true), item(-0.2, true), item(-1, false), item(-2, false)];
    assert.deepEqual(accuracyCoverage(knows, 4), [
      { coverage: 0.25, accuracy: 1 },
      { coverage: 0.5, accuracy: 1 },
      { coverage: 0.75, accuracy: 2 / 3 },
      { coverage: 1, accuracy: 0.5 },
    ]);
    assert.equal(selectiveArea(knows), (1 + 1 + 2 / 3 + 0.5) / 4);
    const guesses = [item(-2, true), item(-1, false), item(-0.2, true), item(-0.1, false)];
    assert.ok(selectiveArea(guesses) < selectiveArea(knows), "confidence that says nothing scores lower");
  });

  it("counts a declined question in the coverage's denominator, never as answered", () => {
    const pts = accuracyCoverage([item(-0.1, true), item(-0.5, false, false)], 2);
    assert.deepEqual(pts, [{ coverage: 0.5, accuracy: 1 }]);
    assert.deepEqual(accuracyCoverage([item(0, false, false)]), []);
  });

  it("reads the reference's accuracy where the model declined, from classified responses", () => {
    const r = (behaviour: ItemResult["behaviour"], correct: boolean) => itemResult({ behaviour, correct });
    const policy = [r("abstention", false), r("refusal", false), r("answer", true), r("answer", true)];
    const sft = [r("answer", false), r("answer", false), r("answer", true), r("answer", true)];
    const c = declineCheck(policy, sft);
    assert.deepEqual([c.declined, c.onDeclined.k, c.overall.k, c.overall.n], [2, 0, 2, 4]);
    assert.deepEqual(
      selectiveItems(policy, [0, 0, 0, 0]).map((x) => x.answered),
      [false, false, true, true],
    );
    assert.throws(() => declineCheck(policy, sft.slice(1)), /4 results but 3 of the reference/);
  });
});
