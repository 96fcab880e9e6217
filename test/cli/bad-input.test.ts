import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readPrompts } from "../../src/data/tasks/jsonl";
import { readPreferenceJsonl } from "../../src/data/sft-data";
import { checkScheduleUnchanged } from "../../src/train/loop-config";
import { trainedHere } from "../../src/model/checkpoint";

const ROOT = path.resolve(__dirname, "..", "..");
const cli = (name: string, args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src", "cli", `${name}.ts`), ...args], {
    encoding: "utf8",
    cwd: ROOT,
  });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tl-bad-input-"));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const request = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    messages: [{ role: "user", content: "What is the opposite of hot?" }],
    answer: "cold",
    ...extra,
  });

describe("bad input, trial by trial: a clear error or the right behaviour", function () {
  this.timeout(60000);

  it("reads a prompts file that starts with a byte-order mark", () => {
    assert.equal(readPrompts(file("bom.jsonl", "\uFEFF" + request() + "\n")).length, 1);
  });

  it("names a content that is not text, with its line", () => {
    const f = file(
      "num.jsonl",
      request() + "\n" + JSON.stringify({ messages: [{ role: "user", content: 42 }] }) + "\n",
    );
    assert.throws(() => readPrompts(f), /num\.jsonl:2: messages\[0\]\.content must be a string, got 42/);
  });

  it("says a folder given as --prompts or --pairs is a folder", () => {
    assert.throws(() => readPrompts(dir), /is a folder; give the prompts file inside it/);
    assert.throws(() => readPreferenceJsonl(dir), /is a folder; give the .* file inside it/);
  });

  it("does not offer flags a command lacks when a resume would change the schedule", () => {
    assert.throws(
      () =>
        checkScheduleUnchanged({ steps: 100, lr: 1e-3 }, { steps: 200, lr: 1e-3 }, "run.json", {
          scheduleFlags: false,
        }),
      (e: Error) => /start a new run without --resume/.test(e.message) && !/--decay-steps/.test(e.message),
    );
  });

  const refusals: [string, string[], RegExp][] = [
    [
      "eval",
      ["--model", "data/models/rm", "--prompts", "data/sft/eval_hhh.jsonl"],
      /is a reward model.*eval-rm/,
    ],
    [
      "eval",
      ["--model", "data/models/sft", "--prompts", "data/sft/eval_hhh.jsonl", "--out", dir],
      /is a folder; give a file name/,
    ],
    ["rm", ["--sweep", "--seeds"], /--sweep and --seeds are different runs/],
    ["rm", ["--sweep", "--steps", "3"], /--sweep does not read --steps/],
    ["dpo", ["--sweep", "--offline"], /--sweep and --offline are different runs/],
    ["ppo", ["--sweep", "--beta", "0.1"], /--sweep does not read --beta/],
    ["ppo", ["--quick", "--resume"], /--quick runs keep no checkpoints/],
    ["dpo", ["--quick", "--resume"], /--quick runs keep no checkpoints/],
    ["rm", ["--panel", "harmless"], /--panel must be one of hhh, helpful, got harmless/],
    ["dpo", ["--panel", "x"], /--panel must be one of hhh, helpful, got x/],
    ["ppo", ["--sweep", "--panel", "helpful"], /--sweep does not read --panel; drop it/],
    ["rm", ["--seeds", "--panel", "helpful"], /--seeds does not read --panel/],
  ];
  for (const [name, args, message] of refusals)
    it(`${name} ${args.join(" ")}: refused before any work`, () => {
      const r = cli(name, args);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stdout, /tfjs backend/);
    });

  it("eval: a line whose task is misspelt but gives an input names the known tasks", () => {
    const f = file("typo.jsonl", request({ task: "antonim", input: { word: "hot" } }) + "\n");
    const r = cli("eval", ["--model", "data/models/sft", "--prompts", f, "--gold", "--json"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /typo\.jsonl:1: "task" "antonim" is not a registered task.*antonym/);
  });

  it("eval: a prompt longer than the context is named by file and 1-based line, before any generation", () => {
    const long = JSON.stringify({ messages: [{ role: "user", content: "word ".repeat(300) }] });
    const f = file("long.jsonl", request() + "\n" + long + "\n");
    const r = cli("eval", ["--model", "data/models/sft", "--prompts", f]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /1 prompt\(s\) leave no room for a response.*\n.*long\.jsonl:2: \d+ tokens/);
  });

  it("says how many steps this process trained when it resumed", () => {
    assert.equal(trainedHere(40, 0, "steps"), "40 steps");
    assert.equal(trainedHere(40, 30, "steps"), "10 steps (31–40, resumed at step 30)");
  });
});
