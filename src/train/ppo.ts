/**
 * RLHF's third step (InstructGPT; Ziegler et al. 2019): optimise the SFT
 * policy against a reward model, penalised by its KL divergence from the
 * frozen SFT model. One function, `trainPpo`, with three advantage
 * estimators on the same rollouts (OpenRLHF's `--advantage_estimator`):
 *
 * - `gae`: PPO with a critic. Per-token reward −β·(log π − log π_ref), the
 *   RM score added at the last token; GAE(γ, λ) over a value head; whitened
 *   advantages; clipped policy and value losses.
 * - `rloo`: REINFORCE leave-one-out (Ahmadian et al. 2024): k samples per
 *   prompt, each sequence's return R = score − β·KL minus the mean return of
 *   the other k − 1; no critic.
 * - `grpo`: group-normalised (Shao et al. 2024): (R − mean) / std over the
 *   prompt's k samples; no critic. The KL is in the reward here too (not a
 *   separate loss term as in DeepSeek's GRPO), so the three differ only in
 *   the baseline.
 *
 * Every estimator uses the clipped ratio objective over several epochs of
 * minibatches per rollout, so one rollout of `promptsPerRollout × k`
 * sequences feeds `ppoEpochs × miniBatches` optimizer steps; the loop's
 * `steps` counts those updates.
 *
 * Rollouts sample at temperature 1 with no top-k/top-p: truncated sampling
 * makes the sampled log-probs disagree with the policy's, and TRL documents
 * it as the cause of negative KL estimates. A response that never ends
 * within `maxNewTokens` loses `missingEosPenalty` from its score (TRL's
 * `missing_eos_penalty`), so running on is never cheaper than stopping.
 *
 * The value head sits on the policy's trunk (TRL's
 * AutoModelForCausalLMWithValueHead), starting at zero rather than from the
 * RM: the RM's end-token head alone is near chance (notebook 04: 54 %), its
 * score is mostly the response's likelihood, which a per-position head
 * cannot copy, and a zero critic makes the first advantages plain returns.
 *
 * PPO-ptx (InstructGPT): `ptxCoef` > 0 adds γ · mean NLL of raw pretraining
 * windows to every update, against the alignment tax.
 *
 * This file holds the config and `trainPpo`, which reads as its steps; the
 * rollout's steps are src/train/rollout.ts, the update src/train/ppo-update.ts
 * and the estimator math src/train/ppo-math.ts (re-exported here).
 */
import * as path from "path";
import { renderPrompt } from "../chat/template";
import type { EvalItem } from "../data/tasks/eval-sets";
import { sameTokenizer } from "../eval/kl";
import type { GPT } from "../model/gpt";
import type { RewardModel } from "../model/reward-model";
import type { MetricRow } from "../metrics";
import { Rng } from "../random";
import { loadRun, RunRecord } from "../run-record";
import type { BpeTokenizer } from "../tokenizer/index";
import { checkResumable, ProgressSink, TrainerState, trainLoop } from "./loop";
import { adaptBeta } from "./ppo-math";
import { newStats, ppoObjective, PpoMicro, updateBatches } from "./ppo-update";
import {
  assignAdvantages,
  collectRollout,
  PpoHooks,
  rolloutBatch,
  RolloutBatch,
  rolloutChunk,
  rolloutMetrics,
  RolloutResponse,
  sampleTable,
  SampleRow,
  scoreRollout,
} from "./rollout";

export {
  adaptBeta,
  clippedPolicyLoss,
  clippedValueLoss,
  gae,
  grpoAdvantages,
  klEstimates,
  rlooAdvantages,
  tokenRewards,
  whiten,
} from "./ppo-math";
export type { PpoHooks, RolloutBatch, RolloutResponse, RolloutRow, SampleRow } from "./rollout";

// The config, its presets and resolver live in ./ppo-config.ts (the rollout and update read it too).
export * from "./ppo-config";
import { PPO_FIXED_ON_RESUME, PpoConfig, rolloutPrompts, updatesPerRollout } from "./ppo-config";

