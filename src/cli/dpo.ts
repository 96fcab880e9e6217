/**
 * `npm run dpo [-- --panel hhh|helpful] [--quick] [--resume] [--steps N] [--seed N] [--loss L] [--beta B] [--<objective knob> X] [--out DIR]`
 *
 * DPO (DPO_HHH in src/train/dpo.ts: with RPO's NLL term) from the committed
 * SFT model on the HHH world's comparisons (`npm run comparisons`: SFT
 * samples ranked by the HHH or the helpful-only panel; the HHH prompts' pairs
 * and a sixth of the reward model's pool, DPO_MIX), against the frozen SFT
 * model. Then the SFT model and the policy answer the held-out prompts
 * (data/sft/prompts_heldout.jsonl) greedily and by sampling, and the HHH sets
 * greedily (src/eval/hhh-policy.ts); the run record keeps the gold reward
 * with paired intervals, the sampled KL to SFT, the win rate, and refusal,
 * abstention and exact match per request kind. Saves data/models/dpo/
 * (helpful: data/models/dpo-helpful/).
 *
 * --sweep instead trains notebook 07's grid (DPO_SWEEP in
 * src/experiments/dpo.ts: β × seeds, cDPO/IPO/hinge/SimPO, Preferred-FT) in
 * worker processes, measures SFT and best-of-n under the RM the same way,
 * and writes data/rlhf/dpo_sweep.json.
 *
 * --offline measures online against offline preferences (src/experiments/
 * dpo-offline.ts): it samples the base model on 944 of the reward model's
 * prompts (a third of those with SFT pairs), ranks the samples with the rater panel (data/rlhf/
 * pairs_base_train.jsonl), trains DPO on them and on the SFT model's pairs of
 * the same prompts (two seeds each), and writes data/rlhf/dpo_offline.json.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { progress } from "../display/progress";
import {
  DPO_PATHS,
  DPO_SWEEP,
  DPO_SWEEP_FILE,
  DPO_SWEEP_QUICK,
  DpoJob,
  dpoJobLabel,
  DpoSweepResult,
  dpoSweepJobs,
  dpoSummary,
  evaluateDpo,
  loadDpoInputs,
  OfflineRecord,
  runDpo,
} from "../experiments/dpo";
import {
  baseComparisons,
  OFFLINE,
  OFFLINE_FILES,
  offlinePrompts,
  offlineRecords,
  pairGold,
} from "../experiments/dpo-offline";
import { rmBestOfN } from "../experiments/ppo";
import { HELDOUT_SAMPLE_SEED, sampledGold } from "../eval/policy";
import { goldReward } from "../judge/gold";
import { runPoolResumable } from "../experiments/sweep";
import { saveCheckpoint, savedStep, trainedHere } from "../model/checkpoint";
import { readEvalJsonl, readPreferenceJsonl, writePreferenceJsonl } from "../data/sft-data";
import { loadModel } from "../model/load";
import { loadRewardModel } from "../model/reward-model";
import { loadRun, versions } from "../run-record";
import { checkResumable, checkScheduleUnchanged } from "../train/loop";
import { DPO_HHH, DPO_QUICK, DpoConfig, dpoConfig, recipeForLoss } from "../train/dpo";
import { hhhPolicyEval, hhhSummary, readHhhSets } from "../eval/hhh-policy";
import { checkOutput, runOfKind } from "../output";
import { CliSpec, Flag, helpText, oneMode, parseCli, refuseQuickResume, runMain } from "./args";
import {
  DPO_LOSSES,
  DpoLoss,
  OBJECTIVE_PARAMS,
  ObjectiveParam,
  ObjectiveParamName,
  PAIR_OBJECTIVES,
} from "../train/objectives";

const ROOT = path.resolve(__dirname, "..", "..");

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** One option per objective knob (src/train/objectives.ts), so a new objective's knobs need no edit here. */
const OBJECTIVE_FLAGS: Record<string, Flag> = Object.fromEntries(
  (Object.entries(OBJECTIVE_PARAMS) as [ObjectiveParamName, ObjectiveParam][]).map(([k, p]) => [
    kebab(k),
    { type: "number", doc: `${p.doc} (loss ${p.readBy.join(", ")})`, default: p.default },
  ]),
);

