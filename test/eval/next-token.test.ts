import * as assert from "assert";
import { tf } from "../../src/backend";
import { continuationLogProbs, newQuestionTokens, nextTokenOdds } from "../../src/eval/next-token";
import { ids2d, setup, testTokenizer, tinyModel } from "../helpers";

describe("eval/next-token", () => {
  before(setup);

  it("sums the continuation's log-probs exactly as the model scores the whole sequence, batch or not", () => {
    const tok = testTokenizer();
    const m = tinyModel(1, { vocabSize: 300 });
    const prompts = [tok.encode("The opposite of hot is"), tok.encode("up")];
    const conts = [tok.encode(" cold"), tok.encode(" and down")];
    const batched = continuationLogProbs(m, tok, prompts, conts);
    prompts.forEach((p, i) => {
      const lp = m.sequenceLogProbs(ids2d([[...p, ...conts[i]]])).arraySync()[0];
      const direct = lp.slice(p.length - 1).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(direct - batched[i]) < 1e-4, `${direct} vs ${batched[i]}`);
    });
    m.dispose();
  });

  it("gives probabilities in [0, 1] for ending and for opening a new line or question", () => {
    const tok = testTokenizer();
    const m = tinyModel(1, { vocabSize: 300 });
    const [o] = nextTokenOdds(m, tok, [tok.encode("What is the opposite of hot?")]);
    assert.ok(
      o.pEnd >= 0 &&
        o.pEnd <= 1 &&
        o.pNewQuestion >= 0 &&
        o.pNewQuestion <= 1 &&
        o.pEnd + o.pNewQuestion <= 1 + 1e-6,
    );
    assert.ok(newQuestionTokens(tok).every((id) => !Object.values(tok.special).includes(id)));
    assert.strictEqual(tf.memory().numTensors > 0, true);
    m.dispose();
  });
});
