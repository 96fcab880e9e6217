/**
 * Noisy instruction data for the quality-against-quantity ablation (LIMA):
 * a share of the conversations keep their request but get the answer of
 * another conversation of the same task. The answer stays well formed (the
 * same kind of word, list or number), only wrong, the way unfiltered data is
 * plausible but unreliable; so a model trained on it learns the format as
 * well as from clean data, and only its correctness can suffer.
 */
import type { Message } from "../chat/template";
import { Rng } from "../random";

/** A conversation whose last turn is the answer (an SftLine or SftRecord). */
interface Answered {
  messages: Message[];
  task?: string;
}

const answerOf = (r: Answered) => r.messages[r.messages.length - 1].content;

/**
 * A copy of `records` where a `share` of each task's conversations (rounded,
 * drawn with `seed`) answer with another conversation's different answer.
 * Returns the records and how many were made wrong. A task whose answers are
 * all the same cannot be corrupted this way: it is named in the error.
 */
export function corruptAnswers<R extends Answered>(
  records: readonly R[],
  share: number,
  seed: number,
): { records: R[]; corrupted: number } {
  if (!(share >= 0 && share <= 1)) throw new Error(`corruptAnswers: share ${share} must be in [0, 1]`);
  const out = records.slice();
  if (share === 0) return { records: out, corrupted: 0 };
  const rng = new Rng(seed).fork("noise");
  const byTask = new Map<string, number[]>();
  records.forEach((r, i) => {
    const t = r.task ?? "untagged";
    if (!byTask.has(t)) byTask.set(t, []);
    byTask.get(t)!.push(i);
  });
  let corrupted = 0;
  for (const [task, idx] of byTask) {
    const pick = rng.shuffle(idx).slice(0, Math.round(share * idx.length));
    for (const i of pick) {
      const mine = answerOf(records[i]);
      const others = idx.filter((j) => answerOf(records[j]) !== mine);
      if (others.length === 0)
        throw new Error(
          `corruptAnswers: every "${task}" conversation has the answer "${mine}"; nothing to swap in`,
        );
      const wrong = answerOf(records[rng.pick(others)]);
      const messages = records[i].messages.slice();
      messages[messages.length - 1] = { ...messages[messages.length - 1], content: wrong };
      out[i] = { ...records[i], messages };
      corrupted++;
    }
  }
  return { records: out, corrupted };
}
