/**
 * Put prompts to a model and measure its behaviour: answer / continuation /
 * other rates, and exact match where a reference exists, overall and per task.
 * The same function serves the eval CLI, the notebooks and the tests.
 */
import { renderPrompt, renderRaw } from "../chat/template";
import { AnsweredItem, checkPromptItem } from "../data/tasks/eval-sets";
import { generate } from "../model/generate";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { Behaviour, classify, Cue } from "./behaviour";
import type { PromptItem } from "../data/tasks/jsonl";
import { RequestKind, readWorld, requestKind } from "../data/world";

/** "raw": plain text after a document boundary; "chat": the chat template. */
export const PROMPT_FORMATS = ["chat", "raw"] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];

export interface EvalOptions {
  /** "raw": plain text after a document boundary (how a base model is prompted); "chat": the chat template. */
  format: PromptFormat;
  /** Generation budget; an answer must end within it. */
  maxNewTokens: number;
  batchSize: number;
  /** Sampling temperature (0 = greedy, the default for evaluation). */
  temperature: number;
  seed: number;
}

export const EVAL_DEFAULTS: Readonly<EvalOptions> = Object.freeze({
  format: "chat",
  maxNewTokens: 48,
  batchSize: 32,
  temperature: 0,
  seed: 0,
});

export interface ItemResult {
  task: string;
  prompt: string;
  response: string;
  stopped: boolean;
  behaviour: Behaviour;
  cue: Cue;
  /** What the request asks for, read from its last user turn (src/data/world.ts). */
  kind: RequestKind;
  /** null when the item has no reference answer. */
  correct: boolean | null;
  answer?: string;
}

export interface RateSummary {
  n: number;
  answer_rate: number;
  continuation_rate: number;
  /** Responses that decline ("I can't help with that."): right for harmful requests only. */
  refusal_rate: number;
  /** Responses that say they do not know: right for requests about unknown words. */
  abstain_rate: number;
  other_rate: number;
  /** null when no item has a reference answer. */
  exact_match: number | null;
}

export interface EvalSummary extends RateSummary {
  by_task: Record<string, RateSummary>;
  /** The same rates per request kind (harmful, benign, unknown), kinds in first-seen order. */
  by_kind: Record<string, RateSummary>;
}

/** Token ids of the prompt in the chosen format. */
export function promptIds(tok: BpeTokenizer, item: PromptItem, format: PromptFormat): number[] {
  return format === "chat" ? renderPrompt(tok, item.messages) : renderRaw(tok, item.messages);
}

/**
 * Every prompt must leave room for at least one response token; a prompt
 * that does not is named by file:line (or its 1-based position), all at once.
 */
export function checkPromptLengths(
  tok: BpeTokenizer,
  items: readonly PromptItem[],
  format: PromptFormat,
  contextLength: number,
): void {
  const bad = items.flatMap((it, i) => {
    const n = promptIds(tok, it, format).length;
    return n >= contextLength ? [`${it.source ?? `prompt ${i + 1}`}: ${n} tokens`] : [];
  });
  if (bad.length)
    throw new Error(
      `${bad.length} prompt(s) leave no room for a response in the model's ${contextLength}-token context; ` +
        `shorten them:\n${bad.join("\n")}`,
    );
}

/** Generate for every item and classify the responses. */
export function runPrompts(
  model: GPT,
  tok: BpeTokenizer,
  items: readonly PromptItem[],
  options: Partial<EvalOptions> = {},
): ItemResult[] {
  const o = { ...EVAL_DEFAULTS, ...options };
  const world = readWorld();
  checkPromptLengths(tok, items, o.format, model.config.contextLength);
  const out: ItemResult[] = [];
  for (let i = 0; i < items.length; i += o.batchSize) {
    const batch = items.slice(i, i + o.batchSize);
    const g = generate(
      model,
      batch.map((it) => promptIds(tok, it, o.format)),
      {
        maxNewTokens: o.maxNewTokens,
        temperature: o.temperature,
        seed: o.seed + i,
        stopTokens: [tok.special.eos],
        padId: tok.special.pad,
      },
    );
    batch.forEach((it, b) => {
      const prompt = it.messages.map((m) => m.content).join("\n\n");
      const response = tok.decode(g.tokens[b], { skipSpecial: true });
      const { behaviour, cue } = classify({ prompt, response, stopped: g.stopped[b] });
      const users = it.messages.filter((m) => m.role === "user");
      out.push({
        task: it.task ?? "untagged",
        prompt,
        response,
        stopped: g.stopped[b],
        behaviour,
        cue,
        kind: requestKind(users[users.length - 1]?.content ?? "", world),
        answer: it.answer,
        correct: score(it, response),
      });
    });
  }
  return out;
}

