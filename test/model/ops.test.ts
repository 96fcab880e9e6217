import * as assert from "assert";
import { tf } from "../../src/backend";
import { gelu, layerNorm, linear, tokenLogProbs, sumRows } from "../../src/model/ops";
import { maxAbsDiff, setup } from "../helpers";

/** Gradients of f w.r.t. xs, as flat arrays. */
function grads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): Float32Array[] {
  return tf
    .tidy(() =>
      tf.grads((...a: tf.Tensor[]) =>
        tf.sum(tf.mul(f(...a), tf.linspace(0.5, 1.5, f(...a).size).reshape(f(...a).shape))),
      )(xs),
    )
    .map((g) => g.dataSync() as Float32Array);
}

describe("model/ops", () => {
  before(setup);

  it("tokenLogProbs equals log_softmax at the target on a known value", () => {
    const lp = tokenLogProbs(tf.tensor2d([[0, 0, Math.log(2)]]), tf.tensor1d([2], "int32")).dataSync()[0];
    assert.ok(Math.abs(lp - Math.log(0.5)) < 1e-6, `got ${lp}`);
  });

  it("tokenLogProbs stays finite at extreme logits", () => {
    const lp = tokenLogProbs(
      tf.tensor2d([
        [1e4, -1e4, 0],
        [-1e4, 1e4, 0],
      ]),
      tf.tensor1d([0, 0], "int32"),
    ).dataSync();
    assert.ok(Math.abs(lp[0]) < 1e-6, `confident right answer should be ~0, got ${lp[0]}`);
    assert.ok(
      Number.isFinite(lp[1]) && lp[1] < -1e4 + 1,
      `confident wrong answer should be ~-2e4, got ${lp[1]}`,
    );
  });

  it("tokenLogProbs gradient matches autograd of logSoftmax", () => {
    const logits = tf.randomNormal([5, 7], 0, 3, "float32", 1);
    const t = tf.tensor1d([0, 3, 6, 2, 2], "int32");
    const ours = grads((l) => tokenLogProbs(l as tf.Tensor2D, t), [logits])[0];
    const ref = grads(
      (l) => tf.sum(tf.mul(tf.logSoftmax(l), tf.cast(tf.oneHot(t, 7), "float32")), -1),
      [logits],
    )[0];
    assert.ok(maxAbsDiff(ours, ref) < 1e-5);
  });

  it("linear's hand-written gradient matches autograd of matMul + add", () => {
    const x = tf.randomNormal([6, 4], 0, 1, "float32", 2),
      w = tf.randomNormal([4, 3], 0, 1, "float32", 3),
      b = tf.randomNormal([3], 0, 1, "float32", 4);
    const ours = grads((a, c, d) => linear(a as tf.Tensor2D, c, d), [x, w, b]);
    const ref = grads((a, c, d) => tf.add(tf.matMul(a as tf.Tensor2D, c as tf.Tensor2D), d), [x, w, b]);
    ours.forEach((g, i) => assert.ok(maxAbsDiff(g, ref[i]) < 1e-4, `input ${i}`));
  });

  it("layerNorm's hand-written gradient matches autograd", () => {
    const x = tf.randomNormal([5, 8], 1, 2, "float32", 5),
      g = tf.randomNormal([8], 1, 0.1, "float32", 6),
      b = tf.randomNormal([8], 0, 0.1, "float32", 7);
    const plain = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => {
      const xc = tf.sub(a, tf.mean(a, -1, true));
      return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), 1e-5))), c), d);
    };
    const ours = grads((a, c, d) => layerNorm(a as tf.Tensor2D, c, d), [x, g, b]);
    const ref = grads(plain, [x, g, b]);
    ours.forEach((gr, i) =>
      assert.ok(maxAbsDiff(gr, ref[i]) < 1e-4, `input ${i}: ${maxAbsDiff(gr, ref[i])}`),
    );
  });

  it("gelu's hand-written gradient matches autograd of the tanh formula", () => {
    const x = tf.linspace(-6, 6, 49);
    const plain = (a: tf.Tensor) =>
      tf.mul(
        tf.mul(a, 0.5),
        tf.add(1, tf.tanh(tf.mul(tf.add(a, tf.mul(tf.pow(a, 3), 0.044715)), Math.sqrt(2 / Math.PI)))),
      );
    assert.ok(maxAbsDiff(gelu(x).dataSync(), plain(x).dataSync()) < 1e-5);
    assert.ok(maxAbsDiff(grads(gelu, [x])[0], grads(plain, [x])[0]) < 1e-4);
  });

  it("sumRows sums over the first axis", () => {
    assert.deepStrictEqual(
      Array.from(
        sumRows(
          tf.tensor2d([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
        ).dataSync(),
      ),
      [9, 12],
    );
  });
});
