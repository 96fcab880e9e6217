import { strict as assert } from "assert";
import { tf } from "../../src/backend";
import { bradleyTerryLoss } from "../../src/train/reward";
import { setup } from "../helpers";
import { pairMetrics } from "../../src/train/pairs";

const near = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe("train/reward: Bradley–Terry loss and metrics", () => {
  before(setup);

  it("has the known values: log 2 at a tie, −log σ(d) otherwise, and the margin shifts d", () => {
    const v = (c: number[], r: number[], m?: number[]) =>
      bradleyTerryLoss(tf.tensor1d(c), tf.tensor1d(r), m ? { margin: tf.tensor1d(m) } : {}).dataSync()[0];
    near(v([0.3], [0.3]), Math.log(2));
    near(v([2], [0]), Math.log(1 + Math.exp(-2)));
    near(v([0], [2]), Math.log(1 + Math.exp(2)));
    near(v([2, 0], [0, 2]), (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(2))) / 2);
    near(v([2], [0], [1]), Math.log(1 + Math.exp(-1)));
  });

  it("pushes the chosen score up and the rejected down; the centring term pulls both to 0", () => {
    const c = tf.tensor1d([0.5, 1]);
    const r = tf.tensor1d([0.2, 1.5]);
    const [gc, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      bradleyTerryLoss(a as tf.Tensor1D, b as tf.Tensor1D),
    )([c, r]);
    assert.ok([...gc.dataSync()].every((g) => g < 0));
    assert.ok([...gr.dataSync()].every((g) => g > 0));
    const shifted = (k: number, coef: number) =>
      bradleyTerryLoss(tf.tensor1d([1 + k]), tf.tensor1d([k]), { centerCoefficient: coef }).dataSync()[0];
    near(shifted(5, 0), shifted(0, 0)); // the plain loss sees only differences
    near(shifted(5, 0.01) - shifted(5, 0), 0.01 * 11 ** 2); // mean((r_c + r_r)²) = 121
  });

  it("computes the rewards/* metrics, and refuses mismatched or empty pairs", () => {
    assert.deepEqual(pairMetrics([1, 0, 3], [0, 1, 1]), {
      "rewards/chosen": 4 / 3,
      "rewards/rejected": 2 / 3,
      "rewards/margins": 2 / 3,
      "rewards/accuracies": 2 / 3,
    });
    assert.throws(() => pairMetrics([1], []), /need as many chosen as rejected scores, got 1 and 0/);
    assert.throws(() => bradleyTerryLoss(tf.tensor1d([]), tf.tensor1d([])), /at least one pair/);
  });
});
