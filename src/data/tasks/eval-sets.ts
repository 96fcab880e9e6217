/**
 * Evaluation sets for instruction tuning, in the PromptItem format of
 * src/eval/prompts.ts (so `npm run eval` reads them) plus the fields needed
 * to re-score a response with the task's own checker (constraints, case,
 * JSON): `cluster`, `template`, `input`, `word`.
 *
 * Every set draws words from the "heldout" half only, so no word in any eval
 * prompt was shown during SFT:
 * - heldin: held-in clusters, held-in templates (what SFT trained, new items);
 * - new_phrasings: held-in clusters, templates reserved as "heldout";
 * - heldout_clusters: clusters SFT never saw, held-in templates;
 * - knowledge_heldout_words: every stated fact (both directions of the two-way
 *   relations) and definable gloss of every held-out
 *   word, so a right answer can only come from pretraining.
 */
import * as fs from "fs";
import { Headword, statedFacts } from "../facts";
import type { TemplateUse } from "../phrasing";
import { PromptItem, readPrompts } from "./jsonl";
import { Rng } from "../../random";
import { exactCheck } from "./check";
import { getTask, TASKS, tasksIn } from "./registry";
import { definable, definitionInstance, factInstance } from "./knowledge";
import { zeroShot } from "./render";
import { CLUSTER_SPLIT, ClusterSplit } from "./split";
import { CheckResult, Cluster, Task, TaskInstance, templatesFor } from "./types";

/** A PromptItem with what the task checker needs. */
export interface EvalItem extends PromptItem {
  answer: string;
  task: string;
  cluster: Cluster;
  template: number;
  input: Record<string, string | number>;
  word?: string;
}

/** The evaluation sets; files are data/sft/eval_<name>.jsonl. */
export const EVAL_SET_NAMES = [
  "heldin",
  "new_phrasings",
  "heldout_clusters",
  "knowledge_heldout_words",
] as const;
export type EvalSetName = (typeof EVAL_SET_NAMES)[number];

/** How many items, from which seed, under which cluster split. */
export interface EvalOptions {
  seed: number;
  /** Items per task in the sampled sets. */
  perTask: number;
  split?: ClusterSplit;
}

/** An eval item for `inst` under a template of `use`, drawn with `rng`. */
export function evalItem(task: Task, inst: TaskInstance, rng: Rng, use: TemplateUse): EvalItem {
  const { index } = rng.pick(templatesFor(task, use));
  return {
    messages: zeroShot(task, inst, index),
    answer: inst.answer,
    ...(inst.accepted?.length ? { accepted: inst.accepted } : {}),
    task: task.name,
    cluster: task.cluster,
    template: index,
    input: inst.input,
    ...(inst.word ? { word: inst.word } : {}),
  };
}

/** `perTask` items of each task in `clusters`, from held-out words, phrased with `use` templates. */
export function sampled(
  headwords: readonly Headword[],
  clusters: readonly Cluster[],
  use: TemplateUse,
  o: EvalOptions,
  label: string,
): EvalItem[] {
  const ctx = { headwords: headwords.filter((h) => h.split === "heldout") };
  return tasksIn(clusters).flatMap((task) => {
    const rng = new Rng(o.seed).fork(`eval/${label}/${task.name}`);
    return Array.from({ length: o.perTask }, () => evalItem(task, task.generate(rng, ctx), rng, use));
  });
}

/**
 * Solved examples for few-shot prompting of a base model: `perTask` items of
 * each named task from the "train" half of the words (never an eval word),
 * held-in templates.
 */
export function demoItems(
  headwords: readonly Headword[],
  tasks: readonly string[],
  perTask: number,
  seed: number,
): EvalItem[] {
  const ctx = { headwords: headwords.filter((h) => h.split === "train") };
  return [...new Set(tasks)].flatMap((name) => {
    const task = getTask(name);
    const rng = new Rng(seed).fork(`demos/${name}`);
    return Array.from({ length: perTask }, () => evalItem(task, task.generate(rng, ctx), rng, "corpus"));
  });
}

/**
 * Prompt pools of the preference stages, InstructGPT-style: separate prompts
 * for the reward model (`rm`) and for the policy's RL (`policy`). Both are
 * held-in clusters and templates over the "train" half of the words (the
 * distribution SFT was trained on, new items); a method's held-out score is
 * read on the eval sets, whose words no stage ever shows. Files:
 * data/sft/prompts_<name>.jsonl, written by src/cli/build-sft.ts.
 */
export const PROMPT_POOL_NAMES = ["rm", "policy"] as const;
export type PromptPoolName = (typeof PROMPT_POOL_NAMES)[number];

/** Prompts per task of each pool (the reward model needs many comparisons; RL far fewer prompts). */
export const POOL_PER_TASK: Readonly<Record<PromptPoolName, number>> = Object.freeze({ rm: 200, policy: 40 });

