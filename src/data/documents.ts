/**
 * One small generator per document kind. Each takes a {@link DocContext}
 * (randomness plus the facts) and returns one raw-text document: no chat
 * format, no special tokens. Quiz, forum and instruction documents ask
 * questions and never answer them, so a base model learns to continue a
 * question with another question (a completer, not an answerer).
 */
import { Rng } from "../random";
import {
  DEFINITION_PHRASING,
  Fact,
  Headword,
  RELATION_PHRASING,
  SKILLS,
  Skill,
  questionsFor,
  render,
} from "./facts";
import { SkillInstance, skillInstance, workedExample } from "./skills";

/** Draws items in shuffled passes, so every item comes up once per pass. */
export class Deck<T> {
  private order: T[] = [];
  constructor(
    private readonly items: readonly T[],
    private readonly rng: Rng,
  ) {
    if (items.length === 0) throw new Error("Deck: no items");
  }
  next(): T {
    if (this.order.length === 0) this.order = this.rng.shuffle(this.items);
    return this.order.pop()!;
  }
}

/** What a generator may draw on. */
export interface DocContext {
  rng: Rng;
  facts: readonly Fact[];
  /** Words for skills, user names and so on (the headwords). */
  vocab: readonly string[];
  /** Next fact for prose; a deck, so facts get equal exposure. */
  nextFact(): Fact;
  /** Next headword for dictionary entries (also a deck). */
  nextHeadword(): Headword;
  /** Next headword whose gloss fact prose states gloss-first (a deck of its own). */
  nextDefinition(): Headword;
}

/** A document generator. */
export type DocGenerator = (ctx: DocContext) => string;

const POS_LABEL = { noun: "noun", verb: "verb", adj: "adjective", adv: "adverb" } as const;

const between = (rng: Rng, lo: number, hi: number) => rng.int(lo, hi + 1);
const times = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);

/** A fact stated with a random prose template. */
export function factStatement(f: Fact, rng: Rng): string {
  return render(rng.pick(RELATION_PHRASING[f.relation].statements), { word: f.word, answer: f.answer });
}

/** A question (or instruction) about a fact or a skill, from corpus templates only. */
interface Asked {
  text: string;
  answer: string;
}

function askFact(rng: Rng, f: Fact, form?: "imperative"): Asked {
  const ts = questionsFor(f.relation, "corpus").filter((t) => !form || t.form === form);
  return { text: render(rng.pick(ts).text, { word: f.word }), answer: f.answer };
}

function askSkill(rng: Rng, inst: SkillInstance, form?: "imperative"): Asked {
  const ts = questionsFor(inst.skill, "corpus").filter((t) => !form || t.form === form);
  return { text: render(rng.pick(ts).text, inst.vars), answer: inst.answer };
}

/** A random question: about two thirds facts, one third skills. */
function askAny(ctx: DocContext, form?: "imperative"): Asked {
  const { rng } = ctx;
  if (rng.random() < 0.65) return askFact(rng, rng.pick(ctx.facts), form);
  return askSkill(rng, skillInstance(rng.pick(SKILLS), rng, ctx.vocab), form);
}

/** A gloss stated before its word ("The word for a human being is person."). */
export function definitionStatement(h: Headword, rng: Rng): string {
  return render(rng.pick(DEFINITION_PHRASING.statements), { gloss: h.gloss, word: h.word });
}

/**
 * Share of fact-prose sentences that state a gloss → word definition rather
 * than a relation: about one headword in three of the stated facts, so each
 * gloss comes up about as often as each relation fact.
 */
export const DEFINITION_SHARE = 0.25;

/** Fact prose: 3–7 sentences, each a fact or (gloss-first) a definition. */
export const factProse: DocGenerator = (ctx) =>
  times(between(ctx.rng, 3, 7), () =>
    ctx.rng.random() < DEFINITION_SHARE
      ? definitionStatement(ctx.nextDefinition(), ctx.rng)
      : factStatement(ctx.nextFact(), ctx.rng),
  ).join(" ");

const HEAD_FORMS = ["{word} ({pos})", "{word}, {pos}", "Word: {word} ({pos})", "{word} [{pos}]"];
const MEANING_LABELS = ["Meaning", "Definition", "Sense"];

/** One entry: gloss, sometimes the example, and the relations in random order. */
function dictionaryEntry(h: Headword, rng: Rng): string {
  const lines = [
    render(rng.pick(HEAD_FORMS), { word: h.word, pos: POS_LABEL[h.pos] }),
    `${rng.pick(MEANING_LABELS)}: ${h.gloss}.`,
  ];
  if (h.example && rng.random() < 0.7) lines.push(`Example: "${h.example}"`);
  // The answer follows "Label: ", so it is the same " cold" token as in prose.
  for (const f of rng.shuffle(h.facts))
    lines.push(`${rng.pick(RELATION_PHRASING[f.relation].labels)}: ${f.answer}`);
  return lines.join("\n");
}

