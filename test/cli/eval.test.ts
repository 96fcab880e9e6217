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
const evalCli = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/eval.ts"), ...args], {
    encoding: "utf8",
    cwd: ROOT,
  });

describe("npm run eval (CLI)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tl-evalcli-"));
  const model = path.join(dir, "model");
  const prompts = path.join(dir, "prompts.jsonl");

  before(async () => {
    await setup();
    const tok = trainBpe(
      Array.from(
        { length: 50 },
        (_, i) =>
          `What is the opposite of hot? The opposite of hot is cold. Question ${i}: say up, down, wet, dry, brief, something.`,
      ),
      { vocabSize: 300 },
    );
    const m = GPT.create({ vocabSize: 300, dModel: 16, nLayers: 1, nHeads: 2, contextLength: 64 }, 0);
    await saveCheckpoint(model, { model: m, tokenizer: tok });
    m.dispose();
    fs.writeFileSync(
      prompts,
      [
        {
          messages: [{ role: "user", content: "What is the opposite of hot?" }],
          answer: "cold",
          task: "antonym",
        },
        {
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "What is the opposite of up?" },
          ],
          answer: "down",
          task: "antonym",
        },
        { messages: [{ role: "user", content: "Say something." }] },
      ]
        .map((o) => JSON.stringify(o))
        .join("\n") + "\n",
    );
  });

  it("prints one JSON object with the rates, exact match and per-task rates", function () {
    this.timeout(60000);
    for (const format of ["chat", "raw"]) {
      const r = evalCli([
        "--model",
        model,
        "--prompts",
        prompts,
        "--format",
        format,
        "--json",
        "--max-new-tokens",
        "8",
      ]);
      assert.strictEqual(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepStrictEqual(Object.keys(out).sort(), [
        "answer_rate",
        "by_task",
        "continuation_rate",
        "exact_match",
        "n",
        "other_rate",
      ]);
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

  it("--show N prints a table of N prompts with response, behaviour and correctness; --out writes every response", function () {
    this.timeout(60000);
    const out = path.join(dir, "responses", "all.jsonl");
    const r = evalCli([
      "--model",
      model,
      "--prompts",
      prompts,
      "--max-new-tokens",
      "6",
      "--show",
      "2",
      "--out",
      out,
    ]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /the first 2 of 3 prompts:\n# +task +request +response +behaviour +ok +answer\n1 +antonym .*(answer|continuation|other) +[✓✗] +cold\n2 +antonym .* +down\nwrote 3 responses/,
    );
    const lines = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.strictEqual(lines.length, 3);
    assert.deepStrictEqual(Object.keys(lines[0]).sort(), [
      "answer",
      "behaviour",
      "correct",
      "cue",
      "prompt",
      "response",
      "stopped",
      "task",
    ]);
    assert.strictEqual(lines[2].correct, null);
    const j = evalCli([
      "--model",
      model,
      "--prompts",
      prompts,
      "--max-new-tokens",
      "6",
      "--show",
      "1",
      "--json",
    ]);
    assert.strictEqual(JSON.parse(j.stdout).n, 3, "with --json, stdout stays one JSON object");
    assert.match(j.stderr, /^# +task/m);
  });

  it("rejects an unknown flag, a bad value and a missing one, and prints --help", function () {
    this.timeout(60000);
    const unknown = evalCli(["--model", model, "--prompts", prompts, "--shwo", "3"]);
    assert.strictEqual(unknown.status, 1);
    assert.match(unknown.stderr, /^eval: unknown option --shwo\nusage: npm run --silent eval/);
    assert.match(
      evalCli(["--model", model, "--prompts", prompts, "--show", "0"]).stderr,
      /--show needs a positive whole number, got 0/,
    );
    assert.match(
      evalCli(["--model", model, "--prompts", prompts, "--format", "html"]).stderr,
      /--format must be one of chat, raw, got html/,
    );
    assert.match(evalCli(["--model", model, "--prompts"]).stderr, /--prompts needs a value/);
    assert.match(evalCli(["--model", model]).stderr, /--model and --prompts are required/);
    const help = evalCli(["--help"]);
    assert.strictEqual(help.status, 0);
    assert.match(help.stdout, /--show N +also print a table of the first N prompts/);
  });

  it("names a missing checkpoint and an unknown option", function () {
    this.timeout(60000);
    assert.match(
      evalCli(["--model", path.join(dir, "nope"), "--prompts", prompts]).stderr,
      /no checkpoint at .*nope/,
    );
    assert.match(
      evalCli(["--model", model, "--prompts", prompts, "--fromat", "raw"]).stderr,
      /unknown option --fromat/,
    );
  });
});
