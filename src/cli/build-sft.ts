/**
 * `npx tsx src/cli/build-sft.ts [--seed 0] [--per-task 100] [--eval-per-task 20]
 *                              [--context 128] [--tokenizer FILE] [--out DIR]`
 *
 * Writes the instruction-tuning data in data/sft/ from the committed facts,
 * deterministically (the files are committed):
 *
 *   train.jsonl                        SFT conversations (held-in clusters, "train" words)
 *   eval_heldin.jsonl                  held-in clusters and templates, held-out words
 *   eval_new_phrasings.jsonl           held-in clusters, phrasings SFT never uses
 *   eval_heldout_clusters.jsonl        clusters SFT never sees
 *   eval_knowledge_heldout_words.jsonl every fact of every held-out word
 *
 * Lengths are checked with a 512-token BPE trained on data/corpus/sample.txt
 * (always there, and coarser than the base model's tokenizer, so what fits it
 * fits the model), or with --tokenizer FILE (a tokenizer.json).
 */
import * as fs from "fs";
import * as path from "path";
import { readFactsFile } from "../data/facts-file";
import { PATHS } from "../data/paths";
import { EVAL_SET_NAMES, buildEvalSets, buildSftDataset, writeEvalJsonl, writeSftJsonl } from "../data/sft-data";
import { BpeTokenizer, trainBpe } from "../tokenizer/index";

interface Args { seed: number; perTask: number; evalPerTask: number; context: number; tokenizer?: string; out: string }

const USAGE = "usage: npx tsx src/cli/build-sft.ts [--seed N] [--per-task N] [--eval-per-task N] [--context N] [--tokenizer FILE] [--out DIR]";

function parseArgs(argv: string[]): Args {
  const a: Args = { seed: 0, perTask: 100, evalPerTask: 20, context: 128, out: PATHS.sft };
  const ints: Record<string, keyof Args> = { "--seed": "seed", "--per-task": "perTask", "--eval-per-task": "evalPerTask", "--context": "context" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (i + 1 >= argv.length) throw new Error(`${flag}: missing value\n${USAGE}`);
    const v = argv[++i];
    if (ints[flag]) {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number, got ${v}`);
      (a as unknown as Record<string, number>)[ints[flag]] = n;
    } else if (flag === "--tokenizer") a.tokenizer = v;
    else if (flag === "--out") a.out = v;
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return a;
}

/** The base model's tokenizer (lengths must fit *its* context), else one trained on the corpus sample. */
const BASE_TOKENIZER = path.join(PATHS.baseModel, "tokenizer.json");

function tokenizer(file?: string): BpeTokenizer {
  if (file) return BpeTokenizer.load(file);
  if (fs.existsSync(BASE_TOKENIZER)) return BpeTokenizer.load(BASE_TOKENIZER);
  return trainBpe(fs.readFileSync(PATHS.corpusSample, "utf8"), { vocabSize: 512 });
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  const { headwords } = readFactsFile();
  fs.mkdirSync(a.out, { recursive: true });
  const rel = (f: string) => path.relative(process.cwd(), path.join(a.out, f));
  const train = buildSftDataset({ seed: a.seed, perTask: a.perTask, headwords, fit: { tokenizer: tokenizer(a.tokenizer), contextLength: a.context } });
  writeSftJsonl(path.join(a.out, "train.jsonl"), train);
  console.log(`${rel("train.jsonl")}: ${train.length} conversations`);
  const sets = buildEvalSets(headwords, { seed: a.seed + 1, perTask: a.evalPerTask });
  for (const name of EVAL_SET_NAMES) {
    writeEvalJsonl(path.join(a.out, `eval_${name}.jsonl`), sets[name]);
    console.log(`${rel(`eval_${name}.jsonl`)}: ${sets[name].length} prompts`);
  }
  // Glosses and facts are WordNet's: its licence travels with the files.
  fs.copyFileSync(PATHS.wordnetLicense, path.join(a.out, "LICENSE-WordNet"));
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
