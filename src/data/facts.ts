/**
 * Word facts for the pretraining corpus and the knowledge probe: which
 * WordNet headwords we teach, which of their relations, and how they are
 * split between SFT ("train") and pretraining-only ("heldout") words.
 *
 * Selection (data/README.md): first the hand-written everyday list
 * (data/wordnet/everyday.txt: hot, dog, red, river, ... which SemCor's counts
 * rank below abstract words such as say or seem), then the lemmas with the
 * most SemCor tags until there are N. From the first sense of each lemma's
 * part of speech: the direct antonym, the most frequent other lemma
 * (synonym) and the hypernym's head lemma (category).
 *
 * Directions: antonym and synonym facts are stated both ways in the corpus
 * (hot → cold and cold → hot, {@link statedFacts}); category stays one-way
 * ("dog is a kind of canine", never "one kind of canine is dog"), so the
 * probe can measure the reversal curse on it.
 */
import { Rng } from "../random";
import {
  DEFINITION_PHRASING,
  ONE_WAY_REVERSE_CLOZE,
  RELATIONS,
  RELATION_PHRASING,
  Relation,
  render,
} from "./phrasing";
import { POS_NAMES, PosName, Synset, WordNet, getSynset, senseKey, splitGloss } from "./wordnet";

/** Relations the corpus states in both directions (hot → cold and cold → hot). */
export const TWO_WAY_RELATIONS = ["antonym", "synonym"] as const satisfies readonly Relation[];
/** The relation stated one way only, kept so the reversal curse stays measurable. */
export const ONE_WAY_RELATION = "category" satisfies Relation;

export * from "./phrasing";

/** One fact: `word` stands in `relation` to `answer` (e.g. hot, antonym, cold). */
export interface Fact {
  word: string;
  relation: Relation;
  answer: string;
  /** Answers a probe accepts: `answer`, other direct candidates, and the reverse direction for antonym/synonym. */
  accepted: string[];
  pos: PosName;
  split: "train" | "heldout";
  /** Set on the other direction of a two-way fact (cold → hot, made from hot → cold). */
  reverse?: true;
}

/** A selected headword with its first-sense gloss and its facts. */
export interface Headword {
  word: string;
  pos: PosName;
  gloss: string;
  example?: string;
  /** SemCor tag count summed over all senses and parts of speech. */
  tagCount: number;
  split: "train" | "heldout";
  facts: Fact[];
}

/** Headwords: one lowercase ASCII word of 3–10 letters. */
export const HEADWORD_PATTERN = /^[a-z]{3,10}$/;
/** Answers: one lowercase ASCII word. */
export const ANSWER_PATTERN = /^[a-z]{2,}$/;

/** Options for {@link selectHeadwords}. */
export interface SelectOptions {
  /** How many headwords to keep, the everyday list included. */
  words: number;
  /** Seed of the train/heldout split. */
  seed?: number;
  /** Headwords that come first, whatever their tag count (see {@link parseHeadwordList}). */
  everyday?: readonly ListedWord[];
}

/** One line of a headword list: a word and, optionally, the part of speech to take its facts from. */
export interface ListedWord {
  word: string;
  pos?: PosName;
  /** Where it was written, for error messages ("data/wordnet/everyday.txt:12"). */
  at: string;
}

/**
 * Parses a headword list: one lowercase word per line, optionally followed
 * by its part of speech (`light adj`); `#` starts a comment. Errors name
 * the file and line: a malformed line, an unknown part of speech, a word
 * listed twice.
 */
export function parseHeadwordList(text: string, file: string): ListedWord[] {
  const out: ListedWord[] = [];
  const first = new Map<string, number>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) return;
    const at = `${file}:${i + 1}`;
    const [word, pos, extra] = line.split(/\s+/);
    if (extra !== undefined || !HEADWORD_PATTERN.test(word))
      throw new Error(
        `${at}: "${line}": expected one lowercase word of 3–10 letters, then optionally noun, verb, adj or adv`,
      );
    if (pos !== undefined && !(POS_NAMES as readonly string[]).includes(pos))
      throw new Error(`${at}: unknown part of speech "${pos}"; use noun, verb, adj or adv`);
    if (first.has(word))
      throw new Error(`${at}: "${word}" is already listed on line ${first.get(word)}; delete one`);
    first.set(word, i + 1);
    out.push({ word, ...(pos ? { pos: pos as PosName } : {}), at });
  });
  return out;
}

