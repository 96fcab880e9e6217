import { strict as assert } from "assert";
import {
  heldoutGainFinding,
  negativeKlFinding,
  overoptFinding,
  overoptVerdict,
  ppoSummary,
  taskGainFinding,
} from "../../../src/display/findings/ppo";

const iv = (mean: number, lo: number, hi: number) => ({ mean, lo, hi });
const above = iv(0.02, 0.01, 0.03);
const below = iv(-0.02, -0.03, -0.01);
const across = iv(0.001, -0.01, 0.012);

describe("findings of notebook 05 (PPO)", () => {
  it("calls the held-out gains above, below or across 0, greedy and sampled", () => {
    assert.equal(
      heldoutGainFinding(iv(0.05, 0.04, 0.06), above, across),
      "KL(PPO ‖ SFT) on these held-out samples: **0.050 (0.040 to 0.060) nats** per response (k1, sampled " +
        "from PPO). The held-out greedy gain is 0.020 (0.010 to 0.030); the interval excludes 0: PPO beats " +
        "SFT on held-out prompts. Sampled at temperature 1 the gain is 0.001 (-0.010 to 0.012), an interval " +
        "that includes 0.",
    );
    const s = heldoutGainFinding(iv(0.05, 0.04, 0.06), below, above);
    assert.match(s, /lies below 0: PPO is worse than SFT on held-out prompts\./);
    assert.match(s, /, an interval that excludes 0\.$/);
    const t = heldoutGainFinding(iv(0.05, 0.04, 0.06), across, below);
    assert.match(t, /includes 0: no held-out difference shown\./);
    assert.match(t, /\(-0\.030 to -0\.010\), below 0\.$/);
  });

  it("names the tasks whose gain excludes 0, against what chance explains", () => {
    const tasks = (n: number, moved: number) =>
      Array.from({ length: n }, (_, i) => ({
        task: `t${i}`,
        gain: i < moved ? (i % 2 ? below : above) : across,
      }));
    assert.equal(taskGainFinding(tasks(20, 0)), "No single task's change excludes 0 at this sample size.");
    assert.equal(
      taskGainFinding(tasks(20, 1)),
      "Tasks whose interval excludes 0: t0 (+0.020). With 20 tasks, about 1.0 intervals would exclude 0 by " +
        "chance alone, so this is not evidence of a task-level gain.",
    );
    assert.match(taskGainFinding(tasks(20, 3)), /t1 \(-0\.020\).*more tasks moved than chance explains\.$/);
  });

  describe("overoptimisation", () => {
    const start = { step: 0, kl: 0, proxy: 1, gold: 0.6 };
    const peak = { step: 60, kl: 0.5, proxy: 2, gold: 0.7 };
    const check = (fall: { mean: number; lo: number; hi: number }) => ({ rise: above, fall, net: across });

    it("proxy rose after the peak and gold fell beyond its interval: Goodhart", () => {
      const last = { step: 200, kl: 2, proxy: 3, gold: 0.55 };
      assert.equal(
        overoptFinding(start, peak, last, check(below)),
        "Gold 0.600 at the start, peak 0.700 at update 60 (KL 0.50, proxy 2.000), 0.550 at update 200 " +
          "(KL 2.00, proxy 3.000; the proxy started at 1.000). On fresh samples, paired per prompt, the peak " +
          "is 0.020 (0.010 to 0.030) above SFT and the end -0.020 (-0.030 to -0.010) from the peak (0.001 " +
          "(-0.010 to 0.012) from SFT). **After the gold peak the proxy kept rising and the gold reward " +
          "fell, by more than its interval**: Goodhart's law, in a run made here.",
      );
      assert.equal(
        overoptVerdict(peak, last, check(below)),
        "the proxy kept rising after the gold peak while gold fell, beyond its paired interval",
      );
    });

    it("proxy rose, gold's fall within its interval", () => {
      const last = { step: 200, kl: 2, proxy: 3, gold: 0.69 };
      assert.match(
        overoptFinding(start, peak, last, check(across)),
        /does not show overoptimisation beyond noise\.$/,
      );
      assert.equal(
        overoptVerdict(peak, last, check(across)),
        "the proxy kept rising after the gold peak; gold's fall stayed within its paired interval",
      );
    });

    it("proxy did not keep rising", () => {
      const last = { step: 200, kl: 2, proxy: 1.5, gold: 0.69 };
      assert.match(
        overoptFinding(start, peak, last, check(below)),
        /In this run the proxy did not keep rising after the gold peak\.$/,
      );
      assert.equal(
        overoptVerdict(peak, last, check(below)),
        "the proxy did not keep rising after the gold peak",
      );
    });
  });

  it("says whether any run ends with a negative held-out KL", () => {
    assert.equal(
      negativeKlFinding([
        { run: "a", held: 0.2 },
        { run: "b", held: 0.01 },
      ]),
      "No run ends with a negative mean KL on its held-out samples (lowest 0.010 nats).",
    );
    assert.equal(
      negativeKlFinding([
        { run: "a", held: -0.2 },
        { run: "b", held: 0.01 },
      ]),
      "1 run(s) end with a negative held-out KL: a; the estimate's interval is the place to look.",
    );
  });

  describe("the summary", () => {
    const o = {
      heldout: { gold: across, behavioural: above, promptSpecific: below },
      trained: { gold: above },
      sampledGain: across,
      sampledKl: 0.123,
      answerRate: { sft: 0.95, ppo: 0.97 },
      overopt: {
        lengthBias: 0.5,
        beta: 0.002,
        prompts: 32,
        start: { step: 0, kl: 0, proxy: 1, gold: 0.6 },
        peak: { step: 60, kl: 0.5, proxy: 2, gold: 0.7 },
        last: { step: 200, kl: 2, proxy: 3, gold: 0.55 },
        check: { rise: above, fall: below, net: across },
      },
      bestOfN: { n: 16, gold: 0.75, kl: 1.829 },
      sftGold: 0.7,
      sweep: [
        { label: "beta gae β=0.01 ptx=0 seed 0", gold: iv(0.72, 0.705, 0.735) },
        { label: "beta gae β=0.05 ptx=0 seed 0", gold: iv(0.7, 0.69, 0.71) },
      ],
      knowledge: { sft: 0.4, ppo: 0.38, ptx: 0.41 },
      betas: [
        { beta: 0.01, gold: 0.71 },
        { beta: 0.05, gold: 0.705 },
      ],
      seeds: 2,
    };

    it("writes every bullet, naming the runs apart from SFT", () => {
      assert.equal(
        ppoSummary(o),
        [
          "- On held-out prompts, greedy, PPO changes the gold reward by 0.001 (-0.010 to 0.012) " +
            "(behavioural 0.020 (0.010 to 0.030), prompt-specific -0.020 (-0.030 to -0.010)); on the prompts " +
            "it trained on by 0.020 (0.010 to 0.030). Sampled at T = 1 the held-out change is 0.001 (-0.010 " +
            "to 0.012), at a KL of 0.12 nats.",
          "- Answer rate on held-out prompts: SFT 95.0%, PPO 97.0%.",
          "- Against a proxy that pays 0.5 per word, with β = 0.002, on 32 prompts sampled again and again: " +
            "proxy 1.00 → 3.00, gold 0.600 → 0.700 (peak, update 60) → 0.550; on fresh samples, paired, the " +
            "end is -0.020 (-0.030 to -0.010) from the peak: the proxy kept rising after the gold peak while " +
            "gold fell, beyond its paired interval. Best-of-16 from SFT under the same proxy reached gold " +
            "0.750 at a KL of at most 1.83 nats.",
          "- Of the sweep's 2 runs, 1 have a held-out interval that excludes SFT's mean gold (0.700): beta gae " +
            "β=0.01 ptx=0 seed 0; InstructGPT found β of 0.01–0.02 best. Knowledge probe: SFT 40.0%, PPO " +
            "38.0%, PPO-ptx 41.0% (InstructGPT's tax at 175B: SQuAD F1 57.7 → 43.7, 59.9 with ptx).",
          "- β sweep: held-out gold β = 0.01: 0.710, β = 0.05: 0.705 (SFT 0.700; mean of 2 seeds).",
        ].join("\n"),
      );
    });

    it("names no run when none is apart", () => {
      assert.match(
        ppoSummary({ ...o, sweep: [o.sweep[1]] }),
        /Of the sweep's 1 runs, 0 have a held-out interval that excludes SFT's mean gold \(0\.700\); Instruct/,
      );
    });
  });
});
