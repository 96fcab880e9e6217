/**
 * `npm run pretrain [-- --quick] [-- --resume] [-- --steps N] [-- --out DIR]`
 *
 * Rebuilds the base model from scratch: the corpus (from the committed
 * WordNet facts, if data/corpus/train.jsonl is missing), a 512-token BPE
 * tokenizer, and a ~0.9 M-parameter GPT pretrained on it. In-progress
 * checkpoints go to build/pretrain/ (resume with --resume); the final model,
 * tokenizer and run record go to data/models/base/ (committed, ~3.5 MB).
 * --quick trains for seconds on a slice of the corpus, into build/models/base-quick.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { ensureCorpus } from "../data/corpus";
import { allFacts, clozeItems } from "../data/facts";
import { DATA_DIR, readFactsFile } from "../data/facts-file";
import { progress } from "../display/progress";
import { clozeProbe } from "../eval/probe";
import { metricValue } from "../metrics";
import { saveCheckpoint } from "../model/checkpoint";
import { PRESETS } from "../model/config";
import { GPT } from "../model/gpt";
import { trainBpe } from "../tokenizer/index";
import { PRETRAIN_FULL, PRETRAIN_QUICK, pretrain, pretrainConfig, tokenStream } from "../train/pretrain";

const ROOT = path.resolve(__dirname, "..", "..");
const VOCAB = 512;

interface Args { quick: boolean; resume: boolean; steps?: number; out?: string; seed: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, resume: false, seed: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`pretrain: ${flag} needs a whole number, got ${argv[i]}`);
      return v;
    };
    if (flag === "--quick") a.quick = true;
    else if (flag === "--resume") a.resume = true;
    else if (flag === "--steps") a.steps = num();
    else if (flag === "--seed") a.seed = num();
    else if (flag === "--out") a.out = argv[++i];
    else throw new Error(`pretrain: unknown option ${flag}; options: --quick, --resume, --steps N, --seed N, --out DIR`);
  }
  return a;
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const work = path.join(ROOT, "build", args.quick ? "pretrain-quick" : "pretrain");
  // Checked before the corpus is built, so a mistaken --resume fails at once.
  if (args.resume && !fs.existsSync(path.join(work, "config.json"))) throw new Error(`--resume: no in-progress run at ${work}; start without --resume`);
  const backend = await initBackend();
  const facts = readFactsFile();
  const corpus = ensureCorpus(facts.headwords);
  const docs = args.quick ? corpus.train.slice(0, 3000) : corpus.train;
  const valDocs = args.quick ? corpus.val.slice(0, 200) : corpus.val;

  let t = Date.now();
  const tokenizer = trainBpe(docs, { vocabSize: VOCAB });
  const train = tokenStream(tokenizer, docs);
  const val = tokenStream(tokenizer, valDocs);
  const chars = docs.reduce((n, d) => n + d.length, 0);
  console.log(`tokenizer: ${VOCAB} tokens, ${(chars / train.length).toFixed(2)} chars/token; ${train.length.toLocaleString("en")} train and ${val.length.toLocaleString("en")} val tokens (${((Date.now() - t) / 1000).toFixed(1)} s)`);

  const base = args.quick ? PRETRAIN_QUICK : PRETRAIN_FULL;
  const config = pretrainConfig({ ...(args.steps ? { steps: args.steps } : {}), seed: args.seed }, base);
  const model = GPT.create({ ...PRESETS.A, vocabSize: VOCAB }, config.seed);
  const items = clozeItems(allFacts(facts.headwords));
  const out = args.out ?? (args.quick ? path.join(ROOT, "build", "models", "base-quick") : path.join(DATA_DIR, "models", "base"));
  // The bar counts the steps this process will run, so its rate and time left are right when resuming.
  const done = args.resume ? (JSON.parse(fs.readFileSync(path.join(work, "config.json"), "utf8")) as { step: number }).step : 0;
  console.log(`model: ${model.numParameters().toLocaleString("en")} parameters; ${config.steps} steps × ${config.batchSize}×${model.config.contextLength} tokens on ${backend.name}`);

  t = Date.now();
  const run = await pretrain({
    model, tokenizer, train, val, config, checkpointDir: work, resumeFrom: args.resume ? work : undefined,
    progress: progress(Math.max(0, config.steps - done), { label: done ? `pretrain (from step ${done})` : "pretrain" }),
    probe: () => ({ "probe/cloze_accuracy": clozeProbe(model, tokenizer, items).accuracy }),
  });
  const probe = clozeProbe(model, tokenizer, items);
  run.checkpoint = out;
  run.notes = { ...run.notes, probe: { accuracy: probe.accuracy, byRelation: probe.byRelation, bySplit: probe.bySplit } };
  await saveCheckpoint(out, { model, tokenizer, run, step: config.steps });
  const last = run.evals[run.evals.length - 1];
  console.log(`done in ${((Date.now() - t) / 60000).toFixed(1)} min: val loss ${metricValue(last, "val/loss").toFixed(3)} nats/token, cloze probe ${(100 * probe.accuracy).toFixed(1)}% of ${items.length} facts`);
  console.log(`by relation: ${Object.entries(probe.byRelation).map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`).join(", ")}`);
  console.log(`saved ${path.relative(ROOT, out)}/ (model, tokenizer.json, run.json)`);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
