/**
 * The findings of notebook 06 (RLAIF: judges, a constitution, policies
 * trained on each label source), as sentences computed from its numbers
 * (tested in test/display/findings/rlaif.test.ts). Shares are written with
 * `pctCi` (bounds cut to [0, 1]).
 */
import { type Rate, separated } from "../../eval/stats";
import { f3, Interval, pctCi } from "../format";
import { pct } from "../report";
import { excludes } from "../series";

/** A label source as the text names it: "DPO on rater labels". */
export const said = (source: string): string => (source === "raters" ? "rater" : source);

/** Where an agreement with gold lies against a coin flip (0.5). */
export const vsChance = (i: { lo: number; hi: number }): string =>
  i.lo > 0.5 ? "above chance" : i.hi < 0.5 ? "below chance" : "not separable from chance";

/** A judge's agreement with gold on held-out pairs (`agreement` in src/judge/agreement.ts). */
export interface JudgeAgreement {
  decided: Rate;
  accuracyDecided: Rate;
  accuracy: Interval;
  softAccuracy: Interval;
}

/** Section 3: the constitution against its 80 % target, the self-judge untuned and tuned, the raters. */
export function judgesFinding(o: {
  constitution: JudgeAgreement;
  /** The share of pairs that differ in correctness alone (which no principle sees). */
  onlyCorrect: Rate;
  selfJudge: JudgeAgreement;
  tuned: JudgeAgreement & { comparisons: number };
  raters: JudgeAgreement;
}): string {
  const con = o.constitution;
  const target =
    con.accuracyDecided.lo >= 0.8
      ? "the 80 % target holds on the pairs it decides, interval included"
      : con.accuracyDecided.rate >= 0.8
        ? "at least 80 % on the pairs it decides, though the interval reaches below"
        : "below 80 % even where it decides";
  return (
    `**The rule constitution** decides ${pct(con.decided.rate)} of the pairs and agrees with gold on ` +
    `${pctCi(con.accuracyDecided)} of those: ${target}. ` +
    `Over all pairs, counting its abstentions as coin flips, it reaches ${pctCi(con.accuracy)}: ` +
    `it cannot see correctness, and ${pctCi(o.onlyCorrect)} of these pairs differ in correctness alone. ` +
    `**The self-judge** at 2 M parameters agrees with gold on ${pctCi(o.selfJudge.accuracy)} ` +
    `(${vsChance(o.selfJudge.accuracy)}). ` +
    `**Tuned** on ${o.tuned.comparisons} human-labelled comparisons (both orders) it reaches ` +
    `${pctCi(o.tuned.accuracy)} (${vsChance(o.tuned.accuracy)}). ` +
    `The simulated raters (notebook 04's panel, one draw per pair) agree on ` +
    `${pctCi(o.raters.accuracy)}. ` +
    `(The RLAIF paper's PaLM 2 labeller agrees with human preference 78 % of the time.)`
  );
}

/** Section 3: position bias, soft labels and clamping. */
export function positionBiasFinding(o: {
  /** The untuned self-judge: P(prefers the first reply), and how often its decision survives a swap. */
  selfJudge: { preferFirst: Interval; consistent: number };
  /** Soft accuracies: the self-judge swapped and clamped, the constitution soft and clamped. */
  soft: {
    swapped: Interval;
    swappedClamped: Interval;
    constitution: Interval;
    constitutionClamped: Interval;
  };
  /** The tuned judge: its decision's survival of a swap, and its swapped labels' soft and hard accuracy. */
  tuned: { consistent: number; softAccuracy: Interval; accuracy: number };
}): string {
  const bias = o.selfJudge.preferFirst;
  const biasNote = excludes(bias, 0.5)
    ? ": a position bias whose interval excludes 0.5"
    : " (no bias separable from 0.5)";
  const t = o.tuned;
  const flat = t.consistent < 0.05 && Math.abs(t.softAccuracy.mean - 0.5) < 0.01;
  return (
    `The untuned self-judge prefers the first reply with probability ${pctCi(bias)}${biasNote}; ` +
    `its decision survives a swap on ${pct(o.selfJudge.consistent)} of pairs. ` +
    `Soft accuracy: ${pctCi(o.soft.swapped)} swapped, ${pctCi(o.soft.swappedClamped)} clamped; ` +
    `the constitution ${pctCi(o.soft.constitution)} soft, ${pctCi(o.soft.constitutionClamped)} clamped. ` +
    `The tuned judge's decision survives a swap on ${pct(t.consistent)} of pairs` +
    (flat
      ? `: it answers nearly the same number whatever the pair, and its preference lives in a small ` +
        `difference between the two orders; averaging them reads that difference, so its swapped ` +
        `labels stay close to 0.5 (soft accuracy ${pctCi(t.softAccuracy)}) while their signs ` +
        `agree with gold ${pct(t.accuracy)} of the time. Hard labels (the side above 0.5 ` +
        `is chosen) turn those near-ties into full-strength training pairs.`
      : ` (soft accuracy ${pctCi(t.softAccuracy)}).`)
  );
}

