import { strict as assert } from "assert";
import {
  DpoLoss,
  implicitRewards,
  PAIR_LOSSES,
  PAIR_OBJECTIVES,
  PairLogps,
} from "../../src/train/objectives";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tf } from "../../src/backend";
import { DPO_HHH, DPO_QUICK, DpoConfig, dpoConfig, recipeForLoss, trainDpo } from "../../src/train/dpo";
import { maxAbsDiff, setup, testTokenizer, tinyModel } from "../helpers";
import { pairEval, referenceLogps } from "../../src/train/pairs";
import { type PairGroup } from "../../src/data/preference";

const near = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const sp = (x: number) => Math.log1p(Math.exp(x)); // softplus
const logps = (v: number[]): PairLogps => {
  const t = (x: number) => tf.tensor1d([x]);
  return {
    policyChosen: t(v[0]),
    policyRejected: t(v[1]),
    refChosen: t(v[2]),
    refRejected: t(v[3]),
    lenChosen: t(v[4] ?? 1),
    lenRejected: t(v[5] ?? 1),
  };
};
const params = { beta: 0.5, labelSmoothing: 0.1, simpoGamma: 0.3 };
const lossAt = (loss: keyof typeof PAIR_LOSSES, v: number[]) =>
  PAIR_LOSSES[loss](logps(v), params).dataSync()[0];

describe("train/dpo: the losses", () => {
  before(setup);

  it("gives log 2 for the sigmoid loss and cDPO, and zero margins, when policy = reference", () => {
    const v = [-3, -5, -3, -5];
    near(lossAt("sigmoid", v), Math.log(2));
    near(lossAt("cdpo", v), Math.log(2));
    const r = implicitRewards(logps(v), "sigmoid", 0.5);
    near(r.chosen.dataSync()[0] - r.rejected.dataSync()[0], 0);
  });

  it("has each loss's hand-computed value", () => {
    // h = (π_c − ρ_c) − (π_r − ρ_r) = (−2 + 3) − (−6 + 5) = 2; β h = 1.
    const v = [-2, -6, -3, -5, 4, 2];
    near(lossAt("sigmoid", v), sp(-1));
    near(lossAt("cdpo", v), 0.9 * sp(-1) + 0.1 * sp(1));
    near(lossAt("ipo", v), (2 - 1 / (2 * 0.5)) ** 2);
    near(lossAt("hinge", v), 0); // 1 − βh = 0
    near(lossAt("hinge", [-2, -4, -3, -5]), 1); // h = 0
    // SimPO: β (π_c/|y_c| − π_r/|y_r|) − γ = 0.5 (−2/4 + 6/2) − 0.3 = 0.95.
    near(lossAt("simpo", v), sp(-0.95));
  });

  it("normalises SimPO by response length and ignores the reference", () => {
    near(lossAt("simpo", [-4, -4, 0, 0, 2, 4]), sp(-(0.5 * (-2 + 1) - 0.3)));
    near(lossAt("simpo", [-4, -4, 9, -9, 2, 4]), lossAt("simpo", [-4, -4, 0, 0, 2, 4]));
    const r = implicitRewards(logps([-4, -4, 0, 0, 2, 4]), "simpo", 0.5);
    near(r.chosen.dataSync()[0], -1);
    near(r.rejected.dataSync()[0], -0.5);
  });

  it("pushes the chosen log-prob up and the rejected down, for every loss", () => {
    for (const loss of Object.keys(PAIR_LOSSES) as (keyof typeof PAIR_LOSSES)[]) {
      const [gc, gr] = tf.grads((c: tf.Tensor, r: tf.Tensor) =>
        PAIR_LOSSES[loss](
          {
            ...logps([0, 0, -3, -3, 3, 3]),
            policyChosen: c as tf.Tensor1D,
            policyRejected: r as tf.Tensor1D,
          },
          params,
        ),
      )([tf.tensor1d([-3]), tf.tensor1d([-3])]);
      assert.ok(gc.dataSync()[0] < 0, `${loss}: d/dπ_c = ${gc.dataSync()[0]}`);
      assert.ok(gr.dataSync()[0] > 0, `${loss}: d/dπ_r = ${gr.dataSync()[0]}`);
    }
  });

  it("refuses β ≤ 0, ε ≥ 0.5 and an unknown loss before any step", () => {
    assert.throws(() => dpoConfig({ beta: 0 }), /beta = 0 must be > 0/);
    assert.throws(() => dpoConfig({ beta: -1 }), /beta = -1 is below the minimum/);
    assert.throws(() => dpoConfig({ labelSmoothing: 0.5 }), /labelSmoothing = 0.5 is above/);
    assert.throws(() => dpoConfig({ loss: "bogus" as DpoLoss }), /loss = "bogus" is not one of/);
  });

  it("refuses a knob the chosen loss never reads, instead of ignoring it", () => {
    assert.throws(() => dpoConfig({ labelSmoothing: 0.2 }), /read by loss "cdpo" only \(loss is "sigmoid"\)/);
    assert.throws(() => dpoConfig({ loss: "ipo", simpoGamma: 1 }), /read by loss "simpo" only/);
    assert.equal(dpoConfig({ loss: "cdpo", labelSmoothing: 0.2 }).labelSmoothing, 0.2);
  });

  it("runs the HHH recipe with any loss: KTO without RPO's pair-based NLL term, the rest with it", () => {
    assert.throws(() => dpoConfig({ loss: "kto" }, DPO_HHH), /sftWeight = 1 adds an NLL term/);
    const kto = dpoConfig({}, recipeForLoss(DPO_HHH, "kto"));
    assert.deepEqual([kto.loss, kto.sftWeight, kto.lr, kto.steps], ["kto", 0, DPO_HHH.lr, DPO_HHH.steps]);
    assert.equal(dpoConfig({}, recipeForLoss(DPO_HHH, "ipo")).sftWeight, 1);
  });
});