export const DPO_CLI = {
  name: "dpo",
  usage:
    "usage: npm run dpo [-- --panel hhh|helpful] [--quick] [--resume] [--steps N] [--seed N] [--loss L] [--beta B] [--<objective knob> X] [--out DIR] | -- --sweep|--offline [--workers N] [--quick]",
  summary:
    "DPO from data/models/sft on the HHH world's comparisons against the frozen SFT model; saves data/models/dpo (--quick: build/models/dpo-quick).",
  flags: {
    panel: {
      type: "string",
      arg: "P",
      choices: ["hhh", "helpful"],
      doc: "whose comparisons: the HHH raters' or the helpful-only raters'",
      default: "hhh",
    },
    quick: { type: "boolean", doc: "a seconds-long run (10 steps on 64 prompts' pairs)" },
    resume: { type: "boolean", doc: "continue the in-progress run in build/dpo" },
    steps: { type: "int", min: 0, doc: "optimizer steps (0: the recipe's)", default: DPO_HHH.steps },
    seed: { type: "int", doc: "random seed (batch order)", default: 0 },
    loss: {
      type: "string",
      arg: "L",
      choices: DPO_LOSSES,
      doc: `the objective (${DPO_LOSSES.map((l) => `${l}: ${PAIR_OBJECTIVES[l].paper}`).join("; ")})`,
      default: DPO_HHH.loss,
    },
    beta: { type: "number", doc: "β (> 0)", default: DPO_HHH.beta },
    ...OBJECTIVE_FLAGS,
    out: {
      type: "string",
      arg: "DIR",
      doc: "where the final policy goes",
      default: "data/models/dpo (helpful: data/models/dpo-helpful)",
    },
    force: { type: "boolean", doc: "replace an --out folder that holds something this command did not make" },
    sweep: {
      type: "boolean",
      doc: "train notebook 07's sweep (β × seeds, variants, Preferred-FT) into data/rlhf/dpo_sweep.json",
    },
    offline: {
      type: "boolean",
      doc: "online against offline pairs (SFT's samples against the base model's) into data/rlhf/dpo_offline.json",
    },
    workers: { type: "int", min: 1, doc: "worker processes for --sweep and --offline", default: 2 },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

async function main(argv: string[]): Promise<void> {
  const a = parseCli(DPO_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(DPO_CLI));
  oneMode(a, ["sweep", "offline"], { sweep: ["workers", "quick"], offline: ["workers", "quick"] });
  if (a.sweep) return sweep(a.workers ?? 2, a.quick ?? false);
  if (a.offline) return offline(a.workers ?? 2, a.quick ?? false);
  const quick = a.quick ?? false;
  refuseQuickResume(quick, a.resume);
  const base = recipeForLoss(quick ? DPO_QUICK : DPO_HHH, (a.loss ?? DPO_HHH.loss) as DpoLoss);
  const panel = a.panel ?? "hhh";
  const suffix = panel === "hhh" ? "" : `-${panel}`;
  const work = path.join(ROOT, "build", `dpo${suffix}${quick ? "-quick" : ""}`);
  const config = dpoConfig(
    {
      ...(a.steps ? { steps: a.steps } : {}),
      seed: a.seed ?? 0,
      loss: (a.loss ?? base.loss) as DpoLoss,
      beta: a.beta ?? base.beta,
      ...objectiveParams(a as Record<string, unknown>),
      checkpointEvery: quick ? 0 : 30,
    },
    base,
  );
  if (a.resume) {
    if (!fs.existsSync(path.join(work, "run.json")))
      throw new Error(`--resume: no in-progress run at ${work}; start without --resume`);
    const previous = loadRun(work, "dpo").config;
    checkResumable(previous, config, path.join(work, "run.json"), [
      "loss",
      "beta",
      ...(Object.keys(OBJECTIVE_PARAMS) as ObjectiveParamName[]),
      "sftWeight",
    ]);
    checkScheduleUnchanged(previous, config, path.join(work, "run.json"), { scheduleFlags: false });
  }
  const out =
    a.out ?? (quick ? path.join(ROOT, "build", "models", `dpo${suffix}-quick`) : `${DPO_PATHS.out}${suffix}`);
  checkOutput({ out, what: "DPO policy", ours: runOfKind("dpo"), reads: [DPO_PATHS.sft], force: a.force });
  const backend = await initBackend();
  const resumedAt = a.resume ? savedStep(work) : 0;
  const t = Date.now();
  const inputs = loadDpoInputs({ quick, panel });
  const { policy, run } = await runDpo({
    inputs,
    config,
    base,
    checkpointDir: quick ? undefined : work,
    resumeFrom: a.resume ? work : undefined,
    progress: progress(config.steps, { label: "dpo" }),
  });
  const minutes = (Date.now() - t) / 60000;
  const ev = evaluateDpo(inputs, policy, { quick });
  const hhh = hhhPolicyEval(inputs.sft, policy, inputs.tokenizer, readHhhSets({ quick }), goldReward);
  run.checkpoint = path.relative(ROOT, out);
  run.notes = { ...run.notes, panel, evaluation: ev, hhh };
  await saveCheckpoint(out, { model: policy, tokenizer: inputs.tokenizer, run, step: config.steps });
  console.log(
    `trained ${trainedHere(config.steps, resumedAt, "steps")} in ${minutes.toFixed(1)} min on ${backend.name}.`,
  );
  console.log(dpoSummary(ev));
  console.log(hhhSummary(hhh).join("\n"));
  console.log(
    `saved ${path.relative(ROOT, out)}/; check it with npm run --silent eval -- --model ${path.relative(ROOT, out)} ` +
      `--prompts data/sft/prompts_heldout.jsonl --gold --reference data/models/sft --samples 4`,
  );
}

/** The objective knobs given on the command line, by their config names. */
function objectiveParams(a: Record<string, unknown>): Partial<DpoConfig> {
  const given = Object.keys(OBJECTIVE_PARAMS).filter((k) => a[kebab(k)] !== undefined);
  return Object.fromEntries(given.map((k) => [k, a[kebab(k)]]));
}

/** DPO jobs in worker processes, one bar over all their steps, a line per finished run. */
function runJobs(
  jobs: DpoJob[],
  o: { quick: boolean; workers: number; steps: number; label: string; name: string; command: string },
) {
  return runPoolResumable<{ quick: boolean }, DpoJob, DpoSweepResult>(
    `${o.name}${o.quick ? "-quick" : ""}`,
    o.command,
    {
      worker: "dpo-worker.ts",
      inputs: { quick: o.quick },
      jobs,
      name: dpoJobLabel,
      workers: o.workers,
      progress: progress(jobs.length * o.steps, { label: o.label }),
      onResult: (r) =>
        console.log(
          `${dpoJobLabel(r.job)}: sampled gold ${r.sampled.gold.mean.toFixed(3)}, KL ${r.sampled.kl.mean.toFixed(2)}, ` +
            `greedy gold ${r.greedy.gold.mean.toFixed(3)} (${r.seconds.toFixed(0)} s)`,
        ),
    },
  );
}

async function sweep(workers: number, quick: boolean): Promise<void> {
  const backend = await initBackend();
  const grid = quick ? DPO_SWEEP_QUICK : DPO_SWEEP;
  const jobs = dpoSweepJobs(grid);
  const t = Date.now();
  const command = `npm run dpo -- --sweep${quick ? " --quick" : ""} --workers ${workers}`;
  const rows = await runJobs(jobs, {
    quick,
    workers,
    steps: grid.steps,
    label: "dpo sweep",
    name: "dpo",
    command,
  });
  // SFT itself and best-of-n under the RM, on the same prompts with the same seed.
  const { model: sft, tokenizer } = loadModel(DPO_PATHS.sft);
  const items = readEvalJsonl(DPO_PATHS.heldout).slice(0, grid.prompts);
  const sftPoint = sampledGold(sft, sft, tokenizer, items, {
    samples: grid.samples,
    seed: HELDOUT_SAMPLE_SEED,
    score: goldReward,
  });
  const rm = loadRewardModel(path.join(DPO_PATHS.sft, "..", "rm"));
  const bon = rmBestOfN(sft, rm, tokenizer, items, {
    ns: quick ? [1, 2] : [1, 2, 4, 8, 16],
    seed: HELDOUT_SAMPLE_SEED,
  });
  const file = quick ? path.join(ROOT, "build", "dpo_sweep-quick.json") : DPO_SWEEP_FILE;
  const record = {
    command,
    grid,
    backend,
    versions: versions(backend.tfjsVersion),
    startedAt: new Date(t).toISOString(),
    durationS: (Date.now() - t) / 1000,
    rows,
    sft: sftPoint,
    bestOfN: bon,
  };
  fs.writeFileSync(file, JSON.stringify(record) + "\n");
  console.log(
    `wrote ${path.relative(ROOT, file)} (${rows.length} runs, ${(record.durationS / 60).toFixed(1)} min)`,
  );
}

async function offline(workers: number, quick: boolean): Promise<void> {
  const backend = await initBackend();
  const t = Date.now();
  const every = quick ? 60 : OFFLINE.every;
  const basePairs = quick
    ? path.join(ROOT, "build", "pairs_base_train-quick.jsonl")
    : OFFLINE_FILES.basePairs;
  const sftPairs = readPreferenceJsonl(DPO_PATHS.pairs);
  const prompts = offlinePrompts(sftPairs, every);
  const base = loadModel(path.join(DPO_PATHS.sft, "..", "base"));
  console.log(`sampling the base model: ${OFFLINE.k} samples of ${prompts.items.length} prompts …`);
  const stale = baseComparisons(base.model, base.tokenizer, prompts);
  writePreferenceJsonl(basePairs, stale);
  const { model: sft, tokenizer } = loadModel(DPO_PATHS.sft);
  const fresh = offlineRecords("sft", sftPairs, { every });
  console.log(
    `${stale.length} base-model pairs (${path.relative(ROOT, basePairs)}), ${fresh.length} SFT pairs on the same prompts`,
  );
  const steps = quick ? DPO_QUICK.steps : OFFLINE.steps;
  const jobs: DpoJob[] = (quick ? [0] : OFFLINE.seeds).flatMap((seed) =>
    (["sft", "base"] as const).map((pairs) => ({
      study: "offline" as const,
      quick,
      pairs,
      every,
      basePairs,
      config: { steps, seed, beta: OFFLINE.beta },
    })),
  );
  const command = `npm run dpo -- --offline${quick ? " --quick" : ""} --workers ${workers}`;
  const rows = await runJobs(jobs, {
    quick,
    workers,
    steps,
    label: "online vs offline",
    name: "dpo-offline",
    command,
  });
  const grid = quick ? DPO_SWEEP_QUICK : DPO_SWEEP;
  const items = readEvalJsonl(DPO_PATHS.heldout).slice(0, grid.prompts);
  const sftPoint = sampledGold(sft, sft, tokenizer, items, {
    samples: grid.samples,
    seed: HELDOUT_SAMPLE_SEED,
    score: goldReward,
  });
  const file = quick ? path.join(ROOT, "build", "dpo_offline-quick.json") : OFFLINE_FILES.record;
  const record: OfflineRecord = {
    command,
    config: { ...OFFLINE, every, steps },
    backend,
    versions: versions(backend.tfjsVersion),
    startedAt: new Date(t).toISOString(),
    durationS: (Date.now() - t) / 1000,
    pairs: {
      sft: { n: fresh.length, gold: pairGold(fresh) },
      base: { n: stale.length, gold: pairGold(stale) },
    },
    rows,
    sft: sftPoint,
  };
  fs.writeFileSync(file, JSON.stringify(record) + "\n");
  console.log(
    `wrote ${path.relative(ROOT, file)} (${rows.length} runs, ${(record.durationS / 60).toFixed(1)} min)`,
  );
}

if (require.main === module) runMain(main);
