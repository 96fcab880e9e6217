/**
 * What `npm run rlaif` and notebook 06 share: RLAIF (Lee et al., 2023) and
 * Constitutional AI's supervised stage (Bai et al., 2022) on this project's
 * comparisons.
 *
 * The same unordered pairs (every two distinct SFT samples of a prompt, from
 * the reward model's rankings) are labelled by each judge of ./judge: the
 * simulated human raters, the rule constitution, and the SFT model tuned as
 * a judge on a few hundred human-labelled comparisons. Each label set trains
 * a policy with DPO (the optimiser this stage uses; its implicit reward plays
 * the reward model's part) and with IPO (Azar et al., 2023: DPO's optimum
 * ignores the KL constraint when a label set is deterministic, as a rule
 * judge's is; IPO's squared loss aims at a finite margin instead). Every
 * policy is measured the same way on held-out prompts: gold reward, KL to
 * SFT, win rate against SFT by the gold judge, and how often its samples
 * break each principle.
 */
import * as path from "path";
import { Message, renderPrompt } from "../chat/template";
import { PATHS } from "../data/paths";
import { EvalItem, readEvalJsonl, sftExamples } from "../data/sft-data";
import { Behaviour, behaviourRates, classify } from "../eval/behaviour";
import { perPromptMeans, sampledKl } from "../eval/kl";
import { meanInterval } from "../eval/stats";
import { RankedPrompt, readRankings } from "../judge/comparisons";
import { CONSTITUTION, violations } from "../judge/constitution";
import { goldReward } from "../judge/gold";
import { JudgePair, requestOf } from "../judge/judge";
import { critiqueAndRevise, Revised } from "../judge/revision";
import { judgeConversations } from "../judge/self-judge";
import type { GPT } from "../model/gpt";
import { loadModel } from "../model/load";
import type { BpeTokenizer } from "../tokenizer/index";
import { DPO_FULL, DPO_QUICK, DpoConfig, dpoConfig, DpoGroup, trainDpo } from "../train/dpo";
import type { ProgressSink } from "../train/loop";
import { SFT_FULL, sftConfig, trainSft } from "../train/sft";
import { HELDOUT_SAMPLE_SEED, Interval } from "../eval/policy";
import { RLHF_DIR, RLHF_FILES } from "../data/paths";
import { withReferenceLogps } from "../train/pairs";
import { PairGroup, rankingGroup } from "../data/preference";

export const RLAIF_PATHS = Object.freeze({
  sft: PATHS.sftModel,
  train: RLHF_FILES.trainRankings,
  test: RLHF_FILES.testRankings,
  heldout: path.join(PATHS.sft, "prompts_heldout.jsonl"),
  record: path.join(RLHF_DIR, "rlaif.json"),
});

/** Every unordered pair of distinct responses of every ranked prompt, in file order (i < j). */
export function comparisonPairs(prompts: readonly RankedPrompt[]): JudgePair[] {
  return prompts.flatMap((p) => {
    const c = (k: number) => ({
      content: p.responses[k].content,
      stopped: !p.responses[k].truncated,
      gold: p.responses[k].gold,
    });
    const out: JudgePair[] = [];
    for (let i = 0; i < p.responses.length; i++)
      for (let j = i + 1; j < p.responses.length; j++)
        out.push({
          id: `${p.prompt_id} ${i}-${j}`,
          promptId: p.prompt_id,
          prompt: p.prompt,
          a: c(i),
          b: c(j),
        });
    return out;
  });
}

// ---------------------------------------------------------------------------
// From labels to DPO groups.

/** One group per ranked prompt with all its unordered pairs, in `comparisonPairs` order. */
export function comparisonGroups(
  tok: BpeTokenizer,
  prompts: readonly RankedPrompt[],
  contextLength: number,
): PairGroup[] {
  return prompts.map((p) => {
    const pairs: [number, number][] = [];
    for (let i = 0; i < p.responses.length; i++)
      for (let j = i + 1; j < p.responses.length; j++) pairs.push([i, j]);
    return rankingGroup(tok, p.prompt_id, p.prompt, p.responses, pairs, contextLength);
  });
}

/**
 * The groups with each pair oriented [chosen, rejected] by its label
 * (`labels` in `comparisonPairs` order); pairs labelled 0.5 are left out
 * and counted, never guessed.
 */
export function orientGroups<G extends PairGroup>(
  groups: readonly G[],
  labels: readonly number[],
): { groups: G[]; pairs: number; ties: number } {
  const total = groups.reduce((n, g) => n + g.pairs.length, 0);
  if (total !== labels.length)
    throw new Error(`orientGroups: ${labels.length} labels for ${total} pairs; label the same pairs`);
  let k = 0,
    ties = 0;
  const out = groups.map((g) => ({
    ...g,
    pairs: g.pairs.flatMap(([i, j]): [number, number][] => {
      const p = labels[k++];
      if (p === 0.5) return (ties++, []);
      return [p > 0.5 ? [i, j] : [j, i]];
    }),
  }));
  return { groups: out, pairs: total - ties, ties };
}

