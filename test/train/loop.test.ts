import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tf } from "../../src/backend";
import { loadCheckpoint } from "../../src/model/checkpoint";
import { generate } from "../../src/model/generate";
import type { GPT } from "../../src/model/gpt";
import {
  accumulateGradients,
  LOOP_DEFAULTS,
  LOOP_SPEC,
  LoopConfig,
  Objective,
  resolveLoopConfig,
  scheduleChanges,
  trainLoop,
} from "../../src/train/loop";
import { LMBatch, lmObjective, randomWindows, weightedNll } from "../../src/train/lm";
import { TrainRow, unregisteredKeys } from "../../src/metrics";
import { maxAbsDiff, setup, tinyModel } from "../helpers";

// Each sentence is fully determined by its first character, so the loss floor is 0.
const SENTENCES = Array.from(
  { length: 20 },
  (_, i) => `${String.fromCharCode(97 + i)}: the ${["cat", "dog", "owl", "fox"][i % 4]} sat on ${i} mats.`,
);
/** Bytes + 6 as token ids (the tokenizer's byte block starts after 6 specials). */
const encode = (s: string) => Array.from(Buffer.from(s)).map((b) => b + 6);
const T = 32;

/** One row per sentence, right-padded, loss only on real next tokens. */
function sentenceBatch(rows: string[]): LMBatch {
  const tokens = new Int32Array(rows.length * T);
  const weights = new Float32Array(rows.length * (T - 1));
  rows.forEach((s, b) => {
    const ids = encode(s);
    tokens.set(ids, b * T);
    for (let t = 0; t < ids.length - 1; t++) weights[b * (T - 1) + t] = 1;
  });
  return { tokens, weights, B: rows.length, T };
}

const stream = new Int32Array(SENTENCES.flatMap(encode));
const cfg = (over: Partial<LoopConfig> = {}): LoopConfig => ({
  ...LOOP_DEFAULTS,
  steps: 10,
  lr: 3e-3,
  warmupSteps: 2,
  logEvery: 1,
  ...over,
});
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "tl-loop-"));

