/**
 * `npm run pretrain [-- --quick] [-- --resume] [-- --steps N] [-- --seed N] [-- --out DIR]
 *                   [-- --decay-steps N] [-- --allow-schedule-change]`
 *
 * Rebuilds the base model from scratch: the corpus (from the committed
 * WordNet facts, if data/corpus is missing or stale), a 1,024-token BPE
 * tokenizer, and the 2.0 M-parameter BASE_MODEL GPT pretrained on it. In-progress
 * checkpoints go to build/pretrain/ (resume with --resume); the final model,
 * tokenizer and run record go to data/models/base/ (committed, ~3.5 MB).
 * --quick trains for seconds on a slice of the corpus, into build/models/base-quick.
 * --resume refuses a changed learning-rate schedule (e.g. --steps 1600 on a run
 * whose cosine ended at 1100) unless --decay-steps keeps it or
 * --allow-schedule-change allows the warm restart.
 * --width N trains the same recipe at another residual width (heads of 32
 * dimensions, same tokenizer and depth): the models of the scale ablation
 * (notebook 08), e.g. `npm run pretrain -- --width 64 --out data/models/base-d64`.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { DEFAULT_CORPUS, buildCorpus } from "../data/corpus";
import { Headword, ONE_WAY_RELATION, probeItems } from "../data/facts";
import { pretrainingCorpus, wordGroups } from "../data/world";
import { readFactsFile } from "../data/facts-file";
import { PATHS } from "../data/paths";
import { progress } from "../display/progress";
import { ProbeResult, clozeProbe, probeByGroup } from "../eval/probe";
import { MetricRow, metricValue, StepRow } from "../metrics";
import { saveCheckpoint } from "../model/checkpoint";
import { BASE_MODEL, gptConfig } from "../model/config";
import { GPT } from "../model/gpt";
import { trainBpe } from "../tokenizer/index";
import { loadRun } from "../run-record";
import { checkResumable, checkScheduleUnchanged } from "../train/loop";
import { PRETRAIN_FULL, PRETRAIN_QUICK, pretrain, pretrainConfig, tokenStream } from "../train/pretrain";
import { checkOutput, runOfKind } from "../output";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

const ROOT = path.resolve(__dirname, "..", "..");

export const PRETRAIN_CLI = {
  name: "pretrain",
  usage:
    "usage: npm run pretrain [-- --quick] [--resume] [--steps N] [--seed N] [--out DIR] [--decay-steps N] [--allow-schedule-change] [--width N]",
  summary:
    "Rebuild the tokenizer and the base model from the corpus (data/models/base; --quick: build/models/base-quick).",
  listOptions: true,
  flags: {
    quick: { type: "boolean", doc: "train for seconds on a slice of the corpus" },
    resume: { type: "boolean", doc: "continue the in-progress run in build/pretrain" },
    steps: { type: "int", min: 0, doc: "optimizer steps (0: the recipe's)", default: PRETRAIN_FULL.steps },
    seed: { type: "int", doc: "random seed", default: 0 },
    out: { type: "string", arg: "DIR", doc: "where the final model goes", default: "data/models/base" },
    force: { type: "boolean", doc: "replace an --out folder that holds something this command did not make" },
    checkpoints: {
      type: "string",
      arg: "DIR",
      doc: "in-progress checkpoints (what --resume continues)",
      default: "build/pretrain (--quick: build/pretrain-quick)",
    },
    "decay-steps": { type: "int", min: 1, doc: "step where the cosine lr decay ends", default: "--steps" },
    "allow-schedule-change": { type: "boolean", doc: "let --resume change the lr schedule (a warm restart)" },
    width: {
      type: "int",
      min: 32,
      doc: "residual width (a multiple of 32; heads of 32 dimensions)",
      default: BASE_MODEL.dModel,
    },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

async function main(argv: string[]): Promise<void> {
  const args = parseCli(PRETRAIN_CLI, argv);
  if (args.help) {
    process.stdout.write(helpText(PRETRAIN_CLI));
    return;
  }
  const shape = modelShape(args.width);
  const suffix = shape === BASE_MODEL ? "" : `-d${shape.dModel}`;
  const work =
    args.checkpoints ?? path.join(ROOT, "build", (args.quick ? "pretrain-quick" : "pretrain") + suffix);
  const base = args.quick ? PRETRAIN_QUICK : PRETRAIN_FULL;
  const config = pretrainConfig(
    {
      ...(args.steps ? { steps: args.steps } : {}),
      ...(args["decay-steps"] ? { decaySteps: args["decay-steps"] } : {}),
      seed: args.seed ?? 0,
    },
    base,
  );
  // Checked before the corpus is built, so a mistaken --resume fails at once.
  if (args.resume && !fs.existsSync(path.join(work, "config.json")))
    throw new Error(`--resume: no in-progress run at ${work}; start without --resume`);
  if (args.resume) {
    const recorded = loadRun(work, "pretrain").config;
    checkResumable(recorded, config, path.join(work, "run.json"));
    if (!args["allow-schedule-change"]) checkScheduleUnchanged(recorded, config, path.join(work, "run.json"));
  }
  const out =
    args.out ??
    (args.quick ? path.join(ROOT, "build", "models", "base-quick" + suffix) : PATHS.baseModel + suffix);
  checkOutput({ out, what: "base model", ours: runOfKind("pretrain"), force: args.force });
  const backend = await initBackend();
  const facts = readFactsFile();
  const corpus = pretrainingCorpus();
  const docs = args.quick ? corpus.train.slice(0, 3000) : corpus.train;
  const valDocs = args.quick ? corpus.val.slice(0, 200) : corpus.val;

  const { tokenizer, train, val } = tokenize(facts.headwords, docs, valDocs, args.quick ?? false);
  const groups = wordGroups();

  const model = GPT.create(shape, config.seed);
  const items = probeItems(facts.headwords);
  // The bar counts the steps this process will run, so its rate and time left are right when resuming.
  const done = args.resume
    ? (JSON.parse(fs.readFileSync(path.join(work, "config.json"), "utf8")) as { step: number }).step
    : 0;
  console.log(
    `model: ${model.numParameters().toLocaleString("en")} parameters; ${config.steps} steps × ${config.batchSize}×${model.config.contextLength} tokens on ${backend.name}`,
  );

  const t = Date.now();
  const run = await pretrain({
    model,
    tokenizer,
    train,
    val,
    config,
    checkpointDir: work,
    resumeFrom: args.resume ? work : undefined,
    allowScheduleChange: args["allow-schedule-change"],
    progress: progress(Math.max(0, config.steps - done), {
      label: done ? `pretrain (from step ${done})` : "pretrain",
    }),
    probe: () => probeMetrics(clozeProbe(model, tokenizer, items)),
  });
  const probe = clozeProbe(model, tokenizer, items);
  const byGroup = Object.fromEntries(
    Object.entries(probeByGroup(model, tokenizer, groups)).map(([g, p]) => [
      g,
      { accuracy: p.rate, bySplit: p.bySplit },
    ]),
  );
  run.checkpoint = out;
  run.notes = {
    ...run.notes,
    probe: {
      accuracy: probe.accuracy,
      byRelation: probe.byRelation,
      bySplit: probe.bySplit,
      byDirection: probe.byDirection,
      byGroup,
    },
  };
  await saveCheckpoint(out, { model, tokenizer, run, step: config.steps });
  summarise(run, probe, items, t);
  console.log(
    "stated facts by word group: " +
      Object.entries(byGroup)
        .map(
          ([g, p]) =>
            `${g} ${pct(p.accuracy)} (train ${pct(p.bySplit.train)}, held out ${pct(p.bySplit.heldout)})`,
        )
        .join(", "),
  );
  console.log(`saved ${path.relative(ROOT, out)}/ (model, tokenizer.json, run.json)`);
}

/**
 * The tokenizer and both splits as token streams. The merges are learned
 * from the first 4 M characters of the everyday words' documents (seconds
 * instead of a minute): the corpus of the 500 headwords alone, so adding
 * word groups to the corpus (the HHH world's hazards and look-alikes) leaves
 * the vocabulary, and every committed model's, as it was. Their words are
 * spelled in two to four pieces, like the pseudo-words a model never saw.
 */
