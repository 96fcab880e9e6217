/**
 * A model as a Hugging Face folder, written and read back:
 *
 *   model.safetensors        float32 weights under GPT-2's names (./hf.ts)
 *   config.json              GPT2Config (model_type "gpt2")
 *   generation_config.json   bos/eos/pad ids, max_length = the context
 *   tokenizer.json           the same byte-level BPE file a checkpoint holds
 *   tokenizer_config.json    PreTrainedTokenizerFast, special tokens, the chat template (Jinja)
 *   README.md                the model card (./model-card.ts)
 *   run.json                 the run record, when the model has one
 *
 * `transformers` loads it with GPT2LMHeadModel.from_pretrained (a model with a
 * scalar head also as GPT2ForSequenceClassification) and
 * AutoTokenizer.from_pretrained; `loadModel` reads it back, so a fine-tune
 * saved by transformers (save_pretrained, safetensors) returns to the notebooks.
 */
import * as fs from "fs";
import * as path from "path";
import { realish } from "../output";
import { tf } from "../backend";
import { CHAT_TEMPLATE_JINJA } from "../chat/template";
import type { RunRecord } from "../run-record";
import { BpeTokenizer, SPECIAL_TOKENS } from "../tokenizer/index";
import { readJSON, swapInto } from "./checkpoint";
import type { GPTConfig } from "./config";
import { GPT } from "./gpt";
import { fromHfTensors, gptConfigFromHf, hfConfig, hfGenerationConfig, toHfTensors } from "./hf";
import { modelCard } from "./model-card";
import { readSafetensors, writeSafetensors } from "./safetensors";

export const WEIGHTS_FILE = "model.safetensors";

export interface ExportParts {
  model: GPT;
  tokenizer: BpeTokenizer;
  run?: RunRecord;
  /** The folder the model was loaded from: named in the card, and never overwritten. */
  source?: string;
  /**
   * A reward model's score table (reward.json: λ, mean, std; src/model/reward-model.ts),
   * written beside the weights so the export scores as the original.
   */
  reward?: { likelihoodWeight: number; mean: number; std: number };
}

export interface ExportOptions {
  /** Replace a non-empty `out` (refused without it). */
  force?: boolean;
}

/** `tokenizer_config.json`: the generic fast tokenizer over tokenizer.json, with our specials and template. */
export function tokenizerConfig(c: GPTConfig): Record<string, unknown> {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: SPECIAL_TOKENS.bos,
    eos_token: SPECIAL_TOKENS.eos,
    pad_token: SPECIAL_TOKENS.pad,
    additional_special_tokens: [SPECIAL_TOKENS.system, SPECIAL_TOKENS.user, SPECIAL_TOKENS.assistant],
    model_max_length: c.contextLength,
    // Right padding: GPT2ForSequenceClassification reads the score at the last non-pad token.
    padding_side: "right",
    // Decoding " ." as "." would not give back the text (see BpeTokenizer).
    clean_up_tokenization_spaces: false,
    chat_template: CHAT_TEMPLATE_JINJA,
  };
}

/**
 * Write `parts` as a Hugging Face folder at `out`, atomically (a temporary
 * sibling renamed into place). Returns the file names written.
 * @throws if `out` is a non-empty folder and `force` is not set, is a file,
 *   or holds `parts.source`; or if the tokenizer does not fit the model.
 */
