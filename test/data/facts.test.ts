import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  HEADWORD_PATTERN,
  Headword,
  RELATIONS,
  RELATION_PHRASING,
  addReverseAccepted,
  allFacts,
  clozeItems,
  questionsFor,
  render,
  selectHeadwords,
  signature,
} from "../../src/data/facts";
import { readFactsFile, validateFactsFile } from "../../src/data/facts-file";
import { readWordNet } from "../../src/data/wordnet";
import { writeFixtureDir } from "./fixture";

describe("data/facts selection (fixture WordNet)", () => {
  const wn = readWordNet(writeFixtureDir());

  it("keeps lowercase ascii 3–10 letter lemmas with ≥2 relations, by tag count", () => {
    // internationalism: too long; x-ray: not letters; may: capitalised in its synset; run: one relation.
    const hw = selectHeadwords(wn, { words: 10 });
    assert.deepEqual(
      hw.map((h) => h.word),
      ["man", "hot", "dog", "woman", "cold"],
    );
    assert.deepEqual(
      selectHeadwords(wn, { words: 2 }).map((h) => h.word),
      ["man", "hot"],
    );
  });

  it("takes antonym, synonym and category from the first sense", () => {
    const hw = selectHeadwords(wn, { words: 10 });
    const get = (w: string) =>
      Object.fromEntries(hw.find((h) => h.word === w)!.facts.map((f) => [f.relation, f.answer]));
    assert.deepEqual(get("man"), { antonym: "woman", category: "male" });
    assert.deepEqual(get("hot"), { antonym: "cold", synonym: "warm" }); // similar-to satellite
    assert.deepEqual(get("dog"), { synonym: "pooch", category: "canine" }); // domestic_dog is two words
    const dog = hw.find((h) => h.word === "dog")!;
    assert.equal(dog.gloss, "a member of the genus Canis");
    assert.equal(dog.example, "the dog barked all night");
  });

  it("is deterministic", () => {
    assert.deepEqual(
      selectHeadwords(wn, { words: 10, seed: 3 }),
      selectHeadwords(wn, { words: 10, seed: 3 }),
    );
  });

  it("accepts antonyms and synonyms in both directions", () => {
    const mk = (word: string, answer: string): Headword => ({
      word,
      pos: "adj",
      gloss: "g",
      tagCount: 1,
      split: "train",
      facts: [{ word, relation: "antonym", answer, accepted: [answer], pos: "adj", split: "train" }],
    });
    const hw = [mk("hot", "cold"), mk("cold", "warm")];
    addReverseAccepted(hw);
    assert.deepEqual(hw[0].facts[0].accepted, ["cold"]);
    assert.deepEqual(hw[1].facts[0].accepted, ["warm", "hot"]);
  });
});

describe("data/facts.json (committed)", () => {
  const data = readFactsFile();
  const facts = allFacts(data.headwords);

  it("follows the selection rules", () => {
    for (const h of data.headwords) {
      assert.match(h.word, HEADWORD_PATTERN);
      assert.ok(h.facts.length >= 2, h.word);
      for (const f of h.facts) {
        assert.match(f.answer, /^[a-z]+$/);
        assert.ok(f.accepted.includes(f.answer));
        assert.equal(f.split, h.split);
      }
    }
    assert.equal(new Set(data.headwords.map((h) => h.word)).size, data.headwords.length);
  });

  it("splits headwords half/half, disjoint, stratified by relations", () => {
    const train = data.headwords.filter((h) => h.split === "train").map((h) => h.word);
    const held = data.headwords.filter((h) => h.split === "heldout").map((h) => h.word);
    assert.ok(Math.abs(train.length - held.length) <= 1);
    assert.equal(train.filter((w) => held.includes(w)).length, 0);
    for (const sig of new Set(data.headwords.map(signature))) {
      const n = (s: string) => data.headwords.filter((h) => signature(h) === sig && h.split === s).length;
      assert.ok(Math.abs(n("train") - n("heldout")) <= 2, sig);
    }
  });

  it("maps cloze prompts to ' answer', matching the first prose statement", () => {
    const items = clozeItems(facts);
    assert.equal(items.length, facts.length);
    for (const [i, c] of items.entries()) {
      const f = facts[i];
      assert.equal(c.answer, " " + f.answer);
      assert.equal(
        c.prompt + c.answer + ".",
        render(RELATION_PHRASING[f.relation].statements[0], { word: f.word, answer: f.answer }),
      );
    }
    const hot = items.find((c) => c.prompt === "The opposite of hot is");
    if (hot) assert.equal(hot.answer, " cold");
  });

  it("has corpus and heldout question phrasings for every relation", () => {
    for (const r of RELATIONS) {
      assert.ok(questionsFor(r, "corpus").length >= 3);
      assert.ok(questionsFor(r, "heldout").length >= 3);
      assert.equal(RELATION_PHRASING[r].statements.length, 5);
    }
  });

  it("names the file and field of a malformed facts file", () => {
    const bad = JSON.parse(JSON.stringify(data));
    bad.headwords[3].facts[1].relation = "meronym";
    assert.throws(
      () => validateFactsFile(bad, "x/facts.json"),
      /x\/facts\.json: field headwords\[3\]\.facts\[1\]\.relation/,
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "facts-")), "facts.json");
    fs.writeFileSync(file, "{ not json");
    assert.throws(
      () => readFactsFile(file),
      (e: Error) => e.message.startsWith(file) && /not valid JSON/.test(e.message),
    );
    delete bad.headwords;
    assert.throws(() => validateFactsFile(bad, "y.json"), /y\.json: field headwords: expected an array/);
  });
});
