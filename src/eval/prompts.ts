/**
 * Evaluation prompts (`PromptItem`s, read and written by src/data/tasks/jsonl.ts)
 * built from the corpus's facts and skills, and the prompting styles notebook
 * 01 compares on the base model (zero-shot, few-shot, tricks).
 */
import type { Message } from "../chat/template";
import type { PromptItem } from "../data/tasks/jsonl";
import {
  Headword,
  Relation,
  RELATIONS,
  render,
  Skill,
  SKILLS,
  questionsFor,
  TemplateUse,
} from "../data/facts";
import { skillInstance } from "../data/skills";
import { Rng } from "../random";

const user = (content: string): Message[] => [{ role: "user", content }];

/** Knowledge questions about headwords of `split`, phrased with `use` templates. */
export function factPrompts(
  headwords: readonly Headword[],
  opts: { split: "train" | "heldout"; use: TemplateUse; seed: number },
): PromptItem[] {
  const rng = new Rng(opts.seed).fork(`facts/${opts.split}/${opts.use}`);
  const out: PromptItem[] = [];
  for (const h of headwords.filter((w) => w.split === opts.split)) {
    for (const f of h.facts) {
      const t = rng.pick(questionsFor(f.relation, opts.use));
      out.push({
        messages: user(render(t.text, { word: f.word })),
        answer: f.answer,
        accepted: f.accepted,
        task: f.relation,
      });
    }
  }
  return out;
}

/** `perSkill` problems of each algorithmic skill. */
export function skillPrompts(
  headwords: readonly Headword[],
  opts: { perSkill: number; use: TemplateUse; seed: number; skills?: readonly Skill[] },
): PromptItem[] {
  const rng = new Rng(opts.seed).fork(`skills/${opts.use}`);
  const vocab = headwords.map((h) => h.word);
  return (opts.skills ?? SKILLS).flatMap((skill) =>
    Array.from({ length: opts.perSkill }, () => {
      const inst = skillInstance(skill, rng, vocab);
      return {
        messages: user(render(rng.pick(questionsFor(skill, opts.use)).text, inst.vars)),
        answer: inst.answer,
        task: skill,
      };
    }),
  );
}

/** How a request is put to a base model in notebook 01. */
export const PROMPT_STYLES = [
  "zero-shot",
  "few-shot-1",
  "few-shot-3",
  "few-shot-5",
  "qa",
  "answer-suffix",
] as const;
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
    const shortest = same
      .slice()
      .sort(
        (a, b) =>
          a.messages[0].content.length +
          (a.answer ?? "").length -
          (b.messages[0].content.length + (b.answer ?? "").length),
      );
    const shots = shortest
      .slice(0, k)
      .map((d) => `Q: ${d.messages[d.messages.length - 1].content}\nA: ${d.answer}`);
    text = `${shots.join("\n\n")}\n\nQ: ${q}\nA:`;
  }
  return { ...item, messages: user(text) };
}

export { RELATIONS, SKILLS };
export type { Relation, Skill };
