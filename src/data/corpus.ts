/**
 * The pretraining corpus: raw English documents generated from the word
 * facts, mixed by a table of document kinds (DEFAULT_MIXTURE). Documents
 * carry no special tokens; the trainer puts its own
 * end-of-document token between them.
 *
 * Files: data/corpus/train.jsonl and val.jsonl, one `{"text": ...}` per
 * line (JSONL survives any character inside a document), plus a small
 * human-readable sample.txt and stats.json.
 */
import * as fs from "fs";
import * as path from "path";
import { Rng } from "../random";
import { createHash } from "crypto";
import { Fact, Headword, statedFacts } from "./facts";
import { PATHS } from "./paths";
import {
  Deck,
  DocContext,
  DocGenerator,
  answerKey,
  dictionary,
  factProse,
  forum,
  instructions,
  quiz,
  workedExamples,
} from "./documents";

/** The kinds of document in the mixture. */
export type DocKind =
  "factProse" | "dictionary" | "workedExamples" | "quiz" | "forum" | "instructions" | "answerKey";

/** One generator per kind. */
export const DOC_GENERATORS: Readonly<Record<DocKind, DocGenerator>> = Object.freeze({
  factProse,
  dictionary,
  workedExamples,
  quiz,
  forum,
  instructions,
  answerKey,
});

/** Share of documents per kind (sums to 1). */
export type Mixture = Readonly<Record<DocKind, number>>;

/**
 * Default mixture (data/corpus/stats.json records what it gives). Worked
 * examples had 20 % before; half of that moved to facts, because the
 * previous 0.9 M-parameter base model learned none of the skills from them
 * and 500 headwords need the room. (The 2 M base model still learns reverse
 * and uppercase well enough to imitate a demonstration: notebook 01.)
 */
export const DEFAULT_MIXTURE: Mixture = Object.freeze({
  factProse: 0.5,
  dictionary: 0.12,
  workedExamples: 0.1,
  quiz: 0.1,
  forum: 0.06,
  instructions: 0.06,
  answerKey: 0.06,
});

/** Options for {@link iterateCorpus}: stop at `documents` or at `targetChars`, whichever is given. */
export interface CorpusOptions {
  seed: number;
  documents?: number;
  targetChars?: number;
  mixture?: Mixture;
}

/** A generated document and its kind. */
export interface Doc {
  kind: DocKind;
  text: string;
}

function makeContext(headwords: readonly Headword[], rng: Rng): DocContext {
  const facts: Fact[] = statedFacts(headwords);
  if (facts.length === 0) throw new Error("corpus: no facts to write about");
  const factDeck = new Deck(facts, rng.fork("fact-deck"));
  const wordDeck = new Deck(headwords, rng.fork("word-deck"));
  const definitionDeck = new Deck(headwords, rng.fork("definition-deck"));
  return {
    rng,
    facts,
    vocab: headwords.map((h) => h.word),
    nextFact: () => factDeck.next(),
    nextHeadword: () => wordDeck.next(),
    nextDefinition: () => definitionDeck.next(),
  };
}

/**
 * Generates documents lazily. Deterministic for the same headwords and
 * options; with neither `documents` nor `targetChars` it never ends.
 */
export function* iterateCorpus(headwords: readonly Headword[], opts: CorpusOptions): Generator<Doc> {
  const mixture = opts.mixture ?? DEFAULT_MIXTURE;
  const kinds = Object.keys(DOC_GENERATORS) as DocKind[];
  const weights = kinds.map((k) => mixture[k] ?? 0);
  const rng = new Rng(opts.seed);
  const pickRng = rng.fork("kind");
  const ctx = makeContext(headwords, rng.fork("docs"));
  let chars = 0;
  for (let n = 0; ; n++) {
    if (opts.documents !== undefined && n >= opts.documents) return;
    if (opts.targetChars !== undefined && chars >= opts.targetChars) return;
    const kind = kinds[pickRng.categorical(weights)];
    const text = DOC_GENERATORS[kind](ctx);
    chars += text.length;
    yield { kind, text };
  }
}

/** All documents as strings (see {@link iterateCorpus}). */
export function buildCorpus(headwords: readonly Headword[], opts: CorpusOptions): string[] {
  if (opts.documents === undefined && opts.targetChars === undefined) {
    throw new Error("buildCorpus: give documents or targetChars");
  }
  return Array.from(iterateCorpus(headwords, opts), (d) => d.text);
}

/** Default corpus directory (data/corpus in the repository). */
export const CORPUS_DIR = PATHS.corpus;

/** File names inside the corpus directory. */
export const CORPUS_FILES = Object.freeze({
  train: "train.jsonl",
  val: "val.jsonl",
  sample: "sample.txt",
  stats: "stats.json",
});

/** Options for {@link writeCorpus}. */
export interface WriteCorpusOptions {
  seed: number;
  trainChars: number;
  valChars: number;
  mixture?: Mixture;
  /** Documents in sample.txt. */
  sampleDocs?: number;
}

/** What {@link writeCorpus} wrote. */
export interface CorpusStats {
  /** Fingerprint of the headwords and options that made the corpus (stale files are rebuilt). */
  key: string;
  seed: number;
  facts: number;
  headwords: number;
  train: { documents: number; chars: number; byKind: Record<string, number> };
  val: { documents: number; chars: number; byKind: Record<string, number> };
  meanCharsPerDoc: number;
}

