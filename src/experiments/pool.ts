/**
 * Ablation arms in parallel. The wasm backend runs on one thread, so a
 * second core sits idle while one arm trains; this pool runs arms in child
 * processes (one per worker, each loading the same inputs and the same
 * backend), hands out arms in order as workers free up, and returns results
 * in the order of `arms`. Every arm is seeded on its own, so the results are
 * the same as one after another in a single process (a test checks this).
 */
import { ChildProcess, fork } from "child_process";
import * as os from "os";
import * as path from "path";
import { backendInfo } from "../backend";
import type { ProgressSink } from "../train/loop";
import type { SftConfig } from "../train/sft";
import type { EvalSetName } from "../data/tasks/eval-sets";
import type { Arm, ArmOptions, ArmResult, InputOptions, PoolOptions } from "./arm";

const ROOT = path.resolve(__dirname, "..", "..");

/** Messages between the pool and `arm-worker.ts`. */
export type ToWorker =
  | { type: "init"; inputs: InputOptions }
  | {
      type: "arm";
      index: number;
      arm: Arm;
      base: SftConfig;
      sets: ArmOptions["sets"];
      maxNewTokens?: number;
    };
export type FromWorker =
  | { type: "ready" }
  | { type: "tick"; n: number }
  | { type: "result"; index: number; result: ArmResult }
  | { type: "error"; index: number; message: string };

/**
 * BLAS threads per worker: workers × threads never exceed the cores, since
 * oversubscribed OpenBLAS threads spin against each other and run slower
 * than one thread each. (OpenBLAS's results depend on its thread count, so
 * an arm matches a serial run made at this count, not at any other.)
 */
export function workerBlasThreads(workers: number): number {
  return Math.max(1, Math.floor((os.availableParallelism?.() ?? os.cpus().length) / workers));
}

export async function runArmsInPool<S extends EvalSetName>(
  inputs: InputOptions,
  arms: readonly Arm[],
  base: Readonly<SftConfig>,
  o: PoolOptions<S>,
): Promise<ArmResult<S>[]> {
  const results: ArmResult<S>[] = new Array(arms.length);
  const backend = backendInfo()?.name;
  const n = Math.max(1, Math.min(o.workers ?? 2, arms.length));
  let next = 0;
  const blasThreads = String(workerBlasThreads(n));
  const children: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve, reject) => {
            const child = fork(path.join(__dirname, "arm-worker.ts"), [], {
              cwd: ROOT,
              execArgv: ["--import", "tsx"],
              stdio: ["ignore", "ignore", "pipe", "ipc"],
              env: {
                ...process.env,
                TUNING_LAB_BLAS_THREADS: blasThreads,
                ...(backend ? { TUNING_LAB_BACKEND: backend } : {}),
              },
            });
            children.push(child);
            let stderr = "";
            let current = -1;
            child.stderr!.on("data", (d) => {
              stderr = (stderr + String(d)).slice(-4000);
            });
            const give = () => {
              if (next >= arms.length) {
                child.disconnect();
                resolve();
                return;
              }
              current = next++;
              child.send({
                type: "arm",
                index: current,
                arm: arms[current],
                base,
                sets: o.sets as ArmOptions["sets"],
                maxNewTokens: o.maxNewTokens,
              } satisfies ToWorker);
            };
            child.on("message", (m: FromWorker) => {
              if (m.type === "ready") give();
              else if (m.type === "tick") o.progress?.tick(m.n);
              else if (m.type === "result") {
                // The worker scored exactly the sets it was sent (o.sets), so the result has S's sets.
                const result = m.result as unknown as ArmResult<S>;
                results[m.index] = result;
                o.onArm?.(result, m.index);
                give();
              } else if (m.type === "error")
                reject(new Error(`ablation arm ${arms[m.index].group}=${arms[m.index].label}: ${m.message}`));
            });
            child.on("exit", (code) => {
              if (code !== 0 && code !== null)
                reject(
                  new Error(
                    `an ablation worker exited with code ${code}${current >= 0 ? ` during arm ${arms[current].group}=${arms[current].label}` : ""}:\n${stderr}`,
                  ),
                );
            });
            child.send({ type: "init", inputs } satisfies ToWorker);
          }),
      ),
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
  o.progress?.done();
  return results;
}

/** A progress sink that forwards ticks but never closes (for a bar shared by many runs). */
export function sharedProgress(p: ProgressSink | undefined): ProgressSink | undefined {
  return p && { tick: (n, m) => p.tick(n, m), done: () => undefined };
}
