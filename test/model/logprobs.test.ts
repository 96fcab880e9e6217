import * as assert from "assert";
import { tf } from "../../src/backend";
import { maskedLogProbs } from "../../src/model/logprobs";
import { weightedNll } from "../../src/train/lm";
import { ids2d, maxAbsDiff, setup, tinyModel } from "../helpers";

describe("model/logprobs: the one log-prob primitive", () => {
  before(setup);
  const rows = {
    tokens: Int32Array.from([5, 9, 12, 7, 3, 8, 8, 2]),
    weights: Float32Array.from([0, 1, 1, 1, 1, 0]),
    B: 2,
    T: 4,
  };

  it("gives per-row weighted sums, means and the batch total of sequenceLogProbs", () => {
    const m = tinyModel();
    const lp = m
      .sequenceLogProbs(
        ids2d([
          [5, 9, 12, 7],
          [3, 8, 8, 2],
        ]),
      )
      .arraySync();
    const sum = maskedLogProbs(m, rows, "sum").arraySync();
    assert.ok(maxAbsDiff(sum, [lp[0][1] + lp[0][2], lp[1][0] + lp[1][1]]) < 1e-5);
    assert.ok(maxAbsDiff(maskedLogProbs(m, rows, "mean").arraySync(), [sum[0] / 2, sum[1] / 2]) < 1e-6);
    assert.ok(Math.abs(maskedLogProbs(m, rows, "total").dataSync()[0] - (sum[0] + sum[1])) < 1e-5);
    m.dispose();
  });

  it("is differentiable, and the LM loss is exactly −total (the computation it replaced, bit for bit)", () => {
    const m = tinyModel();
    const old = tf.tidy(
      () =>
        tf
          .neg(
            tf.sum(
              tf.mul(
                m.sequenceLogProbs(tf.tensor2d(rows.tokens, [2, 4], "int32")),
                tf.tensor2d(rows.weights, [2, 3]),
              ),
            ),
          )
          .dataSync()[0],
    );
    assert.strictEqual(weightedNll(m, rows).dataSync()[0], old);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(maskedLogProbs(m, rows, "sum")) as tf.Scalar,
      m.trainableVariables(),
    );
    assert.ok(
      Number.isFinite(value.dataSync()[0]) &&
        Object.values(grads).some((g) => tf.any(tf.notEqual(g, 0)).dataSync()[0] === 1),
    );
    tf.dispose([value, ...Object.values(grads)]);
    m.dispose();
  });

  it("names a batch whose shapes do not agree", () => {
    const m = tinyModel();
    assert.throws(
      () => maskedLogProbs(m, { ...rows, weights: new Float32Array(8) }, "sum"),
      /8 weights for a \[2, 4\] batch \(need B·\(T−1\) = 6\)/,
    );
    m.dispose();
  });
});
