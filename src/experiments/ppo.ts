/**
 * What `npm run ppo` and notebook 05 share: the inputs of the RLHF stage
 * (the committed SFT model, reward model and prompt pools), one PPO run from
 * them, and the policy evaluation that reads the gold reward by term on
 * prompts the policy trained on and on held-out ones.
 */
import * as path from "path";
import { pretrainingCorpus } from "../data/world";
import { ClozeItem, clozeItems, statedFacts } from "../data/facts";
import { readFactsFile } from "../data/facts-file";
import { pct } from "../display/report";
import { clozeProbe } from "../eval/probe";
import { tokenStream } from "../train/pretrain";
import { PATHS } from "../data/paths";
import { EvalItem, readEvalJsonl } from "../data/tasks/eval-sets";
import { meanInterval } from "../eval/stats";
import { ci, f3 } from "../display/format";
import { goldReward } from "../judge/gold";
import type { GPT } from "../model/gpt";
import { loadModel } from "../model/load";
import { endScores, loadRewardModel, RewardModel } from "../model/reward-model";
import { renderPrompt } from "../chat/template";
import { perPromptMeans, SampledResponse, sampledKl } from "../eval/kl";
import {
  bestOfN,
  BestOfNPoint,
  comparePolicies,
  compareSampled,
  Interval,
  PolicyComparison,
  policyResponses,
  SampledComparison,
  sampledGold,
} from "../eval/policy";
import { mean } from "../eval/stats";
import type { BpeTokenizer } from "../tokenizer/index";
import type { ProgressSink } from "../train/loop";
import { PPO_FULL, ppoConfig, PpoConfig, PpoNotes, trainedPrompts, trainPpo } from "../train/ppo";
import type { MetricRow } from "../metrics";
import { loadRun, RunRecord } from "../run-record";

export const PPO_PATHS = Object.freeze({
  sft: PATHS.sftModel,
  rm: path.join(PATHS.sftModel, "..", "rm"),
  /** The policy's prompt pool: held-in clusters, 40 per task (npm run build-sft). */
  prompts: path.join(PATHS.sft, "prompts_policy.jsonl"),
  /** Held-out prompts: the same tasks on words and inputs no stage trains on. */
  heldout: path.join(PATHS.sft, "prompts_heldout.jsonl"),
  /** The HHH world adds its 800 requests about training hazards, pseudo-words and look-alikes to the pool. */
  hhhPrompts: path.join(PATHS.sft, "prompts_hhh.jsonl"),
  out: path.join(PATHS.sftModel, "..", "ppo"),
});

/** Everything a PPO run starts from. */
export interface PpoInputs {
  sft: GPT;
  tokenizer: BpeTokenizer;
  rm: RewardModel;
  prompts: EvalItem[];
  heldout: EvalItem[];
}

/**
 * Load the committed SFT model, reward model and prompt pools (and check they
 * fit together). `hhh`: the pool also holds the HHH prompts (`npm run ppo`);
 * without, the first world's pool alone (notebook 05's sweep).
 */
export function loadPpoInputs(paths: Partial<typeof PPO_PATHS> = {}, o: { hhh?: boolean } = {}): PpoInputs {
  const p = { ...PPO_PATHS, ...paths };
  const { model: sft, tokenizer } = loadModel(p.sft);
  const rm = loadRewardModel(p.rm);
  if (JSON.stringify(rm.tokenizer.toJSON()) !== JSON.stringify(tokenizer.toJSON()))
    throw new Error(
      `${p.rm}: its tokenizer differs from ${p.sft}'s; retrain it from this SFT model (npm run rm)`,
    );
  const prompts = [...readEvalJsonl(p.prompts), ...(o.hhh ? readEvalJsonl(p.hhhPrompts) : [])];
  return { sft, tokenizer, rm, prompts, heldout: readEvalJsonl(p.heldout) };
}

/** A length bias on top of the RM: `perWord` score units per response word (notebook 05's hackable proxy). */
export const lengthBonus =
  (perWord: number) =>
  (r: { text: string }): number =>
    perWord * r.text.split(/\s+/).filter(Boolean).length;

