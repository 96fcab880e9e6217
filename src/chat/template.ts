/**
 * The chat template: one function turns a conversation into token ids and a
 * per-token loss mask, for training (SFT, DPO, reward) and, with a generation
 * prompt, for inference. Sharing it is what keeps train and test formats equal.
 *
 *   <|system|> You are terse.<|user|> What is the opposite of hot?<|assistant|> cold<|eos|>
 *
 * Every turn's content is encoded with a leading space. Why: in the pretraining
 * text a word mid-sentence is the token " cold"; an answer rendered as "cold"
 * right after <|assistant|> uses different tokens, and the model cannot reuse
 * what it knows (notebook 02 measures the gap in the base model's log-probs of
 * known answers). `answerLeadingSpace: false` reproduces that mistake on purpose.
 *
 * A turn's content is encoded on its own, between special tokens that BPE never
 * merges across, so a template tokenizes the same in context as alone.
 */
import type { BpeTokenizer } from "../tokenizer/index";
import { SPECIAL_TOKENS } from "../tokenizer/index";

export const ROLES = ["system", "user", "assistant"] as const;
export type Role = (typeof ROLES)[number];

/** One turn, in the Hugging Face chat format. */
export interface Message {
  role: Role;
  content: string;
}

/**
 * Which tokens carry loss:
 * - `assistant`: only assistant content and its end token (the default, InstructGPT/TRL "completion only");
 * - `prompt-and-answer`: user and assistant content: the prompt is learned too;
 * - `all`: every token, specials included (plain LM on the rendered text).
 */
export const MASK_MODES = ["assistant", "prompt-and-answer", "all"] as const;
export type MaskMode = (typeof MASK_MODES)[number];

export interface RenderOptions {
  mask: MaskMode;
  /** End with <|assistant|> so a model can continue (inference). */
  generationPrompt: boolean;
  /** Encode content as " text" so words match their pretraining tokens. */
  answerLeadingSpace: boolean;
}

export const RENDER_DEFAULTS: Readonly<RenderOptions> = Object.freeze({
  mask: "assistant",
  generationPrompt: false,
  answerLeadingSpace: true,
});

/** Rendered conversation: ids, and weight 1 where the *token itself* is learned. */
export interface Rendered {
  ids: number[];
  /** mask[i] = 1 if predicting ids[i] (from ids[<i]) carries loss. */
  mask: number[];
  /** Role of each token's turn ("special" for role markers). */
  roles: (Role | "special")[];
}

/** Throws on a message the template cannot render faithfully. */
export function checkMessages(messages: readonly Message[], where = "conversation"): void {
  if (messages.length === 0) throw new Error(`${where}: no messages`);
  messages.forEach((m, i) => {
    if (!ROLES.includes(m.role))
      throw new Error(`${where}: message ${i} has unknown role "${m.role}"; use one of ${ROLES.join(", ")}`);
    if (typeof m.content !== "string" || m.content.trim() === "")
      throw new Error(`${where}: message ${i} (${m.role}) has empty content`);
    for (const s of Object.values(SPECIAL_TOKENS)) {
      if (m.content.includes(s))
        throw new Error(
          `${where}: message ${i} contains the special token ${s} in its text; remove it (it would be read as a turn marker)`,
        );
    }
    if (m.role === "system" && i !== 0)
      throw new Error(`${where}: the system message must come first (found at ${i})`);
  });
}

