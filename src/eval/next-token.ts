/**
 * What a model expects right after a request: the probability that it ends
 * (next token = end-of-sequence) against the probability that it starts a new
 * line or a new question (the completer's move). A base model puts its mass
 * on the second; an assistant on an answer that ends.
 */
import { tf } from "../backend";
import type { GPT } from "../model/gpt";
import { maskedLogProbs } from "../model/logprobs";
import { leftPad } from "../model/padding";
import type { BpeTokenizer } from "../tokenizer/index";

/** Words that open a request in the corpus's question templates. */
const QUESTION_OPENERS =
  /^ ?(What|Which|Who|How|Give|Name|Tell|Write|Reverse|Spell|Sort|Put|Add|Count|Convert|Is|Q)$/;

/**
 * Token ids whose text opens a new line or a new question: a token starting
 * with a newline, or a question opener (" What", "Give", "Q", …).
 */
export function newQuestionTokens(tok: BpeTokenizer): number[] {
  const ids: number[] = [];
  for (let id = 0; id < tok.vocabSize; id++) {
    if (Object.values(tok.special).includes(id)) continue;
    const s = tok.tokenString(id);
    if (s.startsWith("\n") || QUESTION_OPENERS.test(s)) ids.push(id);
  }
  return ids;
}

export interface NextTokenOdds {
  /** P(next token = end-of-sequence). */
  pEnd: number;
  /** P(next token opens a new line or question). */
  pNewQuestion: number;
}

/**
 * The next-token distribution after each prompt (token ids): one row of
 * `vocabSize` probabilities per prompt. Prompts are left-padded in batches,
 * so a prompt's row does not depend on its batch.
 */
export function nextTokenProbs(
  model: GPT,
  tok: BpeTokenizer,
  prompts: readonly number[][],
  batchSize = 32,
): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < prompts.length; i += batchSize) {
    const batch = prompts.slice(i, i + batchSize);
    const pad = leftPad(batch, tok.special.pad);
    const L = pad.length;
    const probs = tf.tidy(() => {
      const logits = model.logits(tf.tensor2d(pad.ids, undefined, "int32"), {
        keyMask: tf.tensor2d(pad.mask),
        positions: tf.tensor2d(pad.positions, undefined, "int32"),
      });
      return tf
        .softmax(tf.squeeze(tf.slice(logits, [0, L - 1, 0], [batch.length, 1, -1]), [1]))
        .arraySync() as number[][];
    });
    out.push(...probs);
  }
  return out;
}

/** Next-token odds after each prompt (token ids), in batches. */
export function nextTokenOdds(
  model: GPT,
  tok: BpeTokenizer,
  prompts: readonly number[][],
  batchSize = 32,
): NextTokenOdds[] {
  const opener = newQuestionTokens(tok);
  return nextTokenProbs(model, tok, prompts, batchSize).map((row) => ({
    pEnd: row[tok.special.eos],
    pNewQuestion: opener.reduce((s, id) => s + row[id], 0),
  }));
}

/**
 * Summed log p(continuation | prompt) for each pair, e.g. the answer " cold"
 * after "The opposite of hot is". Sequences are left-padded into batches.
 */
export function continuationLogProbs(
  model: GPT,
  tok: BpeTokenizer,
  prompts: readonly number[][],
  continuations: readonly number[][],
  batchSize = 32,
): number[] {
  if (prompts.length !== continuations.length)
    throw new Error(
      `continuationLogProbs: ${prompts.length} prompts but ${continuations.length} continuations`,
    );
  const out: number[] = [];
  for (let i = 0; i < prompts.length; i += batchSize) {
    const seqs = prompts.slice(i, i + batchSize).map((p, j) => [...p, ...continuations[i + j]]);
    const pad = leftPad(seqs, tok.special.pad);
    const B = seqs.length;
    const L = pad.length;
    // Row b's continuation is its last n tokens: positions L-n..L-1, predicted at L-1-n..L-2.
    const weights = new Float32Array(B * (L - 1));
    seqs.forEach((_, b) =>
      weights.fill(1, b * (L - 1) + (L - 1 - continuations[i + b].length), (b + 1) * (L - 1)),
    );
    const sums = maskedLogProbs(
      model,
      {
        tokens: Int32Array.from(pad.ids.flat()),
        weights,
        B,
        T: L,
        keyMask: Float32Array.from(pad.mask.flat()),
        positions: Int32Array.from(pad.positions.flat()),
      },
      "sum",
    );
    out.push(...sums.dataSync());
    sums.dispose();
  }
  return out;
}
