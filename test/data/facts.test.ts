import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  HEADWORD_PATTERN,
  Headword,
  RELATIONS,
  RELATION_PHRASING,
  ONE_WAY_RELATION,
  TWO_WAY_RELATIONS,
  addReverseAccepted,
  allFacts,
  clozeItems,
  parseHeadwordList,
  probeItems,
  statedFacts,
  questionsFor,
  render,
  selectHeadwords,
  signature,
} from "../../src/data/facts";
import { readFactsFile, validateFactsFile } from "../../src/data/facts-file";
import { PATHS } from "../../src/data/paths";
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

  it("puts the everyday list first, with one relation enough, and names the line WordNet lacks", () => {
    const list = parseHeadwordList("# animals\npuppy\ncold adj  # a comment\n", "everyday.txt");
    assert.deepEqual(list, [
      { word: "puppy", at: "everyday.txt:2" },
      { word: "cold", pos: "adj", at: "everyday.txt:3" },
    ]);
    const hw = selectHeadwords(wn, { words: 4, everyday: list });
    assert.deepEqual(
      hw.map((h) => h.word),
      ["puppy", "cold", "man", "hot"],
    );
    assert.deepEqual(
      hw[0].facts.map((f) => [f.relation, f.answer]),
      [["category", "dog"]],
    );
    const sel = (text: string) => () =>
      selectHeadwords(wn, { words: 4, everyday: parseHeadwordList(text, "e.txt") });
    assert.throws(sel("dog\nzebra\n"), /^Error: e\.txt:2: "zebra" is not in WordNet; delete the line$/);
    assert.throws(sel("run noun\n"), /e\.txt:1: WordNet has "run" only as verb, not as noun/);
    assert.throws(sel("female\n"), /e\.txt:1: "female" has no antonym, synonym or category/);
  });

  it("names the file and line of a malformed headword list", () => {
    const parse = (text: string) => () => parseHeadwordList(text, "list.txt");
    assert.throws(parse("hot\nHot Dog\n"), /list\.txt:2: "Hot Dog": expected one lowercase word/);
    assert.throws(parse("hot adjective\n"), /list\.txt:1: unknown part of speech "adjective"/);
    assert.throws(parse("hot\n\nhot\n"), /list\.txt:3: "hot" is already listed on line 1; delete one/);
  });

  it("states two-way facts both ways, once, and keeps category one-way", () => {
    const hw = selectHeadwords(wn, { words: 10 });
    const stated = statedFacts(hw);
    const has = (w: string, r: string, a: string) =>
      stated.some((f) => f.word === w && f.relation === r && f.answer === a);
    assert.ok(has("hot", "synonym", "warm") && has("warm", "synonym", "hot"));
    assert.ok(has("dog", "synonym", "pooch") && has("pooch", "synonym", "dog"));
    // man ↔ woman and hot ↔ cold are already facts both ways: no duplicate.
    const keys = stated.map((f) => `${f.word}|${f.relation}|${f.answer}`);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(
      stated.every((f) => !f.reverse || (TWO_WAY_RELATIONS as readonly string[]).includes(f.relation)),
    );
    assert.ok(!has("canine", "category", "dog") && !has("male", ONE_WAY_RELATION, "man"));
    const warm = stated.find((f) => f.word === "warm")!;
    assert.equal(warm.reverse, true);
    assert.equal(warm.split, hw.find((h) => h.word === "hot")!.split);
  });

  it("probes gloss → word and the one-way relation's unstated reverse apart from the facts", () => {
    const hw = selectHeadwords(wn, { words: 10 });
    const items = probeItems(hw);
    const dog = items.find((i) => i.relation === "definition" && i.word === "dog")!;
    assert.equal(dog.prompt, "The word for a member of the genus Canis is");
    assert.equal(dog.answer, " dog");
    assert.ok(dog.accepted.includes("pooch") && dog.stated);
    const rev = items.filter((i) => i.relation === ONE_WAY_RELATION && i.direction === "reverse");
    assert.ok(rev.length > 0 && rev.every((i) => !i.stated));
    const male = rev.find((i) => i.prompt === "One kind of male is")!;
    assert.deepEqual(male.accepted, ["man"]);
    assert.equal(items.filter((i) => i.stated && i.relation !== "definition").length, statedFacts(hw).length);
  });
});

describe("data/facts.json (committed)", () => {
  const data = readFactsFile();
  const facts = allFacts(data.headwords);

  it("follows the selection rules: the everyday list first, then ≥2 relations", () => {
    const listed = parseHeadwordList(fs.readFileSync(PATHS.everydayWords, "utf8"), "everyday.txt");
    assert.ok(data.headwords.length >= 500);
    assert.deepEqual(
      data.headwords.slice(0, listed.length).map((h) => h.word),
      listed.map((e) => e.word),
    );
    for (const w of ["hot", "cold", "dog", "red", "river", "apple"])
      assert.ok(
        data.headwords.some((h) => h.word === w),
        w,
      );
    for (const [i, h] of data.headwords.entries()) {
      assert.match(h.word, HEADWORD_PATTERN);
      assert.ok(h.facts.length >= (i < listed.length ? 1 : 2), h.word);
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
      assert.ok(RELATION_PHRASING[r].statements.length >= 4);
    }
  });

  it("states the one-way relation word first only, so its reverse is never in the corpus", () => {
    for (const t of RELATION_PHRASING[ONE_WAY_RELATION].statements)
      assert.ok(t.indexOf("{word}") < t.indexOf("{answer}"), t);
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
