import { strict as assert } from "assert";
import {
  judgesFinding,
  LabelWin,
  overfitFinding,
  positionBiasFinding,
  rlaifSummary,
  said,
  slcaiFinding,
  vsChance,
  winsFinding,
} from "../../../src/display/findings/rlaif";

const iv = (mean: number, lo: number, hi: number) => ({ mean, lo, hi });
const rate = (r: number, lo: number, hi: number) => ({ k: 0, n: 0, rate: r, lo, hi });
const judge = (acc: number, lo: number, hi: number) => ({
  decided: rate(0.345, 0.32, 0.37),
  accuracyDecided: rate(0.952, 0.916, 0.973),
  accuracy: iv(acc, lo, hi),
  softAccuracy: iv(0.632, 0.616, 0.648),
});

describe("findings of notebook 06 (RLAIF)", () => {
  it("names label sources and calls agreement against chance above, below or across", () => {
    assert.equal(said("raters"), "rater");
    assert.equal(said("constitution"), "constitution");
    assert.equal(vsChance({ lo: 0.6, hi: 0.67 }), "above chance");
    assert.equal(vsChance({ lo: 0.4, hi: 0.47 }), "below chance");
    assert.equal(vsChance({ lo: 0.44, hi: 0.51 }), "not separable from chance");
  });

  describe("the judges", () => {
    const o = {
      constitution: judge(0.656, 0.637, 0.675),
      onlyCorrect: rate(0.506, 0.468, 0.544),
      selfJudge: judge(0.476, 0.438, 0.514),
      tuned: { ...judge(0.634, 0.597, 0.671), comparisons: 2000 },
      raters: judge(0.785, 0.753, 0.816),
    };

    it("the constitution's target met with its interval", () => {
      assert.equal(
        judgesFinding(o),
        "**The rule constitution** decides 34.5% of the pairs and agrees with gold on 95.2% (91.6%–97.3%) of " +
          "those: the 80 % target holds on the pairs it decides, interval included. Over all pairs, counting " +
          "its abstentions as coin flips, it reaches 65.6% (63.7%–67.5%): it cannot see correctness, and " +
          "50.6% (46.8%–54.4%) of these pairs differ in correctness alone. **The self-judge** at 2 M " +
          "parameters agrees with gold on 47.6% (43.8%–51.4%) (not separable from chance). **Tuned** on 2000 " +
          "human-labelled comparisons (both orders) it reaches 63.4% (59.7%–67.1%) (above chance). The " +
          "simulated raters (notebook 04's panel, one draw per pair) agree on 78.5% (75.3%–81.6%). (The " +
          "RLAIF paper's PaLM 2 labeller agrees with human preference 78 % of the time.)",
      );
    });

    it("met by the estimate only, or not met", () => {
      const con = (r: number, lo: number) => ({ ...o.constitution, accuracyDecided: rate(r, lo, r + 0.03) });
      assert.match(
        judgesFinding({ ...o, constitution: con(0.82, 0.78) }),
        /: at least 80 % on the pairs it decides, though the interval reaches below\./,
      );
      assert.match(
        judgesFinding({ ...o, constitution: con(0.7, 0.66) }),
        /: below 80 % even where it decides\./,
      );
    });
  });

  describe("position bias", () => {
    const o = {
      selfJudge: { preferFirst: iv(0.608, 0.596, 0.619), consistent: 0.177 },
      soft: {
        swapped: iv(0.494, 0.488, 0.5),
        swappedClamped: iv(0.497, 0.492, 0.501),
        constitution: iv(0.632, 0.616, 0.648),
        constitutionClamped: iv(0.531, 0.527, 0.535),
      },
      tuned: { consistent: 0.026, softAccuracy: iv(0.504, 0.503, 0.504), accuracy: 0.634 },
    };

    it("a bias whose interval excludes 0.5; a tuned judge whose swapped labels stay near 0.5", () => {
      assert.equal(
        positionBiasFinding(o),
        "The untuned self-judge prefers the first reply with probability 60.8% (59.6%–61.9%): a position " +
          "bias whose interval excludes 0.5; its decision survives a swap on 17.7% of pairs. Soft accuracy: " +
          "49.4% (48.8%–50.0%) swapped, 49.7% (49.2%–50.1%) clamped; the constitution 63.2% (61.6%–64.8%) " +
          "soft, 53.1% (52.7%–53.5%) clamped. The tuned judge's decision survives a swap on 2.6% of pairs: " +
          "it answers nearly the same number whatever the pair, and its preference lives in a small " +
          "difference between the two orders; averaging them reads that difference, so its swapped labels " +
          "stay close to 0.5 (soft accuracy 50.4% (50.3%–50.4%)) while their signs agree with gold 63.4% of " +
          "the time. Hard labels (the side above 0.5 is chosen) turn those near-ties into full-strength " +
          "training pairs.",
      );
    });

    it("no bias separable from 0.5; a tuned judge whose decisions survive swaps", () => {
      const s = positionBiasFinding({
        ...o,
        selfJudge: { preferFirst: iv(0.51, 0.49, 0.53), consistent: 0.6 },
        tuned: { ...o.tuned, consistent: 0.7 },
      });
      assert.match(s, /probability 51\.0% \(49\.0%–53\.0%\) \(no bias separable from 0\.5\);/);
      assert.match(s, /survives a swap on 70\.0% of pairs \(soft accuracy 50\.4% \(50\.3%–50\.4%\)\)\.$/);
    });
  });

  describe("win rates", () => {
    const w = (loss: string, a: string, b: string, mean: number, lo: number, hi: number): LabelWin => ({
      loss,
      a,
      b,
      pooled: iv(mean, lo, hi),
    });

    it("AI labels win separably: named by loss and source", () => {
      const wins = [
        w("DPO", "raters", "SFT", 0.574, 0.534, 0.613),
        w("IPO", "constitution", "SFT", 0.571, 0.534, 0.609),
        w("IPO", "constitution", "raters", 0.517, 0.486, 0.549),
      ];
      assert.equal(
        winsFinding(wins),
        "DPO on rater labels against SFT: 57.4% (53.4%–61.3%) (excludes 50 %); IPO on constitution labels " +
          "against SFT: 57.1% (53.4%–60.9%) (excludes 50 %); IPO on constitution labels against the " +
          "rater-label policy: 51.7% (48.6%–54.9%) (includes 50 %). The paper's RLAIF and RLHF policies win " +
          "71 % and 73 % against SFT with PaLM 2 on summarisation; here AI labels train a policy that wins " +
          "separably (IPO on constitution).",
      );
    });

    it("only human labels win separably; no policy does", () => {
      const human = [
        w("DPO", "raters", "SFT", 0.574, 0.534, 0.613),
        w("DPO", "constitution", "SFT", 0.4, 0.35, 0.45),
      ];
      assert.match(winsFinding(human), /here only human labels train a policy that wins separably\.$/);
      assert.match(
        winsFinding(human),
        /DPO on constitution labels against SFT: 40\.0% \(35\.0%–45\.0%\) \(excludes 50 %\)/,
      );
      const none = [w("DPO", "raters", "SFT", 0.51, 0.47, 0.55)];
      assert.match(winsFinding(none), /here no policy wins separably against SFT\.$/);
    });

    it("the summary: judges, policies, SL-CAI", () => {
      const wins = [
        w("DPO", "raters", "SFT", 0.574, 0.534, 0.613),
        w("DPO", "constitution", "SFT", 0.384, 0.337, 0.43),
        w("DPO", "tuned judge", "SFT", 0.366, 0.317, 0.415),
        w("DPO", "constitution", "raters", 0.339, 0.299, 0.378),
        w("DPO", "tuned judge", "raters", 0.304, 0.26, 0.348),
        w("IPO", "raters", "SFT", 0.555, 0.518, 0.592),
        w("IPO", "constitution", "SFT", 0.571, 0.534, 0.609),
        w("IPO", "tuned judge", "SFT", 0.523, 0.481, 0.564),
        w("IPO", "constitution", "raters", 0.517, 0.486, 0.549),
        w("IPO", "tuned judge", "raters", 0.47, 0.434, 0.506),
      ];
      const o = {
        constitution: judge(0.656, 0.637, 0.675),
        raters: rate(0.785, 0.753, 0.816),
        selfJudge: iv(0.476, 0.438, 0.514),
        tuned: { comparisons: 2000, accuracy: iv(0.634, 0.597, 0.671) },
        wins,
        sft: { answer: 0.9575, anyBroken: 0.3 },
        klConstitution: { dpo: 3.922, ipo: 0.27 },
        tunedLabels: 0.626,
        sl: { responses: 12004, breaking: 4744 },
        revisedVsOriginal: iv(0.601, 0.567, 0.635),
      };
      assert.equal(
        rlaifSummary(o),
        [
          "- **Judges.** Where it decides, the written constitution agrees with gold more often than the " +
            "simulated raters (95.2% against 78.5%), but it decides only 34.5% of pairs. The model as judge is " +
            "not separable from chance untuned (47.6%) and reaches 63.4% tuned on 2000 labelled comparisons: " +
            "at 2 M parameters the model is a weak labeller of its own answers (the paper's labeller is PaLM 2 L).",
          "- **Policies.** Against SFT, the human-label policy wins 57.4% (53.4%–61.3%) (DPO) and 55.5% " +
            "(51.8%–59.2%) (IPO); the best AI-label policy (IPO on constitution labels) 57.1% (53.4%–60.9%), " +
            "and 51.7% (48.6%–54.9%) head to head against the human-label policy of the same loss. AI labels " +
            "train a policy that wins separably against SFT: IPO on constitution labels, 57.1% (53.4%–60.9%). " +
            "DPO on the constitution's labels wins 38.4% (33.7%–43.0%) against SFT: consistent labels give DPO " +
            "no finite margin to stop at, and it moves 3.922 nats from SFT (IPO 0.270). Labels that agree with " +
            "gold only 62.6% of the time (the tuned judge's) train a DPO policy that loses to SFT, its interval " +
            "below 50 %.",
          "- **SL-CAI.** Revising the 39.5% of samples that break a principle and continuing SFT on them wins " +
            "60.1% (56.7%–63.5%) against the unrevised control.",
        ].join("\n"),
      );
      // The other branches: the raters as often, or more often; only human labels win, or none; the tuned
      // judge's policy above SFT, or not separated.
      const noAi = wins.map((x) =>
        x.a !== "raters" && x.b === "SFT" ? { ...x, pooled: iv(0.5, 0.45, 0.55) } : x,
      );
      assert.match(rlaifSummary({ ...o, wins: noAi }), /Only the human-label policy wins separably\./);
      assert.match(
        rlaifSummary({ ...o, wins: noAi }),
        /train a DPO policy that does not separate from SFT\./,
      );
      const none = noAi.map((x) => ({ ...x, pooled: iv(0.5, 0.45, 0.55) }));
      assert.match(
        rlaifSummary({ ...o, wins: none }),
        /No policy wins separably: SFT's samples are already answers 95\.8% of the time and break a principle 30\.0%/,
      );
      const tunedWins = wins.map((x) =>
        x.a === "tuned judge" && x.b === "SFT" && x.loss === "DPO"
          ? { ...x, pooled: iv(0.6, 0.55, 0.65) }
          : x,
      );
      assert.match(rlaifSummary({ ...o, wins: tunedWins }), /wins against SFT, its interval above 50 %\./);
      assert.match(
        rlaifSummary({ ...o, raters: rate(0.95, 0.9, 0.97) }),
        /agrees with gold as often as \(the intervals overlap\)/,
      );
      assert.match(
        rlaifSummary({ ...o, raters: rate(0.99, 0.985, 0.995) }),
        /agrees with gold less often than/,
      );
    });
  });

  describe("overfitting and SL-CAI", () => {
    const o = {
      onePass: 62,
      steps: 180,
      kl: 6.059,
      gold: iv(0.607, 0.569, 0.645),
      sft: iv(0.671, 0.632, 0.71),
    };

    it("the long run's gold within reach of SFT's interval, below it, above it", () => {
      assert.equal(
        overfitFinding(o),
        "One pass over the prompts the constitution has pairs for is 62 steps. The same labels passed over " +
          "for 180 steps (2.9 passes) move the policy 6.059 nats from SFT and take its gold from 0.671 to " +
          "0.607 (0.569–0.645), within reach of SFT's interval: DPO overfits a small, consistent label set " +
          "(notebook 07 shows both log-probs falling as the margin grows).",
      );
      assert.match(
        overfitFinding({ ...o, gold: iv(0.6, 0.58, 0.62) }),
        /, below SFT's interval: DPO overfits/,
      );
      assert.match(
        overfitFinding({ ...o, gold: iv(0.75, 0.72, 0.78) }),
        /, above SFT's interval: more passes/,
      );
    });

    it("SL-CAI against its control, separable or not", () => {
      const sl = { responses: 12004, breaking: 4744, byModel: 0, byRule: 673, unrevisable: 4071 };
      assert.equal(
        slcaiFinding(sl, iv(0.601, 0.567, 0.635)),
        "4744 of 12004 SFT samples (39.5%) break a principle; the model's own revision met every principle " +
          "and kept the answer for 0 of them, a rule revised 673, and 4071 could not be revised. Continuing " +
          "SFT on the revised samples wins against the unrevised control on 60.1% (56.7%–63.5%) of held-out " +
          "prompts.",
      );
      assert.match(
        slcaiFinding(sl, iv(0.51, 0.47, 0.55)),
        /on 51\.0% \(47\.0%–55\.0%\) of held-out prompts \(includes 50 %: no separable difference\)\.$/,
      );
    });
  });
});
