import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tf } from "../src/backend";
import {
  blasCoreFor,
  blasThreads,
  installNative,
  nativeActive,
  nativeInfo,
  planMatmul,
  uninstallNative,
} from "../src/native/index";
import { attentionWeights, embed, gelu, layerNorm, tokenLogProbs } from "../src/model/ops";
import { Rng } from "../src/random";
import { accumulateGradients } from "../src/train/loop";
import { lmObjective, randomWindows } from "../src/train/lm";
import { AdamW } from "../src/train/optimizer";
import { setup, tinyModel } from "./helpers";

const built = fs.existsSync(path.join(__dirname, "..", "native", "build", "Release", "tl_blas.node"));
const wanted = process.env.TUNING_LAB_NATIVE !== "0";

/** Seeded float32 tensor (tf.randomNormal's seed differs by backend). */
function rand(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  );
}

/** Max |x − y| / max(1, |y|) over two tensors' values. */
function maxRelDiff(x: tf.Tensor, y: tf.Tensor): number {
  const [a, b] = [x.dataSync(), y.dataSync()];
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

/** Runs f once on the pure wasm kernel and once on the native one. */
function bothPaths<T>(f: () => T): { wasm: T; native: T } {
  uninstallNative();
  const wasm = f();
  assert.ok(installNative({}).active, "native path did not come back");
  return { wasm, native: f() };
}

describe("native: planning a matmul for sgemm", () => {
  it("maps 2-D products and each transpose flag to M, N, K", () => {
    assert.deepStrictEqual(planMatmul([5, 3], [3, 4], false, false), {
      batch: 1,
      M: 5,
      N: 4,
      K: 3,
      strideA: 15,
      strideB: 12,
      outShape: [5, 4],
    });
    assert.deepStrictEqual(planMatmul([3, 5], [4, 3], true, true)?.outShape, [5, 4]);
    assert.strictEqual(planMatmul([3, 5], [3, 4], true, false)?.K, 3);
  });

  it("batches equal outer dimensions and broadcasts a shared matrix with stride 0", () => {
    const p = planMatmul([2, 3, 5, 4], [2, 3, 4, 6], false, false)!;
    assert.deepStrictEqual([p.batch, p.strideA, p.strideB, p.outShape], [6, 20, 24, [2, 3, 5, 6]]);
    const shared = planMatmul([8, 5, 4], [4, 6], false, false)!;
    assert.deepStrictEqual(
      [shared.batch, shared.strideA, shared.strideB, shared.outShape],
      [8, 20, 0, [8, 5, 6]],
    );
    const sharedA = planMatmul([1, 5, 4], [3, 4, 6], false, false)!;
    assert.deepStrictEqual([sharedA.batch, sharedA.strideA, sharedA.outShape], [3, 0, [3, 5, 6]]);
  });

  it("leaves other broadcasts, empty tensors and mismatched shapes to the original kernel", () => {
    assert.strictEqual(planMatmul([2, 1, 5, 4], [1, 3, 4, 6], false, false), null);
    assert.strictEqual(planMatmul([0, 5, 4], [0, 4, 6], false, false), null);
    assert.strictEqual(planMatmul([5, 4], [3, 6], false, false), null);
    assert.strictEqual(planMatmul([2, 5, 4], [3, 4, 6], false, false), null);
  });
});

describe("native: the kernel", function () {
  before(async function () {
    await setup();
    if (!built || !wanted) {
      console.log(
        `      (skipped: native matmuls ${built ? "turned off by TUNING_LAB_NATIVE=0" : "not built; npm run build:native"})`,
      );
      this.skip();
    }
  });
  after(() => installNative());

  it("is what the backend chose, and says so", () => {
    assert.ok(nativeActive());
    assert.match(nativeInfo().library, /OpenBLAS|Accelerate/);
  });

  it("gives the pure wasm products to 1e-5 relative on random shapes, flags and broadcasts", () => {
    const rng = new Rng(7);
    const dim = () => rng.int(1, 41);
    let seed = 0;
    for (let trial = 0; trial < 24; trial++) {
      const [M, N, K, Bt] = [dim(), dim(), dim(), rng.int(1, 6)];
      const tA = trial % 2 === 1;
      const tB = trial % 4 >= 2;
      const kind = ["2d", "batched", "shared-b", "shared-a"][Math.floor(trial / 4) % 4];
      const a2 = tA ? [K, M] : [M, K];
      const b2 = tB ? [N, K] : [K, N];
      const aShape = kind === "2d" ? a2 : kind === "shared-a" ? [1, ...a2] : [Bt, ...a2];
      const bShape = kind === "2d" || kind === "shared-b" ? b2 : [Bt, ...b2];
      const a = rand(aShape, ++seed);
      const b = rand(bShape, ++seed);
      const { wasm, native } = bothPaths(() => tf.matMul(a, b, tA, tB));
      assert.deepStrictEqual(native.shape, wasm.shape, `${kind} ${aShape}×${bShape} tA=${tA} tB=${tB}`);
      const d = maxRelDiff(native, wasm);
      assert.ok(d <= 1e-5, `${kind} ${aShape}×${bShape} tA=${tA} tB=${tB}: relative difference ${d}`);
    }
  });

  it("fuses LayerNorm and GELU with the composite ops' values and gradients (1e-5)", () => {
    const x = rand([37, 24], 21);
    const g = rand([24], 22);
    const b = rand([24], 23);
    const dy = rand([37, 24], 24);
    const f = () => {
      const ln = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
        tf.mul(layerNorm(xx as tf.Tensor2D, gg, bb), dy).sum(),
      );
      const ge = tf.grad((xx: tf.Tensor) => tf.mul(gelu(xx), dy).sum());
      return [layerNorm(x as tf.Tensor2D, g, b), ...ln([x, g, b]), gelu(tf.mul(x, 4)), ge(tf.mul(x, 4))];
    };
    const { wasm, native } = bothPaths(f);
    const names = ["layerNorm", "d/dx", "d/dg", "d/db", "gelu", "gelu'"];
    native.forEach((t, i) =>
      assert.ok(maxRelDiff(t, wasm[i]) <= 1e-5, `${names[i]}: ${maxRelDiff(t, wasm[i])}`),
    );
  });

  it("fuses the attention softmax with tfjs's, masked weights exactly 0, for either bias batch", () => {
    const scores = tf.mul(rand([3, 2, 5, 7], 31), 3) as tf.Tensor4D;
    const causal = tf.tensor4d(
      Array.from({ length: 35 }, (_, i) => (i % 7 > Math.floor(i / 7) + 2 ? -1e9 : 0)),
      [1, 1, 5, 7],
    );
    const perRow = tf.add(
      causal,
      tf.tensor4d([0, 0, 0, 0, 0, 0, -1e9, 0, 0, 0, 0, 0, 0, 0, -1e9, 0, 0, 0, 0, 0, 0], [3, 1, 1, 7]),
    );
    const dy = rand([3, 2, 5, 7], 32);
    for (const bias of [causal, perRow]) {
      const f = () => [
        attentionWeights(scores, bias, 0.35),
        tf.grad((s: tf.Tensor) => tf.mul(attentionWeights(s as tf.Tensor4D, bias, 0.35), dy).sum())(scores),
      ];
      const { wasm, native } = bothPaths(f);
      assert.ok(maxRelDiff(native[0], wasm[0]) <= 1e-5, `weights: ${maxRelDiff(native[0], wasm[0])}`);
      assert.ok(maxRelDiff(native[1], wasm[1]) <= 1e-5, `gradient: ${maxRelDiff(native[1], wasm[1])}`);
      const w = native[0].dataSync();
      const b = tf.broadcastTo(bias, [3, 2, 5, 7]).dataSync();
      assert.ok(
        w.every((v, i) => b[i] === 0 || v === 0),
        "a masked key got weight",
      );
    }
  });

  it("fuses the embedding lookup and the per-token log-softmax, values and gradients (1e-5)", () => {
    const table = rand([11, 6], 41);
    const ids = tf.tensor1d([3, 0, 10, 3, 7], "int32");
    const logits = tf.mul(rand([5, 11], 42), 5) as tf.Tensor2D;
    const w = rand([5], 43);
    const f = () => [
      embed(table, ids),
      tf.grad((t: tf.Tensor) => tf.mul(embed(t, ids), rand([5, 6], 44)).sum())(table),
      tokenLogProbs(logits, ids),
      tf.grad((l: tf.Tensor) => tf.mul(tokenLogProbs(l as tf.Tensor2D, ids), w).sum())(logits),
    ];
    const { wasm, native } = bothPaths(f);
    native.forEach((t, i) =>
      assert.ok(maxRelDiff(t, wasm[i]) <= 1e-5, `output ${i}: ${maxRelDiff(t, wasm[i])}`),
    );
    assert.throws(
      () => embed(table, tf.tensor1d([11], "int32")).dataSync(),
      /id 11 at position 0 is outside the table's 11 rows/,
    );
  });

  it("takes the same AdamW steps as the composite update, to 1e-6", () => {
    const f = () => {
      const params = new Map([
        ["w", tf.variable(rand([7, 5], 51))],
        ["b", tf.variable(rand([5], 52))],
      ]);
      const opt = new AdamW(params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
      for (let s = 0; s < 3; s++)
        opt.apply(
          new Map([
            ["w", rand([7, 5], 60 + s)],
            ["b", rand([5], 70 + s)],
          ]),
          1e-2,
        );
      return [...params.values(), ...opt.state().m.values(), ...opt.state().v.values()];
    };
    const { wasm, native } = bothPaths(f);
    native.forEach((t, i) =>
      assert.ok(maxRelDiff(t, wasm[i]) <= 1e-6, `tensor ${i}: ${maxRelDiff(t, wasm[i])}`),
    );
  });

  it("gives the same row-vector products (batch-1 decoding's sgemv path) for each flag", () => {
    for (const [tA, tB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ]) {
      for (const batch of [[], [3]]) {
        const a = rand([...batch, ...(tA ? [9, 1] : [1, 9])], 81);
        const b = rand([...batch, ...(tB ? [5, 9] : [9, 5])], 82);
        const { wasm, native } = bothPaths(() => tf.matMul(a, b, tA, tB));
        assert.ok(
          maxRelDiff(native, wasm) <= 1e-5,
          `tA=${tA} tB=${tB} batch=${batch}: ${maxRelDiff(native, wasm)}`,
        );
      }
    }
  });

  it("sends what it cannot serve to the original kernel, with the same result or error", () => {
    const a = rand([2, 1, 3, 4], 1);
    const b = rand([1, 3, 4, 2], 2);
    const { wasm, native } = bothPaths(() => tf.matMul(a, b));
    assert.deepStrictEqual(native.shape, [2, 3, 3, 2]);
    assert.strictEqual(maxRelDiff(native, wasm), 0);
    const ints = tf.tensor2d([[1, 2]], undefined, "int32");
    assert.throws(() => tf.matMul(ints, tf.tensor2d([[1], [2]], undefined, "int32")), /non-float32/);
    assert.throws(() => tf.matMul(rand([2, 3], 3), rand([4, 5], 4)), /inner shapes \(3\) and \(4\)/);
  });

  it("survives the wasm heap growing between calls", () => {
    const a = rand([64, 64], 5);
    const first = tf.matMul(a, a, false, true).dataSync().slice();
    const big = tf.zeros([(64 * 1024 * 1024) / 4]); // 64 MB: forces the heap to grow
    const again = tf.matMul(a, a, false, true).dataSync();
    big.dispose();
    assert.deepStrictEqual(Array.from(again), Array.from(first));
  });

  it("gives identical losses for the same seed, twice in a row", () => {
    const run = () => {
      const model = tinyModel(3);
      const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01 });
      const stream = Int32Array.from({ length: 4000 }, (_, i) => (i * 7919) % 300);
      const rng = new Rng(11);
      const losses: number[] = [];
      for (let s = 0; s < 4; s++) {
        tf.tidy(() => {
          const { loss, grads } = accumulateGradients(model, lmObjective(model), [
            randomWindows(stream, 4, 32, rng),
          ]);
          opt.apply(grads, 1e-2);
          losses.push(loss);
        });
      }
      model.dispose();
      return losses;
    };
    const [first, second] = [run(), run()];
    assert.deepStrictEqual(second, first);
    assert.ok(first[3] < first[0], `loss did not fall: ${first}`);
  });
});