/** Dictionary entries: 1–2 headwords. Labels and order vary, so entries rarely repeat. */
export const dictionary: DocGenerator = (ctx) =>
  times(between(ctx.rng, 1, 2), () => dictionaryEntry(ctx.nextHeadword(), ctx.rng)).join("\n\n");

const WORKED_TITLES = ["Worked examples", "Practice problems with solutions", "Examples", "How to do it"];

/** Worked examples in prose: 2–4 problems of one or several skills. */
export const workedExamples: DocGenerator = (ctx) => {
  const { rng } = ctx;
  const one: Skill | undefined = rng.random() < 0.5 ? rng.pick(SKILLS) : undefined;
  const body = times(between(rng, 2, 4), () =>
    workedExample(skillInstance(one ?? rng.pick(SKILLS), rng, ctx.vocab), rng),
  );
  return rng.random() < 0.3 ? `${rng.pick(WORKED_TITLES)}\n${body.join("\n")}` : body.join(" ");
};

/** Header lines a quiz may start with (exported for tests). */
export const QUIZ_HEADERS = [
  "Quiz",
  "Worksheet",
  "Exam questions",
  "Homework",
  "Review questions",
  "Test yourself",
  "Practice test",
];
export const QUIZ_INSTRUCTIONS = [
  "Answer the following questions.",
  "Answer each question in one word.",
  "Write your answers on a separate sheet.",
  "",
];

/** A quiz sheet: numbered questions and no answers. */
export const quiz: DocGenerator = (ctx) => {
  const { rng } = ctx;
  const head = `${rng.pick(QUIZ_HEADERS)} ${between(rng, 1, 30)}`;
  const intro = rng.pick(QUIZ_INSTRUCTIONS);
  const qs = times(between(rng, 4, 8), () => askAny(ctx).text).map((t, i) => `${i + 1}. ${t}`);
  return [head, ...(intro ? [intro] : []), ...qs].join("\n");
};

const FORUM_SUBJECTS = [
  "Need help with homework",
  "Quick question",
  "Word questions",
  "Help please",
  "Questions from class",
  "Stuck on these",
];
const FORUM_OPENINGS = ["Hi everyone.", "Hello all.", "Hey!", "Hi.", "Good evening."];
const FORUM_LEADS = [
  "I have a few questions from my class.",
  "My teacher gave us these and I am not sure.",
  "Can someone help me with this?",
  "I am studying for a test.",
];
const FORUM_CLOSINGS = ["Thanks!", "Thank you in advance.", "Any help is welcome.", "Thanks a lot."];
const FORUM_REPLIES = [
  "I have the same question.",
  "Me too, and also this one.",
  "Good questions. I would also like to know:",
];

/** A forum post (and sometimes a reply) asking questions, none answered. */
export const forum: DocGenerator = (ctx) => {
  const { rng } = ctx;
  const user = () => `${rng.pick(ctx.vocab)}${between(rng, 1, 99)}`;
  const qs = times(between(rng, 1, 3), () => askAny(ctx).text).join(" ");
  const post = `${rng.pick(FORUM_OPENINGS)} ${rng.pick(FORUM_LEADS)} ${qs} ${rng.pick(FORUM_CLOSINGS)}`;
  const lines = [`Subject: ${rng.pick(FORUM_SUBJECTS)}`, `Posted by ${user()}`, post];
  if (rng.random() < 0.4) lines.push(`Reply from ${user()}: ${rng.pick(FORUM_REPLIES)} ${askAny(ctx).text}`);
  return lines.join("\n");
};

const INSTRUCTION_TITLES = [
  "Instructions:",
  "Do the following tasks.",
  "Homework for Monday",
  "Tasks for today:",
  "Steps to follow:",
];

/** A numbered list of instructions (imperative task templates). */
export const instructions: DocGenerator = (ctx) => {
  const { rng } = ctx;
  const steps = times(between(rng, 3, 6), () => askAny(ctx, "imperative").text).map(
    (t, i) => `${i + 1}. ${t}`,
  );
  return [rng.pick(INSTRUCTION_TITLES), ...steps].join("\n");
};

const KEY_TITLES = ["Answer key", "Answers", "Solutions", "Q and A"];

/** An answer key: "Q: …" / "A: …" pairs; the answer follows "A:" and a space. */
export const answerKey: DocGenerator = (ctx) => {
  const { rng } = ctx;
  const pairs = times(between(rng, 2, 5), () => askAny(ctx)).map((a) => `Q: ${a.text}\nA: ${a.answer}`);
  return rng.random() < 0.5 ? `${rng.pick(KEY_TITLES)}\n${pairs.join("\n")}` : pairs.join("\n");
};
