/**
 * The findings of notebook 04 (reward modelling), as sentences computed from
 * its numbers: each function takes the intervals a cell measured and returns
 * the markdown the cell reports, so every branch of the wording is tested
 * (test/display/findings/reward.test.ts).
 */
import { f2, f3, Interval, plusMinus } from "../format";
import { pct } from "../report";

/** The target every reward model is held to: Spearman ρ(RM, gold) on fresh samples. */
export const RHO_TARGET = 0.6;

/** Whether a share meets a target: with its whole interval, by the estimate alone, or not. */
export function targetVerdict(r: { rate: number; lo: number }, target: number): string {
  return r.lo >= target
    ? "met, interval and all"
    : r.rate >= target
      ? "met by the estimate, not by the whole interval"
      : "not met";
}

/** Section 4: Kendall τ per prompt, and the held-out accuracy against gold against its 75 % target. */
export function kendallFinding(
  kendall: Interval & { n: number },
  gold: { rate: number; lo: number },
): string {
  return (
    `Kendall τ between the RM's and gold's order of each prompt's responses: ` +
    `**${f2(kendall.mean)}** (95 % CI ${f2(kendall.lo)} to ${f2(kendall.hi)}, ${kendall.n} prompts with ` +
    `a gold order). Target: accuracy against gold ≥ 75 %: **${targetVerdict(gold, 0.75)}**.`
  );
}

/** How a reward model's scores of fresh samples agree with gold (`FreshAgreement`). */
export interface FreshRho {
  spearman: number;
  lo: number;
  hi: number;
  between: number;
  within: number;
}

/** Section 5: ρ(RM, gold) on fresh samples, pooled and split between and within prompts. */
export function freshRhoFinding(
  agree: FreshRho & { responses: number; prompts: number },
  /** Prompts whose two samples are different texts (the within-prompt ρ's prompts). */
  twoTexts: number,
): string {
  return (
    `Spearman ρ(RM, gold) = **${f2(agree.spearman)}** (95 % bootstrap interval over prompts ` +
    `${f2(agree.lo)} to ${f2(agree.hi)}) on ${agree.responses} fresh responses to ` +
    `${agree.prompts} prompts (target ≥ ${RHO_TARGET}: **${agree.spearman >= RHO_TARGET ? "met" : "not met"}**). ` +
    `Between prompts ρ = ${f2(agree.between)}; within a prompt ρ = ${f2(agree.within)} ` +
    `(${twoTexts} prompts whose two samples differ): the RM ` +
    (agree.within < agree.between
      ? "ranks prompts better than it ranks one prompt's answers."
      : "ranks one prompt's answers at least as well as it ranks prompts.")
  );
}

/** One reward model of the seed study: a seed's, or "WARM", the weight average of the seeds' models. */
export interface SeedMember {
  member: string;
  fresh: FreshRho;
  heldOut: { gold: { rate: number; lo: number; hi: number } };
}

/** Section 5's seed study: the seeds' spread of ρ, WARM, and where the 0.6 target falls. */
export function seedStudyFinding(o: {
  /** Every member, the seeds' models and WARM. */
  members: readonly SeedMember[];
  /** The t-interval of the seeds' fresh ρ (WARM left out). */
  seedRho: Interval;
  /** Prompts of the fresh samples. */
  prompts: number;
}): string {
  const { members, seedRho } = o;
  const seeds = members.filter((r) => r.member !== "WARM");
  const warm = members.find((r) => r.member === "WARM");
  if (!warm) throw new Error("seedStudyFinding: no WARM member");
  const below = members.filter((r) => r.fresh.hi < RHO_TARGET).length;
  const reach = members.filter((r) => r.fresh.spearman >= RHO_TARGET).length;
  const target =
    below === members.length
      ? `The target ${RHO_TARGET} lies above every model's interval. `
      : below === 0
        ? `Every model's interval over prompts reaches ${RHO_TARGET} and ${reach ? reach : "none"} of the ` +
          `${members.length} estimates ${reach > 1 ? "do" : "does"}: ${o.prompts} prompts cannot ` +
          "rule the target in or out. "
        : `The target lies above the interval of ${below} of the ${members.length} models and inside ` +
          "the others'. ";
  const spread =
    seedRho.hi < RHO_TARGET
      ? `The seeds' mean stays below ${RHO_TARGET} with an interval that excludes it: the shortfall is not ` +
        "one seed's luck, and averaging the weights does not close it."
      : `The seeds' interval reaches ${RHO_TARGET}: which seed one trains decides whether the target is met.`;
  const within = members.every((r) => r.fresh.within < r.fresh.between)
    ? ` In every model the within-prompt ρ (at most ${f2(Math.max(...members.map((r) => r.fresh.within)))})` +
      " trails the between-prompt ρ: what holds ρ down is the order of one prompt's answers."
    : "";
  return (
    `Over ${seeds.length} seeds the fresh ρ is ${f2(seedRho.mean)} (t-interval ${f2(seedRho.lo)} to ` +
    `${f2(seedRho.hi)}: the seeds' spread on these prompts); WARM gives ${f2(warm.fresh.spearman)} ` +
    `(${f2(warm.fresh.lo)} to ${f2(warm.fresh.hi)}) and ${pct(warm.heldOut.gold.rate)} accuracy against ` +
    `gold (${pct(warm.heldOut.gold.lo)}–${pct(warm.heldOut.gold.hi)}). ` +
    target +
    spread +
    within
  );
}

