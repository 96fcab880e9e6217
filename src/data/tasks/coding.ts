/**
 * Coding, the kind of instruction data the seed list names that no other
 * cluster covers, at a size this model can learn: write a described function
 * call, and read the value a short program assigns. Both answers are built
 * from words in the prompt (a fixed mapping plus copying), so they are
 * "format" tasks: SFT can teach them when the cluster is trained on.
 */
import type { Relation } from "../phrasing";
import { caseSensitiveCheck, exactCheck, firstLine } from "./check";
import { pickDistinct, poolFacts, poolWords, T } from "./gen";
import type { CheckResult, Task, TaskInstance } from "./types";

/** The function that looks up each relation, and how a request describes it. */
export const FUNCTIONS: Readonly<Record<Relation, { fn: string; what: string }>> = Object.freeze({
  antonym: { fn: "opposite", what: "the opposite of" },
  synonym: { fn: "synonym", what: "a synonym of" },
  category: { fn: "kind_of", what: "the category of" },
});

/** Calls compare without spaces and with either quote: opposite( 'hot' ) is opposite("hot"). */
export const canonicalCall = (s: string) => s.replace(/\s+/g, "").replace(/'/g, '"').replace(/;$/, "");

function checkCall(response: string, inst: TaskInstance): CheckResult {
  const first = firstLine(response);
  if (canonicalCall(first) === canonicalCall(inst.answer))
    return { correct: true, score: 1, reason: "exact call" };
  return { ...caseSensitiveCheck(first, inst), correct: false, score: 0 };
}

const functionCall: Task = {
  name: "function_call",
  cluster: "coding",
  description:
    'Write the call a description asks for: "the opposite of hot, using opposite()" → opposite("hot").',
  learnable: "format",
  why: "the function name is a fixed mapping and the argument is copied from the prompt",
  generate(rng, ctx) {
    const f = rng.pick(poolFacts(ctx));
    const { fn, what } = FUNCTIONS[f.relation];
    return { input: { fn, what, word: f.word }, answer: `${fn}("${f.word}")`, word: f.word };
  },
  templates: [
    T.imp("Write the function call that gives {what} {word}, using {fn}()."),
    T.q("How do you call {fn}() to get {what} {word}?"),
    T.inv("{fn}(word) returns {what} a word.\nWrite the call for {word}."),
    T.held(T.imp("Call {fn}() on {word}. Write the code.")),
  ],
  check: checkCall,
};

const VARIABLES = ["x", "y", "z", "a", "b", "name", "word", "item"];

const programValue: Task = {
  name: "program_value",
  cluster: "coding",
  description: "Read a three-line program of string assignments and give the value of one variable.",
  learnable: "format",
  why: "the value is in the prompt: the model has to find the assignment to the asked-for name and copy it",
  generate(rng, ctx) {
    const names = pickDistinct(rng, VARIABLES, 3);
    const values = pickDistinct(rng, poolWords(ctx), 3);
    const k = rng.int(0, 3);
    const code = names.map((n, i) => `${n} = "${values[i]}"`).join("\n");
    return { input: { code, var: names[k] }, answer: values[k] };
  },
  templates: [
    T.q("{code}\nWhat is the value of {var}?"),
    T.imp("Run this and give the output:\n{code}\nprint({var})"),
    T.inv("Program:\n{code}\nprint({var})\nWhat does it print?"),
    T.held(T.q("After this code runs, what does {var} hold?\n{code}")),
  ],
  check: exactCheck,
};

/** The coding cluster. */
export const CODING_TASKS: readonly Task[] = [functionCall, programValue];