export function buildPromptPools(
  headwords: readonly Headword[],
  o: { seed: number; perTask?: Readonly<Record<PromptPoolName, number>>; split?: ClusterSplit },
): Record<PromptPoolName, EvalItem[]> {
  const split = o.split ?? CLUSTER_SPLIT;
  const ctx = { headwords: headwords.filter((h) => h.split === "train") };
  const pool = (name: PromptPoolName) =>
    tasksIn(split.heldIn).flatMap((task) => {
      const rng = new Rng(o.seed).fork(`prompts/${name}/${task.name}`);
      const n = (o.perTask ?? POOL_PER_TASK)[name];
      return Array.from({ length: n }, () => evalItem(task, task.generate(rng, ctx), rng, "corpus"));
    });
  return { rm: pool("rm"), policy: pool("policy") };
}

/** Every fact and definable gloss of the held-out words, held-in templates. */
function knowledgeItems(headwords: readonly Headword[], seed: number): EvalItem[] {
  const rng = new Rng(seed).fork("eval/knowledge_heldout_words");
  const heldout = headwords.filter((h) => h.split === "heldout");
  // Both directions of the two-way facts (statedFacts), as the corpus states them.
  const facts = statedFacts(headwords)
    .filter((f) => f.split === "heldout")
    .map((f) => evalItem(getTask(f.relation), factInstance(f), rng, "corpus"));
  const glosses = heldout
    .filter(definable)
    .map((h) => evalItem(getTask("definition"), definitionInstance(h, headwords), rng, "corpus"));
  return [...facts, ...glosses];
}

/** The four evaluation sets (see module doc), deterministic per seed. */
export function buildEvalSets(
  headwords: readonly Headword[],
  o: EvalOptions,
): Record<EvalSetName, EvalItem[]> {
  const split = o.split ?? CLUSTER_SPLIT;
  return {
    heldin: sampled(headwords, split.heldIn, "corpus", o, "heldin"),
    new_phrasings: sampled(headwords, split.heldIn, "heldout", o, "new_phrasings"),
    heldout_clusters: sampled(headwords, split.heldOut, "corpus", o, "heldout_clusters"),
    knowledge_heldout_words: knowledgeItems(headwords, o.seed),
  };
}

/** Writes eval items as JSONL (PromptItem fields first). */
export function writeEvalJsonl(file: string, items: readonly EvalItem[]): void {
  fs.writeFileSync(file, items.map((it) => JSON.stringify(it)).join("\n") + "\n");
}

/**
 * Reads an eval file: validated by `readPrompts` (so it is exactly what the
 * eval CLI accepts), then the checker fields, which must all be present.
 */
export function readEvalJsonl(file: string): EvalItem[] {
  const items = readPrompts(file);
  const raw = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((l, i) => ({ l, n: i + 1 }))
    .filter(({ l }) => l.trim() !== "");
  const bad: string[] = [];
  const out = items.map((item, i) => {
    const o = JSON.parse(raw[i].l) as Record<string, unknown>;
    const missing = ["answer", "task", "cluster", "template", "input"].filter((k) => o[k] === undefined);
    if (missing.length)
      bad.push(
        `${file}:${raw[i].n}: missing ${missing.join(", ")}; rebuild it with npx tsx src/cli/build-sft.ts`,
      );
    return { ...item, ...o, messages: item.messages } as EvalItem;
  });
  if (bad.length) throw new Error(`${bad.length} bad line(s) in ${file}:\n${bad.join("\n")}`);
  return out;
}

/** Scores a response to an eval item with its task's checker. */
export function checkEvalItem(item: EvalItem, response: string): CheckResult {
  const inst: TaskInstance = {
    input: item.input,
    answer: item.answer,
    ...(item.accepted ? { accepted: item.accepted } : {}),
    ...(item.word ? { word: item.word } : {}),
  };
  return getTask(item.task).check(response, inst);
}

/** A prompt with a reference answer: what correctness and the gold reward can be scored on. */
export type AnsweredItem = PromptItem & { answer: string };

/**
 * Scores a response to any prompt with a reference answer: by its task's own
 * checker (case, lists, JSON, constraints, partial credit) when the item names
 * a registered task and carries its inputs, as the eval sets do; otherwise
 * (hand-written prompts files, a `task` used only as a tag) by exact match
 * against `answer`/`accepted`, with word F1 as partial credit.
 */
export function checkPromptItem(item: AnsweredItem, response: string): CheckResult {
  if (item.input && TASKS.some((t) => t.name === item.task)) return checkEvalItem(item as EvalItem, response);
  return exactCheck(response, {
    input: item.input ?? {},
    answer: item.answer,
    ...(item.accepted ? { accepted: item.accepted } : {}),
  });
}
