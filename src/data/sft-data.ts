/**
 * The SFT dataset: instances of the held-in tasks, rendered through their
 * FLAN-style templates into conversations in the Hugging Face chat format,
 *
 *   {"messages":[{"role":"user","content":"What is the opposite of hot?"},{"role":"assistant","content":"cold"}],"task":"antonym","cluster":"knowledge","template":0,"word":"hot"}
 *
 * plus the JSONL loaders that validate every line (SFT examples, and
 * preference pairs for later), and the step from records to training examples.
 *
 * The split by word: SFT draws every task's words from "train" headwords
 * only (and drops train facts whose answer is a held-out word), so any fact
 * about a "heldout" word that the tuned model gets right came from pretraining.
 */
import * as fs from "fs";
import { MaskMode, Message, renderChat } from "../chat/template";
import { Rng } from "../random";
import type { BpeTokenizer } from "../tokenizer/index";
import type { Headword } from "./facts";
import type { TemplateUse } from "./phrasing";
import type { PromptItem } from "./tasks/jsonl";
import { Example, renderExample } from "./sft-batches";
import {
  CLUSTER_SPLIT,
  CLUSTERS,
  Cluster,
  FewShotMode,
  SYSTEM_PROMPTS,
  Task,
  TaskInstance,
  TemplateStyle,
  fewShot,
  tasksIn,
  templatesFor,
  withAnswer,
  zeroShot,
} from "./tasks/index";
import { optionalString, parseMessages, readJsonl } from "./tasks/jsonl";

export { CLUSTER_SPLIT };
export * from "./tasks/eval-sets";

/** One training conversation and where it came from. */
export interface SftRecord {
  messages: Message[];
  task: string;
  cluster: Cluster;
  /** Index into the task's `templates`. */
  template: number;
  /** The headword the example is about, if any. */
  word?: string;
  /** "file:line" when read from a file (not written back). */
  source?: string;
}

export interface SftOptions {
  seed: number;
  /** Examples per task (FLAN-style equal mixing; few tasks repeat items). */
  perTask: number;
  headwords: readonly Headword[];
  /** Held-in clusters (default CLUSTER_SPLIT.heldIn). */
  clusters?: readonly Cluster[];
  /** Which words tasks may use (default "train": the split by word). */
  split?: "train" | "heldout" | "all";
  /** Which templates (default "corpus": the held-in ones). */
  templates?: TemplateUse | "all";
  /** Share of examples with solved demos before the request, and how many (1..maxK). */
  fewShotShare?: number;
  fewShotMaxK?: number;
  fewShotMode?: FewShotMode;
  /** How requests are worded (default "instructions"; FLAN's Table 3 ablation varies it). */
  templateStyle?: TemplateStyle;
  /** Share of examples with a system prompt from SYSTEM_PROMPTS. */
  systemShare?: number;
  /**
   * If set, examples longer than the context lose demos, then are dropped; both are reported.
   * Without it nothing is measured here; `sftExamples` checks lengths when rendering.
   */
  fit?: { tokenizer: BpeTokenizer; contextLength: number };
  /** Where reports go (default console.log). */
  log?: (message: string) => void;
}

/** Defaults of the optional settings: train words, held-in templates, 10 % few-shot (1–2 demos as turns), 20 % system prompts. */
export const SFT_DEFAULTS = Object.freeze({
  split: "train",
  templates: "corpus",
  fewShotShare: 0.1,
  fewShotMaxK: 2,
  fewShotMode: "turns",
  templateStyle: "instructions",
  systemShare: 0.2,
} as const);

/** What fitting did to one task's examples. */
interface FitTally {
  shrunk: number;
  dropped: number;
}

