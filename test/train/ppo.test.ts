import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tf } from "../../src/backend";
import type { EvalItem } from "../../src/data/tasks/eval-sets";
import type { GPT } from "../../src/model/gpt";
import { rewardModel } from "../../src/model/reward-model";
import {
  adaptBeta,
  Advantage,
  checkCompatible,
  clippedPolicyLoss,
  clippedValueLoss,
  gae,
  grpoAdvantages,
  klEstimates,
  PPO_QUICK,
  ppoConfig,
  PpoArgs,
  PpoConfig,
  rlooAdvantages,
  tokenRewards,
  trainPpo,
  whiten,
} from "../../src/train/ppo";
import { maxAbsDiff, setup, testTokenizer, tinyModel } from "../helpers";

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const nearAll = (a: readonly number[], b: readonly number[], tol = 1e-9) => {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => near(x, b[i], tol));
};

describe("train/ppo: the pure pieces", () => {
  it("computes GAE as by hand", () => {
    // r = [0, 0, 1], V = [0.5, 0.4, 0.6], γ = 0.9, λ = 0.8.
    // δ2 = 1 − 0.6 = 0.4; δ1 = 0 + 0.9·0.6 − 0.4 = 0.14; δ0 = 0 + 0.9·0.4 − 0.5 = −0.14
    // A2 = 0.4; A1 = 0.14 + 0.72·0.4 = 0.428; A0 = −0.14 + 0.72·0.428 = 0.16816
    const { advantages, returns } = gae([0, 0, 1], [0.5, 0.4, 0.6], 0.9, 0.8);
    nearAll(advantages, [0.16816, 0.428, 0.4]);
    nearAll(returns, [0.66816, 0.828, 1.0]);
    // γ = λ = 1 and a zero critic: every advantage is the sum of the rewards to go.
    nearAll(gae([1, 2, 3], [0, 0, 0], 1, 1).advantages, [6, 5, 3]);
    assert.throws(() => gae([1, 2], [0], 1, 1), /2 rewards but 1 values/);
  });

  it("puts −β·(log π − log π_ref) on every token and the score on the last", () => {
    nearAll(tokenRewards([-1, -2], [-1.5, -1], 3, 0.1), [-0.05, 0.1 + 3]);
  });

  it("clips the policy and value losses at the known values", () => {
    const eps = 0.2;
    // A > 0: the gain stops at ratio 1 + ε.
    near(clippedPolicyLoss(Math.log(1.5), 2, eps), -2 * 1.2);
    near(clippedPolicyLoss(Math.log(1.1), 2, eps), -2 * 1.1);
    // A > 0 and ratio below 1 − ε: no clipping (the pessimistic term is the unclipped one).
    near(clippedPolicyLoss(Math.log(0.5), 2, eps), -2 * 0.5);
    // A < 0: the loss stops falling at ratio 1 − ε, and is not clipped above 1 + ε.
    near(clippedPolicyLoss(Math.log(0.5), -1, eps), 0.8);
    near(clippedPolicyLoss(Math.log(1.5), -1, eps), 1.5);
    // Value: the larger of the unclipped and clipped squared errors.
    near(clippedValueLoss(1.0, 0.0, 1.0, 0.2), 0.5 * 0.8 ** 2); // clipped to 0.2, error 0.8
    near(clippedValueLoss(0.1, 0.0, 1.0, 0.2), 0.5 * 0.9 ** 2); // inside the clip range
    near(clippedValueLoss(2.0, 0.0, 1.0, 0.2), 0.5 * 1.0 ** 2); // unclipped error 1 > clipped 0.8
  });

  it("estimates KL with k1 and k3: both exact in expectation, k3 never negative", () => {
    // Two distributions over 3 tokens; one "token" per sequence.
    const p = [0.5, 0.3, 0.2];
    const q = [0.2, 0.5, 0.3];
    const exact = p.reduce((s, pi, i) => s + pi * Math.log(pi / q[i]), 0);
    let k1 = 0,
      k3 = 0;
    p.forEach((pi, i) => {
      const e = klEstimates([Math.log(pi)], [Math.log(q[i])]);
      assert.ok(e.k3 >= 0);
      k1 += pi * e.k1;
      k3 += pi * e.k3;
    });
    near(k1, exact, 1e-12);
    near(k3, exact, 1e-12);
    // One sample can give a negative k1 (here log 0.3/0.5 < 0) but not a negative k3.
    const one = klEstimates([Math.log(0.3)], [Math.log(0.5)]);
    assert.ok(one.k1 < 0 && one.k3 > 0);
    // Sequences sum over tokens.
    nearAll(Object.values(klEstimates([-1, -2], [-1, -2])), [0, 0]);
  });

  it("computes the RLOO and GRPO baselines and whitening", () => {
    nearAll(rlooAdvantages([1, 2, 3]), [1 - 2.5, 2 - 2, 3 - 1.5]);
    const g = grpoAdvantages([1, 2, 3], 0);
    nearAll(g, [-1, 0, 1]); // mean 2, unbiased std 1
    nearAll(grpoAdvantages([5, 5]), [0, 0]); // a group that all scored the same has no signal
    assert.throws(() => rlooAdvantages([1]), /at least 2 samples/);
    const w = whiten([1, 2, 3, 4]);
    near(
      w.reduce((a, b) => a + b, 0),
      0,
    );
    nearAll(whiten([7, 7, 7]), [0, 0, 0]);
  });

  it("moves β toward the target KL, by at most 20 % × n/horizon", () => {
    near(adaptBeta(0.1, 12, 6, 100, 100), 0.1 * 1.2);
    near(adaptBeta(0.1, 0, 6, 100, 100), 0.1 * 0.8);
    near(adaptBeta(0.1, 6.6, 6, 50, 100), 0.1 * (1 + 0.1 * 0.5));
  });

  it("checks a config: multiples of the updates per rollout, a group for rloo and grpo", () => {
    const c = ppoConfig({}, PPO_QUICK);
    assert.equal(c.batchSize, (c.promptsPerRollout * c.samplesPerPrompt) / c.miniBatches);
    assert.throws(() => ppoConfig({ steps: 6 }, PPO_QUICK), /not a multiple of the 4 updates/);
    assert.throws(() => ppoConfig({ checkpointEvery: 2 }, PPO_QUICK), /checkpointEvery 2/);
    assert.throws(
      () => ppoConfig({ advantage: "grpo", samplesPerPrompt: 1 }, PPO_QUICK),
      /k|samplesPerPrompt ≥ 2/,
    );
    assert.throws(() => ppoConfig({ miniBatches: 3 }, PPO_QUICK), /does not split into 3 minibatches/);
    assert.throws(() => ppoConfig({ advantage: "ppo" as Advantage }, PPO_QUICK), /advantage/);
  });
});

