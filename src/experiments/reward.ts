/**
 * The reward-model stage end to end, shared by `npm run rm` and notebook 04:
 * train a reward model on a panel's ranked comparisons of SFT samples
 * (`npm run comparisons`), and measure it against the raters, against the
 * gold reward they stand in for, and per request kind.
 */
import * as path from "path";
import { PATHS } from "../data/paths";
import { readEvalJsonl } from "../data/tasks/eval-sets";
import {
  bootstrapInterval,
  CalibrationBin,
  calibrationBins,
  kendallTau,
  meanInterval,
  ols,
  spearman,
  spearmanByGroup,
  wilson,
  withinGroups,
} from "../eval/stats";
import { RankedPrompt, rankAll, sampleResponses } from "../judge/comparisons";
import { lengthBiasedPanel, rankingPairs } from "../judge/raters";
import { Rng } from "../random";
import type { GPT } from "../model/gpt";
import { averageModels } from "../model/average";
import { loadModel } from "../model/load";
import type { BpeTokenizer } from "../tokenizer/index";
import type { ProgressSink } from "../train/loop";
import { RewardConfig, RM_FULL, groupAccuracy, rewardConfig, trainReward } from "../train/reward";
import { RewardModel, normaliseRewards, rewardModel, scoreGroups } from "../model/reward-model";
import { PairGroup, rankingGroup } from "../data/preference";
import { KindWords, REQUEST_KINDS, RequestKind, requestKind } from "../data/world";
import { Behaviour, BEHAVIOURS, classify } from "../eval/behaviour";

// Where the first world's comparison data lives (committed; --sweep and --seeds read it): the paths live in src/data/paths.ts (every stage reads them); re-exported for the RM's CLI and notebook.
export { COMPARISON_PROMPTS, RLHF_DIR, RLHF_FILES } from "../data/paths";

/** What the measurement of one reward model gives. */
export interface RewardEval {
  /** Held-out pairs as the raters labelled them. */
  raters: ReturnType<typeof wilson> & { margin: number };
  /** Held-out pairs ordered by gold (gold ties skipped and counted). */
  gold: ReturnType<typeof wilson> & { ties: number };
  /** Kendall τ-b between RM and gold over each prompt's responses (prompts with a gold order). */
  kendall: ReturnType<typeof meanInterval>;
  /** Spearman ρ between RM and gold over every held-out response. */
  spearman: number;
  /**
   * The length coefficient of RM ~ gold + words within each prompt (responses
   * to the same prompt compared only): RM units per word beyond what gold
   * explains, with its 95 % interval.
   */
  lengthSlope: { estimate: number; lo: number; hi: number };
  /** Predicted P(a ≻ b) = σ(r_a − r_b) in 10 bins against how often the raters preferred a. */
  calibration: CalibrationBin[];
}

/** One group per ranked prompt with ≥ 2 responses, sequences in `responses` order. */
export function groupsOf(
  tok: BpeTokenizer,
  prompts: readonly RankedPrompt[],
  contextLength: number,
): PairGroup[] {
  return prompts
    .filter((p) => p.responses.length > 1)
    .map((p) => {
      if (!p.order) throw new Error(`prompt ${p.prompt_id} is not ranked; rank it with rankAll first`);
      return rankingGroup(tok, p.prompt_id, p.prompt, p.responses, rankingPairs(p.order), contextLength);
    });
}

/** Measure a reward model on ranked held-out prompts. */
export function evaluateRewardModel(
  rm: RewardModel,
  tok: BpeTokenizer,
  test: readonly RankedPrompt[],
): RewardEval {
  const ranked = test.filter((p) => p.responses.length > 1);
  const groups = groupsOf(tok, ranked, rm.model.config.contextLength);
  const scores = scoreGroups(rm, groups, tok.special.pad);
  const acc = groupAccuracy(groups, scores);
  let right = 0,
    n = 0,
    ties = 0;
  const taus: number[] = [];
  const flat = { rm: [] as number[], gold: [] as number[] };
  const within = { rm: [] as number[][], gold: [] as number[][], words: [] as number[][] };
  const cal: { p: number; y: number }[] = [];
  ranked.forEach((p, i) => {
    const s = scores[i];
    const g = p.responses.map((r) => r.gold);
    for (let a = 0; a < g.length; a++)
      for (let b = a + 1; b < g.length; b++) {
        if (g[a] === g[b]) ties++;
        else {
          n++;
          if (Math.sign(s[a] - s[b]) === Math.sign(g[a] - g[b])) right++;
        }
      }
    const tau = kendallTau(s, g);
    if (Number.isFinite(tau)) taus.push(tau);
    p.responses.forEach((r, j) => {
      flat.rm.push(s[j]);
      flat.gold.push(r.gold);
    });
    within.rm.push(s);
    within.gold.push(g);
    within.words.push(p.responses.map((r) => r.words));
    // Calibration: each pair of the ranking in both orientations.
    const place = new Map(p.order!.map((idx, k) => [idx, k]));
    for (let a = 0; a < g.length; a++)
      for (let b = 0; b < g.length; b++)
        if (a !== b)
          cal.push({ p: 1 / (1 + Math.exp(s[b] - s[a])), y: place.get(a)! < place.get(b)! ? 1 : 0 });
  });
  const [y, x1, x2] = [within.rm, within.gold, within.words].map(withinGroups);
  const length = ols(y.values, [x1.values, x2.values], y.groups)[2];
  return {
    raters: { ...wilson(acc.wins, acc.n), margin: acc.margin },
    gold: { ...wilson(right, n), ties },
    kendall: meanInterval(taus),
    spearman: spearman(flat.rm, flat.gold),
    lengthSlope: { estimate: length.estimate, lo: length.lo, hi: length.hi },
    calibration: calibrationBins(cal, 10),
  };
}

