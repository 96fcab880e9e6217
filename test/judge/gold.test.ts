import { strict as assert } from "assert";
import type { EvalItem } from "../../src/data/tasks/eval-sets";
import { GOLD_TERMS, GOLD_WEIGHTS, TERM_KIND, goldReward, isConcise } from "../../src/judge/gold";

const item: EvalItem = {
  messages: [{ role: "user", content: "What is the opposite of hot?" }],
  answer: "cold",
  accepted: ["cold"],
  task: "antonym",
  cluster: "knowledge",
  template: 0,
  input: { word: "hot" },
  word: "hot",
};

describe("judge/gold reward", () => {
  it("has one table of weights summing to 1, and a kind for every term", () => {
    const sum = GOLD_TERMS.reduce((s, t) => s + GOLD_WEIGHTS[t], 0);
    assert.ok(Math.abs(sum - 1) < 1e-12);
    assert.deepEqual(Object.keys(TERM_KIND).sort(), [...GOLD_TERMS].sort());
  });

  it("gives 1 to a right, stopped, concise answer and splits it by kind", () => {
    const g = goldReward(item, " cold", true);
    assert.deepEqual(g.terms, { correct: 1, answers: 1, concise: 1 });
    assert.ok(Math.abs(g.total - 1) < 1e-12);
    assert.ok(Math.abs(g.byKind["prompt-specific"] - GOLD_WEIGHTS.correct) < 1e-12);
  });

  it("scores each part on its own: wrong but well-behaved, right but rambling, a continuation", () => {
    const wrong = goldReward(item, " warm", true);
    assert.deepEqual(wrong.terms, { correct: 0, answers: 1, concise: 1 });
    assert.ok(Math.abs(wrong.total - (GOLD_WEIGHTS.answers + GOLD_WEIGHTS.concise)) < 1e-12);
    const rambling = goldReward(
      item,
      " cold\nThe opposite of big is small. The opposite of up is down.",
      true,
    );
    assert.equal(rambling.terms.correct, 1);
    assert.equal(rambling.terms.concise, 0);
    const cont = goldReward(item, "\n2. What is the opposite of big?\n3. What is", false);
    assert.deepEqual(cont.terms, { correct: 0, answers: 0, concise: 0 });
    assert.equal(cont.total, 0);
    assert.ok(wrong.total < 1 && rambling.total < 1 && cont.total < wrong.total);
  });

  it("calls an answer concise when it adds at most a few words to the reference", () => {
    assert.ok(isConcise(" it is cold", "cold"));
    assert.ok(!isConcise(" it is very very cold indeed", "cold"));
    assert.ok(!isConcise(" cold\nwarm", "cold"));
  });
});
