import * as assert from "assert";
import { EVAL_SET_NAMES } from "../../src/data/tasks/eval-sets";
import type { ItemResult } from "../../src/eval/evaluate";
import { itemResult } from "./fixtures";
import { CLUSTER_SPLIT } from "../../src/data/tasks/split";
import { mean, meanSd, sum } from "../../src/eval/stats";
import { clusterOf, clusterScores, loadEvalSets, setResult, summaryRows, thin } from "../../src/eval/suite";

const result = (task: string, behaviour: ItemResult["behaviour"], correct: boolean | null): ItemResult =>
  itemResult({ task, behaviour, correct });

describe("eval/suite", () => {
  it("thins a set at evenly spaced positions, keeping every task's share", () => {
    assert.deepStrictEqual(thin([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5), [0, 2, 4, 6, 8]);
    assert.deepStrictEqual(thin([1, 2], 5), [1, 2]);
    const sets = loadEvalSets({ perSet: 50 });
    assert.deepStrictEqual(Object.keys(sets), [...EVAL_SET_NAMES]);
    assert.strictEqual(sets.heldin.length, 50);
    assert.strictEqual(
      new Set(sets.heldin.map((i) => i.task)).size,
      25,
      "50 of 500 held-in items still cover all 25 tasks",
    );
  });

  it("summarises results per set, per task and per cluster", () => {
    const r = setResult("heldin", [
      result("antonym", "answer", true),
      result("synonym", "answer", false),
      result("add", "continuation", false),
      result("nope", "other", null),
    ]);
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

describe("eval/suite per-cluster scores and eval/stats", () => {
  const res = (task: string, correct: boolean) => ({
    task,
    prompt: "p",
    response: "r",
    stopped: true,
    kind: "benign" as const,
    behaviour: "answer" as const,
    cue: "stopped" as const,
    correct,
  });
  it("scores each column per cluster of the split, counting skipped few-shot prompts per cluster", () => {
    const rows = clusterScores(
      {
        zero: [res("antonym", true), res("antonym", false), res("sentiment", true)],
        few: [res("antonym", true)],
      },
      {
        few: [
          { task: "all", skipped: 5 },
          { task: "antonym", skipped: 2 },
          { task: "synonym", skipped: 1 },
          { task: "sentiment", skipped: 4 },
        ],
      },
    );
    assert.deepStrictEqual(
      rows.map((r) => r.cluster),
      [...CLUSTER_SPLIT.heldIn, ...CLUSTER_SPLIT.heldOut],
    );
    const know = rows.find((r) => r.cluster === "knowledge")!;
    assert.strictEqual(know.split, "held in");
    assert.strictEqual(know.scores.zero!.exact_match, 0.5);
    assert.strictEqual(know.scores.few!.exact_match, 1);
    assert.deepStrictEqual(know.skipped, { zero: 0, few: 3 });
    const cls = rows.find((r) => r.cluster === "classification")!;
    assert.strictEqual(cls.scores.few, undefined);
    assert.strictEqual(cls.skipped.few, 4);
    assert.strictEqual(rows.find((r) => r.cluster === "translation")!.split, "held out");
  });

  it("sums and averages as a reduce does", () => {
    const xs = [0.1, 0.2, 0.3, 1e-9];
    assert.strictEqual(
      sum(xs),
      xs.reduce((a, b) => a + b, 0),
    );
    assert.strictEqual(mean(xs), xs.reduce((a, b) => a + b, 0) / xs.length);
    assert.strictEqual(mean(Float64Array.from(xs)), mean(xs));
    assert.throws(() => mean([]), /no values/);
  });
});