/** A reward model per request kind: how it orders responses against gold, and what it pays for each behaviour. */
export interface KindReward {
  /** Held-out pairs whose gold differs, ordered as gold orders them (Wilson interval). */
  gold: ReturnType<typeof wilson>;
  /** Mean normalised score of the held-out responses of each behaviour class (src/eval/behaviour.ts), with n. */
  byBehaviour: Partial<Record<Behaviour, { n: number; mean: number }>>;
}

/**
 * Per request kind (harmful, benign, unknown): the RM's gold accuracy and its
 * mean score per behaviour class. What a preference stage will learn is in
 * the second: an RM that scores refusals above answers on harmful requests,
 * and below them on benign ones, pays for refusing where it should.
 */
export function rewardByKind(
  rm: RewardModel,
  tok: BpeTokenizer,
  test: readonly RankedPrompt[],
  world: KindWords,
): Partial<Record<RequestKind, KindReward>> {
  const ranked = test.filter((p) => p.responses.length > 1);
  const scores = scoreGroups(rm, groupsOf(tok, ranked, rm.model.config.contextLength), tok.special.pad);
  const acc = new Map<RequestKind, { right: number; n: number }>();
  const paid = new Map<RequestKind, Map<Behaviour, number[]>>();
  ranked.forEach((p, i) => {
    const request = p.prompt.filter((m) => m.role === "user").pop()?.content ?? "";
    const kind = requestKind(request, world);
    const s = scores[i];
    const g = p.responses.map((r) => r.gold);
    const a = acc.get(kind) ?? { right: 0, n: 0 };
    for (let x = 0; x < g.length; x++)
      for (let y = x + 1; y < g.length; y++)
        if (g[x] !== g[y]) {
          a.n++;
          if (Math.sign(s[x] - s[y]) === Math.sign(g[x] - g[y])) a.right++;
        }
    acc.set(kind, a);
    const byB = paid.get(kind) ?? new Map<Behaviour, number[]>();
    p.responses.forEach((r, j) => {
      const b = classify({ prompt: request, response: r.content, stopped: !r.truncated }).behaviour;
      byB.set(b, [...(byB.get(b) ?? []), s[j]]);
    });
    paid.set(kind, byB);
  });
  const out: Partial<Record<RequestKind, KindReward>> = {};
  for (const kind of REQUEST_KINDS) {
    const a = acc.get(kind);
    const byB = paid.get(kind);
    if (!a || !byB) continue;
    out[kind] = {
      gold: wilson(a.right, a.n),
      byBehaviour: Object.fromEntries(
        BEHAVIOURS.filter((b) => byB.has(b)).map((b) => {
          const xs = byB.get(b)!;
          return [b, { n: xs.length, mean: xs.reduce((t, x) => t + x, 0) / xs.length }];
        }),
      ),
    };
  }
  return out;
}

/** One reward-model training run on (a subset of) ranked prompts. */
export interface RewardRunOptions {
  /** The SFT model the RM starts from (copied, not changed). */
  sft: GPT;
  tokenizer: BpeTokenizer;
  train: readonly RankedPrompt[];
  test?: readonly RankedPrompt[];
  config?: Partial<RewardConfig>;
  base?: Readonly<RewardConfig>;
  progress?: ProgressSink;
  checkpointDir?: string;
  resumeFrom?: string;
}

