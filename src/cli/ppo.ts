/**
 * `npm run ppo [-- --panel hhh|helpful] [--quick] [--resume] [--steps N] [--seed N]
 *               [--advantage gae|rloo|grpo] [--beta B] [--length-bias X] [--ptx G] [--out DIR]`
 *
 * InstructGPT's third step, from the committed SFT model and reward model
 * (--panel hhh: data/models/rm; helpful: data/models/rm-helpful): PPO
 * (PPO_FULL in src/train/ppo.ts) on the policy prompt pool
 * (data/sft/prompts_policy.jsonl) and the HHH prompts
 * (data/sft/prompts_hhh.jsonl), KL-penalised to the SFT model. Then the
 * SFT model and the policy answer the prompts the policy trained on and the
 * held-out prompts (data/sft/prompts_heldout.jsonl), greedily, and sample
 * responses there at temperature 1; the run record keeps the gold reward by
 * kind with intervals, the paired gain over SFT, answer rate, exact match
 * and the sampled KL to SFT, and the HHH sets' refusal, abstention and
 * exact match per request kind (src/eval/hhh-policy.ts). Saves the policy
 * without its value head, the tokenizer and the run record to
 * data/models/ppo/ (helpful: data/models/ppo-helpful/).
 *
 * Checkpoints go to build/ppo/ every 40 updates (continue with --resume);
 * --quick runs a seconds-long version into build/models/ppo-quick.
 *
 * --sweep instead trains notebook 05's grid (PPO_SWEEP in
 * src/experiments/ppo.ts: β × seeds, RLOO and GRPO, PPO-ptx) in worker
 * processes and writes each run's held-out measurements and curves to
 * data/rlhf/ppo_sweep.json.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { progress } from "../display/progress";
import { pct } from "../display/report";
import {
  evaluateRlhf,
  loadPpoInputs,
  PPO_PATHS,
  ppoSummary,
  pretrainingTokens,
  runPpo,
} from "../experiments/ppo";
import {
  jobLabel,
  PPO_SWEEP,
  PPO_SWEEP_FILE,
  PPO_SWEEP_QUICK,
  PpoJob,
  SweepResult,
  sweepJobs,
} from "../experiments/ppo-sweep";
import { runPoolResumable } from "../experiments/sweep";
import { saveCheckpoint, savedStep, trainedHere } from "../model/checkpoint";
import { loadRun, versions } from "../run-record";
import { checkResumable, checkScheduleUnchanged } from "../train/loop";
import {
  ADVANTAGES,
  Advantage,
  PPO_FIXED_ON_RESUME,
  PPO_FULL,
  PPO_QUICK,
  ppoConfig,
  updatesPerRollout,
} from "../train/ppo";
import { checkOutput, runOfKind } from "../output";
import { hhhMonitor, hhhPolicyEval, hhhSummary, readHhhSets } from "../eval/hhh-policy";
import { goldReward } from "../judge/gold";
import { CliSpec, Flag, helpText, oneMode, parseCli, refuseQuickResume, runMain } from "./args";

const ROOT = path.resolve(__dirname, "..", "..");

export const PPO_CLI = {
  name: "ppo",
  usage:
    "usage: npm run ppo [-- --panel hhh|helpful] [--quick] [--resume] [--steps N] [--seed N] [--advantage gae|rloo|grpo] [--beta B] [--length-bias X] [--ptx G] [--out DIR]",
  summary:
    "RLHF: PPO from data/models/sft against data/models/rm, KL-penalised to SFT, on the policy and HHH prompts; saves data/models/ppo (--quick: build/models/ppo-quick).",
  flags: {
    panel: {
      type: "string",
      arg: "P",
      choices: ["hhh", "helpful"],
      doc: "whose reward model: data/models/rm (HHH raters) or data/models/rm-helpful",
      default: "hhh",
    },
    quick: { type: "boolean", doc: "a seconds-long run (8 updates, 4 prompts per rollout)" },
    resume: { type: "boolean", doc: "continue the in-progress run in build/ppo" },
    steps: { type: "int", min: 0, doc: "optimizer updates (0: the recipe's)", default: PPO_FULL.steps },
    seed: { type: "int", doc: "random seed (prompts, sampling, minibatches)", default: 0 },
    advantage: {
      type: "string",
      arg: "A",
      choices: ADVANTAGES,
      doc: "advantage estimator",
      default: PPO_FULL.advantage,
    },
    beta: { type: "number", doc: "KL coefficient β", default: PPO_FULL.beta },
    "length-bias": { type: "number", doc: "score units per response word added to the RM's", default: 0 },
    ptx: { type: "number", doc: "PPO-ptx: weight of the pretraining loss", default: 0 },
    out: {
      type: "string",
      arg: "DIR",
      doc: "where the final policy goes",
      default: "data/models/ppo (helpful: data/models/ppo-helpful)",
    },
    force: { type: "boolean", doc: "replace an --out folder that holds something this command did not make" },
    sweep: {
      type: "boolean",
      doc: "train notebook 05's sweep (β × seeds, estimators, ptx) in 2 workers into data/rlhf/ppo_sweep.json",
    },
    workers: { type: "int", min: 1, doc: "worker processes for --sweep", default: 2 },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

async function main(argv: string[]): Promise<void> {
  const a = parseCli(PPO_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(PPO_CLI));
  oneMode(a, ["sweep"], { sweep: ["workers", "quick"] });
  if (a.sweep) return sweep(a.workers ?? 2, a.quick ?? false);
  const quick = a.quick ?? false;
  refuseQuickResume(quick, a.resume);
  const base = quick ? PPO_QUICK : PPO_FULL;
  const panel = a.panel ?? "hhh";
  const suffix = panel === "hhh" ? "" : `-${panel}`;
  const work = path.join(ROOT, "build", `ppo${suffix}${quick ? "-quick" : ""}`);
  const rmDir = `${PPO_PATHS.rm}${suffix}`;
  const ptx = a.ptx ?? 0;
  const U = updatesPerRollout(base);
  const config = ppoConfig(
    {
      ...(a.steps ? { steps: a.steps } : {}),
      seed: a.seed ?? 0,
      advantage: (a.advantage ?? base.advantage) as Advantage,
      beta: a.beta ?? base.beta,
      ptxCoef: ptx,
      checkpointEvery: quick ? 0 : 10 * U,
      // The curves start at SFT itself: the same thinned sets at update 0.
      evalAtStart: true,
    },
    base,
  );
  if (a.resume) {
    if (!fs.existsSync(path.join(work, "run.json")))
      throw new Error(`--resume: no in-progress run at ${work}; start without --resume`);
    const previous = loadRun(work, "ppo").config;
    checkResumable(previous, config, path.join(work, "run.json"), PPO_FIXED_ON_RESUME);
    checkScheduleUnchanged(previous, config, path.join(work, "run.json"), { scheduleFlags: false });
  }
  const out =
    a.out ?? (quick ? path.join(ROOT, "build", "models", `ppo${suffix}-quick`) : `${PPO_PATHS.out}${suffix}`);
  checkOutput({
    out,
    what: "PPO policy",
    ours: runOfKind("ppo"),
    reads: [PPO_PATHS.sft, rmDir],
    force: a.force,
  });
  const backend = await initBackend();
  const inputs = loadPpoInputs({ rm: rmDir }, { hhh: true });
  const resumedAt = a.resume ? savedStep(work) : 0;
  const t = Date.now();
  const { policy, run } = await runPpo({
    inputs,
    config,
    lengthBias: a["length-bias"] ?? 0,
    ptx: ptx > 0 ? pretrainingTokens(inputs) : undefined,
    // The HHH rates every evalEvery updates: notebook 05's curves (greedy, so no sampling seed is used).
    evaluate: hhhMonitor(inputs.tokenizer, readHhhSets({ quick }), goldReward),
    checkpointDir: quick ? undefined : work,
    resumeFrom: a.resume ? work : undefined,
    progress: progress(config.steps, { label: "ppo" }),
  });
  const minutes = (Date.now() - t) / 60000;
  const ev = evaluateRlhf(inputs, policy, config, { quick });
  const lm = policy.withoutScalarHead();
  const hhh = hhhPolicyEval(inputs.sft, lm, inputs.tokenizer, readHhhSets({ quick }), goldReward);
  run.checkpoint = path.relative(ROOT, out);
  run.notes = {
    ...run.notes,
    base: path.relative(ROOT, PPO_PATHS.sft),
    rewardModel: path.relative(ROOT, rmDir),
    panel,
    evaluation: ev,
    hhh,
  };
  await saveCheckpoint(out, { model: lm, tokenizer: inputs.tokenizer, run, step: config.steps });
  console.log(
    `trained ${trainedHere(config.steps, resumedAt, "updates")} in ${minutes.toFixed(1)} min on ${backend.name}.`,
  );
  console.log(ppoSummary(ev));
  console.log(hhhSummary(hhh).join("\n"));
  console.log(
    `saved ${path.relative(ROOT, out)}/; check it with npm run --silent eval -- --model ${path.relative(ROOT, out)} ` +
      `--prompts data/sft/prompts_heldout.jsonl --gold --reference data/models/sft --samples 4`,
  );
}

/** The record notebook 05 reads: every sweep run's held-out measurements and curves. */
async function sweep(workers: number, quick: boolean): Promise<void> {
  const backend = await initBackend();
  const grid = quick ? PPO_SWEEP_QUICK : PPO_SWEEP;
  const jobs = sweepJobs(grid);
  const t = Date.now();
  const command = `npm run ppo -- --sweep${quick ? " --quick" : ""} --workers ${workers}`;
  const rows = await runPoolResumable<null, PpoJob, SweepResult>(`ppo${quick ? "-quick" : ""}`, command, {
    worker: "ppo-worker.ts",
    inputs: null,
    jobs,
    name: jobLabel,
    workers,
    progress: progress(jobs.length * grid.steps, { label: "ppo sweep" }),
    onResult: (r) =>
      console.log(
        `${jobLabel(r.job)}: sampled gold ${r.sampled.gold.mean.toFixed(3)}, KL ${r.sampled.kl.mean.toFixed(2)}, ` +
          `greedy gold ${r.greedy.gold.mean.toFixed(3)}, knowledge ${pct(r.knowledge)} (${r.seconds.toFixed(0)} s)`,
      ),
  });
  const file = quick ? path.join(ROOT, "build", "ppo_sweep-quick.json") : PPO_SWEEP_FILE;
  const record = {
    command,
    grid,
    backend,
    versions: versions(backend.tfjsVersion),
    startedAt: new Date(t).toISOString(),
    durationS: (Date.now() - t) / 1000,
    rows,
  };
  fs.writeFileSync(file, JSON.stringify(record) + "\n");
  console.log(
    `wrote ${path.relative(ROOT, file)} (${rows.length} runs, ${(record.durationS / 60).toFixed(1)} min)`,
  );
}

if (require.main === module) runMain(main);