// ---------------------------------------------------------------------------
// The toy task: the reward is the share of response tokens in a target set.

/** Short prompts that fit the tiny model's context of 32 tokens. */
function toyPrompts(): EvalItem[] {
  return ["Say it.", "Go on.", "Tell me.", "Write."].map((content, i) => ({
    messages: [{ role: "user", content }],
    answer: "yes",
    accepted: ["yes"],
    task: "passage_yes_no",
    cluster: "closed_qa",
    template: 0,
    input: { passage: "", question: "", id: i },
  })) as EvalItem[];
}

const TARGET = (id: number) => id >= 100 && id < 140; // 40 of 300 tokens: a base rate near 13 %

function toyBonus(r: { tokens: readonly number[] }): number {
  const body = r.tokens.filter((t) => t > 5); // the specials (end token) do not count
  return body.length ? body.filter(TARGET).length / body.length : 0;
}

function toyConfig(advantage: Advantage, over: Partial<PpoConfig> = {}) {
  return ppoConfig(
    {
      advantage,
      steps: 48,
      promptsPerRollout: 4,
      samplesPerPrompt: 4,
      miniBatches: 2,
      ppoEpochs: 2,
      microBatchSize: 8,
      maxNewTokens: 6,
      lr: 1e-2,
      beta: 0.01,
      vfCoef: 0.5,
      missingEosPenalty: 0,
      logEvery: 4,
      seed: 3,
      ...over,
    },
    PPO_QUICK,
  );
}

async function toyRun(config: Readonly<PpoConfig>, extra: Partial<PpoArgs> = {}) {
  const tok = testTokenizer();
  const model = extra.model ?? tinyModel(1).withScalarHead();
  const reference = tinyModel(1);
  const rm = rewardModel(tinyModel(2).withScalarHead(), 0); // a zero head: the RM says nothing
  const run = await trainPpo({
    model,
    reference,
    rewardModel: rm,
    tokenizer: tok,
    prompts: toyPrompts(),
    config,
    scoreBonus: toyBonus,
    ...extra,
  });
  return { run, model, reference, rm };
}

const weights = (m: GPT) => [...m.params.values()].flatMap((p) => Array.from(p.dataSync()));