/** Train an RM on ranked prompts, then normalise it on the SFT samples it was trained on. */
export async function runRewardModel(o: RewardRunOptions) {
  const ctx = o.sft.config.contextLength;
  const train = groupsOf(o.tokenizer, o.train, ctx);
  const val = o.test ? groupsOf(o.tokenizer, o.test, ctx) : undefined;
  const model = o.sft.withScalarHead();
  const config = rewardConfig(o.config ?? {}, o.base ?? RM_FULL);
  const run = await trainReward({
    model,
    tokenizer: o.tokenizer,
    train,
    val,
    config,
    progress: o.progress,
    checkpointDir: o.checkpointDir,
    resumeFrom: o.resumeFrom,
  });
  const rm = rewardModel(model, config.likelihoodWeight);
  run.notes.head = normaliseOn(rm, train, o.tokenizer);
  return { rm, run };
}

/** Normalise on every response of the training prompts: SFT samples at temperature 1. */
function normaliseOn(rm: RewardModel, train: readonly PairGroup[], tok: BpeTokenizer) {
  const scores = scoreGroups(rm, train, tok.special.pad).flat();
  return { ...normaliseRewards(rm, scores), samples: scores.length };
}

/** The SFT model and tokenizer the stage starts from. */
export function loadSft(dir = PATHS.sftModel) {
  return loadModel(dir);
}

/** The grid of `npm run rm -- --sweep` (notebook 04 plots its committed record). */
export const SWEEP = Object.freeze({
  /** Comparison groups (prompts with ≥ 2 distinct responses) in each data-size run. */
  sizes: [100, 400, 1600],
  seeds: [0, 1, 2],
  /** The length-biased panel's taste, gold units per word: three more words outweigh a right answer (0.5). */
  biasPerWord: 0.2,
});

/** One run of the sweep and what it measured on the held-out side. */
export interface SweepRow {
  study: "size" | "likelihood" | "bias";
  groups: number;
  seed: number;
  likelihoodWeight: number;
  lengthBias: number;
  steps: number;
  seconds: number;
  eval: Omit<RewardEval, "calibration">;
}

/** `n` ranked prompts with ≥ 2 responses, drawn by `seed`. */
export function subset(prompts: readonly RankedPrompt[], n: number, seed: number): RankedPrompt[] {
  const usable = prompts.filter((p) => p.responses.length > 1);
  if (n > usable.length) throw new Error(`subset: asked for ${n} groups, only ${usable.length} have pairs`);
  return new Rng(seed).fork("rm-subset").shuffle(usable).slice(0, n);
}

/** About one epoch over `groups` prompts, with a tenth of it as warmup. */
export function epochConfig(groups: number, seed: number, likelihoodWeight: number): Partial<RewardConfig> {
  const steps = Math.max(10, Math.ceil(groups / RM_FULL.batchSize));
  return { steps, warmupSteps: Math.ceil(steps / 10), seed, likelihoodWeight, evalEvery: 0, logEvery: 5 };
}

/**
 * The sweep: held-out accuracy against data size (every seed, the recipe's λ); the
 * end-token head alone (λ = 0) at the largest size; and raters with a taste
 * for length against the same raters without it, on the same prompts.
 */
export async function rewardSweep(
  sft: GPT,
  tok: BpeTokenizer,
  train: readonly RankedPrompt[],
  test: readonly RankedPrompt[],
  onRow?: (row: SweepRow) => void,
  grid = SWEEP,
): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  const run = async (
    study: SweepRow["study"],
    data: RankedPrompt[],
    seed: number,
    w: number,
    bias: number,
  ) => {
    const t = Date.now();
    const config = epochConfig(data.length, seed, w);
    const { rm } = await runRewardModel({ sft, tokenizer: tok, train: data, config });
    const { calibration: _, ...ev } = evaluateRewardModel(rm, tok, test);
    rm.model.dispose();
    const row = {
      study,
      groups: data.length,
      seed,
      likelihoodWeight: w,
      lengthBias: bias,
      steps: config.steps!,
      seconds: (Date.now() - t) / 1000,
      eval: ev,
    };
    rows.push(row);
    onRow?.(row);
  };
  const largest = Math.max(...grid.sizes);
  for (const seed of grid.seeds)
    for (const n of grid.sizes) await run("size", subset(train, n, seed), seed, RM_FULL.likelihoodWeight, 0);
  for (const seed of grid.seeds) await run("likelihood", subset(train, largest, seed), seed, 0, 0);
  // The same prompts and responses, ranked again by the panel with a taste for length.
  const biased = rankAll(subset(train, largest, 0), lengthBiasedPanel(grid.biasPerWord), 0);
  await run("bias", biased, 0, RM_FULL.likelihoodWeight, grid.biasPerWord);
  return rows;
}

/** The RM's score of every response of every prompt (ranked or not), aligned with `responses`. */
export function responseScores(
  rm: RewardModel,
  tok: BpeTokenizer,
  prompts: readonly RankedPrompt[],
): number[][] {
  const ctx = rm.model.config.contextLength;
  const groups = prompts.map((p) => rankingGroup(tok, p.prompt_id, p.prompt, p.responses, [], ctx));
  return scoreGroups(rm, groups, tok.special.pad);
}

