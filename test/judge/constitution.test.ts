import { strict as assert } from "assert";
import {
  CONSTITUTION,
  constitutionJudge,
  echoes,
  offeredOptions,
  Reply,
  requestedForm,
  violations,
} from "../../src/judge/constitution";
import { labelPairs } from "../../src/judge/judge";
import { critiqueAndRevise, keepsAnswer, ruleRevision } from "../../src/judge/revision";
import { pair } from "./pairs";

const reply = (request: string, response: string, stopped = true): Reply => ({ request, response, stopped });
const principle = (id: string) => CONSTITUTION.find((p) => p.id === id)!;

/** Each principle with a response that meets it and one that breaks it. */
const EXAMPLES: Record<string, { pass: Reply; fail: Reply }> = {
  stops: {
    pass: reply("What is the opposite of hot?", "cold"),
    fail: reply("What is the opposite of hot?", "cold cold cold cold", false),
  },
  "no-new-turn": {
    pass: reply("What is the opposite of hot?", "cold"),
    fail: reply("What is the opposite of hot?", "cold\nWhat is the opposite of up?"),
  },
  brief: {
    pass: reply("Make a bullet list of these words: a, b.", "- a\n- b"),
    fail: reply("What is the opposite of hot?", "cold\nwarm"),
  },
  form: {
    pass: reply("How many letters are in complete?", "8"),
    fail: reply("How many letters are in complete?", "eight letters"),
  },
  "as-asked": {
    pass: reply("What is the opposite of hot?\nEnd your answer with a period.", "cold."),
    fail: reply("What is the opposite of hot?\nAnswer in one word.", "the opposite is cold"),
  },
  "no-echo": {
    pass: reply("Write a sentence about heart in exactly 5 words.", "heart and bosom are synonyms."),
    fail: reply("Write a sentence about heart in exactly 5 words.", "Write a sentence about heart now."),
  },
};

describe("judge/constitution", () => {
  it("every principle has a written text, a critique, and examples that pass and fail it", () => {
    assert.deepEqual(Object.keys(EXAMPLES).sort(), CONSTITUTION.map((p) => p.id).sort());
    for (const p of CONSTITUTION) {
      assert.ok(p.text.length > 20 && p.critique.length > 10, p.id);
      assert.equal(p.holds(EXAMPLES[p.id].pass), true, `${p.id} should hold`);
      assert.equal(p.holds(EXAMPLES[p.id].fail), false, `${p.id} should break`);
    }
  });

  it("as-asked: only a request's own line asks; a rule adds a missing period, nothing else", () => {
    const p = principle("as-asked");
    assert.equal(p.holds(reply("Say period.", "cold")), true, "a word in the request is not a request");
    assert.equal(
      p.revise(reply("What is the opposite of hot?\nEnd your answer with a period.", "cold")),
      "cold.",
    );
    assert.equal(p.revise(reply("What is the opposite of hot?\nAnswer in one word.", "it is cold")), null);
  });

  it("reads the asked-for form from the request's words, as the task templates phrase it", () => {
    const cases: [string, string][] = [
      ["Make a bullet list of these words: student, down, issue.", "list"],
      ["color = green and count = 9\nFormat these as a JSON object.", "json"],
      ["Sort these words alphabetically: hard, carrot, available.", "word list"],
      ["Convert soup to uppercase.", "upper"],
      ["Describe cup in a short sentence with no capital letters.", "sentence"],
      ["Give the first letter of the word grow.", "letter"],
      ["22 + 99\nWhat is the total?", "number"],
      ["Which is larger, 23 or 49?", "number"],
      ["Write a sentence about weak in exactly 6 words.", "sentence"],
      ["Are father and mother antonyms or synonyms?", "option"],
      ["Is this sentence about animals, food, weather or sport? The dog ran.", "option"],
      ["Positive: good, happy. Negative: bad, sad.\nLabel this sentence: The game was good.", "option"],
      ["What word means: regard something as probable or likely?", "word"],
      ["What is the opposite of dull?", "word"],
    ];
    for (const [request, form] of cases) assert.equal(requestedForm(request), form, request);
    assert.deepEqual(offeredOptions("Is this sentence about animals, food, weather or sport? x"), [
      "animals",
      "food",
      "weather",
      "sport",
    ]);
    assert.ok(violations(reply("Are up and down antonyms or synonyms?", "antonyms")).length === 0);
    assert.deepEqual(
      violations(reply("Are up and down antonyms or synonyms?", "opposites")).map((p) => p.id),
      ["form"],
    );
  });

  it("an echo is five or more words of the request's last line repeated in the answer", () => {
    assert.equal(echoes("Text: a b c.\nWhat is the opposite of hot?", "the opposite of hot is cold"), false);
    assert.equal(echoes("What is the opposite of hot today?", "what is the opposite of hot"), true);
  });

  it("as a judge: equal counts of met principles give 0.5, one more gives σ(1/τ)", () => {
    const judge = constitutionJudge();
    const [same, better, worse] = labelPairs(judge, [
      pair("a 0-1", "cold", 1, "warm", 0.5),
      pair("b 0-1", "cold", 1, "cold\nWhat is up?", 0.3),
      pair("c 0-1", "cold", 1, "cold", 1, false),
    ]);
    assert.equal(same, 0.5);
    assert.ok(Math.abs(better - 1 / (1 + Math.exp(-2 * 2))) < 1e-12, `${better}`); // two principles differ
    assert.ok(Math.abs(worse - 1 / (1 + Math.exp(2))) < 1e-12, `${worse}`); // one principle (stops)
    assert.throws(() => constitutionJudge(CONSTITUTION, 0), /temperature must be > 0/);
  });

  it("rule revisions fix what a rule can fix and give up (null) on the rest", () => {
    const q = "What is the opposite of hot?";
    assert.equal(ruleRevision(reply(q, "cold\nWhat is the opposite of up?")), "cold");
    assert.equal(ruleRevision(reply("Convert soup to uppercase.", "soup")), "SOUP");
    assert.equal(ruleRevision(reply("How many letters are in complete?", "eight")), null);
    assert.equal(principle("no-echo").revise(EXAMPLES["no-echo"].fail), null);
  });

  it("critique and revision: the broken principles, the critique in the constitution's words, the revision and who made it", () => {
    const q = "What is the opposite of hot?";
    const out = critiqueAndRevise([
      reply(q, "cold"),
      reply(q, "cold\nQ: What is up?"),
      reply("How many letters are in complete?", "many"),
    ]);
    assert.deepEqual(
      out.map((r) => r.by),
      ["none", "rule", "unrevisable"],
    );
    assert.deepEqual(out[1].broken, ["no-new-turn", "brief"]);
    assert.ok(out[1].critique.includes(principle("brief").critique));
    assert.equal(out[1].revision, "cold");
    assert.equal(out[2].revision, null);
  });

  it("keeps a model's revision only if it keeps the answer (shares a word with the first line)", () => {
    assert.equal(keepsAnswer("accept\nadjective accept", "accept"), true);
    assert.equal(keepsAnswer("accept\nadjective accept", "raise"), false);
    assert.equal(keepsAnswer("cat males", "Cat."), true);
  });
});
