/**
 * The findings of notebook 05 (RLHF with PPO), as sentences computed from its
 * numbers (tested in test/display/findings/ppo.test.ts).
 */
import { ci, f2, f3, Interval } from "../format";
import { pct } from "../report";
import { excludes } from "../series";

/** Section 2: the sampled KL, and the held-out gains greedy and at temperature 1. */
export function heldoutGainFinding(kl: Interval, greedy: Interval, sampled: Interval): string {
  const greedyCall =
    greedy.lo > 0
      ? "excludes 0: PPO beats SFT on held-out prompts"
      : greedy.hi < 0
        ? "lies below 0: PPO is worse than SFT on held-out prompts"
        : "includes 0: no held-out difference shown";
  const sampledCall =
    sampled.lo > 0
      ? ", an interval that excludes 0"
      : sampled.hi < 0
        ? ", below 0"
        : ", an interval that includes 0";
  return (
    `KL(PPO ‖ SFT) on these held-out samples: **${ci(kl)} nats** per response (k1, sampled from PPO). ` +
    `The held-out greedy gain is ${ci(greedy)}; the interval ${greedyCall}. ` +
    `Sampled at temperature 1 the gain is ${ci(sampled)}${sampledCall}.`
  );
}

/** Section 2, per task: which tasks' gains exclude 0, against how many would by chance at 95 %. */
export function taskGainFinding(byTask: readonly { task: string; gain: Interval }[]): string {
  const moved = byTask.filter((t) => excludes(t.gain, 0));
  if (!moved.length) return "No single task's change excludes 0 at this sample size.";
  const chance = 0.05 * byTask.length;
  return (
    `Tasks whose interval excludes 0: ` +
    moved.map((t) => `${t.task} (${t.gain.mean >= 0 ? "+" : ""}${f3(t.gain.mean)})`).join(", ") +
    `. With ${byTask.length} tasks, about ${chance.toFixed(1)} intervals would exclude 0 by chance ` +
    `alone, so ` +
    (moved.length <= Math.ceil(chance)
      ? "this is not evidence of a task-level gain"
      : "more tasks moved than chance explains") +
    "."
  );
}

/** A point of the overoptimisation run: the update, its KL to SFT, proxy and gold. */
export interface OveroptPoint {
  step: number;
  kl: number;
  proxy: number;
  gold: number;
}

/** Section 3's fresh, paired measurement: the peak against SFT, the end against the peak and SFT. */
export interface PeakCheck {
  rise: Interval;
  fall: Interval;
  net: Interval;
}

/** Whether the run overoptimised: the proxy rose after the gold peak, and gold fell beyond its interval. */
export function overoptimised(peak: OveroptPoint, last: OveroptPoint, check: PeakCheck) {
  return { proxyRose: last.proxy > peak.proxy, goldFell: check.fall.hi < 0 };
}

/** Section 3's verdict as a clause (the summary's). */
export function overoptVerdict(peak: OveroptPoint, last: OveroptPoint, check: PeakCheck): string {
  const { proxyRose, goldFell } = overoptimised(peak, last, check);
  return proxyRose && goldFell
    ? "the proxy kept rising after the gold peak while gold fell, beyond its paired interval"
    : proxyRose
      ? "the proxy kept rising after the gold peak; gold's fall stayed within its paired interval"
      : "the proxy did not keep rising after the gold peak";
}

/** Section 3: the run's start, gold peak and end, and the paired check on fresh samples. */
export function overoptFinding(
  start: OveroptPoint,
  peak: OveroptPoint,
  last: OveroptPoint,
  check: PeakCheck,
): string {
  const { proxyRose, goldFell } = overoptimised(peak, last, check);
  return (
    `Gold ${f3(start.gold)} at the start, peak ${f3(peak.gold)} at update ${peak.step} ` +
    `(KL ${f2(peak.kl)}, proxy ${f3(peak.proxy)}), ${f3(last.gold)} at update ${last.step} ` +
    `(KL ${f2(last.kl)}, proxy ${f3(last.proxy)}; the proxy started at ${f3(start.proxy)}). ` +
    `On fresh samples, paired per prompt, the peak is ${ci(check.rise)} above SFT and the end ` +
    `${ci(check.fall)} from the peak (${ci(check.net)} from SFT). ` +
    (proxyRose && goldFell
      ? "**After the gold peak the proxy kept rising and the gold reward fell, by more than its interval**: " +
        "Goodhart's law, in a run made here."
      : proxyRose
        ? "After the gold peak the proxy kept rising; the gold reward's fall is within its interval, so this " +
          "run does not show overoptimisation beyond noise."
        : "In this run the proxy did not keep rising after the gold peak.")
  );
}

