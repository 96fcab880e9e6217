import { strict as assert } from "assert";
import {
  freshRhoFinding,
  kendallFinding,
  lengthBiasFinding,
  rewardSummary,
  SeedMember,
  seedStudyFinding,
  targetVerdict,
} from "../../../src/display/findings/reward";

describe("findings of notebook 04 (reward model)", () => {
  it("meets a target with the whole interval, by the estimate alone, or not", () => {
    assert.equal(targetVerdict({ rate: 0.8, lo: 0.76 }, 0.75), "met, interval and all");
    assert.equal(
      targetVerdict({ rate: 0.76, lo: 0.72 }, 0.75),
      "met by the estimate, not by the whole interval",
    );
    assert.equal(targetVerdict({ rate: 0.7, lo: 0.66 }, 0.75), "not met");
  });

  it("states Kendall τ and the gold target", () => {
    assert.equal(
      kendallFinding({ mean: 0.4123, lo: 0.38, hi: 0.441, n: 312 }, { rate: 0.758, lo: 0.724 }),
      "Kendall τ between the RM's and gold's order of each prompt's responses: **0.41** (95 % CI 0.38 to " +
        "0.44, 312 prompts with a gold order). Target: accuracy against gold ≥ 75 %: " +
        "**met by the estimate, not by the whole interval**.",
    );
  });

  it("states fresh ρ against its target, and whether prompts or answers are ranked better", () => {
    const agree = {
      spearman: 0.55,
      lo: 0.5,
      hi: 0.6,
      between: 0.7,
      within: 0.3,
      responses: 480,
      prompts: 250,
    };
    const s = freshRhoFinding(agree, 230);
    assert.equal(
      s,
      "Spearman ρ(RM, gold) = **0.55** (95 % bootstrap interval over prompts 0.50 to 0.60) on 480 fresh " +
        "responses to 250 prompts (target ≥ 0.6: **not met**). Between prompts ρ = 0.70; within a prompt " +
        "ρ = 0.30 (230 prompts whose two samples differ): the RM ranks prompts better than it ranks one " +
        "prompt's answers.",
    );
    const met = freshRhoFinding({ ...agree, spearman: 0.6, within: 0.8 }, 230);
    assert.match(met, /\*\*met\*\*/);
    assert.match(met, /ranks one prompt's answers at least as well as it ranks prompts\.$/);
  });

  describe("the seed study", () => {
    const member = (name: string, rho: number, lo: number, hi: number, within = 0.2): SeedMember => ({
      member: name,
      fresh: { spearman: rho, lo, hi, between: 0.7, within },
      heldOut: { gold: { rate: 0.75, lo: 0.72, hi: 0.78 } },
    });
    const seedRho = { mean: 0.5, lo: 0.45, hi: 0.55 };

    it("the target above every interval, the seeds' interval below it, within trailing between", () => {
      const members = [member("seed 0", 0.5, 0.4, 0.55), member("seed 1", 0.52, 0.45, 0.58, 0.25)];
      members.push(member("WARM", 0.51, 0.44, 0.57));
      assert.equal(
        seedStudyFinding({ members, seedRho, prompts: 250 }),
        "Over 2 seeds the fresh ρ is 0.50 (t-interval 0.45 to 0.55: the seeds' spread on these prompts); " +
          "WARM gives 0.51 (0.44 to 0.57) and 75.0% accuracy against gold (72.0%–78.0%). " +
          "The target 0.6 lies above every model's interval. " +
          "The seeds' mean stays below 0.6 with an interval that excludes it: the shortfall is not one " +
          "seed's luck, and averaging the weights does not close it. " +
          "In every model the within-prompt ρ (at most 0.25) trails the between-prompt ρ: what holds ρ " +
          "down is the order of one prompt's answers.",
      );
    });

    it("every interval reaching the target: how many estimates do (none, one, several)", () => {
      const reaching = (rhos: number[]) =>
        seedStudyFinding({
          members: rhos.map((r, i) =>
            member(i === rhos.length - 1 ? "WARM" : `seed ${i}`, r, 0.5, 0.65, 0.9),
          ),
          seedRho: { mean: 0.58, lo: 0.5, hi: 0.66 },
          prompts: 250,
        });
      assert.match(
        reaching([0.55, 0.56]),
        /reaches 0\.6 and none of the 2 estimates does: 250 prompts cannot/,
      );
      assert.match(reaching([0.61, 0.56]), /reaches 0\.6 and 1 of the 2 estimates does:/);
      assert.match(reaching([0.61, 0.62, 0.6]), /reaches 0\.6 and 3 of the 3 estimates do:/);
      const s = reaching([0.55, 0.56]);
      assert.match(
        s,
        /The seeds' interval reaches 0\.6: which seed one trains decides whether the target is met\.$/,
      );
      assert.doesNotMatch(s, /trails the between-prompt/, "within above between: no sentence");
    });

    it("the target above some intervals and inside the others'", () => {
      const members = [member("seed 0", 0.5, 0.4, 0.55), member("WARM", 0.58, 0.52, 0.64)];
      assert.match(
        seedStudyFinding({ members, seedRho, prompts: 250 }),
        /The target lies above the interval of 1 of the 2 models and inside the others'\. /,
      );
    });

    it("needs the WARM member", () => {
      assert.throws(() =>
        seedStudyFinding({ members: [member("seed 0", 0.5, 0.4, 0.55)], seedRho, prompts: 1 }),
      );
    });
  });

  describe("the length bias", () => {
    const untrained = { estimate: 0.02, lo: 0.01, hi: 0.03 };
    const unbiased = { estimate: 0.021, lo: 0.012, hi: 0.03 };

    it("the biased RM's coefficient above the unbiased one's interval", () => {
      assert.equal(
        lengthBiasFinding(untrained, unbiased, { estimate: 0.05, lo: 0.04, hi: 0.06 }),
        "**The raters' taste passed into the RM**: its length coefficient (0.050) lies above the unbiased " +
          "RM's interval (0.012 to 0.030).",
      );
    });

    it("below it", () => {
      assert.match(
        lengthBiasFinding(untrained, unbiased, { estimate: -0.01, lo: -0.02, hi: 0.0 }),
        /^\*\*The RM of the length-loving raters rewards length less\*\*: its length coefficient \(-0\.010\) lies below/,
      );
    });

    it("overlapping, with and without a slope before training", () => {
      const biased = { estimate: 0.025, lo: 0.015, hi: 0.035 };
      assert.equal(
        lengthBiasFinding(untrained, unbiased, biased),
        "The intervals of the unbiased and the length-loving raters' RMs overlap (0.012 to 0.030 against " +
          "0.015 to 0.035): no difference is claimed. The untrained likelihood term already rewards length " +
          "within a prompt (0.020, interval above 0): later tokens of a longer answer are easier to predict, " +
          "which raises its mean log-prob. At this data size training moves the RM little from where it " +
          "started (section 6's curve is flat), so the raters' taste has little room to show.",
      );
      const flat = lengthBiasFinding({ estimate: 0, lo: -0.01, hi: 0.01 }, unbiased, biased);
      assert.doesNotMatch(flat, /untrained likelihood/);
      assert.match(flat, /no difference is claimed\. At this data size/);
    });
  });

  describe("the summary", () => {
    const o = {
      raters: { rate: 0.576 },
      gold: { rate: 0.758, lo: 0.724, hi: 0.789 },
      headOnly: { mean: 0.55, sd: 0.01, n: 3 },
      withLikelihood: { mean: 0.74, sd: 0.005 },
      smallest: { groups: 100, mean: 0.735, sd: 0.004 },
      largest: 1600,
      fresh: { spearman: 0.55, lo: 0.5, hi: 0.6 },
      seeds: { n: 4, mean: 0.53 },
      warm: 0.54,
    };

    it("writes every bullet; no change beyond the seeds' spread", () => {
      assert.equal(
        rewardSummary(o),
        [
          "- The raters' labels agree with the RM on 57.6% of held-out pairs and gold on 75.8% " +
            "(72.4%–78.9%): the raters' noise caps the first, and gold shows what the RM got right beyond it.",
          "- The score's form matters more than the data: with the end-token head alone the RM orders " +
            "55.0% ± 1.0% of held-out pairs as gold does, with the likelihood term 74.0% ± 0.5% (3 seeds each).",
          "- From 100 to 1600 ranked prompts accuracy goes from 73.5% to 74.0%: no change beyond the " +
            "seeds' spread, the small-data regime Gao et al. describe, where comparisons barely move a " +
            "reward model.",
          "- Fresh samples: Spearman ρ(RM, gold) = 0.55 (0.50 to 0.60), 0.53 over 4 seeds and 0.54 for " +
            "their weight average, against a target of 0.6. Notebook 05 optimises the policy against this " +
            "score and watches the gold reward while it does.",
        ].join("\n"),
      );
    });

    it("a change beyond the seeds' spread", () => {
      assert.match(
        rewardSummary({ ...o, smallest: { groups: 100, mean: 0.6, sd: 0.01 } }),
        /from 60\.0% to 74\.0%: a change beyond the seeds' spread\./,
      );
    });
  });
});
