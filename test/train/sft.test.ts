import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Message } from "../../src/chat/template";
import { renderExample } from "../../src/data/sft-batches";
import { evaluate } from "../../src/eval/evaluate";
import { SFT_QUICK, sftConfig, trainSft } from "../../src/train/sft";
import { tokenStream } from "../../src/train/pretrain";
import { maxAbsDiff, setup, testTokenizer, tinyModel } from "../helpers";

const WORDS = [
  "hot",
  "cold",
  "up",
  "down",
  "wet",
  "dry",
  "big",
  "small",
  "fast",
  "slow",
  "old",
  "new",
  "good",
  "bad",
  "light",
  "dark",
];
const conv = (w: string, a: string): Message[] => [
  { role: "user", content: `What is the opposite of ${w}?` },
  { role: "assistant", content: a },
];

describe("train/sft", () => {
  before(setup);

  it("turns a model that does not answer into one that answers and stops", async function () {
    this.timeout(180000);
    const tok = testTokenizer();
    const model = tinyModel(3, { vocabSize: 300, dModel: 64, nHeads: 4, contextLength: 48 });
    const train = WORDS.slice(0, 12).map((w, i) => renderExample(tok, conv(w, WORDS[i ^ 1]), 48, `toy:${i}`));
    const held = WORDS.slice(12).map((w) => ({ messages: [conv(w, "x")[0]], task: "antonym" }));
    const before = evaluate(model, tok, held, { format: "chat", maxNewTokens: 12 }).summary;
    const run = await trainSft({
      model,
      tokenizer: tok,
      train,
      config: sftConfig(
        { steps: 60, lr: 3e-3, batchSize: 4, microBatchSize: 2, replayBatchSize: 0 },
        SFT_QUICK,
      ),
    });
    const after = evaluate(model, tok, held, { format: "chat", maxNewTokens: 12 }).summary;
    assert.ok(before.answer_rate <= 0.25, `before SFT the answer rate is ${before.answer_rate}`);
    assert.ok(after.answer_rate >= 0.75, `after SFT the answer rate is ${after.answer_rate}`);
    assert.ok(run.metrics[run.metrics.length - 1].loss < run.metrics[0].loss);
    model.dispose();
  });

  it("mixes replay text into each step without changing what counts as a trained token", async function () {
    this.timeout(60000);
    const tok = testTokenizer();
    const model = tinyModel(3, { vocabSize: 300, contextLength: 48 });
    const train = WORDS.slice(0, 8).map((w, i) => renderExample(tok, conv(w, WORDS[i ^ 1]), 48, `toy:${i}`));
    const replay = tokenStream(
      tok,
      ["The opposite of hot is cold.", "up and down are antonyms."].flatMap((d) => [d, d, d, d]),
    );
    const run = await trainSft({
      model,
      tokenizer: tok,
      train,
      replay,
      config: sftConfig(
        {
          steps: 4,
          batchSize: 4,
          microBatchSize: 4,
          replayBatchSize: 2,
          replayLength: 32,
          warmupSteps: 1,
          logEvery: 1,
        },
        SFT_QUICK,
      ),
    });
    for (const m of run.metrics)
      assert.ok(
        Math.abs(m.loss - (m["loss/sft"]! + m["loss/replay"]!)) < 1e-5,
        "the step loss is the SFT term plus the replay term",
      );
    const answerTokens = train
      .slice(0, 4)
      .reduce((n, e) => n + e.mask.slice(1).reduce((a, b) => a + b, 0), 0);
    assert.ok(
      run.metrics[0].tokens_seen > 0 && run.metrics[0].tokens_seen <= answerTokens * 1.5,
      `tokens_seen ${run.metrics[0].tokens_seen}`,
    );
    model.dispose();
  });

  it("refuses, before any step, a dataset smaller than one batch or replay without text", async () => {
    const tok = testTokenizer();
    const model = tinyModel(3, { vocabSize: 300, contextLength: 48 });
    const train = [renderExample(tok, conv("hot", "cold"), 48, "toy:0")];
    await assert.rejects(
      trainSft({
        model,
        tokenizer: tok,
        train,
        config: sftConfig({ batchSize: 4, microBatchSize: 4, replayBatchSize: 0 }, SFT_QUICK),
      }),
      /1 training examples, fewer than one batch of 4/,
    );
    await assert.rejects(
      trainSft({
        model,
        tokenizer: tok,
        train: [train[0], train[0], train[0], train[0]],
        config: sftConfig({ batchSize: 4, microBatchSize: 4 }, SFT_QUICK),
      }),
      /needs the raw pretraining tokens/,
    );
    const unmasked = { ...train[0], mask: train[0].mask.map(() => 0), source: "hand-made:1" };
    await assert.rejects(
      trainSft({
        model,
        tokenizer: tok,
        train: [unmasked, unmasked, unmasked, unmasked],
        config: sftConfig({ batchSize: 4, microBatchSize: 4, replayBatchSize: 0 }, SFT_QUICK),
      }),
      /4 of 4 training examples have no loss-bearing token \(hand-made:1, hand-made:1, hand-made:1, …\); render them with renderExample/,
    );
    model.dispose();
  });

  it("logs the validation answer loss and the mask mode on the run record", async function () {
    this.timeout(60000);
    const tok = testTokenizer();
    const model = tinyModel(3, { vocabSize: 300, contextLength: 48 });
    const train = WORDS.slice(0, 8).map((w, i) =>
      renderExample(tok, conv(w, WORDS[i ^ 1]), 48, `toy:${i}`, { mask: "prompt-and-answer" }),
    );
    const val = WORDS.slice(8, 12).map((w, i) =>
      renderExample(tok, conv(w, WORDS[(i + 8) ^ 1]), 48, `val:${i}`),
    );
    const run = await trainSft({
      model,
      tokenizer: tok,
      train,
      val,
      config: sftConfig(
        { steps: 4, batchSize: 4, microBatchSize: 2, replayBatchSize: 0, evalEvery: 2 },
        SFT_QUICK,
      ),
    });
    assert.deepStrictEqual(
      run.evals.map((e) => e.step),
      [2, 4],
    );
    assert.ok(run.evals.every((e) => e["val/sft_loss"]! > 0));
    assert.strictEqual(run.notes!.mask, "prompt-and-answer");
    model.dispose();
  });

  it("an interrupted SFT run resumes from its last checkpoint on the same curve", async function () {
    this.timeout(60000);
    const tok = testTokenizer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sft-resume-"));
    const train = WORDS.map((w, i) => renderExample(tok, conv(w, WORDS[i ^ 1]), 48, `toy:${i}`));
    const replay = tokenStream(
      tok,
      ["The opposite of hot is cold.", "up and down are antonyms."].flatMap((d) => [d, d, d, d]),
    );
    const config = sftConfig(
      {
        steps: 6,
        batchSize: 4,
        microBatchSize: 2,
        replayBatchSize: 2,
        replayLength: 16,
        logEvery: 1,
        checkpointEvery: 3,
      },
      SFT_QUICK,
    );
    const a = tinyModel(3, { vocabSize: 300, contextLength: 48 });
    const straight = await trainSft({ model: a, tokenizer: tok, train, replay, config });
    const b = tinyModel(3, { vocabSize: 300, contextLength: 48 });
    let ticks = 0;
    await trainSft({
      model: b,
      tokenizer: tok,
      train,
      replay,
      config,
      checkpointDir: dir,
      progress: {
        tick: () => {
          if (++ticks === 4) throw new Error("interrupted");
        },
        done: () => {},
      },
    }).catch((e) => assert.match(String(e), /interrupted/));
    const c = tinyModel(9, { vocabSize: 300, contextLength: 48 });
    const resumed = await trainSft({ model: c, tokenizer: tok, train, replay, config, resumeFrom: dir });
    assert.deepStrictEqual(
      resumed.metrics.map((r) => r.step),
      [1, 2, 3, 4, 5, 6],
    );
    assert.ok(
      maxAbsDiff(
        resumed.metrics.map((r) => r.loss),
        straight.metrics.map((r) => r.loss),
      ) < 1e-5,
    );
    [a, b, c].forEach((m) => m.dispose());
  });
});
