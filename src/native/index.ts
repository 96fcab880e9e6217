/**
 * The native path: tfjs's wasm `BatchMatMul` kernel served by the
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
 * The same addon serves fused kernels (./fused.ts) under kernel names of this
 * project's own, which src/model/ops.ts and the optimizer call on this path
 * instead of tfjs's chains of element-wise kernels.
 *
 * `TUNING_LAB_NATIVE=0` turns it off; `TUNING_LAB_BLAS_THREADS=n` sets the
 * BLAS threads (default: the cores; the ablation pool gives each worker one).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { BlasAddon } from "./addon";
import { fusedKernels } from "./fused";
import { matmulKernel } from "./matmul";

export { fused } from "./fused";
export { planMatmul, MatmulPlan } from "./matmul";

/** The state of the native path in this process, for the backend line and run records. */
export interface NativeState {
  /** True when BatchMatMul on wasm runs on the system BLAS and the fused kernels are registered. */
  active: boolean;
  /** BLAS threads (0 when inactive). */
  threads: number;
  /** The BLAS library's own description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH …". */
  library: string;
  /** Why the path is off, and how to turn it on, when it is off. */
  reason?: string;
}

const ADDON = path.join(__dirname, "..", "..", "native", "build", "Release", "tl_blas.node");
export const ENABLE_HINT = "sudo apt-get install libopenblas-dev && npm run build:native";
let originalKernel: tf.KernelConfig | undefined;
let loaded: BlasAddon | undefined;
let state: NativeState = { active: false, threads: 0, library: "", reason: "not installed yet" };

/** Whether the native kernels are in use (linear layers then ask for transposed products directly). */
export function nativeActive(): boolean {
  return state.active;
}

export function nativeInfo(): Readonly<NativeState> {
  return state;
}

/** BLAS threads: TUNING_LAB_BLAS_THREADS, else every core. */
export function blasThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TUNING_LAB_BLAS_THREADS;
  if (raw === undefined || raw === "") return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`TUNING_LAB_BLAS_THREADS=${raw} must be a whole number ≥ 1`);
  return n;
}

/**
 * The OpenBLAS kernel family for this CPU when OPENBLAS_CORETYPE is unset,
 * from its instruction-set flags (/proc/cpuinfo's `flags` line).
 *
 * Why: OpenBLAS picks its kernels by CPU model, and a release older than the
 * CPU does not know it: Debian 12's 0.3.21 runs the generic SSE3 "Prescott"
 * kernels on the AMD Zen 5 cores of this project's machines, 5x slower than
 * its AVX-512 ones (BENCHMARKS.md). The flags say what the CPU can run,
 * whatever its model. A value the user set is never changed.
 */
export function blasCoreFor(flags: ReadonlySet<string>): string | undefined {
  if (["avx512f", "avx512bw", "avx512dq", "avx512vl", "fma"].every((f) => flags.has(f))) return "SkylakeX";
  if (["avx2", "fma"].every((f) => flags.has(f))) return "Haswell";
  return undefined;
}

function cpuFlags(): Set<string> {
  try {
    const line = fs.readFileSync("/proc/cpuinfo", "utf8").match(/^flags\s*:(.*)$/m)?.[1] ?? "";
    return new Set(line.trim().split(/\s+/));
  } catch {
    return new Set(); // not Linux: leave the choice to OpenBLAS
  }
}

/**
 * Route the wasm backend's BatchMatMul through the system BLAS, when the
 * addon is built and not turned off. Call after the wasm backend is ready.
 * Never throws for a missing or broken addon: it records why and the pure
 * wasm path stays.
 */
export function installNative(env: NodeJS.ProcessEnv = process.env, addonPath = ADDON): NativeState {
  if (state.active) return state;
  if (env.TUNING_LAB_NATIVE === "0") {
    state = { active: false, threads: 0, library: "", reason: "TUNING_LAB_NATIVE=0" };
    return state;
  }
  // Before the addon loads OpenBLAS, whose start-up reads it (children inherit it).
  if (!env.OPENBLAS_CORETYPE) {
    const core = blasCoreFor(cpuFlags());
    if (core) env.OPENBLAS_CORETYPE = core;
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
  if (!original)
    throw new Error("installNative: the wasm backend has no BatchMatMul kernel; initialise wasm first");
  originalKernel = original;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel({
    kernelName: tf.BatchMatMul,
    backendName: "wasm",
    kernelFunc: matmulKernel(addon, original.kernelFunc),
  });
  for (const k of fusedKernels(addon)) if (!tf.getKernel(k.kernelName, "wasm")) tf.registerKernel(k);
  loaded = addon;
  state = { active: true, threads: addon.threads() || threads, library: addon.config() };
  return state;
}

/**
 * Set the BLAS thread count of this process; returns the previous one (0 when
 * the native path is off, where it does nothing). OpenBLAS's sums depend on
 * it, so two runs compare exactly only at the same count.
 */
export function setBlasThreads(n: number): number {
  if (!state.active || !loaded) return 0;
  const before = state.threads;
  loaded.setThreads(n);
  state = { ...state, threads: loaded.threads() || n };
  return before;
}

/** Put the original wasm kernel back (tests compare the two paths in one process). */
export function uninstallNative(): void {
  if (!state.active) return;
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel(originalKernel!);
  state = { active: false, threads: 0, library: "", reason: "uninstalled" };
}
