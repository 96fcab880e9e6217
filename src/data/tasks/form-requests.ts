/**
 * Form requests: a sentence appended to a prompt of any task that asks for
 * a form of the reply ("End your answer with a period."), each checkable by
 * a program, like IFEval's verifiable instructions (Zhou et al. 2023).
 *
 * Why they exist: the preference stages (notebooks 04–07) need a quality
 * that SFT does not already saturate and that a policy can carry to prompts
 * it never trained on. SFT's demonstrations never add such a request to a
 * task, so the SFT model meets one a little over half the time (often by
 * writing a whole sentence that ends with a period), and its 4 samples of a
 * prompt disagree on it for almost half the prompts that carry one
 * (data/sft/prompts_heldout.jsonl, `npm run bench:headroom`). Meeting it is
 * the same behaviour on every prompt: unlike a fact, it can transfer.
 *
 * A request is read off the prompt's text, never off a hidden field, so a
 * judge that sees only the request and the reply (the constitution of
 * notebook 06) can check it, and a hand-written prompts file can use it.
 */
import { C, Constraint, words } from "./check";
import { buildPromptPools, checkEvalItem, EvalItem, PromptPoolName } from "./eval-sets";
import type { Headword } from "../facts";
import { Rng } from "../../random";

export interface FormRequest {
  /** What the user writes, on its own line after the request. */
  text: string;
  constraint: Constraint;
  /** The reference answer, changed to meet the request (so `concise` and `format` still read off it). */
  reference(answer: string): string;
  /** Whether the request suits a task with this reference answer. */
  suits(answer: string): boolean;
}

const oneLine = (s: string) => !s.trim().includes("\n");

/** The requests, by id (the SFT model meets "one word" more often than "period": see module doc). */
export const FORM_REQUESTS = {
  period: {
    text: "End your answer with a period.",
    constraint: C.endsWithPeriod(),
    reference: (a: string) => `${a.trim()}.`,
    suits: (a: string) => oneLine(a) && !/[.!?}]$/.test(a.trim()) && !/^[-*•]/.test(a.trim()),
  },
  one_word: {
    text: "Answer in one word.",
    constraint: { name: "one word", test: (r: string) => words(r).length === 1 && oneLine(r) },
    reference: (a: string) => a.trim(),
    suits: (a: string) => oneLine(a) && words(a).length === 1 && /^[A-Za-z']+$/.test(a.trim()),
  },
} as const satisfies Record<string, FormRequest>;
export type FormRequestId = keyof typeof FORM_REQUESTS;
export const FORM_REQUEST_IDS = Object.keys(FORM_REQUESTS) as FormRequestId[];

/** The requests a prompt's text makes: each whose sentence stands on a line of its own. */
export function requestedForms(request: string): FormRequestId[] {
  const lines = new Set(request.split("\n").map((l) => l.trim()));
  return FORM_REQUEST_IDS.filter((id) => lines.has(FORM_REQUESTS[id].text));
}

/** Whether `response` meets every form `request` asks for (true when it asks for none). */
export function meetsForms(request: string, response: string): boolean {
  return requestedForms(request).every((id) => FORM_REQUESTS[id].constraint.test(response.trim()));
}

/**
 * `item` with request `id` appended to its last user turn and its reference
 * answer changed to meet it. Refused where the task's own checker would
 * count the changed reference wrong: a request may change the form of an
 * answer, never make a right answer wrong.
 */
export function withFormRequest(item: EvalItem, id: FormRequestId): EvalItem {
  const req: FormRequest = FORM_REQUESTS[id];
  const answer = req.reference(item.answer);
  if (!suitableRequests(item).includes(id))
    throw new Error(
      `form request ${id} does not suit task ${item.task} (answer ${JSON.stringify(item.answer)}): ` +
        `the task's checker would count the changed answer wrong; pick one of suitableRequests(item)`,
    );
  const last = item.messages.map((m) => m.role).lastIndexOf("user");
  const messages = item.messages.map((m, i) =>
    i === last ? { ...m, content: `${m.content}\n${req.text}` } : m,
  );
  const accepted = item.accepted?.map(req.reference);
  return { ...item, messages, answer, ...(accepted ? { accepted } : {}) };
}

/** The requests that suit `item` (none for a JSON object, a list, a sentence that already ends). */
export function suitableRequests(item: EvalItem): FormRequestId[] {
  return FORM_REQUEST_IDS.filter((id) => {
    const req: FormRequest = FORM_REQUESTS[id];
    return req.suits(item.answer) && checkEvalItem(item, req.reference(item.answer)).correct;
  });
}

/** Each item, with probability `share`, gets one request drawn from those that suit it. */
export function addFormRequests(items: readonly EvalItem[], rng: Rng, share = 0.5): EvalItem[] {
  return items.map((item) => {
    const ids = suitableRequests(item);
    return ids.length > 0 && rng.random() < share ? withFormRequest(item, rng.pick(ids)) : item;
  });
}

/** Share of the preference stages' prompts that carry a form request. */
export const FORM_REQUEST_SHARE = 0.5;

/**
 * The prompts of the preference stages (data/sft/prompts_<name>.jsonl):
 * the `rm` and `policy` pools of {@link buildPromptPools} and `heldout`, the
 * held-in eval set (words no stage shows), each with a form request on
 * about half its prompts. SFT's own data and eval sets carry none.
 */
export function buildPreferencePrompts(
  headwords: readonly Headword[],
  o: { seed: number; heldin: readonly EvalItem[] },
): Record<PromptPoolName | "heldout", EvalItem[]> {
  const pools = buildPromptPools(headwords, { seed: o.seed });
  const add = (name: string, items: readonly EvalItem[]) =>
    addFormRequests(items, new Rng(o.seed).fork(`form-requests/${name}`), FORM_REQUEST_SHARE);
  return { rm: add("rm", pools.rm), policy: add("policy", pools.policy), heldout: add("heldout", o.heldin) };
}
