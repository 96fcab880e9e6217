/**
 * SFT experiments: everything `npm run sft` and notebook 03 share. The inputs
 * (base model, instruction data, eval sets, replay text, knowledge probe) are
 * loaded once; an *arm* is one SFT run from the base model with a mask mode, a
 * training-set size and config overrides, scored on the same eval sets. The
 * masking, data-size and replay ablations are lists of arms.
 */
import { pretrainingCorpus } from "../data/world";
import { ClozeItem, clozeItems, Headword, statedFacts } from "../data/facts";
import { readFactsFile } from "../data/facts-file";
import { PATHS } from "../data/paths";
import { readSftJsonl, SftLine, sftExamples, answeredExamples } from "../data/sft-data";
import type { EvalSetName } from "../data/tasks/eval-sets";
import { rates, runPrompts } from "../eval/evaluate";
import { Monitor, MonitorOptions, trainingMonitor } from "../eval/monitor";
import { clozeProbe } from "../eval/probe";
import type { PromptItem } from "../data/tasks/jsonl";
import { EvalSets, loadEvalSets, thin } from "../eval/suite";
import { loadModel, LoadedModel } from "../model/load";
import { tokenStream } from "../train/pretrain";
import { SftConfig, sftConfig, trainSft } from "../train/sft";
import type { Arm, ArmJob, ArmOptions, ArmResult, InputOptions, PoolOptions } from "./arm";
import { createHash } from "crypto";
import { progress } from "../display/progress";
import { runInPool, sharedProgress } from "./pool";
import { codeHash, isCached, runCached, stableJson, sweepDir } from "./sweep";

/** The SFT experiment's inputs and output, from src/data/paths.ts (bench/sft-step.ts uses them too). */
export const SFT_PATHS = Object.freeze({ base: PATHS.baseModel, train: PATHS.sftTrain, out: PATHS.sftModel });

/** What every SFT run of an experiment starts from. */
export interface SftInputs {
  base: LoadedModel;
  headwords: Headword[];
  /** The instruction-tuning conversations (data/sft/train.jsonl). */
  records: SftLine[];
  sets: EvalSets;
  /** Raw pretraining tokens for replay. */
  replay: Int32Array;
  /** Every stated fact of the vocabulary (both directions of the two-way ones) as a cloze prompt: the knowledge probe. */
  cloze: ClozeItem[];
  /** How these were loaded (so worker processes can load the same). */
  options?: InputOptions;
}

export function loadSftInputs(o: InputOptions = {}): SftInputs {
  const base = loadModel(o.base ?? SFT_PATHS.base);
  const { headwords } = readFactsFile();
  const corpus = pretrainingCorpus();
  return {
    base,
    headwords,
    records: readSftJsonl(o.train ?? SFT_PATHS.train),
    sets: loadEvalSets(),
    replay: tokenStream(base.tokenizer, corpus.train.slice(0, o.replayDocs ?? 5000)),
    cloze: clozeItems(statedFacts(headwords)),
    options: o,
  };
}

// subsetRecords lives in src/data/sft-data.ts; re-exported for the SFT notebook and tests.
export { subsetRecords } from "../data/sft-data";
import { subsetRecords } from "../data/sft-data";

/** The fixed prompts of the per-step sample table: the first item of a few telling tasks. */
export function samplePrompts(
  sets: EvalSets,
  tasks: Partial<Record<EvalSetName, string[]>> = SAMPLE_TASKS,
): PromptItem[] {
  return (Object.entries(tasks) as [EvalSetName, string[]][]).flatMap(([set, names]) =>
    names.map((name) => {
      const it = sets[set].find((x) => x.task === name);
      if (!it) throw new Error(`samplePrompts: no "${name}" item in the ${set} set`);
      return it;
    }),
  );
}

export const SAMPLE_TASKS: Readonly<Partial<Record<EvalSetName, string[]>>> = Object.freeze({
  knowledge_heldout_words: ["antonym", "synonym", "category"],
  heldin: ["passage_fact", "sentiment", "uppercase", "add"],
  new_phrasings: ["antonym"],
  heldout_clusters: ["dictionary_translate"],
});

/** Train a copy of the base model as `arm` says, score it, and dispose of it. */
export async function runArm<S extends EvalSetName>(
  inputs: SftInputs,
  arm: Arm,
  base: Readonly<SftConfig>,
  o: ArmOptions<S>,
): Promise<ArmResult<S>> {
  const config = sftConfig(arm.config ?? {}, base);
  const mask = arm.mask ?? "assistant";
  const records =
    arm.trainSize === undefined ? inputs.records : subsetRecords(inputs.records, arm.trainSize, config.seed);
  const { tokenizer } = inputs.base;
  const model = inputs.base.model.clone();
  try {
    const t0 = Date.now();
    const train = sftExamples(tokenizer, records, model.config.contextLength, { mask });
    const run = await trainSft({
      model,
      tokenizer,
      train,
      replay: inputs.replay,
      config,
      progress: o.progress,
    });
    const sets = {} as ArmResult<S>["sets"];
    for (const name of Object.keys(o.sets) as S[]) {
      sets[name] = rates(
        runPrompts(model, tokenizer, o.sets[name], { format: "chat", maxNewTokens: o.maxNewTokens ?? 32 }),
      );
    }
    const cloze = clozeProbe(model, tokenizer, inputs.cloze).accuracy;
    return {
      group: arm.group,
      label: arm.label,
      seed: config.seed,
      mask,
      trainSize: records.length,
      replay: config.replayBatchSize > 0,
      sets,
      cloze,
      seconds: (Date.now() - t0) / 1000,
      run,
    };
  } finally {
    model.dispose();
  }
}

