/**
 * Choosing and initialising the tfjs compute backend.
 *
 * Order of preference: `tensorflow` (native libtensorflow through
 * `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`, when installed),
 * then `wasm` (XNNPACK with SIMD), then `cpu` (plain JS, ~30x slower than wasm
 * for matmuls here; see BENCHMARKS.md). `TUNING_LAB_BACKEND=wasm|cpu|tensorflow`
 * forces one. The choice is printed once per process.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { installNative } from "./native/index";

/** What `initBackend` settled on, recorded in every run record. */
export interface BackendInfo {
  /** tfjs backend name: "tensorflow", "wasm" or "cpu". */
  name: string;
  /** Which npm package provides it, e.g. "@tensorflow/tfjs-node". */
  provider: string;
  /** Version of @tensorflow/tfjs-core in use. */
  tfjsVersion: string;
  /** Extra facts that change speed, e.g. wasm SIMD and thread count. */
  detail: string;
  /**
   * The matmul path: "wasm + OpenBLAS (2 threads)", "wasm", "cpu" or
   * "tensorflow". Numbers are reproducible within one path.
   */
  path: string;
  /** True when matmuls run on the system BLAS (src/native/). */
  native: boolean;
}

/** A backend we may try, in order of preference. */
export interface BackendCandidate {
  name: string;
  provider: string;
  /** Loads the provider (may throw when it is not installed). */
  load: () => void | Promise<void>;
}

const FORCE_ENV = "TUNING_LAB_BACKEND";

/** Native backends register themselves as "tensorflow" when required. */
function nativeCandidate(pkg: string): BackendCandidate {
  return {
    name: "tensorflow",
    provider: pkg,
    load: () => {
      require(pkg);
    },
  };
}

/** The default candidates, fastest first. */
export const DEFAULT_CANDIDATES: readonly BackendCandidate[] = Object.freeze([
  nativeCandidate("@tensorflow/tfjs-node-gpu"),
  nativeCandidate("@tensorflow/tfjs-node"),
  { name: "wasm", provider: "@tensorflow/tfjs-backend-wasm", load: () => {} },
  { name: "cpu", provider: "@tensorflow/tfjs-backend-cpu", load: () => {} },
]);

let current: BackendInfo | undefined;

/**
 * Pick the first candidate that loads and initialises. `force` (or the
 * TUNING_LAB_BACKEND environment variable) restricts the choice to one name
 * and fails loudly if that backend cannot start.
 */
export async function selectBackend(
  candidates: readonly BackendCandidate[] = DEFAULT_CANDIDATES,
  force: string | undefined = process.env[FORCE_ENV],
): Promise<BackendInfo> {
  const known = [...new Set(candidates.map((c) => c.name))];
  if (force && !known.includes(force)) {
    throw new Error(`${FORCE_ENV}=${force} is not a backend; use one of: ${known.join(", ")}`);
  }
  const tried: string[] = [];
  for (const c of candidates) {
    if (force && c.name !== force) continue;
    const restore = snapshotProcessHandlers();
    try {
      await c.load();
      if (!(await tf.setBackend(c.name))) throw new Error("setBackend returned false");
      await tf.ready();
      restore();
      return describe(c);
    } catch (e) {
      tried.push(`${c.provider}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(
    `no tfjs backend could start${force ? ` (forced ${FORCE_ENV}=${force})` : ""}:\n  ${tried.join("\n  ")}`,
  );
}

/**
 * The Emscripten glue of tfjs-backend-wasm installs
 * `process.on("unhandledRejection", (r) => { throw r })` (and the same for
 * uncaught exceptions) when the module starts. After that, any unhandled
 * rejection anywhere kills the process: a notebook kernel, a test runner.
 * Returns a function that removes whatever such handlers were added since.
 */
function snapshotProcessHandlers(): () => void {
  const emitter = process as NodeJS.EventEmitter;
  const events = ["uncaughtException", "unhandledRejection"];
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  return () => {
    for (const e of events) {
      for (const l of emitter.listeners(e))
        if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
    }
  };
}

/**
 * tfjs clones every tensor a gradient saves (`engine.clone` runs the
 * Identity kernel), and the wasm Identity copies the buffer: ~180 copies per
 * training step of config A. Tensors are immutable and the wasm backend
 * counts references per buffer (its Reshape shares buffers the same way), so
 * an Identity that shares the buffer gives the same values without the copy.
 */
function shareIdentityOnWasm(): void {
  const original = tf.getKernel(tf.Identity, "wasm");
  if (!original || (original as { shared?: boolean }).shared) return;
  tf.unregisterKernel(tf.Identity, "wasm");
  const kernel: tf.KernelConfig & { shared: boolean } = {
    kernelName: tf.Identity,
    backendName: "wasm",
    shared: true,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype === "string") return original.kernelFunc(args);
      (args.backend as unknown as { incRef(id: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
  tf.registerKernel(kernel);
}

function describe(c: BackendCandidate): BackendInfo {
  const info = {
    name: c.name,
    provider: c.provider,
    tfjsVersion: tf.version_core,
    detail: "",
    path: c.name,
    native: false,
  };
  if (c.name !== "wasm") return info;
  shareIdentityOnWasm();
  const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  const blas = installNative();
  if (blas.active) {
    // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64" → version and kernels.
    const words = blas.library.split(" ");
    const kernels = words.find((w, i) => i > 1 && !/^(NO_|DYNAMIC_|USE_|MAX_)/.test(w));
    const lib = `${words.slice(0, 2).join(" ")}${kernels ? ` (${kernels} kernels)` : ""}`;
    return {
      ...info,
      native: true,
      path: `wasm + OpenBLAS (${blas.threads} thread${blas.threads === 1 ? "" : "s"})`,
      detail: `SIMD ${simd ? "on" : "off"}; matmuls on ${lib}`,
    };
  }
  return { ...info, detail: `SIMD ${simd ? "on" : "off"}, 1 thread; ${blas.reason}` };
}

/**
 * Initialise the fastest backend once per process and print the choice.
 * Safe to call from every notebook and trainer; later calls are free.
 */
export async function initBackend(opts: { quiet?: boolean } = {}): Promise<BackendInfo> {
  if (current && tf.getBackend() === current.name) return current;
  // PROD silences tfjs's "install the node backend" banner, which otherwise
  // lands in every notebook's stderr. It changes no numerics.
  tf.env().set("PROD", true);
  current = await selectBackend();
  if (!opts.quiet) {
    console.log(
      `tfjs backend: ${current.path} (${current.provider}${current.detail ? `; ${current.detail}` : ""})`,
    );
  }
  return current;
}

/** The backend in use, or undefined before `initBackend`. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

export { tf };
