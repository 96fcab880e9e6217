/**
 * `npm run sft [-- --quick] [-- --resume] [-- --steps N] [-- --seed N] [-- --mask M] [-- --out DIR]`
 *
 * Instruction-tunes the base model (data/models/base) on data/sft/train.jsonl
 * with the SFT_FULL recipe (assistant-only loss, replay of pretraining text)
 * and writes the model, tokenizer and run record to data/models/sft/
 * (committed, ~3.5 MB). The run record holds the loss curves, the knowledge
 * probe and answer rate during training, the per-step sample responses and
 * the final scores on every eval set. In-progress checkpoints go to build/sft/
 * (continue an interrupted run with --resume). --quick runs a minute-long
 * version into build/models/sft-quick.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { MASK_MODES, MaskMode } from "../chat/template";
import { sftExamples } from "../data/sft-data";
import { pct } from "../display/report";
import { progress } from "../display/progress";
import { evaluateSets, SET_LABELS } from "../eval/suite";
import { loadSftInputs, SFT_PATHS, sftMonitor, validationExamples } from "../experiments/sft";
import { saveCheckpoint } from "../model/checkpoint";
import { metricValue } from "../metrics";
import { loadRun } from "../run-record";
import { SFT_FULL, SFT_QUICK, sftConfig, trainSft } from "../train/sft";

const ROOT = path.resolve(__dirname, "..", "..");
const USAGE = "usage: npm run sft [-- --quick] [--resume] [--steps N] [--seed N] [--mask assistant|prompt-and-answer|all] [--out DIR]";

interface Args { quick: boolean; resume: boolean; steps?: number; seed: number; mask: MaskMode; out?: string }

export function parseSftArgs(argv: string[]): Args {
  const a: Args = { quick: false, resume: false, seed: 0, mask: "assistant" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => { if (i + 1 >= argv.length) throw new Error(`sft: ${flag} needs a value\n${USAGE}`); return argv[++i]; };
    const num = () => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 0) throw new Error(`sft: ${flag} needs a whole number, got ${argv[i]}`);
      return v;
    };
    if (flag === "--quick") a.quick = true;
    else if (flag === "--resume") a.resume = true;
    else if (flag === "--steps") a.steps = num();
    else if (flag === "--seed") a.seed = num();
    else if (flag === "--out") a.out = value();
    else if (flag === "--mask") {
      const m = value();
      if (!MASK_MODES.includes(m as MaskMode)) throw new Error(`sft: --mask must be one of ${MASK_MODES.join(", ")}, got ${m}`);
      a.mask = m as MaskMode;
    } else throw new Error(`sft: unknown option ${flag}\n${USAGE}`);
  }
  return a;
}

async function main(argv: string[]): Promise<void> {
  const args = parseSftArgs(argv);
  const work = path.join(ROOT, "build", args.quick ? "sft-quick" : "sft");
  if (args.resume && !fs.existsSync(path.join(work, "config.json"))) throw new Error(`--resume: no in-progress run at ${work}; start without --resume`);
  const backend = await initBackend();
  const inputs = loadSftInputs();
  const { model, tokenizer } = inputs.base;
  const config = sftConfig({ ...(args.steps ? { steps: args.steps } : {}), seed: args.seed, checkpointEvery: args.quick ? 0 : 50 }, args.quick ? SFT_QUICK : SFT_FULL);
  const train = sftExamples(tokenizer, inputs.records, model.config.contextLength, { mask: args.mask });
  const val = validationExamples(inputs);
  // An interrupted run's samples and step-0 row live in its checkpoint's run.json.
  const previous = args.resume ? loadRun(work, "sft").notes : undefined;
  const monitor = sftMonitor(inputs, model, { previous: previous && { samples: previous.samples ?? [], history: previous.monitor ?? [] } });
  if (!args.resume) monitor.evaluate(0);
  const done = args.resume ? (JSON.parse(fs.readFileSync(path.join(work, "config.json"), "utf8")) as { step: number }).step : 0;
  console.log(`SFT of ${path.relative(ROOT, inputs.base.dir)} on ${train.length} conversations (mask: ${args.mask}), ${val.length} validation answers; ` +
    `${config.steps} steps × ${config.batchSize} + ${config.replayBatchSize} replay windows, lr ${config.lr}, on ${backend.name}`);

  const t = Date.now();
  const run = await trainSft({
    model, tokenizer, train, val, replay: inputs.replay, config, checkpointDir: work, resumeFrom: args.resume ? work : undefined,
    evaluate: (step) => monitor.evaluate(step),
    progress: progress(Math.max(0, config.steps - done), { label: done ? `sft (from step ${done})` : "sft" }),
    notes: { base: path.relative(ROOT, inputs.base.dir), samples: monitor.samples, monitor: monitor.history },
  });
  const results = evaluateSets(model, tokenizer, inputs.sets);
  const out = args.out ?? (args.quick ? path.join(ROOT, "build", "models", "sft-quick") : SFT_PATHS.out);
  run.checkpoint = path.relative(ROOT, out);
  run.notes = { ...run.notes, eval: Object.fromEntries(results.map((r) => [r.set, { ...r.summary, by_cluster: r.byCluster }])) };
  await saveCheckpoint(out, { model, tokenizer, run, step: config.steps });
  const last = run.evals[run.evals.length - 1];
  console.log(`done in ${((Date.now() - t) / 60000).toFixed(1)} min: validation answer loss ${metricValue(last, "val/sft_loss").toFixed(3)}, knowledge probe ${pct(last["probe/cloze_accuracy"])} (base ${pct(monitor.history[0]["probe/cloze_accuracy"])})`);
  console.log("eval set                      n   answer  contin.  other  exact match");
  for (const r of results) {
    const s = r.summary;
    console.log(`${SET_LABELS[r.set].padEnd(26)} ${String(s.n).padStart(4)}  ${pct(s.answer_rate).padStart(6)}  ${pct(s.continuation_rate).padStart(6)}  ${pct(s.other_rate).padStart(6)}  ${pct(s.exact_match).padStart(6)}`);
  }
  console.log(`saved ${path.relative(ROOT, out)}/ (model, tokenizer.json, run.json); reproduce a row with npm run eval -- --model ${path.relative(ROOT, out)} --prompts data/sft/eval_<set>.jsonl`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