describe("train/loop", () => {
  before(setup);

  it("overfits 20 sentences to near-zero loss", async function () {
    this.timeout(120000);
    const m = tinyModel(1, { dModel: 64, nHeads: 4 });
    const run = await trainLoop({
      method: "test",
      model: m,
      config: cfg({ steps: 150, lr: 1e-2, warmupSteps: 10, weightDecay: 0, logEvery: 25 }),
      objective: lmObjective(m),
      batches: () => [sentenceBatch(SENTENCES)],
    });
    const last = run.metrics[run.metrics.length - 1].loss;
    assert.ok(last < 0.1, `final loss ${last}`);
    m.dispose();
  });

  it("moves every parameter and lowers the loss, logging only registered metric names", async () => {
    const m = tinyModel();
    const before = new Map([...m.params].map(([k, v]) => [k, v.dataSync().slice()]));
    const run = await trainLoop({
      method: "test",
      model: m,
      config: cfg(),
      objective: lmObjective(m),
      batches: (s, rng) => [randomWindows(stream, 4, T, rng)],
    });
    for (const [k, v] of m.params)
      assert.ok(maxAbsDiff(before.get(k)!, v.dataSync()) > 0, `${k} did not move`);
    assert.ok(run.metrics[9].loss < run.metrics[0].loss);
    for (const row of run.metrics) assert.deepStrictEqual(unregisteredKeys(row), []);
    m.dispose();
  });

  it("accumulates 4 micro-batches into the gradient of 1 batch (to 1e-5)", () => {
    const m = tinyModel();
    const big = sentenceBatch(SENTENCES.slice(0, 8));
    const micros = [0, 2, 4, 6].map((i) => sentenceBatch(SENTENCES.slice(i, i + 2)));
    const one = accumulateGradients(m, lmObjective(m), [big]);
    const four = accumulateGradients(m, lmObjective(m), micros);
    assert.ok(Math.abs(one.loss - four.loss) < 1e-5);
    for (const [k, g] of one.grads)
      assert.ok(maxAbsDiff(g.dataSync(), four.grads.get(k)!.dataSync()) < 1e-5, k);
    tf.dispose([...one.grads.values(), ...four.grads.values()]);
    m.dispose();
  });

  it("leaks no tensors: the count after step 10 equals the count after step 2", async () => {
    const m = tinyModel();
    const counts: number[] = [];
    await trainLoop({
      method: "test",
      model: m,
      config: cfg(),
      objective: lmObjective(m),
      batches: (s, rng) => [randomWindows(stream, 4, T, rng)],
      progress: {
        tick: () => {
          counts.push(tf.memory().numTensors);
        },
        done: () => {},
      },
    });
    assert.strictEqual(counts[9], counts[1]);
    m.dispose();
  });

  it("gives identical losses for the same seed", async () => {
    const losses = async () => {
      const m = tinyModel();
      const run = await trainLoop({
        method: "test",
        model: m,
        config: cfg({ seed: 5 }),
        objective: lmObjective(m),
        batches: (s, rng) => [randomWindows(stream, 4, T, rng)],
      });
      m.dispose();
      return run.metrics.map((r) => r.loss);
    };
    assert.deepStrictEqual(await losses(), await losses());
  });

  it("resumes from a checkpoint and continues the same loss curve", async () => {
    const dir = tmp();
    const batches = (s: number, rng: import("../../src/random").Rng) => [randomWindows(stream, 4, T, rng)];
    const a = tinyModel();
    const straight = await trainLoop({
      method: "test",
      model: a,
      config: cfg(),
      objective: lmObjective(a),
      batches,
    });
    const b = tinyModel();
    let ticks = 0;
    await trainLoop({
      method: "test",
      model: b,
      config: cfg({ steps: 10, checkpointEvery: 5 }),
      objective: lmObjective(b),
      batches,
      checkpointDir: path.join(dir, "ck"),
      progress: {
        tick: () => {
          if (++ticks === 6) throw new Error("interrupted");
        },
        done: () => {},
      },
    }).catch((e) => assert.match(String(e), /interrupted/));
    const c = tinyModel(99); // different init: everything must come from the checkpoint
    const resumed = await trainLoop({
      method: "test",
      model: c,
      config: cfg(),
      objective: lmObjective(c),
      batches,
      resumeFrom: path.join(dir, "ck"),
    });
    assert.deepStrictEqual(
      resumed.metrics.map((r) => r.step),
      straight.metrics.map((r) => r.step),
    );
    assert.ok(
      maxAbsDiff(
        resumed.metrics.map((r) => r.loss),
        straight.metrics.map((r) => r.loss),
      ) < 1e-5,
    );
    [a, b, c].forEach((m) => m.dispose());
  });

  it("stops on a NaN loss, naming the step and the last good checkpoint", async () => {
    const dir = tmp();
    const m = tinyModel();
    const lm = lmObjective(m);
    const poisoned: Objective<LMBatch & { nan: boolean }> = {
      ...lm,
      loss: (b, n) => (b.nan ? tf.mul(lm.loss(b, n), NaN) : lm.loss(b, n)),
    };
    await assert.rejects(
      trainLoop({
        method: "test",
        model: m,
        config: cfg({ checkpointEvery: 3 }),
        objective: poisoned,
        checkpointDir: path.join(dir, "ck"),
        batches: (s, rng) => [{ ...randomWindows(stream, 2, T, rng), nan: s === 4 }],
      }),
      (e: Error) => /loss is NaN at step 4/.test(e.message) && e.message.includes(path.join(dir, "ck")),
    );
    m.dispose();
  });

  it("refuses an empty training set and a batch whose loss masks are all zero", () => {
    const m = tinyModel();
    assert.throws(() => accumulateGradients(m, lmObjective(m), []), /training set is empty/);
    const b = sentenceBatch(SENTENCES.slice(0, 2));
    b.weights.fill(0);
    assert.throws(() => accumulateGradients(m, lmObjective(m), [b]), /every loss weight in its batch is 0/);
    m.dispose();
  });

  it("writes a loadable final checkpoint with the run record", async () => {
    const dir = path.join(tmp(), "ck");
    const m = tinyModel();
    const run = await trainLoop({
      method: "test",
      model: m,
      config: cfg({ steps: 3 }),
      objective: lmObjective(m),
      batches: (s, rng) => [randomWindows(stream, 2, T, rng)],
      checkpointDir: dir,
    });
    const ck = loadCheckpoint(dir);
    assert.strictEqual(ck.step, 3);
    assert.strictEqual(ck.run!.metrics.length, run.metrics.length);
    assert.strictEqual(run.checkpoint, dir);
    ck.model.dispose();
    m.dispose();
  });
});

