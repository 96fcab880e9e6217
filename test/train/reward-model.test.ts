import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tf } from "../../src/backend";
import { PreferenceRecord, readPreferenceJsonl, writePreferenceJsonl } from "../../src/data/sft-data";
import { groupAccuracy, pairFileAccuracy, RM_QUICK, rewardConfig, trainReward } from "../../src/train/reward";
import {
  endScores,
  loadRewardModel,
  normaliseRewards,
  rewardModel,
  saveRewardModel,
  scoreGroups,
} from "../../src/model/reward-model";
import { maxAbsDiff, setup, testTokenizer, tinyModel } from "../helpers";
import { pairGroups } from "../../src/data/preference";

const WORDS = ["hot", "cold", "up", "down", "wet", "dry", "big", "small", "fast", "slow", "old", "new"];

/** Toy preferences: the right antonym beats a wrong word, for every prompt. */
function toyPairs(): PreferenceRecord[] {
  const out: PreferenceRecord[] = [];
  for (let i = 0; i < WORDS.length; i += 2) {
    const [w, a] = [WORDS[i], WORDS[i + 1]];
    for (const wrong of WORDS.filter((x) => x !== a).slice(0, 3))
      out.push({
        prompt: [{ role: "user", content: `What is the opposite of ${w}?` }],
        chosen: [{ role: "assistant", content: a }],
        rejected: [{ role: "assistant", content: `${wrong} and more` }],
        meta: { prompt_id: `p${i}`, gold_chosen: 1, gold_rejected: 0 },
      });
  }
  return out;
}

const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rm-")), name);