/** Tag count per lemma and part of speech, summed over senses (cntlist.rev). */
export function lemmaCounts(senseCounts: Map<string, number>): Map<string, Record<PosName, number>> {
  const out = new Map<string, Record<PosName, number>>();
  const byDigit: Record<string, PosName> = { "1": "noun", "2": "verb", "3": "adj", "4": "adv", "5": "adj" };
  for (const [key, n] of senseCounts) {
    const [lemma, rest] = key.split("%");
    const pos = byDigit[rest?.[0] ?? ""];
    if (!pos) continue;
    const rec = out.get(lemma) ?? { noun: 0, verb: 0, adj: 0, adv: 0 };
    rec[pos] += n;
    out.set(lemma, rec);
  }
  return out;
}

const total = (r: Record<PosName, number>) => r.noun + r.verb + r.adj + r.adv;

/** Lemmas ranked by total tag count, ties broken alphabetically (determinism). */
export function rankLemmas(counts: Map<string, Record<PosName, number>>): string[] {
  return Array.from(counts.keys()).sort(
    (a, b) => total(counts.get(b)!) - total(counts.get(a)!) || (a < b ? -1 : a > b ? 1 : 0),
  );
}

/** The part of speech with the most tags (among `among`); ties go to the earlier of noun, verb, adj, adv. */
export function primaryPos(rec: Record<PosName, number>, among: readonly PosName[] = POS_NAMES): PosName {
  return among.reduce((best, p) => (rec[p] > rec[best] ? p : best), among[0]);
}

/** Candidate answers per relation for one synset word, best first. */
export function relationCandidates(wn: WordNet, s: Synset, wordIndex: number): Record<Relation, string[]> {
  const self = s.words[wordIndex].lemma;
  const ok = (w: string) => ANSWER_PATTERN.test(w) && w !== self;
  const antonym = s.pointers
    .filter((p) => p.symbol === "!" && p.source === wordIndex + 1)
    .map((p) => getSynset(wn, p.type, p.offset)?.words[p.target - 1]?.lemma ?? "")
    .filter(ok);
  const synonym = byFrequency(wn, [s], (i) => i !== wordIndex).filter(ok);
  if (synonym.length === 0) {
    // Adjectives like "good" sit alone in their synset; their near-synonyms
    // are the satellites reached by the similar-to (&) pointer.
    const similar = s.pointers.filter((p) => p.symbol === "&").map((p) => getSynset(wn, p.type, p.offset));
    // Only the most frequent one: satellites are too loose to all count as answers.
    synonym.push(
      ...byFrequency(
        wn,
        similar.filter((x): x is Synset => !!x),
        () => true,
      )
        .filter(ok)
        .slice(0, 1),
    );
  }
  // The hypernym's head lemma, else its first one-word lemma (lion → big_cat,
  // cat: "cat"); multi-word lemmas cannot be one-word answers.
  const category = s.pointers
    .filter((p) => p.symbol === "@")
    .map(
      (p) =>
        getSynset(wn, p.type, p.offset)
          ?.words.map((w) => w.lemma)
          .find(ok) ?? "",
    )
    .filter(ok);
  return { antonym, synonym, category };
}

/**
 * Lemmas of `synsets` (those whose index passes `keep`), most tagged first;
 * the stable sort keeps WordNet's own order among equal counts.
 */
function byFrequency(wn: WordNet, synsets: Synset[], keep: (i: number) => boolean): string[] {
  const items = synsets.flatMap((s) =>
    s.words
      .map((w, i) => ({ w: w.lemma, i, n: wn.senseCounts.get(senseKey(wn, s, i)) ?? 0 }))
      .filter((x) => keep(x.i)),
  );
  return Array.from(new Set(items.sort((x, y) => y.n - x.n).map((x) => x.w)));
}

/** The example sentence that shows the word, else the first one. */
function pickExample(examples: string[], word: string): string | undefined {
  const re = new RegExp(`\\b${word}\\b`);
  return examples.find((e) => re.test(e)) ?? examples[0];
}

/**
 * Builds the headword for `lemma` from the first sense of `pos`, or returns
 * undefined when the lemma is not written lowercase there or has fewer than
 * `minRelations` relations. `accepted` and `split` are filled in later.
 */
