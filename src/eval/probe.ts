/**
 * Knowledge probe: cloze completion of the corpus's facts
 * ("The opposite of hot is" → " cold"), greedy, at the start of a document.
 * It measures what the model *knows*, independent of whether it *answers*:
 * notebook 01 shows it beside the answer rate.
 */
import type { ClozeItem, Relation } from "../data/facts";
import { generate } from "../model/generate";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";

export interface ClozeOutcome {
  word: string;
  relation: Relation;
  split: "train" | "heldout";
  prompt: string;
  expected: string;
  /** What the model wrote (a few tokens). */
  completion: string;
  correct: boolean;
}

export interface ProbeResult {
  /** Share of facts completed with an accepted answer. */
  accuracy: number;
  byRelation: Record<string, number>;
  bySplit: Record<string, number>;
  outcomes: ClozeOutcome[];
}

/** First word of a completion, lower-cased ("  Cold." → "cold"). */
export function firstWord(text: string): string {
  const m = /^\s*([A-Za-z]+)/.exec(text);
  return m ? m[1].toLowerCase() : "";
}

function rate(outcomes: ClozeOutcome[], key: (o: ClozeOutcome) => string): Record<string, number> {
  const groups = new Map<string, ClozeOutcome[]>();
  for (const o of outcomes) groups.set(key(o), [...(groups.get(key(o)) ?? []), o]);
  return Object.fromEntries(
    [...groups].map(([k, os]) => [k, os.filter((o) => o.correct).length / os.length]),
  );
}

/** Run the probe: greedy, `maxNewTokens` tokens after `<|eos|>` + prompt. */
export function clozeProbe(
  model: GPT,
  tok: BpeTokenizer,
  items: readonly ClozeItem[],
  opts: { batchSize?: number; maxNewTokens?: number } = {},
): ProbeResult {
  const batchSize = opts.batchSize ?? 64;
  const outcomes: ClozeOutcome[] = [];
  for (let i = 0; i < items.length; i += batchSize) {
    const batch = items.slice(i, i + batchSize);
    const prompts = batch.map((it) => [tok.special.eos, ...tok.encode(it.prompt)]);
    const g = generate(model, prompts, {
      maxNewTokens: opts.maxNewTokens ?? 4,
      stopTokens: [tok.special.eos],
      padId: tok.special.pad,
    });
    batch.forEach((it, b) => {
      const completion = tok.decode(g.tokens[b], { skipSpecial: true });
      const word = firstWord(completion);
      outcomes.push({
        word: it.word,
        relation: it.relation,
        split: it.split,
        prompt: it.prompt,
        expected: it.answer,
        completion,
        correct: word === it.answer.trim() || it.accepted.includes(word),
      });
    });
  }
  const accuracy = outcomes.filter((o) => o.correct).length / Math.max(1, outcomes.length);
  return {
    accuracy,
    byRelation: rate(outcomes, (o) => o.relation),
    bySplit: rate(outcomes, (o) => o.split),
    outcomes,
  };
}
