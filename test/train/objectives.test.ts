import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tf } from "../../src/backend";
import { labelGroups, type PairGroup } from "../../src/data/preference";
import { readLabelJsonl } from "../../src/data/sft-data";
import { DPO_QUICK, dpoConfig, trainDpo } from "../../src/train/dpo";
import {
  LabelledLogps,
  LossParams,
  OBJECTIVE_DEFAULTS,
  PAIR_LOSSES,
  PAIR_OBJECTIVES,
  PairLogps,
} from "../../src/train/objectives";
import { setup, testTokenizer, tinyModel } from "../helpers";

const near = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const t = (xs: number[]) => tf.tensor1d(xs);
const noPairs = (): PairLogps => ({
  policyChosen: t([]),
  policyRejected: t([]),
  refChosen: t([]),
  refRejected: t([]),
  lenChosen: t([]),
  lenRejected: t([]),
});
const params = (o: Partial<LossParams> = {}): LossParams => ({ ...OBJECTIVE_DEFAULTS, beta: 0.5, ...o });
const labelled = (
  policy: number[],
  ref: number[],
  desirable: number[],
  mismatchedKl: number,
): LabelledLogps => ({
  policy: t(policy),
  ref: t(ref),
  len: t(policy.map(() => 3)),
  desirable: t(desirable),
  mismatchedKl,
});
const kto = (l: LabelledLogps, c = params()) =>
  Array.from(PAIR_OBJECTIVES.kto.loss({ pairs: noPairs(), labelled: l }, c).dataSync());

describe("train/objectives: KTO (Ethayarajh et al. 2024)", () => {
  before(setup);

  it("has the paper's value for a desirable and an undesirable response", () => {
    // r = π − ρ: 0.5 (desirable) and −1 (undesirable); z₀ = 0.2; β = 0.5.
    const [d, u] = kto(labelled([-2, -3], [-2.5, -2], [1, 0], 0.2));
    near(d, 1 - sigmoid(0.5 * (0.5 - 0.2)));
    near(u, 1 - sigmoid(0.5 * (0.2 + 1)));
    // λ_D and λ_U weigh each kind.
    const [d2, u2] = kto(
      labelled([-2, -3], [-2.5, -2], [1, 0], 0.2),
      params({ desirableWeight: 2, undesirableWeight: 0.5 }),
    );
    near(d2, 2 * d);
    near(u2, 0.5 * u);
  });

  it("clamps the reference point z₀ at 0", () => {
    const [d] = kto(labelled([-2], [-2.5], [1], -0.7));
    near(d, 1 - sigmoid(0.5 * 0.5));
  });

  it("takes no gradient through z₀: the gradient is λβσ(1−σ) at the response alone", () => {
    const z = 0.2;
    const [g] = tf.grads((p: tf.Tensor) =>
      PAIR_OBJECTIVES.kto.loss(
        { pairs: noPairs(), labelled: { ...labelled([0], [-0.5], [1], z), policy: p as tf.Tensor1D } },
        params(),
      ),
    )([t([-2])]);
    const s = sigmoid(0.5 * (-2 + 0.5 - z));
    near(g.dataSync()[0], -0.5 * s * (1 - s));
  });

  it("refuses a knob of another loss, a negative weight, and microBatchSize 1", () => {
    assert.throws(() => dpoConfig({ desirableWeight: 2 }), /read by loss "kto" only \(loss is "sigmoid"\)/);
    assert.throws(
      () => dpoConfig({ loss: "kto", undesirableWeight: -1 }),
      /undesirableWeight = -1 is below the minimum/,
    );
    assert.throws(
      () => dpoConfig({ loss: "kto", microBatchSize: 1, batchSize: 4 }),
      /use microBatchSize ≥ 2/,
    );
    assert.throws(
      () => dpoConfig({ loss: "kto", sftWeight: 0.1 }),
      /learns from labelled responses, not pairs/,
    );
  });

  it("trains on a batch of desirable responses only: the loss falls and no pair metric is made up", async function () {
    this.timeout(120000);
    const tok = testTokenizer();
    const reference = tinyModel(2);
    const model = reference.clone();
    const train: PairGroup[] = Array.from({ length: 16 }, (_, i) => ({
      id: `d${i}`,
      sequences: [[1, 2 + (i % 5), 3, 10 + (i % 7), 11, 0]],
      pairs: [],
      labels: [1],
      promptLength: 3,
      source: `toy.jsonl:${i + 1}`,
    }));
    const c = dpoConfig(
      {
        loss: "kto",
        steps: 12,
        batchSize: 8,
        microBatchSize: 4,
        lr: 3e-3,
        warmupSteps: 0,
        logEvery: 2,
        evalEvery: 0,
      },
      DPO_QUICK,
    );
    const run = await trainDpo({ model, reference, tokenizer: tok, train, config: c });
    const [first, last] = [run.metrics[0], run.metrics[run.metrics.length - 1]];
    assert.ok(last.loss! < first.loss!, `loss ${first.loss} → ${last.loss}`);
    assert.ok(Number.isFinite(last.loss!));
    assert.equal(last["rewards/accuracies"], undefined, "no pairs, no accuracy");
  });
});

