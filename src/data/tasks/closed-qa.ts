/**
 * Closed QA: answer from a short passage given in the prompt. Passages are
 * three sentences, either facts stated as the corpus states them or a tiny
 * "who has what" story; the answer is a span of the passage (or yes/no).
 */
import { RELATION_PHRASING, questionsFor, render } from "../phrasing";
import type { Rng } from "../../random";
import { exactCheck } from "./check";
import { distinctFacts, dropPeriod, lowerFirst, pickDistinct, randomStatement, T } from "./gen";
import type { Task, Template } from "./types";

/** Names, colours and objects of the story passages (short, common words). */
export const STORY = {
  names: ["Mia", "Tom", "Sam", "Ana", "Ben", "Lea", "Max", "Eva"],
  colors: ["red", "blue", "green", "black", "white", "brown"],
  objects: ["ball", "kite", "hat", "cup", "bike", "book", "box", "car"],
} as const;

/** Passage-and-question templates: the passage first, the question first (inverted), or an instruction. */
const PASSAGE_TEMPLATES: readonly Template[] = [
  T.q("{passage}\nQuestion: {question}"),
  T.imp("Answer from the text.\nText: {passage}\n{question}"),
  T.inv("Question: {question}\nAnswer it using this text: {passage}"),
  T.held(T.imp("Read this: {passage}\nNow answer: {question}")),
  T.held(T.inv("{question}\nThe answer is in this passage: {passage}")),
];

const fact: Task = {
  name: "passage_fact",
  cluster: "closed_qa",
  description:
    "Three facts stated in corpus phrasings; a question about one of them. The answer is a span of the passage.",
  learnable: "format",
  why: "the answer is copied from the prompt, and the base model knows the fact too",
  generate(rng, ctx) {
    const facts = distinctFacts(rng, ctx, 3);
    const target = rng.pick(facts);
    const question = render(questionsFor(target.relation, "corpus")[0].text, { word: target.word });
    return {
      input: { passage: facts.map((f) => randomStatement(rng, f)).join(" "), question },
      answer: target.answer,
      accepted: target.accepted.slice(),
      word: target.word,
    };
  },
  templates: PASSAGE_TEMPLATES,
  check: exactCheck,
};

/** Three story sentences with distinct names, colours and objects. */
function story(rng: Rng): { name: string; color: string; object: string }[] {
  const [names, colors, objects] = [
    pickDistinct(rng, STORY.names, 3),
    pickDistinct(rng, STORY.colors, 3),
    pickDistinct(rng, STORY.objects, 3),
  ];
  return names.map((name, i) => ({ name, color: colors[i], object: objects[i] }));
}

const storyQa: Task = {
  name: "passage_story",
  cluster: "closed_qa",
  description: 'A three-sentence story ("Tom has a blue kite."); asks who has an object, or its colour.',
  learnable: "format",
  why: "the answer is a word of the prompt; SFT teaches which one to copy",
  generate(rng) {
    const s = story(rng);
    const t = rng.pick(s);
    const passage = s.map((x) => `${x.name} has a ${x.color} ${x.object}.`).join(" ");
    const askWho = rng.random() < 0.5;
    return askWho
      ? { input: { passage, question: `Who has the ${t.color} ${t.object}?` }, answer: t.name }
      : { input: { passage, question: `What color is the ${t.object} of ${t.name}?` }, answer: t.color };
  },
  templates: PASSAGE_TEMPLATES,
  check: exactCheck,
};

const yesNo: Task = {
  name: "passage_yes_no",
  cluster: "closed_qa",
  description:
    "Two facts; does the passage say a given claim? The claim is one of them or one with the other's answer.",
  learnable: "format",
  why: "two labels; the true claim restates a passage sentence, but matching a paraphrase is hard (chance is 50 %)",
  generate(rng, ctx) {
    const facts = distinctFacts(rng, ctx, 2);
    const [target, other] = facts;
    const truth = rng.random() < 0.5;
    const claimed = truth ? target : { ...target, answer: other.answer };
    const claim = lowerFirst(
      dropPeriod(
        render(RELATION_PHRASING[claimed.relation].statements[0], {
          word: claimed.word,
          answer: claimed.answer,
        }),
      ),
    );
    return {
      input: { passage: facts.map((f) => randomStatement(rng, f)).join(" "), claim },
      answer: truth ? "yes" : "no",
      word: target.word,
    };
  },
  templates: [
    T.q("{passage}\nDoes the text say that {claim}? Answer yes or no."),
    T.imp("Read the text and answer yes or no.\nText: {passage}\nClaim: {claim}."),
    T.inv("Claim: {claim}.\nText: {passage}\nIs the claim in the text, yes or no?"),
    T.held(T.q("Is it true, according to this passage, that {claim}? Say yes or no.\n{passage}")),
  ],
  check: exactCheck,
};

/** The closed-QA cluster. */
export const CLOSED_QA_TASKS: readonly Task[] = [fact, storyQa, yesNo];
