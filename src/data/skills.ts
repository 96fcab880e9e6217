/**
 * Algorithmic skills for worked-example documents: reverse a word, add two
 * numbers 0–99, sort 3–4 words, count letters, uppercase a word. Each
 * instance is generated on the fly from an `Rng` and the headword
 * vocabulary; the corpus states them as prose, quiz documents ask them.
 */
import { Rng } from "../random";
import { SKILL_PHRASING, Skill, render } from "./phrasing";

/** One skill problem: the template variables and the answer. */
export interface SkillInstance {
  skill: Skill;
  vars: Record<string, string | number>;
  answer: string;
}

/** Distinct words drawn from `vocab`. */
function distinct(rng: Rng, vocab: readonly string[], n: number): string[] {
  const out = new Set<string>();
  while (out.size < Math.min(n, vocab.length)) out.add(rng.pick(vocab));
  return Array.from(out);
}

/** Draws one problem of `skill` over the words in `vocab`. */
export function skillInstance(skill: Skill, rng: Rng, vocab: readonly string[]): SkillInstance {
  const word = rng.pick(vocab);
  switch (skill) {
    case "reverse":
      return { skill, vars: { word }, answer: word.split("").reverse().join("") };
    case "count":
      return { skill, vars: { word }, answer: String(word.length) };
    case "upper":
      return { skill, vars: { word }, answer: word.toUpperCase() };
    case "add": {
      const a = rng.int(0, 100),
        b = rng.int(0, 100);
      return { skill, vars: { a, b }, answer: String(a + b) };
    }
    case "sort": {
      const ws = distinct(rng, vocab, rng.int(3, 5));
      return { skill, vars: { words: ws.join(", ") }, answer: ws.slice().sort().join(", ") };
    }
  }
}

const letters = (w: string) => w.split("").join(", ");

/** An optional "how" sentence that walks through the problem. */
function stepSentence(inst: SkillInstance): string {
  const v = inst.vars;
  switch (inst.skill) {
    case "reverse":
      return `The letters of ${v.word} are ${letters(String(v.word))}. Read from the end, they are ${letters(inst.answer)}.`;
    case "count":
      return `Spell ${v.word} one letter at a time: ${letters(String(v.word))}.`;
    case "upper":
      return `Change each letter of ${v.word} to its capital form.`;
    case "sort":
      return `Compare the first letters of ${v.words}, and use the next letter when two are the same.`;
    case "add": {
      const a = Number(v.a),
        b = Number(v.b);
      const tens = a - (a % 10) + b - (b % 10),
        ones = (a % 10) + (b % 10);
      return `Add the tens and the ones separately: the tens make ${tens} and the ones make ${ones}, and ${tens} plus ${ones} is ${tens + ones}.`;
    }
  }
}

/** The result stated as prose with a random statement template. */
export function skillStatement(inst: SkillInstance, rng: Rng): string {
  return render(rng.pick(SKILL_PHRASING[inst.skill].statements), { ...inst.vars, answer: inst.answer });
}

/** A worked example: sometimes a step sentence, then the result. */
export function workedExample(inst: SkillInstance, rng: Rng): string {
  const result = skillStatement(inst, rng);
  return rng.random() < 0.5 ? `${stepSentence(inst)} ${result}` : result;
}
