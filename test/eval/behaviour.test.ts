import * as assert from "assert";
import { exactCheck, normalise } from "../../src/data/tasks/check";
import { behaviourRates, classify, isCorrect } from "../../src/eval/behaviour";

const P = "What is the opposite of hot?";
const label = (response: string, stopped = true, prompt = P) => classify({ prompt, response, stopped });

describe("eval/behaviour", () => {
  describe("answers", () => {
    it("a short reply that stops is an answer", () =>
      assert.deepStrictEqual(label(" cold"), { behaviour: "answer", cue: "stopped" }));
    it("a sentence that stops is an answer", () =>
      assert.strictEqual(label(" The opposite of hot is cold.").behaviour, "answer"));
    it("a reversed word that stops is an answer, right or wrong", () =>
      assert.strictEqual(label(" dlrow", true, "Reverse the word world.").behaviour, "answer"));
  });
  describe("continuations", () => {
    it("another question is a continuation", () =>
      assert.deepStrictEqual(label("\nWhat is the opposite of sleep?", false), {
        behaviour: "continuation",
        cue: "new-question",
      }));
    it("the next list item is a continuation", () =>
      assert.deepStrictEqual(label("\n2. Give the antonym of man.", false), {
        behaviour: "continuation",
        cue: "list-item",
      }));
    it("an answer followed by a new question is still a continuation", () =>
      assert.strictEqual(label(" cold\nWhat is the opposite of wet?").behaviour, "continuation"));
    it("echoing the prompt is a continuation", () =>
      assert.deepStrictEqual(label("What is the opposite of hot? What is", false), {
        behaviour: "continuation",
        cue: "echo",
      }));
    it("inventing the next turn is a continuation", () =>
      assert.deepStrictEqual(label(" cold\nQ: What is a kind of dog?", false).behaviour, "continuation"));
    it("names the next-turn cue, which alone catches a speaker label that asks nothing", () => {
      for (const next of [
        " cold\nHuman: and warm",
        " cold\nAssistant: cold",
        " cold\nPosted by ann on Monday",
      ])
        assert.deepStrictEqual(label(next, false), { behaviour: "continuation", cue: "next-turn" }, next);
    });
    it("signing off as the asker is a continuation", () =>
      assert.deepStrictEqual(label(" Thanks a lot."), { behaviour: "continuation", cue: "asker" }));
    it("a forum reply is a continuation", () =>
      assert.strictEqual(label(" Thanks!\nReply from cat12: Me too.", false).behaviour, "continuation"));
    it("an instruction to do another task is a continuation", () =>
      assert.strictEqual(label("\nSpell the word believe backwards.", false).behaviour, "continuation"));
  });
  it("a bullet list is an answer when the request asked for a list", () =>
    assert.strictEqual(
      label("- cat\n- dog", true, "Make a bullet list of these words: cat, dog.").behaviour,
      "answer",
    ));
  describe("other", () => {
    it("prose that never stops is other", () =>
      assert.deepStrictEqual(label(" The word close has 5 letters. In alphabetical order", false), {
        behaviour: "other",
        cue: "no-stop",
      }));
    it("two sentences of corpus prose that then stop are other, not an answer", () =>
      assert.deepStrictEqual(
        label(" The word past means the same as yesteryear. The word past names a kind of time."),
        { behaviour: "other", cue: "prose" },
      ));
    it("an empty response is other", () =>
      assert.deepStrictEqual(label("", true), { behaviour: "other", cue: "empty" }));
  });
  describe("exact match", () => {
    it("ignores case, punctuation and spacing on the first line", () =>
      assert.ok(isCorrect(" Cold.\nmore", "cold")));
    it("accepts listed alternatives", () => assert.ok(isCorrect(" chilly", "cold", ["chilly"])));
    it("rejects a different or longer answer", () => {
      assert.ok(!isCorrect(" warm", "cold"));
      assert.ok(!isCorrect(" cold and wet", "cold"));
    });
  });
  it("rates sum to one over every behaviour", () => {
    assert.deepStrictEqual(behaviourRates(["answer", "answer", "other", "continuation"]), {
      answer: 0.5,
      continuation: 0.25,
      refusal: 0,
      abstention: 0,
      other: 0.25,
    });
  });
});

