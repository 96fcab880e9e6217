/**
 * Checkpoints: one folder holding the model config, weights, tokenizer,
 * optimizer state and run record.
 *
 *   config.json      format tag, model config, step
 *   weights.json/bin tensor manifest (name, shape, offset) + raw float32 LE
 *   optimizer.json/bin  AdamW step and moments (optional)
 *   tokenizer.json   Hugging Face tokenizer JSON (optional)
 *   run.json         the run record (optional)
 *
 * Writes go to a temporary sibling folder that is renamed into place, so an
 * interrupted save leaves the previous checkpoint intact.
 */
import * as fs from "fs";
import * as path from "path";
import { tf } from "../backend";
import type { RunRecord } from "../run-record";
import { GPTConfig, gptConfig, parameterShapes } from "./config";
import { GPT } from "./gpt";

const FORMAT = "tuning-lab/checkpoint";
const VERSION = 1;

/** Optimizer state by parameter name (AdamW's step and moments): what a checkpoint stores. */
export interface OptimizerState {
  step: number;
  m: Map<string, tf.Tensor>;
  v: Map<string, tf.Tensor>;
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export interface CheckpointParts {
  model: GPT;
  /** Tokenizer JSON (anything with toJSON(), e.g. BpeTokenizer). */
  tokenizer?: { toJSON(): unknown };
  optimizer?: OptimizerState;
  run?: RunRecord;
  /** Optimizer steps taken so far. */
  step?: number;
  /** Further JSON files written into the folder with the rest (e.g. a reward model's reward.json). */
  extra?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  dir: string;
  model: GPT;
  step: number;
  tokenizerJSON?: unknown;
  optimizer?: OptimizerState;
  run?: RunRecord;
}

/** Save atomically into `dir` (created or replaced). */
export async function saveCheckpoint(dir: string, parts: CheckpointParts): Promise<string> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const step = parts.step ?? parts.optimizer?.step ?? 0;
    writeJSON(path.join(tmp, "config.json"), {
      format: FORMAT,
      version: VERSION,
      step,
      model: parts.model.config,
    });
    await writeTensors(tmp, "weights", parts.model.params);
    if (parts.optimizer) {
      const moments = new Map<string, tf.Tensor>();
      for (const [k, t] of parts.optimizer.m) moments.set(`m/${k}`, t);
      for (const [k, t] of parts.optimizer.v) moments.set(`v/${k}`, t);
      await writeTensors(tmp, "optimizer", moments, { step: parts.optimizer.step });
    }
    if (parts.tokenizer) writeJSON(path.join(tmp, "tokenizer.json"), parts.tokenizer.toJSON());
    if (parts.run) writeJSON(path.join(tmp, "run.json"), parts.run);
    for (const [name, value] of Object.entries(parts.extra ?? {})) writeJSON(path.join(tmp, name), value);
    swapInto(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

/** Rename `tmp` to `dir`, moving any old folder aside first and deleting it after (exports use it too). */
export function swapInto(tmp: string, dir: string): void {
  const old = `${dir}.tmp-old-${process.pid}`;
  const hadOld = fs.existsSync(dir);
  if (hadOld) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}

/** The step a checkpoint was saved at (0 when there is none): where a resumed run starts. */
export function savedStep(dir: string): number {
  const file = path.join(dir, "config.json");
  if (!fs.existsSync(file)) return 0;
  const step = (readJSON(file) as { step?: unknown }).step;
  return typeof step === "number" ? step : 0;
}

/** What this process trained: "40 steps", or "30 steps (11–40, resumed at step 10)". */
export function trainedHere(total: number, resumedAt: number, unit: string): string {
  return resumedAt > 0
    ? `${total - resumedAt} ${unit} (${resumedAt + 1}–${total}, resumed at step ${resumedAt})`
    : `${total} ${unit}`;
}

/**
 * Load a checkpoint. With `expect`, fields of the saved model config that
 * differ from it are listed in the error (e.g. a tokenizer of another size).
 */
export function loadCheckpoint(dir: string, expect?: Partial<GPTConfig>): LoadedCheckpoint {
  const cfgPath = path.join(dir, "config.json");
  if (!fs.existsSync(cfgPath)) {
    const hint = fs.existsSync(dir) ? `${dir} has no config.json` : `${dir} does not exist`;
    throw new Error(
      `no checkpoint at ${dir}: ${hint}. Check the path, or create it (the base model: npm run pretrain).`,
    );
  }
  const cfg = readJSON(cfgPath) as { format?: string; version?: number; step?: number; model?: GPTConfig };
  if (cfg.format !== FORMAT || !cfg.model)
    throw new Error(`${cfgPath}: not a ${FORMAT} file (format is ${JSON.stringify(cfg.format)})`);
  const config = gptConfig(cfg.model);
  if (expect) {
    const diffs = Object.entries(expect)
      .filter(([k, v]) => (config as unknown as Record<string, unknown>)[k] !== v)
      .map(
        ([k, v]) =>
          `${k}: checkpoint has ${JSON.stringify((config as unknown as Record<string, unknown>)[k])}, expected ${JSON.stringify(v)}`,
      );
    if (diffs.length) throw new Error(`${cfgPath}: model config does not match:\n  ${diffs.join("\n  ")}`);
  }
  const weights = readTensors(dir, "weights");
  checkWeights(path.join(dir, "weights.json"), config, weights);
  const model = GPT.fromWeights(config, weights);
  tf.dispose([...weights.values()]);
  const out: LoadedCheckpoint = { dir, model, step: cfg.step ?? 0 };
  if (fs.existsSync(path.join(dir, "tokenizer.json")))
    out.tokenizerJSON = readJSON(path.join(dir, "tokenizer.json"));
  if (fs.existsSync(path.join(dir, "run.json"))) out.run = readJSON(path.join(dir, "run.json")) as RunRecord;
  if (fs.existsSync(path.join(dir, "optimizer.json"))) out.optimizer = readOptimizer(dir);
  return out;
}

function checkWeights(file: string, c: GPTConfig, weights: Map<string, tf.Tensor>): void {
  for (const [name, shape] of parameterShapes(c)) {
    const t = weights.get(name);
    if (!t) throw new Error(`${file}: missing tensor "${name}" that the model config needs`);
    if (t.shape.join() !== shape.join())
      throw new Error(`${file}: tensor "${name}" has shape [${t.shape}], config needs [${shape}]`);
  }
}

function readOptimizer(dir: string): OptimizerState {
  const tensors = readTensors(dir, "optimizer");
  const meta = readJSON(path.join(dir, "optimizer.json")) as { step?: number };
  const m = new Map<string, tf.Tensor>();
  const v = new Map<string, tf.Tensor>();
  for (const [k, t] of tensors) (k.startsWith("m/") ? m : v).set(k.slice(2), t);
  return { step: meta.step ?? 0, m, v };
}

async function writeTensors(
  dir: string,
  base: string,
  tensors: Map<string, tf.Tensor>,
  extra: object = {},
): Promise<void> {
  const entries: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const data = (await t.data()) as Float32Array;
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    entries.push({ name, shape: t.shape, offset, length: data.length });
    chunks.push(Buffer.from(buf));
    offset += buf.byteLength;
  }
  fs.writeFileSync(path.join(dir, `${base}.bin`), Buffer.concat(chunks));
  writeJSON(path.join(dir, `${base}.json`), {
    dtype: "float32",
    byteOrder: "little",
    ...extra,
    tensors: entries,
  });
}

function readTensors(dir: string, base: string): Map<string, tf.Tensor> {
  const manifestPath = path.join(dir, `${base}.json`);
  const binPath = path.join(dir, `${base}.bin`);
  if (!fs.existsSync(binPath))
    throw new Error(`${binPath} is missing (${manifestPath} refers to it); the checkpoint is incomplete`);
  const manifest = readJSON(manifestPath) as { tensors?: TensorEntry[] };
  if (!Array.isArray(manifest.tensors)) throw new Error(`${manifestPath}: no "tensors" list`);
  const bin = fs.readFileSync(binPath);
  const out = new Map<string, tf.Tensor>();
  for (const e of manifest.tensors) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (size !== e.length)
      throw new Error(
        `${manifestPath}: tensor "${e.name}" has shape [${e.shape}] (${size} values) but length ${e.length}`,
      );
    const end = e.offset + e.length * 4;
    if (end > bin.byteLength)
      throw new Error(
        `${binPath} is truncated: tensor "${e.name}" needs bytes up to ${end}, file has ${bin.byteLength}`,
      );
    const data = new Float32Array(bin.buffer.slice(bin.byteOffset + e.offset, bin.byteOffset + end));
    out.set(e.name, tf.tensor(data, e.shape));
  }
  return out;
}

function writeJSON(file: string, value: unknown): void {
  fs.writeFileSync(file, JSON.stringify(value, null, 1));
}

export function readJSON(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: cannot read JSON (${(e as Error).message})`);
  }
}
