import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkOutput, realish, runOfKind } from "../src/output";

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "output-rule-"));
}

describe("output: the rule every folder-writing command checks first", () => {
  const ours = runOfKind("sft");
  const base = (out: string, extra: Partial<Parameters<typeof checkOutput>[0]> = {}) =>
    checkOutput({ out, what: "SFT model", ours, ...extra });

  it("accepts a new folder, an empty one, and one holding a run of its own kind", () => {
    const d = tmp();
    base(path.join(d, "new", "deeper"));
    fs.mkdirSync(path.join(d, "empty"));
    base(path.join(d, "empty"));
    fs.mkdirSync(path.join(d, "mine"));
    fs.writeFileSync(path.join(d, "mine", "run.json"), JSON.stringify({ method: "sft" }));
    fs.writeFileSync(path.join(d, "mine", "weights.bin"), "");
    base(path.join(d, "mine"));
  });

  it("refuses a folder of foreign files unless --force, naming what is there", () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, "notes.txt"), "mine");
    fs.writeFileSync(path.join(d, "run.json"), JSON.stringify({ method: "dpo" }));
    assert.throws(
      () => base(d),
      /holds 2 entries this command did not make \(notes\.txt, run\.json\).*--force/,
    );
    base(d, { force: true });
  });

  it("refuses a file", () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, "f"), "x");
    assert.throws(() => base(path.join(d, "f")), /--out .*f is a file; give a folder for the SFT model/);
  });

  it("refuses an --out that is, holds or lies inside a model the run reads, through symlinks too, even with --force", () => {
    const d = tmp();
    const model = path.join(d, "models", "sft");
    fs.mkdirSync(model, { recursive: true });
    fs.symlinkSync(model, path.join(d, "link"));
    assert.throws(() => base(model, { reads: [model], force: true }), /is .*which this run reads/);
    assert.throws(
      () => base(path.join(d, "link"), { reads: [model], force: true }),
      /is .*which this run reads/,
    );
    assert.throws(
      () => base(path.join(model, "sub"), { reads: [model] }),
      /lies inside .*which this run reads/,
    );
    assert.throws(
      () => base(path.join(d, "models"), { reads: [model], force: true }),
      /contains .*which this run reads/,
    );
    assert.equal(realish(path.join(d, "link", "x")), path.join(fs.realpathSync(model), "x"));
  });

  it("refuses an --out where nothing can be written, before any work", () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, "file"), "x");
    assert.throws(() => base(path.join(d, "file", "out")), /cannot write in .*file/);
    assert.throws(() => base("/proc/tuning-lab-out"), /cannot write in \/proc/);
  });
});
