/**
 * Constrained writing, IFEval-style: the request states verifiable
 * constraints (use a word, start with it, exactly N words, no capitals, end
 * with a period) and the checker scores the share of constraints met. Any
 * sentence that meets them is correct; the reference is one such sentence,
 * a corpus statement of a fact about the word.
 */
import type { Fact } from "../facts";
import { RELATION_PHRASING, render } from "../phrasing";
import type { Rng } from "../../random";
import { C, Constraint, constraintCheck, words } from "./check";
import { T } from "./gen";
import type { GenContext, Task, TaskInstance, Template } from "./types";

/** Every corpus statement of every fact about one headword. */
function statementsAbout(facts: readonly Fact[]): string[] {
  return facts.flatMap((f) =>
    RELATION_PHRASING[f.relation].statements.map((s) => render(s, { word: f.word, answer: f.answer })),
  );
}

/** A headword of the pool with its statements (those passing `keep`), retrying until one has some. */
function wordWithStatements(
  rng: Rng,
  ctx: GenContext,
  keep: (s: string, word: string) => boolean,
): { word: string; statements: string[] } {
  for (const h of rng.shuffle(ctx.headwords)) {
    const statements = statementsAbout(h.facts).filter((s) => keep(s, h.word));
    if (statements.length > 0) return { word: h.word, statements };
  }
  throw new Error("no headword in the pool has a fitting statement; pass more headwords");
}

/** A constrained task: constraints are rebuilt from the instance's input, so any stored instance can be re-checked. */
function constrainedTask(
  name: string,
  description: string,
  learnable: Task["learnable"],
  why: string,
  constraints: (input: TaskInstance["input"]) => Constraint[],
  generate: (rng: Rng, ctx: GenContext) => TaskInstance,
  templates: Template[],
): Task {
  return {
    name,
    cluster: "constrained",
    description,
    learnable,
    why,
    generate,
    templates,
    check: (r, inst) => constraintCheck(r, constraints(inst.input)),
  };
}

const str = (v: string | number | undefined) => String(v ?? "");
const FACT_SENTENCE =
  "a statement of a fact about the word, as pretraining wrote thousands, meets the constraints";

const useWord = constrainedTask(
  "use_word",
  "Write one sentence of 3–15 words that uses a given word and ends with a period.",
  "format",
  FACT_SENTENCE,
  (i) => [C.usesWord(str(i.word)), C.wordsBetween(3, 15), C.endsWithPeriod(), C.oneLine()],
  (rng, ctx) => {
    const { word, statements } = wordWithStatements(rng, ctx, () => true);
    return { input: { word }, answer: rng.pick(statements), word };
  },
  [
    T.imp("Write one short sentence that uses the word {word}. End it with a period."),
    T.q("Can you write a short sentence with the word {word} in it, ending with a period?"),
    T.inv("{word}\nUse this word in one short sentence that ends with a period."),
    T.held(T.imp("Make up a sentence containing {word}, and finish it with a period.")),
  ],
);

const startWith = constrainedTask(
  "start_with",
  "Write one sentence of 3–15 words whose first word is a given word.",
  "format",
  FACT_SENTENCE,
  (i) => [C.startsWith(str(i.word)), C.wordsBetween(3, 15), C.oneLine()],
  (rng, ctx) => {
    const { word, statements } = wordWithStatements(rng, ctx, (s, w) => s.startsWith(w + " "));
    return { input: { word }, answer: rng.pick(statements), word };
  },
  [
    T.imp("Write a short sentence that starts with the word {word}."),
    T.q("Can you write a sentence whose first word is {word}?"),
    T.inv("{word}\nBegin a short sentence with this word."),
    T.held(T.imp("Start a sentence with {word} and keep it short.")),
  ],
);

const nWords = constrainedTask(
  "n_words",
  "Write a sentence about a word in exactly N words (N is 5 or 6).",
  "unlikely",
  "needs counting words as it writes; a fact sentence has 5 or 6 words, so luck is high",
  (i) => [C.exactWords(Number(i.n)), C.usesWord(str(i.word)), C.oneLine()],
  (rng, ctx) => {
    const n = rng.pick([5, 6]);
    const { word, statements } = wordWithStatements(rng, ctx, (s) => words(s).length === n);
    return { input: { word, n }, answer: rng.pick(statements), word };
  },
  [
    T.imp("Write a sentence about {word} in exactly {n} words."),
    T.q("Can you say something about {word} in exactly {n} words?"),
    T.inv("{word}\nWrite exactly {n} words about this word."),
    T.held(T.imp("Use exactly {n} words to write about {word}.")),
  ],
);

const lowercase = constrainedTask(
  "lowercase_only",
  "Write one sentence of 3–15 words about a word, with no capital letters.",
  "format",
  "the corpus writes headwords lowercase even at the start of a sentence, so its statements qualify",
  (i) => [C.lowercase(), C.usesWord(str(i.word)), C.wordsBetween(3, 15), C.oneLine()],
  (rng, ctx) => {
    const { word, statements } = wordWithStatements(rng, ctx, (s) => !/[A-Z]/.test(s));
    return { input: { word }, answer: rng.pick(statements), word };
  },
  [
    T.imp("Write a short sentence about {word} using only lowercase letters."),
    T.q("Can you write a sentence about {word} with no capital letters at all?"),
    T.inv("{word}\nWrite a short sentence about this word, all in lowercase."),
    T.held(T.imp("In lowercase only, write one sentence that mentions {word}.")),
  ],
);

/** The constrained-writing cluster. */
export const CONSTRAINED_TASKS: readonly Task[] = [useWord, startWith, nWords, lowercase];
