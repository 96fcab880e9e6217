import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const pretrain = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/pretrain.ts"), ...args], {
    encoding: "utf8",
    cwd: ROOT,
  });

describe("npm run pretrain (CLI) bad input", function () {
  this.timeout(60000);

  it("names an unknown option and lists the options", () => {
    const r = pretrain(["--stpes", "3"]);
    assert.strictEqual(r.status, 1);
    assert.match(
      r.stderr,
      /unknown option --stpes; options: --quick, --resume, --steps N, --seed N, --out DIR/,
    );
  });

  it("rejects a step count that is not a whole number", () => {
    assert.match(pretrain(["--steps", "1.5"]).stderr, /--steps needs a whole number, got 1\.5/);
  });

  it("refuses --resume when no run is in progress, before building anything", function () {
    if (fs.existsSync(path.join(ROOT, "build", "pretrain-quick", "config.json"))) this.skip();
    const r = pretrain(["--quick", "--resume"]);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /--resume: no in-progress run at .*pretrain-quick; start without --resume/);
  });

  it("refuses --resume with another seed or schedule, naming the fields, unless the schedule flag is given", function () {
    this.timeout(180000);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pretrain-ck-"));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "pretrain-out-"));
    const first = pretrain(["--quick", "--steps", "4", "--checkpoints", work, "--out", out]);
    assert.strictEqual(first.status, 0, first.stderr);
    const seed = pretrain(["--quick", "--resume", "--steps", "4", "--seed", "5", "--checkpoints", work]);
    assert.strictEqual(seed.status, 1);
    assert.match(
      seed.stderr,
      /run\.json: resuming would change seed 0 → 5: .*start a new run without --resume/,
    );
    const longer = pretrain(["--quick", "--resume", "--steps", "6", "--checkpoints", work]);
    assert.strictEqual(longer.status, 1);
    assert.match(longer.stderr, /resuming would change the learning-rate schedule .*decaySteps 4 → 6/);
    const allowed = pretrain([
      "--quick",
      "--resume",
      "--steps",
      "6",
      "--allow-schedule-change",
      "--checkpoints",
      work,
      "--out",
      out,
    ]);
    assert.strictEqual(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stdout + allowed.stderr, /pretrain \(from step 4\)/);
  });
});
