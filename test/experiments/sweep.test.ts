import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cellTable, codeHash, isCached, jobKey, runCached, stableJson } from "../../src/experiments/sweep";

interface Job {
  lr: number;
  seed: number;
}

/** A stand-in for the worker pool: records which jobs ran, and can fail on one. */
function fakeRun(ran: Job[], failOn?: (j: Job) => boolean) {
  return async (jobs: Job[], done: (r: number, i: number) => void) => {
    for (const [i, j] of jobs.entries()) {
      if (failOn?.(j)) throw new Error(`run lr=${j.lr} seed=${j.seed}: the worker crashed`);
      ran.push(j);
      done(j.lr * 100 + j.seed, i);
    }
  };
}

describe("experiments/sweep: cached, resumable grids", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "sweep-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const grid: Job[] = [0.1, 0.2].flatMap((lr) => [0, 1].map((seed) => ({ lr, seed })));

  it("hashes configs by content, not key order, and the code with them", () => {
    assert.equal(stableJson({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}');
    assert.equal(jobKey({ lr: 1, seed: 2 }, "c"), jobKey({ seed: 2, lr: 1 }, "c"));
    assert.notEqual(jobKey({ lr: 1, seed: 2 }, "c"), jobKey({ lr: 1, seed: 3 }, "c"));
    assert.notEqual(jobKey({ lr: 1 }, "c"), jobKey({ lr: 1 }, "d"));
    assert.match(codeHash(), /^[0-9a-f]{64}$/);
  });

  it("runs a grid once; a rerun reads every result from the cache; a changed field runs again", async () => {
    const ran: Job[] = [];
    const first = await runCached({ dir, jobs: grid, run: fakeRun(ran), code: "v1" });
    assert.deepEqual(first.results, [10, 11, 20, 21]);
    assert.deepEqual(first.cached, [false, false, false, false]);
    const again = await runCached({ dir, jobs: grid, run: fakeRun(ran), code: "v1" });
    assert.deepEqual(again.results, first.results);
    assert.deepEqual(again.cached, [true, true, true, true]);
    assert.equal(ran.length, 4);
    const changed = [...grid.slice(0, 3), { lr: 0.3, seed: 1 }];
    const third = await runCached({ dir, jobs: changed, run: fakeRun(ran), code: "v1" });
    assert.deepEqual(third.cached, [true, true, true, false]);
    assert.deepEqual(ran[4], { lr: 0.3, seed: 1 });
    // New code: nothing is reused.
    const v2 = await runCached({ dir, jobs: grid, run: fakeRun(ran), code: "v2" });
    assert.deepEqual(v2.cached, [false, false, false, false]);
  });

  it("a crashed run fails the grid with its config, keeps the finished runs, and the rerun resumes", async () => {
    const ran: Job[] = [];
    await assert.rejects(
      runCached({ dir, jobs: grid, run: fakeRun(ran, (j) => j.lr === 0.2 && j.seed === 1), code: "v1" }),
      /lr=0.2 seed=1: the worker crashed/,
    );
    assert.equal(ran.length, 3);
    const resumed = await runCached({ dir, jobs: grid, run: fakeRun(ran), code: "v1" });
    assert.deepEqual(resumed.cached, [true, true, true, false]);
    assert.equal(ran.length, 4);
    assert.deepEqual(resumed.results, [10, 11, 20, 21]);
  });

  it("runs again what was cached before `rerunBefore`, once, and caches the new results", async () => {
    const ran: Job[] = [];
    await runCached({ dir, jobs: grid, run: fakeRun(ran), code: "v1" });
    await new Promise((r) => setTimeout(r, 5));
    const start = new Date();
    const rerun = await runCached({ dir, jobs: grid, run: fakeRun(ran), code: "v1", rerunBefore: start });
    assert.deepEqual(rerun.cached, [false, false, false, false]);
    assert.equal(ran.length, 8);
    // A second grid of the same session sharing jobs reads them from the cache: they ran after `start`.
    const shared = await runCached({
      dir,
      jobs: grid.slice(1),
      run: fakeRun(ran),
      code: "v1",
      rerunBefore: start,
    });
    assert.deepEqual(shared.cached, [true, true, true]);
    assert.equal(ran.length, 8);
    assert.deepEqual(isCached(dir, grid, "v1", start), [true, true, true, true]);
    assert.deepEqual(isCached(dir, grid, "v1", new Date(Date.now() + 1000)), [false, false, false, false]);
  });

  it("a run that gives no result for a job is an error naming the job", async () => {
    await assert.rejects(
      runCached({ dir, jobs: grid, run: async () => undefined, code: "v1" }),
      /no result for job \{"lr":0.1,"seed":0\}/,
    );
  });

  it("summarises runs per cell over seeds: mean, 95 % interval, count", () => {
    const rows = grid.map((j) => ({ ...j, score: j.lr + j.seed / 10 }));
    const t = cellTable(
      rows,
      (r) => ({ lr: r.lr }),
      (r) => r.score,
    ).objects() as {
      lr: number;
      mean: number;
      lo: number;
      n: number;
    }[];
    assert.deepEqual(
      t.map((r) => [r.lr, r.n]),
      [
        [0.1, 2],
        [0.2, 2],
      ],
    );
    assert.ok(Math.abs(t[0].mean - 0.15) < 1e-12);
    assert.ok(t[0].lo < t[0].mean);
  });
});
