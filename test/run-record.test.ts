import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeMetric, metricValue, MetricRow, unregisteredKeys } from "../src/metrics";
import { loadRun, readRecord, shapeProblems } from "../src/run-record";

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

describe("readRecord: committed records, checked", () => {
  const shape = {
    command: "string",
    durationS: "number",
    rows: [{ name: "string", gold: { mean: "number", lo: "number", hi: "number" }, "note?": "string" }],
  } as const;
  const command = "npm run thing -- --sweep";
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "record-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (o: unknown) => {
    const file = path.join(dir, "thing.json");
    fs.writeFileSync(file, typeof o === "string" ? o : JSON.stringify(o));
    return file;
  };
  const valid = {
    command: "npm run thing -- --sweep --workers 2",
    durationS: 12.5,
    rows: [{ name: "a", gold: { mean: 0.5, lo: 0.4, hi: null } }],
  };

  it("reads a valid file, typed by its reader (null stands for NaN or ±Infinity; optional fields may be absent)", () => {
    const r = readRecord<typeof valid>(write(valid), { command, shape });
    assert.deepStrictEqual(r, valid);
  });

  it("names the file and the command that rebuilds it when the file is missing", () => {
    const file = path.join(dir, "none.json");
    assert.throws(
      () => readRecord(file, { command, shape }),
      (e: Error) =>
        e.message.includes(file) && e.message.includes(`\`${command}\``) && /missing/.test(e.message),
    );
  });

  it("names the file and the command when the file is not JSON", () => {
    const file = write("{ not json");
    assert.throws(
      () => readRecord(file, { command, shape }),
      (e: Error) => e.message.includes(file) && /unreadable/.test(e.message) && e.message.includes(command),
    );
  });

  it("calls a record missing a field, or with one of the wrong type, stale, naming the field and the command", () => {
    const noLo = { ...valid, rows: [{ name: "a", gold: { mean: 0.5, hi: 0.6 } }] };
    assert.throws(
      () => readRecord(write(noLo), { command, shape }),
      (e: Error) =>
        /stale/.test(e.message) &&
        e.message.includes("rows[0].gold.lo: missing") &&
        e.message.includes(command),
    );
    const { durationS: _, ...noDuration } = valid;
    assert.throws(() => readRecord(write(noDuration), { command, shape }), /durationS: missing/);
    assert.throws(
      () => readRecord(write({ ...valid, rows: {} }), { command, shape }),
      /rows: an array expected, found object/,
    );
    assert.throws(
      () => readRecord(write({ ...valid, rows: [{ ...valid.rows[0], name: 3 }] }), { command, shape }),
      /rows\[0\]\.name: a string expected, found number/,
    );
  });

  it("lists at most ten problems", () => {
    const rows = Array.from({ length: 30 }, () => ({}));
    assert.equal(shapeProblems({ rows }, { rows: [{ a: "number" }] }).length, 10);
    assert.deepEqual(shapeProblems([1, "x"], "number[]"), [
      "the record: an array of numbers expected, found array",
    ]);
  });
});
