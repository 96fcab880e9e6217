/**
 * Reading JSONL with every bad line reported at once, as `file:line: what is
 * wrong`; the message checks that the SFT and preference loaders share; and
 * evaluation prompts (`PromptItem`), requests with reference answers in the
 * Hugging Face chat format:
 *
 *   {"messages":[{"role":"user","content":"What is the opposite of hot?"}],"answer":"cold","task":"antonym"}
 */
import * as fs from "fs";
import { checkMessages, Message, ROLES } from "../../chat/template";

/**
 * Parses each non-blank line of `file` with `parse` (which throws a message
 * saying what is wrong and how to fix it). Throws one error listing every bad
 * line; `what` names the records in messages ("SFT examples").
 */
export function readJsonl<T>(
  file: string,
  what: string,
  parse: (o: Record<string, unknown>, source: string) => T,
): T[] {
  const out: T[] = [];
  const bad: string[] = [];
  jsonlText(file, what)
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      const source = `${file}:${i + 1}`;
      try {
        let o: unknown;
        try {
          o = JSON.parse(line);
        } catch (e) {
          throw new Error(`not valid JSON (${(e as Error).message}); each line must be one JSON object`);
        }
        if (typeof o !== "object" || o === null || Array.isArray(o))
          throw new Error("expected a JSON object on this line");
        out.push(parse(o as Record<string, unknown>, source));
      } catch (e) {
        bad.push(`${source}: ${(e as Error).message}`);
      }
    });
  if (bad.length)
    throw new Error(`${bad.length} bad line(s) in ${file}; fix or remove them:\n${bad.join("\n")}`);
  if (out.length === 0) throw new Error(`${file}: no ${what} (the file is empty)`);
  return out;
}

/**
 * The text of a JSONL file, with a clear error for a missing file or a
 * folder, and a UTF-8 byte-order mark removed (editors on Windows write one;
 * JSON.parse would call it an unexpected token, an invisible one).
 */
export function jsonlText(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new Error(`${what} file not found: ${file}`);
  if (fs.statSync(file).isDirectory())
    throw new Error(`${file} is a folder; give the ${what} file inside it (one JSON object per line)`);
  return fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
}

/** A list of chat messages, validated: known roles, text content, system first, no special tokens. */
export function parseMessages(v: unknown, field: string): Message[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new Error(`"${field}" must be a non-empty list of {"role","content"}`);
  const messages = v.map((m, j) => {
    const mm = (typeof m === "object" && m !== null ? m : {}) as Record<string, unknown>;
    if (!ROLES.includes(mm.role as never))
      throw new Error(
        `${field}[${j}].role must be one of ${ROLES.join(", ")}, got ${JSON.stringify(mm.role)}`,
      );
    if (mm.content !== undefined && typeof mm.content !== "string")
      throw new Error(`${field}[${j}].content must be a string, got ${JSON.stringify(mm.content)}`);
    if (typeof mm.content !== "string" || mm.content.trim() === "") {
      const hint = mm.role === "assistant" ? " (the answer is missing)" : "";
      throw new Error(`${field}[${j}] (${mm.role}) has empty content${hint}; give it text or drop the line`);
    }
    return { role: mm.role, content: mm.content } as Message;
  });
  checkMessages(messages, field);
  return messages;
}

/** Optional string fields must be strings when present. */
export function optionalString(o: Record<string, unknown>, k: string): string | undefined {
  if (o[k] === undefined) return undefined;
  if (typeof o[k] !== "string") throw new Error(`"${k}" must be a string, got ${JSON.stringify(o[k])}`);
  return o[k] as string;
}

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
  /** "file:line" when read from a file (for messages only: not enumerable, never written back). */
  source?: string;
}

/**
 * Parse and validate a prompts JSONL file; every bad line is listed with its
 * number. `check` adds a caller's own rule (e.g. `eval --gold`'s known tasks).
 */
export function readPrompts(file: string, check?: (item: PromptItem) => void): PromptItem[] {
  const items: PromptItem[] = [];
  const bad: string[] = [];
  jsonlText(file, "prompts")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        const item = parsePrompt(JSON.parse(line));
        check?.(item);
        // Not enumerable: messages read it; equality, spreading and JSON ignore it.
        Object.defineProperty(item, "source", { value: `${file}:${i + 1}`, enumerable: false });
        items.push(item);
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
    if (!ROLES.includes(mm?.role as never))
      throw new Error(
        `messages[${j}].role must be one of ${ROLES.join(", ")}, got ${JSON.stringify(mm?.role)}`,
      );
    if (typeof mm.content !== "string")
      throw new Error(`messages[${j}].content must be a string, got ${JSON.stringify(mm.content)}`);
    return { role: mm.role, content: mm.content } as Message;
  });
  checkMessages(messages, "messages");
  if (messages[messages.length - 1].role !== "user")
    throw new Error("the last message must be the user's request");
  for (const k of ["answer", "task"] as const) {
    if (r[k] !== undefined && typeof r[k] !== "string") throw new Error(`"${k}" must be a string`);
  }
  if (
    r.accepted !== undefined &&
    !(Array.isArray(r.accepted) && r.accepted.every((a) => typeof a === "string"))
  )
    throw new Error('"accepted" must be a list of strings');
  const item: PromptItem = { messages };
  if (r.answer !== undefined) item.answer = r.answer as string;
  if (r.accepted !== undefined) item.accepted = r.accepted as string[];
  if (r.task !== undefined) item.task = r.task as string;
  if (r.input !== undefined) {
    if (typeof r.input !== "object" || r.input === null || Array.isArray(r.input))
      throw new Error('"input" must be an object of task inputs');
    item.input = r.input as Record<string, string | number>;
  }
  return item;
}

/** Write items as JSONL. */
export function writePrompts(file: string, items: readonly PromptItem[]): void {
  fs.writeFileSync(file, items.map((it) => JSON.stringify(it)).join("\n") + "\n");
}
