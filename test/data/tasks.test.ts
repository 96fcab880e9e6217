import * as assert from "assert";
import { readFactsFile } from "../../src/data/facts-file";
import { RELATION_PHRASING } from "../../src/data/phrasing";
import {
  CLUSTERS,
  TASKS,
  TaskInstance,
  caesar,
  fewShot,
  getTask,
  normalise,
  pigLatin,
  requestText,
  taskTable,
  templatesFor,
  zeroShot,
} from "../../src/data/tasks/index";
import { Rng } from "../../src/random";

const { headwords } = readFactsFile();
const ctx = { headwords: headwords.filter((h) => h.split === "train") };
const draw = (name: string, seed = 0, n = 1): TaskInstance[] => {
  const rng = new Rng(seed).fork(name);
  return Array.from({ length: n }, () => getTask(name).generate(rng, ctx));
};
const refs = (i: TaskInstance) => [i.answer, ...(i.accepted ?? [])].map(normalise);

describe("data/tasks registry", () => {
  it("has at least 8 clusters and 25 tasks, every cluster used, names unique", () => {
    assert.ok(CLUSTERS.length >= 8);
    assert.ok(TASKS.length >= 25, `${TASKS.length} tasks`);
    assert.deepStrictEqual([...new Set(TASKS.map((t) => t.cluster))].sort(), CLUSTERS.slice().sort());
    assert.strictEqual(new Set(TASKS.map((t) => t.name)).size, TASKS.length);
  });

  it("marks every task learnable as knowledge, format or unlikely, with a reason", () => {
    for (const r of taskTable()) {
      assert.ok(["knowledge", "format", "unlikely"].includes(r.learnable), r.task);
      assert.ok(r.why.length > 10, `${r.task} needs a why`);
    }
    assert.ok(
      TASKS.some((t) => t.learnable === "knowledge") && TASKS.some((t) => t.learnable === "unlikely"),
    );
  });

  it("accepts every task's own reference answer, for many instances", () => {
    for (const t of TASKS) {
      for (const inst of draw(t.name, 1, 50)) {
        const r = t.check(inst.answer, inst);
        assert.ok(r.correct && r.score === 1, `${t.name}: ${JSON.stringify(inst)} → ${r.reason}`);
      }
    }
  });

  it("rejects an empty or unrelated response for every task, with score below 1", () => {
    for (const t of TASKS) {
      const [inst] = draw(t.name, 2);
      for (const bad of ["", "zzz qqq"]) {
        const r = t.check(bad, inst);
        assert.ok(!r.correct && r.score < 1, `${t.name} accepted "${bad}"`);
      }
    }
  });

  it("rejects another instance's answer when it is not an accepted answer", () => {
    for (const t of TASKS.filter((x) => x.cluster !== "constrained")) {
      const insts = draw(t.name, 3, 20);
      const inst = insts[0];
      const other = insts.find((o) => !refs(inst).includes(normalise(o.answer)) && o.answer !== inst.answer);
      assert.ok(other, `${t.name}: no differing instance in 20 draws`);
      assert.strictEqual(
        t.check(other!.answer, inst).correct,
        false,
        `${t.name} accepted "${other!.answer}" for "${inst.answer}"`,
      );
    }
  });

  it("generates the same instances for the same seed, and others for another seed", () => {
    for (const t of TASKS) {
      assert.deepStrictEqual(draw(t.name, 7, 10), draw(t.name, 7, 10), t.name);
    }
    const differs = TASKS.filter(
      (t) => JSON.stringify(draw(t.name, 7, 10)) !== JSON.stringify(draw(t.name, 8, 10)),
    );
    assert.strictEqual(differs.length, TASKS.length);
  });

  it("gives every task 3+ held-in templates incl. a question or inverted one, and a held-out phrasing", () => {
    for (const t of TASKS) {
      const heldIn = templatesFor(t, "corpus").map((x) => x.template);
      assert.ok(heldIn.length >= 3, `${t.name}: ${heldIn.length} held-in templates`);
      assert.ok(
        heldIn.some((x) => x.form !== "imperative"),
        `${t.name}: only imperatives`,
      );
      assert.ok(templatesFor(t, "heldout").length >= 1, `${t.name}: no held-out phrasing`);
    }
  });

  it("fills every placeholder of every template from the instance", () => {
    for (const t of TASKS) {
      const [inst] = draw(t.name, 4);
      t.templates.forEach((_, k) =>
        assert.doesNotMatch(requestText(t, inst, k), /\{\w+\}/, `${t.name} template ${k}`),
      );
    }
  });

  it("reuses the phrasing tables for relation questions, keeping corpus vs heldout marks", () => {
    for (const rel of ["antonym", "synonym", "category"] as const) {
      const t = getTask(rel);
      assert.deepStrictEqual(
        t.templates.map((x) => [x.text, x.use]),
        RELATION_PHRASING[rel].questions.map((q) => [q.text, q.use]),
      );
    }
  });

  it("asks knowledge questions about pool words and accepts the facts' alternatives", () => {
    const train = new Set(ctx.headwords.map((h) => h.word));
    for (const name of ["antonym", "synonym", "category", "definition", "pair_relation"]) {
      for (const inst of draw(name, 5, 30))
        assert.ok(inst.word && train.has(inst.word), `${name}: ${inst.word}`);
    }
    const [a] = draw("antonym", 6);
    for (const alt of a.accepted ?? []) assert.ok(getTask("antonym").check(` ${alt}.`, a).correct);
  });

  it("computes pig latin and the Caesar shift by their stated rules", () => {
    assert.deepStrictEqual(["string", "apple", "hot", "rhythm", "yes"].map(pigLatin), [
      "ingstray",
      "appleway",
      "othay",
      "ythmrhay",
      "esyay",
    ]);
    assert.strictEqual(caesar("zebra"), "afcsb");
  });

  it("scores case, lists and JSON by their structure", () => {
    const up = draw("uppercase", 1)[0];
    assert.match(getTask("uppercase").check(up.answer.toLowerCase(), up).reason, /wrong case/);
    const list = draw("bullet_list", 1)[0];
    const words = list.answer.split("\n").map((l) => l.slice(2));
    assert.ok(getTask("bullet_list").check(words.map((w) => `* ${w}`).join("\n"), list).correct);
    assert.strictEqual(getTask("bullet_list").check(words.join(", "), list).correct, false);
    const json: TaskInstance = {
      input: { pairs: "name = Tom and age = 7" },
      answer: '{"name": "Tom", "age": 7}',
    };
    const j = getTask("json_object");
    assert.ok(j.check('Here: {"age":7,"name":"Tom"}', json).correct);
    assert.match(j.check('{"name": "Tom", "age": "7"}', json).reason, /1 of 2 fields right/);
    assert.match(j.check("name: Tom, age: 7", json).reason, /no JSON object/);
  });

  it("renders few-shot demos as prior turns, or inline as Q/A in one user turn", () => {
    const t = getTask("antonym");
    const [q, d1, d2] = draw("antonym", 9, 3);
    const turns = fewShot(t, [d1, d2], q, 0, "turns", "Answer briefly.");
    assert.deepStrictEqual(
      turns.map((m) => m.role),
      ["system", "user", "assistant", "user", "assistant", "user"],
    );
    assert.strictEqual(turns[2].content, d1.answer);
    const inline = fewShot(t, [d1, d2], q, 0, "inline");
    assert.strictEqual(inline.length, 1);
    assert.strictEqual(inline[0].content.split("Q: ").length - 1, 3);
    assert.deepStrictEqual(zeroShot(t, q, 0), [{ role: "user", content: requestText(t, q, 0) }]);
  });
});

