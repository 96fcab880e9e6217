/**
 * Simulated raters: they rank K responses to one prompt the way InstructGPT's
 * labellers did, but from the hidden gold reward, with noise we control.
 *
 * A rater's utility for response i is gold_i + lengthBias · words_i. The
 * ranking is a Plackett–Luce draw at `temperature` T (Gumbel-max: sort
 * u_i / T + Gumbel noise), so any two responses are ordered as Bradley–Terry
 * says: P(i above j) = σ((u_i − u_j) / T). T = 0 is a noiseless rater.
 * Several raters with different T or bias disagree as real ones do.
 *
 * What a rater values (`prefers`): "hhh" raters rank by the gold reward
 * itself (helpful, honest, harmless: src/judge/gold.ts); "helpful" raters by
 * its helpful part alone, blind to harm and honesty, like the helpfulness
 * half of Anthropic's HH data (Bai et al., 2022a): they prefer a fluent
 * answer about a weapon to a refusal, and a made-up answer to "I don't know".
 */
import type { Rng } from "../random";

/** One simulated rater. */
export interface Rater {
  id: string;
  /** Bradley–Terry temperature in gold units; 0: always the gold order. */
  temperature: number;
  /** Utility added per word of the response (> 0: prefers longer answers). */
  lengthBias: number;
  /** What the rater values: the whole gold reward ("hhh", the default) or its helpful part. */
  prefers?: "hhh" | "helpful";
}

/** A noiseless, unbiased rater: the gold order itself. */
export const GOLD_RATER: Readonly<Rater> = Object.freeze({ id: "gold", temperature: 0, lengthBias: 0 });

/** What a rater sees of one response. */
export interface Rated {
  gold: number;
  /** The gold reward's helpful part (what "helpful" raters rank by). */
  helpful?: number;
  /** Words in the response (for the length bias). */
  words: number;
}

/** The value a rater ranks a response by, before its length bias and noise. */
function valueOf(rater: Rater, x: Rated, i: number): number {
  if ((rater.prefers ?? "hhh") === "hhh") return x.gold;
  if (x.helpful === undefined)
    throw new Error(
      `rater ${rater.id} ranks by helpfulness, but response ${i} has no "helpful" score; rebuild the comparisons with npm run comparisons`,
    );
  return x.helpful;
}

function checkRater(r: Rater): void {
  if (!(r.temperature >= 0) || !Number.isFinite(r.lengthBias))
    throw new Error(
      `rater ${r.id}: temperature must be ≥ 0 and lengthBias finite, got ${r.temperature} and ${r.lengthBias}`,
    );
}

/** Standard Gumbel noise. */
const gumbel = (rng: Rng) => -Math.log(-Math.log(1 - rng.random() * (1 - 1e-12)));

/**
 * The rater's ranking of `responses`, best first, as indices. Ties in a
 * noiseless ranking keep the given order, so it is deterministic.
 */
export function rank(rater: Rater, responses: readonly Rated[], rng: Rng): number[] {
  checkRater(rater);
  for (const [i, x] of responses.entries())
    if (!Number.isFinite(x.gold)) throw new Error(`rater ${rater.id}: response ${i} has gold ${x.gold}`);
  const key = responses.map((x, i) => {
    const u = valueOf(rater, x, i) + rater.lengthBias * x.words;
    return { i, k: rater.temperature === 0 ? u : u / rater.temperature + gumbel(rng) };
  });
  return key.sort((a, b) => b.k - a.k || a.i - b.i).map((x) => x.i);
}

/** Every pair of a ranking once, as [better, worse] indices: K(K−1)/2 of them. */
export function rankingPairs(order: readonly number[]): [number, number][] {
  if (new Set(order).size !== order.length) throw new Error(`rankingPairs: ${order} repeats an index`);
  const out: [number, number][] = [];
  for (let a = 0; a < order.length; a++)
    for (let b = a + 1; b < order.length; b++) out.push([order[a], order[b]]);
  return out;
}

/** P(i ranked above j) for this rater: Bradley–Terry on the utilities. */
export function preferProbability(rater: Rater, i: Rated, j: Rated): number {
  checkRater(rater);
  const d = valueOf(rater, i, 0) - valueOf(rater, j, 1) + rater.lengthBias * (i.words - j.words);
  if (rater.temperature === 0) return d > 0 ? 1 : d < 0 ? 0 : 0.5;
  return 1 / (1 + Math.exp(-d / rater.temperature));
}

/**
 * The panel that labels the committed comparisons (`npm run rm`): three
 * raters of different care. In gold units a right answer beats a wrong one
 * by 0.5, a met format by 0.15; the most careful rater orders those
 * correctly 99 % and 82 % of the time, the least careful 84 % and 62 %, and
 * gold ties are coin flips for all three. InstructGPT reports 72.6 ± 1.5 %
 * agreement between its training labellers.
 */
export const RATER_PANEL: readonly Rater[] = Object.freeze([
  { id: "careful", temperature: 0.1, lengthBias: 0 },
  { id: "typical", temperature: 0.2, lengthBias: 0 },
  { id: "hasty", temperature: 0.3, lengthBias: 0 },
]);

/**
 * The helpful-only panel: the same three levels of care, ranking by the gold
 * reward's helpful part (see the module doc). Its comparisons teach what a
 * helpfulness-only preference dataset teaches: answer everything.
 */
export const HELPFUL_PANEL: readonly Rater[] = Object.freeze(
  RATER_PANEL.map((r) => Object.freeze({ ...r, id: `${r.id}/helpful`, prefers: "helpful" as const })),
);

/** The two panels by name (`npm run comparisons -- --panel NAME`). */
export const PANELS: Readonly<Record<"hhh" | "helpful", readonly Rater[]>> = Object.freeze({
  hhh: RATER_PANEL,
  helpful: HELPFUL_PANEL,
});

/** The same panel with a taste for length: `perWord` gold units per word (e.g. 0.05: five words ≈ a met format). */
export function lengthBiasedPanel(perWord: number, panel: readonly Rater[] = RATER_PANEL): Rater[] {
  return panel.map((r) => ({ ...r, id: `${r.id}+length`, lengthBias: perWord }));
}
