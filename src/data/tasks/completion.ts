/**
 * Sentence completion, a held-out cluster: the first words of a fact as the
 * corpus states it ("The opposite of hot is"), and a request to finish it.
 * Pretraining taught the continuation; SFT's held-in clusters never ask for
 * one, so the cluster measures whether tuning on other kinds of request
 * transfers to this one (FLAN's held-out evaluation).
 */
import { RELATION_PHRASING, render } from "../phrasing";
import { exactCheck } from "./check";
import { poolFacts, T } from "./gen";
import type { Task } from "./types";

/** Statements that end with the answer, cut before it: "The opposite of {word} is". */
export const OPENINGS = Object.freeze(
  Object.fromEntries(
    Object.entries(RELATION_PHRASING).map(([rel, p]) => [
      rel,
      p.statements.filter((s) => s.endsWith("{answer}.")).map((s) => s.slice(0, -"{answer}.".length).trim()),
    ]),
  ) as Record<keyof typeof RELATION_PHRASING, string[]>,
);

const completeFact: Task = {
  name: "complete_fact",
  cluster: "completion",
  description: "Finish a sentence that states a word fact with its missing last word.",
  learnable: "knowledge",
  why: "pretraining read these sentences whole; only the request to finish one is new (held out of SFT)",
  generate(rng, ctx) {
    const f = rng.pick(poolFacts(ctx));
    const start = render(rng.pick(OPENINGS[f.relation]), { word: f.word });
    return { input: { start }, answer: f.answer, accepted: f.accepted.slice(), word: f.word };
  },
  templates: [
    T.imp("Complete the sentence: {start}"),
    T.imp("Say the next word: {start}"),
    T.inv("Continue: {start}"),
    T.held(T.imp("Finish the sentence: {start}")),
    T.held(T.inv("{start} ___\nFill in the blank.")),
  ],
  check: exactCheck,
};

/** The completion cluster. */
export const COMPLETION_TASKS: readonly Task[] = [completeFact];