/** A win rate of a policy (loss `loss` on `a`'s labels) against SFT or another label source's policy. */
export interface LabelWin {
  /** The optimiser as the text names it ("DPO", "IPO"). */
  loss: string;
  /** Label sources: a's policy against b's ("SFT": the SFT model). */
  a: string;
  b: string;
  pooled: Interval;
}

/** "DPO on constitution labels". */
export const policyName = (w: Pick<LabelWin, "loss" | "a">): string => `${w.loss} on ${said(w.a)} labels`;

/** Policies trained on AI labels (not the raters') whose pooled win rate against SFT lies above 50 %. */
export const aiWinners = (wins: readonly LabelWin[]): LabelWin[] =>
  wins.filter((w) => w.b === "SFT" && w.a !== "raters" && w.pooled.lo > 0.5);

/** Section 5: every win rate, pooled over seeds, and which label sources train a policy that wins. */
export function winsFinding(wins: readonly LabelWin[]): string {
  const whom = (w: LabelWin) => (w.b === "SFT" ? "SFT" : `the ${said(w.b)}-label policy`);
  const ai = aiWinners(wins);
  const any = wins.some((w) => w.b === "SFT" && w.pooled.lo > 0.5);
  return (
    wins
      .map(
        (w) =>
          `${policyName(w)} against ${whom(w)}: ${pctCi(w.pooled)}` +
          (excludes(w.pooled, 0.5) ? ` (excludes 50 %)` : ` (includes 50 %)`),
      )
      .join("; ") +
    `. The paper's RLAIF and RLHF policies win 71 % and 73 % against SFT with PaLM 2 on summarisation; ` +
    `here ` +
    (ai.length
      ? "AI labels train a policy that wins separably " +
        `(${ai.map((w) => `${w.loss} on ${w.a}`).join(", ")})`
      : any
        ? "only human labels train a policy that wins separably"
        : "no policy wins separably against SFT") +
    "."
  );
}

/** Section 5: DPO passed over the constitution's labels for several passes, against SFT's interval. */
export function overfitFinding(o: {
  /** Steps of one pass over the prompts the constitution has pairs for, and of the long run. */
  onePass: number;
  steps: number;
  kl: number;
  gold: Interval;
  sft: Interval;
}): string {
  const g = o.gold;
  const where =
    g.hi < o.sft.lo
      ? "below SFT's interval: DPO overfits a small, consistent label set"
      : g.lo > o.sft.hi
        ? "above SFT's interval: more passes over these labels did not hurt here"
        : "within reach of SFT's interval: DPO overfits a small, consistent label set";
  return (
    `One pass over the prompts the constitution has pairs for is ${o.onePass} steps. ` +
    `The same labels passed over for ${o.steps} steps ` +
    `(${(o.steps / o.onePass).toFixed(1)} passes) move the policy ` +
    `${f3(o.kl)} nats from SFT and take its gold from ${f3(o.sft.mean)} to ` +
    `${f3(g.mean)} (${f3(g.lo)}–${f3(g.hi)}), ${where} ` +
    `(notebook 07 shows both log-probs falling as the margin grows).`
  );
}

/** Section 7: SL-CAI's critiques and revisions, and the revised data's win rate against its control. */
export function slcaiFinding(
  sl: { responses: number; breaking: number; byModel: number; byRule: number; unrevisable: number },
  revisedVsOriginal: Interval,
): string {
  return (
    `${sl.breaking} of ${sl.responses} SFT samples (${pct(sl.breaking / sl.responses)}) break a principle; ` +
    `the model's own revision met every principle and kept the answer for ${sl.byModel} of them, ` +
    `a rule revised ${sl.byRule}, and ${sl.unrevisable} could not be revised. ` +
    `Continuing SFT on the revised samples wins against the unrevised control on ` +
    `${pctCi(revisedVsOriginal)} of held-out prompts` +
    (excludes(revisedVsOriginal, 0.5) ? "" : " (includes 50 %: no separable difference)") +
    "."
  );
}