/** Demos for a few-shot example: fresh instances whose input differs from the query's. */
function demosFor(
  task: Task,
  rng: Rng,
  ctx: { headwords: readonly Headword[] },
  query: TaskInstance,
  k: number,
): TaskInstance[] {
  const out: TaskInstance[] = [];
  const same = (a: TaskInstance, b: TaskInstance) => JSON.stringify(a.input) === JSON.stringify(b.input);
  for (let tries = 0; out.length < k && tries < 10 * k; tries++) {
    const d = task.generate(rng, ctx);
    if (!same(d, query) && !out.some((o) => same(o, d))) out.push(d);
  }
  return out;
}

/**
 * Renders with demos; if `fit` is set and it is too long, retries with fewer
 * demos. Returns undefined when even the zero-shot form does not fit.
 */
function fitted(
  build: (demos: TaskInstance[]) => Message[],
  demos: TaskInstance[],
  fit: SftOptions["fit"],
  tally: FitTally,
): Message[] | undefined {
  for (let k = demos.length; k >= 0; k--) {
    const messages = build(demos.slice(0, k));
    if (!fit || renderChat(fit.tokenizer, messages).ids.length <= fit.contextLength) {
      if (k < demos.length) tally.shrunk++;
      return messages;
    }
  }
  tally.dropped++;
  return undefined;
}

/** The examples of one task. */
type Resolved = Required<Omit<SftOptions, "fit" | "log" | "clusters">> & Pick<SftOptions, "fit">;

function taskRecords(
  task: Task,
  o: Resolved,
  ctx: { headwords: readonly Headword[] },
  tally: FitTally,
): SftRecord[] {
  const rng = new Rng(o.seed).fork(`sft/${task.name}`);
  const templates = templatesFor(task, o.templates);
  if (templates.length === 0) throw new Error(`${task.name}: no templates with use "${o.templates}"`);
  const out: SftRecord[] = [];
  for (let i = 0; i < o.perTask; i++) {
    const inst = task.generate(rng, ctx);
    const { index } = rng.pick(templates);
    const system = rng.random() < o.systemShare ? rng.pick(SYSTEM_PROMPTS) : undefined;
    const k = rng.random() < o.fewShotShare ? rng.int(1, o.fewShotMaxK + 1) : 0;
    const demos = demosFor(task, rng, ctx, inst, k);
    const build = (ds: TaskInstance[]) =>
      withAnswer(
        ds.length
          ? fewShot(task, ds, inst, index, o.fewShotMode, system, o.templateStyle)
          : zeroShot(task, inst, index, system, o.templateStyle),
        inst,
      );
    const messages = fitted(build, demos, o.fit, tally);
    if (messages)
      out.push({
        messages,
        task: task.name,
        cluster: task.cluster,
        template: index,
        ...(inst.word ? { word: inst.word } : {}),
      });
  }
  return out;
}

/**
 * The words SFT may use: headwords of `split`. For "train", facts whose
 * answer (or an accepted one) is a held-out headword are left out too:
 * "opposite of hot → cold" would teach the held-out "opposite of cold → hot"
 * in reverse. Says how many it left out.
 */
export function sftWordPool(
  headwords: readonly Headword[],
  split: SftOptions["split"],
  log: (m: string) => void,
): Headword[] {
  if (split === "all") return headwords.slice();
  const pool = headwords.filter((h) => h.split === split);
  if (split !== "train") return pool;
  const heldout = new Set(headwords.filter((h) => h.split === "heldout").map((h) => h.word));
  const leaks = (f: Headword["facts"][number]) => [f.answer, ...f.accepted].some((a) => heldout.has(a));
  const n = pool.flatMap((h) => h.facts).filter(leaks).length;
  if (n)
    log(
      `buildSftDataset: left out ${n} train-word fact(s) whose answer is a held-out word (they would teach held-out facts in reverse)`,
    );
  return pool.map((h) => ({ ...h, facts: h.facts.filter((f) => !leaks(f)) }));
}

/**
 * Builds the SFT records, task by task (the trainer shuffles), deterministic
 * per seed. With `fit`, prints how many examples lost demos or were dropped
 * as too long for the context, per task; it never drops silently.
 */