describe("data/tasks constraint checkers", () => {
  const check = (task: string, input: TaskInstance["input"], response: string) =>
    getTask(task).check(response, { input, answer: "" });

  it("counts words exactly for 'in N words'", () => {
    assert.ok(check("n_words", { word: "hot", n: 6 }, "The opposite of hot is cold.").correct);
    const five = check("n_words", { word: "hot", n: 6 }, "hot and cold are antonyms.");
    assert.strictEqual(five.correct, false);
    assert.ok(Math.abs(five.score - 2 / 3) < 1e-9);
    assert.match(five.reason, /exactly 6 words/);
    assert.ok(check("n_words", { word: "cold", n: 5 }, "I don't like cold rain.").correct);
  });

  it("requires the whole word for 'use the word X', and the period", () => {
    assert.ok(check("use_word", { word: "cold" }, "It is cold today.").correct);
    assert.strictEqual(check("use_word", { word: "cold" }, "It is colder today.").correct, false);
    const noPeriod = check("use_word", { word: "cold" }, "It is cold today");
    assert.ok(!noPeriod.correct && noPeriod.score === 0.75 && /period/.test(noPeriod.reason));
    assert.strictEqual(check("use_word", { word: "cold" }, "cold.").correct, false);
  });

  it("checks the first word, lowercase and one line", () => {
    assert.ok(check("start_with", { word: "dog" }, "dog is a kind of canine.").correct);
    assert.strictEqual(check("start_with", { word: "dog" }, "A dog is a kind of canine.").correct, false);
    assert.ok(check("lowercase_only", { word: "dog" }, "my dog barks at night.").correct);
    const caps = check("lowercase_only", { word: "dog" }, "My dog barks.\nAnd bites.");
    assert.ok(!caps.correct && caps.score === 0.5);
  });
});