// ---------------------------------------------------------------------------
// The judge tuned on a few hundred human-labelled comparisons.

/** Every ⌊n/k⌋-th pair: k pairs spread over the pool's tasks (the files list prompts task by task). */
export const spreadPairs = <T>(xs: readonly T[], k: number): T[] =>
  k >= xs.length ? [...xs] : xs.filter((_, i) => i % Math.floor(xs.length / k) === 0).slice(0, k);

export interface JudgeTuning {
  comparisons: number;
  steps: number;
  seed: number;
  lr: number;
}

/** SFT of a copy of `sft` on judge conversations made from labelled pairs (both orders). */
export async function tuneJudge(
  sft: GPT,
  tok: BpeTokenizer,
  pairs: readonly JudgePair[],
  labels: readonly number[],
  o: JudgeTuning & { progress?: ProgressSink },
) {
  const C = sft.config.contextLength;
  const made = judgeConversations(tok, pairs, labels, C);
  const judge = sft.clone();
  const config = sftConfig(
    {
      steps: o.steps,
      seed: o.seed,
      lr: o.lr,
      warmupSteps: Math.min(10, o.steps),
      replayBatchSize: 0,
      evalEvery: 0,
      logEvery: 10,
      microBatchSize: 8,
    },
    SFT_FULL,
  );
  const run = await trainSft({
    model: judge,
    tokenizer: tok,
    train: sftExamples(tok, made.conversations, C),
    config,
    progress: o.progress,
  });
  return { judge, run, conversations: made.conversations.length, ties: made.ties, tooLong: made.tooLong };
}

// ---------------------------------------------------------------------------
// Measuring a policy on held-out prompts.

/** A policy on held-out prompts: temperature-1 samples, their gold, KL to SFT and broken principles. */
export interface PolicyPoint {
  gold: Interval;
  kl: Interval;
  /** Per held-out prompt (for paired win rates between any two policies). */
  perPrompt: { gold: number[]; kl: number[] };
  /**
   * Share of samples breaking each principle of the constitution, and any of
   * them: per prompt (the prompts are the independent units), then the mean
   * with its interval over prompts.
   */
  principles: Record<string, Interval>;
  anyBroken: Interval;
  /** Per prompt, the share of its samples breaking each principle (key "any": any of them). */
  perPromptBroken: Record<string, number[]>;
  /** Answer / continuation / other shares of the samples (src/eval/behaviour.ts). */
  behaviour: Record<Behaviour, number>;
  samples: number;
}

export function measurePolicy(
  policy: GPT,
  sft: GPT,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  o: { samples: number; seed?: number; maxNewTokens?: number },
): PolicyPoint {
  const prompts = items.map((it) => renderPrompt(tok, it.messages));
  const s = sampledKl(policy, sft, tok, prompts, {
    samples: o.samples,
    seed: o.seed ?? HELDOUT_SAMPLE_SEED,
    maxNewTokens: o.maxNewTokens ?? 24,
  });
  const gold = perPromptMeans(s, (x) => goldReward(items[x.prompt], x.text, x.stopped).total);
  const kl = perPromptMeans(s, (x) => x.kl);
  const replies = s.map((x) => ({
    request: requestOf(items[x.prompt].messages),
    response: x.text,
    stopped: x.stopped,
  }));
  const broken = replies.map((r) => violations(r).map((p) => p.id));
  const share = (hit: (b: string[]) => boolean) =>
    perPromptMeans(
      s.map((x, k) => ({ prompt: x.prompt, hit: hit(broken[k]) })),
      (x) => (x.hit ? 1 : 0),
    );
  const perPromptBroken: Record<string, number[]> = Object.fromEntries([
    ...CONSTITUTION.map((p) => [p.id, share((b) => b.includes(p.id))]),
    ["any", share((b) => b.length > 0)],
  ]);
  const principles = Object.fromEntries(CONSTITUTION.map((p) => [p.id, meanInterval(perPromptBroken[p.id])]));
  const behaviour = behaviourRates(replies.map((r) => classify({ ...r, prompt: r.request }).behaviour));
  return {
    gold: meanInterval(gold),
    kl: meanInterval(kl),
    perPrompt: { gold, kl },
    principles,
    anyBroken: meanInterval(perPromptBroken.any),
    perPromptBroken,
    behaviour,
    samples: s.length,
  };
}

// ---------------------------------------------------------------------------
// The runs of `npm run rlaif`: DPO per label source, SL-CAI per data set.

