import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  parseCntlist,
  parseDataFile,
  parseDataLine,
  parseIndexFile,
  readWordNet,
  senseKey,
  splitGloss,
} from "../../src/data/wordnet";
import { FIXTURE, writeFixtureDir } from "./fixture";

describe("data/wordnet parser", () => {
  it("reads a synset: lemmas, lexical and semantic pointers, gloss", () => {
    const s = parseDataLine(
      '00001000 00 a 02 hot(a) 0 red-hot 1 002 ! 00002000 a 0101 & 00003000 s 0000 | used of heat; "hot stove"  ',
    );
    assert.equal(s.offset, "00001000");
    assert.equal(s.type, "a");
    assert.deepEqual(s.words, [
      { lemma: "hot", lexId: 0 },
      { lemma: "red-hot", lexId: 1 },
    ]);
    assert.deepEqual(s.pointers[0], { symbol: "!", offset: "00002000", type: "a", source: 1, target: 1 });
    assert.deepEqual(s.pointers[1], { symbol: "&", offset: "00003000", type: "s", source: 0, target: 0 });
    assert.equal(s.gloss, 'used of heat; "hot stove"');
  });

  it("skips licence lines and verb frames", () => {
    const verbs = parseDataFile(FIXTURE["data.verb"]);
    assert.equal(verbs.size, 2);
    assert.deepEqual(
      verbs.get("00004000")!.pointers.map((p) => p.symbol),
      ["@"],
    );
    assert.equal(parseDataFile(FIXTURE["data.noun"]).size, 8);
  });

  it("reads index entries (first offset = first sense) and cntlist counts", () => {
    const idx = parseIndexFile(FIXTURE["index.noun"]);
    assert.deepEqual(idx.get("man"), { lemma: "man", pos: "noun", offsets: ["00000400"], tagSenseCount: 1 });
    const counts = parseCntlist(FIXTURE["cntlist.rev"]);
    assert.equal(counts.get("hot%3:00:00::"), 40);
  });

  it("builds sense keys, naming the head of a satellite", () => {
    const wn = readWordNet(writeFixtureDir());
    assert.equal(senseKey(wn, wn.synsets.adj.get("00001000")!, 0), "hot%3:00:00::");
    assert.equal(senseKey(wn, wn.synsets.adj.get("00003000")!, 0), "warm%5:00:00:hot:00");
    assert.equal(senseKey(wn, wn.synsets.noun.get("00000400")!, 0), "man%1:18:00::");
  });

  it("splits a gloss into definition and examples", () => {
    assert.deepEqual(splitGloss('used of heat; "hot stove"; "a hot day"'), {
      definition: "used of heat",
      examples: ["hot stove", "a hot day"],
    });
    assert.deepEqual(splitGloss("a young dog"), { definition: "a young dog", examples: [] });
  });

  it("says how to install WordNet when the directory is missing", () => {
    const dir = path.join(os.tmpdir(), "no-wordnet-here");
    assert.throws(
      () => readWordNet(dir),
      (e: Error) => /apt-get install wordnet-base/.test(e.message) && e.message.includes(dir),
    );
  });

  it("names the missing file when only part of the database is there", () => {
    const dir = writeFixtureDir();
    fs.unlinkSync(path.join(dir, "cntlist.rev"));
    assert.throws(() => readWordNet(dir), /cntlist\.rev/);
  });
});
