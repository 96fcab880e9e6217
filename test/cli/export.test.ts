import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXPORT_CLI } from "../../src/cli/export";
import { helpText } from "../../src/cli/args";
import { saveCheckpoint } from "../../src/model/checkpoint";
import { loadModel } from "../../src/model/load";
import { ids2d, maxAbsDiff, setup, testTokenizer, tinyModel } from "../helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const exportCli = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/export.ts"), ...args], {
    encoding: "utf8",
    cwd: ROOT,
  });

describe("npm run export (CLI)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tl-exportcli-"));
  const ck = path.join(dir, "ck");
  const out = path.join(dir, "hf");

  before(async () => {
    await setup();
    const m = tinyModel(6);
    await saveCheckpoint(ck, { model: m, tokenizer: testTokenizer() });
    m.dispose();
  });

  it("exports a checkpoint that loadModel reads back to the same logits, and refuses to overwrite it", function () {
    this.timeout(60000);
    const r = exportCli(["--model", ck, "--out", out]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*hf: GPT2LMHeadModel, 0\.0\d M parameters \(README.md, config.json,/);
    const again = exportCli(["--model", ck, "--out", out]);
    assert.strictEqual(again.status, 1);
    assert.match(again.stderr, /export: .*hf is not empty \(README.md, config.json, .*\); pass --force/);
    const x = ids2d([[5, 6, 7, 8]]);
    const a = loadModel(ck).model;
    const b = loadModel(out).model;
    assert.strictEqual(maxAbsDiff(a.logits(x).dataSync(), b.logits(x).dataSync()), 0);
    a.dispose();
    b.dispose();
  });

  it("says so when --model is not a checkpoint, and requires both folders", function () {
    this.timeout(60000);
    const elsewhere = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tl-export-out-")), "nothing");
    const r = exportCli(["--model", dir, "--out", elsewhere, "--force"]);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /no checkpoint at .*: .* has no config.json/);
    assert.ok(!fs.existsSync(elsewhere), "nothing written");
    const usage = exportCli(["--out", out]);
    assert.match(usage.stderr, /export: --model and --out are required\nusage: npm run export/);
  });

  it("documents every option in --help", () => {
    const help = helpText(EXPORT_CLI);
    for (const flag of ["--model DIR", "--out DIR", "--force"]) assert.ok(help.includes(flag), flag);
  });
});
