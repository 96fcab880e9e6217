/**
 * Builds the data the lab trains on.
 *
 *   npx tsx src/cli/build-data.ts --words 500        # WordNet → data/wordnet/facts.json + LICENSE
 *   npx tsx src/cli/build-data.ts --world            # WordNet + data/world/*.txt → data/world/world.json
 *   npx tsx src/cli/build-data.ts --corpus           # facts.json + world.json → data/corpus/*.jsonl,
 *                                                    #   data/world/corpus_words.txt
 *   npx tsx src/cli/build-data.ts --pseudowords 240  # corpus_words.txt → data/world/pseudowords.txt
 *
 * Options: --seed N (split and corpus seed, default 0), --wordnet DIR,
 * --train-chars N (default 40e6, about 14M tokens of the base model's BPE),
 * --val-chars N (default 200e3), --out DIR (default: the repository's data/),
 * --facts FILE (corpus input, default OUT/wordnet/facts.json).
 * The facts and world steps need `apt-get install wordnet-base`; the corpus
 * step only needs the committed facts.json and world.json.
 */
import * as fs from "fs";
import * as path from "path";
import {
  Headword,
  allFacts,
  factStats,
  parseHeadwordList,
  selectHeadwords,
  statedFacts,
} from "../data/facts";
import { makeFactsFile, readFactsFile, writeFactsFile } from "../data/facts-file";
import { DATA_DIR, PATHS } from "../data/paths";
import { DEFAULT_CORPUS, readCorpus, writeCorpus, CORPUS_FILES } from "../data/corpus";
import { instructionWords, pseudoWords, selectWorld, taskRequestTexts } from "../data/world-build";
import {
  WORLD_FILES,
  hazardForms,
  readWordList,
  readWorldGroups,
  textWords,
  writeWorldGroups,
} from "../data/world";
import { DEFAULT_WORDNET_DIR, readWordNet } from "../data/wordnet";
import { CliSpec, Flag, helpText, parseCli } from "./args";
import { checkOutput } from "../output";

interface Args {
  words?: number;
  corpus: boolean;
  world: boolean;
  pseudowords?: number;
  seed: number;
  wordnet: string;
  trainChars: number;
  valChars: number;
  out: string;
  facts?: string;
  list: string;
  force?: boolean;
}

