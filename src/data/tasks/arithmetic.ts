/**
 * Arithmetic: add two numbers 0–99 (the corpus's skill), subtract small
 * numbers, and pick the larger of two numbers.
 */
import { exactCheck } from "./check";
import { T } from "./gen";
import { numberWords, skillTask } from "./string";
import type { Task } from "./types";

const subtract: Task = {
  name: "subtract",
  cluster: "arithmetic",
  description: "Subtract a smaller number from a number up to 20.",
  learnable: "unlikely",
  why: "the corpus shows digit arithmetic only in prose; small results make guesses right now and then (notebook 03 measures it)",
  generate(rng) {
    const a = rng.int(0, 21),
      b = rng.int(0, a + 1);
    const accepted = numberWords(a - b);
    return { input: { a, b }, answer: String(a - b), ...(accepted.length ? { accepted } : {}) };
  },
  templates: [
    T.q("What is {a} minus {b}?"),
    T.imp("Subtract {b} from {a}."),
    T.inv("{a} - {b}\nWork out the difference."),
    T.held(T.q("If you take {b} away from {a}, how many are left?")),
  ],
  check: exactCheck,
};

const compare: Task = {
  name: "compare_numbers",
  cluster: "arithmetic",
  description: "Say which of two different numbers 0–99 is larger.",
  learnable: "unlikely",
  why: "needs comparing digits; one of the two numbers in the prompt is right half the time by chance",
  generate(rng) {
    const a = rng.int(0, 100);
    let b = rng.int(0, 99);
    if (b >= a) b++; // distinct, still uniform over the other 99
    return { input: { a, b }, answer: String(Math.max(a, b)) };
  },
  templates: [
    T.q("Which is larger, {a} or {b}?"),
    T.imp("Give the bigger number of {a} and {b}."),
    T.inv("{a} and {b}: which one is greater?"),
    T.held(T.imp("Name the larger of the two numbers {a} and {b}.")),
  ],
  check: exactCheck,
};

/** The arithmetic cluster. */
export const ARITHMETIC_TASKS: readonly Task[] = [
  skillTask(
    "add",
    "add",
    "arithmetic",
    "Add two numbers 0–99.",
    [T.inv("{a} + {b}\nWhat is the total?")],
    exactCheck,
  ),
  subtract,
  compare,
];
