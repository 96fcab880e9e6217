/**
 * `npm run ppo [-- --quick] [--resume] [--steps N] [--seed N] [--advantage gae|rloo|grpo] [--beta B]
 *               [--length-bias X] [--ptx G] [--out DIR]`
 *
 * InstructGPT's third step, from the committed SFT model and reward model:
 * PPO (PPO_FULL in src/train/ppo.ts) on the policy prompt pool
 * (data/sft/prompts_policy.jsonl), KL-penalised to the SFT model. Then the
 * SFT model and the policy answer the prompts the policy trained on and the
 * held-out prompts (data/sft/eval_heldin.jsonl), greedily, and sample
 * responses there at temperature 1; the run record keeps the gold reward by
 * kind with intervals, the paired gain over SFT, answer rate, exact match
 * and the sampled KL to SFT. Saves the policy without its value head, the
 * tokenizer and the run record to data/models/ppo/.
 *
 * Checkpoints go to build/ppo/ every 40 updates (continue with --resume);
 * --quick runs a seconds-long version into build/models/ppo-quick.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { progress } from "../display/progress";
import {
  evaluateRlhf,
  loadPpoInputs,
  PPO_PATHS,
  ppoSummary,
  pretrainingTokens,
  runPpo,
} from "../experiments/ppo";
import { saveCheckpoint } from "../model/checkpoint";
import { loadRun } from "../run-record";
import { checkResumable, checkScheduleUnchanged } from "../train/loop";
import { ADVANTAGES, Advantage, PPO_FULL, PPO_QUICK, ppoConfig, updatesPerRollout } from "../train/ppo";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

const ROOT = path.resolve(__dirname, "..", "..");

export const PPO_CLI = {
  name: "ppo",
  usage:
    "usage: npm run ppo [-- --quick] [--resume] [--steps N] [--seed N] [--advantage gae|rloo|grpo] [--beta B] [--length-bias X] [--ptx G] [--out DIR]",
  summary:
    "RLHF: PPO from data/models/sft against data/models/rm, KL-penalised to SFT; saves data/models/ppo (--quick: build/models/ppo-quick).",
  flags: {
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
    out: { type: "string", arg: "DIR", doc: "where the final policy goes", default: "data/models/ppo" },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

async function main(argv: string[]): Promise<void> {
  const a = parseCli(PPO_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(PPO_CLI));
  const quick = a.quick ?? false;
  const base = quick ? PPO_QUICK : PPO_FULL;
  const work = path.join(ROOT, "build", quick ? "ppo-quick" : "ppo");
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
    },
    base,
  );
  if (a.resume) {
    if (!fs.existsSync(path.join(work, "run.json")))
      throw new Error(`--resume: no in-progress run at ${work}; start without --resume`);
    const previous = loadRun(work, "ppo").config;
    checkResumable(previous, config, path.join(work, "run.json"));
    checkScheduleUnchanged(previous, config, path.join(work, "run.json"));
  }
  const backend = await initBackend();
  const inputs = loadPpoInputs();
  const t = Date.now();
  const { policy, run } = await runPpo({
    inputs,
    config,
    lengthBias: a["length-bias"] ?? 0,
    ptx: ptx > 0 ? pretrainingTokens(inputs) : undefined,
    checkpointDir: quick ? undefined : work,
    resumeFrom: a.resume ? work : undefined,
    progress: progress(config.steps, { label: "ppo" }),
  });
  const minutes = (Date.now() - t) / 60000;
  const ev = evaluateRlhf(inputs, policy, config, { quick });
  const out = a.out ?? (quick ? path.join(ROOT, "build", "models", "ppo-quick") : PPO_PATHS.out);
  run.checkpoint = path.relative(ROOT, out);
  run.notes = {
    ...run.notes,
    base: path.relative(ROOT, PPO_PATHS.sft),
    rewardModel: path.relative(ROOT, PPO_PATHS.rm),
    evaluation: ev,
  };
  const lm = policy.withoutScalarHead();
  await saveCheckpoint(out, { model: lm, tokenizer: inputs.tokenizer, run, step: config.steps });
  console.log(`trained ${config.steps} updates in ${minutes.toFixed(1)} min on ${backend.name}.`);
  console.log(ppoSummary(ev));
  console.log(
    `saved ${path.relative(ROOT, out)}/; check it with npm run --silent eval -- --model ${path.relative(ROOT, out)} ` +
      `--prompts data/sft/eval_heldin.jsonl --gold --reference data/models/sft --samples 4`,
  );
}

if (require.main === module) runMain(main);
