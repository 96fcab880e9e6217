/**
 * `npm run rm [-- --panel hhh|helpful] [--quick] [--resume] [--steps N] [--seed N] [--length-bias X] [--out DIR]`
 *
 * InstructGPT's second step, from the committed SFT model, on the HHH
 * world's comparisons (`npm run comparisons`: K = 4 SFT samples per prompt
 * on the reward model's pool and the HHH prompts, ranked by each panel):
 * 1. read one panel's rankings (--panel hhh: gold's order; helpful: its
 *    helpful part alone); --length-bias X re-ranks the same samples with
 *    raters who add X gold units per word;
 * 2. train the reward model (RM_HHH) on the train side's pairs, normalise
 *    it to mean 0 / std 1 on its SFT samples, and measure it on the test side
 *    (held-out prompts and the HHH eval set), overall and per request kind;
 * 3. save model, tokenizer and run record to data/models/rm/ (helpful:
 *    data/models/rm-helpful/).
 *
 * Checkpoints go to build/rm[-<panel>]/ (continue with --resume). --quick
 * runs a minute-long version on 200 of the prompts into build/models/rm-quick.
 *
 * --sweep instead trains the small reward models of notebook 04 on the
 * committed comparisons (data size × seeds, the end-token head alone, and
 * length-biased raters; SWEEP in src/experiments/reward.ts) and writes their
 * held-out measurements to data/rlhf/sweep.json.
 *
 * --seeds instead trains the recipe (RM_FULL) at seeds 0-3 on the committed
 * comparisons, and the weight average of the four (WARM), and measures each
 * on the held-out rankings and on fresh SFT samples (about 20 minutes):
 * data/rlhf/rm_seeds.json, which notebook 04 plots.
 */
import * as fs from "fs";
import * as path from "path";
import { BackendInfo, initBackend } from "../backend";
import { pct } from "../display/report";
import { progress } from "../display/progress";
import { PATHS } from "../data/paths";
import {
  evaluateRewardModel,
  FRESH,
  KindReward,
  loadSft,
  RLHF_DIR,
  RLHF_FILES,
  rewardByKind,
  rewardSeedStudy,
  rewardSweep,
  runRewardModel,
  sampleFresh,
  SEED_STUDY,
  SWEEP,
} from "../experiments/reward";
import { comparisonFiles } from "../data/paths";
import { readWorld } from "../data/world";
import type { Behaviour } from "../eval/behaviour";
import { rankAll, readRankings } from "../judge/comparisons";
import { loadRun, versions } from "../run-record";
import { lengthBiasedPanel, PANELS } from "../judge/raters";
import { saveRewardModel } from "../model/reward-model";
import { checkResumable, checkScheduleUnchanged } from "../train/loop";
import { RM_FULL, RM_HHH, RM_QUICK, rewardConfig } from "../train/reward";
import { checkOutput, runOfKind } from "../output";
import { CliSpec, Flag, helpText, oneMode, parseCli, runMain } from "./args";

const ROOT = path.resolve(__dirname, "..", "..");