export async function exportHf(out: string, parts: ExportParts, opts: ExportOptions = {}): Promise<string[]> {
  checkTarget(out, parts.source, opts.force ?? false);
  const c = parts.model.config;
  if (parts.tokenizer.vocabSize !== c.vocabSize)
    throw new Error(
      `export: the tokenizer has ${parts.tokenizer.vocabSize} tokens, the model ${c.vocabSize}`,
    );
  const values = new Map<string, Float32Array>();
  for (const [name, v] of parts.model.params) values.set(name, (await v.data()) as Float32Array);

  const tmp = `${out.replace(/[\\/]+$/, "")}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const json = (file: string, value: unknown) =>
      fs.writeFileSync(path.join(tmp, file), JSON.stringify(value, null, 2) + "\n");
    // transformers refuses a safetensors file whose metadata does not name its framework.
    writeSafetensors(path.join(tmp, WEIGHTS_FILE), toHfTensors(c, values), { format: "pt" });
    json("config.json", hfConfig(c));
    json("generation_config.json", hfGenerationConfig(c));
    parts.tokenizer.save(path.join(tmp, "tokenizer.json"));
    json("tokenizer_config.json", tokenizerConfig(c));
    const name = path.basename(path.resolve(out));
    fs.writeFileSync(
      path.join(tmp, "README.md"),
      modelCard({ config: c, run: parts.run, source: parts.source, name, reward: parts.reward }),
    );
    if (parts.run) json("run.json", parts.run);
    if (parts.reward) json("reward.json", parts.reward);
    const files = fs.readdirSync(tmp);
    swapInto(tmp, out);
    return files;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

function checkTarget(out: string, source: string | undefined, force: boolean): void {
  if (source) {
    // Symlinks resolved: an --out that links to the source is the source.
    const [o, s] = [realish(out), realish(source)];
    const within = (a: string, b: string) => {
      const rel = path.relative(b, a);
      return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
    };
    if (within(s, o) || within(o, s))
      throw new Error(
        `export: --out ${out} ${within(s, o) ? "holds" : "lies inside"} the model being exported (${source}); ` +
          "pick another folder",
      );
  }
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new Error(`export: ${out} exists and is not a folder`);
  const entries = fs.readdirSync(out);
  if (entries.length > 0 && !force) {
    const shown = entries.slice(0, 4).join(", ") + (entries.length > 4 ? ", …" : "");
    throw new Error(`export: ${out} is not empty (${shown}); pass --force to replace its contents`);
  }
}

/** Whether `dir` looks like a Hugging Face folder rather than a Tuning Lab checkpoint. */
export function isHfFolder(dir: string): boolean {
  if (fs.existsSync(path.join(dir, WEIGHTS_FILE))) return true;
  const cfg = path.join(dir, "config.json");
  if (!fs.existsSync(cfg)) return false;
  const json = readJSON(cfg);
  return typeof json === "object" && json !== null && "model_type" in json;
}

export interface LoadedHf {
  model: GPT;
  tokenizerJSON?: unknown;
  run?: RunRecord;
}

/**
 * A GPT-2 Hugging Face folder (ours, or saved by transformers) as our model.
 * Errors name the file and the tensor or config field that does not fit.
 */
export function loadHf(dir: string): LoadedHf {
  const cfgPath = path.join(dir, "config.json");
  const weightsPath = path.join(dir, WEIGHTS_FILE);
  if (!fs.existsSync(weightsPath)) {
    const other = ["model.safetensors.index.json", "pytorch_model.bin"].find((f) =>
      fs.existsSync(path.join(dir, f)),
    );
    const hint = other
      ? ` (it has ${other}: save with save_pretrained(dir, safe_serialization=True, max_shard_size="10GB") for one safetensors file)`
      : "";
    throw new Error(`${dir}: no ${WEIGHTS_FILE}${hint}`);
  }
  if (!fs.existsSync(cfgPath))
    throw new Error(`${dir}: ${WEIGHTS_FILE} but no config.json; the folder is incomplete`);
  const hf = readJSON(cfgPath);
  if (typeof hf !== "object" || hf === null || Array.isArray(hf))
    throw new Error(`${cfgPath}: not a JSON object`);
  const file = readSafetensors(weightsPath);
  const config = gptConfigFromHf(hf as Record<string, unknown>, cfgPath, file.tensors.has("score.weight"));
  const values = fromHfTensors(config, file.tensors, weightsPath);
  const weights = new Map<string, tf.Tensor>();
  for (const [name, { shape, data }] of values) weights.set(name, tf.tensor(data, shape));
  const model = GPT.fromWeights(config, weights);
  tf.dispose([...weights.values()]);
  const out: LoadedHf = { model };
  const tokPath = path.join(dir, "tokenizer.json");
  if (fs.existsSync(tokPath)) out.tokenizerJSON = readJSON(tokPath);
  const runPath = path.join(dir, "run.json");
  if (fs.existsSync(runPath)) out.run = readJSON(runPath) as RunRecord;
  return out;
}
