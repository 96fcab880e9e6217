/**
 * `npm run export -- --model <checkpoint dir> --out <dir> [--force]`
 *
 * Writes a model as a Hugging Face folder that transformers loads as
 * GPT2LMHeadModel (a reward model's scalar head as `score`, the head of
 * GPT2ForSequenceClassification): model.safetensors, config.json,
 * generation_config.json, tokenizer.json, tokenizer_config.json with the chat
 * template, a model card (README.md) and the run record. See
 * src/model/hf-folder.ts; `loadModel` reads the folder back.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { readRewardHead } from "../model/reward-model";
import { countParameters } from "../model/config";
import { hfArchitecture } from "../model/hf";
import { exportHf, isHfFolder } from "../model/hf-folder";
import { loadModel } from "../model/load";
import { checkOutput } from "../output";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

export const EXPORT_CLI = {
  name: "export",
  usage: "usage: npm run export -- --model <checkpoint dir> --out <dir> [--force]",
  summary:
    "Write a model in the Hugging Face format (GPT2LMHeadModel, safetensors, tokenizer with the chat template, model card).",
  flags: {
    model: { type: "string", arg: "DIR", doc: "checkpoint folder (required), e.g. data/models/sft" },
    out: { type: "string", arg: "DIR", doc: "folder to write (required); must be empty or new" },
    force: { type: "boolean", doc: "replace the contents of a non-empty --out" },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

async function main(argv: string[]): Promise<void> {
  const a = parseCli(EXPORT_CLI, argv);
  if (a.help) {
    process.stdout.write(helpText(EXPORT_CLI));
    return;
  }
  if (!a.model || !a.out) throw new Error(`export: --model and --out are required\n${EXPORT_CLI.usage}`);
  checkOutput({ out: a.out, what: "export", ours: isHfFolder, reads: [a.model], force: a.force });
  await initBackend({ quiet: true });
  const { model, tokenizer, run } = loadModel(a.model);
  // A reward model's score table travels with it, so the export scores as the original.
  const reward = fs.existsSync(path.join(a.model, "reward.json")) ? readRewardHead(a.model) : undefined;
  const files = await exportHf(a.out, { model, tokenizer, run, source: a.model, reward }, { force: a.force });
  const c = model.config;
  console.log(
    `wrote ${a.out}: ${hfArchitecture(c)}, ${(countParameters(c) / 1e6).toFixed(2)} M parameters (${files.join(", ")})`,
  );
  console.log(
    reward
      ? `a reward model: score it in Python with tuning_lab_reward() from ${path.join(a.out, "README.md")}`
      : `load it in Python: GPT2LMHeadModel.from_pretrained("${a.out}"); AutoTokenizer.from_pretrained("${a.out}")`,
  );
  model.dispose();
}

if (require.main === module) runMain(main);