/**
 * Fresh SFT samples: held-in tasks in phrasings SFT never trained on, with
 * words no stage shows, two samples each at temperature 1. Notebook 04's
 * section 5 and `npm run rm -- --seeds` score the same ones.
 */
export const FRESH = Object.freeze({
  file: path.join(PATHS.sft, "eval_new_phrasings.jsonl"),
  prompts: 250,
  k: 2,
  seed: 4242,
});

export function sampleFresh(sft: GPT, tok: BpeTokenizer, prompts: number = FRESH.prompts): RankedPrompt[] {
  const items = readEvalJsonl(FRESH.file).slice(0, prompts);
  return sampleResponses(sft, tok, items, { k: FRESH.k, seed: FRESH.seed, idPrefix: "fresh" });
}

/** How an RM's scores of fresh samples (`responseScores`) agree with their gold. */
export interface FreshAgreement {
  /** Responses scored (distinct samples) and the prompts they answer. */
  responses: number;
  prompts: number;
  /**
   * Spearman ρ(RM, gold) over every response, with a bootstrap 95 % interval
   * over prompts (seeded by FRESH.seed).
   */
  spearman: number;
  lo: number;
  hi: number;
  /** ρ of prompt means, and of responses centred on their prompt's mean (spearmanByGroup). */
  between: number;
  within: number;
}

export function freshAgreement(fresh: readonly RankedPrompt[], scores: readonly number[][]): FreshAgreement {
  const groups = fresh.map((p, i) => ({ x: scores[i], y: p.responses.map((r) => r.gold) }));
  const pooled = (gs: readonly { x: readonly number[]; y: readonly number[] }[]) =>
    spearman(
      gs.flatMap((g) => g.x),
      gs.flatMap((g) => g.y),
    );
  const { between, within } = spearmanByGroup(groups);
  const { lo, hi } = bootstrapInterval(groups, pooled, { seed: FRESH.seed });
  return {
    responses: groups.reduce((n, g) => n + g.x.length, 0),
    prompts: groups.length,
    spearman: pooled(groups),
    lo,
    hi,
    between,
    within,
  };
}

/** `npm run rm -- --seeds`: the committed recipe at several seeds, and their weight average. */
export const SEED_STUDY = Object.freeze({ seeds: [0, 1, 2, 3] });

/** One reward model of the seed study and what it measured. */
export interface SeedStudyRow {
  /** "seed 0", ... or "WARM" (the weight average of the seeds' models). */
  member: string;
  seeds: number[];
  seconds: number;
  heldOut: Omit<RewardEval, "calibration">;
  fresh: FreshAgreement;
}

/**
 * The recipe (RM_FULL on every training comparison) at each seed, then the
 * WARM average of the models (src/model/average.ts), renormalised on the same
 * SFT samples. Each is measured on the held-out rankings and on fresh samples:
 * is the committed RM's agreement with gold a seed's luck, and does averaging
 * raise it?
 */
export async function rewardSeedStudy(
  sft: GPT,
  tok: BpeTokenizer,
  train: readonly RankedPrompt[],
  test: readonly RankedPrompt[],
  fresh: readonly RankedPrompt[],
  onRow?: (row: SeedStudyRow) => void,
  /** Tests shorten the recipe and the seed list. */
  o: { seeds?: readonly number[]; config?: Partial<RewardConfig>; base?: Readonly<RewardConfig> } = {},
): Promise<SeedStudyRow[]> {
  const seeds = o.seeds ?? SEED_STUDY.seeds;
  const base = o.base ?? RM_FULL;
  const rows: SeedStudyRow[] = [];
  const measure = (member: string, rm: RewardModel, s: number[], t: number) => {
    const { calibration: _, ...heldOut } = evaluateRewardModel(rm, tok, test);
    const f = freshAgreement(fresh, responseScores(rm, tok, fresh));
    const row = { member, seeds: s, seconds: (Date.now() - t) / 1000, heldOut, fresh: f };
    rows.push(row);
    onRow?.(row);
  };
  const models: RewardModel[] = [];
  for (const seed of seeds) {
    const t = Date.now();
    const config = { ...o.config, seed, evalEvery: 0 };
    const { rm } = await runRewardModel({ sft, tokenizer: tok, train, config, base });
    models.push(rm);
    measure(`seed ${seed}`, rm, [seed], t);
  }
  const t = Date.now();
  const warm = rewardModel(averageModels(models.map((m) => m.model)), models[0].head.likelihoodWeight);
  normaliseOn(warm, groupsOf(tok, train, sft.config.contextLength), tok);
  measure("WARM", warm, [...seeds], t);
  for (const m of [...models, warm]) m.model.dispose();
  return rows;
}
