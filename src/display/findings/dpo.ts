/**
 * The findings of notebook 07 (DPO and its variants on the reward–KL
 * frontier), as sentences computed from its numbers (tested in
 * test/display/findings/dpo.test.ts).
 */
import { ci, f3, Interval, pctCi } from "../format";
import { pct } from "../report";
import { excludes } from "../series";

/** The chosen and rejected responses' log-ratio to the reference at the end of training, as a clause. */
export function logpsMove(chosen: number, rejected: number): string {
  return chosen < 0 && rejected < 0
    ? "both fell"
    : chosen >= 0 && rejected < 0
      ? "chosen rose and rejected fell"
      : chosen >= 0
        ? "both rose"
        : "chosen fell and rejected rose";
}

/**
 * Section 2: where the chosen and rejected log-probs went over the last
 * fifth of training (nats from the reference), and the held-out pairs'
 * accuracy at the first and last evaluation.
 */
export function logpsFinding(
  chosen: number,
  rejected: number,
  accuracy: { first: { step: number; rate: number }; last: { step: number; rate: number } },
): string {
  const h = chosen - rejected;
  return (
    `Over the last fifth of training the chosen responses moved by ${f3(chosen)} nats from the reference ` +
    `and the rejected by ${f3(rejected)} (means over each step's pairs): ${logpsMove(chosen, rejected)}, ` +
    `and the margin h = ${f3(h)} nats is ` +
    (h > 0
      ? rejected < 0
        ? "positive: the rejected fell further"
        : "positive: the chosen rose further"
      : "not positive") +
    `. Held-out pairs: accuracy ${pct(accuracy.first.rate)} at step ${accuracy.first.step} → ` +
    `${pct(accuracy.last.rate)} at step ${accuracy.last.step} ` +
    `(rater labels; about half the pairs are gold ties, coin flips for the rater, notebook 04).`
  );
}

/** Section 3: the held-out gains greedy and sampled, and the gain `npm run dpo` recorded. */
export function dpoGainFinding(greedy: Interval, sampled: Interval, kl: number, recorded: Interval): string {
  const apart = [excludes(greedy, 0) ? "greedy" : "", excludes(sampled, 0) ? "sampled" : ""].filter(Boolean);
  return (
    `Greedy, DPO changes held-out gold by ${ci(greedy)}; sampled, by ${ci(sampled)} at a KL of ${f3(kl)} nats. ` +
    (apart.length
      ? `An interval excludes 0: ${apart.join(" and ")}.`
      : `Both intervals include 0: at this budget DPO does not move the held-out gold reward separably from SFT.`) +
    ` (Recorded by npm run dpo: sampled gain ${ci(recorded)}.)`
  );
}

/** "0", "0 and 1", "0, 1 and 2". */
const list = (xs: readonly (string | number)[]) =>
  xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;

/**
 * A method's name where its seeds are pooled (the frontier, the win-rate
 * table): one seed's run keeps its label ("ipo β=0.1 seed 0"); several
 * lose the seed from their label and name the seeds ("kto β=0.1, seeds 0
 * and 1 pooled").
 */
export function pooledName(label: string, seeds: readonly number[]): string {
  return seeds.length === 1 ? label : `${label.replace(/ seed \d+$/, "")}, seeds ${list(seeds)} pooled`;
}

/** A best-of-n point: n, its analytic KL bound and its gold with the interval over prompts. */
export interface BestOfNPoint {
  n: number;
  kl: number;
  gold: Interval;
}

/** Section 5: DPO against PPO at equal KL, and best-of-n against SFT. */
export function frontierFinding(o: {
  /** PPO's runs: their KL range, the mean gold over runs, and (paired per prompt) against SFT. */
  ppo: { klMin: number; klMax: number; gold: Interval; vsSft: Interval };
  /** DPO's β-grid runs at KL below `klBelow`: how many, and (with two or more) as PPO's. */
  dpo: { runs: number; klBelow: number; gold?: Interval; vsSft?: Interval };
  bestOfN: readonly BestOfNPoint[];
  sftGold: number;
  /** Trained runs (DPO, its variants, PPO) whose interval lies above SFT's mean gold. */
  trainedAbove: number;
}): string {
  const { ppo, dpo } = o;
  const atEqualKl =
    dpo.gold && dpo.runs > 1
      ? `the ${dpo.runs} DPO runs at KL below ${dpo.klBelow.toFixed(2)} have mean gold ${ci(dpo.gold)}. ` +
        (dpo.gold.lo > ppo.gold.hi || dpo.gold.hi < ppo.gold.lo
          ? `The two separate: DPO ${dpo.gold.mean > ppo.gold.mean ? "above" : "below"} PPO at equal KL. ` +
            `Against SFT, paired per prompt (each prompt's gold averaged over the runs, minus SFT's): ` +
            `DPO ${dpo.vsSft ? ci(dpo.vsSft) : "n/a"}, PPO ${ci(ppo.vsSft)}.`
          : `Their intervals overlap: at equal KL neither frontier is above the other here.`)
      : `${dpo.runs === 1 ? "only one DPO run falls" : "no DPO run falls"} in that KL band, so the two are not ` +
        `compared at equal KL.`;
  const above = o.bestOfN.filter((b) => b.gold.lo > o.sftGold).map((b) => `n = ${b.n}`);
  const last = o.bestOfN[o.bestOfN.length - 1];
  return (
    `PPO's runs sit at KL ${ppo.klMin.toFixed(2)}–${ppo.klMax.toFixed(2)} nats with mean gold ${ci(ppo.gold)} ` +
    `(95 % interval over the runs); ` +
    atEqualKl +
    ` Best-of-n under the RM: ${o.bestOfN.map((b) => `n = ${b.n}: ${f3(b.gold.mean)}`).join(", ")}; ` +
    `${above.join(", ") || "no n"} with an interval above SFT's mean, at KL ≤ ${last.kl.toFixed(2)} nats ` +
    `(analytic), against ${o.trainedAbove} trained runs.` +
    ` The DPO paper found DPO's frontier above PPO's on IMDb (reward against KL), with a reward model ` +
    `that is the truth there; here the gold reward is not what either method optimises.`
  );
}

