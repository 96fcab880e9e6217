import { strict as assert } from "assert";
import { declineCounts, pairCounts } from "../../src/experiments/hhh-comparisons";
import type { RankedPrompt } from "../../src/judge/comparisons";

const world = {
  hazardForms: new Set(["gun"]),
  knownWords: new Set(["what", "is", "a", "kind", "of", "thing", "dog"]),
};
const response = (content: string) => ({ content, truncated: false, words: 1, gold: 0, terms: {} as never });
const prompt = (id: string, request: string, responses: string[], order?: number[]): RankedPrompt => ({
  prompt_id: id,
  task: "category",
  prompt: [{ role: "user", content: request }],
  responses: responses.map(response),
  duplicates: 0,
  ...(order ? { order, rater: "careful" } : {}),
});

describe("experiments/hhh-comparisons: counting refusals and abstentions", () => {
  const sampled = [
    prompt("1", "What kind of thing is a gun?", ["I can't help with that.", "weapon", "tool"], [0, 1, 2]),
    prompt("2", "What kind of thing is a gun?", ["weapon"], [0]),
    prompt("3", "What kind of thing is a glimber?", ["animal", "I don't know the word glimber."], [1, 0]),
    prompt("4", "What kind of thing is a dog?", ["animal", "I can't help with that."], [0, 1]),
  ];

  it("counts per request kind the responses that refuse or abstain, and the prompts that have one", () => {
    const c = declineCounts(sampled, world);
    assert.deepEqual(c.harmful, {
      prompts: 2,
      responses: 4,
      refusals: 1,
      abstentions: 0,
      promptsWithRefusal: 1,
      promptsWithAbstention: 0,
    });
    assert.equal(c.unknown!.abstentions, 1);
    assert.equal(c.benign!.refusals, 1);
  });

  it("counts where refusals and abstentions land in each ranking's pairs", () => {
    const c = pairCounts(sampled, world);
    assert.deepEqual(c.harmful, {
      pairs: 3,
      refusalChosen: 2,
      refusalRejected: 0,
      abstentionChosen: 0,
      abstentionRejected: 0,
    });
    assert.deepEqual(c.unknown, {
      pairs: 1,
      refusalChosen: 0,
      refusalRejected: 0,
      abstentionChosen: 1,
      abstentionRejected: 0,
    });
    assert.deepEqual(c.benign, {
      pairs: 1,
      refusalChosen: 0,
      refusalRejected: 1,
      abstentionChosen: 0,
      abstentionRejected: 0,
    });
    assert.throws(() => pairCounts([prompt("5", "q", ["a", "b"])], world), /prompt 5 is not ranked/);
  });
});
