import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
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
});