export interface PpoArgs {
  /** The policy: the SFT model with a scalar head (the value head); trained in place. */
  model: GPT;
  /** The frozen SFT model the KL is measured against. */
  reference: GPT;
  /** The proxy reward. */
  rewardModel: RewardModel;
  tokenizer: BpeTokenizer;
  /** Prompt pool (`hooks.score` sees the item each response answers). */
  prompts: readonly EvalItem[];
  config: Readonly<PpoConfig>;
  /**
   * Extra score on top of the RM's, per response (notebook 05's length
   * bias; the tests' toy task). `tokens` are the sampled response ids.
   */
  scoreBonus?: (response: RolloutResponse) => number;
  /** What the caller adds to each rollout for the record (the gold reward): see `PpoHooks`. */
  hooks?: PpoHooks;
  /** Raw pretraining tokens (required when ptxCoef > 0). */
  ptx?: Int32Array;
  /** Held-out evaluation merged into each eval row. */
  evaluate?: (step: number) => MetricRow;
  checkpointDir?: string;
  resumeFrom?: string;
  progress?: ProgressSink;
  notes?: Partial<PpoNotes>;
}

/** What a PPO run keeps on record. */
export interface PpoNotes {
  prompts: number;
  /** Responses of each rollout to its first prompts: the per-step table. */
  samples: SampleRow[];
  base?: string;
  rewardModel?: string;
  [key: string]: unknown;
}

/** Refuse models that cannot be compared token by token, before any rollout. */
export function checkCompatible(
  policy: GPT,
  reference: GPT,
  rm: RewardModel,
  tok: BpeTokenizer,
  toks?: {
    reference?: BpeTokenizer;
    rewardModel?: BpeTokenizer;
  },
): void {
  if (!rm.model.config.scalarHead)
    throw new Error("PPO: the reward model has no scalar head; pass a folder made by npm run rm");
  for (const [name, m, t] of [
    ["reference", reference, toks?.reference],
    ["reward model", rm.model, toks?.rewardModel],
  ] as const) {
    if (m.config.vocabSize !== policy.config.vocabSize)
      throw new Error(
        `PPO: the ${name} has a vocabulary of ${m.config.vocabSize} tokens, the policy ${policy.config.vocabSize}; ` +
          `both must come from the same tokenizer (start from the same SFT model)`,
      );
    if (t && !sameTokenizer(t, tok))
      throw new Error(
        `PPO: the ${name}'s tokenizer differs from the policy's; use models trained from the same base`,
      );
  }
}

/** The checks a run would otherwise fail late on, before any rollout. */
function checkArgs(a: PpoArgs): void {
  if (!a.model.config.scalarHead && a.config.advantage === "gae")
    throw new Error("PPO: the policy needs a scalar head for its value (sft.withScalarHead())");
  checkCompatible(a.model, a.reference, a.rewardModel, a.tokenizer);
  if (a.config.ptxCoef > 0 && !a.ptx)
    throw new Error("PPO-ptx: ptxCoef > 0 needs the raw pretraining tokens (args.ptx)");
}

/** Each prompt rendered for the policy; refused where it leaves no room for a response. */
function renderPrompts(a: PpoArgs): number[][] {
  const C = a.model.config.contextLength;
  const prompts = a.prompts.map((item, i) => {
    const ids = renderPrompt(a.tokenizer, item.messages);
    if (ids.length + 1 > C)
      throw new Error(
        `${(item as { source?: string }).source ?? `prompt ${i + 1}`}: renders to ${ids.length} tokens, ` +
          `no room for a response in the context of ${C}; shorten it or drop it`,
      );
    return ids;
  });
  if (prompts.length < a.config.promptsPerRollout)
    throw new Error(
      `PPO: ${prompts.length} prompts, fewer than one rollout of ${a.config.promptsPerRollout}`,
    );
  return prompts;
}

/** The run's notes; a resumed run must have the checkpoint's recipe, and its response table carries on. */
function startNotes(a: PpoArgs, prompts: number): PpoNotes {
  const notes: PpoNotes = { samples: [], ...a.notes, prompts };
  if (a.resumeFrom) {
    const previous = loadRun(a.resumeFrom, "ppo");
    checkResumable(previous.config, a.config, path.join(a.resumeFrom, "run.json"), PPO_FIXED_ON_RESUME);
    notes.samples = (previous.notes.samples ?? []).slice();
  }
  return notes;
}

