/** A hand-made comparison for the judge tests. */
import type { JudgePair } from "../../src/judge/judge";

export const pair = (
  id: string,
  a: string,
  ga: number,
  b: string,
  gb: number,
  stopped = true,
): JudgePair => ({
  id,
  promptId: id.split(" ")[0],
  prompt: [{ role: "user", content: "What is the opposite of hot?" }],
  a: { content: a, stopped, gold: ga },
  b: { content: b, stopped: true, gold: gb },
});