/** Section 9: does any run end with a negative mean KL on its held-out samples? */
export function negativeKlFinding(finals: readonly { run: string; held: number }[]): string {
  const negative = finals.filter((f) => f.held < 0);
  return negative.length === 0
    ? `No run ends with a negative mean KL on its held-out samples ` +
        `(lowest ${Math.min(...finals.map((f) => f.held)).toFixed(3)} nats).`
    : `${negative.length} run(s) end with a negative held-out KL: ${negative.map((f) => f.run).join(", ")}; ` +
        `the estimate's interval is the place to look.`;
}

/** What this notebook shows: the summary bullets, from the numbers of sections 2–6. */
export function ppoSummary(o: {
  /** The committed run's greedy gains (gold, behavioural, prompt-specific) held out and on trained prompts. */
  heldout: { gold: Interval; behavioural: Interval; promptSpecific: Interval };
  trained: { gold: Interval };
  sampledGain: Interval;
  sampledKl: number;
  answerRate: { sft: number; ppo: number };
  /** Section 3's run and its settings. */
  overopt: {
    lengthBias: number;
    beta: number;
    prompts: number;
    start: OveroptPoint;
    peak: OveroptPoint;
    last: OveroptPoint;
    check: PeakCheck;
  };
  /** Best-of-n's largest n, with its gold and (upper bound on) KL. */
  bestOfN: { n: number; gold: number; kl: number };
  /** SFT's sampled mean gold, and every sweep run's held-out interval by its label. */
  sftGold: number;
  sweep: readonly { label: string; gold: Interval }[];
  knowledge: { sft: number; ppo: number; ptx: number };
  /** β grid: mean sampled gold over seeds per β. */
  betas: readonly { beta: number; gold: number }[];
  seeds: number;
}): string {
  const v = o.overopt;
  const apart = o.sweep.filter((r) => excludes(r.gold, o.sftGold));
  return [
    `- On held-out prompts, greedy, PPO changes the gold reward by ${ci(o.heldout.gold)} ` +
      `(behavioural ${ci(o.heldout.behavioural)}, prompt-specific ${ci(o.heldout.promptSpecific)}); ` +
      `on the prompts it trained on by ${ci(o.trained.gold)}. ` +
      `Sampled at T = 1 the held-out change is ${ci(o.sampledGain)}, at a KL of ${f2(o.sampledKl)} nats.`,
    `- Answer rate on held-out prompts: SFT ${pct(o.answerRate.sft)}, PPO ${pct(o.answerRate.ppo)}.`,
    `- Against a proxy that pays ${v.lengthBias} per word, with β = ${v.beta}, on ${v.prompts} prompts ` +
      `sampled again and again: proxy ${f2(v.start.proxy)} → ${f2(v.last.proxy)}, gold ` +
      `${f3(v.start.gold)} → ${f3(v.peak.gold)} (peak, update ${v.peak.step}) → ${f3(v.last.gold)}; ` +
      `on fresh samples, paired, the end is ${ci(v.check.fall)} from the peak: ` +
      `${overoptVerdict(v.peak, v.last, v.check)}. ` +
      `Best-of-${o.bestOfN.n} from SFT under the same proxy reached gold ${f3(o.bestOfN.gold)} at a KL of ` +
      `at most ${f2(o.bestOfN.kl)} nats.`,
    `- Of the sweep's ${o.sweep.length} runs, ${apart.length} have a held-out interval that excludes SFT's ` +
      `mean gold (${f3(o.sftGold)})${apart.length ? `: ${apart.map((r) => r.label).join(", ")}` : ""}; ` +
      `InstructGPT found β of 0.01–0.02 best. Knowledge probe: SFT ${pct(o.knowledge.sft)}, PPO ` +
      `${pct(o.knowledge.ppo)}, PPO-ptx ${pct(o.knowledge.ptx)} ` +
      `(InstructGPT's tax at 175B: SQuAD F1 57.7 → 43.7, 59.9 with ptx).`,
    `- β sweep: held-out gold ${o.betas.map((b) => `β = ${b.beta}: ${f3(b.gold)}`).join(", ")} ` +
      `(SFT ${f3(o.sftGold)}; mean of ${o.seeds} seeds).`,
  ].join("\n");
}
