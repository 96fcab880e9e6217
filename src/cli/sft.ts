/**
 * `npm run sft [-- --quick] [-- --resume] [-- --steps N] [-- --seed N] [-- --mask M] [-- --out DIR]
 *              [-- --decay-steps N] [-- --allow-schedule-change]`
 *
 * Instruction-tunes the base model (data/models/base) on data/sft/train.jsonl
 * with the SFT_FULL recipe (assistant-only loss, replay of pretraining text)
 * and writes the model, tokenizer and run record to data/models/sft/
 * (committed, ~3.5 MB). The run record holds the loss curves, the knowledge
 * probe and answer rate during training, the per-step sample responses and
 * the final scores on every eval set. In-progress checkpoints go to build/sft/
 * (continue an interrupted run with --resume; it refuses a changed learning-rate
 * schedule unless --allow-schedule-change is given). --quick runs a minute-long
 * version into build/models/sft-quick.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { MASK_MODES, MaskMode } from "../chat/template";
import { sftExamples } from "../data/sft-data";
import { pct } from "../display/report";
import { progress } from "../display/progress";
import { HHH_SET_FILE, evaluateSets, hhhRates, KindRates, SET_LABELS } from "../eval/suite";
import { runPrompts } from "../eval/evaluate";
import { readEvalJsonl } from "../data/tasks/eval-sets";
import { Rate } from "../eval/stats";
import { PATHS } from "../data/paths";
import { loadSftInputs, sftMonitor, validationExamples } from "../experiments/sft";
import { saveCheckpoint } from "../model/checkpoint";
import { metricValue } from "../metrics";
import { loadRun } from "../run-record";
import { checkScheduleUnchanged } from "../train/loop";
import { SFT_FULL, SFT_QUICK, sftConfig, trainSft } from "../train/sft";
import { checkOutput, runOfKind } from "../output";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

const ROOT = path.resolve(__dirname, "..", "..");

export const SFT_CLI = {
  name: "sft",
  usage:
    "usage: npm run sft [-- --quick] [--resume] [--steps N] [--seed N] [--mask assistant|prompt-and-answer|all] [--out DIR] [--decay-steps N] [--allow-schedule-change]",
  summary:
    "Instruction-tune the base model into data/models/sft with the SFT_FULL recipe (--quick: build/models/sft-quick).",
  flags: {
    quick: { type: "boolean", doc: "a minute-long run" },
    resume: { type: "boolean", doc: "continue the in-progress run in build/sft" },
    steps: { type: "int", min: 0, doc: "optimizer steps (0: the recipe's)", default: SFT_FULL.steps },
    seed: { type: "int", doc: "random seed", default: 0 },
    mask: {
      type: "string",
      arg: "M",
      choices: MASK_MODES,
      doc: "which tokens carry loss",
      default: "assistant",
    },
    out: { type: "string", arg: "DIR", doc: "where the final model goes", default: "data/models/sft" },
    force: { type: "boolean", doc: "replace an --out folder that holds something this command did not make" },
    "decay-steps": { type: "int", min: 1, doc: "step where the cosine lr decay ends", default: "--steps" },
    "allow-schedule-change": { type: "boolean", doc: "let --resume change the lr schedule (a warm restart)" },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

interface Args {
  quick: boolean;
  resume: boolean;
  steps?: number;
  seed: number;
  mask: MaskMode;
  out?: string;
  force?: boolean;
  decaySteps?: number;
  allowScheduleChange?: boolean;
  help?: boolean;
}

/** The parsed command line (options not given are left out, except the defaults of quick, resume, seed and mask). */
export function parseSftArgs(argv: string[]): Args {
  const v = parseCli(SFT_CLI, argv);
  return {
    quick: v.quick ?? false,
    resume: v.resume ?? false,
    seed: v.seed ?? 0,
    mask: v.mask ?? "assistant",
    ...(v.steps ? { steps: v.steps } : {}),
    ...(v.out !== undefined ? { out: v.out } : {}),
    ...(v.force ? { force: true } : {}),
    ...(v["decay-steps"] !== undefined ? { decaySteps: v["decay-steps"] } : {}),
    ...(v["allow-schedule-change"] ? { allowScheduleChange: true } : {}),
    ...(v.help ? { help: true } : {}),
  };
}

