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

/** The preference stages' committed data (npm run rm, ppo, dpo, rlaif). */
export const RLHF_DIR = data("rlhf");

/** The comparisons `npm run rm` writes: rankings of SFT samples and the pairs made from them. */
export const RLHF_FILES = Object.freeze({
  trainRankings: path.join(RLHF_DIR, "rankings_train.jsonl"),
  testRankings: path.join(RLHF_DIR, "rankings_test.jsonl"),
  trainPairs: path.join(RLHF_DIR, "pairs_train.jsonl"),
  testPairs: path.join(RLHF_DIR, "pairs_test.jsonl"),
  testGoldPairs: path.join(RLHF_DIR, "pairs_test_gold.jsonl"),
});

/** Prompts of the two sides: the RM's own pool (train words) and a held-out set (words no stage shows). */
export const COMPARISON_PROMPTS = Object.freeze({
  train: data("sft", "prompts_rm.jsonl"),
  test: data("sft", "prompts_heldout.jsonl"),
});

/**
 * The HHH world's comparisons (`npm run comparisons`): SFT samples on the
 * reward model's pool plus the HHH prompts (train side) and on the held-out
 * prompts plus the HHH eval set (test side: words no stage trains on),
 * ranked once by each rater panel. Every HHH-world preference stage (the
 * reward models, DPO) reads them.
 */
export const HHH_COMPARISONS = Object.freeze({
  dir: data("rlhf", "hhh"),
  prompts: Object.freeze({
    train: Object.freeze([COMPARISON_PROMPTS.train, data("sft", "prompts_hhh.jsonl")]),
    test: Object.freeze([COMPARISON_PROMPTS.test, data("sft", "eval_hhh.jsonl")]),
  }),
});

/** One panel's comparison files in `dir`: rankings and TRL pairs per side, and the test side's noiseless gold pairs (any panel's). */
export function comparisonFiles(panel: string, dir: string = HHH_COMPARISONS.dir) {
  const f = (name: string) => path.join(dir, `${name}_${panel}.jsonl`);
  return Object.freeze({
    trainRankings: f("rankings_train"),
    testRankings: f("rankings_test"),
    trainPairs: f("pairs_train"),
    testPairs: f("pairs_test"),
    testGoldPairs: path.join(dir, "pairs_test_gold.jsonl"),
  });
}
