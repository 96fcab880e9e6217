/**
 * Evaluation prompts: requests with reference answers, in the Hugging Face
 * chat format, read from and written to JSONL:
 *
 *   {"messages":[{"role":"user","content":"What is the opposite of hot?"}],"answer":"cold","task":"antonym"}
 *
 * plus prompt sets built from the corpus's facts and skills, and the prompting
 * styles notebook 01 compares on the base model (zero-shot, few-shot, tricks).
 */
import * as fs from "fs";
import { checkMessages, Message, ROLES } from "../chat/template";
import { Headword, Relation, RELATIONS, render, Skill, SKILLS, questionsFor, TemplateUse } from "../data/facts";
import { skillInstance } from "../data/skills";
import { Rng } from "../random";

export interface PromptItem {
  messages: Message[];
  /** Reference answer, if the request has one. */
  answer?: string;
  /** Other accepted answers. */
  accepted?: string[];
  /** Task name, for per-task rates. */
  task?: string;
  /** The task instance's inputs: with a registered `task`, its own checker scores the response. */
  input?: Record<string, string | number>;
}

/** Parse and validate a prompts JSONL file; every bad line is listed with its number. */
export function readPrompts(file: string): PromptItem[] {
  if (!fs.existsSync(file)) throw new Error(`prompts file not found: ${file}`);
  const items: PromptItem[] = [];
  const bad: string[] = [];
  fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      items.push(parsePrompt(JSON.parse(line)));
    } catch (e) {
      bad.push(`${file}:${i + 1}: ${(e as Error).message}`);
    }
  });
  if (bad.length) throw new Error(`${bad.length} bad line(s); fix or remove them:\n${bad.join("\n")}`);
  if (items.length === 0) throw new Error(`${file}: no prompts (the file is empty)`);
  return items;
}

function parsePrompt(o: unknown): PromptItem {
  if (typeof o !== "object" || o === null) throw new Error("expected a JSON object");
  const r = o as Record<string, unknown>;
  if (!Array.isArray(r.messages)) throw new Error('missing "messages" (a list of {"role","content"})');
  const messages = r.messages.map((m, j) => {
    const mm = m as Record<string, unknown>;
    if (!ROLES.includes(mm?.role as never)) throw new Error(`messages[${j}].role must be one of ${ROLES.join(", ")}, got ${JSON.stringify(mm?.role)}`);
    return { role: mm.role, content: mm.content } as Message;
  });
  checkMessages(messages, "messages");
  if (messages[messages.length - 1].role !== "user") throw new Error("the last message must be the user's request");
  for (const k of ["answer", "task"] as const) {
    if (r[k] !== undefined && typeof r[k] !== "string") throw new Error(`"${k}" must be a string`);
  }
  if (r.accepted !== undefined && !(Array.isArray(r.accepted) && r.accepted.every((a) => typeof a === "string"))) throw new Error('"accepted" must be a list of strings');
  const item: PromptItem = { messages };
  if (r.answer !== undefined) item.answer = r.answer as string;
  if (r.accepted !== undefined) item.accepted = r.accepted as string[];
  if (r.task !== undefined) item.task = r.task as string;
  if (r.input !== undefined) {
    if (typeof r.input !== "object" || r.input === null || Array.isArray(r.input)) throw new Error('"input" must be an object of task inputs');
    item.input = r.input as Record<string, string | number>;
  }
  return item;
}

/** Write items as JSONL. */
export function writePrompts(file: string, items: readonly PromptItem[]): void {
  fs.writeFileSync(file, items.map((it) => JSON.stringify(it)).join("\n") + "\n");
}

const user = (content: string): Message[] => [{ role: "user", content }];

/** Knowledge questions about headwords of `split`, phrased with `use` templates. */
export function factPrompts(headwords: readonly Headword[], opts: { split: "train" | "heldout"; use: TemplateUse; seed: number }): PromptItem[] {
  const rng = new Rng(opts.seed).fork(`facts/${opts.split}/${opts.use}`);
  const out: PromptItem[] = [];
  for (const h of headwords.filter((w) => w.split === opts.split)) {
    for (const f of h.facts) {
      const t = rng.pick(questionsFor(f.relation, opts.use));
      out.push({ messages: user(render(t.text, { word: f.word })), answer: f.answer, accepted: f.accepted, task: f.relation });
    }
  }
  return out;
}

/** `perSkill` problems of each algorithmic skill. */
export function skillPrompts(headwords: readonly Headword[], opts: { perSkill: number; use: TemplateUse; seed: number; skills?: readonly Skill[] }): PromptItem[] {
  const rng = new Rng(opts.seed).fork(`skills/${opts.use}`);
  const vocab = headwords.map((h) => h.word);
  return (opts.skills ?? SKILLS).flatMap((skill) => Array.from({ length: opts.perSkill }, () => {
    const inst = skillInstance(skill, rng, vocab);
    return { messages: user(render(rng.pick(questionsFor(skill, opts.use)).text, inst.vars)), answer: inst.answer, task: skill };
  }));
}

/** How a request is put to a base model in notebook 01. */
export const PROMPT_STYLES = ["zero-shot", "few-shot-1", "few-shot-3", "few-shot-5", "qa", "answer-suffix"] as const;
export type PromptStyle = (typeof PROMPT_STYLES)[number];

/**
 * Rewrite a request in a prompting style (as plain text for the base model).
 * Few-shot demos are the k shortest solved items of the same task, as "Q: … A: …".
 */
export function styled(item: PromptItem, style: PromptStyle, demos: readonly PromptItem[]): PromptItem {
  const q = item.messages[item.messages.length - 1].content;
  const k = style.startsWith("few-shot") ? Number(style.split("-")[2]) : 0;
  let text = q;
  if (style === "qa") text = `Q: ${q}\nA:`;
  else if (style === "answer-suffix") text = `${q}\nAnswer:`;
  else if (k > 0) {
    const same = demos.filter((d) => d.task === item.task && d !== item && d.answer !== undefined);
    if (same.length < k) throw new Error(`few-shot-${k}: only ${same.length} demos for task "${item.task}"`);
    // The k shortest demos: few-shot prompts must fit a 128-token context.
    const shortest = same.slice().sort((a, b) => a.messages[0].content.length + (a.answer ?? "").length - (b.messages[0].content.length + (b.answer ?? "").length));
    const shots = shortest.slice(0, k).map((d) => `Q: ${d.messages[d.messages.length - 1].content}\nA: ${d.answer}`);
    text = `${shots.join("\n\n")}\n\nQ: ${q}\nA:`;
  }
  return { ...item, messages: user(text) };
}

export { RELATIONS, SKILLS };
export type { Relation, Skill };
