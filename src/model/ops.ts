/**
 * Differentiable building blocks with hand-written gradients.
 *
 * Why custom gradients: on the pure wasm path only a plain 2-D,
 * non-transposed matMul reaches XNNPACK (~44 GFLOP/s here); transposed or
 * batched matMuls fall back to a ~3 GFLOP/s loop, and tfjs's autograd of
 * `matMul` always asks for transposed products. Writing the backward pass
 * with explicit `transpose` + plain matMuls made a training step 3.3x faster
 * (config A; BENCHMARKS.md). On the native path (src/native/) sgemm
 * takes transpose flags for free, so there the gradients ask for transposed
 * products directly and the explicit transposes disappear.
 * LayerNorm, GELU and the log-softmax also get closed-form gradients: fewer,
 * larger kernels than autograd's chain of small ones.
 */
import { tf } from "../backend";
import { fused, nativeActive } from "../native/index";

type T2 = tf.Tensor2D;
type GradResult<Y extends tf.Tensor> = { value: Y; gradFunc: (dy: Y, saved: tf.Tensor[]) => tf.Tensor[] };

/**
 * Typed wrapper over tf.customGrad: `f(save, ...inputs)` returns the value and
 * a gradient function giving one gradient per input, in order.
 */
export function withGrad<A extends tf.Tensor[], Y extends tf.Tensor>(
  f: (save: tf.GradSaveFunc, ...inputs: A) => GradResult<Y>,
): (...inputs: A) => Y {
  const g = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    // tfjs types the result loosely; our GradResult is its exact shape.
    return f(save, ...(args as A)) as unknown as {
      value: Y;
      gradFunc: (dy: Y, saved: tf.Tensor[]) => tf.Tensor[];
    };
  });
  return (...inputs: A) => g(...inputs) as Y;
}

/**
 * Column sums of x [N, D] → [D]. A ones-row matmul is ~50x faster than
 * tf.sum(x, 0) on wasm, which transposes before reducing a non-inner axis.
 */
export function sumRows(x: T2): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]);
}

/**
 * a @ bᵀ and aᵀ @ b for 2-D operands: one transposed product on the native
 * path, an explicit transpose and a plain product on the pure wasm path.
 */
function matmulT(a: tf.Tensor, b: tf.Tensor, transA: boolean, transB: boolean): T2 {
  if (nativeActive()) return tf.matMul(a as T2, b as T2, transA, transB);
  return tf.matMul(transA ? tf.transpose(a as T2) : (a as T2), transB ? tf.transpose(b as T2) : (b as T2));
}

/** Gradients of x @ w with respect to x [N, Din] and w [Din, Dout]. */
function matmulGrads(dy: tf.Tensor, x: tf.Tensor, w: tf.Tensor): [T2, T2] {
  return [matmulT(dy, w, false, true), matmulT(x, dy, true, false)];
}

/** y = x @ w + b for x [N, Din], w [Din, Dout], b [Dout]. */
export const linear = withGrad((save, x: T2, w: tf.Tensor, b: tf.Tensor): GradResult<T2> => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy, [xs, ws]) => [...matmulGrads(dy, xs, ws), sumRows(dy)],
  };
});

/** y = x @ w (no bias) for x [N, Din], w [Din, Dout], same gradients as `linear`. */
const matmul = withGrad((save, x: T2, w: tf.Tensor): GradResult<T2> => {
  save([x, w]);
  return { value: tf.matMul(x, w), gradFunc: (dy, [xs, ws]) => matmulGrads(dy, xs, ws) };
});

/** The native path's x @ wᵀ: one NT product forward, NN and TN products backward. */
const matmulNT = withGrad((save, x: T2, w: tf.Tensor): GradResult<T2> => {
  save([x, w]);
  return {
    value: tf.matMul(x, w as T2, false, true), // [N, V]
    gradFunc: (dy, [xs, ws]) => [tf.matMul(dy, ws as T2), tf.matMul(dy, xs as T2, true, false)], // [N, D], [V, D]
  };
});

/**
 * y = x @ wᵀ for x [N, D] and w [V, D]: the tied LM head, whose table is
 * stored [V, D] for the embedding lookup. The pure wasm path transposes the
 * table once and runs plain products (its transposed products are slow).
 */
export function matmulTransposed(x: T2, w: tf.Tensor): T2 {
  return nativeActive() ? matmulNT(x, w) : matmul(x, tf.transpose(w as T2));
}

/** LayerNorm's epsilon (also native/tl_blas.c's; the Hugging Face export writes it as `layer_norm_epsilon`). */
export const LN_EPS = 1e-5;

/** LayerNorm over the last axis of x [N, D] with gain g and bias b [D]. */
export const layerNorm = withGrad((save, x: T2, g: tf.Tensor, b: tf.Tensor): GradResult<T2> => {
  if (nativeActive()) {
    // One fused pass each way on the native path (native/tl_blas.c).
    const [y, xhat, rstd] = fused.layerNorm(x, g, b);
    save([xhat, rstd, g]);
    return { value: y as T2, gradFunc: (dy, [xh, rs, gs]) => fused.layerNormGrad(dy, xh, rs, gs) };
  }
  const xc = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS)); // [N, 1]
  const xhat = tf.mul(xc, rstd);
  save([xhat, rstd, g]);
  return {
    value: tf.add(tf.mul(xhat, g), b),
    gradFunc: (dy, [xh, rs, gs]) => {
      const dxhat = tf.mul(dy, gs);
      // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
      const inner = tf.sub(
        tf.sub(dxhat, tf.mean(dxhat, -1, true)),
        tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true)),
      );
      return [tf.mul(inner, rs), sumRows(tf.mul(dy, xh) as T2), sumRows(dy)];
    },
  };
});

