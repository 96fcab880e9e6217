import * as assert from "assert";
import { tf } from "../../src/backend";
import { gptConfig, PRESETS, countParameters } from "../../src/model/config";
import { GPT } from "../../src/model/gpt";
import { ids2d, maxAbsDiff, setup, tinyModel } from "../helpers";

describe("model/gpt", () => {
  before(setup);

  it("has the parameter counts of the benchmark configs (A ≈ 0.9 M, B ≈ 5 M, base ≈ 2 M)", () => {
    assert.strictEqual(countParameters(PRESETS.A), 875264);
    assert.strictEqual(countParameters(PRESETS.B), 5033984);
    assert.strictEqual(countParameters(PRESETS.base), 2001024);
  });

  it("never lets a future token change an earlier logit (causality)", () => {
    const m = tinyModel();
    const a = m.logits(ids2d([[5, 6, 7, 8, 9, 10]])).arraySync()[0];
    const b = m.logits(ids2d([[5, 6, 7, 99, 98, 97]])).arraySync()[0];
    for (let t = 0; t < 3; t++) assert.ok(maxAbsDiff(a[t], b[t]) < 1e-6, `position ${t} changed`);
    assert.ok(maxAbsDiff(a[3], b[3]) > 1e-4, "position 3 should see its own token");
    m.dispose();
  });

  it("starts near uniform: mean log-prob ≈ −log V", () => {
    const m = tinyModel();
    const lp = m
      .sequenceLogProbs(ids2d([[1, 2, 3, 4, 5, 6, 7, 8]]))
      .mean()
      .dataSync()[0];
    assert.ok(Math.abs(lp + Math.log(300)) < 0.1, `mean log-prob ${lp}`);
    m.dispose();
  });

  it("gives the same logits for a left-padded row with masked keys and shifted positions", () => {
    const m = tinyModel();
    const plain = m.logits(ids2d([[5, 6, 7]])).arraySync()[0];
    const padded = m
      .logits(ids2d([[0, 0, 5, 6, 7]]), {
        keyMask: tf.tensor2d([[0, 0, 1, 1, 1]]),
        positions: tf.tensor2d([[0, 0, 0, 1, 2]], undefined, "int32"),
      })
      .arraySync()[0];
    for (let t = 0; t < 3; t++) assert.ok(maxAbsDiff(plain[t], padded[t + 2]) < 1e-5);
    m.dispose();
  });

  it("has a scalar head per position when asked for one", () => {
    const m = tinyModel(1, { scalarHead: true });
    const s = m.scores(
      m.trunk(
        ids2d([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ).hidden,
    );
    assert.deepStrictEqual(s.shape, [2, 3]);
    m.dispose();
  });

  it("rejects a sequence longer than the context, saying how to fix it", () => {
    const m = tinyModel();
    assert.throws(
      () => m.logits(ids2d([new Array(33).fill(1)])),
      /33 tokens is longer than the model's context of 32/,
    );
    m.dispose();
  });

  it("rejects a config whose heads do not divide the width, and unknown keys", () => {
    assert.throws(() => gptConfig({ dModel: 30, nHeads: 4 }), /nHeads = 4 must divide dModel = 30/);
    assert.throws(
      () => gptConfig({ dmodel: 3 } as never),
      /unknown key "dmodel" \(did you mean "dModel"\?\)/,
    );
    assert.throws(() => gptConfig({ vocabSize: 100 }), /vocabSize = 100 is below the minimum 262/);
  });

  it("clones into an independent copy", () => {
    const m = tinyModel();
    const c = m.clone();
    m.params.get("wte")!.assign(tf.zerosLike(m.params.get("wte")!));
    assert.ok(c.params.get("wte")!.abs().sum().dataSync()[0] > 0);
    m.dispose();
    c.dispose();
  });

  it("initialises identically from the same seed and differently from another", () => {
    const a = GPT.create({ vocabSize: 300, dModel: 16, nLayers: 1, nHeads: 2, contextLength: 8 }, 7);
    const b = GPT.create({ vocabSize: 300, dModel: 16, nLayers: 1, nHeads: 2, contextLength: 8 }, 7);
    const c = GPT.create({ vocabSize: 300, dModel: 16, nLayers: 1, nHeads: 2, contextLength: 8 }, 8);
    assert.strictEqual(maxAbsDiff(a.params.get("wte")!.dataSync(), b.params.get("wte")!.dataSync()), 0);
    assert.ok(maxAbsDiff(a.params.get("wte")!.dataSync(), c.params.get("wte")!.dataSync()) > 0);
    [a, b, c].forEach((m) => m.dispose());
  });
});
