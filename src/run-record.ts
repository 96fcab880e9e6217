/**
 * The run record: everything needed to reproduce and plot a run. Every
 * trainer returns one and saves it beside its checkpoint as run.json.
 *
 * It lives outside `train/` so that `model/` (checkpoints), `eval/` and
 * `display/` can read records without importing a trainer.
 */
import * as fs from "fs";
import * as path from "path";
import type { BackendInfo } from "./backend";
import type { StepRow, TrainRow } from "./metrics";
import type { GPTConfig } from "./model/config";

export type { MetricName, MetricRow, StepRow, TrainRow } from "./metrics";

/** Package versions a run was made with. */
export interface Versions {
  node: string;
  tfjs: string;
  tuningLab: string;
}

/**
 * `Config` is the trainer's resolved config (every trainer config extends the
 * loop's); `Notes` the facts it keeps on record. `RunRecord` alone reads any run.
 */
export interface RunRecord<Config = unknown, Notes = unknown> {
  /** Which trainer produced it: "pretrain", "sft", "reward", "ppo", "dpo", ... */
  method: string;
  /** The trainer's resolved config, every default written out. */
  config: Config;
  /** The model's shape. */
  model: GPTConfig;
  seed: number;
  backend: BackendInfo;
  versions: Versions;
  startedAt: string;
  durationS: number;
  /** Training rows, one per logged step. */
  metrics: TrainRow[];
  /** Evaluation rows (val/*, probe/*, behaviour/*), each with its step. */
  evals: StepRow[];
  /** Where the final checkpoint was written, if anywhere. */
  checkpoint?: string;
  /** Facts a trainer keeps on record (dataset sizes, samples, final scores). */
  notes: Notes;
}

/**
 * The record each trainer writes, by its `method`. Empty here: each trainer
 * declares its own kind where it lives, by module augmentation
 * (`declare module "../run-record" { interface RunKinds { dpo: RunRecord<…> } }`),
 * so this file, and `model/` which reads records, import no trainer, and a
 * new method adds its kind without editing a file below it.
 */
export interface RunKinds {}

export type RunMethod = keyof RunKinds;

/** Package versions for the record. */
export function versions(tfjsVersion: string): Versions {
  const pkgPath = path.join(__dirname, "..", "package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string };
  return { node: process.version, tfjs: tfjsVersion, tuningLab: pkg.version };
}

/**
 * The run record of a checkpoint folder (its run.json; a path to a run.json
 * works too), typed by the trainer that wrote it. Throws, naming the file,
 * if it is missing, unreadable, or was written by another trainer.
 */
export function loadRun<K extends RunMethod>(dir: string, method: K): RunKinds[K] {
  const file = dir.endsWith(".json") ? dir : path.join(dir, "run.json");
  if (!fs.existsSync(file))
    throw new Error(`run record not found: ${file}; is ${dir} a checkpoint folder written by a trainer?`);
  let run: Partial<RunRecord>;
  try {
    run = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<RunRecord>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  for (const key of ["method", "config", "metrics", "seed"] as const) {
    if (run[key] === undefined)
      throw new Error(`${file}: missing field "${key}"; is this a run.json written by a trainer?`);
  }
  if (run.method !== method) {
    throw new Error(
      `${file}: is a "${run.method}" run, not "${method}"; pass the folder of a ${method} run (or load it as "${run.method}")`,
    );
  }
  return { ...run, notes: run.notes ?? {} } as RunKinds[K];
}
