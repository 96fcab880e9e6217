/**
 * `npx tsx src/cli/build-prompts.ts`: writes the evaluation prompt files in
 * data/eval/ from the committed facts (deterministic; the files are committed).
 *
 *   requests.jsonl      knowledge questions on held-out words + skill problems,
 *                       in the corpus's question phrasings (notebook 01, eval CLI)
 *   new_phrasings.jsonl the same kinds of request in phrasings never seen in pretraining
 */
import * as fs from "fs";
import * as path from "path";
import { readFactsFile } from "../data/facts-file";
import { PATHS } from "../data/paths";
import { writePrompts } from "../data/tasks/jsonl";
import { factPrompts, skillPrompts } from "../eval/prompts";

const OUT = PATHS.evalPrompts;
const { headwords } = readFactsFile();
fs.mkdirSync(OUT, { recursive: true });
const files = {
  "requests.jsonl": [...factPrompts(headwords, { split: "heldout", use: "corpus", seed: 1 }), ...skillPrompts(headwords, { perSkill: 20, use: "corpus", seed: 1 })],
  "new_phrasings.jsonl": [...factPrompts(headwords, { split: "heldout", use: "heldout", seed: 2 }), ...skillPrompts(headwords, { perSkill: 20, use: "heldout", seed: 2 })],
};
for (const [name, items] of Object.entries(files)) {
  writePrompts(path.join(OUT, name), items);
  console.log(`${path.join("data/eval", name)}: ${items.length} prompts`);
}
