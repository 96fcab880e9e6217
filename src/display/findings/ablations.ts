/**
 * The findings of notebook 08 (ablations of instruction tuning), as
 * sentences computed from its numbers (tested in
 * test/display/findings/ablations.test.ts). A cell's interval is over its
 * seeds (`seedInterval`); a difference is called only where two intervals
 * are disjoint.
 */
import { type Rate, separated, wilson } from "../../eval/stats";
import { Interval, pctCi, seedInterval } from "../format";
import { pct } from "../report";

/** A cell of an ablation grid: its mean over seeds with the t-interval, and how many seeds. */
export type Cell = Interval & { n: number };

/** A training mix's few-shot share as the figure and text write it: 0.1 → "10 %". */
export const sharePercent = (share: number): string => `${Math.round(100 * share)} %`;

/** Section 1: the transfer clusters' zero-shot exact match after full SFT, against the 30 % target. */
export function transferTargetFinding(tasks: readonly { task: string; n: number; em: Rate }[]): string {
  const ok = tasks.every((t) => t.em.rate >= 0.3);
  return (
    tasks
      .map(
        (t) =>
          `- **${t.task}**: SFT zero-shot exact match **${pct(t.em.rate)}** ` +
          `(${pct(t.em.lo)}–${pct(t.em.hi)}, ${t.n} prompts)` +
          (t.task === "choose_word" ? "; picking an option at random would score 33 %" : ""),
      )
      .join("\n") +
    `\n\nTarget (≥ 30 % on each after full SFT): **${ok ? "met" : "not met"}**. The base model completes ` +
    "rather than answers: zero-shot it rarely stops after the answer, so its first line is seldom exactly " +
    "right; two solved examples show it where to stop."
  );
}

/** Section 2: transfer against the number of clusters tuned on, 1 against all, and a peak before all. */
export function clustersFinding(
  /** The training clusters in the order they are added. */
  clusters: readonly string[],
  /** One cell per number of clusters (0: the untuned model). */
  cells: readonly (Cell & { clusters: number })[],
  /** Steps of every run (the peak's likely reason). */
  steps: number,
): string {
  const at = (k: number) => {
    const c = cells.find((r) => r.clusters === k);
    if (!c) throw new Error(`clustersFinding: no cell with ${k} cluster(s)`);
    return c;
  };
  const one = at(1);
  const all = at(clusters.length);
  const peak = cells.filter((r) => r.clusters > 0).reduce((a, b) => (b.mean > a.mean ? b : a));
  const peakNote =
    peak.clusters !== all.clusters && peak.clusters !== one.clusters && separated(peak, all)
      ? ` The curve is not monotone: ${peak.clusters} clusters (${seedInterval(peak)}) beat all ` +
        `${clusters.length} (intervals separate). A likely reason, not tested here: at a fixed ` +
        `${steps} steps each added cluster takes steps from knowledge, ` +
        "whose facts the transfer prompts ask about."
      : "";
  return (
    `Clusters added in this order: ${clusters.map((c, i) => `${i + 1} ${c}`).join(", ")}.\n\n` +
    cells.map((r) => `- ${r.clusters} cluster(s): ${seedInterval(r)}`).join("\n") +
    `\n\nFLAN: 49.9 % (1 cluster) → 63.5 % (7). Ours: ${seedInterval(one)} (1) → ${seedInterval(all)} ` +
    `(${clusters.length}). ` +
    (separated(one, all)
      ? all.mean > one.mean
        ? "**The finding holds here**: more clusters, better transfer (intervals separate)."
        : "**The opposite holds here**: more clusters, worse transfer (intervals separate)."
      : "**Not called**: the intervals of 1 and all clusters overlap.") +
    peakNote
  );
}

/** Instructions against another style of training request: which is better, if the intervals separate. */
export function styleCall(instructions: Cell, other: Cell, what: string): string {
  return separated(instructions, other)
    ? `${what}: ${instructions.mean > other.mean ? "instructions better" : "instructions worse"} (intervals separate)`
    : `${what}: not called (intervals overlap)`;
}

/** Section 3: instructions, no template, the task's name. */
export function templatesFinding(styles: readonly { name: string; cell: Cell }[]): string {
  const by = (name: string) => {
    const s = styles.find((x) => x.name === name);
    if (!s) throw new Error(`templatesFinding: no "${name}" cell`);
    return s.cell;
  };
  return (
    styles.map((s) => `- ${s.name}: ${seedInterval(s.cell)}`).join("\n") +
    `\n\nFLAN: 55.2 / 37.3 / 46.6. Ours: ` +
    `${styleCall(by("instructions"), by("no template"), "against no template")}; ` +
    `${styleCall(by("instructions"), by("task name only"), "against the task name")}.`
  );
}

