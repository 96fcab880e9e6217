/**
 * The wiring of PPO's steps: what the trainer's own step functions compute
 * (the advantages of src/train/rollout.ts, the update of
 * src/train/ppo-update.ts, the score hook of `trainPpo`) against the
 * reference formulas of src/train/ppo-math.ts (tested by hand in
 * ppo.test.ts), on hand-made rows chosen so that a mis-wiring shows: ratios
 * outside 1 ± ε, samples of equal score and different KL, γ ≠ λ over a
 * non-trivial critic, advantages whose raw mean and std are not 0 and 1.
 */
import { strict as assert } from "assert";
import { tf } from "../../src/backend";
import type { EvalItem } from "../../src/data/tasks/eval-sets";
import type { GPT } from "../../src/model/gpt";
import { nextTokenLogProbs, responseLogProbs, responseLogProbsAndValues } from "../../src/model/logprobs";
import { rewardModel } from "../../src/model/reward-model";
import { newStats, ppoObjective } from "../../src/train/ppo-update";
import { assignAdvantages, RolloutRow } from "../../src/train/rollout";
import {
  clippedPolicyLoss,
  clippedValueLoss,
  gae,
  grpoAdvantages,
  klEstimates,
  PPO_QUICK,
  ppoConfig,
  PpoConfig,
  PpoHooks,
  rlooAdvantages,
  tokenRewards,
  trainPpo,
  whiten,
} from "../../src/train/ppo";
import { ids2d, setup, testTokenizer, tinyModel } from "../helpers";

