import * as assert from "assert";
import { Message } from "../../src/chat/template";
import type { ClozeItem } from "../../src/data/facts";
import type { SftLine } from "../../src/data/sft-data";
import type { EvalItem } from "../../src/data/tasks/eval-sets";
import { trainingMonitor } from "../../src/eval/monitor";
import type { EvalSets } from "../../src/eval/suite";
import { runArms, SftInputs, subsetRecords, totalSteps } from "../../src/experiments/sft";
import { tokenStream } from "../../src/train/pretrain";
import { SFT_QUICK, sftConfig } from "../../src/train/sft";
import { ANTONYMS, setup, testTokenizer, tinyModel } from "../helpers";

const PAIRS = ANTONYMS;
const conv = (w: string, a: string): Message[] => [
  { role: "user", content: `What is the opposite of ${w}?` },
  { role: "assistant", content: a },
];
const line = (w: string, a: string, i: number): SftLine => ({
  messages: conv(w, a),
  source: `toy:${i}`,
  task: i % 2 ? "antonym" : "synonym",
});
const item = (w: string, a: string): EvalItem => ({
  messages: [conv(w, a)[0]],
  answer: a,
  task: "antonym",
  cluster: "knowledge",
  template: 0,
  input: { word: w },
});

function toyInputs(): SftInputs {
  const tokenizer = testTokenizer();
  const model = tinyModel(3, { vocabSize: 300, dModel: 32, contextLength: 48 });
  const heldin = PAIRS.slice(6).map(([w, a]) => item(w, a));
  const cloze: ClozeItem[] = PAIRS.slice(0, 4).map(([w, a]) => ({
    prompt: `The opposite of ${w} is`,
    answer: ` ${a}`,
    accepted: [a],
    relation: "antonym",
    direction: "forward",
    stated: true,
    word: w,
    split: "heldout",
  }));
  return {
    base: { model, tokenizer, dir: "toy" },
    headwords: [],
    records: PAIRS.flatMap(([w, a], i) => [line(w, a, 2 * i), line(a, w, 2 * i + 1)]),
    sets: {
      heldin,
      new_phrasings: heldin,
      heldout_clusters: [],
      knowledge_heldout_words: heldin,
    } as EvalSets,
    replay: tokenStream(
      tokenizer,
      PAIRS.map(([w, a]) => `The opposite of ${w} is ${a}.`).flatMap((d) => [d, d, d]),
    ),
    cloze,
  };
}

describe("experiments/sft", () => {
  before(setup);

  it("takes task-balanced subsets, and refuses one larger than the data", () => {
    const records = toyInputs().records;
    const sub = subsetRecords(records, 6, 0);
    assert.strictEqual(sub.length, 6);
    assert.strictEqual(sub.filter((r) => r.task === "antonym").length, 3);
    assert.deepStrictEqual(subsetRecords(records, 6, 0), sub, "same seed, same subset");
    assert.throws(() => subsetRecords(records, 99, 0), /asked for 99 examples but the dataset has 16/);
  });

  it("runs each arm from an untouched copy of the base model and scores it", async function () {
    this.timeout(120000);
    const inputs = toyInputs();
    const before = inputs.base.model.params.get("wte")!.dataSync().slice();
    const base = sftConfig(
      {
        steps: 3,
        batchSize: 4,
        microBatchSize: 2,
        replayBatchSize: 0,
        warmupSteps: 1,
        logEvery: 1,
        evalEvery: 0,
      },
      SFT_QUICK,
    );
    const arms = [
      { group: "mask", label: "assistant", mask: "assistant" as const },
      { group: "mask", label: "all", mask: "all" as const, config: { seed: 1 } },
      { group: "size", label: "8", trainSize: 8, config: { replayBatchSize: 2, replayLength: 16 } },
    ];
    assert.strictEqual(totalSteps(arms, base), 9);
    let ticks = 0;
    let dones = 0;
    const results = await runArms(inputs, arms, base, {
      sets: { heldin: inputs.sets.heldin },
      progress: {
        tick: () => {
          ticks++;
        },
        done: () => {
          dones++;
        },
      },
    });
    assert.deepStrictEqual(
      results.map((r) => [r.label, r.mask, r.seed, r.trainSize, r.replay]),
      [
        ["assistant", "assistant", 0, 16, false],
        ["all", "all", 1, 16, false],
        ["8", "assistant", 0, 8, true],
      ],
    );
    assert.deepStrictEqual([ticks, dones], [9, 1], "one progress bar over every arm's steps, closed once");
    for (const r of results) {
      assert.strictEqual(r.sets.heldin!.n, 2);
      assert.ok(r.cloze >= 0 && r.cloze <= 1);
      assert.strictEqual(r.run.config.steps, 3);
    }
    assert.strictEqual(results[1].run.notes!.mask, "all", "the run record says which mask trained it");
    assert.ok(
      results[2].run.metrics.every((m) => m["loss/replay"]! > 0),
      "replay arms log their replay term",
    );
    assert.deepStrictEqual(
      inputs.base.model.params.get("wte")!.dataSync(),
      before,
      "the base model is not trained",
    );
  });

  it("a training monitor keeps per-step samples and metric rows, and continues after a resume", () => {
    const inputs = toyInputs();
    const o = {
      samples: inputs.sets.heldin.slice(0, 1),
      behaviour: inputs.sets.heldin,
      cloze: inputs.cloze,
      maxNewTokens: 4,
    };
    const m = trainingMonitor(inputs.base.model, inputs.base.tokenizer, o);
    const row = m.evaluate(0);
    m.evaluate(10);
    assert.deepStrictEqual(Object.keys(row).sort(), [
      "behaviour/answer_rate",
      "behaviour/continuation_rate",
      "behaviour/exact_match",
      "probe/cloze_accuracy",
    ]);
    assert.deepStrictEqual(
      m.samples.map((s) => s.step),
      [0, 10],
    );
    assert.deepStrictEqual(
      m.history.map((h) => h.step),
      [0, 10],
    );
    const resumed = trainingMonitor(inputs.base.model, inputs.base.tokenizer, {
      ...o,
      previous: { samples: m.samples, history: m.history },
    });
    resumed.evaluate(20);
    assert.deepStrictEqual(
      resumed.samples.map((s) => s.step),
      [0, 10, 20],
    );
  });
});