describe("train/ppo: training", function () {
  this.timeout(240000);
  before(setup);

  for (const advantage of ["gae", "rloo", "grpo"] as const)
    it(`${advantage} learns the toy task (emit tokens of a target set) within 48 updates`, async () => {
      const { run, reference, rm } = await toyRun(toyConfig(advantage));
      const scores = run.metrics.map((m) => m["objective/scores"]!);
      const first = scores.slice(0, 2).reduce((a, b) => a + b, 0) / 2;
      const last = scores.slice(-2).reduce((a, b) => a + b, 0) / 2;
      assert.ok(first < 0.35, `starting score ${first}`);
      assert.ok(last > first + 0.25, `${advantage}: score ${first.toFixed(3)} → ${last.toFixed(3)}`);
      // The frozen models are untouched.
      assert.equal(maxAbsDiff(weights(reference), weights(tinyModel(1))), 0);
      assert.equal(maxAbsDiff(weights(rm.model), weights(tinyModel(2).withScalarHead())), 0);
      for (const k of [
        "objective/kl",
        "objective/entropy",
        "policy/clipfrac",
        "loss/policy",
        "val/ratio",
      ] as const)
        assert.ok(Number.isFinite(run.metrics[run.metrics.length - 1][k]), `${k} is logged`);
      if (advantage === "gae")
        assert.ok(Number.isFinite(run.metrics[0]["loss/value"]), "loss/value is logged");
      assert.ok(run.notes.samples.length > 0, "sampled responses are kept");
    });

  /** Run `config` with checkpoints into a fresh folder, stopped after `ticks` steps; returns the folder. */
  async function interrupted(config: Readonly<PpoConfig>, ticks: number): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppo-"));
    let n = 0;
    const stop = {
      tick: () => {
        if (++n === ticks) throw new Error("interrupted");
      },
      done: () => {},
    };
    await toyRun(config, { checkpointDir: dir, progress: stop }).catch((e) =>
      assert.match(String(e), /interrupted/),
    );
    return dir;
  }

  it("gives the same curve for the same seed, and resumes an interrupted run exactly", async () => {
    const c = toyConfig("gae", { steps: 16, logEvery: 1, checkpointEvery: 8 });
    const a = await toyRun(c);
    const b = await toyRun(c);
    const curve = (r: typeof a) => r.run.metrics.map((m) => [m.loss, m["objective/scores"]]);
    assert.deepEqual(curve(a), curve(b));
    const dir = await interrupted(c, 11); // stopped inside the second rollout; the checkpoint is at step 8
    // Another init: the weights must all come from the checkpoint.
    const resumed = await toyRun(c, { resumeFrom: dir, model: tinyModel(9).withScalarHead() });
    assert.deepEqual(curve(resumed), curve(a));
    assert.equal(maxAbsDiff(weights(resumed.model), weights(a.model)), 0);
    assert.deepEqual(resumed.run.notes.samples, a.run.notes.samples, "the response table carries on");
    await assert.rejects(
      toyRun({ ...c, beta: 0.2 }, { resumeFrom: dir }),
      /resuming would change beta 0\.01 → 0\.2/,
    );
  });

  it("starts each rollout's updates at ratio 1 (the sampled and recomputed log-probs agree)", async () => {
    // lr 0: the policy never moves, so every update sees π = π_old exactly.
    const { run } = await toyRun(toyConfig("gae", { steps: 8, lr: 0, logEvery: 1 }));
    for (const m of run.metrics) {
      assert.ok(Math.abs(m["val/ratio"]! - 1) < 1e-5, `ratio ${m["val/ratio"]}`);
      assert.ok(m["policy/approxkl"]! < 1e-9);
      assert.equal(m["policy/clipfrac"], 0);
    }
  });

  it("carries the adaptive β across a resume", async () => {
    const c = toyConfig("rloo", {
      steps: 16,
      logEvery: 4,
      checkpointEvery: 8,
      targetKl: 0.01,
      klHorizon: 16,
    });
    const a = await toyRun(c);
    const betas = a.run.metrics.map((m) => m["objective/beta"]!);
    assert.ok(new Set(betas).size > 1, "β moved");
    const resumed = await toyRun(c, { resumeFrom: await interrupted(c, 10) });
    assert.deepEqual(
      resumed.run.metrics.map((m) => m["objective/beta"]),
      betas,
    );
  });

  it("leaks no tensors across steps", async () => {
    const counts: number[] = [];
    const c = toyConfig("gae", { steps: 16, logEvery: 1 });
    const tok = testTokenizer();
    await trainPpo({
      model: tinyModel(1).withScalarHead(),
      reference: tinyModel(1),
      rewardModel: rewardModel(tinyModel(2).withScalarHead(), 0),
      tokenizer: tok,
      prompts: toyPrompts(),
      config: c,
      scoreBonus: toyBonus,
      progress: { tick: () => void counts.push(tf.memory().numTensors), done: () => {} },
    });
    assert.equal(counts[counts.length - 1], counts[3], `tensor counts ${counts.join(" ")}`);
  });

  it("refuses a reference of another vocabulary or tokenizer, or an RM without a scalar head", async () => {
    const tok = testTokenizer();
    const policy = tinyModel(1).withScalarHead();
    const rm = rewardModel(tinyModel(2).withScalarHead(), 0);
    const base = {
      model: policy,
      rewardModel: rm,
      tokenizer: tok,
      prompts: toyPrompts(),
      config: toyConfig("gae"),
    };
    await assert.rejects(
      trainPpo({ ...base, reference: tinyModel(1, { vocabSize: 320 }) }),
      /reference has a vocabulary of 320 tokens, the policy 300/,
    );
    await assert.rejects(
      trainPpo({ ...base, reference: tinyModel(1), rewardModel: { model: tinyModel(2), head: rm.head } }),
      /reward model has no scalar head/,
    );
    const other = { toJSON: () => ({ other: true }) } as unknown as typeof tok;
    assert.throws(
      () => checkCompatible(policy, tinyModel(1), rm, tok, { reference: other }),
      /reference's tokenizer differs/,
    );
    await assert.rejects(
      trainPpo({ ...base, reference: tinyModel(1), model: tinyModel(1) }),
      /policy needs a scalar head/,
    );
  });
});
