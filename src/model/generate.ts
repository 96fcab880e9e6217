/**
 * Batched sampling with a KV cache: greedy, temperature, top-k and top-p
 * (nucleus, Holtzman et al. 2020), stopping at a stop token or a length limit.
 *
 * Prompts of different lengths are left-padded; padded keys are masked out
 * and positions start at each row's first real token, so a row's output does
 * not depend on what else is in the batch.
 *
 * The log-prob reported for each sampled token is under the model's own
 * distribution (temperature 1, no truncation): the quantity PPO's ratio and
 * KL penalty need, and what `GPT.sequenceLogProbs` recomputes.
 */
import { tf } from "../backend";
import { Rng } from "../random";
import { GPT, LayerKV } from "./gpt";
import { leftPad } from "./padding";

export interface GenerateOptions {
  /** New tokens at most per row (also capped by the context length). */
  maxNewTokens: number;
  /** 0 = greedy (argmax); otherwise logits are divided by it before sampling. */
  temperature: number;
  /** Keep only the k most likely tokens (0 = off). */
  topK: number;
  /** Keep the smallest set of tokens whose probability reaches p (1 = off). */
  topP: number;
  /** Seed of the sampling stream. */
  seed: number;
  /** Token ids that end a row (the stop token is kept in the output). */
  stopTokens: number[];
  /** Id used for left padding and for rows that have finished. */
  padId: number;
}

export const GENERATE_DEFAULTS: Readonly<GenerateOptions> = Object.freeze({
  maxNewTokens: 64,
  temperature: 0,
  topK: 0,
  topP: 1,
  seed: 0,
  stopTokens: [2],
  padId: 0,
});

export interface Generation {
  /** New tokens per row, the stop token included if one was produced. */
  tokens: number[][];
  /** log p(token) under the model for each new token. */
  logprobs: number[][];
  /** Whether the row ended on a stop token (false: hit the length limit). */
  stopped: boolean[];
}

/** Continue each prompt (token ids) and return the new tokens with their log-probs. */
export function generate(
  model: GPT,
  prompts: number[][],
  options: Partial<GenerateOptions> = {},
): Generation {
  const o = { ...GENERATE_DEFAULTS, ...options };
  const C = model.config.contextLength;
  if (prompts.length === 0) return { tokens: [], logprobs: [], stopped: [] };
  prompts.forEach((p, i) => {
    if (p.length === 0)
      throw new Error(`prompt ${i} is empty; give at least one token (e.g. the begin token)`);
    if (p.length >= C)
      throw new Error(
        `prompt ${i} has ${p.length} tokens but the context is ${C}; shorten it to at most ${C - 1} tokens`,
      );
  });
  const B = prompts.length;
  const L = Math.max(...prompts.map((p) => p.length));
  const maxNew = Math.min(o.maxNewTokens, C - L);
  const rng = new Rng(o.seed).fork("sample");
  const out: Generation = {
    tokens: prompts.map(() => []),
    logprobs: prompts.map(() => []),
    stopped: prompts.map(() => false),
  };
  const padded = leftPad(prompts, o.padId);
  const mask = padded.mask; // grows by one column per generated token
  const next = prompts.map((p) => p.length); // position of each row's next token

  let { logits, past } = prefill(model, padded.ids, padded.positions, mask);
  for (let i = 0; i < maxNew; i++) {
    const rows = logits.arraySync() as number[][];
    logits.dispose();
    const chosen = rows.map((row, b) => {
      if (out.stopped[b]) return o.padId;
      const tok = sampleToken(row, o, rng);
      out.tokens[b].push(tok);
      out.logprobs[b].push(logSoftmaxAt(row, tok));
      if (o.stopTokens.includes(tok)) out.stopped[b] = true;
      return tok;
    });
    if (out.stopped.every(Boolean) || i === maxNew - 1) break;
    mask.forEach((m, b) => m.push(out.stopped[b] && chosen[b] === o.padId ? 0 : 1));
    const step = decodeStep(model, chosen, next, mask, past);
    tf.dispose(past.flatMap((kv) => [kv.k, kv.v]));
    ({ logits, past } = step);
    next.forEach((_, b) => next[b]++);
  }
  tf.dispose(past.flatMap((kv) => [kv.k, kv.v]));
  return out;
}

/** Run the left-padded prompts once, keeping each layer's keys and values. */
function prefill(model: GPT, ids: number[][], positions: number[][], mask: number[][]) {
  return tf.tidy(() => {
    const { hidden, present } = model.trunk(tf.tensor2d(ids, undefined, "int32"), {
      positions: tf.tensor2d(positions, undefined, "int32"),
      keyMask: tf.tensor2d(mask),
    });
    return { logits: lastLogits(model, hidden), past: present };
  });
}

/** Feed one token per row through the cache. */
function decodeStep(model: GPT, tokens: number[], positions: number[], mask: number[][], past: LayerKV[]) {
  return tf.tidy(() => {
    const { hidden, present } = model.trunk(
      tf.tensor2d(
        tokens.map((t) => [t]),
        undefined,
        "int32",
      ),
      {
        positions: tf.tensor2d(
          positions.map((p) => [p]),
          undefined,
          "int32",
        ),
        keyMask: tf.tensor2d(mask),
        past,
      },
    );
    return { logits: lastLogits(model, hidden), past: present };
  });
}

function lastLogits(model: GPT, hidden: tf.Tensor3D): tf.Tensor2D {
  const [B, T, D] = hidden.shape;
  const last = tf.slice(hidden, [0, T - 1, 0], [B, 1, D]) as tf.Tensor3D;
  return tf.reshape(model.head(last), [B, model.config.vocabSize]);
}

/** log softmax(row)[i], computed stably in float64. */
export function logSoftmaxAt(row: ArrayLike<number>, i: number): number {
  let max = -Infinity;
  for (let j = 0; j < row.length; j++) if (row[j] > max) max = row[j];
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += Math.exp(row[j] - max);
  return row[i] - max - Math.log(sum);
}

/** Pick a token from one row of logits according to the sampling options. */
export function sampleToken(
  row: ArrayLike<number>,
  o: Pick<GenerateOptions, "temperature" | "topK" | "topP">,
  rng: Rng,
): number {
  if (o.temperature <= 0) return argmax(row);
  const order = Array.from({ length: row.length }, (_, j) => j).sort((a, b) => row[b] - row[a]);
  const keep = o.topK > 0 ? order.slice(0, o.topK) : order;
  const max = row[keep[0]];
  const probs = keep.map((j) => Math.exp((row[j] - max) / o.temperature));
  const total = probs.reduce((a, b) => a + b, 0);
  let n = probs.length;
  if (o.topP < 1) {
    let cum = 0;
    for (n = 0; n < probs.length && cum < o.topP * total; n++) cum += probs[n];
  }
  return keep[rng.categorical(probs.slice(0, Math.max(1, n)))];
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}
