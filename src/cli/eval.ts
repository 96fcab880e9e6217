/**
 * `npm run --silent eval -- --model <checkpoint dir> --prompts <file.jsonl> [--format chat|raw] [--json]
 *                          [--max-new-tokens N] [--batch N] [--show N] [--out FILE.jsonl]`
 *
 * Prints answer / continuation / other rates and exact match, overall and per
 * task; with --json, one JSON object
 * {"n","answer_rate","continuation_rate","other_rate","exact_match","by_task":{…}}.
 * --show N adds a table of the first N prompts with the response, its
 * behaviour and correctness (to stderr with --json, so stdout stays one
 * object); --out FILE.jsonl writes every response with its scores.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { readPrompts } from "../data/tasks/jsonl";
import { evaluate, PROMPT_FORMATS, resultsJsonl, resultsTable } from "../eval/evaluate";
import { loadModel } from "../model/load";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

export const EVAL_CLI = {
  name: "eval",
  usage:
    "usage: npm run --silent eval -- --model <checkpoint dir> --prompts <file.jsonl> [--format chat|raw] [--json] [--max-new-tokens N] [--batch N] [--show N] [--out FILE.jsonl]",
  summary:
    "Answer / continuation / other rates and exact match of a model on a prompts file, overall and per task.",
  flags: {
    model: { type: "string", arg: "DIR", doc: "checkpoint folder (required), e.g. data/models/sft" },
    prompts: {
      type: "string",
      arg: "FILE",
      doc: 'prompts JSONL (required): {"messages":[…],"answer":"…"} per line',
    },
    format: {
      type: "string",
      arg: "F",
      choices: PROMPT_FORMATS,
      doc: "how prompts are rendered",
      default: "chat",
    },
    json: { type: "boolean", doc: "print one JSON object with the rates" },
    "max-new-tokens": { type: "int", min: 1, doc: "generation budget per response", default: 48 },
    batch: { type: "int", min: 1, doc: "prompts per generation batch", default: 32 },
    show: {
      type: "int",
      min: 1,
      doc: "also print a table of the first N prompts: response, behaviour, correctness",
    },
    out: {
      type: "string",
      arg: "FILE.jsonl",
      doc: "write every response with its scores, one JSON object per line",
    },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

const pct = (x: number | null) => (x === null ? "  n/a" : `${(100 * x).toFixed(1).padStart(5)}%`);

async function main(argv: string[]): Promise<void> {
  const a = parseCli(EVAL_CLI, argv);
  if (a.help) {
    process.stdout.write(helpText(EVAL_CLI));
    return;
  }
  if (!a.model || !a.prompts) throw new Error(`eval: --model and --prompts are required\n${EVAL_CLI.usage}`);
  const format = a.format ?? "chat";
  await initBackend({ quiet: a.json });
  const items = readPrompts(a.prompts);
  const { model, tokenizer } = loadModel(a.model);
  const { results, summary } = evaluate(model, tokenizer, items, {
    format,
    maxNewTokens: a["max-new-tokens"] ?? 48,
    batchSize: a.batch ?? 32,
  });
  if (a.out) {
    fs.mkdirSync(path.dirname(path.resolve(a.out)), { recursive: true });
    fs.writeFileSync(a.out, resultsJsonl(results));
  }
  const table = a.show ? resultsTable(results, a.show) : "";
  if (a.json) {
    process.stdout.write(JSON.stringify(summary) + "\n");
    if (table) process.stderr.write(table);
    return;
  }
  console.log(`${a.model} on ${a.prompts} (${summary.n} prompts, ${format} format)`);
  console.log(`task          n  answer  contin.   other  exact match`);
  for (const [task, s] of [["all", summary] as const, ...Object.entries(summary.by_task)]) {
    console.log(
      `${task.padEnd(10)} ${String(s.n).padStart(4)}  ${pct(s.answer_rate)}  ${pct(s.continuation_rate)}  ${pct(s.other_rate)}  ${pct(s.exact_match)}`,
    );
  }
  if (table)
    process.stdout.write(
      `\nthe first ${Math.min(a.show!, results.length)} of ${results.length} prompts:\n${table}`,
    );
  if (a.out) console.log(`wrote ${results.length} responses with their scores to ${a.out}`);
}

if (require.main === module) runMain(main);