function tokenize(
  everyday: readonly Headword[],
  docs: readonly string[],
  valDocs: readonly string[],
  quick: boolean,
) {
  const t = Date.now();
  const VOCAB = BASE_MODEL.vocabSize;
  const everydayDocs = buildCorpus(everyday, { seed: DEFAULT_CORPUS.seed, targetChars: 4e6 });
  const tokenizer = trainBpe(quick ? everydayDocs.slice(0, 3000) : everydayDocs, { vocabSize: VOCAB });
  const train = tokenStream(tokenizer, docs);
  const val = tokenStream(tokenizer, valDocs);
  const chars = docs.reduce((n, d) => n + d.length, 0);
  console.log(
    `tokenizer: ${VOCAB} tokens, ${(chars / train.length).toFixed(2)} chars/token; ${train.length.toLocaleString("en")} train and ${val.length.toLocaleString("en")} val tokens (${((Date.now() - t) / 1000).toFixed(1)} s)`,
  );
  return { tokenizer, train, val };
}

/** The closing lines: validation loss and the cloze probe, overall and by relation and direction. */
function summarise(
  run: { evals: StepRow[] },
  probe: ReturnType<typeof clozeProbe>,
  items: ReturnType<typeof probeItems>,
  t: number,
) {
  const last = run.evals[run.evals.length - 1];
  const stated = items.filter((i) => i.stated && i.relation !== "definition").length;
  console.log(
    `done in ${((Date.now() - t) / 60000).toFixed(1)} min: val loss ${metricValue(last, "val/loss").toFixed(3)} nats/token, ` +
      `cloze probe ${pct(probe.accuracy)} of ${stated} stated facts ` +
      `(train words ${pct(probe.bySplit.train)}, held-out words ${pct(probe.bySplit.heldout)})`,
  );
  console.log(
    "by relation and direction: " +
      Object.entries(probe.byDirection)
        .map(([k, v]) => `${k} ${pct(v)}`)
        .join(", "),
  );
}

/** The base model's shape at another width (heads of 32 dimensions); the base model itself by default. */
export function modelShape(width: number | undefined) {
  if (width === undefined || width === BASE_MODEL.dModel) return BASE_MODEL;
  if (width % 32 !== 0) throw new Error(`--width ${width}: use a multiple of 32 (heads have 32 dimensions)`);
  return gptConfig({ ...BASE_MODEL, dModel: width, nHeads: width / 32 });
}

const pct = (x: number | undefined) => (x === undefined ? "–" : `${(100 * x).toFixed(1)}%`);

/** The probe's numbers as eval-row metrics (the run record's curve). */
function probeMetrics(p: ProbeResult): MetricRow {
  return {
    "probe/cloze_accuracy": p.accuracy,
    "probe/cloze_train": p.bySplit.train,
    "probe/cloze_heldout": p.bySplit.heldout,
    "probe/definition": p.byDirection["definition reverse"],
    "probe/one_way_reverse": p.byDirection[`${ONE_WAY_RELATION} reverse`],
  };
}

if (require.main === module) runMain(main);
