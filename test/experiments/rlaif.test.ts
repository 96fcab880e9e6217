import { CONSTITUTION } from "../../src/judge/constitution";
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cohenKappa } from "../../src/eval/stats";
import {
  comparisonGroups,
  comparisonPairs,
  orientGroups,
  slcaiData,
  spreadPairs,
} from "../../src/experiments/rlaif";
import { winRow } from "../../src/experiments/rlaif-record";
import { agreement, positionBias } from "../../src/judge/agreement";
import type { RankedPrompt } from "../../src/judge/comparisons";
import { testTokenizer } from "../helpers";

const ROOT = path.resolve(__dirname, "..", "..");

const ranked = (id: string, texts: string[], gold: number[]): RankedPrompt => ({
  prompt_id: id,
  task: "antonym",
  prompt: [{ role: "user", content: "What is the opposite of hot?" }],
  responses: texts.map((content, i) => ({
    content,
    truncated: false,
    words: 1,
    gold: gold[i],
    terms: { correct: 0, answers: 1, concise: 1, format: 1, follows: 1 },
  })),
  duplicates: 0,
});

describe("experiments/rlaif: pairs, agreement and labelled groups", () => {
  it("makes every unordered pair of a prompt's distinct responses once, in a fixed order", () => {
    const pairs = comparisonPairs([ranked("p/0", ["a", "b", "c"], [1, 0.5, 0]), ranked("p/1", ["x"], [1])]);
    assert.deepEqual(
      pairs.map((p) => p.id),
      ["p/0 0-1", "p/0 0-2", "p/0 1-2"],
    );
    assert.equal(pairs[2].a.content, "b");
  });

  it("agreement leaves gold ties out, counts an undecided pair ½, and reports decided pairs apart", () => {
    const gold = [1, 0, 1, 0.5, 1];
    const labels = [0.9, 0.2, 0.5, 0, 0.3];
    const a = agreement("j", labels, gold);
    assert.equal(a.n, 4);
    assert.equal(a.decided.k, 3);
    assert.equal(a.accuracyDecided.k, 2); // 0.9 and 0.2 right, 0.3 wrong
    assert.ok(Math.abs(a.accuracy.mean - (1 + 1 + 0.5 + 0) / 4) < 1e-12);
    assert.ok(Math.abs(a.softAccuracy.mean - (0.9 + 0.8 + 0.5 + 0.3) / 4) < 1e-12);
    assert.throws(() => agreement("j", [1], [1, 0]), /1 labels for 2 gold labels/);
  });

  it("Cohen's κ: 1 for agreement, 0 at chance, negative below (a textbook table)", () => {
    assert.equal(cohenKappa([true, false, true], [true, false, true]), 1);
    // 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = 0.7, p_e = 0.5, κ = 0.4.
    const a = [...Array(25).fill(true), ...Array(25).fill(false)];
    const b = [
      ...Array(20).fill(true),
      ...Array(5).fill(false),
      ...Array(10).fill(true),
      ...Array(15).fill(false),
    ];
    assert.ok(Math.abs(cohenKappa(a, b) - 0.4) < 1e-12);
    assert.ok(cohenKappa([true, false], [false, true]) < 0);
  });

  it("position bias: P(first preferred) over both orders, and decisions that survive a swap", () => {
    const always = positionBias([1, 1], [1, 1]);
    assert.equal(always.preferFirst.mean, 1);
    assert.equal(always.consistent.k, 0);
    const fair = positionBias([0.9, 0.2], [0.1, 0.8]);
    assert.ok(Math.abs(fair.preferFirst.mean - 0.5) < 1e-12);
    assert.equal(fair.consistent.k, 2);
    // A pair one order leaves undecided is not counted either way.
    const abstain = positionBias([0.5, 0.9], [0.5, 0.2]);
    assert.deepEqual([abstain.consistent.k, abstain.consistent.n], [1, 1]);
  });

  it("win rates per seed and pooled per prompt over seeds (the seeds share their prompts)", () => {
    const w = winRow(
      "p",
      "SFT",
      [
        [0.9, 0.1],
        [0.9, 0.9],
      ],
      [[0.5, 0.5]],
    );
    assert.deepEqual(
      w.perSeed.map((i) => i.mean),
      [0.5, 1],
    );
    assert.equal(w.pooled.n, 2);
    assert.deepEqual(w.pooled.mean, 0.75);
  });

  it("SL-CAI data: revised and original hold the same kept samples; unrevisable ones leave both", () => {
    const prompts = [
      ranked("p/0", ["cold", "cold\nQ: What is up?"], [1, 0.5]),
      {
        ...ranked("p/1", ["many", "8"], [0, 1]),
        prompt: [{ role: "user" as const, content: "How many letters are in complete?" }],
      },
    ];
    const { data, stats } = slcaiData(prompts);
    assert.deepEqual([stats.responses, stats.breaking, stats.byRule, stats.unrevisable], [4, 2, 1, 1]);
    assert.equal(data.revised.length, 3);
    assert.equal(data.original.length, 3);
    assert.deepEqual(
      data.revised.map((c) => c.messages[1].content),
      ["cold", "cold", "8"],
    );
    assert.equal(data.original[1].messages[1].content, "cold\nQ: What is up?");
  });

  it("orients each pair by its label, leaves ties out and counts them, and refuses labels of other pairs", () => {
    const tok = testTokenizer();
    const prompts = [ranked("p/0", ["a", "b", "c"], [1, 0.5, 0]), ranked("p/1", ["x", "y"], [0, 1])];
    const groups = comparisonGroups(tok, prompts, 128);
    assert.deepEqual(groups[0].pairs, [
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    const o = orientGroups(groups, [1, 0.5, 0.2, 0]);
    assert.equal(o.ties, 1);
    assert.equal(o.pairs, 3);
    assert.deepEqual(o.groups[0].pairs, [
      [0, 1],
      [2, 1],
    ]);
    assert.deepEqual(o.groups[1].pairs, [[1, 0]]);
    assert.throws(() => orientGroups(groups, [1, 1]), /2 labels for 4 pairs/);
  });

  it("spreads a subset of k pairs over the whole pool", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    assert.deepEqual(spreadPairs(xs, 4), [0, 25, 50, 75]);
    assert.equal(spreadPairs(xs, 200).length, 100);
  });
});

describe("npm run rlaif (CLI)", function () {
  this.timeout(300000);

  it("--quick labels the pairs with every judge, revises samples and trains a DPO and an IPO policy per source", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/rlaif.ts", "--quick"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const rec = JSON.parse(fs.readFileSync(path.join(ROOT, "build", "rlaif-quick.json"), "utf8"));
    assert.deepEqual(
      rec.labelSets.map((l: { source: string }) => l.source),
      ["raters", "constitution", "tuned judge"],
    );
    const judges = rec.judges.rows.map((j: { judge: string }) => j.judge);
    for (const j of [
      "simulated raters",
      "constitution",
      "self-judge (swapped)",
      "judge tuned on 40 (swapped)",
    ])
      assert.ok(judges.includes(j), j);
    // One DPO and one IPO policy per label source, and SL-CAI on revised and on original samples.
    assert.equal(rec.rows.length, 8);
    for (const source of ["raters", "constitution", "tuned judge"])
      for (const loss of ["dpo", "ipo"])
        assert.equal(
          rec.rows.filter(
            (r: { job: { source?: string; loss?: string } }) =>
              r.job.source === source && r.job.loss === loss,
          ).length,
          1,
          `${loss} on ${source}`,
        );
    for (const row of rec.rows) {
      assert.equal(row.point.perPrompt.gold.length, 8);
      assert.ok(row.data > 0, JSON.stringify(row.job));
      assert.deepEqual(Object.keys(row.point.principles).sort(), CONSTITUTION.map((p) => p.id).sort());
    }
    assert.ok(rec.slcai.breaking > 0 && rec.slcai.breaking < rec.slcai.responses);
    assert.equal(rec.slcai.breaking, rec.slcai.byModel + rec.slcai.byRule + rec.slcai.unrevisable);
  });

  it("--help lists the options; an unknown one is an error", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli/rlaif.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
    assert.match(run("--help").stdout, /--workers N/);
    const bad = run("--steps", "3");
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /steps/);
  });
});