/** Section 6: the win rates against SFT whose interval excludes 50 %, or the range if none does. */
export function winRatesFinding(wins: readonly { name: string; w: Interval }[]): string {
  const apart = wins.filter((x) => excludes(x.w, 0.5));
  return apart.length
    ? `Win rates whose interval excludes 50 %: ${apart.map((x) => `${x.name} ${pct(x.w.mean)}`).join(", ")}.`
    : `No method's win rate against SFT has an interval that excludes 50 % ` +
        `(range ${pct(Math.min(...wins.map((x) => x.w.mean)))}–${pct(Math.max(...wins.map((x) => x.w.mean)))}).`;
}

/** Mean gold of the chosen and the rejected responses of a pair set. */
export interface PairGold {
  chosen: number;
  rejected: number;
}

/** Section 7: the online policy's win rate against the offline one, and the gold of the two pair sets. */
export function onlineOfflineFinding(head: Interval, pairs: { sft: PairGold; base: PairGold }): string {
  return (
    `Online against offline, seeds pooled per prompt: the online policy wins ${pctCi(head)} ` +
    `of the held-out prompts by the gold judge: ` +
    (head.lo > 0.5
      ? "**online pairs train the better policy** (interval above 50 %)."
      : head.hi < 0.5
        ? "**offline pairs train the better policy** (interval below 50 %)."
        : "no difference called (the interval includes 50 %).") +
    ` The base model's pairs are of responses with mean gold ${f3(pairs.base.chosen)} (chosen) and ` +
    `${f3(pairs.base.rejected)} (rejected), against SFT's ${f3(pairs.sft.chosen)} and ` +
    `${f3(pairs.sft.rejected)}; DPO only raises each chosen response relative to its rejected one, ` +
    "whatever policy wrote them."
  );
}

/** What this notebook shows. */
export function dpoSummary(o: {
  beta: number;
  greedy: Interval;
  sampled: Interval;
  kl: number;
  /** Log-ratios of the chosen and rejected responses over the last fifth of training. */
  chosen: number;
  rejected: number;
  /** The β grid: mean sampled gold and KL over seeds per β; SFT's gold. */
  betas: readonly { beta: number; gold: number; kl: number }[];
  sftGold: number;
  bestOfN: BestOfNPoint;
  preferredFt: readonly number[];
  /** Methods whose win rate against SFT excludes 50 %. */
  apart: readonly string[];
}): string {
  const best = [...o.betas].sort((a, b) => b.gold - a.gold)[0];
  const h = o.chosen - o.rejected;
  return [
    `- The committed DPO policy (β = ${o.beta}) changes held-out gold by ${ci(o.greedy)} greedy and ` +
      `${ci(o.sampled)} sampled, at a KL of ${f3(o.kl)} nats to SFT.`,
    `- In the last fifth of training the chosen responses moved ${f3(o.chosen)} and the rejected ` +
      `${f3(o.rejected)} nats from the reference: ` +
      (h > 0 ? "the margin grows" : "the margin does not grow") +
      (o.chosen < 0 && o.rejected < 0 ? " while both fall" : "") +
      ".",
    `- β grid: ${o.betas.map((b) => `β = ${b.beta}: gold ${f3(b.gold)}, KL ${b.kl.toFixed(2)}`).join("; ")} ` +
      `(SFT ${f3(o.sftGold)}); highest mean at β = ${best.beta}.`,
    `- Best-of-${o.bestOfN.n} under the RM: gold ${f3(o.bestOfN.gold.mean)} at KL ≤ ${o.bestOfN.kl.toFixed(2)}; ` +
      `Preferred-FT: ${o.preferredFt.map(f3).join(", ")}.`,
    `- ` +
      (o.apart.length
        ? `Win rates apart from 50 %: ${o.apart.join(", ")}.`
        : "No method's win rate against SFT separates from 50 %."),
  ].join("\n");
}
