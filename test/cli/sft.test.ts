import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseSftArgs } from "../../src/cli/sft";

const ROOT = path.resolve(__dirname, "..", "..");

describe("npm run sft (CLI) bad input", function () {
  this.timeout(60000);

  it("names an unknown option, a bad mask or a bad number, with the usage", () => {
    assert.throws(() => parseSftArgs(["--stpes", "3"]), /sft: unknown option --stpes\nusage: npm run sft/);
    assert.throws(
      () => parseSftArgs(["--mask", "answers"]),
      /--mask must be one of assistant, prompt-and-answer, all, got answers/,
    );
    assert.throws(() => parseSftArgs(["--steps", "1.5"]), /--steps needs a whole number, got 1\.5/);
    assert.throws(() => parseSftArgs(["--out"]), /--out needs a value/);
    assert.deepStrictEqual(parseSftArgs(["--quick", "--mask", "all", "--steps", "5"]), {
      quick: true,
      resume: false,
      seed: 0,
      mask: "all",
      steps: 5,
    });
  });

  it("refuses --resume when no run is in progress, before loading anything", function () {
    if (fs.existsSync(path.join(ROOT, "build", "sft-quick", "config.json"))) this.skip();
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "src/cli/sft.ts"), "--quick", "--resume"],
      { encoding: "utf8", cwd: ROOT },
    );
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /--resume: no in-progress run at .*sft-quick; start without --resume/);
  });
});

describe("npm run sft (CLI) options", () => {
  it("parses the schedule flags, and prints --help", () => {
    assert.deepStrictEqual(
      parseSftArgs(["--resume", "--steps", "1600", "--decay-steps", "1000", "--allow-schedule-change"]),
      {
        quick: false,
        resume: true,
        seed: 0,
        mask: "assistant",
        steps: 1600,
        decaySteps: 1000,
        allowScheduleChange: true,
      },
    );
    assert.throws(
      () => parseSftArgs(["--decay-steps", "0"]),
      /--decay-steps needs a positive whole number, got 0/,
    );
    assert.throws(() => parseSftArgs(["extra"]), /unexpected argument extra/);
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/sft.ts"), "--help"], {
      encoding: "utf8",
      cwd: ROOT,
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: npm run sft/);
    assert.match(r.stdout, /--allow-schedule-change +let --resume change the lr schedule/);
  });
});
