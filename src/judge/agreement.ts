/**
 * How a judge's labels compare with the gold judge's on the same pairs:
 * coverage (pairs it decides), accuracy where it decides and over all
 * pairs (an abstention counting ½), soft accuracy, Cohen's κ; and position
 * bias from the labels of both orders. Notebook 06 and `npm run rlaif`.
 */
import { cohenKappa, meanInterval, Rate, wilson } from "../eval/stats";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { Judge, JudgePair, labelPairs, swapped } from "./judge";
import { selfJudge } from "./self-judge";

type Interval = ReturnType<typeof meanInterval>;

/** How a judge's labels agree with the gold judge's on the pairs gold does not tie. */
export interface Agreement {
  judge: string;
  /** Pairs gold orders (gold ties left out: no judge can be right or wrong there). */
  n: number;
  /** Share of those pairs the judge decides (label ≠ 0.5). */
  decided: Rate;
  /** Accuracy on the pairs it decides. */
  accuracyDecided: Rate;
  /** Accuracy over all n pairs, an undecided pair counting ½ (what a coin flip would get). */
  accuracy: Interval;
  /** Mean probability the judge puts on gold's choice (soft labels). */
  softAccuracy: Interval;
  /** Cohen's κ against gold on the decided pairs. */
  kappa: number;
}

export function agreement(judge: string, labels: readonly number[], gold: readonly number[]): Agreement {
  if (labels.length !== gold.length)
    throw new Error(`agreement: ${labels.length} labels for ${gold.length} gold labels`);
  const idx = gold.flatMap((g, i) => (g === 0.5 ? [] : [i]));
  const dec = idx.filter((i) => labels[i] !== 0.5);
  const right = (i: number) => labels[i] > 0.5 === gold[i] > 0.5;
  return {
    judge,
    n: idx.length,
    decided: wilson(dec.length, idx.length),
    accuracyDecided: wilson(dec.filter(right).length, dec.length),
    accuracy: meanInterval(idx.map((i) => (labels[i] === 0.5 ? 0.5 : right(i) ? 1 : 0))),
    softAccuracy: meanInterval(idx.map((i) => (gold[i] > 0.5 ? labels[i] : 1 - labels[i]))),
    kappa:
      dec.length > 1
        ? cohenKappa(
            dec.map((i) => labels[i] > 0.5),
            dec.map((i) => gold[i] > 0.5),
          )
        : NaN,
  };
}

/**
 * Position bias from the labels of both orders (`ba`: P(first shown better)
 * with the replies exchanged): P(the reply shown first is preferred),
 * averaged over pairs (0.5 = none), and, over the pairs decided in both
 * orders, how often the decision survives swapping the two replies.
 */
export function positionBias(ab: readonly number[], ba: readonly number[]) {
  const both = ab.flatMap((p, i) => (p !== 0.5 && ba[i] !== 0.5 ? [i] : []));
  return {
    preferFirst: meanInterval(ab.map((p, i) => (p + ba[i]) / 2)),
    consistent: wilson(both.filter((i) => (ab[i] - 0.5) * (ba[i] - 0.5) < 0).length, both.length),
  };
}

/** Labels of a judge with the seconds they took. */
export function timedLabels(judge: Judge, pairs: readonly JudgePair[]) {
  const t = Date.now();
  const labels = labelPairs(judge, pairs);
  return { labels, seconds: (Date.now() - t) / 1000 };
}

/** The self-judge of `model` on held-out pairs: one order, swapped, swapped and clamped; position bias. */
export function selfJudgeStudy(
  model: GPT,
  tok: BpeTokenizer,
  id: string,
  pairs: readonly JudgePair[],
  gold: number[],
) {
  const sj = selfJudge(model, tok, id);
  const t = Date.now();
  const ab = labelPairs(sj, pairs);
  const ba = labelPairs(sj, swapped(pairs));
  const seconds = (Date.now() - t) / 1000;
  const swap = ab.map((p, i) => (p + 1 - ba[i]) / 2);
  const clamp = swap.map((p) => Math.min(0.6, Math.max(0.4, p)));
  return {
    rows: [
      agreement(`${id} (one order)`, ab, gold),
      agreement(`${id} (swapped)`, swap, gold),
      agreement(`${id} (swapped, clamped 0.4–0.6)`, clamp, gold),
    ],
    positionBias: positionBias(ab, ba),
    tooLong: sj.stats.tooLong / 2,
    costPer1000: {
      seconds: (1000 * seconds) / pairs.length,
      calls: (1000 * sj.stats.calls) / pairs.length,
      tokens: (1000 * sj.stats.tokens) / pairs.length,
    },
  };
}