/**
 * Run arms, each from the same base model: one after another in this process,
 * or with `workers` > 1 in that many child processes (src/experiments/pool.ts;
 * the same results, about `workers` times sooner on as many cores).
 * `progress`, if given, counts the optimizer steps of all arms together (one
 * bar for the whole ablation: size it with `totalSteps`).
 */
export async function runArms<S extends EvalSetName>(
  inputs: SftInputs,
  arms: readonly Arm[],
  base: Readonly<SftConfig>,
  o: PoolOptions<S>,
): Promise<ArmResult<S>[]> {
  if ((o.workers ?? 1) > 1) {
    if (!inputs.options)
      throw new Error(
        "runArms: workers > 1 needs inputs from loadSftInputs (the workers load the same files)",
      );
    // The worker scored exactly the sets it was sent (o.sets), so each result has S's sets.
    return runInPool<InputOptions, ArmJob, ArmResult<S>>({
      worker: "arm-worker.ts",
      inputs: inputs.options,
      jobs: arms.map((arm) => ({
        arm,
        base,
        sets: o.sets as ArmOptions["sets"],
        maxNewTokens: o.maxNewTokens,
      })),
      name: (j) => `ablation arm ${j.arm.group}=${j.arm.label}`,
      workers: o.workers,
      progress: o.progress,
      onResult: o.onArm,
    });
  }
  const shared = sharedProgress(o.progress);
  const out: ArmResult<S>[] = [];
  for (const arm of arms) {
    const r = await runArm(inputs, arm, base, { ...o, progress: shared });
    out.push(r);
    o.onArm?.(r, out.length - 1);
  }
  o.progress?.done();
  return out;
}

/**
 * `runArms` through the run cache (build/sweeps/<name>, see ./sweep.ts): an
 * arm already run with the same config, inputs, eval prompts and code is read
 * back; the rest run (in workers) and are cached as each finishes. The bar,
 * labelled `label`, counts the steps of the arms that run now.
 */
export async function runArmsCached<S extends EvalSetName>(
  inputs: SftInputs,
  arms: readonly Arm[],
  base: Readonly<SftConfig>,
  o: Omit<PoolOptions<S>, "progress"> & { name: string; label?: string },
): Promise<{ results: ArmResult<S>[]; cached: boolean[] }> {
  // The eval prompts are part of a job's identity: hashed, not stored in full.
  const sets = createHash("sha256").update(stableJson(o.sets)).digest("hex").slice(0, 16);
  const jobs = arms.map((arm) => ({
    arm,
    base,
    sets,
    maxNewTokens: o.maxNewTokens,
    inputs: inputs.options ?? {},
  }));
  const dir = sweepDir(o.name);
  const code = codeHash();
  const missing = arms.filter((_, i) => !isCached(dir, [jobs[i]], code)[0]);
  const bar = missing.length
    ? progress(totalSteps(missing, base), { label: o.label ?? `${missing.length} runs` })
    : undefined;
  return runCached({
    dir,
    jobs,
    code,
    run: (todo, done) =>
      runArms(
        inputs,
        todo.map((j) => j.arm),
        base,
        { ...o, progress: bar, onArm: (r, i) => done(r as ArmResult<S>, i) },
      ),
  });
}

/** Optimizer steps of a list of arms under a base config (to size a progress bar). */
export function totalSteps(arms: readonly Arm[], base: Readonly<SftConfig>): number {
  return arms.reduce((n, a) => n + sftConfig(a.config ?? {}, base).steps, 0);
}

/** A monitor for the main run: sample table, answer rate on held-in prompts, and the knowledge probe. */
export function sftMonitor(
  inputs: SftInputs,
  model = inputs.base.model,
  o: { behaviourItems?: number; previous?: MonitorOptions["previous"] } = {},
): Monitor {
  return trainingMonitor(model, inputs.base.tokenizer, {
    samples: samplePrompts(inputs.sets),
    behaviour: thin(inputs.sets.heldin, o.behaviourItems ?? 64),
    cloze: inputs.cloze,
    previous: o.previous,
  });
}

/** Held-in eval prompts with their reference answers, for the SFT validation loss. */
export function validationExamples(inputs: SftInputs, n = 200) {
  return answeredExamples(
    inputs.base.tokenizer,
    thin(inputs.sets.heldin, n),
    inputs.base.model.config.contextLength,
    "eval_heldin",
  );
}
