/*
 * Single-precision matrix products for the tfjs wasm backend, on the system
 * BLAS (OpenBLAS; Apple's Accelerate on macOS, untested).
 *
 * Why: tfjs-backend-wasm sends only plain 2-D products to XNNPACK; transposed
 * and batched ones run a scalar loop at ~3 GFLOP/s on this project's machines,
 * and XNNPACK itself is single-threaded in Node. sgemm takes the transpose
 * flags for free and uses every core. The operands stay where tfjs put them:
 * the wasm heap is an ArrayBuffer that this addon reads and writes in place
 * (zero copy), given byte offsets of the operands inside it.
 *
 * One call computes, for i in [0, batch):
 *   C_i = op(A_i) · op(B_i),  A_i = A + i·strideA,  B_i = B + i·strideB,
 *   C_i = C + i·M·N,  op(X) = Xᵀ when its flag is set,
 * every matrix row-major and dense. A stride of 0 broadcasts one matrix over
 * the batch. Every byte touched is checked against the heap's length first, so
 * a wrong offset throws instead of writing outside the tensor.
 *
 * Beside the products, fused element-wise kernels for the transformer's
 * LayerNorm, GELU, attention softmax (scale, mask and softmax in one), the
 * embedding lookup and the per-token log-softmax (forward and backward): one
 * pass over memory each,
 * where tfjs's composite ops make 7-12 passes and allocate a tensor per step.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef TL_ACCELERATE
#include <Accelerate/Accelerate.h>
static void set_threads(int n) { (void)n; }
static int get_threads(void) { return 0; }
static const char *blas_name(void) { return "Accelerate"; }
#else
#include <cblas.h>
static void set_threads(int n) { openblas_set_num_threads(n); }
static int get_threads(void) { return openblas_get_num_threads(); }
static const char *blas_name(void) { return openblas_get_config(); }
#endif

#define CHECK(env, call)                                                     \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error((env), NULL, "tl_blas: N-API call failed: " #call);  \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/* Reads args[i] as a non-negative integer that fits a double exactly. */
static int get_count(napi_env env, napi_value v, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  if (!(d >= 0 && d <= 9007199254740991.0) || d != (double)(int64_t)d) return 0;
  *out = (int64_t)d;
  return 1;
}

/* Does [offset, offset + bytes) lie inside a heap of `len` bytes, 4-aligned? */
static int in_heap(int64_t offset, int64_t bytes, size_t len) {
  return offset % 4 == 0 && offset >= 0 && bytes >= 0 && offset + bytes <= (int64_t)len;
}

/* One batched product, as sgemm() describes it. */
struct batch_job {
  enum CBLAS_TRANSPOSE tA, tB;
  int M, N, K, lda, ldb;
  const float *A, *B;
  float *C;
  int64_t strideA, strideB;
};

static void run_batch(const struct batch_job *j, int64_t from, int64_t to) {
  for (int64_t i = from; i < to; i++) {
    float *C = j->C + i * (int64_t)j->M * j->N;
    if (j->K == 0) {
      for (int64_t e = 0; e < (int64_t)j->M * j->N; e++) C[e] = 0.0f;
      continue;
    }
    const float *A = j->A + i * j->strideA, *B = j->B + i * j->strideB;
    if (j->M == 1) {
      // A row vector times a matrix (batch-1 decoding): sgemv reads B as it
      // lies, where sgemm would first copy (pack) all of it.
      if (j->tB == CblasNoTrans) cblas_sgemv(CblasRowMajor, CblasTrans, j->K, j->N, 1.0f, B, j->ldb, A, 1, 0.0f, C, 1);
      else cblas_sgemv(CblasRowMajor, CblasNoTrans, j->N, j->K, 1.0f, B, j->ldb, A, 1, 0.0f, C, 1);
      continue;
    }
    cblas_sgemm(CblasRowMajor, j->tA, j->tB, j->M, j->N, j->K, 1.0f, A, j->lda, B, j->ldb, 0.0f, C, j->N);
  }
}

/*
 * Attention's batched products are many small matrices (64 of 128×128×32 for
 * config A). Threading each small sgemm costs a synchronisation per matrix;
 * splitting the batch across threads, each running single-threaded sgemm,
 * costs one. Products up to BATCH_SPLIT_MAX_MNK (M·N·K) are split that way
 * when the whole batch has at least BATCH_SPLIT_MIN_WORK multiply-adds:
 * below that (a decode step's attention) starting threads costs more than
 * it saves.
 */
