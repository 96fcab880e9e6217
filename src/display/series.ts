/**
 * Small computations the notebooks' figures and findings share: a moving
 * average of a training curve, the share of items that pass a test, seeds
 * pooled per prompt, a paired comparison against SFT, and grouping a sweep's
 * runs by everything but their seed.
 */
import { meanInterval } from "../eval/stats";
import type { KindRates } from "../eval/suite";
import { REQUEST_KINDS, RequestKind } from "../data/world";
import { Interval, pctCi } from "./format";

/**
 * Trailing moving average over `window` points (fewer at the start): each
 * logged row of RL or preference training is one noisy batch, so curves are
 * drawn with this beside the raw rows.
 */
export function smooth(series: readonly number[], window: number): number[] {
  if (!(Number.isInteger(window) && window >= 1))
    throw new Error(`smooth: window ${window} is not a whole number ≥ 1`);
  return series.map((_, i) => {
    const win = series.slice(Math.max(0, i - window + 1), i + 1);
    return win.reduce((a, b) => a + b, 0) / win.length;
  });
}

/** The mean of the last `1/parts` of a series (at least one point): where training ended up. */
export function tailMean(series: readonly number[], parts = 5): number {
  if (series.length === 0) throw new Error("tailMean: no values");
  const n = Math.max(1, Math.floor(series.length / parts));
  return series.slice(-n).reduce((a, b) => a + b, 0) / n;
}

/** The share of `items` for which `test` holds (NaN for none). */
export function share<T>(items: readonly T[], test: (x: T) => boolean): number {
  return items.filter(test).length / items.length;
}

/** A bar of `behaviourBars`: the shares of responses that answer, continue the prompt, refuse, abstain, or do none. */
export function behaviourBar(
  label: string,
  responses: readonly { behaviour: string }[],
): {
  label: string;
  answer_rate: number;
  continuation_rate: number;
  refusal_rate: number;
  abstain_rate: number;
  other_rate: number;
} {
  const of = (b: string) => share(responses, (r) => r.behaviour === b);
  return {
    label,
    answer_rate: of("answer"),
    continuation_rate: of("continuation"),
    refusal_rate: of("refusal"),
    abstain_rate: of("abstention"),
    other_rate: of("other"),
  };
}

/**
 * Several seeds' per-prompt values pooled per prompt: prompt k's mean over
 * the seeds. Seeds of one method share their prompts, so the prompts, not
 * the seeds' values, are the independent units of any interval drawn after.
 */
export function poolSeeds(perSeed: readonly (readonly number[])[]): number[] {
  if (perSeed.length === 0) throw new Error("poolSeeds: no seeds to pool");
  const n = perSeed[0].length;
  if (perSeed.some((s) => s.length !== n))
    throw new Error(`poolSeeds: seeds cover different prompts (${perSeed.map((s) => s.length).join(", ")})`);
  return perSeed[0].map((_, k) => perSeed.reduce((a, s) => a + s[k], 0) / perSeed.length);
}

/**
 * A method against SFT, paired per prompt: each prompt's value pooled over
 * the method's seeds minus SFT's, then the mean difference with its 95 %
 * interval over prompts.
 */
export function pairedVsSft(
  sft: readonly number[],
  perSeed: readonly (readonly number[])[],
): Interval & { n: number } {
  const pooled = poolSeeds(perSeed);
  if (pooled.length !== sft.length)
    throw new Error(`pairedVsSft: ${pooled.length} prompts against SFT's ${sft.length}`);
  return meanInterval(pooled.map((x, p) => x - sft[p]));
}

/**
 * Several seeds' held-out points (`sampledGold`'s) as one: per prompt, the
 * seeds' mean gold and KL, then the mean and interval over prompts. One
 * seed's point comes back as it was.
 */
export function pooledPoint(
  points: readonly { perPrompt: { gold: readonly number[]; kl: readonly number[] } }[],
): {
  gold: Interval & { n: number };
  kl: Interval & { n: number };
  perPrompt: { gold: number[]; kl: number[] };
} {
  const gold = poolSeeds(points.map((p) => p.perPrompt.gold));
  const kl = poolSeeds(points.map((p) => p.perPrompt.kl));
  return { gold: meanInterval(gold), kl: meanInterval(kl), perPrompt: { gold, kl } };
}

/** Whether an interval lies wholly above or below `value` (0 for a gain, 0.5 for a win rate). */
export const excludes = (i: { lo: number; hi: number }, value: number): boolean =>
  i.lo > value || i.hi < value;

/**
 * Runs grouped by `key` (a run's settings without its seed), groups and the
 * runs within them in first-seen order: one group per method, however many
 * seeds the record holds of it.
 */
export function seedGroups<R>(rows: readonly R[], key: (r: R) => string): { key: string; rows: R[] }[] {
  const groups = new Map<string, R[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return [...groups].map(([k, rs]) => ({ key: k, rows: rs }));
}

/**
 * One row per model and request kind, for a table: n and the shares that
 * answer, refuse and abstain, each with its Wilson interval ("4.9% (1.9%–12.0%)").
 */
export function kindRows(byModel: Record<string, Partial<Record<RequestKind, KindRates>>>) {
  return Object.entries(byModel).flatMap(([model, byKind]) =>
    REQUEST_KINDS.filter((kind) => byKind[kind]).map((kind) => {
      const r = byKind[kind]!;
      return {
        model,
        kind,
        n: r.n,
        answer: pctCi(r.answer),
        refusal: pctCi(r.refusal),
        abstention: pctCi(r.abstention),
      };
    }),
  );
}

/**
 * Stacked-bar rows (src/display/charts.ts, behaviourBars) from per-kind
 * rates, for records that keep rates, not responses. The rates hold no
 * continuation share, so what is neither an answer, a refusal nor an
 * abstention is drawn as "other".
 */
export function kindBars(
  byModel: Record<string, Partial<Record<RequestKind, KindRates>>>,
  kinds = REQUEST_KINDS,
) {
  return kinds.flatMap((kind) =>
    Object.entries(byModel)
      .filter(([, byKind]) => byKind[kind])
      .map(([label, byKind]) => {
        const r = byKind[kind]!;
        return {
          group: kind,
          label,
          answer_rate: r.answer.rate,
          continuation_rate: 0,
          refusal_rate: r.refusal.rate,
          abstain_rate: r.abstention.rate,
          other_rate: Math.max(0, 1 - r.answer.rate - r.refusal.rate - r.abstention.rate),
        };
      }),
  );
}
