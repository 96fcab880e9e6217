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

/** The request text of `inst` under template `templateIndex` of `task`. */
export function requestText(task: Task, inst: TaskInstance, templateIndex: number): string {
  const t = task.templates[templateIndex];
  if (!t) throw new Error(`${task.name}: no template ${templateIndex} (it has ${task.templates.length})`);
  return render(t.text, inst.input);
}

const sys = (system?: string): Message[] => (system ? [{ role: "system", content: system }] : []);

/** Zero-shot prompt: [system], user. The model's answer comes next. */
export function zeroShot(task: Task, inst: TaskInstance, templateIndex: number, system?: string): Message[] {
  return [...sys(system), { role: "user", content: requestText(task, inst, templateIndex) }];
}

/** Few-shot prompt: `demos` solved with the same template, then the request. */
export function fewShot(
  task: Task,
  demos: readonly TaskInstance[],
  inst: TaskInstance,
  templateIndex: number,
  mode: FewShotMode = "turns",
  system?: string,
): Message[] {
  if (mode === "inline") {
    const shots = demos.map((d) => `Q: ${requestText(task, d, templateIndex)}\nA: ${d.answer}`);
    return [
      ...sys(system),
      { role: "user", content: [...shots, `Q: ${requestText(task, inst, templateIndex)}\nA:`].join("\n\n") },
    ];
  }
  const turns = demos.flatMap((d): Message[] => [
    { role: "user", content: requestText(task, d, templateIndex) },
    { role: "assistant", content: d.answer },
  ]);
  return [...sys(system), ...turns, { role: "user", content: requestText(task, inst, templateIndex) }];
}

/** The prompt with the reference answer as the assistant turn: a training conversation. */
export function withAnswer(prompt: readonly Message[], inst: TaskInstance): Message[] {
  return [...prompt, { role: "assistant", content: inst.answer }];
}
