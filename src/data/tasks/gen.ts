/**
 * Small generator helpers shared by the tasks: drawing facts and words from
 * the context's pool, and stating a fact the way the corpus does.
 */
import type { Fact } from "../facts";
import { QuestionTemplate, RELATION_PHRASING, Relation, render } from "../phrasing";
import type { Rng } from "../../random";
import type { GenContext, Template } from "./types";

/** Facts of the pool, optionally of some relations; throws if there are none to draw from. */
export function poolFacts(ctx: GenContext, relations?: readonly Relation[]): Fact[] {
  const facts = ctx.headwords
    .flatMap((h) => h.facts)
    .filter((f) => !relations || relations.includes(f.relation));
  if (facts.length === 0) {
    throw new Error(
      `no ${relations ? relations.join("/") + " " : ""}facts in the word pool (${ctx.headwords.length} headwords); pass more headwords`,
    );
  }
  return facts;
}

/** The pool's headwords as plain words. */
export function poolWords(ctx: GenContext): string[] {
  if (ctx.headwords.length === 0)
    throw new Error("the word pool is empty; pass headwords (readFactsFile().headwords)");
  return ctx.headwords.map((h) => h.word);
}

/** `n` distinct elements of `xs` (fewer if `xs` is smaller), in drawn order. */
export function pickDistinct<T>(rng: Rng, xs: readonly T[], n: number): T[] {
  return rng.shuffle(xs).slice(0, Math.min(n, xs.length));
}

/** `n` facts about `n` different headwords. */
export function distinctFacts(rng: Rng, ctx: GenContext, n: number, relations?: readonly Relation[]): Fact[] {
  const out: Fact[] = [];
  for (const f of rng.shuffle(poolFacts(ctx, relations))) {
    if (!out.some((g) => g.word === f.word || g.answer === f.word || g.word === f.answer)) out.push(f);
    if (out.length === n) return out;
  }
  throw new Error(`the word pool has fewer than ${n} unrelated facts; pass more headwords`);
}

/** The fact stated in one of the corpus's phrasings (index wraps). */
export function statement(f: Fact, index: number): string {
  const s = RELATION_PHRASING[f.relation].statements;
  return render(s[index % s.length], { word: f.word, answer: f.answer });
}

/** A fact stated in a random corpus phrasing. */
export function randomStatement(rng: Rng, f: Fact): string {
  return statement(f, rng.int(0, RELATION_PHRASING[f.relation].statements.length));
}

/** "The opposite of hot is cold" → "the opposite of hot is cold" (headwords are lowercase already). */
export const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
export const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
export const dropPeriod = (s: string) => s.replace(/\.$/, "");

/** The phrasing table's questions as task templates, marks kept (corpus/heldout). */
export function fromPhrasing(questions: readonly QuestionTemplate[]): Template[] {
  return questions.map((q) => ({ text: q.text, form: q.form, use: q.use }));
}

/** Template shorthands: held-in by default, `h` marks a held-out phrasing. */
export const T = {
  imp: (text: string): Template => ({ text, form: "imperative" }),
  q: (text: string): Template => ({ text, form: "question" }),
  inv: (text: string): Template => ({ text, form: "inverted" }),
  held: (t: Template): Template => ({ ...t, use: "heldout" }),
};