export function buildSftDataset(opts: SftOptions): SftRecord[] {
  const o = { ...SFT_DEFAULTS, ...opts };
  const log = opts.log ?? console.log;
  const out: SftRecord[] = [];
  const ctx = { headwords: sftWordPool(o.headwords, o.split, log) };
  for (const task of tasksIn(opts.clusters ?? CLUSTER_SPLIT.heldIn)) {
    const tally: FitTally = { shrunk: 0, dropped: 0 };
    out.push(...taskRecords(task, o, ctx, tally));
    if (tally.shrunk)
      log(
        `buildSftDataset: ${task.name}: ${tally.shrunk} few-shot example(s) lost demos to fit the ${o.fit?.contextLength}-token context`,
      );
    if (tally.dropped)
      log(
        `buildSftDataset: ${task.name}: dropped ${tally.dropped} of ${o.perTask} example(s): longer than the ${o.fit?.contextLength}-token context even zero-shot`,
      );
  }
  return out;
}

/** A line read back: metadata is optional, since other tools write plain `messages` lines. */
export type SftLine = Pick<SftRecord, "messages" | "source"> &
  Partial<Omit<SftRecord, "messages" | "source">>;

/** Writes records as JSONL, without their `source`. */
export function writeSftJsonl(file: string, records: readonly SftLine[]): void {
  fs.writeFileSync(file, records.map(({ source: _s, ...r }) => JSON.stringify(r)).join("\n") + "\n");
}

/** One SFT line: messages that end with a non-empty assistant answer; optional metadata typed. */
function parseSft(o: Record<string, unknown>, source: string): SftLine {
  const messages = parseMessages(o.messages, "messages");
  if (!messages.some((m) => m.role === "assistant"))
    throw new Error('has no assistant turn: the answer is missing; add {"role":"assistant","content":…}');
  const last = messages[messages.length - 1].role;
  if (last !== "assistant")
    throw new Error(
      `the conversation ends with a ${last} turn; a training example must end with the assistant's answer`,
    );
  if (o.cluster !== undefined && !CLUSTERS.includes(o.cluster as Cluster))
    throw new Error(`"cluster" must be one of ${CLUSTERS.join(", ")}, got ${JSON.stringify(o.cluster)}`);
  if (o.template !== undefined && !Number.isInteger(o.template))
    throw new Error(`"template" must be a template index, got ${JSON.stringify(o.template)}`);
  const line: SftLine = { messages, source };
  const task = optionalString(o, "task"),
    word = optionalString(o, "word");
  if (task !== undefined) line.task = task;
  if (o.cluster !== undefined) line.cluster = o.cluster as Cluster;
  if (o.template !== undefined) line.template = o.template as number;
  if (word !== undefined) line.word = word;
  return line;
}

/** Reads SFT JSONL (Hugging Face `messages` format); lists every bad line as file:line. */
export function readSftJsonl(file: string): SftLine[] {
  return readJsonl(file, "SFT examples", parseSft);
}

/**
 * Records → training examples (ids + loss mask). A record longer than the
 * context is an error naming its file:line, or with `dropTooLong` is dropped
 * and counted in a printed message.
 */
export function sftExamples(
  tok: BpeTokenizer,
  records: readonly SftLine[],
  contextLength: number,
  opts: { mask?: MaskMode; dropTooLong?: boolean; log?: (m: string) => void } = {},
): Example[] {
  const out: Example[] = [];
  const tooLong: string[] = [];
  records.forEach((r, i) => {
    const source = r.source ?? `record ${i + 1} (${r.task ?? "no task"})`;
    const n = renderChat(tok, r.messages).ids.length;
    if (n > contextLength)
      tooLong.push(
        `${source}: renders to ${n} tokens but the context is ${contextLength}; shorten it, or pass dropTooLong to drop it`,
      );
    else out.push(renderExample(tok, r.messages, contextLength, source, { mask: opts.mask ?? "assistant" }));
  });
  if (tooLong.length && !opts.dropTooLong)
    throw new Error(`${tooLong.length} example(s) longer than the context:\n${tooLong.join("\n")}`);
  if (tooLong.length)
    (opts.log ?? console.log)(
      `sftExamples: dropped ${tooLong.length} of ${records.length} example(s) longer than the ${contextLength}-token context`,
    );
  return out;
}

