/**
 * Self-Instruct (Wang et al. 2023): the 175 human-written seed tasks, a light
 * analysis of their diversity, and the filter that decides which new
 * instructions may join the task pool.
 *
 * The filter follows the paper and its reference code: a candidate joins the
 * pool only if its ROUGE-L with every instruction already in the pool is
 * below 0.7, it has 4–150 words, contains none of a list of keywords a text
 * model cannot serve (image, graph, file, draw, ...), does not open with
 * "Write a program", and does not start with punctuation or a non-ASCII
 * character. We add exact-duplicate detection and count every rejection by
 * reason.
 */
import * as fs from "fs";
import * as path from "path";
import { Rng } from "../random";
import { readFactsFile } from "./facts-file";
import { PATHS } from "./paths";
import { RELATIONS, RELATION_PHRASING, Relation, SKILLS, SKILL_PHRASING, Skill, render } from "./phrasing";
import { skillInstance } from "./skills";
import { RougeIndex } from "./rouge";

export * from "./rouge";

/** Default location of the copied seed tasks (Apache-2.0, LICENSE beside it). */
export const SEED_TASKS_PATH = PATHS.selfInstructSeeds;

/** One input/output example of a seed task (`input` may be ""). */
export interface SeedInstance {
  input: string;
  output: string;
}

/** One line of seed_tasks.jsonl. */
export interface SeedTask {
  id: string;
  name: string;
  instruction: string;
  instances: SeedInstance[];
  is_classification: boolean;
}

const FIX_HINT =
  'Each line must be one JSON object {"id", "name", "instruction", "instances": [{"input", "output"}], "is_classification"}; ' +
  "fix or delete the lines named, or restore the committed copy with `git checkout -- data/self-instruct/seed_tasks.jsonl`.";

/** The problem with one parsed line, or undefined if it is a valid task. */
function lineProblem(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "expected a JSON object";
  const o = v as Record<string, unknown>;
  for (const k of ["id", "name", "instruction"]) {
    if (typeof o[k] !== "string" || (o[k] as string).trim() === "")
      return `field ${k}: expected a non-empty string, got ${JSON.stringify(o[k])}`;
  }
  if (typeof o.is_classification !== "boolean")
    return `field is_classification: expected true or false, got ${JSON.stringify(o.is_classification)}`;
  if (!Array.isArray(o.instances) || o.instances.length === 0)
    return "field instances: expected a non-empty array";
  for (let i = 0; i < o.instances.length; i++) {
    const x = o.instances[i] as Record<string, unknown> | null;
    if (typeof x !== "object" || x === null || typeof x.input !== "string" || typeof x.output !== "string") {
      return `field instances[${i}]: expected {"input": string, "output": string}, got ${JSON.stringify(x)}`;
    }
  }
  return undefined;
}

/**
 * Parses seed tasks from JSONL text. Checks every line and throws one error
 * listing each bad line as `file:line: problem`, then how to fix it.
 */
export function parseSeedTasks(text: string, file = "<text>"): SeedTask[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // the final newline
  const tasks: SeedTask[] = [];
  const problems: string[] = [];
  const ids = new Map<string, number>();
  lines.forEach((raw, i) => {
    const at = `${file}:${i + 1}`;
    if (raw.trim() === "") return problems.push(`${at}: empty line`);
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      return problems.push(`${at}: not valid JSON (${(e as Error).message})`);
    }
    const problem = lineProblem(v);
    if (problem) return problems.push(`${at}: ${problem}`);
    const t = v as SeedTask;
    if (ids.has(t.id))
      return problems.push(`${at}: duplicate id ${JSON.stringify(t.id)} (first on line ${ids.get(t.id)})`);
    ids.set(t.id, i + 1);
    tasks.push({
      id: t.id,
      name: t.name,
      instruction: t.instruction,
      is_classification: t.is_classification,
      instances: t.instances.map((x) => ({ input: x.input, output: x.output })),
    });
  });
  if (problems.length > 0) {
    const shown = problems
      .slice(0, 20)
      .concat(problems.length > 20 ? [`... and ${problems.length - 20} more`] : []);
    throw new Error(
      `${file}: ${problems.length} bad line(s) in seed tasks:\n  ${shown.join("\n  ")}\n${FIX_HINT}`,
    );
  }
  if (tasks.length === 0) throw new Error(`${file}: no seed tasks. ${FIX_HINT}`);
  return tasks;
}