export interface PpoRunOptions {
  inputs: PpoInputs;
  config?: Partial<PpoConfig>;
  base?: Readonly<PpoConfig>;
  /** Score units per response word added to the RM's (0: the RM alone). */
  lengthBias?: number;
  /** Raw pretraining tokens for PPO-ptx. */
  ptx?: Int32Array;
  evaluate?: (step: number, policy: GPT) => MetricRow;
  checkpointDir?: string;
  resumeFrom?: string;
  progress?: ProgressSink;
}

/** One PPO run from the SFT model: the policy (value head at zero) and its record. */
export async function runPpo(o: PpoRunOptions) {
  const config = ppoConfig(o.config ?? {}, o.base ?? PPO_FULL);
  const policy = o.inputs.sft.withScalarHead();
  const bias = o.lengthBias ?? 0;
  const run = await trainPpo({
    model: policy,
    reference: o.inputs.sft,
    rewardModel: o.inputs.rm,
    tokenizer: o.inputs.tokenizer,
    prompts: o.inputs.prompts,
    config,
    scoreBonus: bias ? lengthBonus(bias) : undefined,
    // The gold reward of each rollout, logged beside the proxy: no loss or advantage reads it.
    hooks: {
      score: (responses) => {
        const gold = responses.map((r) => goldReward(r.item, r.text, r.stopped));
        return {
          perRow: gold.map((g) => g.total),
          metrics: {
            "objective/gold": mean(gold.map((g) => g.total)),
            "objective/gold_behavioural": mean(gold.map((g) => g.byKind.behavioural)),
            "objective/gold_prompt_specific": mean(gold.map((g) => g.byKind["prompt-specific"])),
          },
        };
      },
    },
    ptx: o.ptx,
    evaluate: o.evaluate ? (step) => o.evaluate!(step, policy) : undefined,
    checkpointDir: o.checkpointDir,
    resumeFrom: o.resumeFrom,
    progress: o.progress,
    notes: { lengthBias: bias } as Partial<PpoNotes>,
  });
  return { policy, run };
}

/** Raw pretraining tokens for PPO-ptx: the first `docs` documents of the corpus's training split. */
export function pretrainingTokens(inputs: Pick<PpoInputs, "tokenizer">, docs = 5000): Int32Array {
  return tokenStream(inputs.tokenizer, pretrainingCorpus().train.slice(0, docs));
}

/** The knowledge probe's cloze items (every stated fact of the vocabulary). */
export function knowledgeItems(): ClozeItem[] {
  return clozeItems(statedFacts(readFactsFile().headwords));
}

/** What `npm run ppo` records: SFT against the policy, on trained and held-out prompts. */
export interface RlhfEval {
  trained: PolicyComparison;
  heldout: PolicyComparison;
  /** Temperature-1 samples of the first 200 held-out prompts, 4 each. */
  sampled: SampledComparison;
  /** Knowledge-probe accuracy (the alignment tax's other face). */
  knowledge: { before: number; after: number };
}

/** Greedy SFT against greedy policy on the prompts the run trained on and on held-out ones. */
export function evaluateRlhf(
  inputs: PpoInputs,
  policy: GPT,
  config: Readonly<PpoConfig>,
  o: { quick?: boolean; cloze?: readonly ClozeItem[] } = {},
): RlhfEval {
  const cap = o.quick ? 50 : 500;
  const trainedItems = trainedPrompts(config, inputs.prompts.length)
    .slice(0, cap)
    .map((i) => inputs.prompts[i]);
  const heldout = inputs.heldout.slice(0, cap);
  const tok = inputs.tokenizer;
  const side = (items: EvalItem[]) =>
    comparePolicies(
      policyResponses(inputs.sft, tok, items, goldReward, config.maxNewTokens),
      policyResponses(policy, tok, items, goldReward, config.maxNewTokens),
    );
  const cloze = (o.cloze ?? knowledgeItems()).slice(0, o.quick ? 64 : undefined);
  return {
    trained: side(trainedItems),
    heldout: side(heldout),
    sampled: compareSampled(inputs.sft, policy, tok, heldout.slice(0, o.quick ? 16 : 200), goldReward),
    knowledge: {
      before: clozeProbe(inputs.sft, tok, cloze).accuracy,
      after: clozeProbe(policy, tok, cloze).accuracy,
    },
  };
}

