import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  FILTER_REASONS,
  OTHER,
  SEED_TASKS_PATH,
  filterCandidates,
  filterReport,
  lengthStats,
  duplicateKey,
  parseSeedTasks,
  readSeedTasks,
  rootVerb,
  templateCandidates,
  verbCounts,
} from "../../src/data/self-instruct";
import { rougeL } from "../../src/data/rouge";
import { Rng } from "../../src/random";

const SHARED = path.resolve(
  __dirname,
  "..",
  "..",
  "..",
  "shared",
  "datasets",
  "self_instruct_seed_tasks.jsonl",
);

describe("data/self-instruct seed tasks", () => {
  it("reads the 175 committed seed tasks, with their licence", () => {
    const tasks = readSeedTasks();
    assert.equal(tasks.length, 175);
    assert.equal(new Set(tasks.map((t) => t.id)).size, 175);
    assert.equal(tasks[0].id, "seed_task_0");
    assert.equal(tasks.filter((t) => t.is_classification).length, 26);
    for (const t of tasks) {
      assert.ok(t.instruction.length > 0 && t.instances.length >= 1);
      for (const x of t.instances) assert.equal(typeof x.input + typeof x.output, "stringstring");
    }
    const dir = path.dirname(SEED_TASKS_PATH);
    assert.match(fs.readFileSync(path.join(dir, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0/);
    assert.match(fs.readFileSync(path.join(dir, "README.md"), "utf8"), /yizhongw\/self-instruct/);
    if (fs.existsSync(SHARED))
      assert.ok(
        fs.readFileSync(SHARED).equals(fs.readFileSync(SEED_TASKS_PATH)),
        "copy differs from shared/",
      );
  });

  it("names file:line for every bad line, and the fix", () => {
    const good = (id: string) =>
      JSON.stringify({
        id,
        name: "n",
        instruction: "Do it.",
        instances: [{ input: "", output: "ok" }],
        is_classification: false,
      });
    const lines = [
      good("a"),
      "{not json",
      JSON.stringify({
        id: "b",
        name: "n",
        instances: [{ input: "", output: "" }],
        is_classification: false,
      }),
      JSON.stringify({
        id: "c",
        name: "n",
        instruction: "x",
        instances: [{ input: 1, output: "" }],
        is_classification: false,
      }),
      JSON.stringify({ id: "d", name: "n", instruction: "x", instances: [], is_classification: false }),
      JSON.stringify({
        id: "e",
        name: "n",
        instruction: "x",
        instances: [{ input: "", output: "" }],
        is_classification: "no",
      }),
      "",
      good("a"),
      "[1, 2]",
    ];
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "seeds-")), "bad.jsonl");
    fs.writeFileSync(file, lines.join("\n") + "\n");
    let msg = "";
    try {
      readSeedTasks(file);
    } catch (e) {
      msg = (e as Error).message;
    }
    assert.match(msg, /8 bad line\(s\)/);
    assert.ok(msg.includes(`${file}:2: not valid JSON`), msg);
    assert.ok(msg.includes(`${file}:3: field instruction`), msg);
    assert.ok(msg.includes(`${file}:4: field instances[0]`), msg);
    assert.ok(msg.includes(`${file}:5: field instances: expected a non-empty array`), msg);
    assert.ok(msg.includes(`${file}:6: field is_classification`), msg);
    assert.ok(msg.includes(`${file}:7: empty line`), msg);
    assert.ok(msg.includes(`${file}:8: duplicate id "a" (first on line 1)`), msg);
    assert.ok(msg.includes(`${file}:9: expected a JSON object`), msg);
    assert.ok(!msg.includes(`${file}:1:`), msg);
    assert.match(msg, /fix or delete the lines named/);
    assert.throws(
      () => readSeedTasks(path.join(path.dirname(file), "missing.jsonl")),
      /not found\. Restore the committed copy with `git checkout -- /,
    );
    assert.throws(() => parseSeedTasks("", "empty.jsonl"), /empty\.jsonl: no seed tasks/);
    assert.equal(parseSeedTasks(good("z"), "one.jsonl").length, 1); // no final newline is fine
  });
});

describe("data/self-instruct diversity", () => {
  it("guesses root verbs", () => {
    const cases: [string, string][] = [
      ["Write a story about a dog.", "write"],
      ["Please summarize the following email.", "summarize"],
      ["Given a sentence, classify its sentiment.", "classify"],
      ["In this task, you need to compare two sentences.", "compare"],
      ["What is the opposite of hot?", "what"],
      ["How many letters are in cat?", "how"],
      ["Is working part-time a good idea?", "question"],
      ["Can you give me a recipe for bread?", "give"],
      ["You need to write an opening scene.", "write"],
      ["Solving the equation and find X.", "solve"],
      ["I am planning a trip to Seattle.", OTHER],
      ["", OTHER],
    ];
    for (const [text, verb] of cases) assert.equal(rootVerb(text), verb, text);
  });

  it("counts verbs and lengths on the seeds", () => {
    const ins = readSeedTasks().map((t) => t.instruction);
    const counts = verbCounts(ins);
    assert.equal(
      counts.reduce((a, c) => a + c.count, 0),
      175,
    );
    assert.equal(counts[0].verb, "write");
    for (let i = 1; i < counts.length; i++) assert.ok(counts[i - 1].count >= counts[i].count);
    const other = counts.find((c) => c.verb === OTHER)?.count ?? 0;
    assert.ok(other < 0.1 * 175, `${other} instructions without a recognised root`);
    const ls = lengthStats(ins);
    assert.equal(ls.count, 175);
    assert.ok(
      ls.min >= 2 && ls.max <= 100 && ls.mean > 8 && ls.mean < 20,
      JSON.stringify({ ...ls, lengths: 0 }),
    );
    assert.deepEqual(
      { ...lengthStats(["a b", "a b c d", "a", "a b c"]), lengths: [] },
      { count: 4, min: 1, max: 4, mean: 2.5, median: 2.5, p10: 1, p90: 4, lengths: [] },
    );
    assert.throws(() => lengthStats([]), /no instructions/);
  });
});

describe("data/self-instruct filter", () => {
  const pool = ["Write a short poem about the sea.", "Classify the sentiment of the given review."];

  it("rejects each kind of bad candidate, by reason", () => {
    const cands = [
      "Write a short poem about the ocean.", // 0 rouge: LCS 6 of 7 tokens, 6/7 ≥ 0.7
      "Summarize it.", // 1 too-short
      "Explain " + "very ".repeat(150) + "slowly.", // 2 too-long
      "Describe the image in one sentence.", // 3 keyword
      "Write a program that sorts a list.", // 4 prefix
      "- List three fruits you like.", // 5 punctuation
      "¿Cuál es la capital de Francia?", // 6 non-ascii
      "write a short poem about the SEA", // 7 duplicate of the pool (normalised)
      "Translate the sentence into French please.", // 8 kept
      "Translate the sentence into German please.", // 9 rouge against #8, which joined the pool
      "Translate the sentence into French please.", // 10 duplicate of an earlier candidate
      "Go to the store and buy milk.", // 11 keyword "go to"
      "Name three mapping tools for hikers.", // 12 kept: "mapping" is not the whole word "map"
    ];
    const r = filterCandidates(pool, cands);
    assert.deepEqual(
      r.decisions.map((d) => d.reason ?? "kept"),
      [
        "rouge",
        "too-short",
        "too-long",
        "keyword",
        "prefix",
        "punctuation",
        "non-ascii",
        "duplicate",
        "kept",
        "rouge",
        "duplicate",
        "keyword",
        "kept",
      ],
    );
    assert.equal(r.decisions[3].detail, "image");
    assert.equal(r.decisions[11].detail, "go to");
    assert.ok(Math.abs(r.decisions[0].rougeL - rougeL(cands[0], pool[0])) < 1e-12);
    assert.equal(r.decisions[0].nearest, 0);
    assert.equal(r.pool[r.decisions[9].nearest], cands[8]);
    assert.ok(Number.isNaN(r.decisions[1].rougeL));
    assert.deepEqual(r.accepted, [cands[8], cands[12]]);
    assert.deepEqual(r.pool, [...pool, cands[8], cands[12]]);
    assert.deepEqual(r.counts, {
      kept: 2,
      "too-short": 1,
      "too-long": 1,
      keyword: 2,
      prefix: 1,
      punctuation: 1,
      "non-ascii": 1,
      duplicate: 2,
      rouge: 2,
    });
    assert.deepEqual(r.poolSizeAfter, [2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4]);
    const report = filterReport(r);
    for (const k of ["kept", ...FILTER_REASONS]) assert.match(report, new RegExp(`^${k} +\\d+`, "m"));
  });

  it("takes its threshold, bounds and lists from options", () => {
    const c = ["Write a short poem about the ocean."];
    assert.equal(filterCandidates(pool, c, { threshold: 0.9 }).counts.kept, 1);
    assert.equal(filterCandidates(pool, ["Summarize it."], { minWords: 2 }).counts.kept, 1);
    assert.equal(
      filterCandidates(pool, ["Describe the image in one sentence."], { blacklist: [] }).counts.kept,
      1,
    );
    assert.equal(
      filterCandidates(pool, ["Write a program that sorts a list."], { prefixes: [] }).counts.kept,
      1,
    );
    assert.equal(filterCandidates([], ["Explain the rules of chess."]).counts.kept, 1); // empty pool
    assert.equal(duplicateKey("  Hello   World?! "), "hello world");
  });

  it("filters template candidates: deterministic, curve non-decreasing, near-duplicates dropped", () => {
    const a = templateCandidates(new Rng(5), 2000);
    assert.deepEqual(a, templateCandidates(new Rng(5), 2000));
    assert.notDeepEqual(a.slice(0, 20), templateCandidates(new Rng(6), 20));
    assert.equal(a.length, 2000);
    for (const c of a) assert.ok(!/[{}]/.test(c.text), c.text);
    const seeds = readSeedTasks().map((t) => t.instruction);
    const t0 = performance.now();
    const r = filterCandidates(
      seeds,
      a.map((c) => c.text),
    );
    const ms = performance.now() - t0;
    console.log(
      `      2000 template candidates filtered in ${ms.toFixed(0)} ms; pool ${seeds.length} → ${r.pool.length}\n` +
        filterReport(r).replace(/^/gm, "        "),
    );
    const total = Object.values(r.counts).reduce((x, y) => x + y, 0);
    assert.equal(total, a.length);
    assert.equal(r.poolSizeAfter.length, a.length);
    for (let i = 1; i < r.poolSizeAfter.length; i++)
      assert.ok(r.poolSizeAfter[i] - r.poolSizeAfter[i - 1] in { 0: 1, 1: 1 });
    assert.equal(r.poolSizeAfter[r.poolSizeAfter.length - 1], r.pool.length);
    assert.equal(r.pool.length, seeds.length + r.counts.kept);
    assert.ok(
      r.counts.rouge + r.counts.duplicate > r.counts.kept,
      "templates should mostly be near-duplicates",
    );
    assert.deepEqual(
      filterCandidates(
        seeds,
        a.map((c) => c.text),
      ).counts,
      r.counts,
    );
    // Every kept candidate is below the threshold against everything before it in the pool.
    const kept = r.decisions.filter((d) => d.kept).slice(0, 30);
    for (const d of kept) {
      const before = r.pool.slice(0, r.pool.indexOf(d.text));
      assert.ok(
        before.every((p) => rougeL(d.text, p) < 0.7),
        d.text,
      );
    }
    assert.ok(ms < 10_000);
  });
});
