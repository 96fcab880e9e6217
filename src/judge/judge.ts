/**
 * One interface for everything that labels a comparison: the simulated
 * human raters of notebook 04, the rule constitution and the model asked to
 * judge (RLAIF, notebook 06), and the gold reward itself (the yardstick).
 *
 * A judge reads a pair (a prompt, response A, response B) and returns the
 * probability that A is the better response. 1 and 0 are hard labels, 0.5
 * is "cannot tell" (a tie, or an abstention). Probabilities between are
 * soft labels (the RLAIF paper trains its reward model on them).
 *
 * Wrappers change a judge without touching it: `swapDebiased` asks both
 * orders and averages (the RLAIF paper's position-bias fix), `clamped`
 * bounds every label (Constitutional AI clamps its chain-of-thought labels
 * to 40–60 % because they were overconfident).
 */
import type { Message } from "../chat/template";
import { Rng } from "../random";
import { GOLD_RATER, preferProbability, Rater } from "./raters";

/** One response as a judge may see it. */
export interface Candidate {
  content: string;
  /** Whether it ended with the end token within the length budget. */
  stopped: boolean;
  /**
   * The hidden gold reward (src/judge/gold.ts). Only the simulated raters
   * and the gold judge read it; the constitution and the self-judge see the
   * text alone.
   */
  gold: number;
}

/** A comparison to label: is `a` better than `b` as a response to `prompt`? */
export interface JudgePair {
  /** Names the pair in errors and tables: "rm/17 0-2" (prompt id, then the two response indices). */
  id: string;
  /** The prompt id the pair belongs to (a rater is drawn per prompt, as in `rankAll`). */
  promptId: string;
  prompt: readonly Message[];
  a: Candidate;
  b: Candidate;
}

/** Labels pairs: P(a is better) for each, in [0, 1]. */
export interface Judge {
  /** Short name for tables and errors ("constitution", "self-judge (swapped)"). */
  id: string;
  label(pairs: readonly JudgePair[]): number[];
}

/** The last user turn: the request a judge weighs the responses against. */
export function requestOf(prompt: readonly Message[]): string {
  const users = prompt.filter((m) => m.role === "user");
  if (users.length === 0) throw new Error("judge: the prompt has no user turn");
  return users[users.length - 1].content;
}

/**
 * A judge's labels, checked: one per pair, each a number in [0, 1]. Anything
 * else (NaN, 1.2, a missing label) is an error naming the judge and the pair,
 * because a bad label silently flips or drops a training signal.
 */
export function labelPairs(judge: Judge, pairs: readonly JudgePair[]): number[] {
  const labels = judge.label(pairs);
  if (labels.length !== pairs.length)
    throw new Error(`judge ${judge.id}: returned ${labels.length} labels for ${pairs.length} pairs`);
  labels.forEach((p, i) => {
    if (!(p >= 0 && p <= 1))
      throw new Error(
        `judge ${judge.id}: label ${p} for pair ${pairs[i].id} is not a probability in [0, 1]; ` +
          `fix the judge (a probability must come from a softmax or a clamp)`,
      );
  });
  return labels;
}

/** The same pairs with A and B exchanged. */
export const swapped = (pairs: readonly JudgePair[]): JudgePair[] =>
  pairs.map((p) => ({ ...p, a: p.b, b: p.a }));

/**
 * Position-swap debiasing: ask both orders, average P(a better) from the
 * first with 1 − P(b better) from the second. A judge that always prefers
 * whatever stands first then scores exactly 0.5.
 */
export function swapDebiased(judge: Judge): Judge {
  return {
    id: `${judge.id} (swapped)`,
    label: (pairs) => {
      const ab = labelPairs(judge, pairs);
      const ba = labelPairs(judge, swapped(pairs));
      return ab.map((p, i) => (p + (1 - ba[i])) / 2);
    },
  };
}

/** Every label bounded to [lo, hi] (Constitutional AI: 0.4–0.6). */
export function clamped(judge: Judge, lo = 0.4, hi = 0.6): Judge {
  if (!(0 <= lo && lo <= 0.5 && 0.5 <= hi && hi <= 1))
    throw new Error(`clamped: need 0 ≤ lo ≤ 0.5 ≤ hi ≤ 1, got ${lo} and ${hi}`);
  return {
    id: `${judge.id} (clamped ${lo}–${hi})`,
    label: (pairs) => labelPairs(judge, pairs).map((p) => Math.min(hi, Math.max(lo, p))),
  };
}

/** The gold judge: 1, 0 or 0.5 by the hidden gold reward. The yardstick, never a training label here. */
export const goldJudge: Judge = {
  id: "gold",
  label: (pairs) => pairs.map((p) => preferProbability(GOLD_RATER, ratedOf(p.a), ratedOf(p.b))),
};

const ratedOf = (c: Candidate) => ({ gold: c.gold, words: c.content.split(/\s+/).filter(Boolean).length });

/**
 * Simulated human labels: for each prompt one rater of the panel is drawn
 * (as `rankAll` draws one per ranking), and for each pair that rater says
 * "A" with its Bradley–Terry probability. The label is the draw (0 or 1),
 * what a person's click records; deterministic per (seed, pair id).
 */
export function raterJudge(panel: readonly Rater[], seed = 0): Judge {
  if (panel.length === 0) throw new Error("raterJudge: the panel is empty; give at least one rater");
  return {
    id: "simulated raters",
    label: (pairs) =>
      pairs.map((p) => {
        const rater = new Rng(seed).fork(`rater/${p.promptId}`).pick(panel);
        const prob = preferProbability(rater, ratedOf(p.a), ratedOf(p.b));
        return new Rng(seed).fork(`label/${p.id}`).random() < prob ? 1 : 0;
      }),
  };
}
