import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { saveCheckpoint } from "../../src/model/checkpoint";
import { GPT } from "../../src/model/gpt";
import { trainBpe } from "../../src/tokenizer/index";
import { setup } from "../helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const evalCli = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/eval.ts"), ...args], { encoding: "utf8", cwd: ROOT });

describe("npm run eval (CLI)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tl-evalcli-"));
  const model = path.join(dir, "model");
  const prompts = path.join(dir, "prompts.jsonl");

  before(async () => {
    await setup();
    const tok = trainBpe(Array.from({ length: 50 }, (_, i) => `What is the opposite of hot? The opposite of hot is cold. Question ${i}: say up, down, wet, dry, brief, something.`), { vocabSize: 300 });
    const m = GPT.create({ vocabSize: 300, dModel: 16, nLayers: 1, nHeads: 2, contextLength: 64 }, 0);
    await saveCheckpoint(model, { model: m, tokenizer: tok });
    m.dispose();
    fs.writeFileSync(prompts, [
      { messages: [{ role: "user", content: "What is the opposite of hot?" }], answer: "cold", task: "antonym" },
      { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "What is the opposite of up?" }], answer: "down", task: "antonym" },
      { messages: [{ role: "user", content: "Say something." }] },
    ].map((o) => JSON.stringify(o)).join("\n") + "\n");
  });

  it("prints one JSON object with the rates, exact match and per-task rates", function () {
    this.timeout(60000);
    for (const format of ["chat", "raw"]) {
      const r = evalCli(["--model", model, "--prompts", prompts, "--format", format, "--json", "--max-new-tokens", "8"]);
      assert.strictEqual(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepStrictEqual(Object.keys(out).sort(), ["answer_rate", "by_task", "continuation_rate", "exact_match", "n", "other_rate"]);
      assert.strictEqual(out.n, 3);
      assert.ok(Math.abs(out.answer_rate + out.continuation_rate + out.other_rate - 1) < 1e-9);
      assert.deepStrictEqual(Object.keys(out.by_task).sort(), ["antonym", "untagged"]);
    }
  });

  it("reports bad lines with their line numbers and exits 1", function () {
    this.timeout(60000);
    const bad = path.join(dir, "bad.jsonl");
    fs.writeFileSync(bad, '{"messages":[{"role":"user","content":"ok"}]}\n{"messages": oops}\n');
    const r = evalCli(["--model", model, "--prompts", bad, "--json"]);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, "\\.")}:2: `));
  });

  it("names a missing checkpoint and an unknown option", function () {
    this.timeout(60000);
    assert.match(evalCli(["--model", path.join(dir, "nope"), "--prompts", prompts]).stderr, /no checkpoint at .*nope/);
    assert.match(evalCli(["--model", model, "--prompts", prompts, "--fromat", "raw"]).stderr, /unknown option --fromat/);
  });
});
