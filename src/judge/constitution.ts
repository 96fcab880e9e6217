/**
 * A small constitution (Bai et al., 2022, "Constitutional AI"): written
 * principles a judge applies to a response, each with the critique it
 * gives and a rule-made revision where a rule can make one. Here every
 * principle is also a checker a reader can run by eye, so the
 * constitution is a judge that needs no model (a rule-based AI judge).
 *
 * It sees what any judge sees, the request and the response, never the
 * reference answer or the gold reward. So it can say whether a response
 * has the asked-for form, stops, and stays on the request, but not whether
 * "cold" is the right antonym: correctness stays beyond it, and notebook 06
 * measures what that costs in agreement with gold.
 *
 * As a judge it counts the principles each response meets and turns the
 * difference into a preference with a Bradley–Terry temperature:
 * P(A better) = σ((met_A − met_B) / τ); equal counts give 0.5.
 */
import type { Judge, JudgePair } from "./judge";
import { requestOf } from "./judge";
import { meetsForms, requestedForms } from "../data/tasks/form-requests";

/** What a principle reads. */
export interface Reply {
  /** The user's request (last user turn). */
  request: string;
  response: string;
  /** Whether the response ended with the end token. */
  stopped: boolean;
}

export interface Principle {
  id: string;
  /** The principle as written in the constitution. */
  text: string;
  /** What the critique says when the principle is broken. */
  critique: string;
  holds(r: Reply): boolean;
  /** A revised response that meets the principle, or null where no rule can write one. */
  revise(r: Reply): string | null;
}

