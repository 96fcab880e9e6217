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
 * 4. in worker processes: DPO on each label set and SFT on the revised and
 *    the original samples, two seeds each, every policy measured on the same
 *    held-out prompts; SFT itself measured alike.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { progress } from "../display/progress";
import {
  agreement,
  Agreement,
  comparisonPairs,
  LABEL_SOURCES,
  LabelSource,
  measurePolicy,
  onePassSteps,
  positionBias,
  RLAIF_PATHS,
  RlaifHandoff,
  RlaifJob,
  RlaifRecord,
  rlaifJobLabel,
  RlaifResult,
  RlaifWorkerInputs,
  spreadPairs,
  timedLabels,
  tuneJudge,
} from "../experiments/rlaif";
import { runInPool } from "../experiments/pool";
import { readEvalJsonl } from "../data/sft-data";
import { readRankings } from "../judge/comparisons";
import {
  clamped,
  goldJudge,
  Judge,
  JudgePair,
  labelPairs,
  raterJudge,
  swapDebiased,
  swapped,
} from "../judge/judge";
import { constitutionJudge, Reply } from "../judge/constitution";
import { RATER_PANEL } from "../judge/raters";
import { critiqueAndRevise } from "../judge/revision";
import { selfJudge } from "../judge/self-judge";
import type { GPT } from "../model/gpt";
import { loadModel } from "../model/load";
import { versions } from "../run-record";
import type { BpeTokenizer } from "../tokenizer/index";
import { DPO_FULL, DPO_QUICK } from "../train/dpo";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

const ROOT = path.resolve(__dirname, "..", "..");

/** The study's sizes; QUICK runs for seconds (tests, smoke checks). */
export const RLAIF_FULL = Object.freeze({
  /** Ranked training prompts whose pairs are labelled (all of the file). */
  prompts: Infinity,
  testPrompts: Infinity,
  tunedJudgeSizes: [500, 2000],
  judgeSteps: [150, 300],
  judgeLr: 3e-4,
  dpoSteps: 120,
  slcaiSteps: 100,
  seeds: [0, 1],
  heldout: 200,
  samples: 4,
});