/** Reads and validates the seed tasks (default: data/self-instruct/seed_tasks.jsonl). */
export function readSeedTasks(file: string = SEED_TASKS_PATH): SeedTask[] {
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file}: not found. Restore the committed copy with \`git checkout -- ${path.relative(process.cwd(), file) || file}\` ` +
        "(or download data/seed_tasks.jsonl from github.com/yizhongw/self-instruct and keep its LICENSE beside it).",
    );
  }
  return parseSeedTasks(fs.readFileSync(file, "utf8"), file);
}

// ---------------------------------------------------------------- diversity

/** Words of an instruction, split on whitespace as the paper counts them. */
export const whitespaceWords = (text: string): string[] =>
  text
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);

/** Question words returned as themselves by `rootVerb`. */
export const WH_WORDS: ReadonlySet<string> = new Set([
  "what",
  "how",
  "why",
  "when",
  "where",
  "which",
  "who",
  "whom",
  "whose",
]);
/** First words of yes/no questions (`rootVerb` returns "question"). */
const AUXILIARIES = new Set([
  "is",
  "are",
  "was",
  "were",
  "am",
  "do",
  "does",
  "did",
  "can",
  "could",
  "would",
  "will",
  "should",
  "shall",
  "may",
  "might",
  "must",
  "have",
  "has",
  "had",
]);
/** Openers of a leading phrase that ends at the first comma ("Given a sentence, classify ..."). */
const LEAD_INS = new Set([
  "given",
  "using",
  "in",
  "as",
  "for",
  "based",
  "after",
  "to",
  "with",
  "from",
  "according",
  "if",
]);
/** Politeness and filler words skipped at the start. */
const FILLERS = new Set(["please", "now", "also", "then", "kindly"]);
/** Verbs recognised as the imperative root; a first word outside this list gives "(other)". */
export const IMPERATIVE_VERBS: ReadonlySet<string> = new Set(
  (
    "add analyse analyze answer arrange ask assume brainstorm build calculate capitalize categorize change check choose classify " +
    "combine come compare complete compose compute consider construct continue convert correct count create debate decide define " +
    "delete derive describe design detect determine develop discuss do edit encode estimate evaluate expand explain extract fill " +
    "find finish fix format generate give group guess help identify imagine implement improve infer insert invent justify label " +
    "let link list look make match merge modify name offer order organize outline output paraphrase parse pick plan predict pretend produce " +
    "propose prove provide put rank rate read recommend remove rephrase replace reply respond return reverse review rewrite say " +
    "score select shorten show simplify solve sort spell split state suggest summarise summarize suppose sum tag tell think " +
    "transform translate try turn use verify write"
  ).split(" "),
);

/** Outcome of `rootVerb` when the first word is neither a known verb nor a question word. */
export const OTHER = "(other)";

/**
 * A light guess at an instruction's root verb, without a parser:
 *
 * 1. skip a leading phrase up to the first comma when it opens with "given",
 *    "using", "in", "as", ... ("Given a sentence, classify it" → classify),
 *    and fillers such as "please";
 * 2. "can/could/would/will you [please] VERB" → VERB;
 *    "you need to / have to / must VERB" → VERB;
 * 3. a wh-word is returned as itself ("what", "how", ...); an auxiliary
 *    ("is", "does", "can", ...) gives "question";
 * 4. a word in `IMPERATIVE_VERBS` is returned (lowercase), as is the base of
 *    a gerund whose base is in the list ("Solving ..." → solve); anything
 *    else gives `OTHER`.
 *
 * Limits: the verb list is small (tuned on the seeds and the project's
 * templates); nouns that look like verbs at the start ("List", "Name",
 * "Order") count as verbs; statements ("I am planning a trip...", "You are
 * given ...") give `OTHER`; a root verb after a long subordinate clause
 * without a comma is missed. The paper used the Berkeley parser and reports
 * verb–object pairs; this is coarser.
 */
