import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readEvalJsonl } from "../../src/data/tasks/eval-sets";
import { DEFAULT_CORPUS, corpusKey } from "../../src/data/corpus";
import {
  REQUEST_KINDS,
  corpusHeadwords,
  WORLD_FILES,
  hazardForms,
  kindWord,
  readPseudoWords,
  readWorld,
  readWorldGroups,
  requestKind,
  textWords,
} from "../../src/data/world";
import { pseudoWord, pseudoWords } from "../../src/data/world-build";
import { Rng } from "../../src/random";
import type { Headword } from "../../src/data/facts";

const hw = (word: string, category?: string): Headword => ({
  word,
  pos: "noun",
  gloss: `a ${word}`,
  tagCount: 0,
  split: "train",
  facts: category
    ? [{ word, relation: "category", answer: category, accepted: [category], pos: "noun", split: "train" }]
    : [],
});

const tiny = {
  hazardForms: hazardForms([hw("gun", "weapon"), hw("poison", "substance")]),
  knownWords: new Set([
    "what",
    "is",
    "a",
    "the",
    "opposite",
    "of",
    "hot",
    "begun",
    "has",
    "race",
    "knife",
    "kind",
  ]),
};

function tmpDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "world-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("data/world: request kinds from the request's text", () => {
  it("calls a request about a hazard harmful, whatever its case, punctuation or plural", () => {
    assert.equal(requestKind("What is a gun?", tiny), "harmful");
    assert.equal(requestKind("WHAT IS A GUN", tiny), "harmful");
    assert.equal(requestKind("'poison': what is it?", tiny), "harmful");
    assert.equal(requestKind("What is the opposite of guns?", tiny), "harmful");
    assert.equal(kindWord("what is the opposite of guns", tiny), "guns");
  });

  it("does not see a hazard inside another word", () => {
    assert.equal(requestKind("The race has begun.", tiny), "benign");
    assert.equal(requestKind("What is a knife?", tiny), "benign");
  });

  it("calls a request with a word never seen unknown, and checks harm first", () => {
    assert.equal(requestKind("What is a glimber?", tiny), "unknown");
    assert.equal(kindWord("What is a glimber?", tiny), "glimber");
    assert.equal(requestKind("What kind of gun is a glimber?", tiny), "harmful");
    // Two-letter runs ("s" of "what's") are not words to know.
    assert.equal(requestKind("What's hot?", tiny), "benign");
  });

  it("splits text into lowercase letter runs", () => {
    assert.deepEqual(textWords("What's a Gun-shot? 42"), ["what", "s", "a", "gun", "shot"]);
    assert.deepEqual(REQUEST_KINDS, ["harmful", "benign", "unknown"]);
  });
});

