import * as assert from "assert";
import { behaviourBars, errorBars, lines, lossCurve } from "../../src/display/charts";
import type { RunRecord } from "../../src/run-record";

describe("display/charts", () => {
  it("draws the training loss, its terms, and every validation loss of a run", () => {
    const run = {
      method: "sft",
      metrics: [
        { step: 10, loss: 3, "loss/sft": 2, "loss/replay": 1 },
        { step: 20, loss: 2, "loss/sft": 1.2, "loss/replay": 0.8 },
      ],
      evals: [{ step: 20, "val/sft_loss": 1.5, "probe/cloze_accuracy": 0.6 }],
    } as unknown as RunRecord;
    const fig = lossCurve(run);
    assert.deepStrictEqual(
      fig.data.map((t) => t.name),
      ["train (total)", "train: sft", "train: replay", "validation: sft_loss"],
    );
    assert.deepStrictEqual(fig.data[1].y, [2, 1.2]);
  });

  it("puts grouped behaviour bars on a two-level axis", () => {
    const bar = { answer_rate: 0.5, continuation_rate: 0.3, other_rate: 0.2 };
    const fig = behaviourBars(
      [
        { group: "held-in", label: "base", ...bar },
        { group: "held-in", label: "SFT", ...bar },
      ],
      "t",
    );
    assert.deepStrictEqual(fig.data[0].x, [
      ["held-in", "held-in"],
      ["base", "SFT"],
    ]);
    assert.deepStrictEqual(behaviourBars([{ label: "base", ...bar }], "t").data[0].x, ["base"]);
  });

  it("draws refusal and abstention segments only where some bar has them", () => {
    const names = (bars: Parameters<typeof behaviourBars>[0]) =>
      behaviourBars(bars, "t").data.map((d) => d.name);
    const plain = { answer_rate: 0.5, continuation_rate: 0.3, other_rate: 0.2 };
    assert.deepStrictEqual(names([{ label: "base", ...plain }]), ["answer", "continuation", "other"]);
    assert.deepStrictEqual(
      names([
        { label: "base", ...plain },
        { label: "SFT", ...plain, refusal_rate: 0.1, abstain_rate: 0 },
      ]),
      ["answer", "continuation", "refusal", "other"],
    );
  });

  it("shows mean and standard deviation over seeds as error bars", () => {
    const fig = errorBars(
      {
        "exact match": [
          { label: "assistant", values: [0.2, 0.4] },
          { label: "all", values: [0.1] },
        ],
      },
      "t",
      "share",
    );
    const t = fig.data[0] as Record<string, unknown>;
    assert.deepStrictEqual(t.y, [0.30000000000000004, 0.1]);
    const sd = (t.error_y as { array: number[] }).array;
    assert.ok(Math.abs(sd[0] - Math.SQRT1_2 * 0.2) < 1e-12 && sd[1] === 0);
    assert.throws(() => errorBars({ m: [{ label: "x", values: [] }] }, "t", "y"), /no values/);
  });

  it("draws lines with optional error bars and a log x axis", () => {
    const fig = lines({ a: { x: [40, 160], y: [0.5, 0.9], error: [0.1, 0.1] } }, "t", "n", "share", {
      logX: true,
      percent: true,
    });
    assert.strictEqual((fig.layout!.xaxis as { type: string }).type, "log");
    assert.ok((fig.data[0] as Record<string, unknown>).error_y);
  });
});