const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (GPT-2's): 0.5 x (1 + tanh(u)), u = c (x + 0.044715 x^3).
 * Computed as x · σ(2u), the same function: on wasm the sigmoid kernel runs
 * about twice as fast as tanh (BENCHMARKS.md).
 */
export const gelu = withGrad((save, x: tf.Tensor): GradResult<tf.Tensor> => {
  if (nativeActive()) {
    save([x]);
    return { value: fused.gelu(x), gradFunc: (dy, [xs]) => [fused.geluGrad(dy, xs)] };
  }
  const s = tf.sigmoid(tf.mul(tf.mul(x, tf.add(tf.mul(tf.square(x), 0.044715), 1)), 2 * GELU_C)); // σ(2u)
  save([x, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy, [xs, ss]) => {
      // d/dx [x σ(2u)] = σ(2u) + x · 2σ(2u)(1 − σ(2u)) · c (1 + 3 · 0.044715 x^2)
      const du = tf.mul(tf.add(tf.mul(tf.square(xs), 3 * 0.044715), 1), 2 * GELU_C);
      const d = tf.add(ss, tf.mul(tf.mul(xs, tf.mul(ss, tf.sub(1, ss))), du));
      return [tf.mul(dy, d)];
    },
  };
});

/**
 * Attention weights softmax(scale · scores + bias) over the keys: scores
 * [B, H, T, Tk], bias [1|B, 1, T, Tk] (0 where a query may see a key, −1e9
 * elsewhere; a constant, so it gets no gradient). One fused kernel each way
 * on the native path; tfjs's multiply, add and softmax on pure wasm.
 */
export function attentionWeights(scores: tf.Tensor4D, bias: tf.Tensor, scale: number): tf.Tensor4D {
  if (!nativeActive()) return tf.softmax(tf.add(tf.mul(scores, scale), bias)) as tf.Tensor4D;
  const f = withGrad((save, s: tf.Tensor4D): GradResult<tf.Tensor4D> => {
    const y = fused.attnSoftmax(s, bias, scale) as tf.Tensor4D;
    save([y]);
    return { value: y, gradFunc: (dy, [ys]) => [fused.attnSoftmaxGrad(dy, ys, scale)] };
  });
  return f(scores);
}

/**
 * Rows of `table` [V, D] picked by `ids` (int32, any shape).
 * The gradient scatters into the table with scatterND, because the wasm
 * backend has no UnsortedSegmentSum kernel (tfjs's own gather gradient).
 */
export function embed(table: tf.Tensor, ids: tf.Tensor1D): T2 {
  const f = withGrad((save, tbl: tf.Tensor): GradResult<T2> => {
    // Save ids: intermediates not saved are disposed before the backward pass.
    save([ids]);
    return {
      value: (nativeActive() ? fused.gatherRows(tbl, ids) : tf.gather(tbl, ids)) as T2,
      gradFunc: (dy, [idx]) => [tf.scatterND(tf.expandDims(idx, 1), dy, tbl.shape)],
    };
  });
  return f(table);
}

/**
 * log p(target) under softmax(logits), per row: logits [N, V], targets [N]
 * (int32) → [N]. Uses logsumexp so it is stable at extreme logits; the
 * gradient is the familiar (onehot - softmax) scaled by the upstream grad.
 */
export function tokenLogProbs(logits: T2, targets: tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  const f = withGrad((save, lg: T2): GradResult<tf.Tensor1D> => {
    if (nativeActive()) {
      // One pass each way (native/tl_blas.c): no one-hot matrix, no exp tensor.
      const [lp, lse] = fused.tokenLogProbs(lg, targets);
      save([lg, lse, targets]);
      return {
        value: lp as tf.Tensor1D,
        gradFunc: (dy, [l, s, t]) => [fused.tokenLogProbsGrad(dy, l, s, t)],
      };
    }
    const lse = tf.logSumExp(lg, -1, true); // [N, 1]
    // Build int32 and cast: the wasm OneHot kernel ignores dtype "float32" and
    // writes integer bits (1 comes out as 1.4e-45), tfjs 4.22.
    const onehot = tf.cast(tf.oneHot(targets, V), "float32");
    save([lg, lse, onehot]);
    return {
      value: tf.sub(tf.sum(tf.mul(lg, onehot), -1), tf.squeeze(lse, [1])),
      gradFunc: (dy, [l, s, oh]) => [tf.mul(tf.expandDims(dy, 1), tf.sub(oh, tf.exp(tf.sub(l, s))))],
    };
  });
  return f(logits);
}

/**
 * softplus(x) = log(1 + eˣ) = −log σ(−x), in the form that never overflows:
 * max(x, 0) + log(1 + e^(−|x|)). (tf.logSigmoid's gradient failed on the
 * wasm backend in this project's test: a tensor it saved was already freed.)
 */
export function softplus<T extends tf.Tensor>(x: T): T {
  return tf.add(tf.relu(x), tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(x)))))) as T;
}