/**
 * Eval prompts with their reference answers as training-format examples
 * (assistant-only mask), for a validation loss on held-out requests. Items
 * without an answer are skipped; one that does not fit the context throws.
 */
export function answeredExamples(
  tok: BpeTokenizer,
  items: readonly PromptItem[],
  contextLength: number,
  label = "eval",
): Example[] {
  return items.flatMap((it, i) => {
    if (it.answer === undefined) return [];
    const messages: Message[] = [...it.messages, { role: "assistant", content: it.answer }];
    return [renderExample(tok, messages, contextLength, `${label} item ${i + 1} (${it.task ?? "no task"})`)];
  });
}

/** A preference pair (TRL's conversational format): the prompt, a better and a worse answer. */
export interface PreferenceRecord {
  prompt: Message[];
  chosen: Message[];
  rejected: Message[];
  /** Extra fields the simulated raters write beside TRL's three: who ranked, and the hidden truth. */
  meta?: PreferenceMeta;
  source?: string;
}

/** Optional fields of a preference line (TRL ignores them). */
export interface PreferenceMeta {
  prompt_id?: string;
  rater?: string;
  gold_chosen?: number;
  gold_rejected?: number;
  /** The response hit the length limit without ending: it is rendered without the end token. */
  chosen_truncated?: boolean;
  rejected_truncated?: boolean;
}

const META_TYPES = {
  prompt_id: "string",
  rater: "string",
  gold_chosen: "number",
  gold_rejected: "number",
  chosen_truncated: "boolean",
  rejected_truncated: "boolean",
} as const;

function parseMeta(o: Record<string, unknown>): PreferenceMeta | undefined {
  const meta: Record<string, string | number | boolean> = {};
  for (const [k, type] of Object.entries(META_TYPES)) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== type || (type === "number" && !Number.isFinite(v)))
      throw new Error(
        `field ${k}: expected a ${type === "number" ? "finite number" : type}, got ${JSON.stringify(v)}`,
      );
    meta[k] = v as string | number | boolean;
  }
  return Object.keys(meta).length ? (meta as PreferenceMeta) : undefined;
}

/** A string answer is shorthand for one assistant turn; a string prompt for one user turn. */
function turns(v: unknown, field: string, role: "user" | "assistant"): Message[] {
  return parseMessages(typeof v === "string" ? [{ role, content: v }] : v, field);
}

function parsePreference(o: Record<string, unknown>, source: string): PreferenceRecord {
  const missing = ["prompt", "chosen", "rejected"].filter((k) => o[k] === undefined);
  if (missing.length)
    throw new Error(
      `missing ${missing.map((k) => `"${k}"`).join(", ")}; a preference line is {"prompt","chosen","rejected"}`,
    );
  const prompt = turns(o.prompt, "prompt", "user");
  if (prompt[prompt.length - 1].role !== "user")
    throw new Error("the prompt must end with the user's request");
  const [chosen, rejected] = (["chosen", "rejected"] as const).map((k) => {
    const m = turns(o[k], k, "assistant");
    if (m.some((x) => x.role !== "assistant"))
      throw new Error(`"${k}" must hold only assistant turns (the answer), not the prompt again`);
    return m;
  });
  if (JSON.stringify(chosen) === JSON.stringify(rejected))
    throw new Error("chosen and rejected are identical; the pair teaches nothing, drop it");
  const meta = parseMeta(o);
  return { prompt, chosen, rejected, ...(meta ? { meta } : {}), source };
}