function writeSplit(file: string, docs: Iterable<Doc>, skip?: Set<string>, keep?: Set<string>) {
  const fd = fs.openSync(file, "w");
  const stats = { documents: 0, chars: 0, byKind: {} as Record<string, number> };
  let buf: string[] = [];
  try {
    for (const d of docs) {
      if (skip?.has(d.text)) continue;
      keep?.add(d.text);
      buf.push(JSON.stringify({ text: d.text }));
      stats.documents++;
      stats.chars += d.text.length;
      stats.byKind[d.kind] = (stats.byKind[d.kind] ?? 0) + 1;
      if (buf.length >= 4096) {
        fs.writeSync(fd, buf.join("\n") + "\n");
        buf = [];
      }
    }
    if (buf.length > 0) fs.writeSync(fd, buf.join("\n") + "\n");
  } finally {
    fs.closeSync(fd);
  }
  return stats;
}

/**
 * Writes train.jsonl, val.jsonl (different seeds: different documents, same
 * facts; exact duplicates of a train document are dropped from val),
 * sample.txt and stats.json into `dir`.
 */
export function writeCorpus(
  dir: string,
  headwords: readonly Headword[],
  opts: WriteCorpusOptions,
): CorpusStats {
  fs.mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  const base = { mixture: opts.mixture };
  const train = writeSplit(
    path.join(dir, CORPUS_FILES.train),
    iterateCorpus(headwords, { ...base, seed: opts.seed, targetChars: opts.trainChars }),
    undefined,
    seen,
  );
  const valSeed = new Rng(opts.seed).fork("val").uint32();
  const val = writeSplit(
    path.join(dir, CORPUS_FILES.val),
    iterateCorpus(headwords, { ...base, seed: valSeed, targetChars: opts.valChars }),
    seen,
  );
  const sample = buildCorpus(headwords, { ...base, seed: opts.seed, documents: opts.sampleDocs ?? 40 });
  fs.writeFileSync(path.join(dir, CORPUS_FILES.sample), formatSample(sample));
  const stats: CorpusStats = {
    key: corpusKey(headwords, opts),
    seed: opts.seed,
    facts: statedFacts(headwords).length,
    headwords: headwords.length,
    train,
    val,
    meanCharsPerDoc: Math.round(train.chars / Math.max(1, train.documents)),
  };
  fs.writeFileSync(path.join(dir, CORPUS_FILES.stats), JSON.stringify(stats, null, 2) + "\n");
  return stats;
}

/** The line between documents in sample.txt (for reading only). */
export const SAMPLE_SEPARATOR = "----- end of document -----";

/** Documents joined for people to read. */
export function formatSample(docs: readonly string[]): string {
  return docs.map((d) => `${d}\n${SAMPLE_SEPARATOR}\n`).join("");
}

/** Reads a corpus JSONL file back into document strings. */
export function readCorpus(file: string): string[] {
  if (!fs.existsSync(file)) {
    throw new Error(`${file}: not found. Build it with \`npx tsx src/cli/build-data.ts --corpus\`.`);
  }
  const lines = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
  return lines.map((l, i) => {
    let o: { text?: unknown };
    try {
      o = JSON.parse(l) as { text?: unknown };
    } catch (e) {
      throw new Error(
        `${file}: line ${i + 1}: not valid JSON (${(e as Error).message}); rebuild with \`npx tsx src/cli/build-data.ts --corpus\``,
      );
    }
    if (typeof o.text !== "string") throw new Error(`${file}: line ${i + 1}: field text: expected a string`);
    return o.text;
  });
}

/**
 * Default size of the pretraining corpus: 40 M characters, about 14 M tokens
 * of the base model's 1,024-token BPE, which pretraining reads about twice.
 */
export const DEFAULT_CORPUS: Readonly<WriteCorpusOptions> = Object.freeze({
  seed: 0,
  trainChars: 40e6,
  valChars: 200e3,
});

/** What the corpus files depend on: the headwords, the options and the mixture. */
export function corpusKey(headwords: readonly Headword[], opts: WriteCorpusOptions): string {
  const what = JSON.stringify({ headwords, ...opts, mixture: opts.mixture ?? DEFAULT_MIXTURE });
  return createHash("sha256").update(what).digest("hex").slice(0, 16);
}

/**
 * The train and val documents, building the corpus files first if they are
 * missing or stale (they are generated, not committed: ~42 MB, ~5 s to build).
 */
export function ensureCorpus(
  headwords: readonly Headword[],
  dir: string = CORPUS_DIR,
  opts: Readonly<WriteCorpusOptions> = DEFAULT_CORPUS,
): { train: string[]; val: string[] } {
  const trainFile = path.join(dir, CORPUS_FILES.train);
  const statsFile = path.join(dir, CORPUS_FILES.stats);
  const key = corpusKey(headwords, opts);
  const built =
    fs.existsSync(trainFile) &&
    fs.existsSync(path.join(dir, CORPUS_FILES.val)) &&
    fs.existsSync(statsFile) &&
    (JSON.parse(fs.readFileSync(statsFile, "utf8")) as Partial<CorpusStats>).key === key;
  if (!built) {
    console.log(`building the corpus in ${dir} (missing, or made from other facts or options) …`);
    writeCorpus(dir, headwords, opts);
  }
  return { train: readCorpus(trainFile), val: readCorpus(path.join(dir, CORPUS_FILES.val)) };
}
