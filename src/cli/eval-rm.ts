/**
 * `npm run --silent eval-rm -- --model DIR --pairs FILE.jsonl [--json]`
 *
 * Pairwise accuracy of a reward model on any TRL preference file (plain or
 * conversational): the share of pairs whose chosen response it scores
 * higher, with a Wilson 95 % interval, and the mean margin r_c − r_r. Pairs
 * whose gold_chosen equals gold_rejected are skipped and counted. With
 * --json, one object {"n","accuracy","ci95":[lo,hi],"mean_margin","skipped_gold_ties"}.
 */
import { initBackend } from "../backend";
import { readPreferenceJsonl } from "../data/sft-data";
import { loadRewardModel } from "../model/reward-model";
import { pairFileAccuracy } from "../train/reward";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

export const EVAL_RM_CLI = {
  name: "eval-rm",
  usage: "usage: npm run --silent eval-rm -- --model DIR --pairs FILE.jsonl [--json]",
  summary: "Pairwise accuracy of a reward model on a preference file, with a 95 % interval.",
  flags: {
    model: { type: "string", arg: "DIR", doc: "reward-model folder (required), e.g. data/models/rm" },
    pairs: {
      type: "string",
      arg: "FILE",
      doc: 'preference JSONL (required): {"prompt","chosen","rejected"} per line',
    },
    json: { type: "boolean", doc: "print one JSON object" },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

async function main(argv: string[]): Promise<void> {
  const a = parseCli(EVAL_RM_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(EVAL_RM_CLI));
  if (!a.model || !a.pairs)
    throw new Error(`eval-rm: --model and --pairs are required\n${EVAL_RM_CLI.usage}`);
  await initBackend({ quiet: a.json });
  const records = readPreferenceJsonl(a.pairs);
  const rm = loadRewardModel(a.model);
  const r = pairFileAccuracy(rm, rm.tokenizer, records);
  if (a.json) return void process.stdout.write(JSON.stringify(r) + "\n");
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(
    `${a.model} on ${a.pairs}: accuracy ${pct(r.accuracy)} (95 % CI ${pct(r.ci95[0])}–${pct(r.ci95[1])}) ` +
      `over ${r.n} pairs, mean margin ${r.mean_margin.toFixed(3)}` +
      (r.skipped_gold_ties ? `; ${r.skipped_gold_ties} gold ties skipped` : ""),
  );
}

if (require.main === module) runMain(main);
