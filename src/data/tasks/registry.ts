/** The registry of tasks: every task, cluster by cluster, and lookups. */
import { ARITHMETIC_TASKS } from "./arithmetic";
import { CHOICE_TASKS } from "./choice";
import { CLASSIFICATION_TASKS } from "./classification";
import { CLOSED_QA_TASKS } from "./closed-qa";
import { CODING_TASKS } from "./coding";
import { COMPLETION_TASKS } from "./completion";
import { CONSTRAINED_TASKS } from "./constrained";
import { FORMATTING_TASKS } from "./formatting";
import { KNOWLEDGE_TASKS } from "./knowledge";
import { STRING_TASKS } from "./string";
import { SUMMARISATION_TASKS } from "./summarisation";
import { TRANSLATION_TASKS } from "./translation";
import { CLUSTERS, Cluster, Learnable, Task } from "./types";

/** Every task, cluster by cluster. */
export const TASKS: readonly Task[] = [
  ...CLOSED_QA_TASKS,
  ...KNOWLEDGE_TASKS,
  ...SUMMARISATION_TASKS,
  ...TRANSLATION_TASKS,
  ...CLASSIFICATION_TASKS,
  ...STRING_TASKS,
  ...ARITHMETIC_TASKS,
  ...FORMATTING_TASKS,
  ...CONSTRAINED_TASKS,
  ...CODING_TASKS,
  ...CHOICE_TASKS,
  ...COMPLETION_TASKS,
];

/** The task called `name`; the error lists the names there are. */
export function getTask(name: string): Task {
  const t = TASKS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown task "${name}"; tasks are: ${TASKS.map((x) => x.name).join(", ")}`);
  return t;
}

/** Tasks of some clusters, in registry order. */
export function tasksIn(clusters: readonly Cluster[]): Task[] {
  const unknown = clusters.filter((c) => !CLUSTERS.includes(c));
  if (unknown.length)
    throw new Error(`unknown cluster(s) ${unknown.join(", ")}; clusters are: ${CLUSTERS.join(", ")}`);
  return TASKS.filter((t) => clusters.includes(t.cluster));
}

/** One row per task, for the notebook's table. */
export interface TaskRow {
  task: string;
  cluster: Cluster;
  learnable: Learnable;
  why: string;
  templates: number;
  heldoutTemplates: number;
  description: string;
}

export function taskTable(tasks: readonly Task[] = TASKS): TaskRow[] {
  return tasks.map((t) => ({
    task: t.name,
    cluster: t.cluster,
    learnable: t.learnable,
    why: t.why,
    templates: t.templates.filter((x) => (x.use ?? "corpus") === "corpus").length,
    heldoutTemplates: t.templates.filter((x) => x.use === "heldout").length,
    description: t.description,
  }));
}
