/**
 * Builds the data the lab trains on.
 *
 *   npx tsx src/cli/build-data.ts --words 200        # WordNet → data/wordnet/facts.json + LICENSE
 *   npx tsx src/cli/build-data.ts --corpus           # facts.json → data/corpus/*.jsonl
 *
 * Options: --seed N (split and corpus seed, default 0), --wordnet DIR,
 * --train-chars N (default 16e6, about 6M BPE tokens at 2.6 chars/token),
 * --val-chars N (default 200e3), --out DIR (default: the repository's data/),
 * --facts FILE (corpus input, default OUT/wordnet/facts.json).
 * The facts step needs `apt-get install wordnet-base`; the corpus step only
 * needs the committed facts.json.
 */
import * as fs from "fs";
import * as path from "path";
import { allFacts, factStats, selectHeadwords } from "../data/facts";
import { makeFactsFile, readFactsFile, writeFactsFile } from "../data/facts-file";
import { DATA_DIR } from "../data/paths";
import { writeCorpus } from "../data/corpus";
import { DEFAULT_WORDNET_DIR, readWordNet } from "../data/wordnet";

interface Args {
  words?: number;
  corpus: boolean;
  seed: number;
  wordnet: string;
  trainChars: number;
  valChars: number;
  out: string;
  facts?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { corpus: false, seed: 0, wordnet: DEFAULT_WORDNET_DIR, trainChars: 16e6, valChars: 200e3, out: DATA_DIR };
  const num = (i: number) => {
    const v = Number(argv[i]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`build-data: ${argv[i - 1]} needs a number, got ${argv[i]}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case "--words": a.words = num(++i); break;
      case "--corpus": a.corpus = true; break;
      case "--seed": a.seed = num(++i); break;
      case "--wordnet": a.wordnet = argv[++i]; break;
      case "--train-chars": a.trainChars = num(++i); break;
      case "--val-chars": a.valChars = num(++i); break;
      case "--out": a.out = argv[++i]; break;
      case "--facts": a.facts = argv[++i]; break;
      default: throw new Error(`build-data: unknown option ${argv[i]} (see the header of src/cli/build-data.ts)`);
    }
  }
  if (a.words === undefined && !a.corpus) a.words = 200;
  return a;
}

/** The WordNet notice, which must travel with any copy of the data. */
function wordnetNotice(): string {
  const copyright = "/usr/share/doc/wordnet-base/copyright";
  if (!fs.existsSync(copyright)) throw new Error(`${copyright} not found: install wordnet-base`);
  const text = fs.readFileSync(copyright, "utf8");
  const m = /License: WordNet3\.0\n([\s\S]*?)\n\n/.exec(text);
  if (!m) throw new Error(`${copyright}: WordNet 3.0 license section not found`);
  const body = m[1].split("\n").map((l) => l.replace(/^ \.?/, "")).join("\n");
  return `WordNet Release 3.0\n\n${body}\n\nData in this directory (facts.json) is derived from WordNet 3.0.\n`;
}

function buildFacts(a: Args, words: number): void {
  const t0 = Date.now();
  const wn = readWordNet(a.wordnet);
  const headwords = selectHeadwords(wn, { words, seed: a.seed });
  const dir = path.join(a.out, "wordnet");
  writeFactsFile(path.join(dir, "facts.json"), makeFactsFile(headwords, words, a.seed));
  fs.writeFileSync(path.join(dir, "LICENSE"), wordnetNotice());
  const train = headwords.filter((h) => h.split === "train").length;
  console.log(`facts: ${headwords.length} headwords (${train} train, ${headwords.length - train} heldout)`,
    factStats(allFacts(headwords)), `in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${dir}/facts.json`);
}

function buildCorpus(a: Args): void {
  const t0 = Date.now();
  const factsPath = a.facts ?? path.join(a.out, "wordnet", "facts.json");
  const facts = readFactsFile(factsPath);
  const dir = path.join(a.out, "corpus");
  const s = writeCorpus(dir, facts.headwords, { seed: a.seed, trainChars: a.trainChars, valChars: a.valChars });
  console.log(`corpus: train ${s.train.documents} docs / ${s.train.chars} chars, val ${s.val.documents} docs / ${s.val.chars} chars,` +
    ` ${s.meanCharsPerDoc} chars/doc, in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${dir}`);
  console.log("documents by kind (train):", s.train.byKind);
  // The corpus quotes WordNet glosses, so the notice travels with it too.
  const notice = path.join(path.dirname(factsPath), "LICENSE");
  if (fs.existsSync(notice)) fs.copyFileSync(notice, path.join(dir, "LICENSE-WordNet"));
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  if (a.words !== undefined) buildFacts(a, a.words);
  if (a.corpus) buildCorpus(a);
}

try {
  main();
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