/** A few lines a terminal reader can take in. */
export function ppoSummary(ev: RlhfEval): string {
  const side = (name: string, c: PolicyComparison) =>
    `${name} (n=${c.before.n}): gold ${f3(c.before.gold.mean)} → ${f3(c.after.gold.mean)}, gain ${ci(c.gain.gold)}; ` +
    `behavioural ${ci(c.gain.behavioural)}, prompt-specific ${ci(c.gain.promptSpecific)}; answer rate ` +
    `${pct(c.before.answerRate.rate)} → ${pct(c.after.answerRate.rate)}, exact match ` +
    `${pct(c.before.exactMatch.rate)} → ${pct(c.after.exactMatch.rate)}`;
  return [
    side("trained prompts", ev.trained),
    side("held-out prompts", ev.heldout),
    `held-out sampled (${ev.sampled.prompts} prompts × ${ev.sampled.samples}): gold ` +
      `${f3(ev.sampled.sft.gold.mean)} → ${f3(ev.sampled.policy.gold.mean)}, gain ${ci(ev.sampled.gain)}, ` +
      `KL to SFT ${f3(ev.sampled.policy.kl.mean)} nats, win rate against SFT ${ci(ev.sampled.winRate)}`,
    `knowledge probe ${pct(ev.knowledge.before)} → ${pct(ev.knowledge.after)}`,
  ].join("\n");
}

/**
 * The proxy reward PPO optimises, of sampled responses: the RM's score, plus
 * `lengthBias` per word, minus the missing-end penalty (as in the trainer).
 */
export function proxyScores(
  rm: RewardModel,
  tok: BpeTokenizer,
  prompts: readonly number[][],
  samples: readonly SampledResponse[],
  lengthBias: number,
  missingEosPenalty = PPO_FULL.missingEosPenalty,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < samples.length; i += 32) {
    const part = samples.slice(i, i + 32);
    const t = endScores(
      rm,
      part.map((s) => [...prompts[s.prompt], ...s.tokens]),
      part.map((s) => prompts[s.prompt].length),
      tok.special.pad,
    );
    out.push(...t.dataSync());
    t.dispose();
  }
  const bonus = lengthBonus(lengthBias);
  return samples.map((s, i) => out[i] + bonus(s) - (s.stopped ? 0 : missingEosPenalty));
}

/**
 * Best-of-n from `model` under PPO's proxy (the RM's score plus `lengthBias`
 * per word, `proxyScores`), scored by gold: `bestOfN` of src/eval/policy.ts.
 */
export function rmBestOfN(
  model: GPT,
  rm: RewardModel,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  o: { ns: readonly number[]; seed: number; maxNewTokens?: number; lengthBias?: number },
): BestOfNPoint[] {
  return bestOfN(model, tok, items, {
    ns: o.ns,
    seed: o.seed,
    maxNewTokens: o.maxNewTokens ?? PPO_FULL.maxNewTokens,
    proxy: (prompts, samples) => proxyScores(rm, tok, prompts, samples, o.lengthBias ?? 0),
    score: goldReward,
  });
}

/** An `evaluate` hook that also keeps what section 3 of notebook 05 tests afterwards. */
export interface GoldMonitor {
  (step: number, policy: GPT): MetricRow;
  /** Per-prompt mean gold at every evaluated step (same prompts, same sampling seed: paired). */
  readonly perPrompt: Map<number, number[]>;
  /** A copy of the policy at the step with the highest mean gold so far (the run's gold peak). */
  readonly peak: { step: number; gold: number; policy: GPT } | undefined;
  /** Free the peak's copy. */
  dispose(): void;
}

