import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  DPO_MIX,
  DPO_SWEEP,
  DPO_SWEEP_QUICK,
  dpoJobLabel,
  dpoSweepJobs,
  hhhDpoPairs,
  loadDpoRun,
} from "../../src/experiments/dpo";
import { winRate } from "../../src/eval/policy";
import { setup } from "../helpers";

const ROOT = path.resolve(__dirname, "..", "..");

describe("experiments/dpo: win rates and the sweep's runs", () => {
  it("trains on every HHH prompt's pairs and on every DPO_MIX.rmEvery-th prompt of the RM's pool", () => {
    const pair = (id: string) => ({ prompt: [], chosen: [], rejected: [], meta: { prompt_id: id } });
    const ids = ["rm/0", "rm/1", `rm/${DPO_MIX.rmEvery}`, "hhh/0", "hhh/1", "hhh/7"];
    assert.deepEqual(
      hhhDpoPairs(ids.map(pair)).map((p) => p.meta?.prompt_id),
      ["rm/0", `rm/${DPO_MIX.rmEvery}`, "hhh/0", "hhh/1", "hhh/7"],
    );
  });

  it("counts a win 1, a tie ½ and a loss 0 per prompt, with an interval", () => {
    const w = winRate([0.9, 0.5, 0.1, 0.7], [0.5, 0.5, 0.5, 0.2]);
    assert.equal(w.mean, (1 + 0.5 + 0 + 1) / 4);
    assert.ok(w.lo < w.mean && w.hi > w.mean);
    assert.deepEqual([winRate([1, 1], [1, 1]).lo, winRate([1, 1], [1, 1]).hi], [0.5, 0.5]);
    assert.throws(() => winRate([1], [1, 2]), /same non-empty prompts on both sides, got 1 and 2/);
  });

  it("lists the β grid × seeds, one run per variant and seed and Preferred-FT, named apart", () => {
    const jobs = dpoSweepJobs(DPO_SWEEP);
    const n =
      DPO_SWEEP.betas.length * DPO_SWEEP.seeds.length +
      DPO_SWEEP.variants.reduce((k, v) => k + (v.seeds?.length ?? 1), 0) +
      DPO_SWEEP.preferredFtSeeds.length;
    assert.equal(jobs.length, n);
    assert.equal(new Set(jobs.map(dpoJobLabel)).size, n);
    assert.ok(dpoSweepJobs(DPO_SWEEP_QUICK).every((j) => j.quick));
  });
});

describe("npm run dpo (CLI)", function () {
  this.timeout(300000);
  before(setup);

  it("trains a quick policy and saves it with its held-out evaluation on record", () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dpo-cli-")), "policy");
    const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/dpo.ts", "--quick", "--out", out], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /held-out greedy \(n=50\): gold/);
    assert.match(r.stdout, /win rate against SFT/);
    const run = loadDpoRun(out);
    assert.equal(run.config.steps, 10);
    assert.equal(run.notes.evaluation.sampled.prompts, 16);
    const last = run.metrics[run.metrics.length - 1];
    for (const k of ["rewards/margins", "rewards/accuracies", "logps/chosen", "logps/rejected"] as const)
      assert.ok(Number.isFinite(last[k]), k);
  });

  it("refuses β ≤ 0 and an unknown loss", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli/dpo.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
    const zero = run("--quick", "--beta", "0");
    assert.equal(zero.status, 1);
    assert.match(zero.stderr, /beta = 0 must be > 0/);
    const bad = run("--loss", "bogus");
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--loss must be one of sigmoid, cdpo, ipo, hinge, simpo, orpo, kto, got bogus/);
    const lambda = run("--quick", "--loss", "orpo", "--orpo-lambda=-1");
    assert.equal(lambda.status, 1);
    assert.match(lambda.stderr, /--orpo-lambda needs a number ≥ 0, got -1/);
  });
});
