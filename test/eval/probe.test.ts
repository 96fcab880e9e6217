import { strict as assert } from "assert";
import type { ClozeItem } from "../../src/data/facts";
import { answerBudget } from "../../src/eval/probe";
import { testTokenizer } from "../helpers";

const item = (answer: string, accepted: string[] = []): ClozeItem => ({
  prompt: "x is a kind of",
  answer: ` ${answer}`,
  accepted: [answer, ...accepted],
  relation: "category",
  direction: "forward",
  stated: true,
  word: "x",
  split: "train",
});

describe("eval/probe: the answer budget", () => {
  const tok = testTokenizer();

  it("leaves room for the longest accepted answer and one more token, never under 4", () => {
    assert.equal(answerBudget(tok, [item("a")]), 4);
    const long = "zootoxinphytotoxinmycotoxin";
    const n = tok.encode(` ${long}`).length;
    assert.ok(n > 4, "the test word is spelled in many pieces");
    assert.equal(answerBudget(tok, [item("a"), item("b", [long])]), n + 1);
  });
});
