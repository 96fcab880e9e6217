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
 * Wrong answers come from `donors` of the same task (default: the records
 * themselves; pass the full dataset when `records` is a small subset, whose
 * few conversations of a task may all share one answer). `fits` can refuse a
 * corrupted conversation (too long for the context): the next donor is tried.
 * Returns the records and how many were made wrong; a conversation no donor
 * can corrupt is an error naming its task.
 */
export function corruptAnswers<R extends Answered>(
  records: readonly R[],
  share: number,
  seed: number,
  o: { donors?: readonly Answered[]; fits?: (messages: Message[]) => boolean } = {},
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
  const donorAnswers = new Map<string, string[]>();
  for (const d of o.donors ?? records) {
    const t = d.task ?? "untagged";
    if (!donorAnswers.has(t)) donorAnswers.set(t, []);
    donorAnswers.get(t)!.push(answerOf(d));
  }
  let corrupted = 0;
  for (const [task, idx] of byTask) {
    const pick = rng.shuffle(idx).slice(0, Math.round(share * idx.length));
    for (const i of pick) {
      const mine = answerOf(records[i]);
      const wrong = rng.shuffle((donorAnswers.get(task) ?? []).filter((a) => a !== mine));
      const messages = records[i].messages.slice();
      const last = messages.length - 1;
      const swap = wrong
        .map((a) => {
          const m = messages.slice();
          m[last] = { ...m[last], content: a };
          return m;
        })
        .find((m) => o.fits?.(m) ?? true);
      if (!swap)
        throw new Error(
          `corruptAnswers: no other "${task}" answer ${wrong.length ? "fits" : "exists"} to swap into "${mine}"; ` +
            "pass donors with more answers of this task",
        );
      out[i] = { ...records[i], messages: swap };
      corrupted++;
    }
  }
  return { records: out, corrupted };
}