describe("native: choosing OpenBLAS's kernels", () => {
  it("picks by instruction set, so a CPU newer than the library still gets its vector kernels", () => {
    assert.strictEqual(
      blasCoreFor(new Set(["fma", "avx2", "avx512f", "avx512dq", "avx512bw", "avx512vl"])),
      "SkylakeX",
    );
    assert.strictEqual(blasCoreFor(new Set(["fma", "avx2", "avx512f"])), "Haswell");
    assert.strictEqual(blasCoreFor(new Set(["sse4_2"])), undefined);
  });
});

describe("native: BLAS threads", () => {
  it("default to the cores and reject a setting that is not a whole number ≥ 1, naming the variable", () => {
    assert.ok(blasThreads({}) >= 1);
    assert.strictEqual(blasThreads({ TUNING_LAB_BLAS_THREADS: "1" }), 1);
    for (const bad of ["0", "two", "1.5"]) {
      assert.throws(
        () => blasThreads({ TUNING_LAB_BLAS_THREADS: bad }),
        new RegExp(`TUNING_LAB_BLAS_THREADS=${bad} must be a whole number ≥ 1`),
      );
    }
  });
});

describe("native: when the addon is missing or broken", () => {
  before(setup);
  after(() => installNative());

  it("stays on the pure wasm path and says how to enable the fast one", () => {
    uninstallNative();
    const info = installNative({}, path.join(os.tmpdir(), "no-such-addon.node"));
    assert.strictEqual(info.active, false);
    assert.match(info.reason!, /not built; .*apt-get install libopenblas-dev && npm run build:native/);
    assert.strictEqual(tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync()[0], 2);
  });

  it("reports an addon that fails to load in one line, then uses pure wasm", () => {
    uninstallNative();
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tl-native-")), "tl_blas.node");
    fs.writeFileSync(bad, "not a shared object");
    const info = installNative({}, bad);
    assert.strictEqual(info.active, false);
    assert.match(info.reason!, /^native matmuls failed to load \(.*\); rebuild: /);
    assert.ok(!info.reason!.includes("\n"));
  });

  it("is off with TUNING_LAB_NATIVE=0", () => {
    uninstallNative();
    assert.strictEqual(installNative({ TUNING_LAB_NATIVE: "0" }).active, false);
    assert.strictEqual(nativeActive(), false);
  });
});
