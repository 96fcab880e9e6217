/**
 * Watching a model change during training: at each evaluation, answer a few
 * fixed prompts (kept as a per-step sample table), measure behaviour on a
 * small prompt set, and run the knowledge probe. A trainer's `evaluate` hook
 * calls it, so the numbers land in the run record's eval rows.
 */
import type { ClozeItem } from "../data/facts";
import type { GPT } from "../model/gpt";
import type { MetricRow, StepRow } from "../metrics";
import type { BpeTokenizer } from "../tokenizer/index";
import type { Behaviour } from "./behaviour";
import { rates, runPrompts } from "./evaluate";
import { clozeProbe } from "./probe";
import type { PromptItem } from "../data/tasks/jsonl";

/** One fixed prompt's response at one step. */
export interface SampleRow {
  step: number;
  task: string;
  prompt: string;
  response: string;
  behaviour: Behaviour;
  correct: boolean | null;
}

export interface MonitorOptions {
  /** Prompts answered at every evaluation and kept verbatim. */
  samples?: readonly PromptItem[];
  /** Prompts whose answer rate and exact match are logged (behaviour/*). */
  behaviour?: readonly PromptItem[];
  /** Facts for the knowledge probe (probe/cloze_accuracy). */
  cloze?: readonly ClozeItem[];
  maxNewTokens?: number;
  /** Rows of an interrupted run's monitor, to continue after a resume. */
  previous?: { samples: readonly SampleRow[]; history: readonly StepRow[] };
}

export interface Monitor {
  /** Evaluate now; returns the metrics row (for a trainer's `evaluate` hook). */
  evaluate(step: number): MetricRow;
  /** Every sample response so far, step by step. */
  readonly samples: SampleRow[];
  /** Every metrics row so far, including any taken before training (step 0). */
  readonly history: StepRow[];
}

export function trainingMonitor(model: GPT, tok: BpeTokenizer, o: MonitorOptions): Monitor {
  const samples: SampleRow[] = [...(o.previous?.samples ?? [])];
  const history: StepRow[] = [...(o.previous?.history ?? [])];
  const gen = { format: "chat" as const, maxNewTokens: o.maxNewTokens ?? 32 };
  return {
    samples,
    history,
    evaluate(step: number): MetricRow {
      const row: MetricRow = {};
      if (o.samples?.length) {
        for (const r of runPrompts(model, tok, o.samples, gen)) {
          samples.push({
            step,
            task: r.task,
            prompt: r.prompt,
            response: r.response,
            behaviour: r.behaviour,
            correct: r.correct,
          });
        }
      }
      if (o.behaviour?.length) {
        const s = rates(runPrompts(model, tok, o.behaviour, gen));
        row["behaviour/answer_rate"] = s.answer_rate;
        row["behaviour/continuation_rate"] = s.continuation_rate;
        if (s.exact_match !== null) row["behaviour/exact_match"] = s.exact_match;
      }
      if (o.cloze?.length) row["probe/cloze_accuracy"] = clozeProbe(model, tok, o.cloze).accuracy;
      history.push({ step, ...row });
      return row;
    },
  };
}
