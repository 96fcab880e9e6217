/**
 * Where the committed data lives: one table of paths for every loader, CLI
 * and notebook. Found from this file, so any working directory (a notebook's)
 * works.
 */
import * as path from "path";

/** The repository's data/ directory. */
export const DATA_DIR = path.resolve(__dirname, "..", "..", "data");

const data = (...parts: string[]) => path.join(DATA_DIR, ...parts);

export const PATHS = Object.freeze({
  /** WordNet facts (npx tsx src/cli/build-data.ts) and WordNet's notice. */
  facts: data("wordnet", "facts.json"),
  wordnetLicense: data("wordnet", "LICENSE"),
  /** The hand-written everyday headwords that come first (hot, dog, red, ...). */
  everydayWords: data("wordnet", "everyday.txt"),
  /** The pretraining corpus (generated from the facts) and its committed sample. */
  corpus: data("corpus"),
  corpusSample: data("corpus", "sample.txt"),
  /** Requests of notebook 01 (npx tsx src/cli/build-prompts.ts). */
  evalPrompts: data("eval"),
  /** SFT conversations and the four eval sets (npm run build-sft). */
  sft: data("sft"),
  sftTrain: data("sft", "train.jsonl"),
  /** The committed models (npm run pretrain, npm run sft). */
  baseModel: data("models", "base"),
  sftModel: data("models", "sft"),
  /** Self-Instruct's 175 seed tasks. */
  selfInstructSeeds: data("self-instruct", "seed_tasks.jsonl"),
});