export function rootVerb(instruction: string): string {
  let ws = whitespaceWords(instruction.toLowerCase()).map((w) => w.replace(/^[^a-z0-9]+|[^a-z0-9'-]+$/g, ""));
  const commaAt = whitespaceWords(instruction).findIndex((w) => w.endsWith(","));
  if (ws.length > 0 && LEAD_INS.has(ws[0]) && !WH_WORDS.has(ws[0]) && commaAt >= 0 && commaAt < ws.length - 1)
    ws = ws.slice(commaAt + 1);
  while (ws.length > 0 && FILLERS.has(ws[0])) ws = ws.slice(1);
  if (ws.length === 0) return OTHER;
  const [w0, w1, w2, w3] = ws;
  const next =
    ["can", "could", "would", "will"].includes(w0) && w1 === "you"
      ? ws.slice(2).find((w) => !FILLERS.has(w))
      : w0 === "you" && (w1 === "must" || (["need", "have"].includes(w1) && w2 === "to"))
        ? w1 === "must"
          ? w2
          : w3
        : undefined;
  if (next && IMPERATIVE_VERBS.has(next)) return next;
  if (WH_WORDS.has(w0)) return w0;
  if (AUXILIARIES.has(w0)) return "question";
  if (IMPERATIVE_VERBS.has(w0)) return w0;
  const base = w0.endsWith("ing")
    ? [w0.slice(0, -3), w0.slice(0, -3) + "e"].find((b) => IMPERATIVE_VERBS.has(b))
    : undefined;
  return base ?? OTHER;
}

/** Root verbs and how often they occur, most frequent first (ties alphabetical). */
export function verbCounts(instructions: readonly string[]): { verb: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const s of instructions) {
    const v = rootVerb(s);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return Array.from(counts, ([verb, count]) => ({ verb, count })).sort(
    (a, b) => b.count - a.count || (a.verb < b.verb ? -1 : 1),
  );
}

/** Summary of instruction lengths in words. */
export interface LengthStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  p10: number;
  p90: number;
  /** Words per instruction, in input order (for a histogram). */
  lengths: number[];
}

/** Words per instruction: min, max, mean, median, 10th/90th percentiles (nearest rank). */
export function lengthStats(instructions: readonly string[]): LengthStats {
  if (instructions.length === 0) throw new Error("lengthStats: no instructions");
  const lengths = instructions.map((s) => whitespaceWords(s).length);
  const sorted = lengths.slice().sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  const n = sorted.length;
  return {
    count: n,
    min: sorted[0],
    max: sorted[n - 1],
    mean: lengths.reduce((a, b) => a + b, 0) / n,
    median: n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    p10: q(0.1),
    p90: q(0.9),
    lengths,
  };
}

// ---------------------------------------------------------------- filtering

/** Keywords the paper (and Alpaca after it) rejects: tasks a text-only model cannot do. */
export const BLACKLIST: readonly string[] = [
  "image",
  "images",
  "graph",
  "graphs",
  "picture",
  "pictures",
  "file",
  "files",
  "map",
  "maps",
  "draw",
  "plot",
  "go to",
  "video",
  "audio",
  "music",
  "flowchart",
  "diagram",
];

/** Why a candidate was rejected, in the order the checks run. */
export const FILTER_REASONS = [
  "too-short",
  "too-long",
  "keyword",
  "prefix",
  "punctuation",
  "non-ascii",
  "duplicate",
  "rouge",
] as const;
export type FilterReason = (typeof FILTER_REASONS)[number];

export interface FilterOptions {
  /** Reject when ROUGE-L with any pool instruction is ≥ this (default 0.7). */
  threshold?: number;
  /** Fewest / most words (whitespace split) kept; defaults 4 and 150 (the reference code drops ≤ 3 and > 150). */
  minWords?: number;
  maxWords?: number;
  /** Whole-word, case-insensitive keywords to reject (default `BLACKLIST`). */
  blacklist?: readonly string[];
  /** Case-insensitive openings to reject (default ["write a program"], as the reference code). */
  prefixes?: readonly string[];
}

/** What happened to one candidate. */
export interface CandidateDecision {
  text: string;
  kept: boolean;
  reason?: FilterReason;
  /** Human-readable detail: the keyword, the word count, the nearest pool instruction. */
  detail?: string;
  /** Highest ROUGE-L against the pool at the time (NaN when an earlier check rejected it). */
  rougeL: number;
  /** Index in the returned pool of the most similar instruction (-1 if not computed). */
  nearest: number;
}

export interface FilterResult {
  /** The starting pool followed by the accepted candidates. */
  pool: string[];
  accepted: string[];
  decisions: CandidateDecision[];
  /** Candidates kept and rejected per reason; the values sum to the number of candidates. */
  counts: Record<FilterReason | "kept", number>;
  /** Pool size after each candidate: `poolSizeAfter[i]` once candidates 0..i were seen. */
  poolSizeAfter: number[];
}

/** Key for exact-duplicate detection: lowercase, single spaces, no trailing . ? ! */
export const duplicateKey = (text: string): string =>
  text
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\s.?!]+$/, "");

const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
const keywordPattern = (kw: string) =>
  new RegExp(`\\b${kw.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ +/g, "\\s+")}\\b`, "i");

/**
 * Runs the Self-Instruct filter over `candidates` in order. Checks, first
 * failure wins: word count, keywords, banned opening, first character
 * (punctuation, non-ASCII), exact duplicate (normalised) of the pool or of
 * any earlier candidate, then ROUGE-L ≥ threshold against the pool (the
 * reference code rejects > 0.7; the paper says keep < 0.7, as here). A kept
 * candidate joins the pool, so later candidates are compared with it too.
 * The starting pool is not filtered.
 */