/** Toy pairs: after a 3-token prompt, chosen responses use tokens 10–19, rejected ones 20–29. */
function toyGroups(n: number, seed = 0): PairGroup[] {
  let s = seed + 1;
  const rnd = (k: number) => ((s = (s * 16807) % 2147483647), s % k);
  return Array.from({ length: n }, (_, i) => {
    const prompt = [1, 2 + rnd(5), 3];
    const resp = (lo: number) => [...prompt, ...Array.from({ length: 2 + rnd(3) }, () => lo + rnd(10)), 0];
    return {
      id: `toy ${i}`,
      sequences: [resp(10), resp(20), resp(20)],
      pairs: [
        [0, 1],
        [0, 2],
      ] as [number, number][],
      promptLength: prompt.length,
      source: `toy.jsonl:${i + 1}`,
    };
  });
}

const toyConfig = (o: Partial<DpoConfig> = {}) =>
  dpoConfig(
    { steps: 24, batchSize: 8, microBatchSize: 4, lr: 3e-3, warmupSteps: 0, logEvery: 4, evalEvery: 0, ...o },
    DPO_QUICK,
  );

describe("train/dpo: training", function () {
  this.timeout(120000);
  before(setup);

  it("starts at loss log 2 with zero margins, and learns to prefer chosen; the reference never changes", async () => {
    const tok = testTokenizer();
    const reference = tinyModel(1);
    const before = [...reference.params.values()].map((w) => w.dataSync().slice());
    const model = reference.clone();
    const train = toyGroups(32);
    const refs = train.map((g, i) => ({
      ...g,
      refLogps: referenceLogps(reference, train, tok.special.pad)[i],
    }));
    const start = pairEval(model, refs, tok.special.pad, PAIR_OBJECTIVES.sigmoid, toyConfig());
    near(start.loss, Math.log(2), 1e-4);
    near(start.margin, 0, 1e-4);
    const run = await trainDpo({ model, reference, tokenizer: tok, train, config: toyConfig() });
    const last = run.metrics[run.metrics.length - 1];
    assert.ok(last["rewards/accuracies"]! > 0.9, `accuracy ${last["rewards/accuracies"]}`);
    assert.ok(last["rewards/margins"]! > 0.5, `margin ${last["rewards/margins"]}`);
    assert.ok(last.loss! < 0.5 * Math.log(2), `loss ${last.loss}`);
    const after = [...reference.params.values()].map((w) => w.dataSync());
    before.forEach((w, i) => assert.equal(maxAbsDiff(w, after[i]), 0));
    const moved = [...model.params.values()].map((w, i) => maxAbsDiff(w.dataSync(), before[i]) > 0);
    assert.ok(moved.every(Boolean), "every parameter moves");
  });

  for (const loss of ["ipo", "hinge", "simpo", "cdpo", "kto", "orpo"] as const)
    it(`${loss} also learns to prefer chosen`, async () => {
      const beta = loss === "simpo" ? 2 : loss === "ipo" ? 0.5 : 0.1;
      const run = await trainDpo({
        model: tinyModel(1),
        reference: tinyModel(1),
        tokenizer: testTokenizer(),
        train: toyGroups(32),
        config: toyConfig({ loss, beta, labelSmoothing: loss === "cdpo" ? 0.1 : 0 }),
      });
      assert.ok(run.metrics[run.metrics.length - 1]["rewards/accuracies"]! > 0.8);
    });

  it("gives the same curve for the same seed, and resumes an interrupted run exactly", async () => {
    const tok = testTokenizer();
    const go = async (o: Partial<DpoConfig>, dirs: { checkpointDir?: string; resumeFrom?: string } = {}) =>
      trainDpo({
        model: tinyModel(1),
        reference: tinyModel(1),
        tokenizer: tok,
        train: toyGroups(32),
        config: toyConfig(o),
        ...dirs,
      });
    const a = await go({ steps: 16 });
    const b = await go({ steps: 16 });
    assert.deepEqual(
      a.metrics.map((m) => m.loss),
      b.metrics.map((m) => m.loss),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dpo-"));
    await go({ steps: 8, checkpointEvery: 8, decaySteps: 16 }, { checkpointDir: dir });
    const resumed = await go({ steps: 16 }, { resumeFrom: dir });
    assert.deepEqual(
      resumed.metrics.filter((m) => m.step > 8).map((m) => m.loss),
      a.metrics.filter((m) => m.step > 8).map((m) => m.loss),
    );
  });

  it("leaks no tensors across steps", async () => {
    const counts: number[] = [];
    await trainDpo({
      model: tinyModel(1),
      reference: tinyModel(1),
      tokenizer: testTokenizer(),
      train: toyGroups(32),
      config: toyConfig({ steps: 12, logEvery: 1 }),
      progress: { tick: () => void counts.push(tf.memory().numTensors), done: () => {} },
    });
    assert.equal(counts[counts.length - 1], counts[2], `tensor counts ${counts.join(" ")}`);
  });

  it("refuses identical chosen and rejected, another tokenizer or vocabulary, before the first step", async () => {
    const tok = testTokenizer();
    const base = { model: tinyModel(1), reference: tinyModel(1), tokenizer: tok, config: toyConfig() };
    const same = toyGroups(32);
    same[5] = { ...same[5], pairs: [[1, 1]] };
    await assert.rejects(
      trainDpo({ ...base, train: same }),
      /toy.jsonl:6: a pair's chosen and rejected responses are the same text/,
    );
    const other = { toJSON: () => ({ other: true }) } as unknown as typeof tok;
    await assert.rejects(
      trainDpo({ ...base, train: toyGroups(32), referenceTokenizer: other }),
      /reference's tokenizer differs/,
    );
    await assert.rejects(
      trainDpo({ ...base, train: toyGroups(32), reference: tinyModel(1, { vocabSize: 320 }) }),
      /reference has a vocabulary of 320 tokens, the policy 300/,
    );
    await assert.rejects(
      trainDpo({ ...base, train: toyGroups(32), config: { ...toyConfig(), beta: 0 } }),
      /must be > 0/,
    );
  });
});
