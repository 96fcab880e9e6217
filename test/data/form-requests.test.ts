import { strict as assert } from "assert";
import type { EvalItem } from "../../src/data/tasks/eval-sets";
import {
  FORM_REQUESTS,
  addFormRequests,
  meetsForms,
  requestedForms,
  suitableRequests,
  withFormRequest,
} from "../../src/data/tasks/form-requests";
import { answerShape, goldReward } from "../../src/judge/gold";
import { Rng } from "../../src/random";

const antonym: EvalItem = {
  messages: [{ role: "user", content: "What is the opposite of hot?" }],
  answer: "cold",
  accepted: ["cold", "chilly"],
  task: "antonym",
  cluster: "knowledge",
  template: 0,
  input: { word: "hot" },
  word: "hot",
};
const json: EvalItem = {
  messages: [{ role: "user", content: "color = red and count = 3\nFormat these as a JSON object." }],
  answer: '{"color": "red", "count": 3}',
  task: "json_object",
  cluster: "formatting",
  template: 0,
  input: { color: "red", count: 3 },
};

describe("data/form-requests", () => {
  it("reads a request only from a line of its own, and a prompt without one asks nothing", () => {
    assert.deepEqual(requestedForms("What is the opposite of hot?\nEnd your answer with a period."), [
      "period",
    ]);
    assert.deepEqual(requestedForms("Why End your answer with a period. here?"), []);
    assert.equal(meetsForms("What is the opposite of hot?", "anything at all"), true);
    assert.equal(meetsForms("Q?\nAnswer in one word.", "cold."), true);
    assert.equal(meetsForms("Q?\nAnswer in one word.", "it is cold"), false);
  });

  it("appends the request to the last user turn and changes the reference to meet it, still right", () => {
    const p = withFormRequest(antonym, "period");
    assert.equal(p.messages[0].content, `What is the opposite of hot?\n${FORM_REQUESTS.period.text}`);
    assert.equal(p.answer, "cold.");
    assert.deepEqual(p.accepted, ["cold.", "chilly."]);
    assert.equal(antonym.answer, "cold", "the original item is not changed");
    const g = goldReward(p, "cold.", true);
    assert.equal(g.total, 1, JSON.stringify(g.terms));
    const missed = goldReward(p, "cold", true);
    assert.deepEqual(missed.terms, { correct: 1, answers: 1, concise: 1, format: 1, follows: 0 });
  });

  it("refuses a request that does not suit the task, naming both", () => {
    assert.deepEqual(suitableRequests(json), []);
    assert.throws(
      () => withFormRequest(json, "period"),
      /form request period does not suit task json_object/,
    );
    assert.deepEqual(suitableRequests(antonym).sort(), ["one_word", "period"]);
  });

  it("adds a request to about the asked share of suitable items, the same for the same seed", () => {
    const items = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? json : antonym));
    const a = addFormRequests(items, new Rng(5), 0.5);
    const b = addFormRequests(items, new Rng(5), 0.5);
    assert.deepEqual(a, b);
    const asked = a.filter((x) => requestedForms(x.messages[0].content).length > 0);
    assert.ok(asked.length > 120 && asked.length < 180, `${asked.length} of 300 suitable`);
    assert.ok(
      a.every((x, i) => items[i].task !== "json_object" || x === items[i]),
      "JSON items never change",
    );
  });

  it("a final full stop does not change an answer's shape", () => {
    assert.equal(answerShape("4."), answerShape("4"));
    assert.equal(answerShape("cold."), "lower word");
  });
});
