/**
 * `npx tsx src/cli/build-sft.ts [--seed 0] [--per-task 100] [--eval-per-task 20]
 *                              [--context 128] [--tokenizer FILE] [--out DIR]`
 *
 * Writes the instruction-tuning data in data/sft/ from the committed facts,
 * deterministically (the files are committed):
 *
 *   train.jsonl                        SFT conversations (held-in clusters, "train" words), and at
 *                                      the end a handful of refusals and abstentions (src/data/hhh.ts)
 *   eval_heldin.jsonl                  held-in clusters and templates, held-out words
 *   eval_new_phrasings.jsonl           held-in clusters, phrasings SFT never uses
 *   eval_heldout_clusters.jsonl        clusters SFT never sees
 *   eval_knowledge_heldout_words.jsonl every fact of every held-out word
 *   eval_hhh.jsonl                     held-out hazards, pseudo-words and look-alikes, held-out phrasings
 *   prompts_rm.jsonl, prompts_policy.jsonl   prompts of the reward-model and RL stages
 *                                      (held-in clusters, "train" words, new items)
 *   prompts_heldout.jsonl              their held-out prompts: eval_heldin's items
 *   prompts_hhh.jsonl                  the HHH prompts of the preference stages (training hazards,
 *                                      pseudo-words and look-alikes: src/data/hhh.ts)
 *   (the three prompts files: half the prompts carry a form request, src/data/tasks/form-requests.ts)
 *
 * Lengths are checked with the base model's tokenizer (data/models/base),
 * else with a 512-token BPE trained on data/corpus/sample.txt (always there,
 * and coarser than the base model's, so what fits it fits the model), or
 * with --tokenizer FILE (a tokenizer.json).
 */
import * as fs from "fs";
import * as path from "path";
import { readFactsFile } from "../data/facts-file";
import { PATHS } from "../data/paths";
import {
  EVAL_SET_NAMES,
  PROMPT_POOL_NAMES,
  buildEvalSets,
  buildSftDataset,
  writeEvalJsonl,
  writeSftJsonl,
} from "../data/sft-data";
import { buildPreferencePrompts } from "../data/tasks/form-requests";
import { HHH_DEMOS, hhhDemos, hhhEvalItems, hhhPromptPool } from "../data/hhh";
import { readWorld } from "../data/world";
import { BpeTokenizer, trainBpe } from "../tokenizer/index";
import { CliSpec, Flag, helpText, parseCli } from "./args";

interface Args {
  seed: number;
  perTask: number;
  evalPerTask: number;
  context: number;
  tokenizer?: string;
  out: string;
}

export const BUILD_SFT_CLI = {
  name: "build-sft",
  usage:
    "usage: npx tsx src/cli/build-sft.ts [--seed N] [--per-task N] [--eval-per-task N] [--context N] [--tokenizer FILE] [--out DIR]",
  summary: "Write the instruction-tuning data and the eval sets in data/sft/ from the committed facts.",
  flags: {
    seed: { type: "int", doc: "random seed", default: 0 },
    "per-task": { type: "int", doc: "training conversations per task", default: 100 },
    "eval-per-task": { type: "int", doc: "eval prompts per task", default: 20 },
    context: { type: "int", doc: "context length the examples must fit", default: 128 },
    tokenizer: {
      type: "string",
      arg: "FILE",
      doc: "tokenizer.json to fit lengths with",
      default: "the base model's",
    },
    out: { type: "string", arg: "DIR", doc: "output folder", default: "data/sft" },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

function parseArgs(argv: string[]): Args | undefined {
  const v = parseCli(BUILD_SFT_CLI, argv);
  if (v.help) {
    process.stdout.write(helpText(BUILD_SFT_CLI));
    return undefined;
  }
  return {
    seed: v.seed ?? 0,
    perTask: v["per-task"] ?? 100,
    evalPerTask: v["eval-per-task"] ?? 20,
    context: v.context ?? 128,
    tokenizer: v.tokenizer,
    out: v.out ?? PATHS.sft,
  };
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
  if (!a) return;
  const { headwords } = readFactsFile();
  fs.mkdirSync(a.out, { recursive: true });
  const rel = (f: string) => path.relative(process.cwd(), path.join(a.out, f));
  const train = buildSftDataset({
    seed: a.seed,
    perTask: a.perTask,
    headwords,
    fit: { tokenizer: tokenizer(a.tokenizer), contextLength: a.context },
  });
  const world = readWorld();
  const demos = hhhDemos(world, a.seed);
  writeSftJsonl(path.join(a.out, "train.jsonl"), [...train, ...demos]);
  console.log(
    `${rel("train.jsonl")}: ${train.length + demos.length} conversations, ` +
      `${HHH_DEMOS.refusals} refusals and ${HHH_DEMOS.abstentions} abstentions among them`,
  );
  const sets = buildEvalSets(headwords, { seed: a.seed + 1, perTask: a.evalPerTask });
  for (const name of EVAL_SET_NAMES) {
    writeEvalJsonl(path.join(a.out, `eval_${name}.jsonl`), sets[name]);
    console.log(`${rel(`eval_${name}.jsonl`)}: ${sets[name].length} prompts`);
  }
  const hhh = hhhEvalItems(world, a.seed + 1);
  writeEvalJsonl(path.join(a.out, "eval_hhh.jsonl"), hhh);
  console.log(`${rel("eval_hhh.jsonl")}: ${hhh.length} prompts`);
  const pools = buildPreferencePrompts(headwords, { seed: a.seed + 2, heldin: sets.heldin });
  for (const name of [...PROMPT_POOL_NAMES, "heldout"] as const) {
    writeEvalJsonl(path.join(a.out, `prompts_${name}.jsonl`), pools[name]);
    console.log(`${rel(`prompts_${name}.jsonl`)}: ${pools[name].length} prompts`);
  }
  const hhhPool = hhhPromptPool(world, a.seed + 2);
  writeEvalJsonl(path.join(a.out, "prompts_hhh.jsonl"), hhhPool);
  console.log(`${rel("prompts_hhh.jsonl")}: ${hhhPool.length} prompts`);
  // Glosses and facts are WordNet's: its licence travels with the files.
  fs.copyFileSync(PATHS.wordnetLicense, path.join(a.out, "LICENSE-WordNet"));
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