/**
 * An `evaluate` hook for a PPO run: the policy's temperature-1 samples on
 * fixed held-out items, their gold, proxy and KL to SFT (Gao et al.'s axes,
 * measured on the same prompts at every point rather than on each rollout's).
 * It keeps a copy of the policy at its gold peak, so the peak can be measured
 * again on fresh samples (`confirmPeak`): a peak picked as the best of many
 * noisy points looks higher on the samples that picked it than it is.
 */
export function heldoutMonitor(
  inputs: PpoInputs,
  items: readonly EvalItem[],
  o: { samples: number; seed: number; lengthBias: number; maxNewTokens?: number },
): GoldMonitor {
  const tok = inputs.tokenizer;
  const prompts = items.map((it) => renderPrompt(tok, it.messages));
  const perPrompt = new Map<number, number[]>();
  let peak: GoldMonitor["peak"];
  const evaluate = (step: number, policy: GPT): MetricRow => {
    const s = sampledKl(policy, inputs.sft, tok, prompts, {
      samples: o.samples,
      seed: o.seed,
      maxNewTokens: o.maxNewTokens ?? PPO_FULL.maxNewTokens,
    });
    const proxy = proxyScores(inputs.rm, tok, prompts, s, o.lengthBias);
    const golds = perPromptMeans(s, (x) => goldReward(items[x.prompt], x.text, x.stopped).total);
    const gold = meanInterval(golds);
    perPrompt.set(step, golds);
    if (!peak || gold.mean > peak.gold) {
      peak?.policy.dispose();
      peak = { step, gold: gold.mean, policy: policy.clone() };
    }
    return {
      "val/gold_sampled": gold.mean,
      "val/gold_sampled_se": (gold.hi - gold.mean) / 1.959964,
      "val/proxy": mean(proxy),
      "val/kl": mean(s.map((x) => x.kl)),
    };
  };
  // defineProperties, not Object.assign: assign would copy the peak once, not the getter.
  return Object.defineProperties(evaluate, {
    perPrompt: { value: perPrompt },
    peak: { get: () => peak },
    dispose: { value: () => peak?.policy.dispose() },
  }) as GoldMonitor;
}

/** SFT, the gold peak and the final policy measured again on fresh samples, paired per prompt. */
export interface PeakCheck {
  samples: number;
  seed: number;
  gold: { sft: Interval; peak: Interval; final: Interval };
  /** Paired changes (the same prompts, the same sampling seed): peak − SFT, final − peak, final − SFT. */
  rise: Interval;
  fall: Interval;
  net: Interval;
}

/**
 * Measure SFT, the peak checkpoint and the final policy on the same items
 * with a sampling seed the monitor did not use, and pair them per prompt.
 * Fresh samples make the peak's height an unbiased estimate; pairing removes
 * what the prompts themselves contribute (some are hard for every model).
 */
export function confirmPeak(
  inputs: PpoInputs,
  items: readonly EvalItem[],
  peak: GPT,
  final: GPT,
  o: { samples: number; seed: number },
): PeakCheck {
  const gold = (m: GPT) =>
    sampledGold(m, inputs.sft, inputs.tokenizer, items, { ...o, score: goldReward }).perPrompt.gold;
  const [s, p, f] = [inputs.sft, peak, final].map(gold);
  const diff = (a: number[], b: number[]) => meanInterval(a.map((x, i) => x - b[i]));
  return {
    ...o,
    gold: { sft: meanInterval(s), peak: meanInterval(p), final: meanInterval(f) },
    rise: diff(p, s),
    fall: diff(f, p),
    net: diff(f, s),
  };
}

export type PpoModelRun = RunRecord<PpoConfig, PpoNotes & { evaluation: RlhfEval; lengthBias: number }>;

/** Read a policy folder's run record (written by `npm run ppo`). */
export function loadPpoRun(dir: string = PPO_PATHS.out): PpoModelRun {
  const run = loadRun(dir, "ppo") as PpoModelRun;
  if (!run.notes.evaluation)
    throw new Error(`${dir}/run.json has no evaluation; it was not written by npm run ppo (rerun it)`);
  return run;
}

/** The committed record of `npm run ppo -- --sweep`. */
