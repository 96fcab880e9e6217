/**
 * The native matmul path: tfjs's wasm `BatchMatMul` kernel served by the
 * system BLAS (OpenBLAS's `cblas_sgemm`) through a small N-API addon
 * (`native/tl_blas.c`, built by `npm install` when OpenBLAS is present).
 *
 * Why: the wasm backend runs only plain 2-D products on XNNPACK, on one
 * thread; transposed and batched products (attention, every gradient) run a
 * scalar loop at ~3 GFLOP/s. sgemm reads the transpose flags for free and uses
 * both cores: a config-A training step got ~4x faster (BENCHMARKS.md).
 *
 * How: the addon reads and writes the operands in place on the wasm heap
 * (zero copy) at the byte offsets the backend keeps for each tensor. The
 * kernel is swapped in with tfjs's own `registerKernel`; anything it cannot
 * serve (non-float32, broadcasts other than a batch of one, empty tensors)
 * goes to the original kernel, never to a wrong result.
 *
 * The same addon serves fused LayerNorm and GELU kernels (forward and
 * backward) under kernel names of this project's own, which src/model/ops.ts
 * calls on this path instead of tfjs's chains of element-wise kernels.
 *
 * `TUNING_LAB_NATIVE=0` turns it off; `TUNING_LAB_BLAS_THREADS=n` sets the
 * BLAS threads (default: the cores; the ablation pool gives each worker one).
 */
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";

/** The addon's functions (native/tl_blas.c). */
interface BlasAddon {
  sgemm(
    heap: ArrayBuffer,
    batch: number,
    M: number,
    N: number,
    K: number,
    transA: number,
    transB: number,
    offA: number,
    offB: number,
    offC: number,
    strideA: number,
    strideB: number,
  ): void;
  layerNorm(heap: ArrayBuffer, N: number, D: number, x: number, g: number, b: number, y: number, xhat: number, rstd: number): void;
  layerNormGrad(heap: ArrayBuffer, N: number, D: number, dy: number, xhat: number, rstd: number, g: number, dx: number, dg: number, db: number): void;
  gelu(heap: ArrayBuffer, n: number, x: number, y: number): void;
  geluGrad(heap: ArrayBuffer, n: number, dy: number, x: number, dx: number): void;
  gatherRows(heap: ArrayBuffer, n: number, V: number, D: number, table: number, ids: number, out: number): void;
  tokenLogProbs(heap: ArrayBuffer, N: number, V: number, logits: number, targets: number, lp: number, lse: number): void;
  tokenLogProbsGrad(heap: ArrayBuffer, N: number, V: number, dy: number, logits: number, lse: number, targets: number, dl: number): void;
  adamw(
    heap: ArrayBuffer,
    n: number,
    p: number,
    g: number,
    m: number,
    v: number,
    pOut: number,
    mOut: number,
    vOut: number,
    b1: number,
    b2: number,
    eps: number,
    lr: number,
    decay: number,
    c1: number,
    c2: number,
  ): void;
  attnSoftmax(heap: ArrayBuffer, B: number, H: number, T: number, Tk: number, biasBatch: number, scale: number, s: number, bias: number, y: number): void;
  attnSoftmaxGrad(heap: ArrayBuffer, rows: number, Tk: number, scale: number, dy: number, y: number, ds: number): void;
  setThreads(n: number): void;
  threads(): number;
  config(): string;
}

/** The state of the native path in this process, for the backend line and run records. */
export interface NativeMatmul {
  /** True when BatchMatMul on wasm runs on the system BLAS. */
  active: boolean;
  /** BLAS threads (0 when inactive). */
  threads: number;
  /** The BLAS library's own description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH …". */
  library: string;
  /** Why the path is off, and how to turn it on, when it is off. */
  reason?: string;
}

const ADDON = path.join(__dirname, "..", "native", "build", "Release", "tl_blas.node");
export const ENABLE_HINT = "sudo apt-get install libopenblas-dev && npm run build:native";
let state: NativeMatmul = { active: false, threads: 0, library: "", reason: "not installed yet" };

/** Whether linear layers may ask for transposed products (fast only on the native path). */
export function nativeMatmulActive(): boolean {
  return state.active;
}

export function nativeMatmulInfo(): Readonly<NativeMatmul> {
  return state;
}

/** A matmul as the addon runs it, or null when the original kernel must. */
export interface MatmulPlan {
  batch: number;
  M: number;
  N: number;
  K: number;
  /** Floats between consecutive matrices of A and B: 0 broadcasts one matrix. */
  strideA: number;
  strideB: number;
  outShape: number[];
}

