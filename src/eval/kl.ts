/**
 * How far a tuned model has moved from a reference (usually the SFT model it
 * started from), measured where it matters: on its own samples. For each
 * prompt, N responses are sampled at temperature 1 with no truncation (so
 * they come from π itself, as the estimator needs), and each is scored with
 * the k1 estimator of the sequence-level KL(π ‖ π_ref):
 *
 *   kl(y) = Σ_t log π(y_t | x, y_<t) − log π_ref(y_t | x, y_<t)
 *
 * over the response's tokens, the end token included (stopping is a choice
 * the policy makes too). Its mean over samples is unbiased for the KL; single
 * samples can be negative. Both models' log-probs come from the same full
 * forward pass over prompt + response (`responseLogProbs`), so a model
 * against itself gives exactly 0.
 *
 * Used by `npm run eval -- --reference DIR --samples N`; notebooks can call
 * `sampledKl` directly.
 */
import type { GPT } from "../model/gpt";
import { generate } from "../model/generate";
import { responseLogProbs } from "../model/logprobs";
import { Rng } from "../random";
import type { BpeTokenizer } from "../tokenizer/index";

export interface SampleOptions {
  /** Responses per prompt. */
  samples: number;
  maxNewTokens: number;
  /** Seed of the sampling: same seed, prompts and batch, same samples. */
  seed: number;
  /** Rows (prompt × sample) per generation batch and per forward pass. */
  batch: number;
}

export const SAMPLE_DEFAULTS: Readonly<SampleOptions> = Object.freeze({
  samples: 4,
  maxNewTokens: 48,
  seed: 0,
  batch: 32,
});

/** One sampled response. */
export interface SampledResponse {
  /** Index of its prompt. */
  prompt: number;
  /** Which of the prompt's samples (0..samples−1). */
  sample: number;
  /** Response token ids, the end token included when it stopped. */
  tokens: number[];
  /** The response decoded, special tokens left out. */
  text: string;
  /** Whether it ended with end-of-sequence within the budget. */
  stopped: boolean;
}

export interface KlSample extends SampledResponse {
  /** k1: Σ_t log π(y_t) − log π_ref(y_t) over the response tokens, in nats. */
  kl: number;
}

/** The sampling seed of the batch starting at row `start`: a stream of its own per batch. */
const batchSeed = (seed: number, start: number) => new Rng(seed).fork(`sample/${start}`).seed;

/**
 * `samples` responses per prompt (token ids) from `model` at temperature 1,
 * no top-k or top-p, rows ordered prompt by prompt.
 */
export function sampleResponses(
  model: GPT,
  tok: BpeTokenizer,
  prompts: readonly number[][],
  options: Partial<SampleOptions> = {},
): SampledResponse[] {
  const o = { ...SAMPLE_DEFAULTS, ...options };
  const rows = prompts.flatMap((_, p) => Array.from({ length: o.samples }, (_, s) => ({ p, s })));
  const out: SampledResponse[] = [];
  for (let i = 0; i < rows.length; i += o.batch) {
    const part = rows.slice(i, i + o.batch);
    const g = generate(
      model,
      part.map((r) => prompts[r.p]),
      {
        maxNewTokens: o.maxNewTokens,
        temperature: 1,
        topK: 0,
        topP: 1,
        seed: batchSeed(o.seed, i),
        stopTokens: [tok.special.eos],
        padId: tok.special.pad,
      },
    );
    part.forEach((r, b) =>
      out.push({
        prompt: r.p,
        sample: r.s,
        tokens: g.tokens[b],
        text: tok.decode(g.tokens[b], { skipSpecial: true }),
        stopped: g.stopped[b],
      }),
    );
  }
  return out;
}

/** k1 of one sample from its per-token log-probs under the model and the reference. */
export function k1(logp: readonly number[], logpRef: readonly number[]): number {
  if (logp.length !== logpRef.length)
    throw new Error(`k1: ${logp.length} log-probs against ${logpRef.length} of the reference`);
  let kl = 0;
  for (let t = 0; t < logp.length; t++) kl += logp[t] - logpRef[t];
  return kl;
}

/**
 * Throws unless the two models predict over the same vocabulary (KL compares
 * distributions token by token). `names` say which is which in the message.
 */
export function checkSameVocabulary(
  model: GPT,
  reference: GPT,
  names: { model: string; reference: string } = { model: "the model", reference: "the reference model" },
): void {
  const [v, r] = [model.config.vocabSize, reference.config.vocabSize];
  if (v !== r)
    throw new Error(
      `${names.reference} has a vocabulary of ${r} tokens but ${names.model} has ${v}; ` +
        `KL needs both over the same tokens (compare models that share a tokenizer)`,
    );
}

/** Whether two tokenizers tokenize alike: same vocabulary and merges (their tokenizer.json). */
export const sameTokenizer = (a: BpeTokenizer, b: BpeTokenizer): boolean =>
  JSON.stringify(a.toJSON()) === JSON.stringify(b.toJSON());

/**
 * `samples` responses per prompt from `model` (see `sampleResponses`), each
 * with its k1 estimate of KL(model ‖ reference). `tok` must be both models'
 * tokenizer (the caller checks with `sameTokenizer`).
 */
export function sampledKl(
  model: GPT,
  reference: GPT,
  tok: BpeTokenizer,
  prompts: readonly number[][],
  options: Partial<SampleOptions> = {},
): KlSample[] {
  checkSameVocabulary(model, reference);
  const o = { ...SAMPLE_DEFAULTS, ...options };
  const responses = sampleResponses(model, tok, prompts, o);
  const rows = responses.map((r) => ({
    tokens: [...prompts[r.prompt], ...r.tokens],
    start: prompts[r.prompt].length,
  }));
  const C = reference.config.contextLength;
  const long = rows.findIndex((r) => r.tokens.length > C);
  if (long >= 0)
    throw new Error(
      `a sample of ${rows[long].tokens.length} tokens (prompt ${responses[long].prompt}) does not fit ` +
        `the reference model's context of ${C}; lower --max-new-tokens or shorten the prompts`,
    );
  // The same rows in the same chunks for both models: identical models give identical log-probs.
  const chunk = { pad: tok.special.pad, chunk: o.batch };
  const logp = responseLogProbs(model, rows, chunk);
  const logpRef = responseLogProbs(reference, rows, chunk);
  return responses.map((r, i) => ({ ...r, kl: k1(logp[i], logpRef[i]) }));
}

/**
 * Per-prompt means of a per-sample value, prompts in order. Intervals are
 * taken over these: samples of one prompt are correlated, prompts are the
 * independent units, so treating every sample as one would understate the width.
 */
export function perPromptMeans<S extends { prompt: number }>(
  samples: readonly S[],
  value: (s: S) => number,
): number[] {
  const sums = new Map<number, { total: number; n: number }>();
  for (const s of samples) {
    const acc = sums.get(s.prompt) ?? { total: 0, n: 0 };
    acc.total += value(s);
    acc.n++;
    sums.set(s.prompt, acc);
  }
  return [...sums.keys()].sort((a, b) => a - b).map((p) => sums.get(p)!.total / sums.get(p)!.n);
}
