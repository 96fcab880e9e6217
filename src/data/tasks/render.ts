/**
 * From a task instance to a conversation: zero-shot (the request as the user
 * turn), few-shot, and an optional system prompt.
 *
 * Few-shot demos go in as prior turns by default (`"turns"`: user, assistant,
 * user, assistant, …, user): that is how a chat model sees solved examples,
 * and the same chat template renders them, so nothing new is learned about
 * the layout. `"inline"` puts "Q: … / A: …" demos inside the one user turn,
 * the way notebook 01 prompts the base model.
 */
import type { Message } from "../../chat/template";
import { render } from "../phrasing";
import type { Task, TaskInstance } from "./types";

/**
 * A small set of system prompts; SFT puts one on a share of examples so the
 * model tolerates them. Short on purpose: each costs context (about 3 to 5
 * tokens a word outside the corpus's vocabulary) that passages need.
 */
export const SYSTEM_PROMPTS: readonly string[] = [
  "You are a helpful assistant.",
  "Answer briefly.",
  "Give only the answer.",
  "Be exact.",
];

/** Where few-shot demos go: as prior chat turns, or as Q/A text inside the user turn. */
export type FewShotMode = "turns" | "inline";

/**
 * How a request is worded (FLAN's Table 3 ablation): "instructions" = the
 * task's template; "inputs" = the inputs alone, one per line, no instruction
 * (FLAN's "no template"); "task-name" = the task's name in brackets, then the
 * inputs (FLAN's "dataset name" templates). Only "instructions" tells a model
 * what a task it has never seen asks for.
 */
export const TEMPLATE_STYLES = ["instructions", "inputs", "task-name"] as const;
export type TemplateStyle = (typeof TEMPLATE_STYLES)[number];

/** The request text of `inst` under template `templateIndex` of `task`, worded in `style`. */
export function requestText(
  task: Task,
  inst: TaskInstance,
  templateIndex: number,
  style: TemplateStyle = "instructions",
): string {
  const t = task.templates[templateIndex];
  if (!t) throw new Error(`${task.name}: no template ${templateIndex} (it has ${task.templates.length})`);
  if (style === "instructions") return render(t.text, inst.input);
  const inputs = Object.values(inst.input).map(String).join("\n");
  if (style === "inputs") return inputs;
  if (style === "task-name") return `[${task.name}] ${inputs}`;
  throw new Error(`unknown template style "${style as string}"; styles are: ${TEMPLATE_STYLES.join(", ")}`);
}

const sys = (system?: string): Message[] => (system ? [{ role: "system", content: system }] : []);

/** Zero-shot prompt: [system], user. The model's answer comes next. */
export function zeroShot(
  task: Task,
  inst: TaskInstance,
  templateIndex: number,
  system?: string,
  style?: TemplateStyle,
): Message[] {
  return [...sys(system), { role: "user", content: requestText(task, inst, templateIndex, style) }];
}

/** Few-shot prompt: `demos` solved with the same template, then the request. */
export function fewShot(
  task: Task,
  demos: readonly TaskInstance[],
  inst: TaskInstance,
  templateIndex: number,
  mode: FewShotMode = "turns",
  system?: string,
  style?: TemplateStyle,
): Message[] {
  const ask = (x: TaskInstance) => requestText(task, x, templateIndex, style);
  if (mode === "inline") {
    const shots = demos.map((d) => `Q: ${ask(d)}\nA: ${d.answer}`);
    return [...sys(system), { role: "user", content: [...shots, `Q: ${ask(inst)}\nA:`].join("\n\n") }];
  }
  const turns = demos.flatMap((d): Message[] => [
    { role: "user", content: ask(d) },
    { role: "assistant", content: d.answer },
  ]);
  return [...sys(system), ...turns, { role: "user", content: ask(inst) }];
}

/** The prompt with the reference answer as the assistant turn: a training conversation. */
export function withAnswer(prompt: readonly Message[], inst: TaskInstance): Message[] {
  return [...prompt, { role: "assistant", content: inst.answer }];
}
