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

/**
 * The shape a committed record must have, as `readRecord` checks it: a type
 * per field ("number" also takes null, which is how JSON writes NaN and
 * ±Infinity), a nested object shape, or `[shape]` for an array whose every
 * element has that shape. A field named with a final "?" may be absent.
 */
export type Shape =
  | "string"
  | "number"
  | "boolean"
  | "object"
  | "array"
  | "number[]"
  | readonly [Shape]
  | { readonly [field: string]: Shape };

/** Where `value` departs from `shape`, one line per field ("rows[3].sampled.gold: missing"); at most `limit`. */
export function shapeProblems(value: unknown, shape: Shape, at = "", limit = 10): string[] {
  const out: string[] = [];
  const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  const visit = (v: unknown, s: Shape, p: string): void => {
    if (out.length >= limit) return;
    const where = p || "the record";
    if (typeof s === "string") {
      const t = typeOf(v);
      const ok =
        s === "number"
          ? t === "number" || t === "null"
          : s === "number[]"
            ? t === "array" && (v as unknown[]).every((x) => x === null || typeof x === "number")
            : t === s;
      if (!ok)
        out.push(`${where}: ${s === "number[]" ? "an array of numbers" : `a ${s}`} expected, found ${t}`);
      return;
    }
    if (Array.isArray(s)) {
      if (!Array.isArray(v)) return void out.push(`${where}: an array expected, found ${typeOf(v)}`);
      v.forEach((x, i) => visit(x, s[0], `${p}[${i}]`));
      return;
    }
    if (typeOf(v) !== "object") return void out.push(`${where}: an object expected, found ${typeOf(v)}`);
    const o = v as Record<string, unknown>;
    for (const [key, sub] of Object.entries(s as Record<string, Shape>)) {
      const optional = key.endsWith("?");
      const name = optional ? key.slice(0, -1) : key;
      const q = p ? `${p}.${name}` : name;
      if (o[name] === undefined) {
        if (!optional && out.length < limit) out.push(`${q}: missing`);
      } else visit(o[name], sub, q);
    }
  };
  visit(value, shape, at);
  return out;
}

/**
 * Read a committed record (a JSON file a command wrote: data/rlhf/*.json),
 * checked against the shape its readers rely on. Throws, naming the file and
 * the command that rebuilds it, if the file is missing, is not JSON, or lacks
 * a field or has one of the wrong type (a record from an older version of the
 * code: stale).
 */
export function readRecord<T>(file: string, o: { command: string; shape: Shape }): T {
  const rebuild = `rebuild it with \`${o.command}\``;
  if (!fs.existsSync(file)) throw new Error(`${file} is missing; ${rebuild}`);
  let record: unknown;
  try {
    record = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file} is unreadable (${(e as Error).message}); ${rebuild}`);
  }
  const problems = shapeProblems(record, o.shape);
  if (problems.length)
    throw new Error(
      `${file} is stale or is not the record its reader expects (${problems.join("; ")}` +
        `${problems.length >= 10 ? "; ..." : ""}); ${rebuild}`,
    );
  return record as T;
}

/** The shape of a mean with its interval (`meanInterval`, `tInterval`, `winRate`). */
export const INTERVAL_SHAPE = { mean: "number", lo: "number", hi: "number" } as const satisfies Shape;

/** The shape of a rate with its interval (`wilson`). */
export const RATE_SHAPE = { rate: "number", lo: "number", hi: "number" } as const satisfies Shape;

/** The shape of a policy measured on held-out samples (`sampledGold`: gold and KL, per prompt too). */
export const SAMPLED_SHAPE = {
  gold: INTERVAL_SHAPE,
  kl: INTERVAL_SHAPE,
  perPrompt: { gold: "number[]", kl: "number[]" },
} as const satisfies Shape;

/**
 * The shape of one run of a policy sweep (PPO's and DPO's records): its job,
 * its time, its held-out samples and greedy summary (`summarisePolicy`).
 */
export const SWEEP_ROW_SHAPE = {
  job: { study: "string", config: "object" },
  seconds: "number",
  sampled: SAMPLED_SHAPE,
  greedy: { gold: INTERVAL_SHAPE, exactMatch: RATE_SHAPE, answerRate: RATE_SHAPE },
} as const satisfies Shape;
