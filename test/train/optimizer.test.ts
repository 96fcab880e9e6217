import * as assert from "assert";
import { tf } from "../../src/backend";
import { AdamW, clipByGlobalNorm, learningRate } from "../../src/train/optimizer";
import { setup } from "../helpers";

describe("train/optimizer", () => {
  before(setup);

  it("takes the AdamW step computed by hand, decaying matrices but not vectors", () => {
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([3]));
    const opt = new AdamW(
      new Map<string, tf.Variable>([
        ["w", w],
        ["b", b],
      ]),
      { beta1: 0.9, beta2: 0.99, eps: 0, weightDecay: 0.1 },
    );
    opt.apply(
      new Map<string, tf.Tensor>([
        ["w", tf.tensor2d([[0.5, 0.5]])],
        ["b", tf.tensor1d([-1])],
      ]),
      0.01,
    );
    // First step: m̂ = g, v̂ = g², so the update is sign(g)·lr; decay multiplies w by (1 − lr·wd).
    assert.deepStrictEqual(
      Array.from(w.dataSync()).map((x) => +x.toFixed(6)),
      [+(1 * 0.999 - 0.01).toFixed(6), +(-2 * 0.999 - 0.01).toFixed(6)],
    );
    assert.strictEqual(+b.dataSync()[0].toFixed(6), 3.01);
  });

  it("warms up linearly, then decays by cosine to the floor", () => {
    const o = { lr: 1, warmupSteps: 10, steps: 110, minLrRatio: 0.1 };
    assert.strictEqual(learningRate(0, o), 0.1);
    assert.strictEqual(learningRate(9, o), 1);
    assert.ok(Math.abs(learningRate(60, o) - 0.55) < 1e-9);
    assert.ok(Math.abs(learningRate(110, o) - 0.1) < 1e-9);
  });

  it("ends the cosine at decaySteps and stays at the minimum after it; by default decaySteps is steps", () => {
    const o = { lr: 1, warmupSteps: 10, steps: 110, minLrRatio: 0.1 };
    for (const s of [0, 9, 35, 60, 109, 200])
      assert.strictEqual(learningRate(s, { ...o, decaySteps: 110 }), learningRate(s, o));
    const longer = { ...o, steps: 160, decaySteps: 110 };
    assert.ok(Math.abs(learningRate(60, longer) - 0.55) < 1e-9, "the same cosine as the 110-step run");
    for (const s of [110, 130, 159])
      assert.ok(Math.abs(learningRate(s, longer) - 0.1) < 1e-9, `flat at the minimum at step ${s}`);
  });

  it("clips the global norm and reports the norm before clipping", () => {
    const g = new Map([
      ["a", tf.tensor1d([3])],
      ["b", tf.tensor1d([4])],
    ]);
    const { grads, norm } = clipByGlobalNorm(g, 1);
    assert.ok(Math.abs(norm - 5) < 1e-6);
    assert.ok(Math.abs(grads.get("a")!.dataSync()[0] - 0.6) < 1e-5);
  });
});
