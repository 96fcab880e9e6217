import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadCheckpoint, saveCheckpoint } from "../../src/model/checkpoint";
import { ids2d, maxAbsDiff, setup, tinyModel } from "../helpers";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "tl-ck-"));

describe("model/checkpoint", () => {
  before(setup);

  it("saves and loads to identical logits, with the tokenizer JSON", async () => {
    const dir = path.join(tmp(), "ck");
    const m = tinyModel();
    await saveCheckpoint(dir, { model: m, tokenizer: { toJSON: () => ({ hello: 1 }) }, step: 7 });
    const ck = loadCheckpoint(dir);
    const x = ids2d([[5, 6, 7, 8]]);
    assert.strictEqual(maxAbsDiff(m.logits(x).dataSync(), ck.model.logits(x).dataSync()), 0);
    assert.deepStrictEqual(ck.tokenizerJSON, { hello: 1 });
    assert.strictEqual(ck.step, 7);
    m.dispose();
    ck.model.dispose();
  });

  it("leaves the previous checkpoint intact when a save is interrupted", async () => {
    const parent = tmp();
    const dir = path.join(parent, "ck");
    const m = tinyModel();
    await saveCheckpoint(dir, { model: m, step: 1 });
    await assert.rejects(
      saveCheckpoint(dir, {
        model: m,
        step: 2,
        tokenizer: {
          toJSON: () => {
            throw new Error("disk full");
          },
        },
      }),
      /disk full/,
    );
    assert.strictEqual(loadCheckpoint(dir).step, 1);
    assert.deepStrictEqual(fs.readdirSync(parent), ["ck"], "no temporary folders left behind");
    m.dispose();
  });

  it("names the path and the fix when a checkpoint is missing", () => {
    assert.throws(
      () => loadCheckpoint("/nonexistent/ck"),
      /no checkpoint at \/nonexistent\/ck: \/nonexistent\/ck does not exist/,
    );
  });

  it("lists the config fields that differ from what the caller expects", async () => {
    const dir = path.join(tmp(), "ck");
    const m = tinyModel();
    await saveCheckpoint(dir, { model: m });
    assert.throws(
      () => loadCheckpoint(dir, { vocabSize: 512 }),
      /config.json: model config does not match:\n {2}vocabSize: checkpoint has 300, expected 512/,
    );
    m.dispose();
  });

  it("names the file when the weights are truncated or a tensor has the wrong shape", async () => {
    const dir = path.join(tmp(), "ck");
    const m = tinyModel();
    await saveCheckpoint(dir, { model: m });
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "weights.json"), "utf8"));
    manifest.tensors[0].shape = [3, 3];
    fs.writeFileSync(path.join(dir, "weights.json"), JSON.stringify(manifest));
    assert.throws(
      () => loadCheckpoint(dir),
      /weights.json: tensor "wte" has shape \[3,3\] \(9 values\) but length 9600/,
    );
    manifest.tensors[0].shape = [300, 32];
    fs.writeFileSync(path.join(dir, "weights.json"), JSON.stringify(manifest));
    fs.truncateSync(path.join(dir, "weights.bin"), 100);
    assert.throws(() => loadCheckpoint(dir), /weights.bin is truncated/);
    m.dispose();
  });
});
