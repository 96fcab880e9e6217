/**
 * Summarisation, as tiny checkable analogues: name the word a passage is
 * about (a one-word title), strip the padding from a wordy sentence, and merge
 * three repetitive sentences into one.
 */
import { exactCheck } from "./check";
import { dropPeriod, lowerFirst, pickDistinct, randomStatement, T } from "./gen";
import type { Task } from "./types";

/** Padding that `shorten` removes (none of it carries the fact). */
export const FILLER = {
  prefixes: ["As everyone knows, ", "In fact, ", "It is well known that ", "Clearly, ", "As you may know, "],
  suffixes: ["", ", of course", ", as books say"],
} as const;

const topic: Task = {
  name: "topic_word",
  cluster: "summarisation",
  description:
    "Every fact about one headword, stated in corpus phrasings; give the one word the passage is about.",
  learnable: "format",
  why: "the answer is the word every sentence repeats; copying it needs no knowledge",
  generate(rng, ctx) {
    const withFacts = ctx.headwords.filter((h) => h.facts.length >= 2);
    if (withFacts.length === 0) throw new Error("topic_word: no headword with two facts in the pool");
    const h = rng.pick(withFacts);
    const passage = rng
      .shuffle(h.facts)
      .map((f) => randomStatement(rng, f))
      .join(" ");
    return { input: { passage }, answer: h.word, word: h.word };
  },
  templates: [
    T.q("{passage}\nWhich word is this text about?"),
    T.imp("Give a one-word title for this text: {passage}"),
    T.inv("In one word, what is the topic of the text below?\n{passage}"),
    T.held(T.imp("Sum up this passage in a single word: {passage}")),
  ],
  check: exactCheck,
};

const shorten: Task = {
  name: "shorten_sentence",
  cluster: "summarisation",
  description:
    'A fact padded with filler ("As everyone knows, …, of course."); write the short sentence that keeps the fact.',
  learnable: "format",
  why: "deleting a few fixed filler phrases and copying the rest is a layout skill",
  generate(rng, ctx) {
    const h = rng.pick(ctx.headwords.filter((x) => x.facts.length > 0));
    const short = randomStatement(rng, rng.pick(h.facts));
    const long = `${rng.pick(FILLER.prefixes)}${lowerFirst(dropPeriod(short))}${rng.pick(FILLER.suffixes)}.`;
    return { input: { sentence: long }, answer: short, word: h.word };
  },
  templates: [
    T.imp("Shorten this sentence: {sentence}"),
    T.q("What is a shorter way to say this? {sentence}"),
    T.inv("{sentence}\nRewrite the sentence above without the extra words."),
    T.held(T.imp("Cut the filler from this sentence and keep the fact: {sentence}")),
  ],
  check: exactCheck,
};

/** People, verbs and things for the merge task. */
export const MERGE = {
  names: ["Tom", "Mia", "Sam", "Ana", "Ben"],
  verbs: ["bought", "likes", "saw", "painted", "found"],
  things: ["apples", "pears", "plums", "cats", "dogs", "books", "hats", "shoes"],
} as const;

const merge: Task = {
  name: "merge_sentences",
  cluster: "summarisation",
  description:
    'Three sentences that differ in one word ("Tom saw cats. Tom saw dogs. …"); say it in one sentence.',
  learnable: "format",
  why: "copying the shared start and listing the three words is a fixed layout",
  generate(rng) {
    const name = rng.pick(MERGE.names),
      verb = rng.pick(MERGE.verbs);
    const [a, b, c] = pickDistinct(rng, MERGE.things, 3);
    return {
      input: { sentences: [a, b, c].map((t) => `${name} ${verb} ${t}.`).join(" ") },
      answer: `${name} ${verb} ${a}, ${b} and ${c}.`,
    };
  },
  templates: [
    T.imp("Combine into one sentence: {sentences}"),
    T.q("How can these be said in one sentence? {sentences}"),
    T.inv("{sentences}\nMerge the sentences above into one."),
    T.held(T.imp("Summarise these three sentences as a single sentence: {sentences}")),
  ],
  check: exactCheck,
};

/** The summarisation cluster. */
export const SUMMARISATION_TASKS: readonly Task[] = [topic, shorten, merge];
