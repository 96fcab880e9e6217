import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  pairCount,
  RankedPrompt,
  rankAll,
  rankingsToPairs,
  readRankings,
  writeRankings,
} from "../../src/judge/comparisons";
import { GOLD_RATER, RATER_PANEL, lengthBiasedPanel } from "../../src/judge/raters";

const terms = { correct: 1, answers: 1, concise: 1, format: 1, follows: 1 };
const prompt = (id: string, golds: number[]): RankedPrompt => ({
  prompt_id: id,
  task: "antonym",
  prompt: [{ role: "user", content: `What is the opposite of ${id}?` }],
  responses: golds.map((gold, i) => ({ content: `answer ${i}`, truncated: i === 3, words: 2, gold, terms })),
  duplicates: 4 - golds.length,
});

describe("judge/comparisons", () => {
  it("turns each ranking into all K(K−1)/2 pairs once, best first, with rater and gold beside them", () => {
    const [p] = rankAll([prompt("hot", [0.2, 0.9, 0.5, 0.1])], [GOLD_RATER], 0);
    assert.deepEqual(p.order, [1, 2, 0, 3]);
    const pairs = rankingsToPairs([p]);
    assert.equal(pairs.length, 6);
    assert.equal(new Set(pairs.map((x) => `${x.chosen[0].content}>${x.rejected[0].content}`)).size, 6);
    assert.ok(pairs.every((x) => x.meta!.gold_chosen! >= x.meta!.gold_rejected!));
    assert.ok(pairs.every((x) => x.meta!.rater === "gold" && x.meta!.prompt_id === "hot"));
    assert.equal(
      pairs.filter((x) => x.meta!.rejected_truncated).length,
      3,
      "response 3 hit the length limit",
    );
    assert.throws(() => rankingsToPairs([prompt("x", [1, 0])]), /not ranked; rank it with rankAll/);
  });

  it("binarises a ranking on request: its top response against each of the others", () => {
    const [p] = rankAll([prompt("hot", [0.2, 0.9, 0.5, 0.1])], [GOLD_RATER], 0);
    const top = rankingsToPairs([p], { top: true });
    assert.deepEqual(
      top.map((x) => `${x.chosen[0].content}>${x.rejected[0].content}`),
      ["answer 1>answer 2", "answer 1>answer 0", "answer 1>answer 3"],
    );
  });

  it("counts the pairs rankings give: K(K−1)/2 per prompt", () => {
    assert.equal(pairCount([prompt("a", [0.2, 0.9, 0.5, 0.1]), prompt("b", [1]), prompt("c", [0, 1])]), 7);
    assert.equal(
      pairCount([prompt("a", [0.2, 0.9, 0.5, 0.1])]),
      rankingsToPairs(rankAll([prompt("a", [0.2, 0.9, 0.5, 0.1])], [GOLD_RATER], 0)).length,
    );
  });

  it("ranks the same way for the same seed, and draws one rater per prompt from the panel", () => {
    const ps = Array.from({ length: 30 }, (_, i) => prompt(`w${i}`, [0.5, 0.4, 0.6, 0.5]));
    const a = rankAll(ps, RATER_PANEL, 3),
      b = rankAll(ps, RATER_PANEL, 3);
    assert.deepEqual(a, b);
    assert.equal(new Set(a.map((p) => p.rater)).size, RATER_PANEL.length);
    assert.notDeepEqual(rankAll(ps, RATER_PANEL, 4), a);
    assert.ok(lengthBiasedPanel(0.05).every((r) => r.lengthBias === 0.05 && r.id.endsWith("+length")));
    assert.throws(() => rankAll(ps, [], 0), /panel is empty/);
  });

  it("writes and reads rankings, naming the file and line of a bad one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rank-"));
    const f = path.join(dir, "r.jsonl");
    const ranked = rankAll([prompt("a", [1, 0]), prompt("b", [0, 1, 0.5])], [GOLD_RATER], 0);
    writeRankings(f, ranked);
    assert.deepEqual(readRankings(f), ranked);
    fs.appendFileSync(f, JSON.stringify({ ...ranked[0], order: [0, 0] }) + "\n");
    assert.throws(
      () => readRankings(f),
      (e: Error) => e.message.includes(`${f}:3: "order" [0,0] is not a ranking`),
    );
  });
});