/** A length coefficient: RM units per word within a prompt, controlling for gold, with its 95 % interval. */
export interface Slope {
  estimate: number;
  lo: number;
  hi: number;
}

const slopeRange = (s: Slope) => `${f3(s.lo)} to ${f3(s.hi)}`;

/**
 * Section 7: did the length-loving raters' taste pass into their RM? Only
 * disjoint intervals are called; `untrained` explains a slope that is there
 * before any training.
 */
export function lengthBiasFinding(untrained: Slope, unbiased: Slope, biased: Slope): string {
  if (biased.lo > unbiased.hi)
    return (
      `**The raters' taste passed into the RM**: its length coefficient (${f3(biased.estimate)}) lies ` +
      `above the unbiased RM's interval (${slopeRange(unbiased)}).`
    );
  if (biased.hi < unbiased.lo)
    return (
      `**The RM of the length-loving raters rewards length less**: its length coefficient ` +
      `(${f3(biased.estimate)}) lies below the unbiased RM's interval (${slopeRange(unbiased)}), the ` +
      `opposite of the raters' taste.`
    );
  return (
    `The intervals of the unbiased and the length-loving raters' RMs overlap (${slopeRange(unbiased)} ` +
    `against ${slopeRange(biased)}): no difference is claimed. ` +
    (untrained.lo > 0
      ? `The untrained likelihood term already rewards length within a prompt ` +
        `(${f3(untrained.estimate)}, interval above 0): later tokens of a longer answer are easier ` +
        `to predict, which raises its mean log-prob. `
      : "") +
    `At this data size training moves the RM little from where it started ` +
    `(section 6's curve is flat), so the raters' taste has little room to show.`
  );
}

/** What this notebook shows: the summary bullets, from the numbers of sections 4–7. */
export function rewardSummary(o: {
  /** Held-out accuracy against the raters' labels, and against gold with its interval. */
  raters: { rate: number };
  gold: { rate: number; lo: number; hi: number };
  /** Accuracy against gold over seeds at the largest size: the end-token head alone, and with likelihood. */
  headOnly: { mean: number; sd: number; n: number };
  withLikelihood: { mean: number; sd: number };
  /** The smallest data size's accuracy over seeds, and the two sizes. */
  smallest: { groups: number; mean: number; sd: number };
  largest: number;
  /** Fresh samples: this notebook's RM, the seeds' mean, and WARM. */
  fresh: { spearman: number; lo: number; hi: number };
  seeds: { n: number; mean: number };
  warm: number;
}): string {
  const { headOnly: h0, withLikelihood: h1, smallest: small } = o;
  const flat = Math.abs(h1.mean - small.mean) < 2 * Math.max(h1.sd, small.sd, 0.005);
  return [
    `- The raters' labels agree with the RM on ${pct(o.raters.rate)} of held-out pairs and gold on ` +
      `${pct(o.gold.rate)} (${pct(o.gold.lo)}–${pct(o.gold.hi)}): the raters' noise caps the first, ` +
      `and gold shows what the RM got right beyond it.`,
    `- The score's form matters more than the data: with the end-token head alone the RM orders ` +
      `${plusMinus(h0, pct)} of held-out pairs as gold does, with the likelihood term ` +
      `${plusMinus(h1, pct)} (${h0.n} seeds each).`,
    `- From ${small.groups} to ${o.largest} ranked prompts accuracy goes from ${pct(small.mean)} to ` +
      `${pct(h1.mean)}: ` +
      (flat
        ? "no change beyond the seeds' spread, " +
          "the small-data regime Gao et al. describe, where comparisons barely move a reward model"
        : "a change beyond the seeds' spread") +
      ".",
    `- Fresh samples: Spearman ρ(RM, gold) = ${f2(o.fresh.spearman)} (${f2(o.fresh.lo)} to ` +
      `${f2(o.fresh.hi)}), ${f2(o.seeds.mean)} over ${o.seeds.n} seeds and ` +
      `${f2(o.warm)} for their weight average, against a target of ${RHO_TARGET}. ` +
      `Notebook 05 optimises the policy against this score and watches the gold reward while it does.`,
  ].join("\n");
}
