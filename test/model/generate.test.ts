import * as assert from "assert";
import { tf } from "../../src/backend";
import { generate, sampleToken } from "../../src/model/generate";
import { Rng } from "../../src/random";
import { ids2d, setup, tinyModel } from "../helpers";

describe("model/generate", () => {
  before(setup);

  it("reports log-probs whose sum equals the sequence log-prob recomputed by the model", () => {
    const m = tinyModel();
    const prompt = [5, 6, 7];
    const g = generate(m, [prompt], { maxNewTokens: 8, temperature: 1, seed: 3, stopTokens: [] });
    const seq = [...prompt, ...g.tokens[0]];
    const lp = m
      .sequenceLogProbs(ids2d([seq]))
      .arraySync()[0]
      .slice(prompt.length - 1);
    const reported = g.logprobs[0].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(lp.reduce((a, b) => a + b, 0) - reported) < 1e-3, `${lp} vs ${g.logprobs[0]}`);
    m.dispose();
  });

  it("gives each row the same greedy output alone as in a left-padded batch", () => {
    const m = tinyModel();
    const alone = [[5, 6, 7, 8], [9]].map(
      (p) => generate(m, [p], { maxNewTokens: 6, stopTokens: [] }).tokens[0],
    );
    const batched = generate(m, [[5, 6, 7, 8], [9]], { maxNewTokens: 6, stopTokens: [] }).tokens;
    assert.deepStrictEqual(batched, alone);
    m.dispose();
  });

  it("samples the same tokens from the same seed, and others from another seed", () => {
    const m = tinyModel();
    const o = { maxNewTokens: 10, temperature: 1.5, stopTokens: [] };
    const a = generate(m, [[5, 6]], { ...o, seed: 1 }).tokens[0];
    const b = generate(m, [[5, 6]], { ...o, seed: 1 }).tokens[0];
    const c = generate(m, [[5, 6]], { ...o, seed: 2 }).tokens[0];
    assert.deepStrictEqual(a, b);
    assert.notDeepStrictEqual(a, c);
    m.dispose();
  });

  it("stops a row at a stop token and keeps the token", () => {
    const m = tinyModel();
    const first = generate(m, [[5, 6]], { maxNewTokens: 1 }).tokens[0][0];
    const g = generate(m, [[5, 6]], { maxNewTokens: 10, stopTokens: [first] });
    assert.deepStrictEqual(g.tokens[0], [first]);
    assert.deepStrictEqual(g.stopped, [true]);
    m.dispose();
  });

  it("stops at the context length and says the row did not stop", () => {
    const m = tinyModel();
    const g = generate(m, [new Array(30).fill(5)], { maxNewTokens: 10, stopTokens: [] });
    assert.strictEqual(g.tokens[0].length, 2);
    assert.deepStrictEqual(g.stopped, [false]);
    m.dispose();
  });

  it("rejects a prompt as long as the context, naming the limit", () => {
    const m = tinyModel();
    assert.throws(() => generate(m, [new Array(32).fill(5)]), /prompt 0 has 32 tokens but the context is 32/);
    m.dispose();
  });

  it("leaks no tensors", () => {
    const m = tinyModel();
    generate(m, [[5, 6], [7]], { maxNewTokens: 4 });
    const before = tf.memory().numTensors;
    generate(m, [[5, 6], [7]], { maxNewTokens: 6, temperature: 1 });
    assert.strictEqual(tf.memory().numTensors, before);
    m.dispose();
  });

  it("top-k = 1 is greedy, and top-p keeps only the nucleus", () => {
    const row = [0, 5, 1, 4.9];
    const rng = new Rng(0);
    for (let i = 0; i < 20; i++)
      assert.strictEqual(sampleToken(row, { temperature: 1, topK: 1, topP: 1 }, rng), 1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(sampleToken(row, { temperature: 1, topK: 0, topP: 0.9 }, rng));
    assert.deepStrictEqual([...seen].sort(), [1, 3]);
  });
});
