/**
 * Knowledge probe: cloze completion of the corpus's facts
 * ("The opposite of hot is" → " cold"), greedy, at the start of a document;
 * with `probeItems` also gloss → word and the unstated reverse of the
 * one-way relation, reported apart (`byDirection`).
 * It measures what the model *knows*, independent of whether it *answers*:
 * notebook 01 shows it beside the answer rate.
 */
import { ClozeItem, Headword, ProbeRelation, probeItems } from "../data/facts";
import { generate } from "../model/generate";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { Rate, wilson } from "./stats";

export interface ClozeOutcome {
  word: string;
  relation: ProbeRelation;
  direction: ClozeItem["direction"];
  stated: boolean;
  split: "train" | "heldout";
  prompt: string;
  expected: string;
  /** What the model wrote (a few tokens). */
  completion: string;
  correct: boolean;
}

export interface ProbeResult {
  /**
   * Share of the stated facts (the three relations, each direction the corpus
   * states) completed with an accepted answer: the probe's headline.
   */
  accuracy: number;
  /** Of the stated facts, per relation and per split. */
  byRelation: Record<string, number>;
  bySplit: Record<string, number>;
  /**
   * Every item, by "relation direction" ("antonym forward", "category
   * reverse", "definition reverse"), stated or not: the reversal table.
   */
  byDirection: Record<string, number>;
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

/**
 * Tokens the probe lets the model write for `items`: room for the longest
 * accepted answer and a following token, at least 4. A fixed budget would
 * cut a word the tokenizer spells in many pieces ("zootoxin" is five) and
 * score a model that knows it as wrong.
 */
export function answerBudget(tok: BpeTokenizer, items: readonly ClozeItem[]): number {
  const longest = Math.max(
    0,
    ...items.flatMap((it) =>
      [it.answer, ...it.accepted.map((a) => ` ${a}`)].map((a) => tok.encode(a).length),
    ),
  );
  return Math.max(4, longest + 1);
}

/** Run the probe: greedy, `maxNewTokens` tokens (default: `answerBudget`) after `<|eos|>` + prompt. */
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
      maxNewTokens: opts.maxNewTokens ?? answerBudget(tok, batch),
      stopTokens: [tok.special.eos],
      padId: tok.special.pad,
    });
    batch.forEach((it, b) => {
      const completion = tok.decode(g.tokens[b], { skipSpecial: true });
      const word = firstWord(completion);
      outcomes.push({
        word: it.word,
        relation: it.relation,
        direction: it.direction,
        stated: it.stated,
        split: it.split,
        prompt: it.prompt,
        expected: it.answer,
        completion,
        correct: word === it.answer.trim() || it.accepted.includes(word),
      });
    });
  }
  const facts = outcomes.filter((o) => o.stated && o.relation !== "definition");
  const accuracy = facts.filter((o) => o.correct).length / Math.max(1, facts.length);
  return {
    accuracy,
    byRelation: rate(facts, (o) => o.relation),
    bySplit: rate(facts, (o) => o.split),
    byDirection: rate(outcomes, (o) => `${o.relation} ${o.direction}`),
    outcomes,
  };
}

/** One row of the reversal table: a relation in one direction, with its interval. */
export interface DirectionRow extends Rate {
  relation: ProbeRelation;
  direction: ClozeItem["direction"];
  /** Whether the corpus states facts this way round. */
  stated: boolean;
}

/**
 * The probe by relation and direction, with Wilson intervals: where a
 * stated direction meets an unstated one (the one-way relation's reverse)
 * the table shows the reversal curse, or its absence.
 */
export function directionTable(p: ProbeResult): DirectionRow[] {
  const groups = new Map<string, ClozeOutcome[]>();
  for (const o of p.outcomes) {
    const key = `${o.relation} ${o.direction}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  return [...groups.values()].map((os) => ({
    relation: os[0].relation,
    direction: os[0].direction,
    stated: os[0].stated,
    ...wilson(os.filter((o) => o.correct).length, os.length),
  }));
}

/** A word group's stated facts probed: the share right with its Wilson interval, by split too. */
export interface GroupProbe extends Rate {
  bySplit: Record<string, number>;
}

/**
 * The stated-fact cloze probe per word group (everyday headwords, look-alikes,
 * hazards: src/data/world.ts): does the base model know what each hazard is,
 * as well as it knows a hot or a dog? The HHH world's target is ≥ 85 % for
 * every group.
 */
export function probeByGroup(
  model: GPT,
  tok: BpeTokenizer,
  groups: Readonly<Record<string, readonly Headword[]>>,
): Record<string, GroupProbe> {
  return Object.fromEntries(
    Object.entries(groups).map(([g, hs]) => {
      const items = probeItems(hs).filter((i) => i.stated && i.relation !== "definition");
      const p = clozeProbe(model, tok, items);
      const right = p.outcomes.filter((o) => o.correct).length;
      return [g, { ...wilson(right, items.length), bySplit: p.bySplit }];
    }),
  );
}
