/**
 * Critique and revision, Constitutional AI's supervised stage (SL-CAI): a
 * response that breaks a principle gets a critique (which principles, in the
 * constitution's words) and a revision; the revisions become SFT data.
 *
 * Bai et al. ask the model itself to critique and revise. Here the model is
 * asked to revise (`modelRevisions`), and its revision is kept only when it
 * meets every principle and keeps the answer (it shares a word with the
 * response's first line: a revision fixes how the answer is given, not what
 * it says; a 2 M model asked to rewrite "accept / adjective accept" often
 * answers with another word); where it does not, a rule-made revision is used
 * (each principle's `revise`), and where no rule can fix the response it is
 * counted as unrevisable and left out of the revised data.
 */
import { renderPrompt } from "../chat/template";
import { generate } from "../model/generate";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { CONSTITUTION, Principle, Reply, violations } from "./constitution";

/** One response through critique and revision. */
export interface Revised {
  reply: Reply;
  /** Ids of the principles it breaks (empty: nothing to revise). */
  broken: string[];
  /** The critique, one sentence per broken principle. */
  critique: string;
  /** The revised response, meeting every principle; null when it breaks none or none could be made. */
  revision: string | null;
  by: "none" | "model" | "rule" | "unrevisable";
}

/** Rule-made revision: apply each broken principle's fix in turn; null unless the result meets them all. */
export function ruleRevision(r: Reply, principles: readonly Principle[] = CONSTITUTION): string | null {
  let text = r.response;
  // The reply as generated (it may have run out of tokens); once a rule rewrites it, it ends.
  let stopped = r.stopped;
  for (const p of principles) {
    const cur: Reply = { ...r, response: text, stopped };
    if (p.holds(cur)) continue;
    const fixed = p.revise(cur);
    if (fixed === null) return null;
    text = fixed;
    stopped = true;
  }
  // A revision is trained with its end token, so it stops.
  return violations({ ...r, response: text, stopped: true }, principles).length === 0 ? text : null;
}

const lower = (s: string) => (s.match(/[A-Za-z0-9']+/g) ?? []).map((w) => w.toLowerCase());

/** Whether a revision keeps the answer: it shares a word with the response's first line. */
export function keepsAnswer(response: string, revision: string): boolean {
  const first = new Set(lower(response.trim().split("\n")[0] ?? ""));
  return lower(revision).some((w) => first.has(w));
}

/** The model's own revision request: the critique's principle, the reply, and "rewrite it". */
export function revisionRequest(r: Reply, broken: readonly Principle[]): string {
  return (
    `Request: ${r.request}\nReply: ${r.response.trim().replace(/\n+/g, " / ")}\n` +
    `Rule: ${broken.map((p) => p.text).join(" ")}\nRewrite the reply so that it follows the rule.`
  );
}

/**
 * The model's revisions of `replies` (greedy, one per reply), in order;
 * null where the revision request does not fit the context.
 */
export function modelRevisions(
  model: GPT,
  tok: BpeTokenizer,
  replies: readonly { reply: Reply; broken: readonly Principle[] }[],
  maxNewTokens = 24,
  batch = 32,
): (string | null)[] {
  const C = model.config.contextLength;
  const prompts = replies.map((x) =>
    renderPrompt(tok, [{ role: "user", content: revisionRequest(x.reply, x.broken) }]),
  );
  const fits = prompts.map((p) => p.length + maxNewTokens <= C);
  const asked = prompts.filter((_, i) => fits[i]);
  const texts: string[] = [];
  for (let i = 0; i < asked.length; i += batch) {
    const g = generate(model, asked.slice(i, i + batch), {
      maxNewTokens,
      temperature: 0,
      stopTokens: [tok.special.eos],
      padId: tok.special.pad,
    });
    texts.push(...g.tokens.map((t) => tok.decode(t, { skipSpecial: true }).trim()));
  }
  let k = 0;
  return fits.map((f) => (f ? texts[k++] : null));
}

/**
 * Critique every reply, then revise the ones that break a principle: the
 * model's revision where it meets every principle, else the rule-made one.
 * `model` omitted: rule revisions only.
 */
export function critiqueAndRevise(
  replies: readonly Reply[],
  o: { model?: GPT; tok?: BpeTokenizer; principles?: readonly Principle[] } = {},
): Revised[] {
  const principles = o.principles ?? CONSTITUTION;
  const broken = replies.map((r) => violations(r, principles));
  const todo = replies.flatMap((reply, i) => (broken[i].length ? [{ reply, broken: broken[i], i }] : []));
  const byModel = new Map<number, string | null>();
  if (o.model && o.tok) {
    const texts = modelRevisions(o.model, o.tok, todo);
    todo.forEach((t, k) => byModel.set(t.i, texts[k]));
  }
  return replies.map((reply, i) => {
    const b = broken[i];
    const base = { reply, broken: b.map((p) => p.id), critique: b.map((p) => p.critique).join(" ") };
    if (b.length === 0) return { ...base, revision: null, by: "none" };
    const m = byModel.get(i);
    if (
      m &&
      keepsAnswer(reply.response, m) &&
      violations({ ...reply, response: m, stopped: true }, principles).length === 0
    )
      return { ...base, revision: m, by: "model" };
    const rule = ruleRevision(reply, principles);
    return { ...base, revision: rule, by: rule === null ? "unrevisable" : "rule" };
  });
}
