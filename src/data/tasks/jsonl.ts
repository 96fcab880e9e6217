/**
 * Reading JSONL with every bad line reported at once, as `file:line: what is
 * wrong`, the way src/eval/prompts.ts does; plus the message checks that the
 * SFT and preference loaders share.
 */
import * as fs from "fs";
import { checkMessages, Message, ROLES } from "../../chat/template";

/**
 * Parses each non-blank line of `file` with `parse` (which throws a message
 * saying what is wrong and how to fix it). Throws one error listing every bad
 * line; `what` names the records in messages ("SFT examples").
 */
export function readJsonl<T>(file: string, what: string, parse: (o: Record<string, unknown>, source: string) => T): T[] {
  if (!fs.existsSync(file)) throw new Error(`${what} file not found: ${file}`);
  const out: T[] = [];
  const bad: string[] = [];
  fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const source = `${file}:${i + 1}`;
    try {
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch (e) {
        throw new Error(`not valid JSON (${(e as Error).message}); each line must be one JSON object`);
      }
      if (typeof o !== "object" || o === null || Array.isArray(o)) throw new Error("expected a JSON object on this line");
      out.push(parse(o as Record<string, unknown>, source));
    } catch (e) {
      bad.push(`${source}: ${(e as Error).message}`);
    }
  });
  if (bad.length) throw new Error(`${bad.length} bad line(s) in ${file}; fix or remove them:\n${bad.join("\n")}`);
  if (out.length === 0) throw new Error(`${file}: no ${what} (the file is empty)`);
  return out;
}

/** A list of chat messages, validated: known roles, text content, system first, no special tokens. */
export function parseMessages(v: unknown, field: string): Message[] {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`"${field}" must be a non-empty list of {"role","content"}`);
  const messages = v.map((m, j) => {
    const mm = (typeof m === "object" && m !== null ? m : {}) as Record<string, unknown>;
    if (!ROLES.includes(mm.role as never)) throw new Error(`${field}[${j}].role must be one of ${ROLES.join(", ")}, got ${JSON.stringify(mm.role)}`);
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