/**
 * Writes preference JSONL in either of TRL's forms: "conversational" (message
 * lists) or "plain" (strings; only for a one-turn prompt and one-turn
 * answers). The rater fields go beside them; {@link readPreferenceJsonl} reads both forms back.
 */
export function writePreferenceJsonl(
  file: string,
  pairs: readonly PreferenceRecord[],
  form: "conversational" | "plain" = "conversational",
): void {
  const lines = pairs.map((p, i) => {
    const one = (m: Message[], field: string) => {
      if (m.length !== 1)
        throw new Error(
          `writePreferenceJsonl: pair ${i + 1}: ${field} has ${m.length} turns; the plain form holds one, ` +
            `write the conversational form instead`,
        );
      return m[0].content;
    };
    const body =
      form === "plain"
        ? {
            prompt: one(p.prompt, "prompt"),
            chosen: one(p.chosen, "chosen"),
            rejected: one(p.rejected, "rejected"),
          }
        : { prompt: p.prompt, chosen: p.chosen, rejected: p.rejected };
    return JSON.stringify({ ...body, ...p.meta });
  });
  fs.writeFileSync(file, lines.join("\n") + "\n");
}

/** Reads preference JSONL (`prompt`/`chosen`/`rejected`, strings or message lists); lists every bad line. */
export function readPreferenceJsonl(file: string): PreferenceRecord[] {
  return readJsonl(file, "preference pairs", parsePreference);
}

/** One line of TRL's unpaired preference format (KTO): a prompt, a completion, and whether it is desirable. */
export interface LabelRecord {
  prompt: Message[];
  completion: Message[];
  /** true: desirable; false: undesirable. */
  label: boolean;
  source?: string;
}

function parseLabel(o: Record<string, unknown>, source: string): LabelRecord {
  const missing = ["prompt", "completion", "label"].filter((k) => o[k] === undefined);
  if (missing.length)
    throw new Error(
      `missing ${missing.map((k) => `"${k}"`).join(", ")}; an unpaired line is {"prompt","completion","label"} ` +
        `with "label" true (desirable) or false (undesirable)`,
    );
  if (typeof o.label !== "boolean")
    throw new Error(
      `field label: ${JSON.stringify(o.label)} is not a label; write true (desirable) or false (undesirable)`,
    );
  const prompt = turns(o.prompt, "prompt", "user");
  if (prompt[prompt.length - 1].role !== "user")
    throw new Error("the prompt must end with the user's request");
  const completion = turns(o.completion, "completion", "assistant");
  if (completion.some((x) => x.role !== "assistant"))
    throw new Error(`"completion" must hold only assistant turns (the answer), not the prompt again`);
  return { prompt, completion, label: o.label, source };
}

/** Reads TRL's unpaired preference JSONL (KTO's data); bad lines are named by file:line with the fix. */
export function readLabelJsonl(file: string): LabelRecord[] {
  return readJsonl(file, "labelled responses", parseLabel);
}

/**
 * `n` records, every task as evenly represented as n allows: the records are
 * shuffled (seeded) and dealt task by task in turn, so 250 examples of 25
 * tasks are 10 per task, not whatever a prefix of the file holds.
 */
export function subsetRecords(records: readonly SftLine[], n: number, seed: number): SftLine[] {
  if (n > records.length)
    throw new Error(`subsetRecords: asked for ${n} examples but the dataset has ${records.length}`);
  const byTask = new Map<string, SftLine[]>();
  for (const r of new Rng(seed).fork("subset").shuffle(records.slice())) {
    const t = r.task ?? "untagged";
    if (!byTask.has(t)) byTask.set(t, []);
    byTask.get(t)!.push(r);
  }
  const queues = [...byTask.values()];
  const out: SftLine[] = [];
  for (let i = 0; out.length < n; i++) {
    const q = queues[i % queues.length];
    if (q.length) out.push(q.shift()!);
  }
  return out;
}
