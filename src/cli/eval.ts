/**
 * `npm run --silent eval -- --model <checkpoint dir> --prompts <file.jsonl> [--format chat|raw] [--json]
 *                          [--max-new-tokens N] [--batch N]`
 *
 * Prints answer / continuation / other rates and exact match, overall and per
 * task; with --json, one JSON object
 * {"n","answer_rate","continuation_rate","other_rate","exact_match","by_task":{…}}.
 */
import { initBackend } from "../backend";
import { evaluate, PromptFormat } from "../eval/evaluate";
import { readPrompts } from "../data/tasks/jsonl";
import { loadModel } from "../model/load";

interface Args { model?: string; prompts?: string; format: PromptFormat; json: boolean; maxNewTokens: number; batch: number }

const USAGE = "usage: npm run --silent eval -- --model <checkpoint dir> --prompts <file.jsonl> [--format chat|raw] [--json] [--max-new-tokens N] [--batch N]";

function parseArgs(argv: string[]): Args {
  const a: Args = { format: "chat", json: false, maxNewTokens: 48, batch: 32 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => { if (i + 1 >= argv.length) throw new Error(`${flag} needs a value\n${USAGE}`); return argv[++i]; };
    const int = () => { const v = Number(value()); if (!Number.isInteger(v) || v < 1) throw new Error(`${flag} needs a positive whole number`); return v; };
    if (flag === "--model") a.model = value();
    else if (flag === "--prompts") a.prompts = value();
    else if (flag === "--format") {
      const f = value();
      if (f !== "chat" && f !== "raw") throw new Error(`--format must be chat or raw, got ${f}`);
      a.format = f;
    } else if (flag === "--json") a.json = true;
    else if (flag === "--max-new-tokens") a.maxNewTokens = int();
    else if (flag === "--batch") a.batch = int();
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (!a.model || !a.prompts) throw new Error(USAGE);
  return a;
}

const pct = (x: number | null) => (x === null ? "  n/a" : `${(100 * x).toFixed(1).padStart(5)}%`);

async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  await initBackend({ quiet: a.json });
  const items = readPrompts(a.prompts!);
  const { model, tokenizer } = loadModel(a.model!);
  const { summary } = evaluate(model, tokenizer, items, { format: a.format, maxNewTokens: a.maxNewTokens, batchSize: a.batch });
  if (a.json) { process.stdout.write(JSON.stringify(summary) + "\n"); return; }
  console.log(`${a.model} on ${a.prompts} (${summary.n} prompts, ${a.format} format)`);
  console.log(`task          n  answer  contin.   other  exact match`);
  for (const [task, s] of [["all", summary] as const, ...Object.entries(summary.by_task)]) {
    console.log(`${task.padEnd(10)} ${String(s.n).padStart(4)}  ${pct(s.answer_rate)}  ${pct(s.continuation_rate)}  ${pct(s.other_rate)}  ${pct(s.exact_match)}`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
