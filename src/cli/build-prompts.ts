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
import { helpText, parseCli, runMain } from "./args";

const BUILD_PROMPTS_CLI = {
  name: "build-prompts",
  usage: "usage: npx tsx src/cli/build-prompts.ts",
  summary:
    "Rebuild data/eval/requests.jsonl and data/eval/new_phrasings.jsonl from the committed facts (no options).",
  flags: {},
};

runMain((argv) => {
  if (parseCli(BUILD_PROMPTS_CLI, argv).help) {
    process.stdout.write(helpText(BUILD_PROMPTS_CLI));
    return;
  }
  build();
});

function build(): void {
  const OUT = PATHS.evalPrompts;
  const { headwords } = readFactsFile();
  fs.mkdirSync(OUT, { recursive: true });
  const files = {
    "requests.jsonl": [
      ...factPrompts(headwords, { split: "heldout", use: "corpus", seed: 1 }),
      ...skillPrompts(headwords, { perSkill: 20, use: "corpus", seed: 1 }),
    ],
    "new_phrasings.jsonl": [
      ...factPrompts(headwords, { split: "heldout", use: "heldout", seed: 2 }),
      ...skillPrompts(headwords, { perSkill: 20, use: "heldout", seed: 2 }),
    ],
  };
  for (const [name, items] of Object.entries(files)) {
    writePrompts(path.join(OUT, name), items);
    console.log(`${path.join("data/eval", name)}: ${items.length} prompts`);
  }
}
