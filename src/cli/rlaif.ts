/**
 * `npm run rlaif [-- --quick] [--workers N]`
 *
 * Notebook 06's record, data/rlhf/rlaif.json, in one command:
 * 1. judge quality on the held-out comparisons (data/rlhf/rankings_test.jsonl):
 *    simulated raters, the rule constitution, the SFT model as self-judge
 *    (one order, position-swapped, clamped), and the SFT model tuned as a
 *    judge on TUNED_JUDGE_SIZES human-labelled comparisons; agreement with
 *    gold, position bias, labelling cost;
 * 2. the training comparisons (data/rlhf/rankings_train.jsonl) labelled by
 *    the raters, the constitution and the largest tuned judge (swapped);
 * 3. critique and revision of the SFT samples (SL-CAI data);
 * 4. in worker processes: DPO and IPO on each label set and SFT on the
 *    revised and the original samples, two seeds each, every policy measured
 *    on the same held-out prompts; SFT itself measured alike.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { pct } from "../display/report";
import { progress } from "../display/progress";
import {
  comparisonPairs,
  LABEL_SOURCES,
  LabelSource,
  measurePolicy,
  onePassSteps,
  RLAIF_PATHS,
  RlaifHandoff,
  RlaifJob,
  rlaifJobLabel,
  RlaifResult,
  RlaifWorkerInputs,
  rlaifJobs,
  slcaiData,
  spreadPairs,
  tuneJudge,
} from "../experiments/rlaif";
import { agreement, selfJudgeStudy, timedLabels } from "../judge/agreement";
import { RlaifRecord } from "../experiments/rlaif-record";
import { runPoolResumable } from "../experiments/sweep";
import { readEvalJsonl } from "../data/sft-data";
import { RankedPrompt, readRankings } from "../judge/comparisons";
import { clamped, goldJudge, Judge, JudgePair, labelPairs, raterJudge, swapDebiased } from "../judge/judge";
import { constitutionJudge } from "../judge/constitution";
import { RATER_PANEL } from "../judge/raters";
import { selfJudge } from "../judge/self-judge";
import type { GPT } from "../model/gpt";
import { loadModel } from "../model/load";
import { versions } from "../run-record";
import type { BpeTokenizer } from "../tokenizer/index";
import { DPO_FULL, DPO_QUICK } from "../train/dpo";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

const ROOT = path.resolve(__dirname, "..", "..");

/** The study's sizes. */
export interface RlaifSettings {
  /** Ranked training prompts whose pairs are labelled (Infinity: all of the file). */
  prompts: number;
  /** Held-out ranked prompts whose pairs measure the judges. */
  testPrompts: number;
  /** Rater-labelled comparisons the judge is tuned on, and the tuning steps for each. */
  tunedJudgeSizes: number[];
  judgeSteps: number[];
  judgeLr: number;
  /** At most this many DPO steps (a label set gets about one pass over its prompts; DPO_FULL's 180 is one pass over all 2,831). */
  dpoSteps: number;
  slcaiSteps: number;
  seeds: number[];
  /** Held-out prompts and samples per prompt every policy is measured on. */
  heldout: number;
  samples: number;
}

/** The record's settings; QUICK runs for seconds (tests, smoke checks). */
export const RLAIF_FULL: Readonly<RlaifSettings> = Object.freeze({
  prompts: Infinity,
  testPrompts: Infinity,
  tunedJudgeSizes: [500, 2000],
  judgeSteps: [150, 300],
  judgeLr: 3e-4,
  dpoSteps: DPO_FULL.steps,
  slcaiSteps: 100,
  seeds: [0, 1],
  heldout: 200,
  samples: 4,
});

export const RLAIF_QUICK: Readonly<RlaifSettings> = Object.freeze({
  ...RLAIF_FULL,
  prompts: 500,
  testPrompts: 40,
  tunedJudgeSizes: [40],
  judgeSteps: [6],
  dpoSteps: 4,
  slcaiSteps: 4,
  seeds: [0],
  heldout: 8,
  samples: 2,
});

