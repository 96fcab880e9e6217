/**
 * Building the helpful–honest–harmless world from WordNet: which words are
 * hazards, which are their benign look-alikes, and which pseudo-words nobody
 * has ever seen. `npx tsx src/cli/build-data.ts --world` runs it and writes
 * data/world/ (see src/data/world.ts for what the files hold and how the
 * rest of the lab reads them).
 *
 * Why WordNet's hypernyms decide what a hazard is: the rule is one line a
 * reader can check ("its first noun sense lies under weapon, explosive or
 * poison"), and the same database already gives every word the category fact
 * the corpus states. The lists themselves are hand-picked from that closure
 * (data/world/hazards.txt says which were left out and why), because the
 * closure is mostly words like "arquebus" that teach nothing.
 */
import { Rng } from "../random";
import { ANSWER_PATTERN, Headword, ListedWord, assignSplit, headwordFor, lemmaCounts } from "./facts";
import { WordNet } from "./wordnet";
import { TASKS } from "./tasks/registry";
import { requestText } from "./tasks/render";
import { FORM_REQUESTS } from "./tasks/form-requests";
import { DEFINITION_PHRASING, RELATION_PHRASING, SKILL_PHRASING } from "./phrasing";
import { textWords } from "./world";

/**
 * Where harm starts: a word is a hazard when its first noun sense lies under
 * one of these synsets (lemma and 1-based noun sense, as in `weapon.n.01`).
 * Weapons and poisons are the two categories of harm that red-team datasets
 * name first; explosives and poison gases sit beside them in WordNet rather
 * than under them.
 */
export const HAZARD_ROOTS: readonly (readonly [string, number])[] = [
  ["weapon", 1],
  ["weaponry", 1],
  ["explosive_device", 1],
  ["explosive", 1],
  ["poison", 1],
  ["poison_gas", 1],
];

const isHypernym = (symbol: string) => symbol === "@" || symbol === "@i";

/** Every noun synset above `offset` (hypernyms and instance hypernyms, transitively). */
export function nounAncestors(wn: WordNet, offset: string): Set<string> {
  const seen = new Set<string>();
  const stack = [offset];
  while (stack.length > 0) {
    const s = wn.synsets.noun.get(stack.pop()!);
    for (const p of s?.pointers ?? []) {
      if (isHypernym(p.symbol) && p.type === "n" && !seen.has(p.offset)) {
        seen.add(p.offset);
        stack.push(p.offset);
      }
    }
  }
  return seen;
}

/** The offset of a lemma's n-th noun sense (1-based), or undefined. */
function nounSense(wn: WordNet, lemma: string, sense = 1): string | undefined {
  return wn.index.noun.get(lemma)?.offsets[sense - 1];
}

/** The hazard root (`weapon`, `poison`, …) that the lemma's first noun sense lies under, if any. */
export function hazardRootOf(wn: WordNet, lemma: string): string | undefined {
  const first = nounSense(wn, lemma);
  if (first === undefined) return undefined;
  const above = nounAncestors(wn, first);
  above.add(first);
  return HAZARD_ROOTS.find(([l, n]) => {
    const root = nounSense(wn, l, n);
    return root !== undefined && above.has(root);
  })?.[0];
}

/**
 * The nearest one-word hypernym lemma, breadth first: musket → muzzle_loader
 * (two words) → firearm. The corpus needs a category for every hazard and
 * look-alike, and WordNet's direct hypernym is often multi-word.
 */
export function nearestCategory(wn: WordNet, offset: string, self: string): string | undefined {
  let level = [offset];
  const seen = new Set(level);
  while (level.length > 0) {
    const next: string[] = [];
    for (const o of level) {
      for (const p of wn.synsets.noun.get(o)?.pointers ?? []) {
        if (!isHypernym(p.symbol) || p.type !== "n" || seen.has(p.offset)) continue;
        seen.add(p.offset);
        next.push(p.offset);
        const hit = wn.synsets.noun
          .get(p.offset)
          ?.words.find((w) => ANSWER_PATTERN.test(w.lemma) && w.lemma !== self);
        if (hit) return hit.lemma;
      }
    }
    level = next;
  }
  return undefined;
}

/** A word group of the world and the rule its members must meet. */
export type WorldGroup = "hazard" | "lookalike";

/**
 * The headword of one listed hazard or look-alike, from its first noun
 * sense: WordNet's facts, plus a category from {@link nearestCategory} when
 * the direct hypernym has no one-word lemma. Errors name the list line and
 * the fix.
 */
export function worldHeadword(wn: WordNet, e: ListedWord, group: WorldGroup): Headword {
  const first = nounSense(wn, e.word);
  if (first === undefined) throw new Error(`${e.at}: "${e.word}" is not a noun in WordNet; delete the line`);
  const root = hazardRootOf(wn, e.word);
  if (group === "hazard" && root === undefined)
    throw new Error(
      `${e.at}: "${e.word}": its first noun sense is under none of the hazard roots ` +
        `(${HAZARD_ROOTS.map(([l]) => l).join(", ")}); delete the line or move it to the look-alikes`,
    );
  if (group === "lookalike" && root !== undefined)
    throw new Error(`${e.at}: "${e.word}" lies under ${root}, so it is a hazard, not a look-alike; move it`);
  const tags = lemmaCounts(wn.senseCounts).get(e.word);
  const tagCount = tags ? tags.noun + tags.verb + tags.adj + tags.adv : 0;
  const hw = headwordFor(wn, e.word, "noun", tagCount, 0);
  if (!hw)
    throw new Error(`${e.at}: "${e.word}" is not written lowercase in its first sense; delete the line`);
  if (!hw.facts.some((f) => f.relation === "category")) {
    const category = nearestCategory(wn, first, e.word);
    if (category === undefined)
      throw new Error(`${e.at}: "${e.word}" has no one-word category above it in WordNet; delete the line`);
    hw.facts.push({
      word: e.word,
      relation: "category",
      answer: category,
      accepted: [category],
      pos: "noun",
      split: "train",
    });
  }
  return hw;
}

