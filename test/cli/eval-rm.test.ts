import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writePreferenceJsonl } from "../../src/data/sft-data";
import { saveCheckpoint } from "../../src/model/checkpoint";
import { GPT } from "../../src/model/gpt";
import { rewardModel, saveRewardModel } from "../../src/model/reward-model";
import { loadRun } from "../../src/run-record";
import { trainBpe } from "../../src/tokenizer/index";
import { RM_QUICK, rewardConfig, trainReward } from "../../src/train/reward";
import { setup } from "../helpers";
import { pairGroups } from "../../src/data/preference";

const ROOT = path.resolve(__dirname, "..", "..");
const cli = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/eval-rm.ts"), ...args], {
    encoding: "utf8",
    cwd: ROOT,
  });

describe("npm run eval-rm (CLI)", function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tl-evalrm-"));
  const rmDir = path.join(dir, "rm");
  const lmDir = path.join(dir, "lm");
  const pairs = path.join(dir, "pairs.jsonl");

  before(async () => {
    await setup();
    const tok = trainBpe(
      Array.from(
        { length: 40 },
        (_, i) => `What is the opposite of hot? cold. Question ${i}: up, down, wet, dry.`,
      ),
      { vocabSize: 300 },
    );
    const records = ["hot", "up", "wet"].flatMap((w, i) =>
      ["warm", "down and more", "dry"].map((bad, j) => ({
        prompt: [{ role: "user" as const, content: `What is the opposite of ${w}?` }],
        chosen: [{ role: "assistant" as const, content: ["cold", "down", "dry"][i] }],
        rejected: [
          { role: "assistant" as const, content: bad === ["cold", "down", "dry"][i] ? "maybe" : bad },
        ],
        meta: { prompt_id: w, gold_chosen: 1, gold_rejected: j === 0 && i === 0 ? 1 : 0 },
      })),
    );
    writePreferenceJsonl(pairs, records, "plain");
    const m = GPT.create({ vocabSize: 300, dModel: 16, nLayers: 1, nHeads: 2, contextLength: 64 }, 0);
    await saveCheckpoint(lmDir, { model: m, tokenizer: tok });
    const gpt = m.withScalarHead();
    const run = await trainReward({
      model: gpt,
      tokenizer: tok,
      train: pairGroups(tok, records, 64),
      config: rewardConfig({ steps: 2, batchSize: 2, microBatchSize: 1, logEvery: 1 }, RM_QUICK),
    });
    await saveRewardModel(rmDir, rewardModel(gpt, 1), tok, run, 2);
    assert.equal(loadRun(rmDir, "reward").method, "reward");
  });

  it("prints {n, accuracy, ci95, mean_margin} for a plain-form preference file, skipping gold ties", () => {
    const r = cli(["--model", rmDir, "--pairs", pairs, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out).sort(), ["accuracy", "ci95", "mean_margin", "n", "skipped_gold_ties"]);
    assert.equal(out.n, 8);
    assert.equal(out.skipped_gold_ties, 1);
    const [lo, hi] = out.ci95 as number[];
    assert.ok(lo <= (out.accuracy as number) && (out.accuracy as number) <= hi);
  });

  it("says a language-model folder is not a reward model, and names missing flags", () => {
    const r = cli(["--model", lmDir, "--pairs", pairs]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /no scalar head, so it is not a reward model; pass an RM folder \(npm run rm\)/);
    const m = cli(["--pairs", pairs]);
    assert.match(m.stderr, /--model and --pairs are required/);
  });
});
