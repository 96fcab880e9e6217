/**
 * The run record: everything needed to reproduce and plot a run. Every
 * trainer returns one and saves it beside its checkpoint as run.json.
 */
import * as fs from "fs";
import * as path from "path";
import * as aq from "arquero";
import type { BackendInfo } from "../backend";
import type { GPTConfig } from "../model/config";
import type { LoopConfig } from "./loop";

/** One logged row: `step` plus registered metric names (src/train/metrics.ts). */
export type MetricRow = Record<string, number>;

/** `C` is the trainer's config; every trainer config extends the loop's. */
export interface RunRecord<C = LoopConfig> {
  /** Which trainer produced it: "pretrain", "sft", "reward", "ppo", "dpo", ... */
  method: string;
  /** The trainer's resolved config, every default written out. */
  config: C;
  /** The model's shape. */
  model: GPTConfig;
  seed: number;
  backend: BackendInfo;
  versions: { node: string; tfjs: string; tuningLab: string };
  startedAt: string;
  durationS: number;
  /** Training rows, one per logged step. */
  metrics: MetricRow[];
  /** Evaluation rows (val/*, probe/*, behaviour/*), each with its step. */
  evals: MetricRow[];
  /** Where the final checkpoint was written, if anywhere. */
  checkpoint?: string;
  /** Free-form facts a trainer wants on record (dataset sizes, dropped examples). */
  notes?: Record<string, unknown>;
}

/** Package versions for the record (read once). */
export function versions(tfjsVersion: string): RunRecord["versions"] {
  const pkgPath = path.join(__dirname, "..", "..", "package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string };
  return { node: process.version, tfjs: tfjsVersion, tuningLab: pkg.version };
}

/** Training metrics as an arquero table (for show() and plots). */
export function metricsTable(run: RunRecord): aq.ColumnTable {
  return aq.from(run.metrics);
}

/** Evaluation rows as an arquero table. */
export function evalsTable(run: RunRecord): aq.ColumnTable {
  return aq.from(run.evals);
}

/** Write run.json atomically (temp file + rename). */
export function saveRunRecord(file: string, run: RunRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(run, null, 1));
  fs.renameSync(tmp, file);
}

/** Read a run.json, naming the file on any problem. */
export function loadRunRecord(file: string): RunRecord {
  if (!fs.existsSync(file)) throw new Error(`run record not found: ${file}`);
  let run: RunRecord;
  try {
    run = JSON.parse(fs.readFileSync(file, "utf8")) as RunRecord;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  for (const key of ["method", "config", "metrics", "seed"] as const) {
    if (run[key] === undefined) throw new Error(`${file}: missing field "${key}"; is this a run.json written by a trainer?`);
  }
  return run;
}
