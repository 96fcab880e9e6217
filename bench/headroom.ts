/**
 * `npm run bench:headroom [-- --model DIR] [-- --prompts FILE] [-- --k N]`:
 * what a model leaves a reward model and RL to improve, by the gold reward
 * (src/judge/gold.ts): mean gold greedy and over K samples at temperature 1
 * (seeds 1000·k), best-of-K, and the share of prompts whose K samples all
 * score the same (no pairwise signal; TRL's frac_reward_zero_std).
 */
import { initBackend } from "../src/backend";
import { CliSpec, Flag, helpText, parseCli, runMain } from "../src/cli/args";
import { readEvalJsonl } from "../src/data/tasks/eval-sets";
import { runPrompts } from "../src/eval/evaluate";
import { GOLD_TERMS, GoldScore, GoldTerm, goldReward } from "../src/judge/gold";
import { loadModel } from "../src/model/load";

export const HEADROOM_CLI = {
  name: "bench:headroom",
  usage: "usage: npm run bench:headroom [-- --model DIR] [-- --prompts FILE] [-- --k N]",
  summary: "Gold-reward headroom of a model: greedy, sampled, best-of-K, prompts with no signal.",
  flags: {
    model: { type: "string", arg: "DIR", doc: "model folder", default: "data/models/sft" },
    prompts: { type: "string", arg: "FILE", doc: "eval items", default: "data/sft/prompts_heldout.jsonl" },
    k: { type: "int", min: 2, doc: "samples per prompt", default: 4 },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(argv: string[]): Promise<void> {
  const a = parseCli(HEADROOM_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(HEADROOM_CLI));
  await initBackend({ quiet: true });
  const { model, tokenizer } = loadModel(a.model ?? "data/models/sft");
  const items = readEvalJsonl(a.prompts ?? "data/sft/prompts_heldout.jsonl");
  const K = a.k ?? 4;
  const gold = (temperature: number, seed: number) =>
    runPrompts(model, tokenizer, items, { maxNewTokens: 32, temperature, seed }).map((r, i) =>
      goldReward(items[i], r.response, r.stopped),
    );
  const line = (label: string, gs: GoldScore[]) =>
    console.log(
      `${label}: gold ${mean(gs.map((g) => g.total)).toFixed(3)}; ` +
        GOLD_TERMS.map((t) => `${t} ${mean(gs.map((g) => g.terms[t])).toFixed(3)}`).join(", "),
    );
  console.log(`${items.length} prompts, K = ${K}`);
  line("greedy", gold(0, 0));
  const samples = Array.from({ length: K }, (_, k) => gold(1, 1000 * (k + 1)));
  line("sampled", samples.flat());
  const per = items.map((_, i) => samples.map((s) => s[i].total));
  console.log(`best-of-${K}: gold ${mean(per.map((p) => Math.max(...p))).toFixed(3)}`);
  const flat = per.filter((p) => p.every((x) => x === p[0])).length / per.length;
  console.log(`prompts whose ${K} samples all score the same: ${(100 * flat).toFixed(1)} %`);
  const varies = (t: GoldTerm) =>
    items.filter((_, i) => new Set(samples.map((s) => s[i].terms[t])).size > 1).length / items.length;
  console.log(
    `prompts whose samples differ in a term: ` +
      GOLD_TERMS.map((t) => `${t} ${(100 * varies(t)).toFixed(1)} %`).join(", "),
  );
}

runMain(main);