/** A few-shot share's cells against the mix without few-shot conversations (share 0). */
export function fewShotVerdict(cells: readonly (Cell & { share: number })[], what: string): string {
  const none = cells.find((r) => r.share === 0);
  if (!none) throw new Error("fewShotVerdict: no cell without few-shot conversations");
  const apart = cells.filter((r) => r.share > 0 && separated(r, none));
  const better = apart.filter((r) => r.mean > none.mean).map((r) => sharePercent(r.share));
  const worse = apart.filter((r) => r.mean < none.mean).map((r) => sharePercent(r.share));
  return better.length && worse.length
    ? `${what}: better than none at ${better.join(", ")}, worse at ${worse.join(", ")}`
    : better.length
      ? `${what}: better than none at ${better.join(", ")}`
      : worse.length
        ? `${what}: worse than none at ${worse.join(", ")}`
        : `${what}: no share separates from none`;
}

/** Section 4: the few-shot share of the training mix, scored zero-shot and 2-shot. */
export function fewShotFinding(
  zeroShot: readonly (Cell & { share: number })[],
  twoShot: readonly (Cell & { share: number })[],
): string {
  return (
    zeroShot
      .map(
        (r, i) =>
          `- ${sharePercent(r.share)} few-shot: zero-shot ${seedInterval(r)}, 2-shot ${seedInterval(twoShot[i])}`,
      )
      .join("\n") +
    `\n\nThe paper: ≥ 5 % few-shot helps both. Ours: ${fewShotVerdict(zeroShot, "zero-shot")}; ` +
    `${fewShotVerdict(twoShot, "2-shot")}.`
  );
}

/**
 * The untuned model's exact match as a rate over the prompts: it decodes
 * greedily, so it is one run, and its interval is Wilson's over the prompts.
 */
export const untunedRate = (mean: number, prompts: number): Rate =>
  wilson(Math.round(mean * prompts), prompts);

/** One width, untuned against tuned: their scores and the call. */
export function scaleLine(untuned: Rate, tuned: Cell): string {
  const call = !separated(untuned, tuned)
    ? "no difference called"
    : tuned.mean > untuned.rate
      ? "tuning helps"
      : "tuning hurts";
  return (
    `untuned ${pct(untuned.rate)} [${pct(untuned.lo)}, ${pct(untuned.hi)}], tuned ${seedInterval(tuned)} ` +
    `(${call})`
  );
}

/** Section 5: untuned against tuned at each width, zero-shot and 2-shot. */
export function scaleFinding(
  widths: readonly {
    width: number;
    zeroShot: { untuned: Rate; tuned: Cell };
    twoShot: { untuned: Rate; tuned: Cell };
  }[],
  /** Transfer prompts the untuned model's Wilson interval is over. */
  prompts: number,
): string {
  return (
    widths
      .map(
        (w) =>
          `- d${w.width}: zero-shot ${scaleLine(w.zeroShot.untuned, w.zeroShot.tuned)}; ` +
          `2-shot ${scaleLine(w.twoShot.untuned, w.twoShot.tuned)}`,
      )
      .join("\n") +
    "\n\nThe untuned model decodes greedily, so it is one run: its interval is Wilson's over the " +
    `${prompts} prompts; the tuned model's is over seeds. A call needs the two to separate.`
  );
}

/** Section 6: each pair of models by the gold judge's win rate of the first (ties ½). */
export function duelsFinding(duels: readonly { a: string; b: string; pooled: Interval }[]): string {
  const side = (d: (typeof duels)[number]) =>
    d.pooled.lo > 0.5
      ? `**${d.a} preferred**`
      : d.pooled.hi < 0.5
        ? `**${d.b} preferred**`
        : "no preference called";
  return (
    duels.map((d) => `- ${d.a} vs ${d.b}: ${pctCi(d.pooled)}: ` + side(d)).join("\n") +
    "\n\nThe paper: the 1.3 B tuned model preferred to the 175 B untuned one."
  );
}

/** Section 7: clean against noisy data at each size, by gold reward. */
export function limaFinding(sizes: readonly { examples: string; clean: Cell; noisy: Cell }[]): string {
  return (
    sizes
      .map(
        ({ examples, clean, noisy }) =>
          `- ${examples} conversations: clean ${seedInterval(clean)}, noisy ${seedInterval(noisy)} gold reward: ` +
          (separated(clean, noisy)
            ? clean.mean > noisy.mean
              ? "**clean better**"
              : "**noisy better**"
            : "not called"),
      )
      .join("\n") + `\n\nLIMA: filtered 3.83 vs unfiltered 3.33 (of 6); more data plateaus.`
  );
}

/** Section 8: the recipe of every tuned run, and what this session trained. */
export function provenanceFinding(o: {
  recipe: { steps: number; batchSize: number; lr: number; replayBatchSize: number };
  transferPrompts: number;
  goldPrompts: number;
  /** Seconds of each run trained in this session (none when every run came from the cache). */
  seconds: readonly number[];
  backend: string;
}): string {
  const A = o.recipe;
  const n = o.seconds.length;
  return (
    `Every tuned run: ${A.steps} steps × ${A.batchSize} conversations, lr ${A.lr}, replay ` +
    `${A.replayBatchSize}; scored on ${o.transferPrompts} transfer prompts ` +
    `(zero- and 2-shot) and ${o.goldPrompts} held-in prompts. Runs trained in this session: ` +
    `${n}` +
    (n ? `, ${Math.round(o.seconds.reduce((a, b) => a + b, 0) / n)} s each on average (one core)` : "") +
    `; backend ${o.backend}.`
  );
}