/** The KL coefficient β: adapted after each rollout when `targetKl` > 0, saved with every checkpoint. */
class KlController {
  beta: number;
  constructor(private readonly c: PpoConfig) {
    this.beta = c.beta;
  }
  /** After a rollout of `n` sequences whose mean k1 KL was `kl`. */
  update(kl: number, n: number): void {
    const c = this.c;
    if (c.targetKl > 0) this.beta = adaptBeta(this.beta, kl, c.targetKl, n, c.klHorizon);
  }
  readonly state: TrainerState = {
    file: "ppo_state.json",
    save: () => ({ beta: this.beta }),
    load: (v, source) => {
      const b = (v as { beta?: unknown }).beta;
      if (typeof b !== "number" || !Number.isFinite(b)) throw new Error(`${source}: "beta" must be a number`);
      this.beta = b;
    },
  };
}

/**
 * Train the policy with PPO / RLOO / GRPO; returns the run record. Each
 * rollout is collected (sampling), scored (the reward model, plus the
 * hooks), given advantages and measured (src/train/rollout.ts); then
 * `updatesPerRollout` updates train on it (src/train/ppo-update.ts).
 */
export async function trainPpo(a: PpoArgs): Promise<RunRecord<PpoConfig, PpoNotes>> {
  const c = a.config;
  const tok = a.tokenizer;
  checkArgs(a);
  const prompts = renderPrompts(a);
  const U = updatesPerRollout(c);
  const kl = new KlController(c);
  const notes = startNotes(a, prompts.length);

  const rollout = (step: number, rng: Rng, model: GPT) => {
    const picked = rolloutPrompts(c, prompts.length, step / U);
    const items = picked.map((i) => a.prompts[i]);
    // Collect: k samples per prompt, their log-probs under π and π_ref, the critic's values.
    const models = { policy: model, reference: a.reference };
    const collected = collectRollout(
      models,
      picked.map((i) => prompts[i]),
      c,
      tok,
      rng.int(0, 2 ** 31),
    );
    // Score: the reward model, the bonus, the missing-end penalty; the hooks, for the record.
    const scored = scoreRollout(collected, {
      rewardModel: a.rewardModel,
      pad: tok.special.pad,
      chunk: rolloutChunk(c),
      missingEosPenalty: c.missingEosPenalty,
      scoreBonus: a.scoreBonus,
      hooks: a.hooks,
      items,
    });
    // Advantages and returns, under the β the rollout is scored with.
    assignAdvantages(collected.rows, scored.scores, kl.beta, c);
    // Metrics and the response table; then β adapts to the rollout's KL.
    const metrics = rolloutMetrics(collected, scored, kl.beta);
    notes.samples.push(...sampleTable(step, collected, scored, items, c.samplesPerPrompt));
    const samples = rolloutBatch(collected, scored, picked, kl.beta);
    kl.update(metrics["objective/kl"]!, collected.rows.length);
    return { samples, metrics };
  };

  // The update: clipped-ratio steps over minibatches of each rollout.
  const ptx = { tokens: a.ptx, contextLength: a.model.config.contextLength };
  return trainLoop<PpoMicro, PpoConfig, PpoNotes, RolloutBatch>({
    method: "ppo",
    model: a.model,
    config: c,
    objective: ppoObjective(a.model, tok.special.pad, c, newStats()),
    rollout,
    updatesPerRollout: U,
    state: kl.state,
    batches: (step, rng, samples) => updateBatches(step, rng, samples, c, ptx),
    evaluate: a.evaluate,
    checkpointDir: a.checkpointDir,
    resumeFrom: a.resumeFrom,
    tokenizer: tok,
    progress: a.progress,
    notes,
  });
}

declare module "../run-record" {
  interface RunKinds {
    ppo: RunRecord<PpoConfig, PpoNotes>;
  }
}