#define BATCH_SPLIT_MAX_MNK (1 << 21)
#define BATCH_SPLIT_MIN_WORK (1 << 22)
#define MAX_SPLIT 16

struct split_part {
  const struct batch_job *job;
  int64_t from, to;
};

static void *run_part(void *arg) {
  const struct split_part *p = arg;
  run_batch(p->job, p->from, p->to);
  return NULL;
}

static void run_split(const struct batch_job *job, int64_t batch, int threads) {
  if (threads > MAX_SPLIT) threads = MAX_SPLIT;
  if (threads > batch) threads = (int)batch;
  pthread_t tid[MAX_SPLIT];
  struct split_part part[MAX_SPLIT];
  int started[MAX_SPLIT] = {0};
  set_threads(1); // each part runs sgemm on its own thread only
  for (int t = 0; t < threads; t++) {
    part[t] = (struct split_part){job, batch * t / threads, batch * (t + 1) / threads};
    if (t > 0) started[t] = pthread_create(&tid[t], NULL, run_part, &part[t]) == 0;
  }
  run_batch(job, part[0].from, part[0].to);
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    else run_batch(job, part[t].from, part[t].to); // no thread: do it here
  }
  set_threads(threads);
}

/*
 * sgemm(heap, batch, M, N, K, transA, transB, offA, offB, offC, strideA, strideB)
 * Offsets in bytes, strides in floats (0 or the matrix size).
 */
static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value args[12];
  CHECK(env, napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (argc != 12) return fail(env, "tl_blas.sgemm: expected 12 arguments");

  void *data;
  size_t len;
  bool is_ab;
  CHECK(env, napi_is_arraybuffer(env, args[0], &is_ab));
  if (!is_ab) return fail(env, "tl_blas.sgemm: heap must be an ArrayBuffer");
  CHECK(env, napi_get_arraybuffer_info(env, args[0], &data, &len));

  int64_t n[11];
  for (int i = 0; i < 11; i++) {
    if (!get_count(env, args[i + 1], &n[i])) return fail(env, "tl_blas.sgemm: arguments must be non-negative integers");
  }
  const int64_t batch = n[0], M = n[1], N = n[2], K = n[3];
  const int transA = n[4] != 0, transB = n[5] != 0;
  const int64_t offA = n[6], offB = n[7], offC = n[8], strideA = n[9], strideB = n[10];
  if (M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) return fail(env, "tl_blas.sgemm: dimension too large for BLAS");
  if (batch == 0 || M == 0 || N == 0) return NULL;
  if ((strideA != 0 && strideA != M * K) || (strideB != 0 && strideB != K * N)) {
    return fail(env, "tl_blas.sgemm: a batch stride must be 0 (broadcast) or the matrix size");
  }
  const int64_t bytesA = 4 * ((batch - 1) * strideA + M * K);
  const int64_t bytesB = 4 * ((batch - 1) * strideB + K * N);
  const int64_t bytesC = 4 * batch * M * N;
  if (!in_heap(offA, bytesA, len) || !in_heap(offB, bytesB, len) || !in_heap(offC, bytesC, len)) {
    return fail(env, "tl_blas.sgemm: an operand lies outside the heap");
  }

  float *base = (float *)data;
  const struct batch_job job = {
      .tA = transA ? CblasTrans : CblasNoTrans,
      .tB = transB ? CblasTrans : CblasNoTrans,
      .M = (int)M, .N = (int)N, .K = (int)K,
      .lda = transA ? (int)M : (int)K,
      .ldb = transB ? (int)K : (int)N,
      .A = base + offA / 4, .B = base + offB / 4, .C = base + offC / 4,
      .strideA = strideA, .strideB = strideB,
  };
  const int threads = get_threads();
  if (batch > 1 && threads > 1 && M * N * K <= BATCH_SPLIT_MAX_MNK && batch * M * N * K >= BATCH_SPLIT_MIN_WORK) {
    run_split(&job, batch, threads);
  } else {
    run_batch(&job, 0, batch);
  }
  return NULL;
}

