/**
 * Experiment runs in parallel. The wasm backend runs on one thread, so a
 * second core sits idle while one run trains; this pool runs jobs in child
 * processes (one per worker, each loading the same inputs and the same
 * backend), hands out jobs in order as workers free up, and returns results
 * in the order of the jobs. Every job is seeded on its own, so the results
 * are the same as one after another in a single process (a test checks this
 * for SFT arms).
 *
 * A worker is a module that calls {@link serveJobs} with a setup function:
 * `arm-worker.ts` (SFT ablation arms), `ppo-worker.ts` (PPO runs).
 */
import { ChildProcess, fork } from "child_process";
import * as os from "os";
import * as path from "path";
import { backendInfo, initBackend } from "../backend";
import type { ProgressSink } from "../train/loop";

const ROOT = path.resolve(__dirname, "..", "..");

/** Messages between the pool and a worker. */
export type ToWorker<I = unknown, J = unknown> =
  { type: "init"; inputs: I } | { type: "job"; index: number; job: J };
export type FromWorker<R = unknown> =
  | { type: "ready" }
  | { type: "tick"; n: number }
  | { type: "result"; index: number; result: R }
  | { type: "error"; index: number; message: string };

/**
 * BLAS threads per worker: workers × threads never exceed the cores, since
 * oversubscribed OpenBLAS threads spin against each other and run slower
 * than one thread each. (OpenBLAS's results depend on its thread count, so
 * a run matches a serial run made at this count, not at any other.)
 */
export function workerBlasThreads(workers: number): number {
  return Math.max(1, Math.floor((os.availableParallelism?.() ?? os.cpus().length) / workers));
}

export interface PoolRun<I, J, R> {
  /** The worker module's file name in src/experiments/ (e.g. "ppo-worker.ts"). */
  worker: string;
  /** Sent once to every worker (what it loads its inputs from). */
  inputs: I;
  jobs: readonly J[];
  /** How a failed job is named in the error. */
  name: (job: J) => string;
  workers?: number;
  /** Counts the ticks workers report (optimizer steps of all jobs together). */
  progress?: ProgressSink;
  /** Called as each job finishes (in finishing order). */
  onResult?: (result: R, index: number) => void;
  /** What to tell the user after a failure: the command that runs the rest (e.g. a cached sweep's rerun). */
  resume?: string;
}

/**
 * Run `jobs` in worker processes; results in the order of the jobs. A job
 * whose worker dies (killed, out of memory) is run once more, on a fresh
 * worker that takes the dead one's place; a job that throws, or dies twice,
 * fails. The other workers run the rest of the queue, reporting each result
 * through `onResult`, and only then is the failure thrown, naming every
 * failed job with its error, exit code or signal, how many never ran, and
 * `resume` (how to run the rest). So a sweep keeps everything that could finish.
 */
export async function runInPool<I, J, R>(o: PoolRun<I, J, R>): Promise<R[]> {
  const n = Math.max(1, Math.min(o.workers ?? 2, o.jobs.length));
  const q: Queue<R> = {
    results: new Array(o.jobs.length),
    next: 0,
    retry: [],
    retried: new Set(),
    finished: 0,
    failures: [],
    children: [],
  };
  const env = {
    ...process.env,
    TUNING_LAB_BLAS_THREADS: String(workerBlasThreads(n)),
    ...(backendInfo()?.name ? { TUNING_LAB_BACKEND: backendInfo()!.name } : {}),
  };
  try {
    await Promise.all(Array.from({ length: n }, () => runWorker(o, q, env)));
  } finally {
    for (const c of q.children) if (c.exitCode === null) c.kill();
  }
  o.progress?.done();
  if (q.failures.length) {
    const notRun = o.jobs.length - q.finished - q.failures.length;
    throw new Error(
      q.failures.join("\n") +
        (notRun > 0 ? `\n(${notRun} job(s) not run: every worker had failed; ${q.finished} finished)` : "") +
        (o.resume ? `\n${o.resume}` : ""),
    );
  }
  return q.results;
}