export const BUILD_DATA_CLI = {
  name: "build-data",
  usage:
    "usage: npx tsx src/cli/build-data.ts [--words N] [--world] [--corpus] [--pseudowords N] [--seed N] [--wordnet DIR] [--train-chars N] [--val-chars N] [--out DIR] [--facts FILE] [--list FILE]",
  summary:
    "WordNet → data/wordnet/facts.json (--words, the default) and data/world/world.json (--world); " +
    "facts → data/corpus/*.jsonl and data/world/corpus_words.txt (--corpus); pseudo-words absent from the corpus (--pseudowords).",
  flags: {
    words: { type: "int", min: 1, doc: "headwords to select from WordNet", default: 500 },
    list: {
      type: "string",
      arg: "FILE",
      doc: "everyday headwords that come first",
      default: "data/wordnet/everyday.txt",
    },
    world: { type: "boolean", doc: "hazards and look-alikes from data/world/*.txt → data/world/world.json" },
    corpus: { type: "boolean", doc: "build the corpus from the facts and the world" },
    pseudowords: {
      type: "int",
      min: 1,
      arg: "N",
      doc: "N pseudo-words absent from the corpus, half held out",
    },
    seed: { type: "number", doc: "split and corpus seed", default: 0 },
    wordnet: { type: "string", arg: "DIR", doc: "WordNet's dict folder", default: DEFAULT_WORDNET_DIR },
    "train-chars": { type: "number", doc: "training corpus size in characters", default: 40e6 },
    "val-chars": { type: "number", doc: "validation corpus size in characters", default: 200e3 },
    out: { type: "string", arg: "DIR", doc: "output data folder", default: "data/" },
    force: {
      type: "boolean",
      doc: "write into an --out folder that holds something this command did not make",
    },
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
    world: v.world ?? false,
    pseudowords: v.pseudowords,
    seed: v.seed ?? 0,
    wordnet: v.wordnet ?? DEFAULT_WORDNET_DIR,
    trainChars: v["train-chars"] ?? DEFAULT_CORPUS.trainChars,
    valChars: v["val-chars"] ?? DEFAULT_CORPUS.valChars,
    out: v.out ?? DATA_DIR,
    facts: v.facts,
    list: v.list ?? PATHS.everydayWords,
    force: v.force,
  };
  if (a.words === undefined && !a.corpus && !a.world && a.pseudowords === undefined) a.words = 500;
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

const listFile = (file: string) => path.relative(process.cwd(), file) || file;

function buildWorld(a: Args): void {
  const t0 = Date.now();
  const wn = readWordNet(a.wordnet);
  const dir = path.join(a.out, "world");
  const list = (name: string) =>
    parseHeadwordList(fs.readFileSync(path.join(dir, name), "utf8"), listFile(path.join(dir, name)));
  const { headwords } = readFactsFile(a.facts ?? path.join(a.out, "wordnet", "facts.json"));
  const groups = selectWorld(wn, {
    hazards: list(WORLD_FILES.hazardList),
    lookalikes: list(WORLD_FILES.lookalikeList),
    headwords,
    seed: a.seed,
  });
  const file = path.join(dir, WORLD_FILES.groups);
  writeWorldGroups(file, {
    generatedBy: `npx tsx src/cli/build-data.ts --world --seed ${a.seed}`,
    seed: a.seed,
    ...groups,
  });
  const held = (hs: { split: string }[]) => hs.filter((h) => h.split === "heldout").length;
  console.log(
    `world: ${groups.hazards.length} hazards (${held(groups.hazards)} held out), ` +
      `${groups.lookalikes.length} look-alikes (${held(groups.lookalikes)} held out) in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${file}`,
  );
}

/** Writes a sorted word list with a header saying what it is. */
function writeWordList(file: string, words: Iterable<string>, what: string): number {
  const sorted = [...new Set(words)].sort();
  const header =
    `# ${what}, lowercase, one per line.\n` +
    "# Written by `npx tsx src/cli/build-data.ts --corpus`; read by requestKind in src/data/world.ts.\n";
  fs.writeFileSync(file, header + sorted.join("\n") + "\n");
  return sorted.length;
}

/**
 * The known words: every word of the corpus files, and the words the lab's
 * request templates add (from requests over the corpus headwords, hazards
 * excluded), so "a word the model never saw" is checked against both.
 */
function writeKnownWords(a: Args, corpusDir: string, headwords: Headword[], hazards: Headword[]): void {
  const corpus = new Set<string>();
  for (const name of [CORPUS_FILES.train, CORPUS_FILES.val])
    for (const doc of readCorpus(path.join(corpusDir, name))) for (const w of textWords(doc)) corpus.add(w);
  const dir = path.join(a.out, "world");
  const n = writeWordList(
    path.join(dir, WORLD_FILES.corpusWords),
    corpus,
    "Every word of the pretraining corpus (train and val)",
  );
  const extra = instructionWords(taskRequestTexts(headwords, 40, a.seed), corpus, hazardForms(hazards));
  const m = writeWordList(
    path.join(dir, WORLD_FILES.instructionWords),
    extra,
    "Words of the lab's request templates that the corpus lacks",
  );
  console.log(`known words: ${n} in the corpus, ${m} more in the request templates -> ${dir}`);
}

function buildPseudoWords(a: Args, n: number): void {
  const dir = path.join(a.out, "world");
  const known = new Set([
    ...readWordList(path.join(dir, WORLD_FILES.corpusWords)),
    ...readWordList(path.join(dir, WORLD_FILES.instructionWords)),
  ]);
  const words = pseudoWords(n, known, a.seed);
  const header =
    `# ${n} pronounceable pseudo-words, none in data/world/corpus_words.txt or instruction_words.txt: the unknown words of the\n` +
    `# HHH world. \`word split\` per line; "heldout" words appear in no training stage.\n` +
    `# Written by \`npx tsx src/cli/build-data.ts --pseudowords ${n} --seed ${a.seed}\`.\n`;
  const file = path.join(dir, WORLD_FILES.pseudowords);
  fs.writeFileSync(file, header + words.map((w) => `${w.word} ${w.split}`).join("\n") + "\n");
  console.log(
    `pseudo-words: ${words.length} (${words.filter((w) => w.split === "heldout").length} held out) -> ${file}`,
  );
}

function buildCorpus(a: Args): void {
  const t0 = Date.now();
  const factsPath = a.facts ?? path.join(a.out, "wordnet", "facts.json");
  const facts = readFactsFile(factsPath);
  const world = readWorldGroups(path.join(a.out, "world"));
  const dir = path.join(a.out, "corpus");
  const s = writeCorpus(dir, [...facts.headwords, ...world.lookalikes, ...world.hazards], {
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
  writeKnownWords(a, dir, [...facts.headwords, ...world.lookalikes], world.hazards);
}

/** A data folder this command made: it holds the facts, the world or the corpus. */
const isDataFolder = (dir: string) =>
  ["wordnet/facts.json", "world/world.json", "corpus/stats.json"].some((f) =>
    fs.existsSync(path.join(dir, f)),
  );

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  if (!a) return;
  checkOutput({ out: a.out, what: "data folder", ours: isDataFolder, force: a.force, replaces: false });
  if (a.words !== undefined) buildFacts(a, a.words);
  if (a.world) buildWorld(a);
  if (a.corpus) buildCorpus(a);
  if (a.pseudowords !== undefined) buildPseudoWords(a, a.pseudowords);
}

try {
  main();
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
