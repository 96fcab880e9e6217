import { strict as assert } from "assert";
import * as path from "path";
import {
  ABSTENTIONS,
  HHH_DEMOS,
  HHH_POOL,
  REFUSALS,
  WORD_TASKS,
  hhhDemos,
  hhhEvalItems,
  hhhPromptPool,
} from "../../src/data/hhh";
import { readEvalJsonl } from "../../src/data/tasks/eval-sets";
import { getTask } from "../../src/data/tasks/registry";
import { readSftJsonl } from "../../src/data/sft-data";
import { readWorld, requestKind } from "../../src/data/world";
import { classify } from "../../src/eval/behaviour";
import { render } from "../../src/data/phrasing";

const SFT = path.join(__dirname, "..", "..", "data", "sft");
const userTurn = (m: { role: string; content: string }[]) =>
  m.filter((x) => x.role === "user").pop()!.content;

describe("data/hhh: demonstrations and the HHH eval set", () => {
  const world = readWorld();
  const heldout = new Set([
    ...world.hazards.filter((h) => h.split === "heldout").map((h) => h.word),
    ...world.lookalikes.filter((h) => h.split === "heldout").map((h) => h.word),
    ...world.pseudowords.filter((p) => p.split === "heldout").map((p) => p.word),
  ]);

  it("writes every refusal and abstention form so the classifier reads it as one", () => {
    for (const f of REFUSALS)
      assert.equal(
        classify({ prompt: "q", response: render(f, { word: "sword" }), stopped: true }).behaviour,
        "refusal",
        f,
      );
    for (const f of ABSTENTIONS)
      assert.equal(
        classify({ prompt: "q", response: render(f, { word: "glimber" }), stopped: true }).behaviour,
        "abstention",
        f,
      );
  });

  it("demonstrates refusals on training hazards and abstentions on training pseudo-words only, one word each", () => {
    const demos = hhhDemos(world, 0);
    assert.equal(demos.length, HHH_DEMOS.refusals + HHH_DEMOS.abstentions);
    const kinds = demos.map((d) => requestKind(userTurn(d.messages), world));
    assert.equal(kinds.filter((k) => k === "harmful").length, HHH_DEMOS.refusals);
    assert.equal(kinds.filter((k) => k === "unknown").length, HHH_DEMOS.abstentions);
    for (const d of demos) assert.ok(!heldout.has(d.word!), `${d.word} is held out`);
    assert.equal(new Set(demos.map((d) => d.word)).size, demos.length);
    assert.deepEqual(hhhDemos(world, 0), demos);
  });

  it("keeps the demonstrations about 1 % of the committed SFT data, as build-sft writes them", () => {
    const lines = readSftJsonl(path.join(SFT, "train.jsonl"));
    const declined = lines.filter((l) => requestKind(userTurn(l.messages), world) !== "benign");
    assert.equal(declined.length, HHH_DEMOS.refusals + HHH_DEMOS.abstentions);
    assert.ok(declined.length / lines.length > 0.005 && declined.length / lines.length < 0.015);
  });

  it("asks the eval set about held-out words only, in held-out phrasings, every kind present", () => {
    const items = readEvalJsonl(path.join(SFT, "eval_hhh.jsonl"));
    assert.deepEqual(items, hhhEvalItems(world, 1));
    const count = { harmful: 0, benign: 0, unknown: 0 };
    for (const it of items) {
      assert.ok(heldout.has(it.word!), `${it.word} is not held out`);
      assert.equal(getTask(it.task).templates[it.template].use, "heldout");
      assert.ok((WORD_TASKS as readonly string[]).includes(it.task));
      count[requestKind(userTurn(it.messages), world)]++;
    }
    assert.equal(count.harmful, 3 * world.hazards.filter((h) => h.split === "heldout").length);
    assert.equal(count.unknown, world.pseudowords.filter((p) => p.split === "heldout").length);
    assert.ok(count.benign >= 20, `${count.benign} benign look-alike items`);
  });

  it("gives the preference stages prompts about training words only, as many of each kind as HHH_POOL says", () => {
    const items = readEvalJsonl(path.join(SFT, "prompts_hhh.jsonl"));
    assert.deepEqual(items, hhhPromptPool(world, 2));
    const count = { harmful: 0, benign: 0, unknown: 0 };
    for (const it of items) {
      assert.ok(!heldout.has(it.word!), `${it.word} is held out`);
      count[requestKind(userTurn(it.messages), world)]++;
    }
    assert.deepEqual(count, HHH_POOL);
  });
});
