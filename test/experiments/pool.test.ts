import * as assert from "assert";
import { thin } from "../../src/eval/suite";
import type { Arm } from "../../src/experiments/arm";
import { workerBlasThreads } from "../../src/experiments/pool";
import { loadSftInputs, runArms, SftInputs } from "../../src/experiments/sft";
import { setBlasThreads } from "../../src/native/index";
import { SFT_QUICK, sftConfig } from "../../src/train/sft";
import { setup } from "../helpers";

describe("experiments/pool: ablation arms in worker processes", function () {
  this.timeout(240000);
  let inputs: SftInputs;
  before(async () => {
    await setup();
    inputs = loadSftInputs({ replayDocs: 300 });
  });
  after(() => inputs?.base.model.dispose());

  const base = () =>
    sftConfig(
      {
        steps: 2,
        batchSize: 4,
        microBatchSize: 4,
        replayBatchSize: 2,
        replayLength: 32,
        warmupSteps: 1,
        logEvery: 1,
      },
      SFT_QUICK,
    );
  const arms: Arm[] = [
    { group: "mask", label: "all", mask: "all" },
    { group: "size", label: "40", trainSize: 40, config: { seed: 3 } },
    { group: "replay", label: "off", config: { replayBatchSize: 0 } },
  ];

  it("gives the same results as running the arms one after another", async () => {
    const sets = { heldin: thin(inputs.sets.heldin, 6) };
    // At the workers' BLAS thread count: OpenBLAS's sums depend on it.
    const before = setBlasThreads(workerBlasThreads(2));
    const serial = await runArms(inputs, arms, base(), { sets }).finally(
      () => before && setBlasThreads(before),
    );
    let ticks = 0;
    const parallel = await runArms(inputs, arms, base(), {
      sets,
      workers: 2,
      progress: {
        tick: (n = 1) => {
          ticks += n;
        },
        done: () => {},
      },
    });
    assert.strictEqual(ticks, 6);
    assert.deepStrictEqual(
      parallel.map((r) => r.label),
      ["all", "40", "off"],
    );
    const view = (rs: typeof serial) =>
      rs.map((r) => ({
        losses: r.run.metrics.map((m) => m.loss),
        sets: r.sets,
        cloze: r.cloze,
        n: r.trainSize,
        replay: r.replay,
      }));
    assert.deepStrictEqual(view(parallel), view(serial));
  });

  it("names the arm that failed", async () => {
    const bad: Arm[] = [{ group: "size", label: "too many", trainSize: 10 ** 6 }];
    await assert.rejects(
      runArms(inputs, bad, base(), { sets: {}, workers: 2 }),
      /ablation arm size=too many: subsetRecords: asked for 1000000 examples but the dataset has 2526/,
    );
  });
});
