import * as assert from "assert";
import { PRESETS } from "../../src/model/config";
import { GPT } from "../../src/model/gpt";
import { clozeProbe } from "../../src/eval/probe";
import { trainBpe } from "../../src/tokenizer/index";
import { PRETRAIN_QUICK, pretrain, pretrainConfig, tokenStream } from "../../src/train/pretrain";
import { ANTONYMS, setup } from "../helpers";

const FACTS = ANTONYMS.slice(0, 6);
const docs = Array.from({ length: 300 }, (_, i) => {
  const [w, a] = FACTS[i % FACTS.length];
  return i % 2
    ? `The opposite of ${w} is ${a}.`
    : `${w} and ${a} are antonyms. The opposite of ${w} is ${a}.`;
});

describe("train/pretrain", () => {
  before(setup);

  it("joins documents with the end token", () => {
    const tok = trainBpe(docs, { vocabSize: 300 });
    const s = Array.from(tokenStream(tok, ["a b", "c"]));
    assert.deepStrictEqual(s, [...tok.encode("a b"), tok.special.eos, ...tok.encode("c"), tok.special.eos]);
  });

  it("learns facts stated in its corpus: the cloze probe goes from chance to near-perfect", async function () {
    this.timeout(180000);
    const tok = trainBpe(docs, { vocabSize: 300 });
    const stream = tokenStream(tok, docs);
    const model = GPT.create({ ...PRESETS.A, vocabSize: 300, dModel: 64, nLayers: 2, contextLength: 32 }, 0);
    const items = FACTS.map(([w, a]) => ({
      prompt: `The opposite of ${w} is`,
      answer: ` ${a}`,
      accepted: [a],
      relation: "antonym" as const,
      direction: "forward" as const,
      stated: true,
      word: w,
      split: "train" as const,
    }));
    const before = clozeProbe(model, tok, items).accuracy;
    const run = await pretrain({
      model,
      tokenizer: tok,
      train: stream,
      val: stream,
      config: pretrainConfig({ steps: 120, lr: 3e-3, warmupSteps: 10, evalEvery: 60 }, PRETRAIN_QUICK),
    });
    const after = clozeProbe(model, tok, items).accuracy;
    assert.ok(before < 0.5, `untrained model already knows ${before}`);
    assert.ok(after >= 5 / 6, `after pretraining the probe is ${after}`);
    assert.ok(run.evals[1]["val/loss"]! < run.evals[0]["val/loss"]! + 1e-9);
    assert.strictEqual(run.method, "pretrain");
    model.dispose();
  });

  it("rejects a batch that is not a multiple of the micro-batch, and unknown keys", () => {
    assert.throws(
      () => pretrainConfig({ batchSize: 10, microBatchSize: 4 }),
      /batchSize 10 is not a multiple of microBatchSize 4/,
    );
    assert.throws(
      () => pretrainConfig({ stepz: 3 } as never),
      /unknown key "stepz" \(did you mean "steps"\?\)/,
    );
  });
});