const near = (a: number, b: number, tol: number, what = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
const nearAll = (a: readonly number[], b: readonly number[], tol: number, what = "") => {
  assert.equal(a.length, b.length, `${what}: lengths`);
  a.forEach((x, i) => near(x, b[i], tol, `${what}[${i}]`));
};
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** A rollout row with only what the advantage step reads (one dummy token per response token). */
function row(oldLogp: number[], refLogp: number[], values: number[], prompt = 0): RolloutRow {
  return {
    tokens: [1, ...oldLogp.map(() => 7)],
    start: 1,
    prompt,
    stopped: true,
    oldLogp,
    refLogp,
    values,
    advantages: [],
    returns: [],
  };
}

const config = (over: Partial<PpoConfig>) => ppoConfig(over, PPO_QUICK);

describe("train/ppo wiring: advantages (rollout.ts's assignAdvantages)", () => {
  // Three responses of a gae rollout: a critic that is not zero, KL that is not zero.
  const gaeRows = () => [
    row([-1.2, -0.4, -2.0], [-1.0, -0.9, -1.5], [0.3, -0.2, 0.5]),
    row([-0.7, -1.1], [-0.8, -0.6], [0.8, 0.1]),
    row([-2.2, -0.3, -0.5, -1.0], [-2.0, -0.1, -0.9, -1.0], [-0.4, 0.6, 0.2, 0.9]),
  ];
  const scores = [3.0, -1.0, 6.0];
  const beta = 0.3;

  it("gae: GAE(γ, λ) over per-token rewards with −β·KL, whitened over the rollout", () => {
    const c = config({ advantage: "gae", gamma: 0.9, lam: 0.6, whitenAdvantages: true });
    const rows = gaeRows();
    assignAdvantages(rows, scores, beta, c);
    const ref = gaeRows().map((r, i) =>
      gae(tokenRewards(r.oldLogp, r.refLogp, scores[i], beta), r.values, 0.9, 0.6),
    );
    // The returns are GAE's, unwhitened (the critic's target).
    rows.forEach((r, i) => nearAll(r.returns, ref[i].returns, 1e-12, `returns of row ${i}`));
    // The fixture guards the whitening check: raw advantages far from mean 0, std 1.
    const raw = ref.flatMap((g) => g.advantages);
    const m = sum(raw) / raw.length;
    const sd = Math.sqrt(sum(raw.map((x) => (x - m) ** 2)) / (raw.length - 1));
    assert.ok(Math.abs(m) > 0.2 && Math.abs(sd - 1) > 0.2, `raw mean ${m}, std ${sd}`);
    nearAll(
      rows.flatMap((r) => r.advantages),
      whiten(raw),
      1e-12,
      "whitened advantages",
    );
    // γ and λ are not interchangeable here: swapping them gives other returns.
    const swapped = gaeRows().flatMap(
      (r, i) => gae(tokenRewards(r.oldLogp, r.refLogp, scores[i], beta), r.values, 0.6, 0.9).returns,
    );
    const gap = Math.max(...swapped.map((x, t) => Math.abs(x - ref.flatMap((g) => g.returns)[t])));
    assert.ok(gap > 0.1, "the fixture tells γ from λ");
  });

  it("gae without whitening: GAE's own advantages", () => {
    const c = config({ advantage: "gae", gamma: 0.9, lam: 0.6, whitenAdvantages: false });
    const rows = gaeRows();
    assignAdvantages(rows, scores, beta, c);
    rows.forEach((r, i) => {
      const g = gae(tokenRewards(r.oldLogp, r.refLogp, scores[i], beta), r.values, 0.9, 0.6);
      nearAll(r.advantages, g.advantages, 1e-12, `advantages of row ${i}`);
    });
  });

  for (const advantage of ["rloo", "grpo"] as const)
    it(`${advantage}: the return is score − β·KL, so of two equal scores the larger KL loses`, () => {
      // Prompt 0: equal scores, KL 0 against KL 1.5 (k1). Prompt 1: different scores, different KLs.
      const make = () => [
        row([-1.0, -1.0], [-1.0, -1.0], [0, 0], 0),
        row([-0.5, -0.5], [-1.0, -1.5], [0, 0], 0),
        row([-0.2, -2.0, -1.0], [-0.4, -1.0, -1.0], [0, 0, 0], 1),
        row([-0.9], [-0.3], [0], 1),
      ];
      const s = [2.0, 2.0, 1.0, 0.4];
      const b = 0.5;
      const c = config({ advantage, samplesPerPrompt: 2, promptsPerRollout: 4, miniBatches: 2 });
      const rows = make();
      assignAdvantages(rows, s, b, c);
      const R = make().map((r, i) => s[i] - b * klEstimates(r.oldLogp, r.refLogp).k1);
      const baseline = advantage === "rloo" ? rlooAdvantages : grpoAdvantages;
      const A = [...baseline(R.slice(0, 2)), ...baseline(R.slice(2, 4))];
      rows.forEach((r, i) => {
        nearAll(
          r.advantages,
          r.oldLogp.map(() => A[i]),
          1e-12,
          `advantages of row ${i}`,
        );
        nearAll(
          r.returns,
          r.oldLogp.map(() => R[i]),
          1e-12,
          `returns of row ${i}`,
        );
      });
      assert.ok(rows[1].advantages[0] < rows[0].advantages[0], "the sample that moved further from π_ref");
    });
});

describe("train/ppo wiring: the update (ppo-update.ts's objective)", () => {
  before(setup);

  /** A policy whose value head is not zero, so the value loss has something to clip. */
  function policy(): GPT {
    const m = tinyModel(1).withScalarHead();
    const w = m.params.get("score.w")!;
    w.assign(tf.randomNormal(w.shape, 0, 0.5, "float32", 7));
    m.params.get("score.b")!.assign(tf.fill(m.params.get("score.b")!.shape, 0.3));
    return m;
  }

  it("gives the clipped policy and value losses per token, at ratios outside 1 ± ε", () => {
    const model = policy();
    const eps = 0.2;
    const epsV = 0.2;
    const c = config({ advantage: "gae", clipRange: eps, clipRangeValue: epsV, vfCoef: 0.5 });
    const seqs = [
      { tokens: [5, 17, 42, 99, 120, 7], start: 2 },
      { tokens: [9, 33, 250, 11], start: 1 },
    ];
    const now = responseLogProbsAndValues(model, seqs, { pad: 0, chunk: 8 });
    // The ratio π/π_old each token should have, and advantages of both signs on both sides of the clip.
    const ratios = [
      [1.5, 0.5, 0.5, 1.5],
      [1.1, 1.3, 0.75],
    ];
    const advantages = [
      [2, 2, -1, -1],
      [0.5, -0.5, 1.5],
    ];
    const oldValues = [
      [0.9, -0.6, 0.35, 0.0],
      [0.2, 1.4, -0.3],
    ];
    const returns = [
      [1.0, -1.0, 0.5, 0.2],
      [-0.5, 2.0, 0.1],
    ];
    const rows: RolloutRow[] = seqs.map((q, b) => ({
      ...q,
      prompt: b,
      stopped: true,
      oldLogp: now.logp[b].map((lp, j) => lp - Math.log(ratios[b][j])),
      refLogp: now.logp[b],
      values: oldValues[b],
      advantages: advantages[b],
      returns: returns[b],
    }));
    const objective = ppoObjective(model, 0, c, newStats());
    const micro = { kind: "ppo" as const, rows };
    const norm = objective.normalizer([micro]);
    assert.equal(norm, 7);
    const loss = tf.tidy(() => objective.loss(micro, norm).dataSync()[0]);
    const m = objective.stepMetrics!();

    const pg = rows.flatMap((r, b) =>
      r.oldLogp.map((old, j) => clippedPolicyLoss(now.logp[b][j] - old, r.advantages[j], eps)),
    );
    const vf = rows.flatMap((r, b) =>
      r.values.map((old, j) => clippedValueLoss(now.values[b][j], old, r.returns[j], epsV)),
    );
    const clipped = rows.flatMap((r, b) =>
      r.oldLogp.map((old, j) => {
        const [A, rho] = [r.advantages[j], Math.exp(now.logp[b][j] - old)];
        return -A * Math.min(Math.max(rho, 1 - eps), 1 + eps) > -A * rho ? 1 : 0;
      }),
    );
    near(m["loss/policy"]!, sum(pg) / 7, 1e-5, "loss/policy");
    near(m["loss/value"]!, sum(vf) / 7, 1e-5, "loss/value");
    near(m["policy/clipfrac"]!, sum(clipped) / 7, 1e-9, "policy/clipfrac");
    near(m["val/ratio"]!, sum(ratios.flat()) / 7, 1e-5, "val/ratio");
    near(loss, (sum(pg) + 0.5 * sum(vf)) / 7, 1e-5, "loss");
    // The fixture clips on both sides, and a value outside ±εv.
    assert.equal(sum(clipped), 2);
    assert.ok(rows.some((r, b) => r.values.some((old, j) => Math.abs(now.values[b][j] - old) > epsV)));
    model.dispose();
  });

  it("reads the log-probs the rollout read: one primitive, the same numbers", () => {
    const model = policy();
    const ids = [
      [5, 17, 42, 99, 120, 7],
      [9, 33, 250, 11, 0, 0],
    ];
    const [lp, seq, v, trunkValues] = tf.tidy(() => {
      const f = nextTokenLogProbs(model, ids2d(ids), { values: true });
      const hidden = model.trunk(ids2d(ids)).hidden;
      return [
        f.logp.arraySync(),
        model.sequenceLogProbs(ids2d(ids)).arraySync(),
        f.values!.arraySync(),
        tf.slice(model.scores(hidden), [0, 0], [2, 5]).arraySync() as number[][],
      ];
    });
    assert.deepEqual(lp, seq);
    assert.deepEqual(v, trunkValues);
    const rows = [
      { tokens: ids[0], start: 2 },
      { tokens: [9, 33, 250, 11], start: 1 },
    ];
    const both = responseLogProbsAndValues(model, rows, { pad: 0, chunk: 8 });
    assert.deepEqual(both.logp, responseLogProbs(model, rows, { pad: 0, chunk: 8 }));
    assert.deepEqual(both.logp[0], lp[0].slice(1, 5));
    assert.deepEqual(both.values[1], v[1].slice(0, 3));
    model.dispose();
  });
});

describe("train/ppo wiring: the score hook", function () {
  this.timeout(120000);
  before(setup);

  const prompts = ["Say it.", "Go on.", "Tell me.", "Write."].map((content, i) => ({
    messages: [{ role: "user", content }],
    answer: "yes",
    task: "passage_yes_no",
    input: { id: i },
  })) as unknown as EvalItem[];

  const run = (hooks?: PpoHooks) =>
    trainPpo({
      model: tinyModel(1).withScalarHead(),
      reference: tinyModel(1),
      rewardModel: rewardModel(tinyModel(2).withScalarHead(), 0),
      tokenizer: testTokenizer(),
      prompts,
      config: config({
        steps: 2,
        promptsPerRollout: 4,
        samplesPerPrompt: 2,
        miniBatches: 2,
        ppoEpochs: 1,
        maxNewTokens: 4,
        logEvery: 1,
        seed: 5,
      }),
      hooks,
    });

  it("sees each response with its prompt's item; its numbers are logged and kept, not trained on", async () => {
    const seen: Parameters<NonNullable<PpoHooks["score"]>>[0][] = [];
    const hooked = await run({
      score: (responses) => {
        seen.push(responses);
        return {
          perRow: responses.map((_, i) => i / 100),
          metrics: { "objective/gold": 0.25, "objective/gold_behavioural": 0.5 },
        };
      },
    });
    assert.equal(seen.length, 1, "one rollout, one call");
    const responses = seen[0];
    assert.equal(responses.length, 8);
    responses.forEach((r, i) => {
      assert.ok(prompts.includes(r.item));
      assert.equal(r.item, responses[i - (i % 2)].item, "the k samples of a prompt are adjacent");
      assert.equal(r.text, testTokenizer().decode([...r.tokens], { skipSpecial: true }));
    });
    assert.equal(new Set(responses.map((r) => r.item)).size, 4);
    const row = hooked.metrics[0];
    assert.equal(row["objective/gold"], 0.25);
    assert.equal(row["objective/gold_behavioural"], 0.5);
    const keys = Object.keys(row);
    assert.equal(keys.indexOf("objective/gold"), keys.indexOf("objective/rlhf_reward") + 1);
    assert.deepEqual(
      hooked.notes.samples.map((s) => [s.step, s.gold, s.prompt]),
      [
        [0, 0, responses[0].item.messages[0].content],
        [0, 0.02, responses[2].item.messages[0].content],
      ],
    );
    // Without the hook: the same run, no gold anywhere.
    const plain = await run();
    assert.equal(plain.metrics[0]["objective/gold"], undefined);
    assert.ok(plain.notes.samples.every((s) => !("gold" in s)));
    const { "objective/gold": _g, "objective/gold_behavioural": _b, ...rest } = row;
    const strip = (r: Record<string, unknown>) => {
      const { tokens_per_s: _t, elapsed_s: _e, ...x } = r;
      return x;
    };
    assert.deepEqual(strip(plain.metrics[0]), strip(rest), "the hook changes nothing else");
  });
});