/**
 * How tfjs's BatchMatMul(a, b, transposeA, transposeB) maps onto batched
 * sgemm. Outer dimensions must be equal, or one side's must all be 1 (a
 * weight matrix shared by a batch); other broadcasts return null.
 */
export function planMatmul(aShape: readonly number[], bShape: readonly number[], transA: boolean, transB: boolean): MatmulPlan | null {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const M = transA ? aShape[ra - 1] : aShape[ra - 2];
  const Ka = transA ? aShape[ra - 2] : aShape[ra - 1];
  const Kb = transB ? bShape[rb - 1] : bShape[rb - 2];
  const N = transB ? bShape[rb - 2] : bShape[rb - 1];
  if (Ka !== Kb) return null; // the original kernel raises tfjs's own error
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  } catch {
    return null; // the original kernel raises tfjs's own error
  }
  const size = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  const [batch, bA, bB] = [size(outer), size(aShape.slice(0, -2)), size(bShape.slice(0, -2))];
  // A side whose outer size equals the output's was not expanded, so its
  // matrices lie in the output's order; a side of size 1 is one shared matrix.
  if ((bA !== batch && bA !== 1) || (bB !== batch && bB !== 1)) return null;
  if (batch === 0 || M === 0 || N === 0 || Ka === 0) return null;
  return {
    batch,
    M,
    N,
    K: Ka,
    strideA: bA === 1 && batch > 1 ? 0 : M * Ka,
    strideB: bB === 1 && batch > 1 ? 0 : Ka * N,
    outShape: [...outer, M, N],
  };
}

/** The parts of tfjs-backend-wasm's BackendWasm this kernel touches. */
interface WasmBackendView {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

function nativeKernel(addon: BlasAddon, original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const plan = a.dtype === "float32" && b.dtype === "float32" ? planMatmul(a.shape, b.shape, transposeA, transposeB) : null;
    if (!plan) return original(args);
    const backend = args.backend as unknown as WasmBackendView;
    const out = backend.makeOutput(plan.outShape, "float32");
    const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
    // Read the heap after makeOutput: its malloc may have grown (and so replaced) the buffer.
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    addon.sgemm(
      heap,
      plan.batch,
      plan.M,
      plan.N,
      plan.K,
      transposeA ? 1 : 0,
      transposeB ? 1 : 0,
      offset(a),
      offset(b),
      offset(out),
      plan.strideA,
      plan.strideB,
    );
    return out;
  };
}

/** Kernel names of the fused element-wise ops (this project's own, not tfjs's). */
const FUSED = {
  layerNorm: "TuningLabLayerNorm",
  layerNormGrad: "TuningLabLayerNormGrad",
  gelu: "TuningLabGelu",
  geluGrad: "TuningLabGeluGrad",
  gatherRows: "TuningLabGatherRows",
  tokenLogProbs: "TuningLabTokenLogProbs",
  tokenLogProbsGrad: "TuningLabTokenLogProbsGrad",
  adamw: "TuningLabAdamW",
  attnSoftmax: "TuningLabAttnSoftmax",
  attnSoftmaxGrad: "TuningLabAttnSoftmaxGrad",
} as const;

type Seven = [number, number, number, number, number, number, number];

/** Inputs that hold token ids (int32); every other input is float32. */
const INT_INPUTS = new Set(["ids", "targets"]);

/** A kernel whose float32 outputs the addon fills in place. */
function heapKernel(
  outShapes: (inputs: tf.TensorInfo[]) => number[][],
  run: (heap: ArrayBuffer, offsets: number[], inputs: tf.TensorInfo[], attrs: tf.NamedAttrMap) => void,
  names: string[],
): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmBackendView;
    const inputs = names.map((n) => (args.inputs as Record<string, tf.TensorInfo>)[n]);
    for (const [i, t] of inputs.entries()) {
      const want = INT_INPUTS.has(names[i]) ? "int32" : "float32";
      if (t.dtype !== want) throw new Error(`fused kernel: input ${names[i]} is ${t.dtype}, not ${want}`);
    }
    const outs = outShapes(inputs).map((shape) => backend.makeOutput(shape, "float32"));
    const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
    run(backend.wasm.HEAPU8.buffer as ArrayBuffer, [...inputs, ...outs].map(offset), inputs, args.attrs ?? {});
    return outs;
  };
}