/**
 * Correctness of a response: by the task's own checker when the item names a
 * registered task and carries its inputs (uppercase, lists, JSON, constraints),
 * else by exact match of the first line against the reference
 * (`checkPromptItem`); null without one.
 */
export function score(it: PromptItem, response: string): boolean | null {
  return it.answer === undefined ? null : checkPromptItem(it as AnsweredItem, response).correct;
}

/** Behaviour shares and exact match of a group of results. */
export function rates(rs: readonly ItemResult[]): RateSummary {
  const n = rs.length;
  const share = (b: Behaviour) => rs.filter((r) => r.behaviour === b).length / Math.max(1, n);
  const scored = rs.filter((r) => r.correct !== null);
  return {
    n,
    answer_rate: share("answer"),
    continuation_rate: share("continuation"),
    refusal_rate: share("refusal"),
    abstain_rate: share("abstention"),
    other_rate: share("other"),
    exact_match: scored.length ? scored.filter((r) => r.correct).length / scored.length : null,
  };
}

/** Rates per group, groups in first-seen order. */
export function ratesBy(
  results: readonly ItemResult[],
  key: (r: ItemResult) => string,
): Record<string, RateSummary> {
  const groups = new Map<string, ItemResult[]>();
  for (const r of results) {
    const k = key(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return Object.fromEntries([...groups].map(([k, rs]) => [k, rates(rs)]));
}

/** Overall and per-task rates. */
export function summarise(results: readonly ItemResult[]): EvalSummary {
  return {
    ...rates(results),
    by_task: ratesBy(results, (r) => r.task),
    by_kind: ratesBy(results, (r) => r.kind),
  };
}

/** runPrompts + summarise. */
export function evaluate(
  model: GPT,
  tok: BpeTokenizer,
  items: readonly PromptItem[],
  options: Partial<EvalOptions> = {},
): { results: ItemResult[]; summary: EvalSummary } {
  const results = runPrompts(model, tok, items, options);
  return { results, summary: summarise(results) };
}

/** One line of text, at most `width` characters: newlines as ⏎, the cut marked with … (at the start with `tail`). */
function clip(text: string, width: number, tail = false): string {
  const one = text.replace(/\n/g, " ⏎ ");
  if (one.length <= width) return one;
  return tail ? `…${one.slice(-(width - 1))}` : `${one.slice(0, width - 1)}…`;
}

/**
 * A plain-text table of the first `n` results: the task and request kind,
 * the request (its end), the response, its behaviour and whether it is correct (✓, ✗, or – without a
 * reference answer). What `npm run eval -- --show N` prints.
 */
export function resultsTable(
  results: readonly ItemResult[],
  n: number,
  width = { prompt: 40, response: 50 },
): string {
  const rows = results
    .slice(0, n)
    .map((r, i) => [
      String(i + 1),
      r.task,
      r.kind,
      clip(r.prompt, width.prompt, true),
      clip(r.response, width.response),
      r.behaviour,
      r.correct === null ? "–" : r.correct ? "✓" : "✗",
      r.answer ?? "",
    ]);
  const head = ["#", "task", "kind", "request", "response", "behaviour", "ok", "answer"];
  const w = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => c.padEnd(w[j]))
      .join("  ")
      .trimEnd();
  return [line(head), ...rows.map(line)].join("\n") + "\n";
}

/** Every result as one JSON object per line (what `npm run eval -- --out FILE.jsonl` writes). */
export function resultsJsonl(results: readonly ItemResult[]): string {
  return results.map((r) => JSON.stringify(r)).join("\n") + (results.length ? "\n" : "");
}
