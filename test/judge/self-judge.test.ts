import { strict as assert } from "assert";
import { renderPrompt } from "../../src/chat/template";
import { labelPairs, swapDebiased } from "../../src/judge/judge";
import { answerTokens, judgeConversations, judgeMessages, selfJudge } from "../../src/judge/self-judge";
import { setup, testTokenizer, tinyModel } from "../helpers";
import { pair } from "./pairs";

describe("judge/self-judge", () => {
  before(setup);

  it("asks through the chat template with the request and both replies, and reads the answer after the shared prefix", () => {
    const tok = testTokenizer();
    const m = judgeMessages(pair("p 0-1", "cold\nwarm", 1, "hot", 0));
    assert.equal(m.length, 1);
    assert.match(
      m[0].content,
      /^Request: What is the opposite of hot\?\nReply 1: cold \/ warm\nReply 2: hot\n/,
    );
    const a = answerTokens(tok);
    assert.deepEqual(tok.encode(" 1"), [...a.prefix, a.one]);
    assert.deepEqual(tok.encode(" 2"), [...a.prefix, a.two]);
  });

  it("gives probabilities in [0, 1] from the model's odds of 1 against 2, the same at any batch", () => {
    const tok = testTokenizer();
    const model = tinyModel(3, { contextLength: 128 });
    const pairs = [pair("a 0-1", "cold", 1, "hot", 0), pair("b 0-1", "up", 0, "down", 1)];
    const judge = selfJudge(model, tok);
    const both = labelPairs(judge, pairs);
    assert.ok(both.every((p) => p > 0 && p < 1));
    assert.ok(Math.abs(labelPairs(judge, [pairs[1]])[0] - both[1]) < 1e-5);
    assert.equal(judge.stats.calls, 3);
    assert.ok(judge.stats.tokens > 0);
    // Swapped: the average of both orders, so a label and its swap sum to 1.
    const s = labelPairs(swapDebiased(judge), pairs);
    const rev = labelPairs(
      swapDebiased(judge),
      pairs.map((p) => ({ ...p, a: p.b, b: p.a })),
    );
    s.forEach((p, i) => assert.ok(Math.abs(p + rev[i] - 1) < 1e-6));
  });

  it("abstains (0.5) on a judge prompt longer than the context, and counts it", () => {
    const tok = testTokenizer();
    const judge = selfJudge(tinyModel(3, { contextLength: 32 }), tok);
    const long = pair("long 0-1", "a very long answer ".repeat(10), 1, "no", 0);
    assert.deepEqual(labelPairs(judge, [long]), [0.5]);
    assert.equal(judge.stats.tooLong, 1);
    assert.equal(judge.stats.calls, 0);
  });

  it("turns labelled pairs into judge conversations in both orders, ties and overlong prompts left out and counted", () => {
    const tok = testTokenizer();
    const pairs = [pair("a 0-1", "cold", 1, "hot", 0), pair("b 0-1", "x", 0.5, "y", 0.5)];
    const out = judgeConversations(tok, pairs, [0, 0.5], 128);
    assert.equal(out.ties, 1);
    assert.equal(out.conversations.length, 2);
    // Label 0: B (hot) is better; shown second it is "2", shown first it is "1".
    assert.equal(out.conversations[0].messages[1].content, "2");
    assert.equal(out.conversations[1].messages[1].content, "1");
    assert.match(out.conversations[1].messages[0].content, /Reply 1: hot/);
    assert.ok(renderPrompt(tok, out.conversations[0].messages.slice(0, 1)).length < 128);
    assert.equal(judgeConversations(tok, pairs, [1, 0.5], 10).tooLong, 2);
  });
});
