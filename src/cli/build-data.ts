/**
 * Builds the data the lab trains on.
 *
 *   npx tsx src/cli/build-data.ts --words 500        # WordNet → data/wordnet/facts.json + LICENSE
 *   npx tsx src/cli/build-data.ts --corpus           # facts.json → data/corpus/*.jsonl
 *
 * Options: --seed N (split and corpus seed, default 0), --wordnet DIR,
 * --train-chars N (default 40e6, about 14M tokens of the base model's BPE),
 * --val-chars N (default 200e3), --out DIR (default: the repository's data/),
 * --facts FILE (corpus input, default OUT/wordnet/facts.json).
 * The facts step needs `apt-get install wordnet-base`; the corpus step only
 * needs the committed facts.json.
 */
import * as fs from "fs";
import * as path from "path";
import { allFacts, factStats, parseHeadwordList, selectHeadwords, statedFacts } from "../data/facts";
import { makeFactsFile, readFactsFile, writeFactsFile } from "../data/facts-file";
import { DATA_DIR, PATHS } from "../data/paths";
import { DEFAULT_CORPUS, writeCorpus } from "../data/corpus";
import { DEFAULT_WORDNET_DIR, readWordNet } from "../data/wordnet";
import { CliSpec, Flag, helpText, parseCli } from "./args";

interface Args {
  words?: number;
  corpus: boolean;
  seed: number;
  wordnet: string;
  trainChars: number;
  valChars: number;
  out: string;
  facts?: string;
  list: string;
}

export const BUILD_DATA_CLI = {
  name: "build-data",
  usage:
    "usage: npx tsx src/cli/build-data.ts [--words N] [--corpus] [--seed N] [--wordnet DIR] [--train-chars N] [--val-chars N] [--out DIR] [--facts FILE] [--list FILE]",
  summary:
    "WordNet → data/wordnet/facts.json (--words, the default) and facts.json → data/corpus/*.jsonl (--corpus).",
  flags: {
    words: { type: "int", min: 1, doc: "headwords to select from WordNet", default: 500 },
    list: {
      type: "string",
      arg: "FILE",
      doc: "everyday headwords that come first",
      default: "data/wordnet/everyday.txt",
    },
    corpus: { type: "boolean", doc: "build the corpus from the facts" },
    seed: { type: "number", doc: "split and corpus seed", default: 0 },
    wordnet: { type: "string", arg: "DIR", doc: "WordNet's dict folder", default: DEFAULT_WORDNET_DIR },
    "train-chars": { type: "number", doc: "training corpus size in characters", default: 40e6 },
    "val-chars": { type: "number", doc: "validation corpus size in characters", default: 200e3 },
    out: { type: "string", arg: "DIR", doc: "output data folder", default: "data/" },
    facts: { type: "string", arg: "FILE", doc: "corpus input", default: "OUT/wordnet/facts.json" },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

function parseArgs(argv: string[]): Args | undefined {
  const v = parseCli(BUILD_DATA_CLI, argv);
  if (v.help) {
    process.stdout.write(helpText(BUILD_DATA_CLI));
    return undefined;
  }
  const a: Args = {
    words: v.words,
    corpus: v.corpus ?? false,
    seed: v.seed ?? 0,
    wordnet: v.wordnet ?? DEFAULT_WORDNET_DIR,
    trainChars: v["train-chars"] ?? DEFAULT_CORPUS.trainChars,
    valChars: v["val-chars"] ?? DEFAULT_CORPUS.valChars,
    out: v.out ?? DATA_DIR,
    facts: v.facts,
    list: v.list ?? PATHS.everydayWords,
  };
  if (a.words === undefined && !a.corpus) a.words = 500;
  return a;
}

/** The WordNet notice, which must travel with any copy of the data. */
function wordnetNotice(): string {
  const copyright = "/usr/share/doc/wordnet-base/copyright";
  if (!fs.existsSync(copyright)) throw new Error(`${copyright} not found: install wordnet-base`);
  const text = fs.readFileSync(copyright, "utf8");
  const m = /License: WordNet3\.0\n([\s\S]*?)\n\n/.exec(text);
  if (!m) throw new Error(`${copyright}: WordNet 3.0 license section not found`);
  const body = m[1]
    .split("\n")
    .map((l) => l.replace(/^ \.?/, ""))
    .join("\n");
  return `WordNet Release 3.0\n\n${body}\n\nData in this directory (facts.json) is derived from WordNet 3.0.\n`;
}

function buildFacts(a: Args, words: number): void {
  const t0 = Date.now();
  const wn = readWordNet(a.wordnet);
  const listFile = path.relative(process.cwd(), a.list) || a.list;
  const everyday = parseHeadwordList(fs.readFileSync(a.list, "utf8"), listFile);
  const headwords = selectHeadwords(wn, { words, seed: a.seed, everyday });
  const dir = path.join(a.out, "wordnet");
  writeFactsFile(path.join(dir, "facts.json"), makeFactsFile(headwords, words, a.seed));
  fs.writeFileSync(path.join(dir, "LICENSE"), wordnetNotice());
  const train = headwords.filter((h) => h.split === "train").length;
  console.log(
    `facts: ${headwords.length} headwords (${train} train, ${headwords.length - train} heldout)`,
    factStats(allFacts(headwords)),
    `; ${statedFacts(headwords).length} stated with the two-way relations' other direction`,
    `in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${dir}/facts.json`,
  );
}

function buildCorpus(a: Args): void {
  const t0 = Date.now();
  const factsPath = a.facts ?? path.join(a.out, "wordnet", "facts.json");
  const facts = readFactsFile(factsPath);
  const dir = path.join(a.out, "corpus");
  const s = writeCorpus(dir, facts.headwords, {
    seed: a.seed,
    trainChars: a.trainChars,
    valChars: a.valChars,
  });
  console.log(
    `corpus: train ${s.train.documents} docs / ${s.train.chars} chars, val ${s.val.documents} docs / ${s.val.chars} chars,` +
      ` ${s.meanCharsPerDoc} chars/doc, in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${dir}`,
  );
  console.log("documents by kind (train):", s.train.byKind);
  // The corpus quotes WordNet glosses, so the notice travels with it too.
  const notice = path.join(path.dirname(factsPath), "LICENSE");
  if (fs.existsSync(notice)) fs.copyFileSync(notice, path.join(dir, "LICENSE-WordNet"));
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  if (!a) return;
  if (a.words !== undefined) buildFacts(a, a.words);
  if (a.corpus) buildCorpus(a);
}

try {
  main();
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
