/**
 * Checkers shared by the tasks: exact match after normalisation (with word-F1
 * as partial credit), case-sensitive match, list match, and IFEval-style
 * constraint checks. All are pure functions of the response text.
 */
import type { CheckResult, TaskInstance } from "./types";

/**
 * The one answer normalisation: lowercase, punctuation to spaces, single
 * spaces. Exact match (`matchesExactly`) compares normalised strings.
 */
export function normalise(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The first line that carries text: a model's answer, without what it rambles on with. */
export function firstLine(response: string): string {
  return (
    response
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ""
  );
}

/**
 * The one exact-match rule: the response's first line that carries text,
 * normalised, equals a normalised reference (an empty response matches nothing).
 * The task checkers and the behaviour evaluation both score with it.
 */
export function matchesExactly(response: string, refs: readonly string[]): boolean {
  const got = normalise(firstLine(response));
  return got !== "" && refs.some((r) => normalise(r) === got);
}

/** Words of a text (letters, digits, apostrophes), for counting and F1. */
export function words(text: string): string[] {
  return text.match(/[A-Za-z0-9']+/g) ?? [];
}

const ok = (reason: string): CheckResult => ({ correct: true, score: 1, reason });
const wrong = (score: number, reason: string): CheckResult => ({ correct: false, score, reason });

/** Word-level F1 of two normalised strings (SQuAD-style partial credit). */
export function wordF1(a: string, b: string): number {
  const x = normalise(a).split(" ").filter(Boolean),
    y = normalise(b).split(" ").filter(Boolean);
  if (x.length === 0 || y.length === 0) return 0;
  const pool = y.slice();
  let common = 0;
  for (const w of x) {
    const i = pool.indexOf(w);
    if (i >= 0) {
      common++;
      pool.splice(i, 1);
    }
  }
  if (common === 0) return 0;
  const p = common / x.length,
    r = common / y.length;
  return (2 * p * r) / (p + r);
}

/** Exact match of the first line against the answer or an accepted one; F1 as partial credit. */
export function exactCheck(response: string, inst: TaskInstance): CheckResult {
  const got = normalise(firstLine(response));
  if (got === "") return wrong(0, "empty response");
  const refs = [inst.answer, ...(inst.accepted ?? [])];
  if (matchesExactly(response, refs)) return ok("exact match");
  return wrong(Math.max(...refs.map((r) => wordF1(got, r))), `expected "${inst.answer}"`);
}

/** Exact match that keeps case (uppercase, ciphers): only spacing and a final period are forgiven. */
export function caseSensitiveCheck(response: string, inst: TaskInstance): CheckResult {
  const got = firstLine(response).replace(/[.!]$/, "").trim();
  if (got === "") return wrong(0, "empty response");
  if ([inst.answer, ...(inst.accepted ?? [])].includes(got)) return ok("exact match");
  const sameLetters = got.toLowerCase() === inst.answer.toLowerCase();
  return wrong(0, sameLetters ? "right letters, wrong case" : `expected "${inst.answer}"`);
}

/** Items of a list answer: split on commas, "and", newlines and bullets. */
export function listItems(text: string): string[] {
  return text
    .split(/\n|,|\band\b/)
    .map((s) => normalise(s.replace(/^\s*([-*•]|\d+[.)])\s*/, "")))
    .filter(Boolean);
}

/** Ordered list match: correct if every item is in place; score = share of positions right. */
export function listCheck(response: string, inst: TaskInstance, text = firstLine(response)): CheckResult {
  const got = listItems(text),
    want = listItems(inst.answer);
  if (got.length === 0) return wrong(0, "empty response");
  const right = want.filter((w, i) => got[i] === w).length;
  if (right === want.length && got.length === want.length) return ok("every item in place");
  return wrong(right / Math.max(want.length, got.length), `${right} of ${want.length} items in place`);
}

/** One verifiable constraint: a name for reports and a test on the response. */
export interface Constraint {
  name: string;
  test(response: string): boolean;
}

/** IFEval-style scoring: score = share of constraints met; correct = all met. */
export function constraintCheck(response: string, constraints: readonly Constraint[]): CheckResult {
  const text = response.trim();
  if (text === "") return wrong(0, "empty response");
  const failed = constraints.filter((c) => !c.test(text)).map((c) => c.name);
  const score = (constraints.length - failed.length) / constraints.length;
  return failed.length === 0 ? ok("all constraints met") : wrong(score, `fails: ${failed.join("; ")}`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Constraints, as a table of small builders. */
export const C = {
  usesWord: (w: string): Constraint => ({
    name: `uses the word "${w}"`,
    test: (r) => new RegExp(`\\b${escape(w)}\\b`, "i").test(r),
  }),
  startsWith: (w: string): Constraint => ({
    name: `starts with "${w}"`,
    test: (r) => (words(r)[0] ?? "").toLowerCase() === w.toLowerCase(),
  }),
  exactWords: (n: number): Constraint => ({ name: `exactly ${n} words`, test: (r) => words(r).length === n }),
  wordsBetween: (lo: number, hi: number): Constraint => ({
    name: `${lo}–${hi} words`,
    test: (r) => words(r).length >= lo && words(r).length <= hi,
  }),
  endsWithPeriod: (): Constraint => ({ name: "ends with a period", test: (r) => r.trim().endsWith(".") }),
  lowercase: (): Constraint => ({ name: "no capital letters", test: (r) => !/[A-Z]/.test(r) }),
  oneLine: (): Constraint => ({ name: "one line", test: (r) => !r.trim().includes("\n") }),
};