/* Reads a finite double argument. */
static int get_double(napi_env env, napi_value v, double *out) {
  return napi_get_value_double(env, v, out) == napi_ok && *out == *out && *out - *out == 0;
}

/*
 * Reads the heap and then one value per letter of `kinds` ('i': a
 * non-negative integer, 'd': a finite number) into v; returns the heap, or
 * NULL with an exception naming the function.
 */
static float *heap_values(napi_env env, napi_callback_info info, const char *kinds, double *v, size_t *len, const char *name) {
  napi_value args[20];
  size_t argc = 20, want = strlen(kinds);
  void *data;
  bool is_ab;
  char msg[160];
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc != want + 1) {
    snprintf(msg, sizeof msg, "tl_blas.%s: expected %zu arguments", name, want + 1);
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  if (napi_is_arraybuffer(env, args[0], &is_ab) != napi_ok || !is_ab ||
      napi_get_arraybuffer_info(env, args[0], &data, len) != napi_ok) {
    snprintf(msg, sizeof msg, "tl_blas.%s: heap must be an ArrayBuffer", name);
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  for (size_t i = 0; i < want; i++) {
    int64_t k = 0;
    const int ok = kinds[i] == 'd' ? get_double(env, args[i + 1], &v[i]) : get_count(env, args[i + 1], &k);
    if (kinds[i] != 'd') v[i] = (double)k;
    if (!ok) {
      snprintf(msg, sizeof msg, "tl_blas.%s: argument %zu must be %s", name, i + 2,
               kinds[i] == 'd' ? "a finite number" : "a non-negative integer");
      napi_throw_error(env, NULL, msg);
      return NULL;
    }
  }
  return (float *)data;
}

/* Reads the heap and `count` non-negative integers after it (see heap_values). */
static float *heap_args(napi_env env, napi_callback_info info, size_t count, int64_t *n, size_t *len, const char *name) {
  char kinds[20] = "iiiiiiiiiiiiiiiiiii";
  double v[19];
  if (count > 19) return NULL;
  kinds[count] = '\0';
  float *heap = heap_values(env, info, kinds, v, len, name);
  for (size_t i = 0; heap && i < count; i++) n[i] = (int64_t)v[i];
  return heap;
}



/* Checks that each (offset, floats) pair lies inside the heap. */
static int all_in_heap(napi_env env, const int64_t *offs, const int64_t *floats, int k, size_t len, const char *name) {
  for (int i = 0; i < k; i++) {
    if (!in_heap(offs[i], 4 * floats[i], len)) {
      char msg[120];
      snprintf(msg, sizeof msg, "tl_blas.%s: an operand lies outside the heap", name);
      napi_throw_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

/*
 * layerNorm(heap, N, D, x, g, b, y, xhat, rstd): per row of x [N, D],
 * xhat = (x − mean) · rstd with rstd = 1/sqrt(var + eps), y = xhat · g + b.
 * Mean and variance accumulate in double (two passes), as stable as the
 * composite it replaces.
 */
static napi_value layer_norm(napi_env env, napi_callback_info info) {
  int64_t n[8];
  size_t len;
  float *H = heap_args(env, info, 8, n, &len, "layerNorm");
  if (!H) return NULL;
  const int64_t N = n[0], D = n[1];
  const int64_t offs[6] = {n[2], n[3], n[4], n[5], n[6], n[7]};
  const int64_t sizes[6] = {N * D, D, D, N * D, N * D, N};
  if (D == 0 || !all_in_heap(env, offs, sizes, 6, len, "layerNorm")) return NULL;
  const float *x = H + offs[0] / 4, *g = H + offs[1] / 4, *b = H + offs[2] / 4;
  float *y = H + offs[3] / 4, *xhat = H + offs[4] / 4, *rstd = H + offs[5] / 4;
  for (int64_t r = 0; r < N; r++) {
    const float *xr = x + r * D;
    double mean = 0, var = 0;
    for (int64_t j = 0; j < D; j++) mean += xr[j];
    mean /= (double)D;
    for (int64_t j = 0; j < D; j++) {
      const double c = xr[j] - mean;
      var += c * c;
    }
    const float rs = (float)(1.0 / sqrt(var / (double)D + 1e-5));
    float *hr = xhat + r * D, *yr = y + r * D;
    for (int64_t j = 0; j < D; j++) {
      hr[j] = (float)(xr[j] - mean) * rs;
      yr[j] = hr[j] * g[j] + b[j];
    }
    rstd[r] = rs;
  }
  return NULL;
}

/*
 * layerNormGrad(heap, N, D, dy, xhat, rstd, g, dx, dg, db):
 * dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat)), dxhat = dy · g;
 * dg = Σ_rows dy · xhat, db = Σ_rows dy.
 */
static napi_value layer_norm_grad(napi_env env, napi_callback_info info) {
  int64_t n[9];
  size_t len;
  float *H = heap_args(env, info, 9, n, &len, "layerNormGrad");
  if (!H) return NULL;
  const int64_t N = n[0], D = n[1];
  const int64_t offs[7] = {n[2], n[3], n[4], n[5], n[6], n[7], n[8]};
  const int64_t sizes[7] = {N * D, N * D, N, D, N * D, D, D};
  if (D == 0 || !all_in_heap(env, offs, sizes, 7, len, "layerNormGrad")) return NULL;
  const float *dy = H + offs[0] / 4, *xhat = H + offs[1] / 4, *rstd = H + offs[2] / 4, *g = H + offs[3] / 4;
  float *dx = H + offs[4] / 4, *dg = H + offs[5] / 4, *db = H + offs[6] / 4;
  for (int64_t j = 0; j < D; j++) dg[j] = db[j] = 0;
  for (int64_t r = 0; r < N; r++) {
    const float *dyr = dy + r * D, *hr = xhat + r * D;
    float *dxr = dx + r * D;
    double m1 = 0, m2 = 0;
    for (int64_t j = 0; j < D; j++) {
      const float dh = dyr[j] * g[j];
      m1 += dh;
      m2 += dh * hr[j];
      dg[j] += dyr[j] * hr[j];
      db[j] += dyr[j];
    }
    const float a = (float)(m1 / (double)D), c = (float)(m2 / (double)D), rs = rstd[r];
    for (int64_t j = 0; j < D; j++) dxr[j] = rs * (dyr[j] * g[j] - a - hr[j] * c);
  }
  return NULL;
}

/* GELU, tanh form, as x · σ(2u) with u = c (x + 0.044715 x³), c = sqrt(2/π). */
#define GELU_C 0.7978845608028654f

/*
 * e^t from a range reduction and a degree-6 polynomial (t = n ln2 + r,
 * |r| ≤ ln2/2; relative error ~2e-7), written without calls or branches so
 * the compiler vectorises the loops that use it (libm's expf is a call per
 * element). t is clamped to [−87, 80]; below −87 the result is exactly 0, as
 * float32's expf underflows there (so masked attention weights stay 0). NaN
 * propagates through every step.
 */
static inline float expf_fast(float t) {
  const float tc = t > 80.0f ? 80.0f : (t < -87.0f ? -87.0f : t);
  // Round to nearest by adding and subtracting 1.5·2^23 (no libm call, vectorises).
  const float n = (tc * 1.4426950408889634f + 12582912.0f) - 12582912.0f;
  const float r = tc - n * 0.693145751953125f - n * 1.428606765330187e-06f;
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  union { float f; int32_t i; } scale = {.i = ((int32_t)n + 127) << 23};
  const float e = p * scale.f;
  return t < -87.0f ? 0.0f : e;
}

/* σ(z) = 1 / (1 + e^−z). */
static inline float sigmoidf_fast(float z) { return 1.0f / (1.0f + expf_fast(-z)); }

/* gelu(heap, n, x, y) */
static napi_value gelu(napi_env env, napi_callback_info info) {
  int64_t n[3];
  size_t len;
  float *H = heap_args(env, info, 3, n, &len, "gelu");
  if (!H) return NULL;
  const int64_t offs[2] = {n[1], n[2]}, sizes[2] = {n[0], n[0]};
  if (!all_in_heap(env, offs, sizes, 2, len, "gelu")) return NULL;
  const float *x = H + offs[0] / 4;
  float *y = H + offs[1] / 4;
  for (int64_t i = 0; i < n[0]; i++) {
    const float v = x[i];
    y[i] = v * sigmoidf_fast(2.0f * GELU_C * v * (1.0f + 0.044715f * v * v));
  }
  return NULL;
}

/* geluGrad(heap, n, dy, x, dx): dx = dy · (σ + x · 2σ(1 − σ) · c (1 + 3 · 0.044715 x²)). */
static napi_value gelu_grad(napi_env env, napi_callback_info info) {
  int64_t n[4];
  size_t len;
  float *H = heap_args(env, info, 4, n, &len, "geluGrad");
  if (!H) return NULL;
  const int64_t offs[3] = {n[1], n[2], n[3]}, sizes[3] = {n[0], n[0], n[0]};
  if (!all_in_heap(env, offs, sizes, 3, len, "geluGrad")) return NULL;
  const float *dy = H + offs[0] / 4, *x = H + offs[1] / 4;
  float *dx = H + offs[2] / 4;
  for (int64_t i = 0; i < n[0]; i++) {
    const float v = x[i];
    const float s = sigmoidf_fast(2.0f * GELU_C * v * (1.0f + 0.044715f * v * v));
    const float du = 2.0f * GELU_C * (1.0f + 3.0f * 0.044715f * v * v);
    dx[i] = dy[i] * (s + v * s * (1.0f - s) * du);
  }
  return NULL;
}

/*
 * attnSoftmax(heap, B, H, T, Tk, biasBatch, scale, s, bias, y): attention
 * weights y = softmax_j(scale · s[b,h,i,j] + bias[b|0, i, j]) for scores
 * s [B, H, T, Tk] and an additive bias [biasBatch, 1, T, Tk] (biasBatch 1 or
 * B: causal mask, plus padded keys per row).
 */
static napi_value attn_softmax(napi_env env, napi_callback_info info) {
  double v[9];
  size_t len;
  float *H0 = heap_values(env, info, "iiiiidiii", v, &len, "attnSoftmax");
  if (!H0) return NULL;
  int64_t n[9];
  for (int i = 0; i < 9; i++) n[i] = (int64_t)v[i];
  const double scale = v[5];
  const int64_t B = n[0], H = n[1], T = n[2], Tk = n[3], BB = n[4];
  if (Tk == 0 || (BB != 1 && BB != B)) return fail(env, "tl_blas.attnSoftmax: bias batch must be 1 or B");
  const int64_t offs[3] = {n[6], n[7], n[8]}, sizes[3] = {B * H * T * Tk, BB * T * Tk, B * H * T * Tk};
  if (!all_in_heap(env, offs, sizes, 3, len, "attnSoftmax")) return NULL;
  const float *S = H0 + offs[0] / 4, *bias = H0 + offs[1] / 4;
  float *Y = H0 + offs[2] / 4;
  const float sc = (float)scale;
  for (int64_t b = 0; b < B; b++) {
    for (int64_t h = 0; h < H; h++) {
      for (int64_t i = 0; i < T; i++) {
        const int64_t row = ((b * H + h) * T + i) * Tk;
        const float *s = S + row, *m = bias + ((BB == 1 ? 0 : b) * T + i) * Tk;
        float *y = Y + row;
        float mx = -INFINITY;
        for (int64_t j = 0; j < Tk; j++) {
          y[j] = s[j] * sc + m[j];
          mx = y[j] > mx ? y[j] : mx;
        }
        float sum = 0;
        for (int64_t j = 0; j < Tk; j++) {
          y[j] = expf_fast(y[j] - mx);
          sum += y[j];
        }
        const float inv = 1.0f / sum;
        for (int64_t j = 0; j < Tk; j++) y[j] *= inv;
      }
    }
  }
  return NULL;
}

/* attnSoftmaxGrad(heap, rows, Tk, scale, dy, y, ds): ds = scale · y · (dy − Σ_j dy·y). */
static napi_value attn_softmax_grad(napi_env env, napi_callback_info info) {
  double v[6];
  size_t len;
  float *H0 = heap_values(env, info, "iidiii", v, &len, "attnSoftmaxGrad");
  if (!H0) return NULL;
  const int64_t n[6] = {(int64_t)v[0], (int64_t)v[1], 0, (int64_t)v[3], (int64_t)v[4], (int64_t)v[5]};
  const double scale = v[2];
  const int64_t R = n[0], Tk = n[1];
  const int64_t offs[3] = {n[3], n[4], n[5]}, sizes[3] = {R * Tk, R * Tk, R * Tk};
  if (!all_in_heap(env, offs, sizes, 3, len, "attnSoftmaxGrad")) return NULL;
  const float *DY = H0 + offs[0] / 4, *Y = H0 + offs[1] / 4;
  float *DS = H0 + offs[2] / 4;
  const float sc = (float)scale;
  for (int64_t r = 0; r < R; r++) {
    const float *dy = DY + r * Tk, *y = Y + r * Tk;
    float *ds = DS + r * Tk;
    float dot = 0;
    for (int64_t j = 0; j < Tk; j++) dot += dy[j] * y[j];
    for (int64_t j = 0; j < Tk; j++) ds[j] = sc * y[j] * (dy[j] - dot);
  }
  return NULL;
}

/*
 * gatherRows(heap, n, V, D, table, ids, out): out[i] = table[ids[i]] for a
 * float32 table [V, D] and int32 ids [n]. An id outside [0, V) throws (tfjs's
 * wasm gather would read whatever lies there).
 */
static napi_value gather_rows(napi_env env, napi_callback_info info) {
  int64_t n[6];
  size_t len;
  float *H = heap_args(env, info, 6, n, &len, "gatherRows");
  if (!H) return NULL;
  const int64_t N = n[0], V = n[1], D = n[2];
  const int64_t offs[3] = {n[3], n[4], n[5]}, sizes[3] = {V * D, N, N * D};
  if (!all_in_heap(env, offs, sizes, 3, len, "gatherRows")) return NULL;
  const float *table = H + offs[0] / 4;
  const int32_t *ids = (const int32_t *)(H + offs[1] / 4);
  float *out = H + offs[2] / 4;
  for (int64_t i = 0; i < N; i++) {
    if (ids[i] < 0 || ids[i] >= V) {
      char msg[160];
      snprintf(msg, sizeof msg, "gather: id %d at position %lld is outside the table's %lld rows", ids[i], (long long)i, (long long)V);
      return fail(env, msg);
    }
    memcpy(out + i * D, table + (int64_t)ids[i] * D, (size_t)D * sizeof(float));
  }
  return NULL;
}

/*
 * tokenLogProbs(heap, N, V, logits, targets, lp, lse): per row of logits
 * [N, V], lse = log Σ_j e^{l_j} and lp = l_target − lse.
 */
static napi_value token_log_probs(napi_env env, napi_callback_info info) {
  int64_t n[6];
  size_t len;
  float *H = heap_args(env, info, 6, n, &len, "tokenLogProbs");
  if (!H) return NULL;
  const int64_t N = n[0], V = n[1];
  const int64_t offs[4] = {n[2], n[3], n[4], n[5]}, sizes[4] = {N * V, N, N, N};
  if (V == 0 || !all_in_heap(env, offs, sizes, 4, len, "tokenLogProbs")) return NULL;
  const float *L = H + offs[0] / 4;
  const int32_t *tg = (const int32_t *)(H + offs[1] / 4);
  float *lp = H + offs[2] / 4, *lse = H + offs[3] / 4;
  for (int64_t r = 0; r < N; r++) {
    const float *l = L + r * V;
    if (tg[r] < 0 || tg[r] >= V) return fail(env, "tokenLogProbs: a target id is outside the vocabulary");
    float mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < V; j++) mx = l[j] > mx ? l[j] : mx;
    for (int64_t j = 0; j < V; j++) sum += expf_fast(l[j] - mx);
    lse[r] = mx + logf(sum);
    lp[r] = l[tg[r]] - lse[r];
  }
  return NULL;
}

/* tokenLogProbsGrad(heap, N, V, dy, logits, lse, targets, dl): dl = dy · (onehot − softmax). */
static napi_value token_log_probs_grad(napi_env env, napi_callback_info info) {
  int64_t n[7];
  size_t len;
  float *H = heap_args(env, info, 7, n, &len, "tokenLogProbsGrad");
  if (!H) return NULL;
  const int64_t N = n[0], V = n[1];
  const int64_t offs[5] = {n[2], n[3], n[4], n[5], n[6]}, sizes[5] = {N, N * V, N, N, N * V};
  if (!all_in_heap(env, offs, sizes, 5, len, "tokenLogProbsGrad")) return NULL;
  const float *dy = H + offs[0] / 4, *L = H + offs[1] / 4, *lse = H + offs[2] / 4;
  const int32_t *tg = (const int32_t *)(H + offs[3] / 4);
  float *DL = H + offs[4] / 4;
  for (int64_t r = 0; r < N; r++) {
    const float *l = L + r * V;
    float *dl = DL + r * V;
    const float d = dy[r], m = lse[r];
    for (int64_t j = 0; j < V; j++) dl[j] = -d * expf_fast(l[j] - m);
    if (tg[r] >= 0 && tg[r] < V) dl[tg[r]] += d;
  }
  return NULL;
}

/*
 * adamw(heap, n, p, g, m, v, pOut, mOut, vOut, b1, b2, eps, lr, decay, c1, c2):
 * one AdamW update of a parameter of n floats, in the same order of float32
 * operations as src/train/optimizer.ts's composite:
 *   m' = m·b1 + g·(1 − b1),  v' = v·b2 + g²·(1 − b2),
 *   p' = p·decay − lr · (m'/c1) / (sqrt(v'/c2) + eps),
 * with decay = 1 − lr·weightDecay for decayed parameters, else 1.
 */
static napi_value adamw(napi_env env, napi_callback_info info) {
  double args[15];
  size_t len;
  float *H = heap_values(env, info, "iiiiiiiiddddddd", args, &len, "adamw");
  if (!H) return NULL;
  int64_t n[8];
  for (int i = 0; i < 8; i++) n[i] = (int64_t)args[i];
  const double *h = args + 8;
  const int64_t N = n[0];
  const int64_t offs[7] = {n[1], n[2], n[3], n[4], n[5], n[6], n[7]}, sizes[7] = {N, N, N, N, N, N, N};
  if (!all_in_heap(env, offs, sizes, 7, len, "adamw")) return NULL;
  const float *p = H + offs[0] / 4, *g = H + offs[1] / 4, *m = H + offs[2] / 4, *v = H + offs[3] / 4;
  float *po = H + offs[4] / 4, *mo = H + offs[5] / 4, *vo = H + offs[6] / 4;
  const float b1 = (float)h[0], b2 = (float)h[1], eps = (float)h[2], lr = (float)h[3], decay = (float)h[4];
  // 1 − β in double, then rounded: as the composite, whose scalars JS computes.
  const float c1 = (float)h[5], c2 = (float)h[6], nb1 = (float)(1.0 - h[0]), nb2 = (float)(1.0 - h[1]);
  for (int64_t i = 0; i < N; i++) {
    const float mi = m[i] * b1 + g[i] * nb1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * nb2;
    const float update = (mi / c1) / (sqrtf(vi / c2) + eps);
    mo[i] = mi;
    vo[i] = vi;
    po[i] = p[i] * decay - update * lr;
  }
  return NULL;
}

static napi_value set_threads_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  int64_t n;
  CHECK(env, napi_get_cb_info(env, info, &argc, &arg, NULL, NULL));
  if (argc != 1 || !get_count(env, arg, &n) || n < 1 || n > 1024) return fail(env, "tl_blas.setThreads: expected 1..1024");
  set_threads((int)n);
  return NULL;
}

static napi_value get_threads_js(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(env, napi_create_int32(env, get_threads(), &out));
  return out;
}

static napi_value config_js(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, blas_name(), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads_js, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, get_threads_js, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, config_js, NULL, NULL, NULL, napi_default, NULL},
      {"layerNorm", NULL, layer_norm, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGrad", NULL, layer_norm_grad, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, gelu, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"gatherRows", NULL, gather_rows, NULL, NULL, NULL, napi_default, NULL},
      {"tokenLogProbs", NULL, token_log_probs, NULL, NULL, NULL, napi_default, NULL},
      {"tokenLogProbsGrad", NULL, token_log_probs_grad, NULL, NULL, NULL, napi_default, NULL},
      {"adamw", NULL, adamw, NULL, NULL, NULL, napi_default, NULL},
      {"attnSoftmax", NULL, attn_softmax, NULL, NULL, NULL, napi_default, NULL},
      {"attnSoftmaxGrad", NULL, attn_softmax_grad, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