/** What this notebook shows: judges, policies, SL-CAI. */
export function rlaifSummary(o: {
  constitution: Pick<JudgeAgreement, "decided" | "accuracyDecided">;
  /** The simulated raters' accuracy on the pairs they decide. */
  raters: Rate;
  selfJudge: Interval;
  tuned: { comparisons: number; accuracy: Interval };
  /** Every win rate (section 5's table): each source against SFT, AI sources against the raters. */
  wins: readonly LabelWin[];
  /** The SFT model's samples: answer rate, and the share breaking a principle. */
  sft: { answer: number; anyBroken: number };
  /** KL to SFT after one pass over the constitution's labels, by loss. */
  klConstitution: { dpo: number; ipo: number };
  /** The tuned judge's labels' agreement with gold. */
  tunedLabels: number;
  sl: { responses: number; breaking: number };
  revisedVsOriginal: Interval;
}): string {
  const con = o.constitution;
  const row = (loss: string, a: string, b = "SFT") => {
    const w = o.wins.find((x) => x.loss === loss && x.a === a && x.b === b);
    if (!w) throw new Error(`rlaifSummary: no win rate of ${loss} on ${a} against ${b}`);
    return w;
  };
  const bestAi = o.wins
    .filter((w) => w.b === "SFT" && w.a !== "raters")
    .sort((a, b) => b.pooled.mean - a.pooled.mean)[0];
  const headToHead = row(bestAi.loss, bestAi.a, "raters");
  const versus = !separated(con.accuracyDecided, o.raters)
    ? "as often as (the intervals overlap)"
    : con.accuracyDecided.rate > o.raters.rate
      ? "more often than"
      : "less often than";
  const ai = aiWinners(o.wins);
  const policyNote = ai.length
    ? `AI labels train a policy that wins separably against SFT: ` +
      `${ai.map((w) => `${policyName(w)}, ${pctCi(w.pooled)}`).join("; ")}.`
    : o.wins.some((w) => w.b === "SFT" && w.pooled.lo > 0.5)
      ? "Only the human-label policy wins separably."
      : `No policy wins separably: SFT's samples are already answers ${pct(o.sft.answer)} ` +
        `of the time and break a principle ${pct(o.sft.anyBroken)} of the time, so the behaviour ` +
        `a label can teach is nearly saturated; what remains is correctness on the training ` +
        `prompts' words, which notebooks 05 and 07 found does not carry to held-out words.`;
  const tunedDpo = row("DPO", "tuned judge").pooled;
  const tunedPolicy =
    tunedDpo.hi < 0.5
      ? "loses to SFT, its interval below 50 %"
      : tunedDpo.lo > 0.5
        ? "wins against SFT, its interval above 50 %"
        : "does not separate from SFT";
  return [
    `- **Judges.** Where it decides, the written constitution agrees with gold ${versus} ` +
      `the simulated raters (${pct(con.accuracyDecided.rate)} against ${pct(o.raters.rate)}), ` +
      `but it decides only ${pct(con.decided.rate)} of pairs. The model as judge is ` +
      `${vsChance(o.selfJudge)} untuned (${pct(o.selfJudge.mean)}) and reaches ` +
      `${pct(o.tuned.accuracy.mean)} tuned on ` +
      `${o.tuned.comparisons} labelled comparisons: at 2 M parameters the model is a weak labeller of its own ` +
      `answers (the paper's labeller is PaLM 2 L).`,
    `- **Policies.** Against SFT, the human-label policy wins ` +
      `${pctCi(row("DPO", "raters").pooled)} (DPO) and ` +
      `${pctCi(row("IPO", "raters").pooled)} (IPO); the best AI-label policy (${policyName(bestAi)}) ` +
      `${pctCi(bestAi.pooled)}, and ${pctCi(headToHead.pooled)} head to head against the human-label ` +
      `policy of the same loss. ${policyNote} ` +
      `DPO on the constitution's labels wins ${pctCi(row("DPO", "constitution").pooled)} against SFT: ` +
      `consistent labels give DPO no finite margin to stop at, and it moves ${f3(o.klConstitution.dpo)} nats ` +
      `from SFT (IPO ${f3(o.klConstitution.ipo)}). ` +
      `Labels that agree with gold only ${pct(o.tunedLabels)} of the time (the tuned judge's) ` +
      `train a DPO policy that ${tunedPolicy}.`,
    `- **SL-CAI.** Revising the ${pct(o.sl.breaking / o.sl.responses)} of samples that break a principle ` +
      `and continuing SFT on them wins ${pctCi(o.revisedVsOriginal)} against the unrevised control.`,
  ].join("\n");
}