function fusedKernels(addon: BlasAddon): tf.KernelConfig[] {
  const rows = (x: tf.TensorInfo) => [x.shape.slice(0, -1).reduce((a, b) => a * b, 1), x.shape[x.shape.length - 1]];
  const size = (x: tf.TensorInfo) => x.shape.reduce((a, b) => a * b, 1);
  const kernels: [string, tf.KernelFunc][] = [
    [
      FUSED.layerNorm,
      heapKernel(
        ([x]) => [x.shape, x.shape, [...x.shape.slice(0, -1), 1]],
        (h, [x, g, b, y, xh, rs], [xi]) => addon.layerNorm(h, rows(xi)[0], rows(xi)[1], x, g, b, y, xh, rs),
        ["x", "g", "b"],
      ),
    ],
    [
      FUSED.layerNormGrad,
      heapKernel(
        ([dy, , , g]) => [dy.shape, g.shape, g.shape],
        (h, [dy, xh, rs, g, dx, dg, db], [dyi]) => addon.layerNormGrad(h, rows(dyi)[0], rows(dyi)[1], dy, xh, rs, g, dx, dg, db),
        ["dy", "xhat", "rstd", "g"],
      ),
    ],
    [FUSED.gelu, heapKernel(([x]) => [x.shape], (h, [x, y], [xi]) => addon.gelu(h, size(xi), x, y), ["x"])],
    [
      FUSED.geluGrad,
      heapKernel(([dy]) => [dy.shape], (h, [dy, x, dx], [dyi]) => addon.geluGrad(h, size(dyi), dy, x, dx), ["dy", "x"]),
    ],
    [
      FUSED.gatherRows,
      heapKernel(
        ([t, ids]) => [[size(ids), t.shape[1]]],
        (h, [t, ids, out], [ti, idi]) => addon.gatherRows(h, size(idi), ti.shape[0], ti.shape[1], t, ids, out),
        ["table", "ids"],
      ),
    ],
    [
      FUSED.tokenLogProbs,
      heapKernel(
        ([l]) => [[l.shape[0]], [l.shape[0]]],
        (h, [l, tg, lp, lse], [li]) => addon.tokenLogProbs(h, li.shape[0], li.shape[1], l, tg, lp, lse),
        ["logits", "targets"],
      ),
    ],
    [
      FUSED.tokenLogProbsGrad,
      heapKernel(
        ([, l]) => [l.shape],
        (h, [dy, l, lse, tg, dl], [, li]) => addon.tokenLogProbsGrad(h, li.shape[0], li.shape[1], dy, l, lse, tg, dl),
        ["dy", "logits", "lse", "targets"],
      ),
    ],
    [
      FUSED.adamw,
      heapKernel(
        ([p]) => [p.shape, p.shape, p.shape],
        (h, [p, g, m, v, po, mo, vo], [pi], a) =>
          addon.adamw(h, size(pi), p, g, m, v, po, mo, vo, ...(["b1", "b2", "eps", "lr", "decay", "c1", "c2"].map((k) => a[k] as number) as Seven)),
        ["p", "g", "m", "v"],
      ),
    ],
    [
      FUSED.attnSoftmax,
      heapKernel(
        ([sc]) => [sc.shape],
        (h, [sc, bias, y], [si, bi], attrs) => {
          const [B, H, T, Tk] = si.shape;
          addon.attnSoftmax(h, B, H, T, Tk, bi.shape[0], attrs.scale as number, sc, bias, y);
        },
        ["scores", "bias"],
      ),
    ],
    [
      FUSED.attnSoftmaxGrad,
      heapKernel(
        ([dy]) => [dy.shape],
        (h, [dy, y, ds], [dyi], attrs) => addon.attnSoftmaxGrad(h, rows(dyi)[0], rows(dyi)[1], attrs.scale as number, dy, y, ds),
        ["dy", "y"],
      ),
    ],
  ];
  return kernels.map(([kernelName, kernelFunc]) => ({ kernelName, backendName: "wasm", kernelFunc }));
}

