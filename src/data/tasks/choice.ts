/**
 * Multiple choice, a held-out cluster: a knowledge question with three
 * options, the fact's answer and two distractors (chance: one in three). The skill (the fact) comes
 * from pretraining; the format (options to choose from) never occurs in
 * SFT's held-in clusters, so the cluster measures zero-shot transfer of
 * instruction following (FLAN's held-out evaluation), not new knowledge.
 */
import type { Fact } from "../facts";
import { RELATION_PHRASING, render } from "../phrasing";
import { firstLine, matchesExactly, normalise } from "./check";
import { pickDistinct, poolFacts, poolWords, T } from "./gen";
import type { Rng } from "../../random";
import type { CheckResult, Task, TaskInstance } from "./types";

/** Two words of the pool that answer none of `f`'s readings and are not its subject. */
function distractors(rng: Rng, f: Fact, words: readonly string[]): string[] {
  const bad = new Set([f.word, f.answer, ...f.accepted]);
  const pool = words.filter((w) => !bad.has(w));
  if (pool.length < 2)
    throw new Error("choose_word: the word pool has too few distractors; pass more headwords");
  return pickDistinct(rng, pool, 2);
}

/** The instance for fact `f`, options in the order given. */
export function choiceInstance(f: Fact, question: string, options: readonly string[]): TaskInstance {
  const [a, b, c] = options;
  return { input: { question, a, b, c }, answer: f.answer, word: f.word };
}

/** Right option: correct; the other option or anything else: wrong, and the reason says which. */
function checkChoice(response: string, inst: TaskInstance): CheckResult {
  if (normalise(firstLine(response)) === "") return { correct: false, score: 0, reason: "empty response" };
  if (matchesExactly(response, [inst.answer])) return { correct: true, score: 1, reason: "right option" };
  const others = [inst.input.a, inst.input.b, inst.input.c].map(String).filter((o) => o !== inst.answer);
  if (matchesExactly(response, others)) return { correct: false, score: 0, reason: "chose a distractor" };
  return { correct: false, score: 0, reason: "not one of the options" };
}

const chooseWord: Task = {
  name: "choose_word",
  cluster: "choice",
  description: "Answer a word-fact question by choosing one of three given options.",
  learnable: "knowledge",
  why: "the fact is in the base model from pretraining; only the options format is new (held out of SFT)",
  generate(rng, ctx) {
    const f = rng.pick(poolFacts(ctx));
    const questions = RELATION_PHRASING[f.relation].questions.filter((q) => q.use === "corpus");
    const question = render(rng.pick(questions).text, { word: f.word });
    const options = rng.shuffle([f.answer, ...distractors(rng, f, poolWords(ctx))]);
    return choiceInstance(f, question, options);
  },
  templates: [
    T.imp("Choose between {a}, {b} and {c}. {question}"),
    T.q("{a}, {b} or {c}? {question}"),
    T.inv("Options: {a}, {b}, {c}.\n{question}"),
    T.held(T.imp("Pick the right answer ({a}, {b} or {c}). {question}")),
  ],
  check: checkChoice,
};

/** The multiple-choice cluster. */
export const CHOICE_TASKS: readonly Task[] = [chooseWord];