export function filterCandidates(
  pool: readonly string[],
  candidates: readonly string[],
  opts: FilterOptions = {},
): FilterResult {
  const {
    threshold = 0.7,
    minWords = 4,
    maxWords = 150,
    blacklist = BLACKLIST,
    prefixes = ["write a program"],
  } = opts;
  const patterns = blacklist.map((kw) => ({ kw, re: keywordPattern(kw) }));
  const index = new RougeIndex();
  const out = pool.slice();
  out.forEach((p) => index.add(p));
  const seen = new Set(out.map(duplicateKey));
  const counts = Object.fromEntries(["kept", ...FILTER_REASONS].map((r) => [r, 0])) as FilterResult["counts"];
  const decisions: CandidateDecision[] = [];
  const accepted: string[] = [];
  const poolSizeAfter: number[] = [];
  /** The first cheap check `t` fails, if any. */
  const check = (t: string, key: string): [FilterReason, string] | undefined => {
    const nw = whitespaceWords(t).length;
    if (nw < minWords) return ["too-short", `${nw} words < ${minWords}`];
    if (nw > maxWords) return ["too-long", `${nw} words > ${maxWords}`];
    const hit = patterns.find((p) => p.re.test(t));
    if (hit) return ["keyword", hit.kw];
    const pre = prefixes.find((p) => key.startsWith(p.toLowerCase()));
    if (pre !== undefined) return ["prefix", `starts with "${pre}"`];
    if (PUNCTUATION.includes(t[0])) return ["punctuation", `starts with ${t[0]}`];
    if (t.charCodeAt(0) > 127) return ["non-ascii", `starts with ${t[0]}`];
    if (seen.has(key)) return ["duplicate", "seen before"];
    return undefined;
  };
  for (const text of candidates) {
    const d: CandidateDecision = { text, kept: false, rougeL: NaN, nearest: -1 };
    const t = text.trim();
    const key = duplicateKey(t);
    const failed = check(t, key);
    if (failed) [d.reason, d.detail] = failed;
    else {
      const ids = index.encode(t);
      const near = index.nearest(ids);
      d.rougeL = near.score;
      d.nearest = near.index;
      if (near.score >= threshold) {
        d.reason = "rouge";
        d.detail = `ROUGE-L ${near.score.toFixed(3)} with ${JSON.stringify(out[near.index])}`;
      } else {
        d.kept = true;
        index.seqs.push(ids);
        out.push(text);
        accepted.push(text);
      }
    }
    seen.add(key);
    counts[d.reason ?? "kept"]++;
    decisions.push(d);
    poolSizeAfter.push(out.length);
  }
  return { pool: out, accepted, decisions, counts, poolSizeAfter };
}

/** A table, one line per outcome in check order: "kept    275  (13.8%)", "too-short    60  (3.0%)", ... */
export function filterReport(r: FilterResult): string {
  const n = r.decisions.length;
  return (["kept", ...FILTER_REASONS] as const)
    .map(
      (k) =>
        `${k.padEnd(11)} ${String(r.counts[k]).padStart(6)}  (${n ? ((100 * r.counts[k]) / n).toFixed(1) : "0.0"}%)`,
    )
    .join("\n");
}

// ---------------------------------------------------------------- candidates

/** A candidate instruction from the project's own question templates. */
export interface TemplateCandidate {
  text: string;
  kind: Relation | Skill;
  template: string;
}

/**
 * `n` instructions filled from the project's question templates
 * (`RELATION_PHRASING`, `SKILL_PHRASING`, corpus and held-out alike): a
 * uniform kind, a uniform template of it, random headwords / numbers
 * (`skillInstance`). Headwords default to those of data/wordnet/facts.json.
 */
export function templateCandidates(rng: Rng, n: number, headwords?: readonly string[]): TemplateCandidate[] {
  const vocab = headwords ?? readFactsFile().headwords.map((h) => h.word);
  if (vocab.length === 0) throw new Error("templateCandidates: no headwords");
  const kinds: (Relation | Skill)[] = [...RELATIONS, ...SKILLS];
  const out: TemplateCandidate[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rng.pick(kinds);
    const isRelation = (RELATIONS as readonly string[]).includes(kind);
    const questions = isRelation
      ? RELATION_PHRASING[kind as Relation].questions
      : SKILL_PHRASING[kind as Skill].questions;
    const template = rng.pick(questions).text;
    const vars = isRelation ? { word: rng.pick(vocab) } : skillInstance(kind as Skill, rng, vocab).vars;
    out.push({ text: render(template, vars), kind, template });
  }
  return out;
}
