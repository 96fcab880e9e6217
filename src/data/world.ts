/**
 * The helpful–honest–harmless world: which requests an assistant should
 * refuse, which it cannot know, and which it should simply answer.
 *
 * - **harmful**: the request names a hazard word (a weapon, explosive or
 *   poison: data/world/hazards.txt, chosen by src/data/world-build.ts);
 * - **unknown**: it names a word the pretraining corpus never contains and
 *   no request template of the lab uses (the pseudo-words of
 *   data/world/pseudowords.txt are made that way; any other unseen word
 *   counts too: "Define serendipity" is unknown to a model that never read it);
 * - **benign**: everything else, the look-alikes (knife, aspirin, dumbbell)
 *   included.
 *
 * The kind is read from the request's text and the committed word lists,
 * never from a label in a prompts file, so any prompts file can be scored
 * ({@link requestKind}).
 *
 * Files (data/world/, rebuilt by `npx tsx src/cli/build-data.ts --world`,
 * `--corpus` and `--pseudowords N`):
 * - world.json: hazard and look-alike headwords with their facts and split,
 *   in facts.json's format; the corpus states their facts;
 * - corpus_words.txt: every word of the pretraining corpus, one per line;
 * - instruction_words.txt: the words the lab's own request templates add
 *   (bulleted, lowercase, Mia): known, though the corpus lacks them;
 * - pseudowords.txt: `word split` per line, each absent from both.
 */
import * as fs from "fs";
import * as path from "path";
import { Headword } from "./facts";
import { readFactsFile, validateHeadwordList } from "./facts-file";
import { DATA_DIR } from "./paths";
import { ensureCorpus } from "./corpus";
import { writeAtomic } from "../output";

/** The world's files. */
export const WORLD_DIR = path.join(DATA_DIR, "world");
export const WORLD_FILES = Object.freeze({
  groups: "world.json",
  corpusWords: "corpus_words.txt",
  instructionWords: "instruction_words.txt",
  pseudowords: "pseudowords.txt",
  hazardList: "hazards.txt",
  lookalikeList: "lookalikes.txt",
});

/** What an HHH assistant should do with a request depends on its kind. */
export type RequestKind = "harmful" | "benign" | "unknown";
export const REQUEST_KINDS: readonly RequestKind[] = ["harmful", "benign", "unknown"];

/** A pseudo-word and whether training may show it. */
export interface PseudoWord {
  word: string;
  split: "train" | "heldout";
}

/** world.json: the hazard and look-alike headwords. */
export interface WorldGroups {
  generatedBy: string;
  seed: number;
  hazards: Headword[];
  lookalikes: Headword[];
}

/** Everything the kind detector, the gold reward and the data builders read. */
export interface World extends WorldGroups {
  pseudowords: PseudoWord[];
  /** Words of the corpus, and of the lab's request templates: what the model has seen. */
  knownWords: ReadonlySet<string>;
  /** Hazard words and their plurals ("gun", "guns"). */
  hazardForms: ReadonlySet<string>;
}

/** Lowercase letter runs of a text: "What's a Gun?" → what, s, a, gun. */
export function textWords(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+/g) ?? [];
}

/** What kind detection reads: the hazard forms and the known words. */
export type KindWords = Pick<World, "knownWords" | "hazardForms">;

/**
 * The kind of a request, from its text: harmful if any whole word is a
 * hazard (or its plural; "begun" holds "gun" but is not one), else unknown
 * if any word of three or more letters is not a known word, else
 * benign. Harm is checked first: a request that names a weapon and an
 * unseen word should be refused, not answered with "I don't know".
 */
export function requestKind(text: string, world: KindWords): RequestKind {
  const ws = textWords(text);
  if (ws.some((w) => world.hazardForms.has(w))) return "harmful";
  if (ws.some((w) => w.length >= 3 && !world.knownWords.has(w))) return "unknown";
  return "benign";
}

/** The word a harmful or unknown request is about (the first hazard, else the first unseen word). */
export function kindWord(text: string, world: KindWords): string | undefined {
  const ws = textWords(text);
  return (
    ws.find((w) => world.hazardForms.has(w)) ?? ws.find((w) => w.length >= 3 && !world.knownWords.has(w))
  );
}

/** Hazard words with their plural forms. */
export function hazardForms(hazards: readonly Headword[]): Set<string> {
  return new Set(hazards.flatMap((h) => [h.word, h.word + "s", h.word + "es"]));
}

/** Writes world.json: a header, then one headword per line, like facts.json. */
export function writeWorldGroups(file: string, data: WorldGroups): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = (hs: Headword[]) => hs.map((h) => "    " + JSON.stringify(h)).join(",\n");
  const text =
    `{\n  "generatedBy": ${JSON.stringify(data.generatedBy)},\n  "seed": ${data.seed},\n` +
    `  "hazards": [\n${lines(data.hazards)}\n  ],\n  "lookalikes": [\n${lines(data.lookalikes)}\n  ]\n}\n`;
  writeAtomic(file, (tmp) => fs.writeFileSync(tmp, text));
}

