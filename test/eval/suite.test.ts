import * as assert from "assert";
import { EVAL_SET_NAMES } from "../../src/data/tasks/eval-sets";
import type { ItemResult } from "../../src/eval/evaluate";
import { meanSd } from "../../src/eval/stats";
import { clusterOf, loadEvalSets, setResult, summaryRows, thin } from "../../src/eval/suite";

const result = (task: string, behaviour: ItemResult["behaviour"], correct: boolean | null): ItemResult =>
  ({ task, prompt: "p", response: "r", stopped: true, behaviour, cue: "stopped", correct });

describe("eval/suite", () => {
  it("thins a set at evenly spaced positions, keeping every task's share", () => {
    assert.deepStrictEqual(thin([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5), [0, 2, 4, 6, 8]);
    assert.deepStrictEqual(thin([1, 2], 5), [1, 2]);
    const sets = loadEvalSets({ perSet: 50 });
    assert.deepStrictEqual(Object.keys(sets), [...EVAL_SET_NAMES]);
    assert.strictEqual(sets.heldin.length, 50);
    assert.strictEqual(new Set(sets.heldin.map((i) => i.task)).size, 25, "50 of 500 held-in items still cover all 25 tasks");
  });

  it("summarises results per set, per task and per cluster", () => {
    const r = setResult("heldin", [result("antonym", "answer", true), result("synonym", "answer", false), result("add", "continuation", false), result("nope", "other", null)]);
    assert.strictEqual(r.summary.answer_rate, 0.5);
    assert.strictEqual(r.summary.exact_match, 1 / 3);
    assert.strictEqual(r.byCluster.knowledge.exact_match, 0.5);
    assert.strictEqual(r.byCluster.arithmetic.continuation_rate, 1);
    assert.strictEqual(clusterOf("nope"), "untagged");
    const [row] = summaryRows("SFT", [r]);
    assert.strictEqual(row.model, "SFT");
    assert.strictEqual(row.set, "heldin");
    assert.ok(!("by_task" in row));
  });

  it("means and sample standard deviations over seeds", () => {
    assert.deepStrictEqual(meanSd([1]), { mean: 1, sd: 0, n: 1 });
    const s = meanSd([1, 2, 3]);
    assert.strictEqual(s.mean, 2);
    assert.strictEqual(s.sd, 1);
    assert.throws(() => meanSd([]), /no values/);
  });
});