/** Render `messages` to ids + loss mask. */
export function renderChat(
  tok: BpeTokenizer,
  messages: readonly Message[],
  options: Partial<RenderOptions> = {},
): Rendered {
  const o = { ...RENDER_DEFAULTS, ...options };
  checkMessages(messages);
  const out: Rendered = { ids: [], mask: [], roles: [] };
  const push = (id: number, learn: boolean, role: Role | "special") => {
    out.ids.push(id);
    out.mask.push(learn ? 1 : 0);
    out.roles.push(role);
  };
  const learns = (role: Role) =>
    o.mask === "all" || role === "assistant" || (o.mask === "prompt-and-answer" && role === "user");
  for (const m of messages) {
    push(tok.special[m.role], o.mask === "all", "special");
    const text = o.answerLeadingSpace ? " " + m.content.trim() : m.content.trim();
    for (const id of tok.encode(text)) push(id, learns(m.role), m.role);
    // The end token is what teaches "answer, then stop": it is always learned with the answer.
    if (m.role === "assistant") push(tok.special.eos, true, "special");
  }
  if (o.generationPrompt) push(tok.special.assistant, false, "special");
  return out;
}

/** The prompt a model continues at inference: the conversation + <|assistant|>. */
export function renderPrompt(
  tok: BpeTokenizer,
  messages: readonly Message[],
  options: Partial<RenderOptions> = {},
): number[] {
  if (messages[messages.length - 1]?.role === "assistant") {
    throw new Error(
      "renderPrompt: the conversation already ends with an assistant turn; drop it to ask the model for one",
    );
  }
  return renderChat(tok, messages, { ...options, generationPrompt: true }).ids;
}

/**
 * Plain-text rendering for prompting a base model the way it was trained:
 * system and user turns as paragraphs, after a document boundary (<|eos|>).
 */
export function renderRaw(tok: BpeTokenizer, messages: readonly Message[]): number[] {
  checkMessages(messages);
  const text = messages.map((m) => m.content.trim()).join("\n\n");
  return [tok.special.eos, ...tok.encode(text)];
}

/** A JS string as a Jinja string literal (JSON's escapes are Jinja's for these strings). */
const jinjaString = (s: string) => JSON.stringify(s);

/**
 * `renderChat`'s rendering as a Jinja chat template, for the `chat_template` of
 * a Hugging Face export (`tokenizer_config.json`). `apply_chat_template` renders
 * a string such as the one at the top of this file; the tokenizer then splits
 * it at special tokens before anything else, so each turn's content is encoded
 * on its own, exactly as `renderChat` encodes it: the same ids (tested with
 * Python's jinja2). `add_generation_prompt` is `generationPrompt`. It renders
 * the default `answerLeadingSpace: true`, and refuses what `checkMessages`
 * refuses, through `raise_exception`, which transformers provides.
 */
export const CHAT_TEMPLATE_JINJA = [
  `{%- set markers = {${ROLES.map((r) => `${jinjaString(r)}: ${jinjaString(SPECIAL_TOKENS[r])}`).join(", ")}} -%}`,
  `{%- set specials = [${Object.values(SPECIAL_TOKENS).map(jinjaString).join(", ")}] -%}`,
  "{%- for message in messages -%}",
  "{%- set i = loop.index0 -%}",
  "{%- if message['role'] not in markers -%}",
  "{{- raise_exception('message ' ~ i ~ ' has unknown role ' ~ message['role']) -}}",
  "{%- elif message['role'] == 'system' and not loop.first -%}",
  "{{- raise_exception('the system message must come first') -}}",
  "{%- elif message['content'] | trim == '' -%}",
  "{{- raise_exception('message ' ~ i ~ ' has empty content') -}}",
  "{%- endif -%}",
  "{%- for s in specials if s in message['content'] -%}",
  "{{- raise_exception('message ' ~ i ~ ' contains the special token ' ~ s) -}}",
  "{%- endfor -%}",
  "{{- markers[message['role']] ~ ' ' ~ (message['content'] | trim) -}}",
  `{%- if message['role'] == 'assistant' -%}{{- ${jinjaString(SPECIAL_TOKENS.eos)} -}}{%- endif -%}`,
  "{%- endfor -%}",
  `{%- if add_generation_prompt -%}{{- ${jinjaString(SPECIAL_TOKENS.assistant)} -}}{%- endif -%}`,
].join("\n");
