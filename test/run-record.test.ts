import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeMetric, metricValue, MetricRow, unregisteredKeys } from "../src/metrics";
import { loadRun } from "../src/run-record";

const ROOT = path.resolve(__dirname, "..");

describe("run records", () => {
  it("loads a committed run typed by its method: config and notes need no casts", () => {
    const base = loadRun(path.join(ROOT, "data", "models", "base"), "pretrain");
    assert.strictEqual(base.method, "pretrain");
    assert.ok(base.config.batchSize > 0 && base.notes.trainTokens > 0);
    const sft = loadRun(path.join(ROOT, "data", "models", "sft"), "sft");
    assert.ok(sft.config.replayBatchSize > 0 && sft.notes.trainExamples > 0);
    assert.ok((sft.notes.samples ?? []).length > 0 && (sft.notes.monitor ?? []).length > 0);
  });

  it("refuses a run of another method, a missing record and a record that is not one", () => {
    assert.throws(
      () => loadRun(path.join(ROOT, "data", "models", "base"), "sft"),
      /is a "pretrain" run, not "sft"/,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-record-"));
    try {
      assert.throws(() => loadRun(dir, "sft"), /run record not found: .*run\.json/);
      fs.writeFileSync(path.join(dir, "run.json"), JSON.stringify({ method: "sft" }));
      assert.throws(() => loadRun(dir, "sft"), /missing field "config"/);
      fs.writeFileSync(path.join(dir, "run.json"), "{");
      assert.throws(() => loadRun(dir, "sft"), /not valid JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keys metric rows by the registry's names, so a misspelt metric does not compile", () => {
    const row: MetricRow = { step: 3, "val/loss": 1.5 };
    // @ts-expect-error "val/los" is not a registered metric
    const typo: MetricRow = { "val/los": 1 };
    assert.deepStrictEqual(unregisteredKeys(typo), ["val/los"]);
    assert.strictEqual(metricValue(row, "val/loss"), 1.5);
    assert.throws(
      () => metricValue(row, "probe/cloze_accuracy"),
      /"probe\/cloze_accuracy" is not in this row \(step 3\)/,
    );
    assert.throws(() => describeMetric("val/los"), /not registered; add it to METRICS in src\/metrics\.ts/);
  });
});