describe("train/reward: the reward model", () => {
  before(setup);

  it("keeps the pairs of one prompt in one group, each distinct response scored once", () => {
    const tok = testTokenizer();
    const groups = pairGroups(tok, toyPairs(), 32);
    assert.equal(groups.length, WORDS.length / 2);
    for (const g of groups) {
      assert.equal(g.pairs.length, 3);
      assert.equal(g.sequences.length, 4, "one chosen answer and three rejected ones");
      assert.ok(g.pairs.every(([c]) => c === 0));
    }
  });

  it("counts a pair that does not fit once, even when both its responses are too long", () => {
    const tok = testTokenizer();
    const long = "more ".repeat(40);
    const [p] = toyPairs();
    const both = {
      ...p,
      chosen: [{ role: "assistant" as const, content: long }],
      rejected: [{ role: "assistant" as const, content: long + "x" }],
      source: "pairs.jsonl:7",
    };
    assert.throws(
      () => pairGroups(tok, [both], 32),
      /^Error: 1 preference pair\(s\) do not fit the model:\npairs\.jsonl:7: [^\n]*$/,
    );
  });

  it("reads the score at the last token: the end token, or the last word of a truncated answer", () => {
    const tok = testTokenizer();
    const [p] = toyPairs();
    const ended = pairGroups(tok, [p], 32)[0].sequences[0];
    const cut = pairGroups(tok, [{ ...p, meta: { ...p.meta, chosen_truncated: true } }], 32)[0].sequences[0];
    assert.equal(ended[ended.length - 1], tok.special.eos);
    assert.deepEqual(cut, ended.slice(0, -1));
  });

  it("scores a response the same alone and in a padded batch of 16 (padding is ignored)", () => {
    const tok = testTokenizer();
    const gpt = tinyModel(3).withScalarHead();
    // Give the head weights, so scores differ between rows; both terms of the score are read.
    gpt.params.get("score.w")!.assign(tf.randomNormal([32, 1], 0, 1, "float32", 7));
    const rm = rewardModel(gpt, 1);
    const groups = pairGroups(tok, toyPairs(), 32);
    const rows = groups.flatMap((g) => g.sequences).slice(0, 16);
    const starts = groups.flatMap((g) => g.sequences.map(() => g.promptLength)).slice(0, 16);
    const batch = endScores(rm, rows, starts, tok.special.pad).dataSync();
    const alone = rows.map((r, i) => endScores(rm, [r], [starts[i]], tok.special.pad).dataSync()[0]);
    assert.ok(new Set(rows.map((r) => r.length)).size > 1, "rows of different lengths");
    assert.ok(maxAbsDiff(batch, alone) < 1e-5, `batch vs alone differ by ${maxAbsDiff(batch, alone)}`);
  });

  it("learns toy preferences, and the same seed gives the same reward model", async function () {
    this.timeout(120000);
    const tok = testTokenizer();
    const groups = pairGroups(tok, toyPairs(), 32);
    const cfg = rewardConfig(
      { steps: 30, batchSize: 2, microBatchSize: 1, lr: 3e-3, logEvery: 10 },
      RM_QUICK,
    );
    const train = async () => {
      const model = tinyModel(1).withScalarHead();
      const run = await trainReward({ model, tokenizer: tok, train: groups, config: cfg });
      return { rm: rewardModel(model, cfg.likelihoodWeight), run };
    };
    const a = await train();
    const untrained = rewardModel(tinyModel(1).withScalarHead(), cfg.likelihoodWeight);
    const before = groupAccuracy(groups, scoreGroups(untrained, groups, tok.special.pad));
    const after = groupAccuracy(groups, scoreGroups(a.rm, groups, tok.special.pad));
    assert.ok(before.accuracy < 0.7, `untrained accuracy ${before.accuracy}`);
    assert.equal(after.accuracy, 1, `trained accuracy ${after.accuracy}`);
    const last = a.run.metrics[a.run.metrics.length - 1];
    for (const k of ["rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies"] as const)
      assert.ok(Number.isFinite(last[k]), `${k} is logged`);
    assert.ok(last["rewards/margins"]! > 0);
    const b = await train();
    assert.deepEqual(
      a.run.metrics.map((m) => m.loss),
      b.run.metrics.map((m) => m.loss),
    );
    const w = (x: typeof a) => x.rm.model.params.get("score.w")!.dataSync();
    assert.equal(maxAbsDiff(w(a), w(b)), 0);
  });

  it("resumes an interrupted run exactly: the same losses and the same reward model", async function () {
    this.timeout(120000);
    const tok = testTokenizer();
    const groups = pairGroups(tok, toyPairs(), 32);
    const cfg = rewardConfig(
      { steps: 8, batchSize: 2, microBatchSize: 1, lr: 3e-3, logEvery: 1, checkpointEvery: 4 },
      RM_QUICK,
    );
    const straight = tinyModel(1).withScalarHead();
    const a = await trainReward({ model: straight, tokenizer: tok, train: groups, config: cfg });
    const dir = tmp("ck");
    let ticks = 0;
    await trainReward({
      model: tinyModel(1).withScalarHead(),
      tokenizer: tok,
      train: groups,
      config: cfg,
      checkpointDir: dir,
      progress: {
        tick: () => {
          if (++ticks === 6) throw new Error("interrupted");
        },
        done: () => {},
      },
    }).catch((e) => assert.match(String(e), /interrupted/));
    const resumedModel = tinyModel(9).withScalarHead(); // another init: everything must come from the checkpoint
    const b = await trainReward({
      model: resumedModel,
      tokenizer: tok,
      train: groups,
      config: cfg,
      resumeFrom: dir,
    });
    assert.deepEqual(
      b.metrics.map((m) => m.loss),
      a.metrics.map((m) => m.loss),
    );
    assert.equal(
      maxAbsDiff(resumedModel.params.get("score.w")!.dataSync(), straight.params.get("score.w")!.dataSync()),
      0,
    );
  });

  it("normalises scores to mean 0 and std 1 without changing their order", () => {
    const tok = testTokenizer();
    const gpt = tinyModel(2).withScalarHead();
    gpt.params.get("score.w")!.assign(tf.randomNormal([32, 1], 0, 1, "float32", 1));
    gpt.params.get("score.b")!.assign(tf.tensor1d([3]));
    const rm = rewardModel(gpt, 0.5);
    const groups = pairGroups(tok, toyPairs(), 32);
    const before = scoreGroups(rm, groups, tok.special.pad).flat();
    normaliseRewards(rm, before);
    const after = scoreGroups(rm, groups, tok.special.pad).flat();
    const m = after.reduce((s: number, x: number) => s + x, 0) / after.length;
    const sd = Math.sqrt(after.reduce((s: number, x: number) => s + (x - m) ** 2, 0) / (after.length - 1));
    assert.ok(Math.abs(m) < 1e-4 && Math.abs(sd - 1) < 1e-4, `mean ${m}, std ${sd}`);
    const order = (xs: number[]) => xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j]);
    assert.deepEqual(order(after), order(before));
  });

  it("scores a preference file, skipping and counting gold ties", () => {
    const tok = testTokenizer();
    const rm = rewardModel(tinyModel(1).withScalarHead(), 1);
    const pairs = toyPairs();
    pairs[0] = { ...pairs[0], meta: { ...pairs[0].meta, gold_chosen: 0.5, gold_rejected: 0.5 } };
    const r = pairFileAccuracy(rm, tok, pairs);
    assert.equal(r.skipped_gold_ties, 1);
    assert.equal(r.n, pairs.length - 1);
    assert.ok(r.ci95[0] <= r.accuracy && r.accuracy <= r.ci95[1]);
    assert.throws(() => rewardModel(tinyModel(1), 1), /no scalar head/);
  });

  it("saves and loads a reward model with its score table, and names a folder that is not one", async () => {
    const tok = testTokenizer();
    const gpt = tinyModel(6, { vocabSize: tok.vocabSize }).withScalarHead();
    const rm = rewardModel(gpt, 1);
    rm.head = { likelihoodWeight: 1, mean: 0.3, std: 2 };
    const dir = tmp("rm");
    const run = await trainReward({
      model: gpt,
      tokenizer: tok,
      train: pairGroups(tok, toyPairs(), 32),
      config: rewardConfig({ steps: 1, batchSize: 2, microBatchSize: 2, logEvery: 1 }, RM_QUICK),
    });
    await saveRewardModel(dir, rm, tok, run, 1);
    const back = loadRewardModel(dir);
    assert.deepEqual(back.head, rm.head);
    const groups = pairGroups(tok, toyPairs(), 32);
    assert.ok(maxAbsDiff(scoreGroups(back, groups, 0).flat(), scoreGroups(rm, groups, 0).flat()) < 1e-6);
    fs.rmSync(path.join(dir, "reward.json"));
    assert.throws(
      () => loadRewardModel(dir),
      /reward\.json is missing: .* is not a reward-model folder; train one with npm run rm/,
    );
  });

  it("refuses, by file:line, pairs that do not fit the context, and bad preference lines", () => {
    const tok = testTokenizer();
    const long = toyPairs()[0];
    const f = tmp("long.jsonl");
    writePreferenceJsonl(f, [
      toyPairs()[1],
      { ...long, prompt: [{ role: "user", content: "word ".repeat(60) }] },
    ]);
    assert.throws(
      () => pairGroups(tok, readPreferenceJsonl(f), 32),
      (e: Error) => e.message.includes(`${f}:2: renders to`) && /context is 32; shorten/.test(e.message),
    );
    const bad = tmp("bad.jsonl");
    fs.writeFileSync(
      bad,
      [
        JSON.stringify({ prompt: "hi?", chosen: "a", rejected: "a" }),
        JSON.stringify({ prompt: "hi?", chosen: "a" }),
        JSON.stringify({ prompt: [{ role: "robot", content: "hi" }], chosen: "a", rejected: "b" }),
        JSON.stringify({ prompt: "hi?", chosen: "a", rejected: "b", chosen_truncated: "yes" }),
      ].join("\n"),
    );
    assert.throws(
      () => readPreferenceJsonl(bad),
      (e: Error) =>
        e.message.includes(`${bad}:1: chosen and rejected are identical`) &&
        e.message.includes(`${bad}:2: missing "rejected"`) &&
        e.message.includes(`${bad}:3:`) &&
        /unknown role|role/.test(e.message) &&
        e.message.includes(`${bad}:4: field chosen_truncated: expected a boolean`),
    );
  });
});
