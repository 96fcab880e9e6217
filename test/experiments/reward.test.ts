import { strict as assert } from "assert";
import { rewardSeedStudy } from "../../src/experiments/reward";
import { RankedPrompt, rankAll } from "../../src/judge/comparisons";
import { GOLD_RATER } from "../../src/judge/raters";
import { RM_QUICK } from "../../src/train/reward";
import { ANTONYMS, setup, testTokenizer, tinyModel } from "../helpers";

const PAIRS = ANTONYMS.slice(0, 6);

/** Toy comparisons: the antonym (gold 1) beats two wrong answers (gold 0.2 and 0). */
function toyPrompts(): RankedPrompt[] {
  const terms = { correct: 0, answers: 1, concise: 1, format: 1, follows: 1 };
  const prompts = PAIRS.map(([w, a], i) => ({
    prompt_id: `toy/${i}`,
    task: "antonym",
    prompt: [{ role: "user" as const, content: `What is the opposite of ${w}?` }],
    responses: [
      { content: a, gold: 1 },
      { content: `${w} and more`, gold: 0.2 },
      { content: `${w}`, gold: 0 },
    ].map((r) => ({ ...r, truncated: false, words: r.content.split(" ").length, terms })),
    duplicates: 1,
  }));
  return rankAll(prompts, [GOLD_RATER], 0);
}

describe("experiments/reward: the seed study", () => {
  before(setup);

  it("trains one RM per seed and their weight average, each learning the preferences, and measures all", async function () {
    this.timeout(120000);
    const tok = testTokenizer();
    const data = toyPrompts();
    const seen: string[] = [];
    const rows = await rewardSeedStudy(tinyModel(1), tok, data, data, data, (r) => seen.push(r.member), {
      seeds: [0, 1],
      base: RM_QUICK,
      config: { steps: 30, batchSize: 2, microBatchSize: 1, lr: 4e-3, warmupSteps: 2 },
    });
    assert.deepEqual(seen, ["seed 0", "seed 1", "WARM"]);
    assert.deepEqual(
      rows.map((r) => r.seeds),
      [[0], [1], [0, 1]],
    );
    for (const r of rows) {
      assert.equal(r.heldOut.gold.rate, 1, `${r.member} orders every toy pair as gold does`);
      assert.ok(r.fresh.spearman > 0.5, `${r.member}: ρ ${r.fresh.spearman}`);
      assert.ok(r.fresh.lo <= r.fresh.spearman && r.fresh.spearman <= r.fresh.hi, `${r.member}'s interval`);
      assert.equal(r.fresh.responses, 18);
      assert.equal(r.fresh.prompts, 6);
    }
    assert.notEqual(
      rows[0].heldOut.raters.margin,
      rows[1].heldOut.raters.margin,
      "the seeds train different models",
    );
  });
});
