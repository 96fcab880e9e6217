/**
 * Formatting: upper case (the corpus's skill), a bullet list of given words,
 * and a JSON object from given keys and values.
 */
import { caseSensitiveCheck, listCheck } from "./check";
import { pickDistinct, poolWords, T } from "./gen";
import { skillTask } from "./string";
import type { CheckResult, Task, TaskInstance } from "./types";

/** Bullet lists: every line a "-" item, the words in the given order. */
function bulletCheck(response: string, inst: TaskInstance): CheckResult {
  const lines = response
    .trim()
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const result = listCheck(response, inst, lines.join("\n"));
  if (result.correct && !lines.every((l) => /^[-*•]\s+\S/.test(l))) {
    return { correct: false, score: 0.5, reason: "right words, but not every line is a bullet" };
  }
  return result;
}

const bullets: Task = {
  name: "bullet_list",
  cluster: "formatting",
  description: 'Write three given words as a bullet list, one "- word" per line, in the given order.',
  learnable: "format",
  why: "copy the words and lay them out; no knowledge needed",
  generate(rng, ctx) {
    const ws = pickDistinct(rng, poolWords(ctx), 3);
    return { input: { words: ws.join(", ") }, answer: ws.map((w) => `- ${w}`).join("\n") };
  },
  templates: [
    T.imp("Make a bullet list of these words: {words}."),
    T.q("Can you put {words} in a bullet list?"),
    T.inv("{words}\nWrite these as a bulleted list, one per line."),
    T.held(T.imp("List the words {words} as bullet points.")),
  ],
  check: bulletCheck,
};

/** Keys and values for the JSON task: names are strings, ages and counts numbers. */
export const JSON_FIELDS = {
  name: ["Tom", "Mia", "Sam", "Ana", "Ben"],
  color: ["red", "blue", "green"],
  age: [3, 7, 12, 25, 40],
  count: [1, 2, 5, 9],
} as const;
type Key = keyof typeof JSON_FIELDS;
const KEYS = Object.keys(JSON_FIELDS) as Key[];

/** The first {...} of a response, parsed, or undefined. */
function parseObject(response: string): Record<string, unknown> | undefined {
  const m = response.match(/\{[\s\S]*\}/);
  try {
    const v: unknown = m ? JSON.parse(m[0]) : undefined;
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** JSON: parses, has exactly the keys, each value equal (strings and numbers as given). */
function jsonCheck(response: string, inst: TaskInstance): CheckResult {
  const got = parseObject(response);
  if (!got) return { correct: false, score: 0, reason: "no JSON object found" };
  const want = JSON.parse(inst.answer) as Record<string, unknown>;
  const keys = Object.keys(want);
  const right = keys.filter((k) => got[k] === want[k]).length;
  const extra = Object.keys(got).filter((k) => !(k in want)).length;
  if (right === keys.length && extra === 0)
    return { correct: true, score: 1, reason: "same keys and values" };
  return {
    correct: false,
    score: right / (keys.length + extra),
    reason: `${right} of ${keys.length} fields right${extra ? `, ${extra} extra` : ""}`,
  };
}

const json: Task = {
  name: "json_object",
  cluster: "formatting",
  description: "Write a JSON object with two given keys and values (numbers stay numbers).",
  learnable: "format",
  why: "copy two keys and values into a fixed layout of braces, quotes and a colon",
  generate(rng) {
    const [k1, k2] = pickDistinct(rng, KEYS, 2);
    const obj = {
      [k1]: rng.pick<string | number>(JSON_FIELDS[k1]),
      [k2]: rng.pick<string | number>(JSON_FIELDS[k2]),
    };
    const pairs = Object.entries(obj)
      .map(([k, v]) => `${k} = ${v}`)
      .join(" and ");
    return { input: { pairs }, answer: JSON.stringify(obj).replace(/,"/g, ', "').replace(/":/g, '": ') };
  },
  templates: [
    T.imp("Write a JSON object with {pairs}."),
    T.q("What is the JSON object for {pairs}?"),
    T.inv("{pairs}\nFormat these as a JSON object."),
    T.held(T.imp("Give me {pairs} as JSON.")),
  ],
  check: jsonCheck,
};

/** The formatting cluster. */
export const FORMATTING_TASKS: readonly Task[] = [
  skillTask(
    "upper",
    "uppercase",
    "formatting",
    "Write a word in capital letters.",
    [T.inv("{word}\nWrite this word in capitals.")],
    caseSensitiveCheck,
  ),
  bullets,
  json,
];
