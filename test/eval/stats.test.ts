import { strict as assert } from "assert";
import {
  bootstrapInterval,
  kendallTau,
  meanInterval,
  ols,
  ranks,
  separated,
  spearman,
  spearmanByGroup,
  wilson,
  withinGroups,
} from "../../src/eval/stats";
import { directionTable, ProbeResult } from "../../src/eval/probe";

const near = (a: number, b: number, tol = 5e-4) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe("eval/stats Wilson intervals", () => {
  it("matches the textbook values and stays inside [0, 1]", () => {
    // Brown, Cai & DasGupta (2001) / any statistics package: 5 of 10 → 0.237–0.763; 0 of 10 → 0–0.278.
    const half = wilson(5, 10);
    near(half.lo, 0.2366);
    near(half.hi, 0.7634);
    const none = wilson(0, 10);
    assert.equal(none.lo, 0);
    near(none.hi, 0.2775);
    const all = wilson(10, 10);
    near(all.lo, 0.7225);
    near(all.hi, 1, 1e-12);
    assert.ok(wilson(500, 1000).hi - wilson(500, 1000).lo < half.hi - half.lo);
  });

  it("calls two rates different only when their intervals are disjoint", () => {
    assert.ok(separated(wilson(90, 100), wilson(10, 100)));
    assert.ok(!separated(wilson(6, 10), wilson(4, 10)));
  });

  it("refuses counts that are not counts", () => {
    assert.throws(() => wilson(3, 2), /wilson: need whole numbers 0 ≤ k ≤ n, got k = 3, n = 2/);
    assert.throws(() => wilson(0.5, 2), /k = 0\.5/);
  });

  it("tabulates the probe by relation and direction, stated or not", () => {
    const o = (relation: "category" | "antonym", direction: "forward" | "reverse", correct: boolean) => ({
      word: "w",
      relation,
      direction,
      stated: !(relation === "category" && direction === "reverse"),
      split: "train" as const,
      prompt: "p",
      expected: " a",
      completion: " a",
      correct,
    });
    const p: ProbeResult = {
      accuracy: 0,
      byRelation: {},
      bySplit: {},
      byDirection: {},
      outcomes: [
        o("category", "forward", true),
        o("category", "forward", true),
        o("category", "reverse", false),
      ],
    };
    const rows = directionTable(p);
    assert.deepEqual(
      rows.map((r) => [r.relation, r.direction, r.stated, r.k, r.n]),
      [
        ["category", "forward", true, 2, 2],
        ["category", "reverse", false, 0, 1],
      ],
    );
  });
});

