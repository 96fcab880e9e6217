/**
 * The shape of an instruction task: a seeded generator of problems, FLAN-style
 * templates that turn a problem into a request, and a checker that scores any
 * response. Tasks are grouped in clusters (kinds of work an assistant is asked
 * for), so a model can be tuned on some clusters and tested on the others.
 */
import type { Headword } from "../facts";
import type { TemplateUse } from "../phrasing";
import type { Rng } from "../../random";

/** The kinds of work, one cluster each (FLAN's "task clusters"). */
export const CLUSTERS = [
  "closed_qa",
  "knowledge",
  "summarisation",
  "translation",
  "classification",
  "string",
  "arithmetic",
  "formatting",
  "constrained",
  "coding",
  "choice",
  "completion",
] as const;
export type Cluster = (typeof CLUSTERS)[number];

/**
 * Can the 2 M-parameter base model plausibly get this right after SFT here?
 * - knowledge: the answer is a fact the base model learned in pretraining
 *   (notebook 03 measures how many, on words SFT never showed);
 * - format: the answer is in the prompt or is a small fixed mapping, so SFT
 *   only has to teach where to look and how to lay it out;
 * - unlikely: needs an algorithm over letters or digits (notebook 03 measures each).
 */
export type Learnable = "knowledge" | "format" | "unlikely";

/** How a template puts the request (FLAN: vary the phrasing, and invert it). */
export type TemplateForm = "imperative" | "question" | "inverted";

/**
 * An instruction with `{placeholders}` filled from an instance's `input`.
 * `use`: "corpus" (the default) = held-in, SFT may train on it; "heldout" =
 * reserved for the "new phrasings" evaluation. For knowledge tasks these are
 * the phrasing tables' own marks: heldout phrasings never occur in pretraining.
 */
export interface Template {
  text: string;
  form: TemplateForm;
  use?: TemplateUse;
}

/** One generated problem. */
export interface TaskInstance {
  /** Template variables (the problem's input). */
  input: Record<string, string | number>;
  /** The reference answer: a response that passes the checker. */
  answer: string;
  /** Other answers an exact-match checker accepts. */
  accepted?: string[];
  /** The headword the problem is about, for the split by word. */
  word?: string;
}

/** A checker's verdict on one response. */
export interface CheckResult {
  correct: boolean;
  /** Partial credit in [0, 1]; 1 when correct. */
  score: number;
  /** Why, in a few words (shown in notebook tables). */
  reason: string;
}

/**
 * What generators may draw from. `headwords` is the word pool: SFT passes only
 * "train" words, evaluation the "heldout" ones, so no held-out word is ever
 * shown during SFT by any task.
 */
export interface GenContext {
  headwords: readonly Headword[];
}

/** One task of the registry. */
export interface Task {
  name: string;
  cluster: Cluster;
  description: string;
  learnable: Learnable;
  /** One line: why it is (not) learnable here. */
  why: string;
  /** Draws a problem; a pure function of the rng state and the context. */
  generate(rng: Rng, ctx: GenContext): TaskInstance;
  templates: readonly Template[];
  /** Scores a response (the text the model wrote before its end token). */
  check(response: string, instance: TaskInstance): CheckResult;
}

/** The templates a task's `use` filter selects ("all" = every one). */
export function templatesFor(task: Task, use: TemplateUse | "all"): { template: Template; index: number }[] {
  return task.templates
    .map((template, index) => ({ template, index }))
    .filter(({ template }) => use === "all" || (template.use ?? "corpus") === use);
}