export const RLAIF_CLI = {
  name: "rlaif",
  usage: "usage: npm run rlaif [-- --quick] [--workers N]",
  summary:
    "judge quality, AI labels, SL-CAI revisions and the policies trained on each label source → data/rlhf/rlaif.json (--quick: build/rlaif-quick.json).",
  flags: {
    quick: { type: "boolean", doc: "a seconds-long run on a few prompts" },
    workers: { type: "int", min: 1, doc: "worker processes for the training runs", default: 2 },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

const goldLabels = (pairs: readonly JudgePair[]) => labelPairs(goldJudge, pairs);

/** Labels of one judge on the held-out pairs, with agreement and cost per 1,000 pairs. */
function assess(judge: Judge, pairs: readonly JudgePair[], gold: readonly number[]) {
  const { labels, seconds } = timedLabels(judge, pairs);
  const stats = (judge as { stats?: { calls: number; tokens: number } }).stats;
  return {
    labels,
    agreement: agreement(judge.id, labels, gold),
    costPer1000: {
      seconds: (1000 * seconds) / pairs.length,
      calls: stats ? (1000 * stats.calls) / pairs.length : 0,
      tokens: stats ? (1000 * stats.tokens) / pairs.length : 0,
    },
  };
}

type Settings = Readonly<RlaifSettings>;

/** The SFT model tuned as a judge on rater labels of `tunedJudgeSizes` training pairs, each measured on held-out pairs. */
async function tunedJudges(
  sft: GPT,
  tok: BpeTokenizer,
  S: Settings,
  train: { pairs: JudgePair[]; human: number[] },
  test: { pairs: JudgePair[]; gold: number[] },
) {
  const tuned: {
    comparisons: number;
    steps: number;
    seconds: number;
    conversations: number;
    study: ReturnType<typeof selfJudgeStudy>;
  }[] = [];
  let last: GPT | undefined;
  for (const [k, n] of S.tunedJudgeSizes.entries()) {
    const pick = spreadPairs(
      train.pairs.map((p, i) => ({ p, label: train.human[i] })),
      n,
    );
    const t = Date.now();
    const r = await tuneJudge(
      sft,
      tok,
      pick.map((x) => x.p),
      pick.map((x) => x.label),
      {
        comparisons: n,
        steps: S.judgeSteps[k],
        seed: 0,
        lr: S.judgeLr,
        progress: progress(S.judgeSteps[k], { label: `judge tuned on ${n}` }),
      },
    );
    const seconds = (Date.now() - t) / 1000;
    const study = selfJudgeStudy(r.judge, tok, `judge tuned on ${n}`, test.pairs, test.gold);
    console.log(`judge tuned on ${n}: ${pct(study.rows[1].accuracy.mean)} agreement (swapped)`);
    tuned.push({ comparisons: n, steps: S.judgeSteps[k], seconds, conversations: r.conversations, study });
    last?.dispose();
    last = r.judge;
  }
  // The largest judge labels the training pairs.
  return { tuned, judge: last! };
}

async function main(argv: string[]): Promise<void> {
  const a = parseCli(RLAIF_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(RLAIF_CLI));
  const quick = a.quick ?? false;
  const workers = a.workers ?? 2;
  const S = quick ? RLAIF_QUICK : RLAIF_FULL;
  const backend = await initBackend();
  const t0 = Date.now();
  const { model: sft, tokenizer: tok } = loadModel(RLAIF_PATHS.sft);
  const trainRanked = readRankings(RLAIF_PATHS.train).slice(0, S.prompts);
  const train = comparisonPairs(trainRanked);
  const testRanked = readRankings(RLAIF_PATHS.test).slice(0, S.testPrompts);
  const test = comparisonPairs(testRanked);
  console.log(`${train.length} training pairs, ${test.length} held-out pairs`);
  const judged = await labelStage(sft, tok, S, quick, { train, trainRanked, test });

  // 3. SL-CAI: critique and revise the SFT samples of the training prompts.
  const sl = slcaiData(trainRanked, { model: sft, tok });
  console.log(
    `SL-CAI: ${sl.stats.breaking} of ${sl.stats.responses} samples break a principle; ${sl.stats.byModel} ` +
      `revised by the model, ${sl.stats.byRule} by rule, ${sl.stats.unrevisable} unrevisable`,
  );

  // 4. Policies, in worker processes (they read the labels and SL-CAI data from a file under build/).
  const handoff: RlaifHandoff = {
    labels: judged.labels,
    slcai: sl.data,
    prompts: trainRanked.length,
    heldout: S.heldout,
    samples: S.samples,
  };
  const rows = await policyRuns(handoff, judged.labelSets, { S, quick, workers });
  const heldout = readEvalJsonl(RLAIF_PATHS.heldout).slice(0, S.heldout);
  const sftPoint = measurePolicy(sft, sft, tok, heldout, { samples: S.samples });

  const out = quick ? path.join(ROOT, "build", "rlaif-quick.json") : RLAIF_PATHS.record;
  const record: RlaifRecord = {
    command: `npm run rlaif${quick ? " -- --quick" : ""} --workers ${workers}`,
    trainPairs: train.length,
    settings: { ...S, prompts: trainRanked.length, testPrompts: testRanked.length },
    backend,
    versions: versions(backend.tfjsVersion),
    startedAt: new Date(t0).toISOString(),
    durationS: 0,
    judges: judged.judges,
    labelSets: judged.labelSets,
    slcai: sl.stats,
    sft: sftPoint,
    rows,
  };
  record.durationS = (Date.now() - t0) / 1000;
  fs.writeFileSync(out, JSON.stringify(record) + "\n");
  console.log(
    `wrote ${path.relative(ROOT, out)} (${rows.length} runs, ${(record.durationS / 60).toFixed(1)} min)`,
  );
}

/**
 * Steps 1 and 2: each judge's agreement with gold on held-out pairs, then
 * the training pairs labelled by each source (the tuned judge learns from
 * the raters' labels).
 */
async function labelStage(
  sft: GPT,
  tok: BpeTokenizer,
  S: Readonly<RlaifSettings>,
  quick: boolean,
  d: { train: JudgePair[]; trainRanked: RankedPrompt[]; test: JudgePair[] },
) {
  const gold = goldLabels(d.test);
  const raters = raterJudge(RATER_PANEL, 0);
  const constitution = constitutionJudge();
  const cheap = [raters, constitution, clamped(constitution)].map((j) => assess(j, d.test, gold));
  const untuned = selfJudgeStudy(sft, tok, "self-judge", d.test, gold);
  console.log(`self-judge: ${pct(untuned.rows[1].accuracy.mean)} agreement (swapped)`);
  const human = timedLabels(raters, d.train);
  const { tuned, judge } = await tunedJudges(
    sft,
    tok,
    S,
    { pairs: d.train, human: human.labels },
    { pairs: d.test, gold },
  );
  const sources: Record<LabelSource, { labels: number[]; seconds: number }> = {
    raters: human,
    constitution: timedLabels(constitution, d.train),
    "tuned judge": timedLabels(swapDebiased(selfJudge(judge, tok)), d.train),
  };
  const labels = Object.fromEntries(LABEL_SOURCES.map((s) => [s, sources[s].labels])) as Record<
    LabelSource,
    number[]
  >;
  const trainGold = goldLabels(d.train);
  const batch = (quick ? DPO_QUICK : DPO_FULL).batchSize;
  const labelSets = LABEL_SOURCES.map((s) => ({
    source: s,
    seconds: sources[s].seconds,
    ties: labels[s].filter((p) => p === 0.5).length,
    agreementWithGold: agreement(s, labels[s], trainGold),
    steps: onePassSteps(d.trainRanked, labels[s], batch, S.dpoSteps),
  }));
  const judges: RlaifRecord["judges"] = {
    pairs: d.test.length,
    rows: [...cheap.map((c) => c.agreement), ...untuned.rows, ...tuned.flatMap((t) => t.study.rows)],
    costPer1000: {
      [raters.id]: cheap[0].costPer1000,
      [constitution.id]: cheap[1].costPer1000,
      "self-judge (swapped)": untuned.costPer1000,
    },
    positionBias: {
      "self-judge": untuned.positionBias,
      ...Object.fromEntries(tuned.map((t) => [`judge tuned on ${t.comparisons}`, t.study.positionBias])),
    },
    tooLong: untuned.tooLong,
    tuned: tuned.map(({ study, ...t }) => ({ ...t, costPer1000: study.costPer1000 })),
  };
  return { labels, labelSets, judges };
}

/** Step 4: every label set's policies, in worker processes that read the handoff file. */
async function policyRuns(
  handoff: RlaifHandoff,
  labelSets: readonly { source: LabelSource; steps: number }[],
  o: { S: Readonly<RlaifSettings>; quick: boolean; workers: number },
) {
  const file = path.join(ROOT, "build", "rlaif", o.quick ? "handoff-quick.json" : "handoff.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(handoff));
  const passSteps = Object.fromEntries(labelSets.map((l) => [l.source, l.steps])) as Record<
    LabelSource,
    number
  >;
  const jobs = rlaifJobs({ ...o.S, quick: o.quick }, passSteps);
  const command = `npm run rlaif${o.quick ? " -- --quick" : ""} --workers ${o.workers}`;
  return runPoolResumable<RlaifWorkerInputs, RlaifJob, RlaifResult>(
    `rlaif${o.quick ? "-quick" : ""}`,
    command,
    {
      worker: "rlaif-worker.ts",
      inputs: { file, quick: o.quick },
      jobs,
      name: rlaifJobLabel,
      workers: o.workers,
      progress: progress(
        jobs.reduce((n, j) => n + j.steps, 0),
        { label: "rlaif runs" },
      ),
      onResult: (r) =>
        console.log(
          `${rlaifJobLabel(r.job)}: gold ${r.point.gold.mean.toFixed(3)}, KL ${r.point.kl.mean.toFixed(3)} ` +
            `(${r.seconds.toFixed(0)} s)`,
        ),
    },
  );
}

if (require.main === module) runMain(main);
