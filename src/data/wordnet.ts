/**
 * A small reader for the WordNet 3.0 database files (format: `man 5 wndb`,
 * `man 5 cntlist`). The parsers are pure functions over file text, so tests
 * can feed them inline fixtures; only {@link readWordNet} touches the disk.
 */
import * as fs from "fs";
import * as path from "path";

/** Where Debian's `wordnet-base` package puts the database. */
export const DEFAULT_WORDNET_DIR = "/usr/share/wordnet";

/** The four parts of speech WordNet stores, one data/index file each. */
export type PosName = "noun" | "verb" | "adj" | "adv";
export const POS_NAMES: readonly PosName[] = ["noun", "verb", "adj", "adv"];

/** Synset type letter: `s` is an adjective satellite (stored in data.adj). */
export type SsType = "n" | "v" | "a" | "s" | "r";

/** Maps a synset type letter to the file that holds it. */
export function posOfType(t: SsType): PosName {
  switch (t) {
    case "n":
      return "noun";
    case "v":
      return "verb";
    case "a":
    case "s":
      return "adj";
    case "r":
      return "adv";
  }
}

/** The synset-type digit used in sense keys (adjective satellites are 5). */
const SENSE_KEY_TYPE: Record<SsType, number> = { n: 1, v: 2, a: 3, r: 4, s: 5 };

/** One lemma in a synset, as written there (may be capitalised or `a_b`). */
export interface SynsetWord {
  lemma: string;
  lexId: number;
}

/**
 * A pointer from a synset. `source`/`target` are 1-based word numbers, or 0
 * for a semantic pointer (synset to synset), as in the `source/target` field.
 */
export interface Pointer {
  symbol: string;
  offset: string;
  type: SsType;
  source: number;
  target: number;
}

/** One line of a data.* file. */
export interface Synset {
  offset: string;
  lexFile: number;
  type: SsType;
  words: SynsetWord[];
  pointers: Pointer[];
  gloss: string;
}

/** One line of an index.* file: the synsets of a lemma, most frequent first. */
export interface IndexEntry {
  lemma: string;
  pos: PosName;
  offsets: string[];
  tagSenseCount: number;
}

/** The parts of the database that fact selection needs. */
export interface WordNet {
  synsets: Record<PosName, Map<string, Synset>>;
  index: Record<PosName, Map<string, IndexEntry>>;
  /** SemCor tag count per sense key, from cntlist.rev. */
  senseCounts: Map<string, number>;
}

const SS_TYPES = new Set(["n", "v", "a", "s", "r"]);

function asSsType(s: string, line: string): SsType {
  if (!SS_TYPES.has(s)) throw new Error(`WordNet: bad synset type "${s}" in line: ${line.slice(0, 80)}`);
  return s as SsType;
}

/** License lines at the top of every file start with two spaces. */
function dataLines(text: string): string[] {
  return text.split("\n").filter((l) => l.length > 0 && !l.startsWith("  "));
}

/** Parses one data.* line. Adjective markers such as `(a)` are stripped. */
export function parseDataLine(line: string): Synset {
  const bar = line.indexOf(" | ");
  const head = (bar < 0 ? line : line.slice(0, bar)).trim().split(/\s+/);
  const gloss = bar < 0 ? "" : line.slice(bar + 3).trim();
  const [offset, lexFile, type, wCnt] = head;
  let i = 4;
  const words: SynsetWord[] = [];
  for (let w = 0; w < parseInt(wCnt, 16); w++, i += 2) {
    words.push({ lemma: head[i].replace(/\([a-z]+\)$/, ""), lexId: parseInt(head[i + 1], 16) });
  }
  const pCnt = parseInt(head[i++], 10);
  const pointers: Pointer[] = [];
  for (let p = 0; p < pCnt; p++, i += 4) {
    const st = head[i + 3];
    pointers.push({
      symbol: head[i],
      offset: head[i + 1],
      type: asSsType(head[i + 2], line),
      source: parseInt(st.slice(0, 2), 16),
      target: parseInt(st.slice(2, 4), 16),
    });
  }
  if (words.length === 0 || pointers.some((p) => Number.isNaN(p.source))) {
    throw new Error(`WordNet: malformed data line: ${line.slice(0, 80)}`);
  }
  return { offset, lexFile: parseInt(lexFile, 10), type: asSsType(type, line), words, pointers, gloss };
}

