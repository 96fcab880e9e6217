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
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>

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
  const float *A = base + offA / 4, *B = base + offB / 4;
  float *C = base + offC / 4;
  const int lda = transA ? (int)M : (int)K;
  const int ldb = transB ? (int)K : (int)N;
  const enum CBLAS_TRANSPOSE tA = transA ? CblasTrans : CblasNoTrans;
  const enum CBLAS_TRANSPOSE tB = transB ? CblasTrans : CblasNoTrans;
  for (int64_t i = 0; i < batch; i++) {
    if (K == 0) {
      for (int64_t j = 0; j < M * N; j++) C[i * M * N + j] = 0.0f;
      continue;
    }
    cblas_sgemm(CblasRowMajor, tA, tB, (int)M, (int)N, (int)K, 1.0f, A + i * strideA, lda, B + i * strideB, ldb,
                0.0f, C + i * M * N, (int)N);
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
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