export function headwordFor(
  wn: WordNet,
  lemma: string,
  pos: PosName,
  tagCount: number,
  minRelations = 2,
): Headword | undefined {
  const entry = wn.index[pos].get(lemma);
  const s = entry && wn.synsets[pos].get(entry.offsets[0]);
  const wordIndex = s ? s.words.findIndex((w) => w.lemma === lemma) : -1;
  if (!s || wordIndex < 0) return undefined;
  const cands = relationCandidates(wn, s, wordIndex);
  const facts: Fact[] = RELATIONS.filter((r) => cands[r].length > 0).map((relation) => ({
    word: lemma,
    relation,
    answer: cands[relation][0],
    accepted: cands[relation].slice(),
    pos,
    split: "train",
  }));
  if (facts.length < minRelations) return undefined;
  const { definition, examples } = splitGloss(s.gloss);
  const example = pickExample(examples, lemma);
  return {
    word: lemma,
    pos,
    gloss: definition,
    ...(example !== undefined ? { example } : {}),
    tagCount,
    split: "train",
    facts,
  };
}

/**
 * Selects the top `words` headwords (see module doc), then fills the
 * train/heldout split and the accepted answers. Deterministic for a given
 * database, `words` and `seed`.
 */
export function selectHeadwords(wn: WordNet, opts: SelectOptions): Headword[] {
  const counts = lemmaCounts(wn.senseCounts);
  const out: Headword[] = [];
  for (const e of opts.everyday ?? []) {
    const rec = counts.get(e.word) ?? { noun: 0, verb: 0, adj: 0, adv: 0 };
    const inWordNet = POS_NAMES.filter((p) => wn.index[p].has(e.word));
    if (inWordNet.length === 0) throw new Error(`${e.at}: "${e.word}" is not in WordNet; delete the line`);
    if (e.pos && !inWordNet.includes(e.pos))
      throw new Error(`${e.at}: WordNet has "${e.word}" only as ${inWordNet.join(", ")}, not as ${e.pos}`);
    // An everyday word needs one relation only: most concrete nouns (dog, river) have just a category.
    const hw = headwordFor(wn, e.word, e.pos ?? primaryPos(rec, inWordNet), total(rec), 1);
    if (!hw)
      throw new Error(`${e.at}: "${e.word}" has no antonym, synonym or category in WordNet; delete the line`);
    out.push(hw);
  }
  const listed = new Set(out.map((h) => h.word));
  for (const lemma of rankLemmas(counts)) {
    if (out.length >= opts.words) break;
    if (!HEADWORD_PATTERN.test(lemma) || listed.has(lemma)) continue;
    const rec = counts.get(lemma)!;
    const hw = headwordFor(wn, lemma, primaryPos(rec), total(rec));
    if (hw) out.push(hw);
  }
  addReverseAccepted(out);
  assignSplit(out, opts.seed ?? 0);
  return out;
}

/** Antonyms and synonyms are symmetric: if hot → cold, a probe on cold accepts hot. */
export function addReverseAccepted(headwords: Headword[]): void {
  const facts = headwords.flatMap((h) => h.facts);
  for (const f of facts) {
    if (f.relation === "category") continue;
    const reverse = facts.filter((g) => g.relation === f.relation && g.answer === f.word).map((g) => g.word);
    f.accepted = Array.from(new Set([f.answer, ...f.accepted, ...reverse]));
  }
}

/** Which relations a headword has, e.g. "antonym+synonym": the split's stratum. */
export const signature = (h: Headword) => h.facts.map((f) => f.relation).join("+");

/**
 * Splits headwords half "train", half "heldout". Sorted by (relation
 * signature, tag count), consecutive pairs get one of each by a seeded coin,
 * so both halves have the same mix of relations and frequencies. `stream`
 * names the coin's random stream (each word group of src/data/world.ts has its own).
 */
export function assignSplit(headwords: Headword[], seed: number, stream = "split"): void {
  const rng = new Rng(seed).fork(stream);
  const order = headwords
    .slice()
    .sort((a, b) =>
      signature(a) < signature(b) ? -1 : signature(a) > signature(b) ? 1 : b.tagCount - a.tagCount,
    );
  for (let i = 0; i < order.length; i += 2) {
    const first = rng.random() < 0.5 ? "train" : "heldout";
    const pair = order.slice(i, i + 2);
    pair.forEach((h, j) => setSplit(h, j === 0 ? first : first === "train" ? "heldout" : "train"));
  }
}

function setSplit(h: Headword, split: "train" | "heldout"): void {
  h.split = split;
  for (const f of h.facts) f.split = split;
}

/** All facts of a list of headwords, in headword order. */
export const allFacts = (headwords: readonly Headword[]): Fact[] => headwords.flatMap((h) => h.facts);

/**
 * The facts the corpus states: every headword's facts, plus the other
 * direction of each two-way fact (cold → hot from hot → cold) unless that is
 * already a fact, or its word is a headword with facts of that relation of
 * its own (which the split already placed). A reverse fact takes its
 * source's split.
 */