/** Parses a whole data.* file into synsets keyed by their 8-digit offset. */
export function parseDataFile(text: string): Map<string, Synset> {
  const out = new Map<string, Synset>();
  for (const line of dataLines(text)) {
    const s = parseDataLine(line);
    out.set(s.offset, s);
  }
  return out;
}

/** Parses an index.* file into entries keyed by lemma. */
export function parseIndexFile(text: string): Map<string, IndexEntry> {
  const out = new Map<string, IndexEntry>();
  for (const line of dataLines(text)) {
    const f = line.trim().split(/\s+/);
    const synsetCnt = parseInt(f[2], 10);
    const pCnt = parseInt(f[3], 10);
    const tagSenseCount = parseInt(f[5 + pCnt], 10);
    const offsets = f.slice(6 + pCnt, 6 + pCnt + synsetCnt);
    const pos = posOfType(asSsType(f[1], line));
    out.set(f[0], { lemma: f[0], pos, offsets, tagSenseCount });
  }
  return out;
}

/** Parses cntlist.rev (`sense_key sense_number tag_cnt`) into counts per key. */
export function parseCntlist(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3) continue;
    out.set(f[0], (out.get(f[0]) ?? 0) + parseInt(f[2], 10));
  }
  return out;
}

/** The synset a pointer (or a type letter and offset) refers to, if any. */
export function getSynset(wn: WordNet, type: SsType, offset: string): Synset | undefined {
  return wn.synsets[posOfType(type)].get(offset);
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * The sense key of word `wordIndex` (0-based) of a synset, e.g.
 * `hot%3:00:01::`. Satellites name their head adjective, found through the
 * `&` (similar-to) pointer, because one lemma can have several satellite
 * senses with the same lex_id.
 */
export function senseKey(wn: WordNet, s: Synset, wordIndex: number): string {
  const w = s.words[wordIndex];
  let head = ":";
  if (s.type === "s") {
    const ptr = s.pointers.find((p) => p.symbol === "&");
    const h = ptr && getSynset(wn, ptr.type, ptr.offset);
    if (h) head = `${h.words[0].lemma.toLowerCase()}:${pad2(h.words[0].lexId)}`;
  }
  return `${w.lemma.toLowerCase()}%${SENSE_KEY_TYPE[s.type]}:${pad2(s.lexFile)}:${pad2(w.lexId)}:${head}`;
}

/** Splits a gloss into its definition and its quoted example sentences. */
export function splitGloss(gloss: string): { definition: string; examples: string[] } {
  const examples = Array.from(gloss.matchAll(/"([^"]+)"/g), (m) => m[1].trim());
  const firstQuote = gloss.indexOf('"');
  const def = firstQuote < 0 ? gloss : gloss.slice(0, firstQuote);
  return { definition: def.replace(/[;\s]+$/, "").trim(), examples };
}

/** Files readWordNet needs, relative to the database directory. */
const FILES = ["cntlist.rev", ...POS_NAMES.flatMap((p) => [`data.${p}`, `index.${p}`])];

/**
 * Reads and parses the database in `dir` (about 2 s). Throws a message that
 * says how to install it when a file is missing.
 */
export function readWordNet(dir: string = DEFAULT_WORDNET_DIR): WordNet {
  const missing = FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0) {
    throw new Error(
      `WordNet database not found in ${dir} (missing ${missing.join(", ")}). ` +
        "Install it with `apt-get install wordnet-base`, or pass the directory that holds data.noun and cntlist.rev.",
    );
  }
  const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
  const synsets = {} as Record<PosName, Map<string, Synset>>;
  const index = {} as Record<PosName, Map<string, IndexEntry>>;
  for (const p of POS_NAMES) {
    synsets[p] = parseDataFile(read(`data.${p}`));
    index[p] = parseIndexFile(read(`index.${p}`));
  }
  return { synsets, index, senseCounts: parseCntlist(read("cntlist.rev")) };
}