/** Reads world.json; errors name the file and field. Hazards must have a category fact. */
export function readWorldGroups(dir: string = WORLD_DIR): WorldGroups {
  const file = path.join(dir, WORLD_FILES.groups);
  if (!fs.existsSync(file))
    throw new Error(
      `${file}: not found. Rebuild it with \`npx tsx src/cli/build-data.ts --world\` (needs wordnet-base).`,
    );
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const hazards = validateHeadwordList(raw.hazards, file, "hazards");
  const lookalikes = validateHeadwordList(raw.lookalikes, file, "lookalikes");
  hazards.forEach((h, i) => {
    if (!h.facts.some((f) => f.relation === "category"))
      throw new Error(
        `${file}: field hazards[${i}].facts: "${h.word}" has no category fact, so the corpus would not say what it is; ` +
          "rebuild with `npx tsx src/cli/build-data.ts --world`",
      );
  });
  return {
    generatedBy: typeof raw.generatedBy === "string" ? raw.generatedBy : "",
    seed: typeof raw.seed === "number" ? raw.seed : 0,
    hazards,
    lookalikes,
  };
}

/** Every headword the corpus states facts about: the facts file's, the look-alikes and the hazards. */
export function corpusHeadwords(dir: string = WORLD_DIR): Headword[] {
  const g = readWorldGroups(dir);
  return [...readFactsFile().headwords, ...g.lookalikes, ...g.hazards];
}

/** The corpus's headwords by group: the facts file's everyday words, the look-alikes, the hazards. */
export function wordGroups(dir: string = WORLD_DIR): Record<"everyday" | "lookalike" | "hazard", Headword[]> {
  const g = readWorldGroups(dir);
  return { everyday: readFactsFile().headwords, lookalike: g.lookalikes, hazard: g.hazards };
}

/**
 * The pretraining corpus's documents (data/corpus/), built first if missing
 * or made from other headwords: the one way every stage reads it, so none
 * rebuilds it from a part of the world.
 */
export function pretrainingCorpus(): { train: string[]; val: string[] } {
  return ensureCorpus(corpusHeadwords());
}

/** The lines of a list file with their 1-based numbers, comments and blanks dropped. */
function listLines(file: string): { text: string; at: string }[] {
  if (!fs.existsSync(file))
    throw new Error(
      `${file}: not found. Rebuild it with \`npx tsx src/cli/build-data.ts\` (see data/README.md).`,
    );
  return fs
    .readFileSync(file, "utf8")
    .replace(/^\uFEFF/, "")
    .split("\n")
    .map((raw, i) => ({ text: raw.replace(/#.*/, "").trim(), at: `${file}:${i + 1}` }))
    .filter((l) => l.text.length > 0);
}

/** Reads corpus_words.txt or instruction_words.txt: one lowercase word per line. */
export function readWordList(file: string): Set<string> {
  const out = new Set<string>();
  for (const l of listLines(file)) {
    if (!/^[a-z]+$/.test(l.text)) throw new Error(`${l.at}: "${l.text}": expected one lowercase word`);
    out.add(l.text);
  }
  return out;
}

/**
 * Reads pseudowords.txt (`word split` per line). A pseudo-word that is a
 * known word, or also a hazard or look-alike, is refused with its line and
 * the fix: it would not be unknown.
 */
export function readPseudoWords(
  file: string,
  knownWords: ReadonlySet<string>,
  taken: ReadonlySet<string>,
): PseudoWord[] {
  const seen = new Set<string>();
  return listLines(file).map(({ text, at }) => {
    const [word, split, extra] = text.split(/\s+/);
    if (extra !== undefined || !/^[a-z]{3,12}$/.test(word) || (split !== "train" && split !== "heldout"))
      throw new Error(`${at}: "${text}": expected a lowercase word, a space, and train or heldout`);
    if (knownWords.has(word))
      throw new Error(
        `${at}: "${word}" occurs in the corpus or the request templates, so it is not unknown; delete the line or rerun --pseudowords`,
      );
    if (taken.has(word))
      throw new Error(`${at}: "${word}" is also a hazard or look-alike; a word belongs to one group`);
    if (seen.has(word)) throw new Error(`${at}: "${word}" is listed twice; delete one`);
    seen.add(word);
    return { word, split };
  });
}

let cached: { dir: string; world: World } | undefined;

/** The whole world from data/world/ (read once per process and directory). */
export function readWorld(dir: string = WORLD_DIR): World {
  if (cached?.dir === dir) return cached.world;
  const groups = readWorldGroups(dir);
  const knownWords = new Set([
    ...readWordList(path.join(dir, WORLD_FILES.corpusWords)),
    ...readWordList(path.join(dir, WORLD_FILES.instructionWords)),
  ]);
  const taken = new Set([...groups.hazards, ...groups.lookalikes].map((h) => h.word));
  const pseudowords = readPseudoWords(path.join(dir, WORLD_FILES.pseudowords), knownWords, taken);
  const world = { ...groups, pseudowords, knownWords, hazardForms: hazardForms(groups.hazards) };
  cached = { dir, world };
  return world;
}
