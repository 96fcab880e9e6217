import { strict as assert } from "assert";
import {
  dpoGainFinding,
  dpoSummary,
  frontierFinding,
  logpsFinding,
  logpsMove,
  onlineOfflineFinding,
  pooledName,
  winRatesFinding,
} from "../../../src/display/findings/dpo";

const iv = (mean: number, lo: number, hi: number) => ({ mean, lo, hi });
const across = iv(0.009, -0.002, 0.021);
const above = iv(0.036, 0.018, 0.054);
const below = iv(-0.03, -0.05, -0.01);

describe("findings of notebook 07 (DPO)", () => {
  it("says where the chosen and rejected log-probs went", () => {
    assert.equal(logpsMove(-1, -2), "both fell");
    assert.equal(logpsMove(0.5, -2), "chosen rose and rejected fell");
    assert.equal(logpsMove(0.5, 0.2), "both rose");
    assert.equal(logpsMove(-0.5, 0.2), "chosen fell and rejected rose");
    const acc = { first: { step: 30, rate: 0.518 }, last: { step: 180, rate: 0.567 } };
    assert.equal(
      logpsFinding(-1.1094, -2.3058, acc),
      "Over the last fifth of training the chosen responses moved by -1.109 nats from the reference and the " +
        "rejected by -2.306 (means over each step's pairs): both fell, and the margin h = 1.196 nats is " +
        "positive: the rejected fell further. Held-out pairs: accuracy 51.8% at step 30 → 56.7% at step 180 " +
        "(rater labels; about half the pairs are gold ties, coin flips for the rater, notebook 04).",
    );
    assert.match(
      logpsFinding(0.5, 0.2, acc),
      /both rose, and the margin h = 0\.300 nats is positive: the chosen rose further\./,
    );
    assert.match(logpsFinding(-0.5, 0.2, acc), /h = -0\.700 nats is not positive\./);
  });

  it("names a method by its run's label, or without the seed and with the seeds pooled", () => {
    assert.equal(pooledName("ipo β=0.1 seed 0", [0]), "ipo β=0.1 seed 0");
    assert.equal(pooledName("kto β=0.1 seed 0", [0, 1]), "kto β=0.1, seeds 0 and 1 pooled");
    assert.equal(pooledName("orpo β=0.1 seed 2", [2, 0, 1]), "orpo β=0.1, seeds 2, 0 and 1 pooled");
  });

  it("calls the held-out gains: one interval apart, both, or neither", () => {
    assert.equal(
      dpoGainFinding(across, above, 0.52, above),
      "Greedy, DPO changes held-out gold by 0.009 (-0.002 to 0.021); sampled, by 0.036 (0.018 to 0.054) at a " +
        "KL of 0.520 nats. An interval excludes 0: sampled. (Recorded by npm run dpo: sampled gain 0.036 " +
        "(0.018 to 0.054).)",
    );
    assert.match(dpoGainFinding(below, above, 0.52, above), /An interval excludes 0: greedy and sampled\./);
    assert.match(
      dpoGainFinding(across, across, 0.52, above),
      /Both intervals include 0: at this budget DPO does not/,
    );
  });

  describe("the frontier", () => {
    const bestOfN = [
      { n: 1, kl: 0, gold: iv(0.686, 0.67, 0.7) },
      { n: 4, kl: 0.636, gold: iv(0.72, 0.705, 0.735) },
      { n: 16, kl: 1.835, gold: iv(0.74, 0.725, 0.755) },
    ];
    const ppo = { klMin: 0.29, klMax: 1.09, gold: iv(0.697, 0.694, 0.7), vsSft: iv(0.026, 0.02, 0.032) };
    const o = { ppo, bestOfN, sftGold: 0.7, trainedAbove: 6 };

    it("the two frontiers overlap at equal KL", () => {
      assert.equal(
        frontierFinding({ ...o, dpo: { runs: 8, klBelow: 1.635, gold: iv(0.697, 0.688, 0.705) } }),
        "PPO's runs sit at KL 0.29–1.09 nats with mean gold 0.697 (0.694 to 0.700) (95 % interval over the " +
          "runs); the 8 DPO runs at KL below 1.64 have mean gold 0.697 (0.688 to 0.705). Their intervals " +
          "overlap: at equal KL neither frontier is above the other here. Best-of-n under the RM: n = 1: " +
          "0.686, n = 4: 0.720, n = 16: 0.740; n = 4, n = 16 with an interval above SFT's mean, at KL ≤ 1.83 " +
          "nats (analytic), against 6 trained runs. The DPO paper found DPO's frontier above PPO's on IMDb " +
          "(reward against KL), with a reward model that is the truth there; here the gold reward is not " +
          "what either method optimises.",
      );
    });

    it("DPO above or below PPO at equal KL, with both against SFT", () => {
      const dpo = (gold: { mean: number; lo: number; hi: number }) => ({
        runs: 8,
        klBelow: 1.635,
        gold,
        vsSft: iv(0.04, 0.03, 0.05),
      });
      assert.match(
        frontierFinding({ ...o, dpo: dpo(iv(0.71, 0.705, 0.715)) }),
        /The two separate: DPO above PPO at equal KL\. Against SFT, paired per prompt \(each prompt's gold averaged over the runs, minus SFT's\): DPO 0\.040 \(0\.030 to 0\.050\), PPO 0\.026 \(0\.020 to 0\.032\)\./,
      );
      assert.match(frontierFinding({ ...o, dpo: dpo(iv(0.68, 0.675, 0.685)) }), /DPO below PPO at equal KL/);
    });

    it("no DPO run, or one, in PPO's KL band; no best-of-n above SFT", () => {
      const none = frontierFinding({ ...o, sftGold: 0.8, dpo: { runs: 0, klBelow: 1.635 } });
      assert.match(
        none,
        /\(95 % interval over the runs\); no DPO run falls in that KL band, so the two are not compared/,
      );
      assert.match(none, /; no n with an interval above SFT's mean/);
      assert.match(
        frontierFinding({ ...o, dpo: { runs: 1, klBelow: 1.635, gold: iv(0.7, 0.7, 0.7) } }),
        /only one DPO run falls in that KL band/,
      );
    });
  });

  it("names the win rates apart from 50 %, or gives their range", () => {
    const wins = [
      { name: "DPO β = 0.05 (seed 0)", w: iv(0.595, 0.55, 0.64) },
      { name: "kto β=0.1, seeds 0, 1", w: iv(0.45, 0.41, 0.49) },
      { name: "simpo β=2 seed 0", w: iv(0.51, 0.46, 0.56) },
    ];
    assert.equal(
      winRatesFinding(wins),
      "Win rates whose interval excludes 50 %: DPO β = 0.05 (seed 0) 59.5%, kto β=0.1, seeds 0, 1 45.0%.",
    );
    assert.equal(
      winRatesFinding([wins[2], { name: "x", w: iv(0.48, 0.44, 0.52) }]),
      "No method's win rate against SFT has an interval that excludes 50 % (range 48.0%–51.0%).",
    );
  });

  it("calls online against offline pairs: online better, offline better, or not called", () => {
    const pairs = { sft: { chosen: 0.615, rejected: 0.508 }, base: { chosen: 0.173, rejected: 0.076 } };
    assert.equal(
      onlineOfflineFinding(iv(0.6, 0.551, 0.649), pairs),
      "Online against offline, seeds pooled per prompt: the online policy wins 60.0% (55.1%–64.9%) of the " +
        "held-out prompts by the gold judge: **online pairs train the better policy** (interval above 50 %). " +
        "The base model's pairs are of responses with mean gold 0.173 (chosen) and 0.076 (rejected), against " +
        "SFT's 0.615 and 0.508; DPO only raises each chosen response relative to its rejected one, whatever " +
        "policy wrote them.",
    );
    assert.match(
      onlineOfflineFinding(iv(0.4, 0.35, 0.45), pairs),
      /\*\*offline pairs train the better policy\*\*/,
    );
    assert.match(
      onlineOfflineFinding(iv(0.5, 0.45, 0.55), pairs),
      /no difference called \(the interval includes 50 %\)\./,
    );
  });

  describe("the summary", () => {
    const o = {
      beta: 0.1,
      greedy: across,
      sampled: above,
      kl: 0.52,
      chosen: -1.109,
      rejected: -2.306,
      betas: [
        { beta: 0.05, gold: 0.708, kl: 0.59 },
        { beta: 0.1, gold: 0.706, kl: 0.42 },
      ],
      sftGold: 0.671,
      bestOfN: { n: 16, kl: 1.835, gold: iv(0.74, 0.725, 0.755) },
      preferredFt: [0.681],
      apart: ["DPO β = 0.05 (seed 0)", "hinge β=0.1 seed 0"],
    };

    it("writes every bullet", () => {
      assert.equal(
        dpoSummary(o),
        [
          "- The committed DPO policy (β = 0.1) changes held-out gold by 0.009 (-0.002 to 0.021) greedy and " +
            "0.036 (0.018 to 0.054) sampled, at a KL of 0.520 nats to SFT.",
          "- In the last fifth of training the chosen responses moved -1.109 and the rejected -2.306 nats from " +
            "the reference: the margin grows while both fall.",
          "- β grid: β = 0.05: gold 0.708, KL 0.59; β = 0.1: gold 0.706, KL 0.42 (SFT 0.671); highest mean at " +
            "β = 0.05.",
          "- Best-of-16 under the RM: gold 0.740 at KL ≤ 1.83; Preferred-FT: 0.681.",
          "- Win rates apart from 50 %: DPO β = 0.05 (seed 0), hinge β=0.1 seed 0.",
        ].join("\n"),
      );
    });

    it("a margin that grows while the chosen rises, one that does not grow, and no win rate apart", () => {
      assert.match(dpoSummary({ ...o, chosen: 0.2 }), /from the reference: the margin grows\.\n/);
      assert.match(
        dpoSummary({ ...o, chosen: -3 }),
        /from the reference: the margin does not grow while both fall\./,
      );
      assert.match(
        dpoSummary({ ...o, apart: [] }),
        /- No method's win rate against SFT separates from 50 %\.$/,
      );
    });
  });
});
