/**
 * String manipulation: reverse, sort, count letters (the corpus's worked-
 * example skills, with its phrasing tables), and first / last letter.
 */
import { SKILL_PHRASING, Skill } from "../phrasing";
import { skillInstance } from "../skills";
import { exactCheck, listCheck } from "./check";
import { fromPhrasing, poolWords, T } from "./gen";
import type { CheckResult, Task, TaskInstance, Template } from "./types";

const NUMBER_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
];

/** Spelled-out numbers an answer may use instead of digits ("5" or "five"). */
export const numberWords = (n: number): string[] => (NUMBER_WORDS[n] ? [NUMBER_WORDS[n]] : []);

/** Why each corpus skill is out of reach here (notebook 03 measures each task's exact match). */
const WHY_SKILL: Record<Skill, string> = {
  reverse: "a word's letters are hidden inside its BPE tokens",
  sort: "needs comparing letters hidden inside tokens",
  count: "a right answer is mostly a lucky small number; BPE hides the letters",
  upper: "capitals are other BPE tokens",
  add: "digit arithmetic is learned neither from prose nor from SFT at this size",
};

/** A task over one of the corpus's skills: its generator and phrasing table, plus extra templates. */
function skillTask(
  skill: Skill,
  name: string,
  cluster: Task["cluster"],
  description: string,
  extra: Template[],
  check: Task["check"],
): Task {
  return {
    name,
    cluster,
    description,
    learnable: "unlikely",
    why: WHY_SKILL[skill],
    generate(rng, ctx) {
      const inst = skillInstance(skill, rng, poolWords(ctx));
      const word = typeof inst.vars.word === "string" ? inst.vars.word : undefined;
      const accepted = skill === "count" ? numberWords(Number(inst.answer)) : [];
      return {
        input: { ...inst.vars },
        answer: inst.answer,
        ...(accepted.length ? { accepted } : {}),
        ...(word ? { word } : {}),
      };
    },
    templates: [...fromPhrasing(SKILL_PHRASING[skill].questions), ...extra],
    check,
  };
}

const sortCheck = (response: string, inst: TaskInstance): CheckResult => listCheck(response, inst);

/** A task on one letter of a word: the first or the last. */
function letterTask(name: string, which: "first" | "last"): Task {
  return {
    name,
    cluster: "string",
    description: `Give the ${which} letter of a word.`,
    learnable: "unlikely",
    why: "the letters of a word sit inside its BPE token; the corpus spells words only in examples it did not learn",
    generate(rng, ctx) {
      const word = rng.pick(poolWords(ctx));
      return { input: { word }, answer: which === "first" ? word[0] : word[word.length - 1], word };
    },
    templates: [
      T.q(`What is the ${which} letter of {word}?`),
      T.imp(`Give the ${which} letter of the word {word}.`),
      T.inv(`{word}\nWhich letter does this word ${which === "first" ? "start" : "end"} with?`),
      T.held(T.imp(`Tell me the letter that ${which === "first" ? "begins" : "ends"} the word {word}.`)),
    ],
    check: exactCheck,
  };
}

/** The string cluster. */
export const STRING_TASKS: readonly Task[] = [
  skillTask(
    "reverse",
    "reverse_word",
    "string",
    "Write a word backwards.",
    [T.inv("{word}\nWrite this word backwards.")],
    exactCheck,
  ),
  skillTask(
    "sort",
    "sort_words",
    "string",
    "Sort 3–4 words alphabetically (comma-separated).",
    [T.inv("{words}\nPut these words in alphabetical order.")],
    sortCheck,
  ),
  skillTask(
    "count",
    "count_letters",
    "string",
    "Count the letters of a word.",
    [T.inv("{word}\nHow many letters is that?")],
    exactCheck,
  ),
  letterTask("first_letter", "first"),
  letterTask("last_letter", "last"),
];

export { skillTask };