/** The fused ops on the native path (src/model/ops.ts uses them when active). */
export const fused = {
  /** LayerNorm of x [N, D] → [y, xhat, rstd [N, 1]]. */
  layerNorm: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.engine().runKernel(FUSED.layerNorm, { x, g, b }, {}) as tf.Tensor[],
  /** → [dx, dg, db]. */
  layerNormGrad: (dy: tf.Tensor, xhat: tf.Tensor, rstd: tf.Tensor, g: tf.Tensor) =>
    tf.engine().runKernel(FUSED.layerNormGrad, { dy, xhat, rstd, g }, {}) as tf.Tensor[],
  gelu: (x: tf.Tensor) => (tf.engine().runKernel(FUSED.gelu, { x }, {}) as tf.Tensor[])[0],
  geluGrad: (dy: tf.Tensor, x: tf.Tensor) => (tf.engine().runKernel(FUSED.geluGrad, { dy, x }, {}) as tf.Tensor[])[0],
  /** Rows of table [V, D] at int32 ids [n] → [n, D]. */
  gatherRows: (table: tf.Tensor, ids: tf.Tensor) => (tf.engine().runKernel(FUSED.gatherRows, { table, ids }, {}) as tf.Tensor[])[0],
  /** log softmax(logits)[target] per row → [lp [N], lse [N]]. */
  tokenLogProbs: (logits: tf.Tensor, targets: tf.Tensor) =>
    tf.engine().runKernel(FUSED.tokenLogProbs, { logits, targets }, {}) as tf.Tensor[],
  /** dy [N] · (onehot(targets) − softmax(logits)) → [N, V]. */
  tokenLogProbsGrad: (dy: tf.Tensor, logits: tf.Tensor, lse: tf.Tensor, targets: tf.Tensor) =>
    (tf.engine().runKernel(FUSED.tokenLogProbsGrad, { dy, logits, lse, targets }, {}) as tf.Tensor[])[0],
  /** One AdamW update → [p', m', v'] (attrs: b1, b2, eps, lr, decay, c1, c2; see native/tl_blas.c). */
  adamw: (p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: Record<"b1" | "b2" | "eps" | "lr" | "decay" | "c1" | "c2", number>) =>
    tf.engine().runKernel(FUSED.adamw, { p, g, m, v }, attrs) as tf.Tensor[],
  /** softmax(scale · scores + bias) over the last axis: scores [B, H, T, Tk], bias [1|B, 1, T, Tk]. */
  attnSoftmax: (scores: tf.Tensor, bias: tf.Tensor, scale: number) =>
    (tf.engine().runKernel(FUSED.attnSoftmax, { scores, bias }, { scale }) as tf.Tensor[])[0],
  /** Gradient with respect to the scores, given the weights y. */
  attnSoftmaxGrad: (dy: tf.Tensor, y: tf.Tensor, scale: number) =>
    (tf.engine().runKernel(FUSED.attnSoftmaxGrad, { dy, y }, { scale }) as tf.Tensor[])[0],
};

/** BLAS threads: TUNING_LAB_BLAS_THREADS, else every core. */
export function blasThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TUNING_LAB_BLAS_THREADS;
  if (raw === undefined || raw === "") return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`TUNING_LAB_BLAS_THREADS=${raw} must be a whole number ≥ 1`);
  return n;
}

/**
 * Route the wasm backend's BatchMatMul through the system BLAS, when the
 * addon is built and not turned off. Call after the wasm backend is ready.
 * Never throws for a missing or broken addon: it records why and the pure
 * wasm path stays.
 */
export function installNativeMatmul(env: NodeJS.ProcessEnv = process.env, addonPath = ADDON): NativeMatmul {
  if (state.active) return state;
  if (env.TUNING_LAB_NATIVE === "0") {
    state = { active: false, threads: 0, library: "", reason: "TUNING_LAB_NATIVE=0" };
    return state;
  }
  let addon: BlasAddon;
  try {
    addon = require(addonPath) as BlasAddon;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const missing = err.code === "MODULE_NOT_FOUND" && String(err.message).includes(addonPath);
    state = {
      active: false,
      threads: 0,
      library: "",
      reason: missing
        ? `native matmuls not built; for ~4x faster training: ${ENABLE_HINT}`
        : `native matmuls failed to load (${String(err.message).split("\n")[0]}); rebuild: ${ENABLE_HINT}`,
    };
    return state;
  }
  const threads = blasThreads(env);
  addon.setThreads(threads);
  const original = tf.getKernel(tf.BatchMatMul, "wasm");
  if (!original) throw new Error("installNativeMatmul: the wasm backend has no BatchMatMul kernel; initialise wasm first");
  originalKernel = original;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel({ kernelName: tf.BatchMatMul, backendName: "wasm", kernelFunc: nativeKernel(addon, original.kernelFunc) });
  for (const k of fusedKernels(addon)) if (!tf.getKernel(k.kernelName, "wasm")) tf.registerKernel(k);
  state = { active: true, threads: addon.threads() || threads, library: addon.config() };
  return state;
}

/** Put the original wasm kernel back (tests compare the two paths in one process). */
export function uninstallNativeMatmul(): void {
  if (!state.active) return;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel(originalKernel!);
  state = { active: false, threads: 0, library: "", reason: "uninstalled" };
}

let originalKernel: tf.KernelConfig | undefined;
