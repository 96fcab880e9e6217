import * as assert from "assert";
import * as path from "path";
import { readEvalJsonl } from "../../src/data/tasks/eval-sets";
import { score } from "../../src/eval/evaluate";

describe("eval/evaluate score", () => {
  const items = readEvalJsonl(path.join(__dirname, "../../data/sft/eval_heldin.jsonl"));

  it("uses the task's own checker when the item carries its inputs (case matters for uppercase)", () => {
    const up = items.find((i) => i.task === "uppercase")!;
    assert.strictEqual(score(up, ` ${up.answer}`), true);
    assert.strictEqual(score(up, ` ${up.answer.toLowerCase()}`), false);
  });

  it("falls back to first-line exact match without inputs, and to null without a reference", () => {
    assert.strictEqual(score({ messages: [{ role: "user", content: "q" }], answer: "cold" }, " Cold."), true);
    assert.strictEqual(score({ messages: [{ role: "user", content: "q" }] }, " anything"), null);
  });
});
