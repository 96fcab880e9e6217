/**
 * From conversations to training rows: render each with the chat template,
 * check it is trainable, and pack rows into right-padded `LMBatch`es whose
 * loss weights are the template's mask. Packing several examples into one row
 * is off: every row holds one conversation, so no attention crosses example
 * boundaries (the padding sits after the end token and carries no loss).
 */
import { MaskMode, Message, renderChat, RenderOptions } from "../chat/template";
import { Rng } from "../random";
import type { BpeTokenizer } from "../tokenizer/index";
import type { LMBatch } from "./lm-batches";

/** A rendered training example and where it came from (for error messages). */
export interface Example {
  ids: number[];
  mask: number[];
  /** "file:line" or a description, named in every error about this example. */
  source: string;
  /** The chat template's mask mode that made `mask` (recorded in the run). */
  maskMode: MaskMode;
}

/**
 * Render one conversation for training. Throws, naming `source`, when the
 * conversation does not end with an assistant turn, when no token carries
 * loss, or when it is longer than the context (which would cut the answer).
 */
export function renderExample(
  tok: BpeTokenizer,
  messages: readonly Message[],
  contextLength: number,
  source: string,
  options: Partial<RenderOptions> = {},
): Example {
  if (messages[messages.length - 1]?.role !== "assistant") {
    throw new Error(
      `${source}: a training conversation must end with an assistant turn (it ends with ${messages[messages.length - 1]?.role ?? "nothing"})`,
    );
  }
  const r = renderChat(tok, messages, { ...options, generationPrompt: false });
  if (!r.mask.some((m, i) => m === 1 && i > 0)) {
    throw new Error(
      `${source}: no token carries loss under mask "${options.mask ?? "assistant"}"; the template masks every token, so this example would teach nothing`,
    );
  }
  if (r.ids.length > contextLength) {
    throw new Error(
      `${source}: renders to ${r.ids.length} tokens but the context is ${contextLength}; truncating would cut off the answer. Shorten it or drop it explicitly.`,
    );
  }
  return { ids: r.ids, mask: r.mask, source, maskMode: options.mask ?? "assistant" };
}

/**
 * Rows of examples → one LMBatch of width T (the longest example), padded on
 * the right. weights[b, t] is the mask of token t+1: the loss of predicting it.
 */
export function toBatch(examples: readonly Example[], padId: number): LMBatch {
  if (examples.length === 0) throw new Error("toBatch: no examples");
  const T = Math.max(...examples.map((e) => e.ids.length));
  const tokens = new Int32Array(examples.length * T).fill(padId);
  const weights = new Float32Array(examples.length * (T - 1));
  examples.forEach((e, b) => {
    tokens.set(e.ids, b * T);
    for (let t = 1; t < e.ids.length; t++) weights[b * (T - 1) + t - 1] = e.mask[t];
  });
  return { tokens, weights, B: examples.length, T };
}

/**
 * The micro-batches of one optimizer step: `batchSize` examples drawn without
 * replacement within an epoch (the order is a pure function of the seed and
 * the epoch, so a resumed run sees the same data), sorted by length and split
 * into micro-batches. Sorting makes each micro-batch pad only to its own
 * longest example; the gradient is unchanged (the loop normalises by the whole
 * step's loss tokens), and a 16-example step of this data runs 1.7× faster in
 * 4 micro-batches of 4 than as one padded batch (2.5× at 32) (BENCHMARKS.md).
 */
export function stepBatches(
  examples: readonly Example[],
  step: number,
  batchSize: number,
  microBatchSize: number,
  seed: number,
  padId: number,
): LMBatch[] {
  if (examples.length < batchSize) {
    throw new Error(
      `the dataset has ${examples.length} examples, fewer than one batch of ${batchSize}; add data or lower batchSize`,
    );
  }
  return sortedMicroBatches(
    stepIndices(examples.length, step, batchSize, seed).map((i) => examples[i]),
    microBatchSize,
    padId,
  );
}

/**
 * Which of n examples step `step` trains on: `batchSize` of them, drawn
 * without replacement within an epoch (a shuffle seeded by seed and epoch;
 * the last incomplete batch of an epoch is skipped), so the order is a pure
 * function of its arguments and a resumed run sees the same data.
 */
export function stepIndices(n: number, step: number, batchSize: number, seed: number): number[] {
  if (n < batchSize)
    throw new Error(`${n} examples are fewer than one batch of ${batchSize}; add data or lower batchSize`);
  const perEpoch = Math.floor(n / batchSize);
  const epoch = Math.floor(step / perEpoch);
  const order = new Rng(seed).fork(`epoch/${epoch}`).shuffle(Array.from({ length: n }, (_, i) => i));
  const start = (step % perEpoch) * batchSize;
  return order.slice(start, start + batchSize);
}

/** Examples sorted by length and cut into right-padded batches of at most `size`. */
export function sortedMicroBatches(examples: readonly Example[], size: number, padId: number): LMBatch[] {
  const sorted = examples.slice().sort((a, b) => a.ids.length - b.ids.length);
  const out: LMBatch[] = [];
  for (let i = 0; i < sorted.length; i += size) out.push(toBatch(sorted.slice(i, i + size), padId));
  return out;
}
