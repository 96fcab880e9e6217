/**
 * `npm run comparisons [-- --quick] [--model DIR] [--k N] [--seed N] [--out DIR]`
 *
 * The HHH world's comparison data (src/experiments/hhh-comparisons.ts),
 * which its reward models and DPO train on: samples K responses per prompt
 * from the SFT model on the train side (the reward model's pool
 * data/sft/prompts_rm.jsonl and the HHH prompts data/sft/prompts_hhh.jsonl)
 * and on the test side (data/sft/prompts_heldout.jsonl and the HHH eval set,
 * words no stage trains on), ranks them with the HHH panel and with the
 * helpful-only panel, and writes per panel and side the rankings and TRL
 * preference pairs (`rankings_train_<panel>.jsonl`, `pairs_test_<panel>.jsonl`,
 * ...), the test side's gold pairs, and `comparisons.json`: how many samples
 * refuse or abstain per request kind, and where those land in each panel's
 * pairs. Default output data/rlhf/hhh/ (--quick: 60 prompts of each file into
 * build/rlhf-hhh-quick/).
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { comparisonFiles, HHH_COMPARISONS, PATHS } from "../data/paths";
import { readEvalJsonl } from "../data/tasks/eval-sets";
import { readWorld } from "../data/world";
import { writePreferenceJsonl } from "../data/sft-data";
import {
  DeclineCounts,
  KINDS,
  PairCounts,
  declineCounts,
  hhhComparisons,
  pairCounts,
} from "../experiments/hhh-comparisons";
import { goldPairs, rankingsToPairs, writeRankings } from "../judge/comparisons";
import { PANELS } from "../judge/raters";
import { loadModel } from "../model/load";
import { versions } from "../run-record";
import { checkOutput, writeAtomic } from "../output";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

const ROOT = path.resolve(__dirname, "..", "..");

export const COMPARISONS_CLI = {
  name: "comparisons",
  usage: "usage: npm run comparisons [-- --quick] [--model DIR] [--k N] [--seed N] [--out DIR]",
  summary:
    "Sample SFT responses to the reward model's and the HHH prompts and rank them with the HHH and the helpful-only rater panels.",
  flags: {
    quick: { type: "boolean", doc: "60 prompts of each file into build/rlhf-hhh-quick" },
    model: { type: "string", arg: "DIR", doc: "the policy that samples", default: "data/models/sft" },
    k: { type: "int", min: 2, doc: "samples per prompt", default: 4 },
    seed: { type: "int", doc: "sampling and ranking seed", default: 0 },
    out: { type: "string", arg: "DIR", doc: "output folder", default: "data/rlhf/hhh" },
    force: { type: "boolean", doc: "replace an --out folder that holds something this command did not make" },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

const pct = (k: number, n: number) => (n ? `${((100 * k) / n).toFixed(1)}%` : "–");

function printCounts(
  samples: Partial<Record<string, DeclineCounts>>,
  pairs: Record<string, Partial<Record<string, PairCounts>>>,
) {
  console.log(
    "  kind       prompts  responses  refusals        abstentions     prompts with a refusal / abstention",
  );
  for (const kind of KINDS) {
    const c = samples[kind];
    if (!c) continue;
    console.log(
      `  ${kind.padEnd(9)} ${String(c.prompts).padStart(8)} ${String(c.responses).padStart(10)}  ` +
        `${`${c.refusals} (${pct(c.refusals, c.responses)})`.padEnd(15)} ${`${c.abstentions} (${pct(c.abstentions, c.responses)})`.padEnd(15)} ` +
        `${c.promptsWithRefusal} / ${c.promptsWithAbstention}`,
    );
  }
  for (const [panel, byKind] of Object.entries(pairs)) {
    console.log(`  ${panel} panel: pairs, and pairs with a refusal (abstention) chosen / rejected`);
    for (const kind of KINDS) {
      const c = byKind[kind];
      if (c)
        console.log(
          `    ${kind.padEnd(9)} ${String(c.pairs).padStart(6)}   refusal ${c.refusalChosen} / ${c.refusalRejected}   ` +
            `abstention ${c.abstentionChosen} / ${c.abstentionRejected}`,
        );
    }
  }
}

async function main(argv: string[]): Promise<void> {
  const a = parseCli(COMPARISONS_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(COMPARISONS_CLI));
  const quick = a.quick ?? false;
  const out = path.resolve(
    a.out ?? (quick ? path.join(ROOT, "build", "rlhf-hhh-quick") : path.join(ROOT, "data", "rlhf", "hhh")),
  );
  const k = a.k ?? 4;
  const seed = a.seed ?? 0;
  const modelDir = a.model ?? PATHS.sftModel;
  checkOutput({
    out,
    what: "comparisons",
    ours: (dir) => fs.existsSync(path.join(dir, "comparisons.json")),
    reads: [modelDir],
    force: a.force,
    replaces: false,
  });
  fs.mkdirSync(out, { recursive: true });
  const backend = await initBackend();
  const world = readWorld();
  // Quick: 60 prompts spread over each file, so every kind is in them.
  const read = (files: readonly string[]) =>
    files.map((file) => {
      const all = readEvalJsonl(file);
      const items = quick ? all.filter((_, i) => i % Math.ceil(all.length / 60) === 0) : all;
      return { prefix: path.basename(file, ".jsonl").replace(/^prompts_/, ""), items };
    });
  const items = { train: read(HHH_COMPARISONS.prompts.train), test: read(HHH_COMPARISONS.prompts.test) };
  const { model, tokenizer } = loadModel(modelDir);
  const t = Date.now();
  const c = hhhComparisons(model, tokenizer, items, { k, seed });
  const sides = ["train", "test"] as const;
  const pairs: Record<string, Record<string, Partial<Record<string, PairCounts>>>> = {};
  for (const panel of Object.keys(PANELS) as (keyof typeof PANELS)[]) {
    const files = comparisonFiles(panel, out);
    for (const side of sides) {
      const ranked = c.ranked[panel][side];
      writeAtomic(files[`${side}Rankings`], (f) => writeRankings(f, ranked));
      writeAtomic(files[`${side}Pairs`], (f) => writePreferenceJsonl(f, rankingsToPairs(ranked)));
      (pairs[side] ??= {})[panel] = pairCounts(ranked, world);
    }
  }
  writeAtomic(comparisonFiles("hhh", out).testGoldPairs, (f) =>
    writePreferenceJsonl(f, goldPairs(c.sampled.test)),
  );
  const rel = (f: string) => path.relative(ROOT, path.resolve(f));
  const record = {
    command: `npm run comparisons${quick ? " -- --quick" : ""}`,
    model: rel(modelDir),
    prompts: { train: HHH_COMPARISONS.prompts.train.map(rel), test: HHH_COMPARISONS.prompts.test.map(rel) },
    k,
    seed,
    panels: PANELS,
    backend,
    versions: versions(backend.tfjsVersion),
    startedAt: new Date(t).toISOString(),
    durationS: (Date.now() - t) / 1000,
    samples: { train: declineCounts(c.sampled.train, world), test: declineCounts(c.sampled.test, world) },
    pairs,
  };
  writeAtomic(path.join(out, "comparisons.json"), (f) =>
    fs.writeFileSync(f, JSON.stringify(record, null, 1) + "\n"),
  );
  for (const side of sides) {
    console.log(
      `\n${side} side: ${items[side].reduce((n, s) => n + s.items.length, 0)} prompts × ${k} samples from ${record.model} ` +
        `(${record.prompts[side].join(" + ")})`,
    );
    printCounts(record.samples[side], pairs[side]);
  }
  console.log(
    `\nwrote rankings, pairs and comparisons.json to ${path.relative(ROOT, out)}/ in ${record.durationS.toFixed(0)} s`,
  );
}

if (require.main === module) runMain(main);
