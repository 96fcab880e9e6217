import { strict as assert } from "assert";
import { tf } from "../../src/backend";
import { netWinLabels, type PairGroup } from "../../src/data/preference";
import { responseLogProbs } from "../../src/model/logprobs";
import { OBJECTIVE_DEFAULTS, PAIR_OBJECTIVES } from "../../src/train/objectives";
import {
  mismatchedKl,
  objectiveInputs,
  pairObjective,
  pickPairs,
  RefGroup,
  unitCount,
  withReferenceLogps,
} from "../../src/train/pairs";
import { setup, tinyModel } from "../helpers";

const near = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const PAD = 0;

/** Two prompts of different lengths; the last prompt token plays <|assistant|>. */
const groups = (): PairGroup[] => [
  {
    id: "a",
    sequences: [
      [5, 6, 7, 11, 12, 1],
      [5, 6, 7, 21, 1],
      [5, 6, 7, 22, 23, 24, 1],
    ],
    pairs: [
      [0, 1],
      [0, 2],
      [1, 2],
    ],
    promptLength: 3,
    source: "toy:1",
  },
  {
    id: "b",
    sequences: [
      [8, 9, 10, 7, 13, 1],
      [8, 9, 10, 7, 25, 1],
    ],
    pairs: [[1, 0]],
    promptLength: 4,
    source: "toy:2",
  },
];

/** Σ log p over the response tokens (from `promptLength` on) of one sequence, by the per-token primitive. */
const responseSum = (model: ReturnType<typeof tinyModel>, seq: number[], start: number) =>
  responseLogProbs(model, [{ tokens: seq, start }], { pad: PAD, chunk: 1 })[0].reduce((s, x) => s + x, 0);

describe("train/pairs: what the trainers compute", () => {
  before(setup);

  it("sums each response's log-probs from its first token after <|assistant|>, not from <|assistant|>", () => {
    const model = tinyModel(3);
    const micro = withReferenceLogps(model, groups(), PAD);
    const x = tf.tidy(() => {
      const p = objectiveInputs(model, micro, PAD, { unit: "pair" }).pairs;
      return { c: Array.from(p.policyChosen.dataSync()), r: Array.from(p.policyRejected.dataSync()) };
    });
    const want = micro.flatMap((g) =>
      g.pairs.map(([c, r]) => [
        responseSum(model, g.sequences[c], g.promptLength),
        responseSum(model, g.sequences[r], g.promptLength),
      ]),
    );
    want.forEach(([c, r], i) => (near(x.c[i], c), near(x.r[i], r)));
    // One token earlier (the assistant marker counted) gives another number: the check has teeth.
    const g = micro[0];
    assert.ok(Math.abs(responseSum(model, g.sequences[0], 2) - x.c[0]) > 1e-3);
    // The reference pass measures the same sums.
    micro.forEach((g) =>
      g.sequences.forEach((s, j) => near(g.refLogps[j], responseSum(model, s, g.promptLength))),
    );
  });

  it("picks each pair's chosen and rejected values from its own group's rows", () => {
    const g = groups();
    const r = tf.tidy(() => {
      const p = pickPairs(g, tf.tensor1d([10, 11, 12, 20, 21]));
      return [Array.from(p.chosen.dataSync()), Array.from(p.rejected.dataSync())];
    });
    assert.deepEqual(r, [
      [10, 10, 11, 21],
      [11, 12, 12, 20],
    ]);
  });

  it("adds RPO's NLL term on the chosen responses: the loss rises by α times their mean NLL per token", () => {
    const model = tinyModel(4);
    const micro = withReferenceLogps(tinyModel(5), groups(), PAD);
    const c = { ...OBJECTIVE_DEFAULTS, beta: 0.1 };
    const lossWith = (sftWeight: number) =>
      tf.tidy(
        () =>
          pairObjective(model, PAD, PAIR_OBJECTIVES.sigmoid, c, { sftWeight })
            .loss(micro, unitCount(micro, "pair"))
            .dataSync()[0],
      );
    const per = micro.flatMap((g) =>
      g.pairs.map(
        ([ch]) =>
          responseSum(model, g.sequences[ch], g.promptLength) / (g.sequences[ch].length - g.promptLength),
      ),
    );
    const nll = -per.reduce((s, x) => s + x, 0) / per.length; // mean over pairs of −π_c/|y_c|, > 0
    assert.ok(nll > 0);
    near(lossWith(0.5) - lossWith(0), 0.5 * nll);
  });

  it("measures KTO's reference point on each response under the next prompt, without gradient", () => {
    const model = tinyModel(6);
    const reference = tinyModel(7);
    const micro = groups();
    const got = mismatchedKl(model, reference, micro, PAD);
    // By hand: group a's labelled responses under b's prompt, b's under a's.
    const rows: [number[], number][] = [];
    micro.forEach((g, i) => {
      const next = micro[(i + 1) % micro.length];
      const prompt = next.sequences[0].slice(0, next.promptLength);
      netWinLabels(g).forEach((l, j) => {
        if (l !== 0) rows.push([[...prompt, ...g.sequences[j].slice(g.promptLength)], prompt.length]);
      });
    });
    const d = rows.map(([s, k]) => responseSum(model, s, k) - responseSum(reference, s, k));
    near(got, d.reduce((s, x) => s + x, 0) / d.length);
    assert.equal(mismatchedKl(model, reference, micro.slice(0, 1), PAD), 0, "one prompt: no mismatched row");
  });

  it("labels a ranking's top half desirable and bottom half undesirable, the middle left out", () => {
    // Ranking 0 > 1 > 2 as its three pairs: 0 wins twice, 1 once and loses once, 2 loses twice.
    assert.deepEqual(netWinLabels(groups()[0]), [1, 0, -1]);
    assert.deepEqual(netWinLabels(groups()[1]), [-1, 1]);
    assert.equal(unitCount(groups(), "response"), 4);
    assert.equal(unitCount(groups(), "pair"), 4);
  });

  it("keeps reference log-probs a group already has (one pass shared by runs)", () => {
    const g = { ...groups()[0], refLogps: [1, 2, 3] } as RefGroup;
    assert.deepEqual(withReferenceLogps(tinyModel(1), [g], PAD)[0].refLogps, [1, 2, 3]);
  });
});