export const RLAIF_QUICK = Object.freeze({
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

/** The self-judge of `model` on held-out pairs: one order, swapped, swapped and clamped; position bias. */
function selfJudgeStudy(
  model: GPT,
  tok: BpeTokenizer,
  id: string,
  pairs: readonly JudgePair[],
  gold: number[],
) {
  const sj = selfJudge(model, tok, id);
  const t = Date.now();
  const ab = labelPairs(sj, pairs);
  const ba = labelPairs(sj, swapped(pairs));
  const seconds = (Date.now() - t) / 1000;
  const swap = ab.map((p, i) => (p + 1 - ba[i]) / 2);
  const clamp = swap.map((p) => Math.min(0.6, Math.max(0.4, p)));
  return {
    rows: [
      agreement(`${id} (one order)`, ab, gold),
      agreement(`${id} (swapped)`, swap, gold),
      agreement(`${id} (swapped, clamped 0.4–0.6)`, clamp, gold),
    ],
    positionBias: positionBias(ab, ba),
    tooLong: sj.stats.tooLong / 2,
    costPer1000: {
      seconds: (1000 * seconds) / pairs.length,
      calls: (1000 * sj.stats.calls) / pairs.length,
      tokens: (1000 * sj.stats.tokens) / pairs.length,
    },
  };
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
  const test = comparisonPairs(readRankings(RLAIF_PATHS.test).slice(0, S.testPrompts));
  const gold = goldLabels(test);
  console.log(
    `${train.length} training pairs, ${test.length} held-out pairs (${gold.filter((g) => g !== 0.5).length} not gold ties)`,
  );

  // 1. Judge quality on held-out pairs.
  const raters = raterJudge(RATER_PANEL, 0);
  const constitution = constitutionJudge();
  const cheap = [raters, constitution, clamped(constitution)].map((j) => assess(j, test, gold));
  const untuned = selfJudgeStudy(sft, tok, "self-judge", test, gold);
  console.log(`self-judge: ${(100 * untuned.rows[1].accuracy.mean).toFixed(1)} % agreement (swapped)`);

  // The SFT model tuned as a judge on human (rater) labels of a few hundred to a few thousand comparisons.
  const tRaters = Date.now();
  const humanTrain = labelPairs(raters, train);
  const ratersSeconds = (Date.now() - tRaters) / 1000;
  const tuned: {
    comparisons: number;
    steps: number;
    seconds: number;
    conversations: number;
    study: ReturnType<typeof selfJudgeStudy>;
  }[] = [];
  let bestJudge: GPT | undefined;
  for (const [k, n] of S.tunedJudgeSizes.entries()) {
    const pick = spreadPairs(
      train.map((p, i) => ({ p, i })),
      n,
    );
    const t = Date.now();
    const r = await tuneJudge(
      sft,
      tok,
      pick.map((x) => x.p),
      pick.map((x) => humanTrain[x.i]),
      {
        comparisons: n,
        steps: S.judgeSteps[k],
        seed: 0,
        lr: S.judgeLr,
        progress: progress(S.judgeSteps[k], { label: `judge tuned on ${n}` }),
      },
    );
    const seconds = (Date.now() - t) / 1000;
    const study = selfJudgeStudy(r.judge, tok, `judge tuned on ${n}`, test, gold);
    console.log(
      `judge tuned on ${n}: ${(100 * study.rows[1].accuracy.mean).toFixed(1)} % agreement (swapped)`,
    );
    tuned.push({ comparisons: n, steps: S.judgeSteps[k], seconds, conversations: r.conversations, study });
    bestJudge?.dispose();
    bestJudge = r.judge;
  }

  // 2. The training pairs labelled by each source.
  const labelTimes: Record<string, number> = { raters: ratersSeconds };
  const timed = (id: LabelSource, f: () => number[]) => {
    const t = Date.now();
    const l = f();
    labelTimes[id] = (Date.now() - t) / 1000;
    return l;
  };
  const labels: Record<LabelSource, number[]> = {
    raters: humanTrain,
    constitution: timed("constitution", () => labelPairs(constitution, train)),
    "tuned judge": timed("tuned judge", () => labelPairs(swapDebiased(selfJudge(bestJudge!, tok)), train)),
  };
  const trainGold = goldLabels(train);
  const labelSets = LABEL_SOURCES.map((s) => ({
    source: s,
    seconds: labelTimes[s] ?? 0,
    ties: labels[s].filter((p) => p === 0.5).length,
    agreementWithGold: agreement(s, labels[s], trainGold),
  }));

  // 3. SL-CAI: critique and revise the SFT samples of the training prompts.
  const replies: (Reply & { prompt: JudgePair["prompt"] })[] = trainRanked.flatMap((p) =>
    p.responses.map((r) => ({
      prompt: p.prompt,
      request: p.prompt.filter((m) => m.role === "user").pop()!.content,
      response: r.content,
      stopped: !r.truncated,
    })),
  );
  const revised = critiqueAndRevise(replies, { model: sft, tok });
  const count = (by: string) => revised.filter((r) => r.by === by).length;
  const conv = (r: (typeof replies)[number], content: string, i: number) => ({
    messages: [...r.prompt, { role: "assistant" as const, content }],
    source: `${RLAIF_PATHS.train} response ${i + 1}`,
  });
  const slcai = {
    original: replies.map((r, i) => conv(r, r.response, i)),
    revised: replies.flatMap((r, i) =>
      revised[i].by === "unrevisable" ? [] : [conv(r, revised[i].revision ?? r.response, i)],
    ),
  };
  const slcaiStats = {
    responses: replies.length,
    breaking: replies.length - count("none"),
    byModel: count("model"),
    byRule: count("rule"),
    unrevisable: count("unrevisable"),
    // A few of each outcome, spread over the file's tasks.
    examples: (["model", "rule", "unrevisable"] as const).flatMap((by) =>
      spreadPairs(
        revised.filter((r) => r.by === by),
        4,
      ),
    ),
  };
  console.log(
    `SL-CAI: ${slcaiStats.breaking} of ${replies.length} samples break a principle; ` +
      `${slcaiStats.byModel} revised by the model, ${slcaiStats.byRule} by rule, ${slcaiStats.unrevisable} unrevisable`,
  );

  // 4. Policies, in worker processes.
  const handoff: RlaifHandoff = {
    labels,
    slcai,
    prompts: trainRanked.length,
    heldout: S.heldout,
    samples: S.samples,
  };
  const file = path.join(ROOT, "build", "rlaif", quick ? "handoff-quick.json" : "handoff.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(handoff));
  const batch = (quick ? DPO_QUICK : DPO_FULL).batchSize;
  const passSteps = Object.fromEntries(
    LABEL_SOURCES.map((s) => [s, onePassSteps(trainRanked, labels[s], batch, S.dpoSteps)]),
  ) as Record<LabelSource, number>;
  const jobs: RlaifJob[] = [
    ...S.seeds.flatMap((seed) =>
      LABEL_SOURCES.map((source) => ({
        kind: "dpo" as const,
        source,
        seed,
        steps: passSteps[source],
        quick,
      })),
    ),
    // The constitution's few prompts passed over again and again, to show what that does.
    ...(passSteps.constitution < S.dpoSteps
      ? [{ kind: "dpo" as const, source: "constitution" as const, seed: 0, steps: S.dpoSteps, quick }]
      : []),
    ...S.seeds.flatMap((seed) =>
      (["revised", "original"] as const).map((data) => ({
        kind: "sl-cai" as const,
        data,
        seed,
        steps: S.slcaiSteps,
        quick,
      })),
    ),
  ];
  const steps = jobs.reduce((n, j) => n + j.steps, 0);
  const rows = await runInPool<RlaifWorkerInputs, RlaifJob, RlaifResult>({
    worker: "rlaif-worker.ts",
    inputs: { file, quick },
    jobs,
    name: rlaifJobLabel,
    workers,
    progress: progress(steps, { label: "rlaif runs" }),
    onResult: (r) =>
      console.log(
        `${rlaifJobLabel(r.job)}: gold ${r.point.gold.mean.toFixed(3)}, KL ${r.point.kl.mean.toFixed(3)} (${r.seconds.toFixed(0)} s)`,
      ),
  });
  const heldout = readEvalJsonl(RLAIF_PATHS.heldout).slice(0, S.heldout);
  const sftPoint = measurePolicy(sft, sft, tok, heldout, { samples: S.samples });

  const out = quick ? path.join(ROOT, "build", "rlaif-quick.json") : RLAIF_PATHS.record;
  const record: RlaifRecord = {
    command: `npm run rlaif${quick ? " -- --quick" : ""} --workers ${workers}`,
    trainPairs: train.length,
    settings: { ...S, prompts: trainRanked.length, testPrompts: test.length },
    backend,
    versions: versions(backend.tfjsVersion),
    startedAt: new Date(t0).toISOString(),
    durationS: 0,
    judges: {
      pairs: test.length,
      rows: [
        ...cheap.map((c) => c.agreement),
        ...untuned.rows,
        ...tuned.flatMap((t) => t.study.rows),
      ] as Agreement[],
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
    },
    labelSets: labelSets.map((l) => ({ ...l, steps: passSteps[l.source] })),
    slcai: slcaiStats,
    sft: sftPoint,
    rows,
  };
  record.durationS = (Date.now() - t0) / 1000;
  fs.writeFileSync(out, JSON.stringify(record) + "\n");
  console.log(
    `wrote ${path.relative(ROOT, out)} (${rows.length} runs, ${(record.durationS / 60).toFixed(1)} min)`,
  );
}

if (require.main === module) runMain(main);