export const LABEL_SOURCES = ["raters", "constitution", "tuned judge"] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

/**
 * The two preference losses every label set trains with. DPO's sigmoid loss
 * keeps paying for a larger margin as long as the labels say the same thing
 * every time: with deterministic labels (a rule judge's) its optimum drives
 * the rejected response's probability to 0, whatever β (Azar et al., 2023,
 * section 4.2). IPO regresses the margin onto 1/(2β) instead, a finite
 * target; β = 0.1 is notebook 07's IPO variant.
 */
export const RLAIF_LOSSES = Object.freeze({
  dpo: { loss: "sigmoid" },
  ipo: { loss: "ipo", beta: 0.1 },
} as const satisfies Record<string, Partial<DpoConfig>>);
export type RlaifLoss = keyof typeof RLAIF_LOSSES;
export const RLAIF_LOSS_NAMES = Object.keys(RLAIF_LOSSES) as RlaifLoss[];

export type RlaifJob =
  | {
      kind: "dpo";
      source: LabelSource;
      loss: RlaifLoss;
      seed: number;
      steps: number;
      quick?: boolean;
    }
  | { kind: "sl-cai"; data: "revised" | "original"; seed: number; steps: number; quick?: boolean };

/** "DPO" or "IPO", as the notebook names a run's optimiser. */
export const lossName = (loss: RlaifLoss) => loss.toUpperCase();

export const rlaifJobLabel = (j: RlaifJob) =>
  j.kind === "dpo"
    ? `${lossName(j.loss)} on ${j.source} labels, seed ${j.seed}, ${j.steps} steps`
    : `SL-CAI (${j.data}), seed ${j.seed}`;

/**
 * Steps for about one pass over the prompts a label set has pairs for (as
 * DPO_FULL makes one pass over the raters' comparisons), at most `cap`. A
 * judge that abstains on most pairs leaves few prompts, and several passes
 * over them overfit (notebook 06 shows one such run).
 */
export function onePassSteps(
  prompts: readonly RankedPrompt[],
  labels: readonly number[],
  batchSize: number,
  cap: number,
): number {
  let k = 0,
    used = 0;
  for (const p of prompts) {
    const n = (p.responses.length * (p.responses.length - 1)) / 2;
    if (labels.slice(k, k + n).some((l) => l !== 0.5)) used++;
    k += n;
  }
  if (k !== labels.length) throw new Error(`onePassSteps: ${labels.length} labels for ${k} pairs`);
  return Math.max(1, Math.min(cap, Math.ceil(used / batchSize)));
}

/** What the workers load: the label sets and SL-CAI data the parent made (a JSON file under build/). */
export interface RlaifWorkerInputs {
  file: string;
  quick: boolean;
}

/** The parent's hand-off to the workers. */
export interface RlaifHandoff {
  labels: Record<LabelSource, number[]>;
  slcai: Record<"revised" | "original", { messages: Message[]; source: string }[]>;
  /** How many ranked prompts the labels cover (the first n of the training rankings). */
  prompts: number;
  heldout: number;
  samples: number;
}

/** Inputs every job starts from: the SFT model, the comparison groups with reference log-probs, held-out items. */
export interface RlaifInputs {
  sft: GPT;
  tok: BpeTokenizer;
  groups: DpoGroup[];
  /** Held-out pairs oriented by gold (ties left out): val/rewards_accuracy is agreement with gold. */
  val: DpoGroup[];
  heldout: EvalItem[];
  handoff: RlaifHandoff;
}

export function loadRlaifInputs(handoff: RlaifHandoff): RlaifInputs {
  const { model: sft, tokenizer: tok } = loadModel(RLAIF_PATHS.sft);
  const C = sft.config.contextLength;
  const pad = tok.special.pad;
  const train = readRankings(RLAIF_PATHS.train).slice(0, handoff.prompts);
  const test = readRankings(RLAIF_PATHS.test).slice(0, 100);
  const testGroups = comparisonGroups(tok, test, C);
  const gold = comparisonPairs(test).map((p) => (p.a.gold > p.b.gold ? 1 : p.a.gold < p.b.gold ? 0 : 0.5));
  return {
    sft,
    tok,
    // Prompts with one distinct response have no pairs and take no labels: no reference pass for them.
    groups: withReferenceLogps(
      sft,
      comparisonGroups(tok, train, C).filter((g) => g.pairs.length > 0),
      pad,
    ),
    val: withReferenceLogps(sft, orientGroups(testGroups, gold).groups, pad),
    heldout: readEvalJsonl(RLAIF_PATHS.heldout).slice(0, handoff.heldout),
    handoff,
  };
}

