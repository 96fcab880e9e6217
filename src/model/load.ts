/**
 * Load a trained model with its tokenizer: the one call notebooks and CLIs use.
 * It reads a Tuning Lab checkpoint or a Hugging Face GPT-2 folder (`npm run
 * export`, or a fine-tune saved by transformers): see hf-folder.ts.
 */
import * as path from "path";
import { BpeTokenizer } from "../tokenizer/index";
import type { RunRecord } from "../run-record";
import { loadCheckpoint } from "./checkpoint";
import type { GPT } from "./gpt";
import { isHfFolder, loadHf } from "./hf-folder";

export interface LoadedModel {
  model: GPT;
  tokenizer: BpeTokenizer;
  /** The run that produced it (config, seed, backend, metrics), if saved. */
  run?: RunRecord;
  dir: string;
}

/** Model + tokenizer from a checkpoint or Hugging Face folder; their vocabulary sizes must agree. */
export function loadModel(dir: string): LoadedModel {
  const ck = isHfFolder(dir) ? loadHf(dir) : loadCheckpoint(dir);
  if (ck.tokenizerJSON === undefined) {
    ck.model.dispose();
    throw new Error(
      `${path.join(dir, "tokenizer.json")} is missing; a model checkpoint needs its tokenizer to read and write text`,
    );
  }
  const tokenizer = BpeTokenizer.fromJSON(ck.tokenizerJSON, path.join(dir, "tokenizer.json"));
  if (tokenizer.vocabSize !== ck.model.config.vocabSize) {
    ck.model.dispose();
    throw new Error(
      `${dir}: tokenizer has ${tokenizer.vocabSize} tokens but the model expects ${ck.model.config.vocabSize}`,
    );
  }
  return { model: ck.model, tokenizer, run: ck.run, dir };
}