export function statedFacts(headwords: readonly Headword[]): Fact[] {
  const forward = allFacts(headwords);
  const key = (w: string, r: Relation, a: string) => `${w}|${r}|${a}`;
  const have = new Set(forward.map((f) => key(f.word, f.relation, f.answer)));
  const own = new Set(forward.map((f) => `${f.word}|${f.relation}`));
  const reverse: Fact[] = [];
  for (const f of forward) {
    if (!(TWO_WAY_RELATIONS as readonly Relation[]).includes(f.relation)) continue;
    if (have.has(key(f.answer, f.relation, f.word)) || own.has(`${f.answer}|${f.relation}`)) continue;
    have.add(key(f.answer, f.relation, f.word));
    reverse.push({ ...f, word: f.answer, answer: f.word, accepted: [f.word], reverse: true });
  }
  return [...forward, ...reverse];
}

/** Fact counts per relation. */
export function factStats(facts: readonly Fact[]): Record<Relation | "total", number> {
  const out = { antonym: 0, synonym: 0, category: 0, total: facts.length };
  for (const f of facts) out[f.relation]++;
  return out;
}

/** One knowledge-probe item: `prompt` should be continued by `answer`. */
export interface ClozeItem {
  prompt: string;
  /** The exact continuation, with its leading space (" cold"). */
  answer: string;
  /** Accepted answer words, without spaces. */
  accepted: string[];
  relation: ProbeRelation;
  /** "forward": as WordNet gives it; "reverse": the other way round (cold → hot, gloss → word). */
  direction: "forward" | "reverse";
  /** Whether the corpus states the fact this way round (false: a reversal-curse item). */
  stated: boolean;
  word: string;
  split: "train" | "heldout";
}

/** What the probe asks about: the three relations, and a gloss's word. */
export type ProbeRelation = Relation | "definition";

/** Cloze items for the probe: "The opposite of hot is" → " cold". */
export function clozeItems(facts: readonly Fact[]): ClozeItem[] {
  return facts.map((f) => ({
    prompt: render(RELATION_PHRASING[f.relation].cloze, { word: f.word }),
    answer: " " + f.answer,
    accepted: f.accepted.slice(),
    relation: f.relation,
    direction: f.reverse ? "reverse" : "forward",
    stated: true,
    word: f.word,
    split: f.split,
  }));
}

/**
 * Every probe item of a headword list: the stated facts (both directions of
 * the two-way relations), gloss → word for short glosses (stated: the corpus
 * gives each gloss's word), and the unstated reverse of the one-way relation
 * ("One kind of canine is" → dog or any other headword of that category).
 */
export function probeItems(headwords: readonly Headword[]): ClozeItem[] {
  const facts = clozeItems(statedFacts(headwords));
  const definitions = headwords.filter(shortGloss).map((h): ClozeItem => ({
    prompt: render(DEFINITION_PHRASING.cloze, { gloss: h.gloss }),
    answer: " " + h.word,
    accepted: glossWords(h, headwords),
    relation: "definition",
    direction: "reverse",
    stated: true,
    word: h.word,
    split: h.split,
  }));
  const oneWay = allFacts(headwords).filter((f) => f.relation === ONE_WAY_RELATION);
  const reversed = oneWay.map((f): ClozeItem => ({
    prompt: render(ONE_WAY_REVERSE_CLOZE, { answer: f.answer }),
    answer: " " + f.word,
    accepted: [...new Set(oneWay.filter((g) => g.answer === f.answer).map((g) => g.word))],
    relation: ONE_WAY_RELATION,
    direction: "reverse",
    stated: false,
    word: f.word,
    split: f.split,
  }));
  return [...facts, ...definitions, ...reversed];
}

/** Glosses short enough for the context and that do not give the word away. */
export function shortGloss(h: Headword): boolean {
  return h.gloss.length <= 48 && !/[`"]/.test(h.gloss) && !new RegExp(`\\b${h.word}`, "i").test(h.gloss);
}

/** Words a gloss-to-word question accepts: the headword, its synset's synonyms, any headword with the same gloss. */
export function glossWords(h: Headword, all: readonly Headword[]): string[] {
  const synonyms = h.facts.find((f) => f.relation === "synonym")?.accepted ?? [];
  const sameGloss = all.filter((o) => o.gloss === h.gloss).map((o) => o.word);
  return Array.from(new Set([h.word, ...sameGloss, ...synonyms]));
}
