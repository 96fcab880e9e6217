/**
 * Prompting a base model in different styles (zero-shot, few-shot k, "Q: … A:",
 * an "Answer:" suffix) and measuring the behaviour of each, as in the GPT-3
 * paper's zero/one/few-shot comparison (Brown et al., 2020).
 */
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { EvalOptions, ItemResult, promptIds, runPrompts, summarise } from "./evaluate";
import type { PromptItem } from "../data/tasks/jsonl";
import { PromptStyle, styled } from "./prompts";

/** One row per style (and task): the rates notebook 01 plots. */
export interface StyleRow {
  style: PromptStyle;
  task: string;
  n: number;
  answer_rate: number;
  continuation_rate: number;
  other_rate: number;
  exact_match: number | null;
  /** Prompts left out because prompt + budget exceed the context. */
  skipped: number;
}

/** Split items into those whose prompt leaves `room` tokens of context, and the rest. */
export function fitContext(
  tok: BpeTokenizer,
  items: readonly PromptItem[],
  format: EvalOptions["format"],
  contextLength: number,
  room: number,
) {
  const kept: PromptItem[] = [];
  const dropped: PromptItem[] = [];
  for (const it of items)
    (promptIds(tok, it, format).length + room <= contextLength ? kept : dropped).push(it);
  return { kept, dropped };
}

/** Fewest new tokens a prompt must leave room for; longer prompts are skipped (and counted). */
export const MIN_ROOM = 12;

/**
 * Evaluate `items` under each style. Few-shot demos come from `demos` (solved
 * items of the same task, never the item itself). A long prompt gets the room
 * the context has left (at most `maxNewTokens`); prompts leaving fewer than
 * MIN_ROOM tokens are skipped and counted in `skipped`, never silently.
 */
export function compareStyles(
  model: GPT,
  tok: BpeTokenizer,
  items: readonly PromptItem[],
  demos: readonly PromptItem[],
  styles: readonly PromptStyle[],
  options: Partial<EvalOptions> = {},
): { rows: StyleRow[]; results: Map<PromptStyle, ItemResult[]> } {
  const format = options.format ?? "raw";
  const budget = options.maxNewTokens ?? 32;
  const rows: StyleRow[] = [];
  const results = new Map<PromptStyle, ItemResult[]>();
  for (const style of styles) {
    const { kept, dropped } = fitContext(
      tok,
      items.map((it) => styled(it, style, demos)),
      format,
      model.config.contextLength,
      Math.min(budget, MIN_ROOM),
    );
    const rs = runPrompts(model, tok, kept, { ...options, format, maxNewTokens: budget });
    results.set(style, rs);
    const s = summarise(rs);
    rows.push({ style, task: "all", ...pick(s), skipped: dropped.length });
    // Every task of the input gets a row, also one whose prompts were all skipped (n = 0).
    for (const task of [...new Set(items.map((it) => it.task ?? "untagged"))]) {
      const t = s.by_task[task] ?? {
        n: 0,
        answer_rate: 0,
        continuation_rate: 0,
        other_rate: 0,
        exact_match: null,
      };
      rows.push({
        style,
        task,
        ...pick(t),
        skipped: dropped.filter((d) => (d.task ?? "untagged") === task).length,
      });
    }
  }
  return { rows, results };
}

function pick(s: {
  n: number;
  answer_rate: number;
  continuation_rate: number;
  other_rate: number;
  exact_match: number | null;
}) {
  return {
    n: s.n,
    answer_rate: s.answer_rate,
    continuation_rate: s.continuation_rate,
    other_rate: s.other_rate,
    exact_match: s.exact_match,
  };
}