/** What {@link selectWorld} reads: the two lists, the everyday headwords they must not repeat, a seed. */
export interface WorldLists {
  hazards: readonly ListedWord[];
  lookalikes: readonly ListedWord[];
  /** The facts file's headwords: a hazard or look-alike may not be one of them. */
  headwords: readonly Headword[];
  seed: number;
}

/**
 * Hazard and look-alike headwords, each group split half train / half
 * held out by the facts' own rule (pairs of similar words, a seeded coin).
 * A word in two groups stops the build with both places.
 */
export function selectWorld(wn: WordNet, lists: WorldLists): { hazards: Headword[]; lookalikes: Headword[] } {
  const where = new Map<string, string>(
    lists.headwords.map((h) => [h.word, "data/wordnet/facts.json (a headword)"]),
  );
  for (const e of [...lists.hazards, ...lists.lookalikes]) {
    const before = where.get(e.word);
    if (before) throw new Error(`${e.at}: "${e.word}" is already in ${before}; a word belongs to one group`);
    where.set(e.word, e.at);
  }
  const hazards = lists.hazards.map((e) => worldHeadword(wn, e, "hazard"));
  const lookalikes = lists.lookalikes.map((e) => worldHeadword(wn, e, "lookalike"));
  assignSplit(hazards, lists.seed, "split/hazard");
  assignSplit(lookalikes, lists.seed, "split/lookalike");
  return { hazards, lookalikes };
}

const ONSETS = [
  "b",
  "d",
  "f",
  "g",
  "k",
  "l",
  "m",
  "n",
  "p",
  "r",
  "s",
  "t",
  "v",
  "z",
  "br",
  "dr",
  "gl",
  "pl",
  "tr",
  "st",
];
const VOWELS = ["a", "e", "i", "o", "u"];
const CODAS = ["", "", "", "n", "l", "r", "s", "m", "nd", "st"];

/** One pronounceable pseudo-word: two or three consonant–vowel syllables and an optional final consonant. */
export function pseudoWord(rng: Rng): string {
  const syllables = rng.random() < 0.6 ? 2 : 3;
  let w = "";
  for (let i = 0; i < syllables; i++) w += rng.pick(ONSETS) + rng.pick(VOWELS);
  return w + rng.pick(CODAS);
}

/**
 * `n` distinct pseudo-words that no known word (corpus or instruction
 * vocabulary) matches, nor its plural or singular ("tavels" would look like a
 * plural of a known "tavel"), split `heldout` share held out by a seeded shuffle.
 */
export function pseudoWords(
  n: number,
  knownWords: ReadonlySet<string>,
  seed: number,
  heldoutShare = 0.5,
): { word: string; split: "train" | "heldout" }[] {
  const rng = new Rng(seed).fork("pseudowords");
  const out = new Set<string>();
  for (let tries = 0; out.size < n; tries++) {
    if (tries > n * 1000)
      throw new Error(`pseudoWords: found only ${out.size} of ${n} words absent from the corpus`);
    const w = pseudoWord(rng);
    if (w.length < 4 || w.length > 10 || out.has(w)) continue;
    if ([w, w + "s", w.replace(/s$/, "")].some((v) => knownWords.has(v))) continue;
    out.add(w);
  }
  const held = Math.round(n * heldoutShare);
  return rng.shuffle([...out]).map((word, i) => ({ word, split: i < held ? "heldout" : "train" }));
}

/**
 * Requests the lab's own tasks write: every template of every task (held-out
 * phrasings included), `perTemplate` instances each over `headwords`, plus
 * the form requests and the phrasing tables. Their words are the instruction vocabulary: a request
 * is not "about an unknown word" because its template says "bulleted" or
 * names Mia, words the corpus of word facts happens not to contain.
 */
export function taskRequestTexts(headwords: readonly Headword[], perTemplate = 40, seed = 0): string[] {
  const ctx = { headwords };
  const requests = TASKS.flatMap((task) =>
    task.templates.flatMap((_, index) => {
      const rng = new Rng(seed).fork(`vocabulary/${task.name}/${index}`);
      return Array.from({ length: perTemplate }, () => requestText(task, task.generate(rng, ctx), index));
    }),
  );
  // The phrasing tables hold notebook 01's questions and the probe's wording.
  const phrasing = JSON.stringify([RELATION_PHRASING, SKILL_PHRASING, DEFINITION_PHRASING]);
  return [...requests, ...Object.values(FORM_REQUESTS).map((f) => f.text), phrasing];
}

/** Words of `texts` that the corpus lacks and that are not world words (hazards and their plurals, pseudo-words). */
export function instructionWords(
  texts: readonly string[],
  corpusWords: ReadonlySet<string>,
  worldWords: ReadonlySet<string>,
): string[] {
  const out = new Set<string>();
  for (const t of texts)
    for (const w of textWords(t)) if (!corpusWords.has(w) && !worldWords.has(w)) out.add(w);
  return [...out].sort();
}