const lines = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
const wordsOf = (s: string) => s.match(/[A-Za-z0-9']+/g) ?? [];

/** A line that starts a new turn, a numbered item or a question of its own. */
const NEW_TURN = /^(\d+[.)]|(Q|Question|User|Answer|A)\s*\d*\s*:)|\?\s*$/;

/** The form a request asks for, read from its words. */
export type Form =
  "list" | "json" | "word list" | "upper" | "letter" | "number" | "sentence" | "option" | "word";

/**
 * The options a request offers, lowercased: "yes or no", "antonyms or
 * synonyms", "animals, food, weather or sport", or the labels of a
 * "Label this ..." request ("Positive: good, ... Negative: bad, ...").
 */
export function offeredOptions(request: string): string[] {
  // A definition's "probable or likely" is not a choice offered.
  if (/defined as|means:|definition:/i.test(request)) return [];
  if (/\blabel this\b/i.test(request))
    return [...request.matchAll(/\b([A-Z][a-z]+):/g)].map((m) => m[1].toLowerCase());
  const m = /\b([A-Za-z]+(?:, [A-Za-z]+)*,? or [A-Za-z]+)\b/.exec(request);
  return m ? m[1].split(/,\s*|\s+or\s+/).map((s) => s.trim().toLowerCase()) : [];
}

const NUMBER_REQUEST =
  /how many|\bcount\b|\bplus\b|\bminus\b|\bsum\b|\btotal\b|\bdifference\b|\bsubtract\b|\badd\b|larger|bigger|greater|smaller|\d\s*[-+]\s*\d/;

/** The asked-for form of the answer, from the request's wording alone (first rule that fits). */
export function requestedForm(request: string): Form {
  const r = request.toLowerCase();
  if (/\bbullet|\blist\b/.test(r)) return "list";
  if (/\bjson\b/.test(r)) return "json";
  if (/alphabetical/.test(r)) return "word list";
  if (/uppercase|\bin capitals\b|(?<!no )capital letters/.test(r)) return "upper";
  if (/\bletter\b/.test(r)) return "letter";
  if (NUMBER_REQUEST.test(r)) return "number";
  if (/\b(a|one|short) (short )?sentence\b|exactly \d+ words|sentence whose/.test(r)) return "sentence";
  if (offeredOptions(request).length >= 2) return "option";
  return "word";
}

/** Whether the response's first line has the form. */
export function hasForm(form: Form, request: string, response: string): boolean {
  const ls = lines(response);
  const first = ls[0] ?? "";
  switch (form) {
    case "list":
      return ls.length >= 2 && ls.every((l) => /^[-*•]\s+\S/.test(l));
    case "json":
      try {
        const o: unknown = JSON.parse(first);
        return typeof o === "object" && o !== null && !Array.isArray(o);
      } catch {
        return false;
      }
    case "word list":
      return /^[A-Za-z'-]+(, [A-Za-z'-]+)+\.?$/.test(first);
    case "upper":
      return /^[A-Z]+$/.test(first);
    case "letter":
      return /^[A-Za-z]$/.test(first);
    case "number":
      return /^-?\d+$/.test(first);
    case "sentence":
      return (
        wordsOf(first).length >= 3 &&
        /[.!]$/.test(first) &&
        !(/lowercase|no capital/i.test(request) && /[A-Z]/.test(first))
      );
    case "option":
      return offeredOptions(request).includes(first.toLowerCase().replace(/[.!]$/, ""));
    case "word":
      return /^[A-Za-z'-]+\.?$/.test(first);
  }
}

/** The constitution of notebook 06: six principles, in the order a critique lists them. */
export const CONSTITUTION: readonly Principle[] = Object.freeze([
  {
    id: "stops",
    text: "Finish the answer: end the response instead of running on until cut off.",
    critique: "The response never ends; it runs until the length limit.",
    holds: (r) => r.stopped,
    // The first line is the answer; ending after it is the rule-made fix.
    revise: (r) => lines(r.response)[0] ?? null,
  },
  {
    id: "no-new-turn",
    text: "Answer the request only: do not go on to a new question, a numbered item or another speaker's turn.",
    critique: "After answering, the response writes a new question or turn that nobody asked for.",
    holds: (r) => !lines(r.response).some((l) => NEW_TURN.test(l)),
    revise: (r) => {
      const keep = lines(r.response).filter((l) => !NEW_TURN.test(l));
      return keep.length > 0 ? keep[0] : null;
    },
  },
  {
    id: "brief",
    text: "Say the answer and stop: one line, unless the request asks for a list.",
    critique: "The response adds lines after the answer.",
    holds: (r) => requestedForm(r.request) === "list" || lines(r.response).length <= 1,
    revise: (r) => lines(r.response)[0] ?? null,
  },
  {
    id: "form",
    text: "Give the answer in the form the request asks for: a list, a JSON object, a sentence, a number, capitals, one letter, one of the offered options, or one word.",
    critique: "The answer does not have the form the request asks for.",
    holds: (r) => hasForm(requestedForm(r.request), r.request, r.response),
    revise: (r) => {
      const form = requestedForm(r.request);
      const first = lines(r.response)[0] ?? "";
      // Only changes that keep the content: case, and a trailing period.
      const fixed =
        form === "upper"
          ? first.toUpperCase()
          : form === "sentence" && wordsOf(first).length >= 3
            ? first.replace(/[,;:]?$/, ".")
            : form === "word" || form === "option"
              ? first.replace(/[.!]+$/, "")
              : null;
      return fixed !== null && hasForm(form, r.request, fixed) ? fixed : null;
    },
  },
  {
    id: "as-asked",
    text: "Do what the request says about the reply itself: end with a period, or answer in one word, when it says so.",
    critique: "The reply ignores what the request says about its form.",
    holds: (r) => meetsForms(r.request, r.response),
    revise: (r) => {
      // The one rule-made fix that keeps the content: a final period.
      const first = lines(r.response)[0] ?? "";
      const fixed = requestedForms(r.request).includes("period") ? first.replace(/[,;:!?]?$/, ".") : first;
      return meetsForms(r.request, fixed) ? fixed : null;
    },
  },
  {
    id: "no-echo",
    text: "Do not repeat the request back; answer it.",
    critique: "The response repeats the request instead of answering it.",
    holds: (r) => !echoes(r.request, r.response),
    revise: () => null,
  },
] satisfies Principle[]);

/** The response's first line repeats five or more consecutive words of the request's last line. */
export function echoes(request: string, response: string): boolean {
  const q = wordsOf(lines(request).pop() ?? "").map((w) => w.toLowerCase());
  const a = ` ${wordsOf(lines(response)[0] ?? "")
    .map((w) => w.toLowerCase())
    .join(" ")} `;
  for (let i = 0; i + 5 <= q.length; i++) if (a.includes(` ${q.slice(i, i + 5).join(" ")} `)) return true;
  return false;
}

/** The principles a response breaks (empty when it meets them all). */
export function violations(r: Reply, principles: readonly Principle[] = CONSTITUTION): Principle[] {
  return principles.filter((p) => !p.holds(r));
}

const replyOf = (pair: JudgePair, side: "a" | "b"): Reply => ({
  request: requestOf(pair.prompt),
  response: pair[side].content,
  stopped: pair[side].stopped,
});

/**
 * The constitution as a judge: P(A better) = σ((met_A − met_B) / τ). With
 * τ = 0.5 one principle's difference gives 0.88, two give 0.98.
 */
export function constitutionJudge(principles: readonly Principle[] = CONSTITUTION, temperature = 0.5): Judge {
  if (!(temperature > 0)) throw new Error(`constitutionJudge: temperature must be > 0, got ${temperature}`);
  const met = (r: Reply) => principles.length - violations(r, principles).length;
  return {
    id: "constitution",
    label: (pairs) =>
      pairs.map((p) => 1 / (1 + Math.exp(-(met(replyOf(p, "a")) - met(replyOf(p, "b"))) / temperature))),
  };
}
