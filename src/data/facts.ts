/**
 * Word facts for the pretraining corpus and the knowledge probe: which
 * WordNet headwords we teach, which of their relations, and how they are
 * split between SFT ("train") and pretraining-only ("heldout") words.
 *
 * Selection (data/README.md): the top-N lemmas by SemCor tag count; from the first sense
 * of each lemma's primary part of speech, the direct antonym, the most
 * frequent other lemma (synonym) and the hypernym's head lemma (category).
 */
import { Rng } from "../random";
import { RELATIONS, RELATION_PHRASING, Relation, render } from "./phrasing";
import { POS_NAMES, PosName, Synset, WordNet, getSynset, senseKey, splitGloss } from "./wordnet";

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
  /** How many headwords to keep (the experiment's sweet spot is 200). */
  words: number;
  /** Seed of the train/heldout split. */
  seed?: number;
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

/** The part of speech with the most tags; ties go to the earlier of noun, verb, adj, adv. */
export function primaryPos(rec: Record<PosName, number>): PosName {
  return POS_NAMES.reduce((best, p) => (rec[p] > rec[best] ? p : best), POS_NAMES[0]);
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
  const category = s.pointers
    .filter((p) => p.symbol === "@")
    .map((p) => getSynset(wn, p.type, p.offset)?.words[0].lemma ?? "")
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
 * two relations. `accepted` and `split` are filled in later.
 */
export function headwordFor(
  wn: WordNet,
  lemma: string,
  pos: PosName,
  tagCount: number,
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
  if (facts.length < 2) return undefined;
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
  for (const lemma of rankLemmas(counts)) {
    if (out.length >= opts.words) break;
    if (!HEADWORD_PATTERN.test(lemma)) continue;
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
 * so both halves have the same mix of relations and frequencies.
 */
export function assignSplit(headwords: Headword[], seed: number): void {
  const rng = new Rng(seed).fork("split");
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
  relation: Relation;
  word: string;
  split: "train" | "heldout";
}

/** Cloze items for the probe: "The opposite of hot is" → " cold". */
export function clozeItems(facts: readonly Fact[]): ClozeItem[] {
  return facts.map((f) => ({
    prompt: render(RELATION_PHRASING[f.relation].cloze, { word: f.word }),
    answer: " " + f.answer,
    accepted: f.accepted.slice(),
    relation: f.relation,
    word: f.word,
    split: f.split,
  }));
}