describe("eval/stats: ranks, correlations, least squares", () => {
  it("averages tied ranks, and Spearman/Kendall have their known values", () => {
    assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
    assert.ok(Math.abs(spearman([1, 2, 3, 4], [10, 20, 30, 40]) - 1) < 1e-12);
    assert.ok(Math.abs(spearman([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-12);
    assert.equal(kendallTau([1, 2, 3], [1, 2, 3]), 1);
    assert.equal(kendallTau([1, 2, 3], [3, 2, 1]), -1);
    // One discordant pair of three: (2 − 1) / 3.
    assert.ok(Math.abs(kendallTau([1, 2, 3], [1, 3, 2]) - 1 / 3) < 1e-12);
    assert.ok(Number.isNaN(kendallTau([1, 1, 1], [1, 2, 3])), "a constant side says nothing");
  });

  it("splits Spearman ρ into between-group and within-group parts", () => {
    // x ranks the groups as y does, and every group's members backwards.
    const groups = [
      { x: [1, 0], y: [10, 11] },
      { x: [5, 4], y: [20, 21] },
      { x: [9, 8], y: [30, 31] },
      { x: [-1, -1], y: [7, 7] }, // a constant group: no within-group information
    ];
    const r = spearmanByGroup(groups);
    assert.ok(Math.abs(r.between - 1) < 1e-12, `between ${r.between}`);
    assert.ok(Math.abs(r.within + 1) < 1e-12, `within ${r.within}`);
    assert.ok(r.pooled > 0.5 && r.pooled < 1, `pooled ${r.pooled}`);
    assert.throws(() => spearmanByGroup([{ x: [1], y: [1, 2] }]), /group 0 has 1 x and 2 y scores/);
  });

  it("bootstraps an interval as wide as the normal theory's for a mean, the same for the same seed", () => {
    const units = Array.from({ length: 100 }, (_, i) => i); // mean 49.5, standard error 2.9
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const r = bootstrapInterval(units, avg, { draws: 2000, seed: 3 });
    const se = Math.sqrt(units.reduce((a, x) => a + (x - 49.5) ** 2, 0) / 99 / 100);
    assert.ok(r.lo < 49.5 && 49.5 < r.hi, `${r.lo}–${r.hi}`);
    const width = r.hi - r.lo;
    assert.ok(Math.abs(width / (2 * 1.96 * se) - 1) < 0.15, `width ${width} against ${2 * 1.96 * se}`);
    assert.deepEqual(bootstrapInterval(units, avg, { draws: 2000, seed: 3 }), r);
    assert.notDeepEqual(bootstrapInterval(units, avg, { draws: 2000, seed: 4 }), r);
    assert.throws(() => bootstrapInterval([1], avg), /at least 2 units/);
    assert.throws(() => bootstrapInterval([1, 2], () => NaN), /undefined on 1000 of 1000/);
  });

  it("recovers known coefficients by least squares, with intervals that cover them", () => {
    const x1 = Array.from({ length: 200 }, (_, i) => (i % 17) / 17);
    const x2 = Array.from({ length: 200 }, (_, i) => (i * 7) % 11);
    const y = x1.map((a, i) => 0.5 + 2 * a - 0.3 * x2[i] + 0.01 * Math.sin(i));
    const [b0, b1, b2] = ols(y, [x1, x2]);
    assert.ok(Math.abs(b0.estimate - 0.5) < 0.01 && Math.abs(b1.estimate - 2) < 0.01);
    assert.ok(b2.lo < -0.3 && -0.3 < b2.hi && b2.hi - b2.lo < 0.01);
    assert.throws(() => ols([1, 2, 3], [[1, 1, 1]]), /collinear/);
    const m = meanInterval([1, 2, 3, 4]);
    assert.ok(m.lo < 2.5 && m.hi > 2.5 && m.n === 4);
    // By hand: sd = √(5/3) = 1.29099, half-width 1.959964 · 1.29099 / √4 = 1.26517 (the standard error's √n).
    assert.ok(Math.abs(m.hi - 2.5 - 1.26517) < 1e-4, `half-width ${m.hi - 2.5}`);
    const big = meanInterval(Array.from({ length: 400 }, (_, i) => i % 2));
    assert.ok(Math.abs(big.hi - big.mean - (1.959964 * Math.sqrt(400 / 399 / 4)) / 20) < 1e-6);
  });

  it("compares within groups: a slope that only group offsets fake disappears", () => {
    assert.deepEqual(withinGroups([[1, 3], [10], [5, 6, 7]]), { values: [-1, 1, -1, 0, 1], groups: 2 });
    // Across groups y rises with x only because both groups' offsets do; within each group y falls with x.
    const g = [
      { x: [0, 1, 2], y: [2, 1, 0] },
      { x: [10, 11, 12], y: [22, 21, 20] },
    ];
    const across = ols(
      g.flatMap((v) => v.y),
      [g.flatMap((v) => v.x)],
    )[1].estimate;
    const [y, x] = [g.map((v) => v.y), g.map((v) => v.x)].map(withinGroups);
    const inside = ols([...y.values, 0.001], [[...x.values, 0]], y.groups)[1].estimate;
    assert.ok(across > 1 && inside < -0.9, `across ${across}, within ${inside}`);
  });
});