describe("train/objectives: ORPO (Hong et al. 2024)", () => {
  before(setup);
  const orpo = (lc: number, lr: number, lambda = 0.1) => {
    // Summed log-probs over 2 tokens, so ℓ = mean per token = lc, lr.
    const p: PairLogps = {
      policyChosen: t([2 * lc]),
      policyRejected: t([2 * lr]),
      refChosen: t([0]),
      refRejected: t([0]),
      lenChosen: t([2]),
      lenRejected: t([2]),
    };
    return PAIR_LOSSES.orpo(p, { beta: 0.1, orpoLambda: lambda }).dataSync()[0];
  };

  it("is the chosen NLL plus λ times −log σ of the log odds ratio, at hand-computed values", () => {
    // p_c = 0.5 (odds 1), p_r = 0.2 (odds 1/4): log odds ratio log 4, −log σ(log 4) = log 1.25.
    near(orpo(Math.log(0.5), Math.log(0.2)), Math.log(2) + 0.1 * Math.log(1.25), 1e-5);
    near(orpo(Math.log(0.5), Math.log(0.2), 1), Math.log(2) + Math.log(1.25), 1e-5);
    // Equal odds: −log σ(0) = log 2.
    near(orpo(Math.log(0.3), Math.log(0.3)), -Math.log(0.3) + 0.1 * Math.log(2), 1e-5);
  });

  it("raises the chosen response and lowers the rejected one, and never reads the reference", () => {
    const base = {
      refChosen: t([0]),
      refRejected: t([0]),
      lenChosen: t([2]),
      lenRejected: t([2]),
    };
    const [gc, gr] = tf.grads((c: tf.Tensor, r: tf.Tensor) =>
      PAIR_LOSSES.orpo(
        { ...base, policyChosen: c as tf.Tensor1D, policyRejected: r as tf.Tensor1D },
        { beta: 0.1, orpoLambda: 0.5 },
      ),
    )([t([-2]), t([-2])]);
    assert.ok(gc.dataSync()[0] < 0 && gr.dataSync()[0] > 0);
    assert.equal(PAIR_OBJECTIVES.orpo.reference, false);
    near(orpo(-1, -2), orpo(-1, -2)); // deterministic
    assert.ok(Number.isFinite(orpo(-1e-9, -3)), "a response the model is sure of has a finite odds");
  });

  it("refuses λ < 0 with the field, its range and the fix", () => {
    assert.throws(
      () => dpoConfig({ loss: "orpo", orpoLambda: -0.1 }),
      /orpoLambda = -0.1 is below the minimum 0/,
    );
    assert.throws(() => dpoConfig({ orpoLambda: 0.5 }), /read by loss "orpo" only/);
  });
});

describe("data: unpaired labels (TRL's KTO format)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labels-"));
  const write = (lines: unknown[]) => {
    const f = path.join(dir, `l${Math.random().toString(36).slice(2)}.jsonl`);
    fs.writeFileSync(f, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    return f;
  };

  it("reads prompt, completion and a true/false label, and groups them by prompt with pairs for the metrics", () => {
    const f = write([
      { prompt: "Opposite of hot?", completion: "cold", label: true },
      { prompt: "Opposite of hot?", completion: "warm", label: false },
      { prompt: "Opposite of wet?", completion: "dry", label: true },
    ]);
    const rs = readLabelJsonl(f);
    assert.deepEqual(
      rs.map((r) => r.label),
      [true, false, true],
    );
    const gs = labelGroups(testTokenizer(), rs, 64);
    assert.equal(gs.length, 2);
    assert.deepEqual(gs[0].labels, [1, -1]);
    assert.deepEqual(gs[0].pairs, [[0, 1]]);
    assert.deepEqual(gs[1].pairs, []);
  });

  it("names file:line, the field and the fix for an unknown label or a prompt without a response", () => {
    const bad = write([
      { prompt: "Opposite of hot?", completion: "cold", label: "good" },
      { prompt: "Opposite of wet?", label: true },
    ]);
    assert.throws(
      () => readLabelJsonl(bad),
      (e: Error) =>
        /l\w+\.jsonl:1: field label: "good" is not a label; write true \(desirable\) or false \(undesirable\)/.test(
          e.message,
        ) && /\.jsonl:2: missing "completion"/.test(e.message),
    );
  });
});