export const RM_CLI = {
  name: "rm",
  usage:
    "usage: npm run rm [-- --panel hhh|helpful] [--quick] [--resume] [--steps N] [--seed N] [--length-bias X] [--out DIR]\n" +
    "       npm run rm -- --sweep | --seeds",
  summary:
    "Train the reward model on one panel's comparisons of SFT samples (npm run comparisons) into data/models/rm (--quick: build/models/rm-quick).",
  flags: {
    panel: {
      type: "string",
      arg: "P",
      choices: ["hhh", "helpful"],
      doc: "whose rankings: the HHH raters' or the helpful-only raters'",
      default: "hhh",
    },
    quick: { type: "boolean", doc: "a minute-long run on 200 prompts" },
    resume: { type: "boolean", doc: "continue the in-progress run in build/rm" },
    steps: { type: "int", min: 0, doc: "optimizer steps (0: the recipe's)", default: RM_HHH.steps },
    seed: { type: "int", doc: "random seed (training; re-ranking with --length-bias)", default: 0 },
    "length-bias": { type: "number", doc: "raters' gold units per word (a taste for length)", default: 0 },
    out: {
      type: "string",
      arg: "DIR",
      doc: "where the final model goes",
      default: "data/models/rm (helpful: data/models/rm-helpful)",
    },
    force: { type: "boolean", doc: "replace an --out folder that holds something this command did not make" },
    sweep: { type: "boolean", doc: "train notebook 04's sweep on data/rlhf/ into data/rlhf/sweep.json" },
    seeds: {
      type: "boolean",
      doc: "train the recipe at 4 seeds and their average into data/rlhf/rm_seeds.json",
    },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

async function main(argv: string[]): Promise<void> {
  const a = parseCli(RM_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(RM_CLI));
  oneMode(a, ["sweep", "seeds"], { sweep: [], seeds: [] });
  if (a.sweep) return sweep();
  if (a.seeds) return seeds();
  const quick = a.quick ?? false;
  const seed = a.seed ?? 0;
  const panelName = (a.panel ?? "hhh") as keyof typeof PANELS;
  const suffix = panelName === "hhh" ? "" : `-${panelName}`;
  const work = path.join(ROOT, "build", `rm${suffix}${quick ? "-quick" : ""}`);
  const config = rewardConfig(
    { ...(a.steps ? { steps: a.steps } : {}), seed, checkpointEvery: quick ? 0 : 20 },
    quick ? RM_QUICK : RM_HHH,
  );
  if (a.resume) {
    if (!fs.existsSync(path.join(work, "run.json")))
      throw new Error(`--resume: no in-progress run at ${work}; start without --resume`);
    const previous = loadRun(work, "reward").config;
    checkResumable(previous, config, path.join(work, "run.json"));
    checkScheduleUnchanged(previous, config, path.join(work, "run.json"), { scheduleFlags: false });
  }
  const out =
    a.out ??
    (quick
      ? path.join(ROOT, "build", "models", `rm${suffix}-quick`)
      : path.join(PATHS.sftModel, "..", `rm${suffix}`));
  const files = comparisonFiles(panelName);
  checkOutput({
    out,
    what: "reward model",
    ours: runOfKind("reward"),
    reads: [PATHS.sftModel, files.trainRankings],
    force: a.force,
  });
  const backend = await initBackend();
  const { model: sft, tokenizer, dir } = loadSft();
  const bias = a["length-bias"] ?? 0;
  const panel = bias ? lengthBiasedPanel(bias, PANELS[panelName]) : PANELS[panelName];
  const read = (file: string) => {
    const all = readRankings(file);
    const kept = quick ? all.filter((_, i) => i % Math.ceil(all.length / 200) === 0) : all;
    return bias ? rankAll(kept, panel, seed) : kept;
  };
  const train = read(files.trainRankings);
  const test = read(files.testRankings);
  const pairs = (ps: typeof train) =>
    ps.reduce((n, p) => n + (p.responses.length * (p.responses.length - 1)) / 2, 0);
  console.log(
    `${train.length} + ${test.length} prompts, ${pairs(train)} training and ${pairs(test)} held-out pairs ` +
      `ranked by ${panel.map((r) => r.id).join(", ")} (${path.relative(ROOT, files.trainRankings)})`,
  );

  const t = Date.now();
  const { rm, run } = await runRewardModel({
    sft,
    tokenizer,
    train,
    test,
    config,
    checkpointDir: work,
    resumeFrom: a.resume ? work : undefined,
    progress: progress(config.steps, { label: `reward model (${panelName})` }),
  });
  const ev = evaluateRewardModel(rm, tokenizer, test);
  const byKind = rewardByKind(rm, tokenizer, test, readWorld());
  run.checkpoint = path.relative(ROOT, out);
  run.notes = {
    ...run.notes,
    base: path.relative(ROOT, dir),
    panel: panelName,
    pairs: path.relative(ROOT, files.trainPairs),
    raters: panel,
    heldOut: ev,
    byKind,
  };
  await saveRewardModel(out, rm, tokenizer, run, config.steps);
  const ci = (r: { lo: number; hi: number }) => `${pct(r.lo)}–${pct(r.hi)}`;
  console.log(
    `trained in ${((Date.now() - t) / 60000).toFixed(1)} min on ${backend.name}. Held out: accuracy ${pct(ev.raters.rate)} ` +
      `against the raters (${ci(ev.raters)}), ${pct(ev.gold.rate)} against gold (${ci(ev.gold)}, ${ev.gold.ties} gold ties skipped); ` +
      `Kendall τ ${ev.kendall.mean.toFixed(2)}, Spearman ρ ${ev.spearman.toFixed(2)}; ` +
      `length slope ${ev.lengthSlope.estimate.toFixed(3)} per word (${ev.lengthSlope.lo.toFixed(3)} to ${ev.lengthSlope.hi.toFixed(3)})`,
  );
  console.log("per request kind: gold accuracy, and mean score of answers / refusals / abstentions");
  const paid = (k: KindReward, b: Behaviour) => {
    const x = k.byBehaviour[b];
    return x ? `${x.mean.toFixed(2)} (${x.n})` : "–";
  };
  for (const [kind, k] of Object.entries(byKind))
    if (k)
      console.log(
        `  ${kind.padEnd(8)} ${pct(k.gold.rate)} (${ci(k.gold)}, ${k.gold.n} pairs)   ` +
          `${paid(k, "answer")} / ${paid(k, "refusal")} / ${paid(k, "abstention")}`,
      );
  console.log(
    `saved ${path.relative(ROOT, out)}/; check it with npm run --silent eval-rm -- --model ${path.relative(ROOT, out)} ` +
      `--pairs ${path.relative(ROOT, files.testGoldPairs)}`,
  );
}

/** What --sweep and --seeds start from: the SFT model and the committed rankings. */
async function committedInputs() {
  const backend = await initBackend();
  const { model: sft, tokenizer } = loadSft();
  const train = readRankings(RLHF_FILES.trainRankings);
  const test = readRankings(RLHF_FILES.testRankings);
  return { backend, sft, tokenizer, train, test };
}

/** The record notebook 04 reads: the sweep's rows with the facts of the run that made them. */
async function sweep(): Promise<void> {
  const { backend, sft, tokenizer, train, test } = await committedInputs();
  const t = Date.now();
  const rows = await rewardSweep(sft, tokenizer, train, test, (r) =>
    console.log(
      `${r.study} n=${r.groups} seed ${r.seed} λ=${r.likelihoodWeight} bias ${r.lengthBias}: gold accuracy ` +
        `${pct(r.eval.gold.rate)}, length slope ${r.eval.lengthSlope.estimate.toFixed(3)} (${r.seconds.toFixed(0)} s)`,
    ),
  );
  writeRecord("sweep.json", { command: "npm run rm -- --sweep", grid: SWEEP, backend, t, rows });
}

/** The seed study's record (notebook 04, section 5). */
async function seeds(): Promise<void> {
  const { backend, sft, tokenizer, train, test } = await committedInputs();
  const t = Date.now();
  const fresh = sampleFresh(sft, tokenizer);
  const rows = await rewardSeedStudy(sft, tokenizer, train, test, fresh, (r) =>
    console.log(
      `${r.member}: held-out gold accuracy ${pct(r.heldOut.gold.rate)}, ` +
        `ρ ${r.heldOut.spearman.toFixed(3)}; fresh ρ ${r.fresh.spearman.toFixed(3)} ` +
        `(${r.fresh.lo.toFixed(3)}–${r.fresh.hi.toFixed(3)}), between ${r.fresh.between.toFixed(3)}, ` +
        `within ${r.fresh.within.toFixed(3)} (${r.seconds.toFixed(0)} s)`,
    ),
  );
  const grid = { ...SEED_STUDY, recipe: RM_FULL, fresh: { ...FRESH, file: path.relative(ROOT, FRESH.file) } };
  writeRecord("rm_seeds.json", { command: "npm run rm -- --seeds", grid, backend, t, rows });
}

function writeRecord(
  name: string,
  r: {
    command: string;
    grid: unknown;
    backend: BackendInfo;
    t: number;
    rows: unknown[];
  },
): void {
  const file = path.join(RLHF_DIR, name);
  const record = {
    command: r.command,
    grid: r.grid,
    backend: r.backend,
    versions: versions(r.backend.tfjsVersion),
    startedAt: new Date(r.t).toISOString(),
    durationS: (Date.now() - r.t) / 1000,
    rows: r.rows,
  };
  fs.writeFileSync(file, JSON.stringify(record, null, 1) + "\n");
  console.log(
    `wrote ${path.relative(ROOT, file)} (${r.rows.length} runs, ${((Date.now() - r.t) / 60000).toFixed(1)} min)`,
  );
}

if (require.main === module) runMain(main);
