/**
 * tfjs's BatchMatMul for the wasm backend on the system BLAS: the operands
 * are read in place on the wasm heap and sgemm gets the transpose flags.
 * Products it cannot serve go to the original kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { BlasAddon, heapOffset, WasmBackendView } from "./addon";

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
export function planMatmul(
  aShape: readonly number[],
  bShape: readonly number[],
  transA: boolean,
  transB: boolean,
): MatmulPlan | null {
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

/** The BatchMatMul kernel: sgemm when `planMatmul` says so, else the original. */
export function matmulKernel(addon: BlasAddon, original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const plan =
      a.dtype === "float32" && b.dtype === "float32"
        ? planMatmul(a.shape, b.shape, transposeA, transposeB)
        : null;
    if (!plan) return original(args);
    const backend = args.backend as unknown as WasmBackendView;
    const out = backend.makeOutput(plan.outShape, "float32");
    const offset = (t: tf.TensorInfo) => heapOffset(backend, t);
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
