import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  confirmPeak,
  heldoutMonitor,
  lengthBonus,
  loadPpoInputs,
  loadPpoRun,
} from "../../src/experiments/ppo";
import { jobLabel, PPO_SWEEP, PPO_SWEEP_QUICK, sweepJobs } from "../../src/experiments/ppo-sweep";
import { bestOfNKl, comparePolicies, gainByTask, PolicyResponse } from "../../src/eval/policy";
import { loadModel } from "../../src/model/load";
import type { EvalItem } from "../../src/data/tasks/eval-sets";
import { goldReward } from "../../src/judge/gold";
import { setup } from "../helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const item = {
  messages: [{ role: "user" as const, content: "What is the opposite of hot?" }],
  answer: "cold",
};
const response = (text: string): PolicyResponse => ({
  response: text,
  stopped: true,
  behaviour: "answer",
  correct: text === "cold",
  gold: goldReward(item, text, true),
});

describe("experiments/ppo: measuring a policy", () => {
  it("gives best-of-n's analytic KL: 0 at n = 1, log n − (n−1)/n", () => {
    assert.equal(bestOfNKl(1), 0);
    assert.ok(Math.abs(bestOfNKl(2) - (Math.log(2) - 0.5)) < 1e-12);
    assert.ok(bestOfNKl(16) > bestOfNKl(8));
  });

  it("pays the length bonus per word", () => {
    assert.equal(lengthBonus(0.1)({ text: " one two  three " }), 0.1 * 3);
    assert.equal(lengthBonus(0.1)({ text: "" }), 0);
  });

  it("pairs the gain per prompt: the same change on every prompt has a zero-width interval", () => {
    const before = [response("warm"), response("cold"), response("warm")];
    const after = [response("cold"), response("cold"), response("warm")];
    const c = comparePolicies(before, after);
    const d = goldReward(item, "cold", true).total - goldReward(item, "warm", true).total;
    assert.ok(Math.abs(c.gain.gold.mean - d / 3) < 1e-12);
    assert.ok(c.gain.gold.lo < c.gain.gold.mean && c.gain.gold.hi > c.gain.gold.mean);
    assert.equal(c.after.exactMatch.k, 2);
    const same = comparePolicies(before, before);
    assert.deepEqual([same.gain.gold.lo, same.gain.gold.hi], [0, 0]);
    assert.throws(() => comparePolicies(before, after.slice(1)), /3 responses before but 2 after/);
  });

  it("splits the paired gain by task", () => {
    const items = ["a", "b", "a"].map((task) => ({ ...item, task })) as unknown as EvalItem[];
    const rows = gainByTask(
      items,
      [response("warm"), response("cold"), response("warm")],
      [response("cold"), response("cold"), response("warm")],
    );
    assert.deepEqual(
      rows.map((r) => [r.task, r.n]),
      [
        ["a", 2],
        ["b", 1],
      ],
    );
    const d = goldReward(item, "cold", true).total - goldReward(item, "warm", true).total;
    assert.ok(Math.abs(rows[0].gain.mean - d / 2) < 1e-12);
    assert.equal(rows[1].gain.mean, 0);
    assert.deepEqual([rows[0].correctBefore, rows[0].correctAfter], [0, 0.5]);
  });

  it("lists the sweep's runs once each, named apart", () => {
    const jobs = sweepJobs(PPO_SWEEP);
    const per = PPO_SWEEP.betas.length + PPO_SWEEP.advantages.length - 1 + 1;
    assert.equal(jobs.length, PPO_SWEEP.seeds.length * per);
    assert.equal(new Set(jobs.map(jobLabel)).size, jobs.length);
    assert.ok(sweepJobs(PPO_SWEEP_QUICK).every((j) => j.quick));
  });
});

describe("experiments/ppo: the overoptimisation run's gold peak", function () {
  this.timeout(120000);
  before(setup);

  it("keeps a copy of the policy at its gold peak and re-measures it, paired, on fresh samples", () => {
    const inputs = loadPpoInputs();
    const items = inputs.heldout.slice(0, 6);
    const base = loadModel("data/models/base").model;
    const monitor = heldoutMonitor(inputs, items, { samples: 2, seed: 3, lengthBias: 0 });
    const atSft = monitor(0, inputs.sft);
    const atBase = monitor(1, base);
    monitor(2, inputs.sft);
    // The base model continues instead of answering: lower gold, so the peak stays at step 0,
    // and a tie (step 2 is SFT again, same samples) does not move it.
    assert.ok(atBase["val/gold_sampled"]! < atSft["val/gold_sampled"]!);
    assert.equal(monitor.peak!.step, 0);
    assert.notEqual(monitor.peak!.policy, inputs.sft, "a copy, not the live policy");
    assert.deepEqual([...monitor.perPrompt.keys()], [0, 1, 2]);
    assert.deepEqual(monitor.perPrompt.get(2), monitor.perPrompt.get(0), "same seed, same samples");
    const check = confirmPeak(inputs, items, monitor.peak!.policy, base, { samples: 2, seed: 9 });
    // The peak is a copy of SFT: on the same fresh samples its paired rise is exactly 0.
    assert.deepEqual([check.rise.mean, check.rise.lo, check.rise.hi], [0, 0, 0]);
    assert.ok(Math.abs(check.fall.mean - check.net.mean) < 1e-12);
    assert.ok(check.fall.mean < 0, "the base model's gold is below SFT's");
    assert.ok(Math.abs(check.fall.mean - (check.gold.final.mean - check.gold.peak.mean)) < 1e-12);
    monitor.dispose();
    base.dispose();
  });
});

describe("npm run ppo (CLI)", function () {
  this.timeout(300000);
  before(setup);

  it("trains a quick policy, saves it without the value head, with its evaluation on record", () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ppo-cli-")), "policy");
    const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/ppo.ts", "--quick", "--out", out], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /held-out prompts \(n=50\): gold/);
    const { model } = loadModel(out);
    assert.equal(model.config.scalarHead, false);
    const run = loadPpoRun(out);
    assert.equal(run.config.steps, 8);
    assert.ok(run.notes.evaluation.heldout.before.n === 50);
    for (const k of ["objective/kl", "objective/gold", "policy/clipfrac", "loss/value"] as const)
      assert.ok(Number.isFinite(run.metrics[run.metrics.length - 1][k]), k);
  });

  it("refuses --resume with no run in progress, and an unknown estimator", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli/ppo.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
    // A quick run keeps no checkpoints, so --quick --resume is refused whatever build/ holds.
    const r = run("--quick", "--resume");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--quick runs keep no checkpoints.*drop --resume/);
    if (!fs.existsSync(path.join(ROOT, "build", "ppo", "run.json"))) {
      const none = run("--resume");
      assert.equal(none.status, 1);
      assert.match(none.stderr, /--resume: no in-progress run at .*ppo; start without --resume/);
    }
    const bad = run("--advantage", "ppo2");
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--advantage must be one of gae, rloo, grpo, got ppo2/);
  });
});