describe("train/loop: schedule on resume, evalAtStart, rollouts", () => {
  before(setup);
  const batches = (s: number, rng: import("../../src/random").Rng) => [randomWindows(stream, 4, T, rng)];

  it("writes decaySteps out (default steps, following steps when a base tracked them) and checks batch sizes", () => {
    const spec = { ...LOOP_SPEC };
    assert.strictEqual(resolveLoopConfig("C", LOOP_DEFAULTS, spec).decaySteps, LOOP_DEFAULTS.steps);
    const base = resolveLoopConfig("C", LOOP_DEFAULTS, spec, { steps: 60 });
    assert.strictEqual(resolveLoopConfig("C", base, spec, { steps: 120 }).decaySteps, 120);
    const fixed = resolveLoopConfig("C", base, spec, { decaySteps: 50 });
    assert.strictEqual(resolveLoopConfig("C", fixed, spec, { steps: 120 }).decaySteps, 50);
    assert.throws(
      () => resolveLoopConfig("C", LOOP_DEFAULTS, spec, { batchSize: 10, microBatchSize: 4 }),
      /C: batchSize 10 is not a multiple of microBatchSize 4/,
    );
    assert.deepStrictEqual(
      scheduleChanges(
        { steps: 1100, lr: 2e-3, warmupSteps: 100, minLrRatio: 0.1 },
        { steps: 1600, decaySteps: 1100, lr: 2e-3, warmupSteps: 100, minLrRatio: 0.1 },
      ),
      [],
    );
    assert.deepStrictEqual(
      scheduleChanges({ steps: 1100, lr: 2e-3 }, { steps: 1600, decaySteps: 1600, lr: 1e-3 }),
      ["lr 0.002 → 0.001", "decaySteps 1100 → 1600"],
    );
  });

  it("refuses to resume with a changed schedule unless allowed, and resumes a longer run on the same schedule", async () => {
    const dir = tmp();
    const ck = path.join(dir, "ck");
    const a = tinyModel();
    await trainLoop({
      method: "test",
      model: a,
      config: cfg({ steps: 6, checkpointEvery: 3 }),
      objective: lmObjective(a),
      batches,
      checkpointDir: ck,
    });
    const b = tinyModel();
    await assert.rejects(
      trainLoop({
        method: "test",
        model: b,
        config: cfg({ steps: 8 }),
        objective: lmObjective(b),
        batches,
        resumeFrom: ck,
      }),
      /run\.json: resuming would change the learning-rate schedule .*\(decaySteps 6 → 8\).*--decay-steps 6.*--allow-schedule-change/,
    );
    await assert.rejects(
      trainLoop({
        method: "test",
        model: b,
        config: cfg({ steps: 6, lr: 1e-3 }),
        objective: lmObjective(b),
        batches,
        resumeFrom: ck,
      }),
      /lr 0\.003 → 0\.001/,
    );
    // A changed seed or batch is refused even when the schedule may change: it would splice two runs.
    await assert.rejects(
      trainLoop({
        method: "test",
        model: b,
        config: cfg({ steps: 6, seed: 9, batchSize: 4, microBatchSize: 2 }),
        objective: lmObjective(b),
        batches,
        resumeFrom: ck,
        allowScheduleChange: true,
      }),
      /run\.json: resuming would change seed \d+ → 9, batchSize \d+ → 4, microBatchSize \d+ → 2: .*start a new run without --resume/,
    );
    const same = await trainLoop({
      method: "test",
      model: b,
      config: cfg({ steps: 8, decaySteps: 6 }),
      objective: lmObjective(b),
      batches,
      resumeFrom: ck,
    });
    assert.deepStrictEqual(
      same.metrics.slice(6).map((r) => r.lr),
      [cfg().lr * cfg().minLrRatio, cfg().lr * cfg().minLrRatio],
    );
    assert.strictEqual(same.config.decaySteps, 6);
    const c = tinyModel();
    const restarted = await trainLoop({
      method: "test",
      model: c,
      config: cfg({ steps: 8 }),
      objective: lmObjective(c),
      batches,
      resumeFrom: ck,
      allowScheduleChange: true,
    });
    assert.strictEqual(restarted.config.decaySteps, 8);
    [a, b, c].forEach((m) => m.dispose());
  });

  it("evaluates before the first step with evalAtStart, but not again on resume", async () => {
    const dir = tmp();
    const m = tinyModel();
    const seen: number[] = [];
    const evaluate = (step: number) => {
      seen.push(step);
      return { "val/loss": step };
    };
    const run = await trainLoop({
      method: "test",
      model: m,
      config: cfg({ steps: 4, evalAtStart: true, checkpointEvery: 2 }),
      objective: lmObjective(m),
      batches,
      evaluate,
      checkpointDir: path.join(dir, "ck"),
    });
    assert.deepStrictEqual(
      run.evals.map((r) => r.step),
      [0, 4],
    );
    const resumed = await trainLoop({
      method: "test",
      model: m,
      config: cfg({ steps: 4, evalAtStart: true }),
      objective: lmObjective(m),
      batches,
      evaluate,
      resumeFrom: path.join(dir, "ck"),
    });
    assert.deepStrictEqual(
      resumed.evals.map((r) => r.step),
      [0, 4],
    );
    assert.deepStrictEqual(seen, [0, 4]);
    m.dispose();
  });

  it("runs an on-policy objective (rollouts from the current policy) and resumes it exactly", async () => {
    // A one-token bandit: sample a token after <|bos|> from the policy; reward 1 for even ids.
    // REINFORCE: loss = −Σ (r − mean r) log π(token) / n, the weights of an LMBatch.
    const N = 16;
    const rollout = (step: number, rng: import("../../src/random").Rng, model: GPT) => {
      const g = generate(
        model,
        Array.from({ length: N }, () => [1]),
        { maxNewTokens: 1, temperature: 1, seed: rng.uint32(), stopTokens: [] },
      );
      const tokens = g.tokens.map((t) => t[0]);
      const rewards: number[] = tokens.map((t) => (t % 2 === 0 ? 1 : 0));
      return {
        samples: { tokens, rewards },
        metrics: { "objective/scores": rewards.reduce((a, b) => a + b, 0) / N },
      };
    };
    const onPolicy: Objective<LMBatch> = {
      loss: (b, n) => tf.tidy(() => tf.div(weightedNll(lmModel!, b), n) as tf.Scalar),
      normalizer: (micros) => micros.reduce((n, b) => n + b.B, 0),
      tokens: (b) => b.B * b.T,
    };
    let lmModel: GPT | undefined;
    const toBatch = (_s: number, _rng: unknown, r: { tokens: number[]; rewards: number[] }): LMBatch[] => {
      const mean = r.rewards.reduce((a, b) => a + b, 0) / N;
      return [
        {
          tokens: Int32Array.from(r.tokens.flatMap((t) => [1, t])),
          weights: Float32Array.from(r.rewards.map((x) => x - mean)),
          B: N,
          T: 2,
        },
      ];
    };
    const config = cfg({ steps: 12, lr: 1e-2, warmupSteps: 1, checkpointEvery: 4 });
    const view = (rows: readonly TrainRow[]) => rows.map(({ tokens_per_s: _t, elapsed_s: _e, ...r }) => r);
    const a = tinyModel();
    lmModel = a;
    const straight = await trainLoop({
      method: "test",
      model: a,
      config,
      objective: onPolicy,
      rollout,
      batches: toBatch,
    });
    const dir = tmp();
    const b = tinyModel();
    lmModel = b;
    let ticks = 0;
    await trainLoop({
      method: "test",
      model: b,
      config,
      objective: onPolicy,
      rollout,
      batches: toBatch,
      checkpointDir: path.join(dir, "ck"),
      progress: {
        tick: () => {
          if (++ticks === 7) throw new Error("interrupted");
        },
        done: () => {},
      },
    }).catch((e) => assert.match(String(e), /interrupted/));
    const c = tinyModel(99);
    lmModel = c;
    const resumed = await trainLoop({
      method: "test",
      model: c,
      config,
      objective: onPolicy,
      rollout,
      batches: toBatch,
      resumeFrom: path.join(dir, "ck"),
    });
    assert.deepStrictEqual(
      view(resumed.metrics),
      view(straight.metrics),
      "the resumed run's metrics equal the uninterrupted run's",
    );
    const scores = straight.metrics.map((r) => r["objective/scores"]!);
    assert.ok(
      scores.every((s) => s >= 0 && s <= 1) && new Set(scores).size > 1,
      "rollouts are logged and differ between steps",
    );
    for (const row of straight.metrics) assert.deepStrictEqual(unregisteredKeys(row), []);
    [a, b, c].forEach((m) => m.dispose());
  });
});