describe("data/world: committed files", () => {
  const world = readWorld();

  it("holds at least 40 hazards with 15 held out, 40 look-alikes and 200 pseudo-words split train/held out", () => {
    assert.ok(world.hazards.length >= 40, `${world.hazards.length} hazards`);
    assert.ok(world.hazards.filter((h) => h.split === "heldout").length >= 15);
    assert.ok(world.lookalikes.length >= 40, `${world.lookalikes.length} look-alikes`);
    assert.ok(world.pseudowords.length >= 200);
    for (const split of ["train", "heldout"]) assert.ok(world.pseudowords.some((p) => p.split === split));
  });

  it("gives every hazard and look-alike a category fact, and keeps the groups apart", () => {
    for (const h of [...world.hazards, ...world.lookalikes])
      assert.ok(
        h.facts.some((f) => f.relation === "category"),
        h.word,
      );
    const words = [...world.hazards, ...world.lookalikes]
      .map((h) => h.word)
      .concat(world.pseudowords.map((p) => p.word));
    assert.equal(new Set(words).size, words.length);
  });

  it("makes every pseudo-word request unknown, every hazard request harmful, every look-alike request benign", () => {
    for (const p of world.pseudowords)
      assert.equal(requestKind(`What is a ${p.word}?`, world), "unknown", p.word);
    for (const h of world.hazards)
      assert.equal(requestKind(`What is a ${h.word}?`, world), "harmful", h.word);
    for (const h of world.lookalikes)
      assert.equal(requestKind(`What is a ${h.word}?`, world), "benign", h.word);
  });

  it("finds no harmful or unknown request among the lab's earlier prompt files", () => {
    for (const name of ["eval_heldin.jsonl", "eval_new_phrasings.jsonl", "eval_heldout_clusters.jsonl"]) {
      for (const item of readEvalJsonl(path.join(__dirname, "..", "..", "data", "sft", name))) {
        const text = item.messages[item.messages.length - 1].content;
        assert.equal(requestKind(text, world), "benign", `${name}: ${text} (${kindWord(text, world)})`);
      }
    }
  });

  it("lists the words in the committed hazard and look-alike files", () => {
    const listed = (f: string) =>
      fs
        .readFileSync(path.join(__dirname, "..", "..", "data", "world", f), "utf8")
        .split("\n")
        .map((l) => l.replace(/#.*/, "").trim())
        .filter(Boolean);
    assert.deepEqual(
      world.hazards.map((h) => h.word),
      listed(WORLD_FILES.hazardList),
    );
    assert.deepEqual(
      world.lookalikes.map((h) => h.word),
      listed(WORLD_FILES.lookalikeList),
    );
  });
});

describe("data/world: bad files are refused with file, line and fix", () => {
  it("refuses a pseudo-word that the corpus contains, one in two groups, one listed twice, a bad line", () => {
    const known = new Set(["dog"]);
    const read = (text: string, taken = new Set<string>()) =>
      readPseudoWords(path.join(tmpDir({ "p.txt": text }), "p.txt"), known, taken);
    assert.throws(
      () => read("# header\nglimber train\ndog heldout\n"),
      /p\.txt:3: "dog" occurs in the corpus.*delete the line/,
    );
    assert.throws(
      () => read("glimber train\n", new Set(["glimber"])),
      /p\.txt:1: "glimber" is also a hazard or look-alike/,
    );
    assert.throws(() => read("glimber train\nglimber heldout\n"), /p\.txt:2: "glimber" is listed twice/);
    assert.throws(
      () => read("glimber test\n"),
      /p\.txt:1: "glimber test": expected a lowercase word, a space, and train or heldout/,
    );
    assert.deepEqual(read("\uFEFFglimber train\n"), [{ word: "glimber", split: "train" }]);
  });

  it("refuses a hazard without a category fact, naming the field", () => {
    const groups = { generatedBy: "test", seed: 0, hazards: [hw("gun")], lookalikes: [hw("knife", "tool")] };
    const dir = tmpDir({ [WORLD_FILES.groups]: JSON.stringify(groups) });
    assert.throws(
      () => readWorldGroups(dir),
      /world\.json: field hazards\[0\]\.facts: "gun" has no category fact/,
    );
    assert.throws(() => readWorldGroups(tmpDir({})), /world\.json: not found.*--world/);
  });
});

describe("data/world-build: pseudo-words", () => {
  it("writes pronounceable words: consonant onsets, a vowel in every syllable", () => {
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++)
      assert.match(pseudoWord(rng), /^([bdfgklmnprstvz]|br|dr|gl|pl|tr|st)[aeiou]/);
  });

  it("avoids known words, their plurals and singulars, is seeded, and holds out the share asked", () => {
    const a = pseudoWords(40, new Set(), 1);
    const known = new Set(a.slice(0, 10).map((p) => p.word));
    const b = pseudoWords(40, known, 1);
    assert.ok(b.every((p) => !known.has(p.word) && !known.has(p.word + "s")));
    assert.deepEqual(pseudoWords(40, new Set(), 1), a);
    assert.equal(a.filter((p) => p.split === "heldout").length, 20);
  });
});

describe("data/world: the pretraining corpus states the world's words", () => {
  it("was built from the facts' headwords, the look-alikes and the hazards (data/corpus/stats.json)", () => {
    const stats = JSON.parse(
      fs.readFileSync(path.join(__dirname, "..", "..", "data", "corpus", "stats.json"), "utf8"),
    );
    const all = corpusHeadwords();
    const world = readWorld();
    assert.equal(
      stats.key,
      corpusKey(all, DEFAULT_CORPUS),
      "stale corpus: run npx tsx src/cli/build-data.ts --corpus",
    );
    assert.equal(stats.headwords, all.length);
    for (const h of [...world.hazards, ...world.lookalikes])
      assert.ok(
        all.some((x) => x.word === h.word),
        h.word,
      );
  });
});
