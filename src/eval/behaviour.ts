/**
 * Behaviour of a response to a request, by deterministic rules:
 *
 * - answer: it responds and stops, with end-of-sequence within the budget;
 * - continuation: it treats the prompt as text to extend: writes another
 *   question, continues a numbered list, echoes the prompt, invents the next
 *   turn ("Q:", "User:", "Reply from …"), or signs off as the asker ("Thanks!");
 * - other: anything else: prose that never stops, or prose of two or more
 *   sentences (every request in this lab asks for a word, a number, a list,
 *   JSON or one sentence; a base model that writes two sentences of its
 *   corpus and then ends a document has not answered).
 *
 * Continuation cues are checked first, so "cold\n2. What is…" is a
 * continuation even if it ends. Where a reference answer exists, `isCorrect`
 * scores the first line of the response against it.
 */
import { matchesExactly, normalise } from "../data/tasks/check";

export type Behaviour = "answer" | "continuation" | "other";
export const BEHAVIOURS: readonly Behaviour[] = ["answer", "continuation", "other"];

/** Why a response got its label (shown in notebook tables). */
export type Cue =
  "stopped" | "new-question" | "list-item" | "echo" | "next-turn" | "asker" | "prose" | "no-stop" | "empty";

export interface Classified {
  behaviour: Behaviour;
  cue: Cue;
}

export interface ResponseFacts {
  /** The user request (plain text). */
  prompt: string;
  /** The generated text, special tokens removed. */
  response: string;
  /** Whether generation ended with end-of-sequence within the budget. */
  stopped: boolean;
}

const LIST_ITEM = /^\s*(\d+[.)]|[-*•])\s+/;
const NEXT_TURN =
  /^\s*(Q|Question|User|Human|A|Answer|Assistant|Reply from [^:]*|Posted by|Subject)\s*\d*\s*[:.]?\s/i;
// Speaking as the person who asked (a forum post's sign-off) extends the request.
const ASKER =
  /^(thanks|thank you|any help|help please|please help|can someone|cheers|i have the same|me too)\b/i;
const QUESTION_START =
  /^(what|which|who|whom|whose|when|where|why|how|is|are|does|do|can|could|would|should|give|name|tell|write|spell|reverse|sort|add|count|list|change|find|say|provide|please)\b/i;

/** Lines of the response that carry text. */
function lines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Does a line read like a new request (a question or an instruction to do a task)? */
function isRequest(line: string): boolean {
  return (
    /\?\s*$/.test(line) ||
    (QUESTION_START.test(line) && /[.?!]?\s*$/.test(line) && line.split(/\s+/).length >= 3)
  );
}

/** Sentences of prose: pieces ending in . ! or ? followed by a space, a newline or the end. */
function sentences(text: string): number {
  return text.split(/[.!?](?:\s+|$)/).filter((p) => /[A-Za-z]/.test(p)).length;
}

/** Label one response. */
export function classify(r: ResponseFacts): Classified {
  const ls = lines(r.response);
  if (ls.length === 0) return { behaviour: "other", cue: "empty" };
  const p = normalise(r.prompt);
  const firstNorm = normalise(ls[0]);
  // Echo: the response repeats the whole prompt, or a prefix of it.
  if (p.length > 0 && firstNorm.length >= 8 && (firstNorm.startsWith(p) || p.startsWith(firstNorm))) {
    return { behaviour: "continuation", cue: "echo" };
  }
  // A list is an answer, not a continuation, when the request asked for one.
  const listWanted = /\b(list|bullet|bulleted|items)\b/i.test(r.prompt);
  for (const l of ls) {
    if (NEXT_TURN.test(l)) return { behaviour: "continuation", cue: "next-turn" };
    if (ASKER.test(l)) return { behaviour: "continuation", cue: "asker" };
    if (LIST_ITEM.test(l) && !listWanted) return { behaviour: "continuation", cue: "list-item" };
    if (isRequest(l)) return { behaviour: "continuation", cue: "new-question" };
  }
  if (!r.stopped) return { behaviour: "other", cue: "no-stop" };
  if (!listWanted && sentences(r.response) >= 2) return { behaviour: "other", cue: "prose" };
  return { behaviour: "answer", cue: "stopped" };
}

/**
 * Exact match: the response's first line, normalised (case, punctuation,
 * spacing), equals the reference or one of the accepted alternatives (the
 * task checkers' rule, `matchesExactly` in src/data/tasks/check.ts).
 */
export function isCorrect(response: string, answer: string, accepted: readonly string[] = []): boolean {
  return matchesExactly(response, [answer, ...accepted]);
}

/** Share of each behaviour in a list of labels (every behaviour present, 0 if unseen). */
export function behaviourRates(labels: readonly Behaviour[]): Record<Behaviour, number> {
  const n = Math.max(1, labels.length);
  return {
    answer: labels.filter((b) => b === "answer").length / n,
    continuation: labels.filter((b) => b === "continuation").length / n,
    other: labels.filter((b) => b === "other").length / n,
  };
}
