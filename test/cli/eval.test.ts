import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AnsweredItem } from "../../src/data/tasks/eval-sets";
import { goldReward } from "../../src/judge/gold";
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
  /** Same tokenizer, peaked next-token distributions (large initial weights): far from `model`. */
  const reference = path.join(dir, "reference");
  /** A 320-token vocabulary. */
  const otherVocab = path.join(dir, "other-vocab");
  /** 300 tokens too, but other merges. */
  const otherTokenizer = path.join(dir, "other-tokenizer");
  /** Prompts without a task: gold scores them by their answer. */
  const untagged = path.join(dir, "untagged.jsonl");
  const untaggedItems = [
    { messages: [{ role: "user", content: "What is the opposite of hot?" }], answer: "cold" },
    {
      messages: [{ role: "user", content: "What is the opposite of up?" }],
      answer: "down",
      accepted: ["low"],
    },
    { messages: [{ role: "user", content: "Say something." }] },
  ];

  before(async () => {
    await setup();
    const texts = Array.from(
      { length: 50 },
      (_, i) =>
        `What is the opposite of hot? The opposite of hot is cold. Question ${i}: say up, down, wet, dry, brief, something.`,
    );
    const tok = trainBpe(texts, { vocabSize: 300 });
    const shape = { vocabSize: 300, dModel: 16, nLayers: 1, nHeads: 2, contextLength: 64 };
    const save = async (to: string, m: GPT, t = tok) => {
      await saveCheckpoint(to, { model: m, tokenizer: t });
      m.dispose();
    };
    await save(model, GPT.create(shape, 0));
    await save(reference, GPT.create({ ...shape, initStd: 0.5 }, 1));
    await save(otherVocab, GPT.create({ ...shape, vocabSize: 320 }, 0), trainBpe(texts, { vocabSize: 320 }));
    const otherTexts = texts.map((t) => t.replace(/opposite/g, "antonym").replace(/hot/g, "warm"));
    await save(otherTokenizer, GPT.create(shape, 0), trainBpe(otherTexts, { vocabSize: 300 }));
    fs.writeFileSync(untagged, untaggedItems.map((o) => JSON.stringify(o)).join("\n") + "\n");
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
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

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
        "abstain_rate",
        "answer_rate",
        "by_kind",
        "by_task",
        "continuation_rate",
        "exact_match",
        "n",
        "other_rate",
        "refusal_rate",
      ]);
      assert.strictEqual(out.n, 3);
      const rates = ["answer_rate", "continuation_rate", "refusal_rate", "abstain_rate", "other_rate"];
      assert.ok(Math.abs(rates.reduce((s, k) => s + out[k], 0) - 1) < 1e-9);
      assert.deepStrictEqual(Object.keys(out.by_task).sort(), ["antonym", "untagged"]);
      assert.deepStrictEqual(Object.keys(out.by_kind), ["benign"]);
      assert.strictEqual(out.by_kind.benign.n, 3);
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
      /the first 2 of 3 prompts:\n# +task +kind +request +response +behaviour +ok +answer\n1 +antonym +benign .*(answer|continuation|refusal|abstention|other) +[✓✗] +cold\n2 +antonym +benign .* +down\nwrote 3 responses/,
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
      "kind",
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

  it("--gold adds the mean gold reward of the greedy responses, scoring prompts without a task by their answer", function () {
    this.timeout(60000);
    const out = path.join(dir, "gold.jsonl");
    const args = ["--model", model, "--prompts", untagged, "--max-new-tokens", "8", "--gold"];
    const r = evalCli([...args, "--json", "--out", out]);
    assert.strictEqual(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    for (const k of ["gold_reward", "gold_ci95", "gold_behavioural", "gold_prompt_specific", "gold_n"])
      assert.ok(k in j, `missing ${k}`);
    assert.ok(!("kl" in j) && !("gold_reward_sampled" in j), "no sampling without --samples or --reference");
    assert.strictEqual(j.gold_n, 2, "only prompts with an answer are scored");
    const [lo, hi] = j.gold_ci95;
    assert.ok(0 <= lo && lo <= j.gold_reward && j.gold_reward <= hi && hi <= 1, r.stdout);
    assert.ok(Math.abs(j.gold_behavioural + j.gold_prompt_specific - j.gold_reward) < 1e-9);
    assert.deepStrictEqual(Object.keys(j.gold_hhh), ["helpful", "harmless", "honest"]);
    // Every test prompt is benign: nothing to refuse, no unknown word.
    assert.deepStrictEqual(Object.keys(j.gold_by_kind), ["benign"]);
    assert.ok(Math.abs(j.gold_by_kind.benign.gold_reward - j.gold_reward) < 1e-9);
    // The mean is goldReward's over the responses written: the answer-only items are scored by their answer.
    const responses = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const expected = [0, 1].map((i) =>
      goldReward(untaggedItems[i] as AnsweredItem, responses[i].response, responses[i].stopped),
    );
    assert.ok(Math.abs(j.gold_reward - (expected[0].total + expected[1].total) / 2) < 1e-9);
    const text = evalCli(args);
    assert.strictEqual(text.status, 0, text.stderr);
    assert.match(
      text.stdout,
      /gold reward \(2 prompts with an answer\):\n  greedy: \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]; behavioural \d\.\d{3}, prompt-specific \d\.\d{3}\n/,
    );
  });

  it("--reference DIR --samples N reports the KL of samples to the reference and their gold, seeded", function () {
    this.timeout(120000);
    const base = ["--model", model, "--prompts", untagged, "--max-new-tokens", "6", "--json"];
    const run = (...extra: string[]) => {
      const r = evalCli([...base, ...extra]);
      assert.strictEqual(r.status, 0, r.stderr);
      return { json: JSON.parse(r.stdout), stdout: r.stdout };
    };
    const self = run("--reference", model, "--samples", "2").json;
    assert.strictEqual(self.kl, 0, "a model against itself");
    assert.deepStrictEqual(self.kl_ci95, [0, 0]);
    assert.strictEqual(self.samples, 2);

    const a = run("--reference", reference, "--samples", "2");
    const b = run("--reference", reference, "--samples", "2");
    assert.strictEqual(a.stdout, b.stdout, "same command, same numbers");
    const j = a.json;
    assert.ok(j.kl > 0, `KL ${j.kl}`);
    assert.ok(j.kl_ci95[0] <= j.kl && j.kl <= j.kl_ci95[1]);
    const [lo, hi] = j.gold_sampled_ci95;
    assert.ok(0 <= lo && lo <= j.gold_reward_sampled && j.gold_reward_sampled <= hi && hi <= 1, a.stdout);
    assert.strictEqual(
      j.gold_reward_sampled,
      self.gold_reward_sampled,
      "the samples do not depend on the reference",
    );
    assert.notStrictEqual(run("--reference", reference, "--samples", "2", "--seed", "1").json.kl, j.kl);

    const defaults = run("--reference", reference).json;
    assert.strictEqual(defaults.samples, 4, "--reference alone samples 4 per prompt");
    const noRef = run("--samples", "2").json;
    assert.ok(!("kl" in noRef));
    assert.strictEqual(noRef.gold_reward_sampled, j.gold_reward_sampled);
    assert.strictEqual(noRef.gold_n, 2);

    const text = evalCli([
      "--model",
      model,
      "--prompts",
      untagged,
      "--max-new-tokens",
      "6",
      "--reference",
      reference,
    ]);
    assert.strictEqual(text.status, 0, text.stderr);
    assert.match(text.stdout, /  sampled, 4 per prompt at temperature 1 \(seed 0\): \d\.\d{3} \[/);
    assert.match(text.stdout, /KL to .*reference over these samples: \d+\.\d{3} \[.*\] nats/);
  });

  it("--reference refuses a model with another vocabulary or tokenizer", function () {
    this.timeout(60000);
    const base = ["--model", model, "--prompts", untagged, "--max-new-tokens", "4", "--json"];
    const vocab = evalCli([...base, "--reference", otherVocab]);
    assert.strictEqual(vocab.status, 1);
    assert.match(
      vocab.stderr,
      /^eval: --reference .*other-vocab has a vocabulary of 320 tokens but --model .*model has 300/,
    );
    const tok = evalCli([...base, "--reference", otherTokenizer]);
    assert.strictEqual(tok.status, 1);
    assert.match(tok.stderr, /^eval: --reference .*other-tokenizer has a different tokenizer from --model/);
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
