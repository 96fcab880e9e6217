/**
 * The gold reward: the hidden truth behind the simulated raters and judges
 * of notebooks 04–07. It scores one response to one eval item from parts a
 * reader can check by eye, with one table of weights.
 *
 * Two kinds of term, reported apart, because they can generalise
 * differently (a gain in correctness is about the prompts trained on; a
 * behaviour that is the same on every prompt can carry over to new ones):
 * - prompt-specific: `correct`, the task's own checker (partial credit where
 *   the checker gives it);
 * - behavioural: `answers` (the response ends with end-of-sequence and is an
 *   answer, not a continuation: src/eval/behaviour.ts) and `concise`
 *   (nothing after the answer: one line, at most `CONCISE_SLACK` words more
 *   than the reference).
 *
 * Whether these behavioural terms leave the SFT model room to improve is
 * for the reward-model issue's headroom measurement to say; if they are
 * saturated, a format or constraint term belongs in this table.
 *
 * Training code never calls this directly: raters and judges do (issue 14).
 */
import { checkEvalItem, EvalItem } from "../data/tasks/eval-sets";
import { words } from "../data/tasks/check";
import { classify } from "../eval/behaviour";

/** The terms of the gold reward. */
export const GOLD_TERMS = ["correct", "answers", "concise"] as const;
export type GoldTerm = (typeof GOLD_TERMS)[number];

/** Which terms depend on the prompt's content, and which are the same behaviour everywhere. */
export const TERM_KIND: Readonly<Record<GoldTerm, "prompt-specific" | "behavioural">> = {
  correct: "prompt-specific",
  answers: "behavioural",
  concise: "behavioural",
};

/** The one table of weights; they sum to 1, so the reward lies in [0, 1]. */
export const GOLD_WEIGHTS: Readonly<Record<GoldTerm, number>> = Object.freeze({
  correct: 0.6,
  answers: 0.25,
  concise: 0.15,
});

/** Words a concise answer may add to the reference ("cold" → "it is cold" is still concise). */
export const CONCISE_SLACK = 3;

/** A scored response: the total and every term in [0, 1]. */
export interface GoldScore {
  total: number;
  terms: Record<GoldTerm, number>;
  /** Weighted sums per kind; they add up to `total`. */
  byKind: Record<"prompt-specific" | "behavioural", number>;
}

/** The user's request: the last user turn of the item. */
function requestOf(item: EvalItem): string {
  const users = item.messages.filter((m) => m.role === "user");
  if (users.length === 0) throw new Error(`gold: item of task ${item.task} has no user turn`);
  return users[users.length - 1].content;
}

/** Nothing after the answer: one non-empty line, at most CONCISE_SLACK words longer than the reference. */
export function isConcise(response: string, reference: string): boolean {
  const lines = response
    .trim()
    .split("\n")
    .filter((l) => l.trim().length > 0);
  return lines.length === 1 && words(lines[0]).length <= words(reference).length + CONCISE_SLACK;
}

/**
 * The gold reward of `response` to `item`. `stopped`: whether generation
 * ended with end-of-sequence within its budget (an answer must stop).
 */
export function goldReward(
  item: EvalItem,
  response: string,
  stopped: boolean,
  weights: Readonly<Record<GoldTerm, number>> = GOLD_WEIGHTS,
): GoldScore {
  const check = checkEvalItem(item, response);
  const behaviour = classify({ prompt: requestOf(item), response, stopped }).behaviour;
  const terms: Record<GoldTerm, number> = {
    correct: check.correct ? 1 : Math.max(0, Math.min(1, check.score)),
    answers: behaviour === "answer" ? 1 : 0,
    concise: stopped && isConcise(response, item.answer) ? 1 : 0,
  };
  const byKind = { "prompt-specific": 0, behavioural: 0 };
  for (const t of GOLD_TERMS) byKind[TERM_KIND[t]] += weights[t] * terms[t];
  return { total: byKind["prompt-specific"] + byKind.behavioural, terms, byKind };
}
