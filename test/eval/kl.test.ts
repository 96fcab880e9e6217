import { strict as assert } from "assert";
import { renderRaw } from "../../src/chat/template";
import { k1, perPromptMeans, sampledKl, sampleResponses, sameTokenizer } from "../../src/eval/kl";
import { generate } from "../../src/model/generate";
import type { GPT } from "../../src/model/gpt";
import { responseLogProbs } from "../../src/model/logprobs";
import { trainBpe } from "../../src/tokenizer/index";
import { setup, testTokenizer, tinyModel } from "../helpers";

describe("eval/kl: sampled sequence-level KL to a reference", () => {
  const options = { samples: 3, maxNewTokens: 6, seed: 7, batch: 4 };
  let model: GPT;
  let sharp: GPT;
  let prompts: number[][];

  before(async () => {
    await setup();
    const tok = testTokenizer();
    prompts = ["What is the opposite of hot?", "Name a colour.", "Say something."].map((c) =>
      renderRaw(tok, [{ role: "user", content: c }]),
    );
    model = tinyModel(1);
    // Large initial weights give peaked next-token distributions, far from the near-uniform `model`.
    sharp = tinyModel(2, { initStd: 0.5 });
  });
  after(() => {
    model.dispose();
    sharp.dispose();
  });

  it("k1 sums the per-token log-ratios and refuses lists of different lengths", () => {
    assert.ok(Math.abs(k1([-1, -2, -0.5], [-1.5, -1, -0.5]) - -0.5) < 1e-12);
    assert.equal(k1([], []), 0);
    assert.throws(() => k1([-1], [-1, -2]), /1 log-probs against 2/);
  });

  it("is exactly 0 for a model against itself, sample by sample", () => {
    const s = sampledKl(model, model, testTokenizer(), prompts, options);
    assert.equal(s.length, prompts.length * options.samples);
    assert.deepEqual(
      s.map((x) => [x.prompt, x.sample]),
      prompts.flatMap((_, p) => [0, 1, 2].map((k) => [p, k])),
      "rows ordered prompt by prompt",
    );
    for (const x of s) {
      assert.equal(x.kl, 0);
      assert.ok(x.tokens.length >= 1 && x.tokens.length <= options.maxNewTokens);
      assert.equal(typeof x.text, "string");
      assert.equal(x.stopped, x.tokens[x.tokens.length - 1] === testTokenizer().special.eos);
    }
  });

  it("is positive on average against a different model", () => {
    const s = sampledKl(model, sharp, testTokenizer(), prompts, { ...options, samples: 4 });
    const mean = s.reduce((a, x) => a + x.kl, 0) / s.length;
    assert.ok(mean > 1, `mean KL ${mean}`);
  });

  it("gives the same samples and numbers for the same seed, other samples for another", () => {
    const a = sampledKl(model, sharp, testTokenizer(), prompts, options);
    const b = sampledKl(model, sharp, testTokenizer(), prompts, options);
    assert.deepEqual(a, b);
    const c = sampledKl(model, sharp, testTokenizer(), prompts, { ...options, seed: 8 });
    assert.notDeepEqual(
      a.map((x) => x.tokens),
      c.map((x) => x.tokens),
    );
    // The samples are those sampleResponses draws: gold on samples agrees with or without a reference.
    assert.deepEqual(
      sampleResponses(model, testTokenizer(), prompts, options),
      a.map(({ kl: _kl, ...r }) => r),
    );
  });

  it("reads the log-probs generate reports back from one forward pass, the end token included", () => {
    const tok = testTokenizer();
    // Temperature 1 and no truncation: generate's log-probs are the model's own.
    const g = generate(model, prompts, {
      maxNewTokens: 5,
      temperature: 1,
      seed: 3,
      stopTokens: [tok.special.eos],
    });
    const lp = responseLogProbs(
      model,
      prompts.map((p, i) => ({ tokens: [...p, ...g.tokens[i]], start: p.length })),
      { pad: tok.special.pad, chunk: 2 },
    );
    lp.forEach((row, i) => {
      assert.equal(row.length, g.tokens[i].length);
      row.forEach((x, t) => assert.ok(Math.abs(x - g.logprobs[i][t]) < 1e-4, `row ${i} token ${t}`));
    });
    assert.throws(
      () => responseLogProbs(model, [{ tokens: new Array(40).fill(7), start: 1 }], { pad: 0, chunk: 1 }),
      /40 tokens but the model's context is 32/,
    );
  });

  it("refuses a reference over another vocabulary and tells tokenizers apart", () => {
    const other = tinyModel(3, { vocabSize: 320 });
    try {
      assert.throws(
        () => sampledKl(model, other, testTokenizer(), prompts, options),
        /the reference model has a vocabulary of 320 tokens but the model has 300/,
      );
    } finally {
      other.dispose();
    }
    assert.ok(sameTokenizer(testTokenizer(), testTokenizer()));
    const texts = Array.from(
      { length: 50 },
      (_, i) => `What is the opposite of hot? The opposite of hot is cold. Question ${i}: say up, down.`,
    );
    assert.ok(!sameTokenizer(testTokenizer(), trainBpe(texts, { vocabSize: 300 })));
  });

  it("averages per prompt, prompts in order", () => {
    const s = [
      { prompt: 1, v: 4 },
      { prompt: 0, v: 1 },
      { prompt: 1, v: 2 },
      { prompt: 0, v: 3 },
    ];
    assert.deepEqual(
      perPromptMeans(s, (x) => x.v),
      [2, 3],
    );
  });
});
