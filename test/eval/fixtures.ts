import type { ItemResult } from "../../src/eval/evaluate";

/** A classified response for tests of what is computed from classes: a benign, stopped answer unless told. */
export const itemResult = (o: Partial<ItemResult> = {}): ItemResult => ({
  task: "antonym",
  prompt: "p",
  response: "r",
  stopped: true,
  kind: "benign",
  behaviour: "answer",
  cue: "stopped",
  correct: null,
  ...o,
});
