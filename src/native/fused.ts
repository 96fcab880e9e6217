/**
 * Fused kernels of the transformer on the native path, registered for the
 * wasm backend under this project's own kernel names: LayerNorm, GELU, the
 * attention softmax, the embedding lookup, the per-token log-softmax (each
 * forward and backward) and the AdamW update. Each is one pass over memory
 * where tfjs's composite ops make several and allocate a tensor per step.
 * src/model/ops.ts and src/train/optimizer.ts call them through `fused` when
 * the native path is active; the composites stay for the pure wasm path.
 */
import * as tf from "@tensorflow/tfjs";
import { BlasAddon, heapOffset, WasmBackendView } from "./addon";

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
    const offset = (t: tf.TensorInfo) => heapOffset(backend, t);
    run(
      backend.wasm.HEAPU8.buffer as ArrayBuffer,
      [...inputs, ...outs].map(offset),
      inputs,
      args.attrs ?? {},
    );
    return outs;
  };
}

/** A tensor as [rows, last axis]. */
const rows = (x: tf.TensorInfo) => [
  x.shape.slice(0, -1).reduce((a, b) => a * b, 1),
  x.shape[x.shape.length - 1],
];
const size = (x: tf.TensorInfo) => x.shape.reduce((a, b) => a * b, 1);

/** The fused kernels' configs for tf.registerKernel. */
export function fusedKernels(addon: BlasAddon): tf.KernelConfig[] {
  return [...layerKernels(addon), ...lossAndStepKernels(addon)].map(([kernelName, kernelFunc]) => ({
    kernelName,
    backendName: "wasm",
    kernelFunc,
  }));
}

/** LayerNorm, GELU and attention's softmax, forward and backward. */
function layerKernels(addon: BlasAddon): [string, tf.KernelFunc][] {
  return [
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
        (h, [dy, xh, rs, g, dx, dg, db], [dyi]) =>
          addon.layerNormGrad(h, rows(dyi)[0], rows(dyi)[1], dy, xh, rs, g, dx, dg, db),
        ["dy", "xhat", "rstd", "g"],
      ),
    ],
    [
      FUSED.gelu,
      heapKernel(
        ([x]) => [x.shape],
        (h, [x, y], [xi]) => addon.gelu(h, size(xi), x, y),
        ["x"],
      ),
    ],
    [
      FUSED.geluGrad,
      heapKernel(
        ([dy]) => [dy.shape],
        (h, [dy, x, dx], [dyi]) => addon.geluGrad(h, size(dyi), dy, x, dx),
        ["dy", "x"],
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
        (h, [dy, y, ds], [dyi], attrs) =>
          addon.attnSoftmaxGrad(h, rows(dyi)[0], rows(dyi)[1], attrs.scale as number, dy, y, ds),
        ["dy", "y"],
      ),
    ],
  ];
}

/** The embedding lookup, the token log-probs and AdamW's update. */
function lossAndStepKernels(addon: BlasAddon): [string, tf.KernelFunc][] {
  return [
    [
      FUSED.gatherRows,
      heapKernel(
        ([t, ids]) => [[size(ids), t.shape[1]]],
        (h, [t, ids, out], [ti, idi]) =>
          addon.gatherRows(h, size(idi), ti.shape[0], ti.shape[1], t, ids, out),
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
        (h, [dy, l, lse, tg, dl], [, li]) =>
          addon.tokenLogProbsGrad(h, li.shape[0], li.shape[1], dy, l, lse, tg, dl),
        ["dy", "logits", "lse", "targets"],
      ),
    ],
    [
      FUSED.adamw,
      heapKernel(
        ([p]) => [p.shape, p.shape, p.shape],
        (h, [p, g, m, v, po, mo, vo], [pi], a) =>
          addon.adamw(
            h,
            size(pi),
            p,
            g,
            m,
            v,
            po,
            mo,
            vo,
            ...(["b1", "b2", "eps", "lr", "decay", "c1", "c2"].map((k) => a[k] as number) as Seven),
          ),
        ["p", "g", "m", "v"],
      ),
    ],
  ];
}

/** The fused ops on the native path (src/model/ops.ts uses them when active). */
export const fused = {
  /** LayerNorm of x [N, D] → [y, xhat, rstd [N, 1]]. */
  layerNorm: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.engine().runKernel(FUSED.layerNorm, { x, g, b }, {}) as tf.Tensor[],
  /** → [dx, dg, db]. */
  layerNormGrad: (dy: tf.Tensor, xhat: tf.Tensor, rstd: tf.Tensor, g: tf.Tensor) =>
    tf.engine().runKernel(FUSED.layerNormGrad, { dy, xhat, rstd, g }, {}) as tf.Tensor[],
  gelu: (x: tf.Tensor) => (tf.engine().runKernel(FUSED.gelu, { x }, {}) as tf.Tensor[])[0],
  geluGrad: (dy: tf.Tensor, x: tf.Tensor) =>
    (tf.engine().runKernel(FUSED.geluGrad, { dy, x }, {}) as tf.Tensor[])[0],
  /** Rows of table [V, D] at int32 ids [n] → [n, D]. */
  gatherRows: (table: tf.Tensor, ids: tf.Tensor) =>
    (tf.engine().runKernel(FUSED.gatherRows, { table, ids }, {}) as tf.Tensor[])[0],
  /** log softmax(logits)[target] per row → [lp [N], lse [N]]. */
  tokenLogProbs: (logits: tf.Tensor, targets: tf.Tensor) =>
    tf.engine().runKernel(FUSED.tokenLogProbs, { logits, targets }, {}) as tf.Tensor[],
  /** dy [N] · (onehot(targets) − softmax(logits)) → [N, V]. */
  tokenLogProbsGrad: (dy: tf.Tensor, logits: tf.Tensor, lse: tf.Tensor, targets: tf.Tensor) =>
    (tf.engine().runKernel(FUSED.tokenLogProbsGrad, { dy, logits, lse, targets }, {}) as tf.Tensor[])[0],
  /** One AdamW update → [p', m', v'] (attrs: b1, b2, eps, lr, decay, c1, c2; see native/tl_blas.c). */
  adamw: (
    p: tf.Tensor,
    g: tf.Tensor,
    m: tf.Tensor,
    v: tf.Tensor,
    attrs: Record<"b1" | "b2" | "eps" | "lr" | "decay" | "c1" | "c2", number>,
  ) => tf.engine().runKernel(FUSED.adamw, { p, g, m, v }, attrs) as tf.Tensor[],
  /** softmax(scale · scores + bias) over the last axis: scores [B, H, T, Tk], bias [1|B, 1, T, Tk]. */
  attnSoftmax: (scores: tf.Tensor, bias: tf.Tensor, scale: number) =>
    (tf.engine().runKernel(FUSED.attnSoftmax, { scores, bias }, { scale }) as tf.Tensor[])[0],
  /** Gradient with respect to the scores, given the weights y. */
  attnSoftmaxGrad: (dy: tf.Tensor, y: tf.Tensor, scale: number) =>
    (tf.engine().runKernel(FUSED.attnSoftmaxGrad, { dy, y }, { scale }) as tf.Tensor[])[0],
};
