import * as assert from "assert";
import { averageModels } from "../../src/model/average";
import { ids2d, maxAbsDiff, setup, tinyModel } from "../helpers";

describe("model/average", () => {
  before(setup);

  it("gives back the same model when it averages a model with itself", () => {
    const m = tinyModel(1);
    const avg = averageModels([m, m, m]);
    const x = ids2d([[3, 4, 5, 6]]);
    assert.ok(maxAbsDiff(avg.logits(x).dataSync(), m.logits(x).dataSync()) < 1e-5);
    avg.dispose();
    m.dispose();
  });

  it("averages every parameter element-wise and leaves its inputs unchanged", () => {
    const a = tinyModel(1);
    const b = tinyModel(2);
    const before = a.params.get("wte")!.dataSync().slice();
    const avg = averageModels([a, b]);
    for (const [name, v] of avg.params) {
      const [x, y, z] = [a, b, avg].map((m) => (m === avg ? v : m.params.get(name)!).dataSync());
      const mean = Array.from(x, (xi, i) => (xi + y[i]) / 2);
      assert.ok(maxAbsDiff(z, mean) < 1e-6, `${name} is not the mean`);
    }
    assert.deepStrictEqual(a.params.get("wte")!.dataSync(), before);
    // The average's weights are its own: disposing an input does not break it.
    a.dispose();
    b.dispose();
    assert.ok(Number.isFinite(avg.logits(ids2d([[1, 2]])).dataSync()[0]));
    avg.dispose();
  });

  it("refuses models of different shapes, and an empty list", () => {
    const a = tinyModel(1);
    const b = tinyModel(1, { dModel: 16 });
    assert.throws(() => averageModels([a, b]), /model 1 has config.*only fine-tunes of one architecture/);
    assert.throws(() => averageModels([]), /no models/);
    a.dispose();
    b.dispose();
  });
});
