import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FIXTURE } from "./fixture";
import { readWordNet } from "../../src/data/wordnet";
import { hazardRootOf, nearestCategory, selectWorld, worldHeadword } from "../../src/data/world-build";
import type { Headword } from "../../src/data/facts";

// The shared fixture plus a weapon branch (weapon > gun > muzzle_loader > musket) and a tool branch.
const NOUNS = [
  "00010000 06 n 01 weapon 0 001 ~ 00010100 n 0000 | an instrument of attack  ",
  "00010100 06 n 01 gun 0 002 @ 00010000 n 0000 ~ 00010200 n 0000 | a weapon that fires  ",
  "00010200 06 n 01 muzzle_loader 0 002 @ 00010100 n 0000 ~ 00010300 n 0000 | a gun loaded at the muzzle  ",
  "00010300 06 n 01 musket 0 001 @ 00010200 n 0000 | a long gun  ",
  "00020000 06 n 01 tool 0 001 ~ 00020100 n 0000 | an implement  ",
  "00020100 06 n 01 knife 0 001 @ 00020000 n 0000 | an edge tool  ",
];
const INDEX = [
  "gun n 1 2 @ ~ 1 0 00010100  ",
  "knife n 1 1 @ 1 0 00020100  ",
  "musket n 1 1 @ 1 0 00010300  ",
  "muzzle_loader n 1 2 @ ~ 1 0 00010200  ",
  "tool n 1 1 ~ 1 0 00020000  ",
  "weapon n 1 1 ~ 1 0 00010000  ",
];

function wordnet() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wordnet-world-"));
  for (const [name, text] of Object.entries(FIXTURE)) fs.writeFileSync(path.join(dir, name), text);
  fs.appendFileSync(path.join(dir, "data.noun"), NOUNS.join("\n") + "\n");
  const index = FIXTURE["index.noun"].trimEnd().split("\n").concat(INDEX);
  const [licence, ...entries] = index;
  fs.writeFileSync(path.join(dir, "index.noun"), [licence, ...entries.sort()].join("\n") + "\n");
  return readWordNet(dir);
}

const at = (word: string, line = 1) => ({ word, at: `list.txt:${line}` });

describe("data/world-build: hazards and look-alikes from WordNet", () => {
  const wn = wordnet();

  it("finds the hazard root above a word's first noun sense, and none above a tool", () => {
    assert.equal(hazardRootOf(wn, "musket"), "weapon");
    assert.equal(hazardRootOf(wn, "gun"), "weapon");
    assert.equal(hazardRootOf(wn, "knife"), undefined);
    assert.equal(hazardRootOf(wn, "dog"), undefined);
  });

  it("walks up past multi-word hypernyms to a one-word category", () => {
    assert.equal(nearestCategory(wn, "00010300", "musket"), "gun");
    const musket = worldHeadword(wn, at("musket"), "hazard");
    assert.deepEqual(
      musket.facts.map((f) => [f.relation, f.answer]),
      [["category", "gun"]],
    );
  });

  it("refuses a hazard outside the roots, a look-alike inside them, and a word not in WordNet", () => {
    assert.throws(
      () => worldHeadword(wn, at("knife", 4), "hazard"),
      /list\.txt:4: "knife".*none of the hazard roots/,
    );
    assert.throws(
      () => worldHeadword(wn, at("gun", 2), "lookalike"),
      /list\.txt:2: "gun" lies under weapon.*move it/,
    );
    assert.throws(
      () => worldHeadword(wn, at("zorb", 3), "hazard"),
      /list\.txt:3: "zorb" is not a noun in WordNet/,
    );
  });

  it("refuses a word in two groups, naming both places", () => {
    const dog = { word: "dog" } as Headword;
    assert.throws(
      () => selectWorld(wn, { hazards: [at("gun", 1)], lookalikes: [at("gun", 7)], headwords: [], seed: 0 }),
      /list\.txt:7: "gun" is already in list\.txt:1/,
    );
    assert.throws(
      () => selectWorld(wn, { hazards: [], lookalikes: [at("dog", 2)], headwords: [dog], seed: 0 }),
      /list\.txt:2: "dog" is already in data\/wordnet\/facts\.json/,
    );
  });

  it("splits each group half train, half held out", () => {
    const w = selectWorld(wn, {
      hazards: [at("gun"), at("musket", 2)],
      lookalikes: [at("knife", 3)],
      headwords: [],
      seed: 0,
    });
    assert.deepEqual(w.hazards.map((h) => h.split).sort(), ["heldout", "train"]);
    assert.equal(w.lookalikes.length, 1);
  });
});
