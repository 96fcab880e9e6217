/**
 * The addon's interface (native/tl_blas.c) and the parts of tfjs's wasm
 * backend its kernels touch.
 */
import * as tf from "@tensorflow/tfjs";

export /** The addon's functions (native/tl_blas.c). */
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
  layerNorm(
    heap: ArrayBuffer,
    N: number,
    D: number,
    x: number,
    g: number,
    b: number,
    y: number,
    xhat: number,
    rstd: number,
  ): void;
  layerNormGrad(
    heap: ArrayBuffer,
    N: number,
    D: number,
    dy: number,
    xhat: number,
    rstd: number,
    g: number,
    dx: number,
    dg: number,
    db: number,
  ): void;
  gelu(heap: ArrayBuffer, n: number, x: number, y: number): void;
  geluGrad(heap: ArrayBuffer, n: number, dy: number, x: number, dx: number): void;
  gatherRows(
    heap: ArrayBuffer,
    n: number,
    V: number,
    D: number,
    table: number,
    ids: number,
    out: number,
  ): void;
  tokenLogProbs(
    heap: ArrayBuffer,
    N: number,
    V: number,
    logits: number,
    targets: number,
    lp: number,
    lse: number,
  ): void;
  tokenLogProbsGrad(
    heap: ArrayBuffer,
    N: number,
    V: number,
    dy: number,
    logits: number,
    lse: number,
    targets: number,
    dl: number,
  ): void;
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
  attnSoftmax(
    heap: ArrayBuffer,
    B: number,
    H: number,
    T: number,
    Tk: number,
    biasBatch: number,
    scale: number,
    s: number,
    bias: number,
    y: number,
  ): void;
  attnSoftmaxGrad(
    heap: ArrayBuffer,
    rows: number,
    Tk: number,
    scale: number,
    dy: number,
    y: number,
    ds: number,
  ): void;
  setThreads(n: number): void;
  threads(): number;
  config(): string;
}

export /** The parts of tfjs-backend-wasm's BackendWasm the native kernels touch. */
interface WasmBackendView {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/** Byte offset of a tensor's buffer in the wasm heap. */
export function heapOffset(backend: WasmBackendView, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}
