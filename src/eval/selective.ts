/**
 * Selective prediction (El-Yaniv & Wiener 2010; Kadavath et al. 2022,
 * "Language Models (Mostly) Know What They Know"): a model that may decline
 * should decline where it would have been wrong. Two views of one model on
 * known-word questions:
 * - the accuracy–coverage curve: answer only the k most confident questions
 *   (confidence: the greedy answer's mean log-prob per token under the model
 *   itself), for every k; a model that knows what it knows loses little
 *   accuracy as coverage grows;
 * - its own declines (refusals and abstentions): how often a reference
 *   model (SFT) was right on the questions it declined, against how often it
 *   was right overall. Declining where SFT was wrong is declining well.
 */
import type { EvalItem } from "../data/tasks/eval-sets";
import { renderPrompt } from "../chat/template";
import { responseLogProbs } from "../model/logprobs";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import type { ItemResult } from "./evaluate";
import { Rate, wilson } from "./stats";

/** One answered-or-declined question: the model's confidence, and whether its answer was right. */
export interface SelectiveItem {
  confidence: number;
  correct: boolean;
  /** false for a refusal or an abstention: the model declined. */
  answered: boolean;
}

export interface CoveragePoint {
  coverage: number;
  accuracy: number;
}

/**
 * Accuracy among the k most confident answered questions, against coverage
 * k / n (n: every question, declined ones included), for k = 1 … answered;
 * `points` of them, evenly spaced in k.
 */
export function accuracyCoverage(items: readonly SelectiveItem[], points = 20): CoveragePoint[] {
  const answered = items.filter((x) => x.answered).sort((a, b) => b.confidence - a.confidence);
  if (answered.length === 0) return [];
  const out: CoveragePoint[] = [];
  let right = 0;
  const every = Math.max(1, Math.floor(answered.length / points));
  answered.forEach((x, i) => {
    if (x.correct) right++;
    const k = i + 1;
    if (k % every === 0 || k === answered.length)
      out.push({ coverage: k / items.length, accuracy: right / k });
  });
  return out;
}

/**
 * Area under the accuracy–coverage curve over the answered questions (the
 * mean of the running accuracy): 1 when every right answer is more
 * confident than every wrong one, the plain accuracy when confidence says
 * nothing.
 */
export function selectiveArea(items: readonly SelectiveItem[]): number {
  const answered = items.filter((x) => x.answered).sort((a, b) => b.confidence - a.confidence);
  let right = 0;
  let area = 0;
  answered.forEach((x, i) => {
    if (x.correct) right++;
    area += right / (i + 1);
  });
  return answered.length ? area / answered.length : NaN;
}

/** What a reference got right where the model declined, and overall (the same questions). */
export interface DeclineCheck {
  declined: number;
  /** The reference's accuracy on the questions the model declined. */
  onDeclined: Rate;
  /** The reference's accuracy on every question. */
  overall: Rate;
}

export function declineCheck(model: readonly ItemResult[], reference: readonly ItemResult[]): DeclineCheck {
  if (model.length !== reference.length)
    throw new Error(`declineCheck: ${model.length} results but ${reference.length} of the reference`);
  const declined = reference.filter(
    (_, i) => model[i].behaviour === "refusal" || model[i].behaviour === "abstention",
  );
  return {
    declined: declined.length,
    onDeclined: wilson(declined.filter((r) => r.correct === true).length, declined.length),
    overall: wilson(reference.filter((r) => r.correct === true).length, reference.length),
  };
}

/** Mean log-prob per token of each greedy response (end token included) under the model that wrote it. */
export function answerConfidence(
  model: GPT,
  tok: BpeTokenizer,
  items: readonly EvalItem[],
  results: readonly ItemResult[],
): number[] {
  const rows = items.map((it, i) => {
    const prompt = renderPrompt(tok, it.messages);
    const response = [...tok.encode(results[i].response), ...(results[i].stopped ? [tok.special.eos] : [])];
    return { tokens: [...prompt, ...response], start: prompt.length };
  });
  const logp = responseLogProbs(model, rows, { pad: tok.special.pad, chunk: 32 });
  return logp.map((l) => (l.length ? l.reduce((s, x) => s + x, 0) / l.length : -Infinity));
}

/** The selective items of a model's results with their confidence. */
export const selectiveItems = (
  results: readonly ItemResult[],
  confidence: readonly number[],
): SelectiveItem[] =>
  results.map((r, i) => ({
    confidence: confidence[i],
    correct: r.correct === true,
    answered: r.behaviour !== "refusal" && r.behaviour !== "abstention",
  }));