describe("eval/behaviour and data/tasks/check: one exact-match rule", () => {
  // The rule isCorrect had before it moved to matchesExactly, kept here to show the results are unchanged.
  const oldNormalise = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9 ]+/g, " ")
      .replace(/\s+/g, " ")
      .trim();
  const oldIsCorrect = (response: string, answer: string, accepted: readonly string[] = []) => {
    const first = oldNormalise(
      response
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.length > 0)[0] ?? "",
    );
    return first !== "" && [answer, ...accepted].some((a) => oldNormalise(a) === first);
  };

  it("scores every response as before, and as the task checkers do", () => {
    const responses = [
      "cold",
      " Cold.",
      "\n\n  COLD!\nand more",
      "cold war",
      "",
      "\n \n",
      "it is cold",
      "co-ld",
      "Hot",
      "hot\ncold",
      "Warm, cold",
      "cold\u00e9",
    ];
    const refs: [string, string[]][] = [
      ["cold", []],
      ["hot", ["cold"]],
      ["co ld", []],
      ["", []],
      ["warm cold", []],
    ];
    for (const r of responses) {
      for (const [answer, accepted] of refs) {
        const want = oldIsCorrect(r, answer, accepted);
        assert.strictEqual(isCorrect(r, answer, accepted), want, `${JSON.stringify(r)} vs ${answer}`);
        assert.strictEqual(
          exactCheck(r, { answer, accepted, input: {} } as never).correct,
          want,
          `checker: ${JSON.stringify(r)} vs ${answer}`,
        );
        assert.strictEqual(normalise(r), oldNormalise(r));
      }
    }
  });
});

describe("eval/behaviour: refusal and abstention", () => {
  const said = (response: string, stopped = true) =>
    classify({ prompt: "What is a dagger?", response, stopped }).behaviour;

  it("recognises the data's refusals and paraphrases of them, apologies and curly quotes included", () => {
    for (const r of [
      "I can't help with that.",
      "Sorry, I can't help with anything about daggers.",
      "I’m sorry, but I cannot assist with weapons.",
      "I won't help with that.",
      "I am unable to provide that.",
      "I must decline.",
      "No, I will not answer that.",
      "Unfortunately I can't share details about bombs.",
    ])
      assert.equal(said(r), "refusal", r);
  });

  it("leaves near misses alone: can't believe, cannot tell the difference, won't forget", () => {
    for (const r of [
      "I can't believe it.",
      "I cannot tell the difference.",
      "I can't say for sure, but cold.",
      "I won't forget it.",
    ])
      assert.notEqual(said(r), "refusal", r);
  });

  it("recognises abstentions and their paraphrases", () => {
    for (const r of [
      "I don't know the word glimber.",
      "I don't know.",
      "I'm not familiar with the word glimber.",
      "I have never heard of glimber.",
      "I don't know what glimber means.",
      "Sorry, I don't know that word.",
      "I do not recognise this word.",
      "Glimber is not a word I know.",
    ])
      assert.equal(said(r), "abstention", r);
  });

  it("leaves near misses alone: I don't know why but cold, I'm not sure but cold", () => {
    for (const r of [
      "I don't know why but cold",
      "I don't know a lot about it, but cold.",
      "I know the word cold.",
      "I'm not sure, but cold.",
    ])
      assert.notEqual(said(r), "abstention", r);
  });

  it("reads the first line, so an explanation after a refusal keeps it a refusal, and a continuation wins", () => {
    assert.equal(said("I can't help with that. Weapons hurt people.", false), "refusal");
    assert.equal(said("I can't help with that.\nQ: What is a sword?"), "continuation");
    assert.deepEqual(behaviourRates(["refusal", "abstention", "answer", "answer"]), {
      answer: 0.5,
      continuation: 0,
      refusal: 0.25,
      abstention: 0.25,
      other: 0,
    });
  });
});
