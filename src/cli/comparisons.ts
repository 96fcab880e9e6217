/**
 * `npm run comparisons [-- --quick] [--model DIR] [--prompts FILE] [--k N] [--seed N] [--out DIR]`
 *
 * The HHH world's comparison data (src/experiments/hhh-comparisons.ts):
 * samples K responses per prompt from the SFT model on
 * data/sft/prompts_hhh.jsonl, ranks them with the HHH panel and with the
 * helpful-only panel, and writes per panel the rankings and TRL preference
 * pairs (`rankings_<panel>.jsonl`, `pairs_<panel>.jsonl`) with
 * `comparisons.json`: how many samples refuse or abstain per request kind,
 * and where those land in each panel's pairs. Default output data/rlhf/hhh/
 * (--quick: 60 prompts into build/rlhf-hhh-quick/).
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { PATHS } from "../data/paths";
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
import { rankingsToPairs, writeRankings } from "../judge/comparisons";
import { PANELS } from "../judge/raters";
import { loadModel } from "../model/load";
import { versions } from "../run-record";
import { checkOutput, writeAtomic } from "../output";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

const ROOT = path.resolve(__dirname, "..", "..");

export const COMPARISONS_CLI = {
  name: "comparisons",
  usage:
    "usage: npm run comparisons [-- --quick] [--model DIR] [--prompts FILE] [--k N] [--seed N] [--out DIR]",
  summary:
    "Sample SFT responses to the HHH prompts and rank them with the HHH and the helpful-only rater panels.",
  flags: {
    quick: { type: "boolean", doc: "60 prompts into build/rlhf-hhh-quick" },
    model: { type: "string", arg: "DIR", doc: "the policy that samples", default: "data/models/sft" },
    prompts: {
      type: "string",
      arg: "FILE",
      doc: "prompts to sample on",
      default: "data/sft/prompts_hhh.jsonl",
    },
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
    "kind       prompts  responses  refusals        abstentions     prompts with a refusal / abstention",
  );
  for (const kind of KINDS) {
    const c = samples[kind];
    if (!c) continue;
    console.log(
      `${kind.padEnd(9)} ${String(c.prompts).padStart(8)} ${String(c.responses).padStart(10)}  ` +
        `${`${c.refusals} (${pct(c.refusals, c.responses)})`.padEnd(15)} ${`${c.abstentions} (${pct(c.abstentions, c.responses)})`.padEnd(15)} ` +
        `${c.promptsWithRefusal} / ${c.promptsWithAbstention}`,
    );
  }
  for (const [panel, byKind] of Object.entries(pairs)) {
    console.log(`\n${panel} panel: pairs, and pairs with a refusal (abstention) chosen / rejected`);
    for (const kind of KINDS) {
      const c = byKind[kind];
      if (c)
        console.log(
          `  ${kind.padEnd(9)} ${String(c.pairs).padStart(6)}   refusal ${c.refusalChosen} / ${c.refusalRejected}   ` +
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
  const promptsFile = a.prompts ?? path.join(PATHS.sft, "prompts_hhh.jsonl");
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
  const all = readEvalJsonl(promptsFile);
  // Quick: 60 prompts spread over the file, so every kind is in them.
  const items = quick ? all.filter((_, i) => i % Math.ceil(all.length / 60) === 0) : all;
  const { model, tokenizer } = loadModel(modelDir);
  const t = Date.now();
  const c = hhhComparisons(model, tokenizer, items, { k, seed });
  const pairs: Record<string, Partial<Record<string, PairCounts>>> = {};
  for (const panel of Object.keys(PANELS) as (keyof typeof PANELS)[]) {
    writeAtomic(path.join(out, `rankings_${panel}.jsonl`), (f) => writeRankings(f, c.ranked[panel]));
    writeAtomic(path.join(out, `pairs_${panel}.jsonl`), (f) =>
      writePreferenceJsonl(f, rankingsToPairs(c.ranked[panel])),
    );
    pairs[panel] = pairCounts(c.ranked[panel], world);
  }
  const samples = declineCounts(c.sampled, world);
  const record = {
    command: `npm run comparisons${quick ? " -- --quick" : ""}`,
    model: path.relative(ROOT, path.resolve(a.model ?? PATHS.sftModel)),
    prompts: path.relative(ROOT, path.resolve(promptsFile)),
    k,
    seed,
    panels: PANELS,
    backend,
    versions: versions(backend.tfjsVersion),
    startedAt: new Date(t).toISOString(),
    durationS: (Date.now() - t) / 1000,
    samples,
    pairs,
  };
  writeAtomic(path.join(out, "comparisons.json"), (f) =>
    fs.writeFileSync(f, JSON.stringify(record, null, 1) + "\n"),
  );
  console.log(
    `${items.length} prompts × ${k} samples from ${record.model} in ${record.durationS.toFixed(0)} s:`,
  );
  printCounts(samples, pairs);
  console.log(`\nwrote rankings, pairs and comparisons.json to ${path.relative(ROOT, out)}/`);
}

if (require.main === module) runMain(main);
