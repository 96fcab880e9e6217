/**
 * Knowledge: questions whose answers the base model learned from the corpus's
 * fact prose and dictionary entries (antonym, synonym, category, and the word
 * for a WordNet gloss). Relation templates are the phrasing tables' own, so
 * "corpus" questions are the ones pretraining saw and "heldout" ones are new.
 */
import { Fact, Headword, glossWords, shortGloss } from "../facts";
import { RELATION_PHRASING, Relation } from "../phrasing";
import { exactCheck } from "./check";
import { fromPhrasing, T } from "./gen";
import type { GenContext, Task, TaskInstance } from "./types";

const WHY_FACT =
  "the base model holds these facts; SFT only teaches it to answer (notebook 03 measures it on words SFT never showed)";

const RELATION_DESCRIPTION: Record<Relation, string> = {
  antonym: "Give the opposite of a word.",
  synonym: "Give a word that means the same.",
  category: "Say what kind of thing a word names (its WordNet hypernym).",
};

/** The instance that asks for fact `f`. */
export function factInstance(f: Fact): TaskInstance {
  return { input: { word: f.word }, answer: f.answer, accepted: f.accepted.slice(), word: f.word };
}

/** The instance that asks for the word `h` a gloss defines; `all` lists headwords whose words are accepted too. */
export function definitionInstance(h: Headword, all: readonly Headword[]): TaskInstance {
  return { input: { gloss: h.gloss }, answer: h.word, accepted: glossWords(h, all), word: h.word };
}

/** A relation question: the fact's answer or any accepted alternative. */
function relationTask(relation: Relation): Task {
  return {
    name: relation,
    cluster: "knowledge",
    description: RELATION_DESCRIPTION[relation],
    learnable: "knowledge",
    why: WHY_FACT,
    generate(rng, ctx) {
      const facts = ctx.headwords.flatMap((h) => h.facts).filter((f) => f.relation === relation);
      if (facts.length === 0)
        throw new Error(`${relation}: no ${relation} facts in the word pool; pass more headwords`);
      return factInstance(rng.pick(facts));
    },
    templates: fromPhrasing(RELATION_PHRASING[relation].questions),
    check: exactCheck,
  };
}

/** Glosses a question can quote (the probe's rule, so both ask about the same words). */
export const definable = shortGloss;

const definition: Task = {
  name: "definition",
  cluster: "knowledge",
  description:
    "Name the word a WordNet gloss defines (the dictionary entries of the corpus, read backwards).",
  learnable: "knowledge",
  why: "dictionary entries in the corpus pair each gloss with its word, though only word-first; read gloss-first they are the reversal curse's case (Berglund et al., 2023)",
  generate(rng, ctx: GenContext) {
    const pool = ctx.headwords.filter(definable);
    if (pool.length === 0)
      throw new Error("definition: no headword in the pool has a short gloss; pass more headwords");
    return definitionInstance(rng.pick(pool), ctx.headwords);
  },
  templates: [
    T.q("What word means: {gloss}?"),
    T.imp("Give the word that means: {gloss}."),
    T.inv("Definition: {gloss}.\nWhich word is this?"),
    T.imp("Name the word defined as: {gloss}."),
    T.held(T.q("Which single word has this meaning: {gloss}?")),
    T.held(T.imp("Tell me the word for this: {gloss}.")),
  ],
  check: exactCheck,
};

/** The knowledge cluster. */
export const KNOWLEDGE_TASKS: readonly Task[] = [
  relationTask("antonym"),
  relationTask("synonym"),
  relationTask("category"),
  definition,
];