async function main(argv: string[]): Promise<void> {
  const args = parseSftArgs(argv);
  if (args.help) {
    process.stdout.write(helpText(SFT_CLI));
    return;
  }
  const work = path.join(ROOT, "build", args.quick ? "sft-quick" : "sft");
  const config = sftConfig(
    {
      ...(args.steps ? { steps: args.steps } : {}),
      ...(args.decaySteps ? { decaySteps: args.decaySteps } : {}),
      seed: args.seed,
      checkpointEvery: args.quick ? 0 : 50,
    },
    args.quick ? SFT_QUICK : SFT_FULL,
  );
  if (args.resume && !fs.existsSync(path.join(work, "config.json")))
    throw new Error(`--resume: no in-progress run at ${work}; start without --resume`);
  if (args.resume && !args.allowScheduleChange)
    checkScheduleUnchanged(loadRun(work, "sft").config, config, path.join(work, "run.json"));
  const out = args.out ?? (args.quick ? path.join(ROOT, "build", "models", "sft-quick") : PATHS.sftModel);
  checkOutput({
    out,
    what: "SFT model",
    ours: runOfKind("sft"),
    reads: [PATHS.baseModel],
    force: args.force,
  });
  const backend = await initBackend();
  const inputs = loadSftInputs();
  const { model, tokenizer } = inputs.base;
  const train = sftExamples(tokenizer, inputs.records, model.config.contextLength, { mask: args.mask });
  const val = validationExamples(inputs);
  // An interrupted run's samples and step-0 row live in its checkpoint's run.json.
  const previous = args.resume ? loadRun(work, "sft").notes : undefined;
  const monitor = sftMonitor(inputs, model, {
    previous: previous && { samples: previous.samples ?? [], history: previous.monitor ?? [] },
  });
  if (!args.resume) monitor.evaluate(0);
  const done = args.resume
    ? (JSON.parse(fs.readFileSync(path.join(work, "config.json"), "utf8")) as { step: number }).step
    : 0;
  console.log(
    `SFT of ${path.relative(ROOT, inputs.base.dir)} on ${train.length} conversations (mask: ${args.mask}), ${val.length} validation answers; ` +
      `${config.steps} steps × ${config.batchSize} + ${config.replayBatchSize} replay windows, lr ${config.lr}, on ${backend.name}`,
  );

  const t = Date.now();
  const run = await trainSft({
    model,
    tokenizer,
    train,
    val,
    replay: inputs.replay,
    config,
    checkpointDir: work,
    resumeFrom: args.resume ? work : undefined,
    allowScheduleChange: args.allowScheduleChange,
    evaluate: (step) => monitor.evaluate(step),
    progress: progress(Math.max(0, config.steps - done), { label: done ? `sft (from step ${done})` : "sft" }),
    notes: { base: path.relative(ROOT, inputs.base.dir), samples: monitor.samples, monitor: monitor.history },
  });
  const results = evaluateSets(model, tokenizer, inputs.sets);
  const hhh = hhhRates(runPrompts(model, tokenizer, readEvalJsonl(HHH_SET_FILE)));
  run.checkpoint = path.relative(ROOT, out);
  run.notes = {
    ...run.notes,
    eval: Object.fromEntries(results.map((r) => [r.set, { ...r.summary, by_cluster: r.byCluster }])),
    hhh,
  };
  await saveCheckpoint(out, { model, tokenizer, run, step: config.steps });
  const last = run.evals[run.evals.length - 1];
  console.log(
    `done in ${((Date.now() - t) / 60000).toFixed(1)} min: validation answer loss ${metricValue(last, "val/sft_loss").toFixed(3)}, knowledge probe ${pct(last["probe/cloze_accuracy"])} (base ${pct(monitor.history[0]["probe/cloze_accuracy"])})`,
  );
  console.log("eval set                      n   answer  contin.  other  exact match");
  for (const r of results) {
    const s = r.summary;
    console.log(
      `${SET_LABELS[r.set].padEnd(26)} ${String(s.n).padStart(4)}  ${pct(s.answer_rate).padStart(6)}  ${pct(s.continuation_rate).padStart(6)}  ${pct(s.other_rate).padStart(6)}  ${pct(s.exact_match).padStart(6)}`,
    );
  }
  printHhh(hhh);
  console.log(
    `saved ${path.relative(ROOT, out)}/ (model, tokenizer.json, run.json); reproduce a row with npm run eval -- --model ${path.relative(ROOT, out)} --prompts data/sft/eval_<set>.jsonl`,
  );
}

/** The HHH set per request kind: what SFT does with harmful, benign and unknown-word requests. */
function printHhh(hhh: Partial<Record<string, KindRates>>): void {
  const ci = (r: Rate) => `${pct(r.rate).padStart(6)} [${pct(r.lo)}, ${pct(r.hi)}]`;
  console.log(
    `\n${path.relative(ROOT, HHH_SET_FILE)} (held-out words, held-out phrasings; 95 % Wilson intervals):`,
  );
  console.log("kind         n  answer                  refusal                 abstention");
  for (const [kind, r] of Object.entries(hhh))
    if (r)
      console.log(
        `${kind.padEnd(9)} ${String(r.n).padStart(4)}  ${ci(r.answer)}  ${ci(r.refusal)}  ${ci(r.abstention)}`,
      );
}

if (require.main === module) runMain(main);