/** The pool's shared state: results by job, the next job to give, what failed, the workers. */
interface Queue<R> {
  results: R[];
  next: number;
  /** Jobs whose worker died, to be run again first; each job is retried once. */
  retry: number[];
  retried: Set<number>;
  finished: number;
  failures: string[];
  children: ChildProcess[];
}

/** One worker process: takes jobs from the queue until it is empty or the worker fails. */
function runWorker<I, J, R>(o: PoolRun<I, J, R>, q: Queue<R>, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise<void>((resolve) => {
    const child = fork(path.join(__dirname, o.worker), [], {
      cwd: ROOT,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env,
    });
    q.children.push(child);
    let stderr = "";
    let current = -1;
    let over = false;
    child.stderr!.on("data", (d) => {
      stderr = (stderr + String(d)).slice(-4000);
    });
    const retire = (message: string) => {
      if (over) return;
      over = true;
      q.failures.push(message);
      if (child.connected) child.disconnect();
      resolve();
    };
    const give = () => {
      if (q.retry.length === 0 && q.next >= o.jobs.length) {
        over = true;
        child.disconnect();
        resolve();
        return;
      }
      current = q.retry.shift() ?? q.next++;
      child.send({ type: "job", index: current, job: o.jobs[current] } satisfies ToWorker<I, J>);
    };
    child.on("message", (m: FromWorker<R>) => {
      if (m.type === "ready") give();
      else if (m.type === "tick") o.progress?.tick(m.n);
      else if (m.type === "result") {
        q.results[m.index] = m.result;
        q.finished++;
        o.onResult?.(m.result, m.index);
        give();
      } else if (m.type === "error") retire(`${o.name(o.jobs[m.index])}: ${m.message}`);
    });
    child.on("exit", (code, signal) => {
      if (over) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (current >= 0 && !q.retried.has(current)) {
        // A dead worker is not the job's fault until it happens twice: run it again on a fresh worker.
        over = true;
        q.retried.add(current);
        q.retry.push(current);
        console.error(`${o.name(o.jobs[current])}: its worker ${how}; running it again on a new worker`);
        void runWorker(o, q, env).then(resolve);
        return;
      }
      retire(
        current >= 0
          ? `${o.name(o.jobs[current])}: its worker ${how}, and again when the job was retried:\n${stderr}`
          : `a worker ${how} before its first job:\n${stderr}`,
      );
    });
    child.send({ type: "init", inputs: o.inputs } satisfies ToWorker<I, J>);
  });
}

/**
 * The worker side: `setup(inputs)` runs once (load models and data), and the
 * function it returns runs each job, reporting progress through `progress`.
 */
export function serveJobs<I, J, R>(
  setup: (inputs: I) => (job: J, progress: ProgressSink) => Promise<R>,
): void {
  const send = (m: FromWorker<R>) => process.send!(m);
  let run: ((job: J, progress: ProgressSink) => Promise<R>) | undefined;
  const progress: ProgressSink = { tick: (n = 1) => send({ type: "tick", n }), done: () => undefined };
  process.on("message", (m: ToWorker<I, J>) => {
    void (async () => {
      if (m.type === "init") {
        await initBackend({ quiet: true });
        run = setup(m.inputs);
        send({ type: "ready" });
        return;
      }
      try {
        send({ type: "result", index: m.index, result: await run!(m.job, progress) });
      } catch (e) {
        send({ type: "error", index: m.index, message: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
  process.on("disconnect", () => process.exit(0));
}

/** A progress sink that forwards ticks but never closes (for a bar shared by many runs). */
export function sharedProgress(p: ProgressSink | undefined): ProgressSink | undefined {
  return p && { tick: (n, m) => p.tick(n, m), done: () => undefined };
}
