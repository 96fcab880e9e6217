/**
 * Preference data as the trainers read it: one group per prompt, holding
 * the prompt's distinct responses as token rows, the pairs among them, and,
 * for KTO, a label per response. Grouping by prompt is InstructGPT's: every
 * pair of a prompt goes into one micro-batch and each response is scored
 * once for all its pairs.
 *
 * Three sources make groups: TRL's paired preference lines (`pairGroups`),
 * a ranking of a prompt's responses (`rankingGroup`), and TRL's unpaired
 * lines {"prompt", "completion", "label"} (`labelGroups`). Labels derived
 * from pairs (`netWinLabels`) let an unpaired method (KTO) learn from the
 * same rankings as the paired ones.
 */
import { tf } from "../backend";
import { Message, renderChat, renderPrompt } from "../chat/template";
import { stepIndices } from "./sft-batches";
import type { LabelRecord, PreferenceRecord } from "./sft-data";
import type { BpeTokenizer } from "../tokenizer/index";

/**
 * A response's label for an unpaired objective (KTO): desirable (+1),
 * undesirable (−1), or neither (0: left out of the loss).
 */
export type Label = 1 | -1 | 0;

/** One prompt's comparisons: its distinct responses as token rows and the pairs among them. */
export interface PairGroup {
  /** `prompt_id` of the pairs, or the prompt's text when they carry none. */
  id: string;
  /** Prompt + response (+ end token unless truncated), one row per distinct response. */
  sequences: number[][];
  /** [chosen, rejected] indices into `sequences`. */
  pairs: [number, number][];
  /** Tokens of the rendered prompt (up to <|assistant|>): where every response starts. */
  promptLength: number;
  /** file:line of the group's first pair (named in errors). */
  source: string;
  /** One label per sequence, for unpaired objectives (KTO); absent: derive them (`netWinLabels`). */
  labels?: Label[];
}

/** Prompt + answer as the RM reads it: the chat template, without the end token if the answer never ended. */
export function responseRow(
  tok: BpeTokenizer,
  prompt: readonly Message[],
  answer: readonly Message[],
  truncated: boolean,
): number[] {
  const ids = renderChat(tok, [...prompt, ...answer]).ids;
  if (truncated) ids.pop();
  return ids;
}

const tooLong = (source: string, n: number, ctx: number) =>
  `${source}: renders to ${n} tokens but the model's context is ${ctx}; ` +
  `shorten the prompt or response, or drop the pair (cutting it would score another text)`;

/** A group straight from a ranking: sequences in the order of `responses`, pairs from the ranking. */
export function rankingGroup(
  tok: BpeTokenizer,
  id: string,
  prompt: readonly Message[],
  responses: readonly { content: string; truncated: boolean }[],
  pairs: [number, number][],
  contextLength: number,
): PairGroup {
  const sequences = responses.map((r) =>
    responseRow(tok, prompt, [{ role: "assistant", content: r.content }], r.truncated),
  );
  const long = sequences.find((s) => s.length > contextLength);
  if (long) throw new Error(tooLong(`prompt ${id}`, long.length, contextLength));
  return { id, sequences, pairs, promptLength: renderPrompt(tok, prompt).length, source: `prompt ${id}` };
}

/**
 * Preference records → one group per prompt. Throws, naming file:line and
 * the fix, when a rendered pair is longer than the context (the score is
 * read at the end token, so cutting the response would score another text).
 */
export function pairGroups(
  tok: BpeTokenizer,
  records: readonly PreferenceRecord[],
  contextLength: number,
): PairGroup[] {
  const groups = new Map<string, PairGroup & { index: Map<string, number> }>();
  // One entry per pair, however many of its two responses are too long.
  const bad = new Map<string, string>();
  records.forEach((p, n) => {
    const source = p.source ?? `pair ${n + 1}`;
    const id = p.meta?.prompt_id ?? JSON.stringify(p.prompt);
    let g = groups.get(id);
    if (!g) {
      g = {
        id,
        sequences: [],
        pairs: [],
        promptLength: renderPrompt(tok, p.prompt).length,
        source,
        index: new Map(),
      };
      groups.set(id, g);
    }
    const row = (answer: PreferenceRecord["chosen"], truncated: boolean | undefined): number => {
      const ids = responseRow(tok, p.prompt, answer, truncated ?? false);
      const key = ids.join(",");
      const known = g!.index.get(key);
      if (known !== undefined) return known;
      if (ids.length > contextLength && !bad.has(source))
        bad.set(source, tooLong(source, ids.length, contextLength));
      g!.sequences.push(ids);
      g!.index.set(key, g!.sequences.length - 1);
      return g!.sequences.length - 1;
    };
    g.pairs.push([row(p.chosen, p.meta?.chosen_truncated), row(p.rejected, p.meta?.rejected_truncated)]);
  });
  if (bad.size)
    throw new Error(`${bad.size} preference pair(s) do not fit the model:\n${[...bad.values()].join("\n")}`);
  return [...groups.values()].map(({ index: _, ...g }) => g);
}