export interface RlaifResult {
  job: RlaifJob;
  seconds: number;
  /** Pairs trained on (DPO) or conversations (SL-CAI). */
  data: number;
  point: PolicyPoint;
  /** Final held-out agreement of DPO's implicit reward with gold. */
  valAccuracy?: number;
}

/** Train one run from the SFT model and measure it (a worker's job). */
export async function runRlaifJob(inputs: RlaifInputs, job: RlaifJob, progress?: ProgressSink) {
  const t = Date.now();
  const policy = inputs.sft.clone();
  let data: number;
  let valAccuracy: number | undefined;
  if (job.kind === "dpo") {
    const { groups, pairs } = orientGroups(inputs.groups, inputs.handoff.labels[job.source]);
    data = pairs;
    const run = await trainDpo({
      model: policy,
      reference: inputs.sft,
      tokenizer: inputs.tok,
      train: groups,
      val: inputs.val,
      config: dpoConfig(
        { steps: job.steps, seed: job.seed, ...RLAIF_LOSSES[job.loss] },
        job.quick ? DPO_QUICK : DPO_FULL,
      ),
      progress,
    });
    valAccuracy = run.evals[run.evals.length - 1]?.["val/rewards_accuracy"];
  } else {
    const lines = inputs.handoff.slcai[job.data];
    const examples = sftExamples(inputs.tok, lines, inputs.sft.config.contextLength);
    data = examples.length;
    await trainSft({
      model: policy,
      tokenizer: inputs.tok,
      train: examples,
      config: sftConfig(
        { steps: job.steps, seed: job.seed, lr: DPO_FULL.lr, replayBatchSize: 0, evalEvery: 0, logEvery: 10 },
        SFT_FULL,
      ),
      progress,
    });
  }
  const seconds = (Date.now() - t) / 1000;
  const point = measurePolicy(policy, inputs.sft, inputs.tok, inputs.heldout, {
    samples: inputs.handoff.samples,
  });
  policy.dispose();
  return { job, seconds, data, point, valAccuracy } satisfies RlaifResult;
}

// ---------------------------------------------------------------------------
// SL-CAI data and the job list of `npm run rlaif`.

/**
 * Critique and revise every SFT sample of the ranked prompts. Samples no
 * rule or model could revise are left out of both data sets (counted), so
 * the two differ only by the revisions: `revised` holds each kept sample
 * as revised (unchanged where it broke nothing), `original` the same
 * samples as they were.
 */
export function slcaiData(prompts: readonly RankedPrompt[], o: { model?: GPT; tok?: BpeTokenizer } = {}) {
  const replies = prompts.flatMap((p) =>
    p.responses.map((r) => ({
      prompt: p.prompt,
      request: requestOf(p.prompt),
      response: r.content,
      stopped: !r.truncated,
    })),
  );
  const revised = critiqueAndRevise(replies, o);
  const count = (by: Revised["by"]) => revised.filter((r) => r.by === by).length;
  const conv = (r: (typeof replies)[number], content: string, i: number) => ({
    messages: [...r.prompt, { role: "assistant" as const, content }],
    source: `${RLAIF_PATHS.train} response ${i + 1}`,
  });
  return {
    data: {
      original: replies.flatMap((r, i) => (revised[i].by === "unrevisable" ? [] : [conv(r, r.response, i)])),
      revised: replies.flatMap((r, i) =>
        revised[i].by === "unrevisable" ? [] : [conv(r, revised[i].revision ?? r.response, i)],
      ),
    },
    stats: {
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
    },
  };
}

/**
 * The runs: DPO and IPO on each label source for one pass (`passSteps`),
 * SL-CAI on revised and original samples, every seed; plus one DPO run on the
 * constitution's labels for `dpoSteps` when that is several passes, to show
 * what passing over a small label set again and again does.
 */
export function rlaifJobs(
  s: { seeds: readonly number[]; dpoSteps: number; slcaiSteps: number; quick?: boolean },
  passSteps: Record<LabelSource, number>,
): RlaifJob[] {
  const quick = s.quick;
  return [
    ...s.seeds.flatMap((seed) =>
      RLAIF_LOSS_NAMES.flatMap((loss) =>
        LABEL_SOURCES.map((source) => ({
          kind: "dpo" as const,
          source,
          loss,
          seed,
          steps: passSteps[source],
          quick,
        })),
      ),
    ),
    ...(passSteps.constitution < s.dpoSteps
      ? [
          {
            kind: "dpo" as const,
            source: "constitution" as const,
            loss: "dpo" as const,
            seed: 0,
            steps: s.dpoSteps,
            quick,
          },
        ]
      : []),
    ...s.seeds.flatMap((seed) =>
      (["revised", "original"] as const).map((data) => ({
        kind: "sl-cai" as const,
        data,
        seed,
        steps: s.slcaiSteps,
        quick,
      })),
    ),
  ];
}