/**
 * Step `step`'s groups (a pure function of the step and seed), cut into
 * micro-batches of `microBatchSize` whole groups: every pair of a prompt
 * stays in one micro-batch.
 */
export function groupBatches<G>(
  groups: readonly G[],
  step: number,
  c: { batchSize: number; microBatchSize: number; seed: number },
): G[][] {
  const picked = stepIndices(groups.length, step, c.batchSize, c.seed).map((i) => groups[i]);
  const out: G[][] = [];
  for (let i = 0; i < picked.length; i += c.microBatchSize) out.push(picked.slice(i, i + c.microBatchSize));
  return out;
}

/** The number of pairs in some groups. */
export const pairCount = (groups: readonly PairGroup[]) => groups.reduce((n, g) => n + g.pairs.length, 0);

/**
 * KTO's labels from a group's pairs: a response is desirable when it wins
 * more of its pairs than it loses, undesirable when it loses more, and left
 * out when even. For the K(K−1)/2 pairs of a ranking of K responses this
 * labels the top ⌊K/2⌋ desirable and the bottom ⌊K/2⌋ undesirable (the
 * middle one of an odd K is left out): the raters' own order, with no
 * threshold to choose.
 */
export function netWinLabels(g: Pick<PairGroup, "sequences" | "pairs">): Label[] {
  const net = g.sequences.map(() => 0);
  for (const [c, r] of g.pairs) (net[c]++, net[r]--);
  return net.map((n) => (n > 0 ? 1 : n < 0 ? -1 : 0));
}

/** A group's labels: its own, or derived from its pairs. */
export const labelsOf = (g: PairGroup): Label[] => g.labels ?? netWinLabels(g);

/**
 * Unpaired records (TRL's {"prompt", "completion", "label"}) → one group per
 * prompt, each completion a sequence with its label. Every desirable ×
 * undesirable response of a prompt also forms a pair, so the pair metrics
 * (rewards/accuracies) mean what they mean for DPO.
 */
export function labelGroups(
  tok: BpeTokenizer,
  records: readonly LabelRecord[],
  contextLength: number,
): PairGroup[] {
  const groups = new Map<string, PairGroup & { labels: Label[] }>();
  const bad: string[] = [];
  records.forEach((r, n) => {
    const source = r.source ?? `line ${n + 1}`;
    const id = JSON.stringify(r.prompt);
    let g = groups.get(id);
    if (!g) {
      const promptLength = renderPrompt(tok, r.prompt).length;
      g = { id, sequences: [], pairs: [], labels: [], promptLength, source };
      groups.set(id, g);
    }
    const ids = responseRow(tok, r.prompt, r.completion, false);
    if (ids.length > contextLength) bad.push(tooLong(source, ids.length, contextLength));
    g.sequences.push(ids);
    g.labels.push(r.label ? 1 : -1);
  });
  if (bad.length)
    throw new Error(`${bad.length} labelled response(s) do not fit the model:\n${bad.join("\n")}`);
  for (const g of groups.values())
    g.labels.forEach((a, i) =>
      g.labels.forEach((b, j) => {
        if (a === 1 && b === -1) g.pairs.push([i, j]);
      }),
    );
  return [...groups.values()];
}

/** Rows to score: token ids and where each row's response starts. */
export interface Scorable {
  sequences: number[][];
  /** Tokens of the rendered prompt; every sequence's response starts there. */
  promptLength: number;
}

/**
 * `score(rows, starts)` of every group's sequences (no gradient), in chunks
 * of whole groups of about `rows` sequences; one number per sequence.
 */
export function mapGroupChunks(
  groups: readonly Scorable[],
  score: (rows: number[][], starts: number[]) => tf.Tensor1D,
  rows = 32,
): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < groups.length;) {
    const chunk: Scorable[] = [];
    let n = 0;
    while (i < groups.length && (chunk.length === 0 || n + groups[i].sequences.length <= rows)) {
      n += groups[i].sequences.length;
      chunk.push(groups[i++]);
    }
    const s = score(
      chunk.flatMap((g) => g.sequences),
      chunk.flatMap((g) => g.sequences.map(() => g.promptLength)),
    );
    const v = s.dataSync();
    s.dispose();
    let k = 0;
    for (const g of chunk) out.push(Array.from(v.subarray(k, (k += g.sequences.length))));
  }
  return out;
}
