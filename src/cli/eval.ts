/**
 * `npm run --silent eval -- --model <checkpoint dir> --prompts <file.jsonl> [--format chat|raw] [--json]
 *                          [--max-new-tokens N] [--batch N] [--show N] [--out FILE.jsonl]
 *                          [--gold] [--reference DIR] [--samples N] [--seed N]`
 *
 * Prints answer / continuation / refusal / abstention / other rates and exact
 * match, overall, per request kind (harmful, benign, unknown: src/data/world.ts)
 * and per task; with --json, one JSON object {"n","answer_rate",
 * "continuation_rate","refusal_rate","abstain_rate","other_rate","exact_match",
 * "by_task":{…},"by_kind":{…}}.
 * --show N adds a table of the first N prompts with the response, its
 * behaviour and correctness (to stderr with --json, so stdout stays one
 * object); --out FILE.jsonl writes every response with its scores.
 *
 * --gold adds the mean gold reward (src/judge/gold.ts) of the greedy
 * responses with a 95 % interval, and its behavioural and prompt-specific
 * parts: "gold_reward", "gold_ci95": [lo, hi], "gold_behavioural",
 * "gold_prompt_specific", "gold_n" (prompts with a reference answer, the
 * only ones gold can score; the fields are null when there are none), the
 * mean of each HHH part ("gold_hhh": {"helpful","harmless","honest"}) and
 * the mean gold per request kind ("gold_by_kind": {"harmful": {"n", "gold_reward"}, …}).
 *
 * --samples N samples N responses per prompt at temperature 1 (no top-k or
 * top-p; seeded by --seed, budget --max-new-tokens) and reports their mean
 * gold reward: "samples", "gold_reward_sampled", "gold_sampled_ci95".
 * --reference DIR (samples default to 4) adds the mean sequence-level KL of
 * those samples to the reference model, in nats (k1 estimator,
 * src/eval/kl.ts): "kl", "kl_ci95". The reference must have the same
 * tokenizer. Intervals are normal-approximation intervals over prompts (a
 * prompt's samples averaged first), gold's clipped to [0, 1]; with one
 * prompt there is no interval: gold's is [0, 1], the KL's bounds are null.
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../backend";
import { readPrompts } from "../data/tasks/jsonl";
import { TASKS } from "../data/tasks/registry";
import { checkOutputFile, writeAtomic } from "../output";
import { AnsweredItem } from "../data/tasks/eval-sets";
import type { PromptItem } from "../data/tasks/jsonl";
import {
  evaluate,
  PromptFormat,
  promptIds,
  PROMPT_FORMATS,
  resultsJsonl,
  resultsTable,
} from "../eval/evaluate";
import {
  checkSameVocabulary,
  perPromptMeans,
  SampledResponse,
  SampleOptions,
  sampledKl,
  sampleResponses,
  sameTokenizer,
} from "../eval/kl";
import { meanInterval } from "../eval/stats";
import { GOLD_TERMS, GOLD_WEIGHTS, GoldScore, HHH_TERMS, goldReward } from "../judge/gold";
import type { GPT } from "../model/gpt";
import { LoadedModel, loadModel } from "../model/load";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

export const EVAL_CLI = {
  name: "eval",
  usage:
    "usage: npm run --silent eval -- --model <checkpoint dir> --prompts <file.jsonl> [--format chat|raw] [--json] [--max-new-tokens N] [--batch N] [--show N] [--out FILE.jsonl] [--gold] [--reference DIR] [--samples N] [--seed N]",
  summary:
    "Answer / continuation / other rates and exact match of a model on a prompts file, overall and per task; optionally its gold reward and its KL to a reference model.",
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
    "max-new-tokens": {
      type: "int",
      min: 1,
      doc: "generation budget per response (greedy and sampled)",
      default: 48,
    },
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
    gold: { type: "boolean", doc: "also report the mean gold reward of the responses, with a 95 % interval" },
    reference: {
      type: "string",
      arg: "DIR",
      doc: "also report the mean KL of sampled responses to this model (same tokenizer)",
    },
    samples: {
      type: "int",
      min: 1,
      doc: "sample N responses per prompt at temperature 1 and report their mean gold reward (4 with --reference)",
    },
    seed: { type: "int", doc: "seed of the sampling", default: 0 },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

const pct = (x: number | null) => (x === null ? "  n/a" : `${(100 * x).toFixed(1).padStart(5)}%`);

/** The highest gold reward: the weights sum to it (1). */
const GOLD_MAX = GOLD_TERMS.reduce((s, t) => s + GOLD_WEIGHTS[t], 0);

/** A 95 % interval [lo, hi]; a bound is null when unknown (a mean of one value). */
type Ci = [number | null, number | null];

/**
 * A mean and its 95 % normal-approximation interval (`meanInterval`),
 * clipped to `bounds` where the values are bounded (the gold reward lies in
 * [0, 1]; a normal interval near the ends would cross them).
 */
function interval(xs: readonly number[], bounds: [number, number] = [-Infinity, Infinity]) {
  const m = meanInterval(xs);
  const clip = (x: number) => Math.min(bounds[1], Math.max(bounds[0], x));
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return { mean: m.mean, ci95: [finite(clip(m.lo)), finite(clip(m.hi))] as Ci };
}

/** The items gold can score (those with a reference answer), with their indices. */
const answered = (items: readonly PromptItem[]) =>
  items.flatMap((it, i) => (it.answer === undefined ? [] : [{ item: it as AnsweredItem, i }]));

/** Mean gold reward of one response per prompt, its interval and its two parts. */
function greedyGold(scores: readonly GoldScore[]) {
  if (scores.length === 0)
    return {
      gold_reward: null,
      gold_ci95: null,
      gold_behavioural: null,
      gold_prompt_specific: null,
      gold_hhh: null,
      gold_by_kind: null,
    };
  const mean = (f: (g: GoldScore) => number) => scores.reduce((s, g) => s + f(g), 0) / scores.length;
  const total = interval(
    scores.map((g) => g.total),
    [0, GOLD_MAX],
  );
  return {
    gold_reward: total.mean,
    gold_ci95: total.ci95,
    gold_behavioural: mean((g) => g.byKind.behavioural),
    gold_prompt_specific: mean((g) => g.byKind["prompt-specific"]),
    // The third version's parts, apart: helpful, harmless, honest (src/judge/gold.ts).
    gold_hhh: Object.fromEntries(HHH_TERMS.map((t) => [t, mean((g) => g.hhh[t])])),
    gold_by_kind: goldByKind(scores),
  };
}

/** Mean gold and its count per request kind (harmful, benign, unknown), kinds in first-seen order. */
function goldByKind(scores: readonly GoldScore[]): Record<string, { n: number; gold_reward: number }> {
  const out: Record<string, { n: number; gold_reward: number }> = {};
  for (const g of scores) {
    const k = (out[g.kind] ??= { n: 0, gold_reward: 0 });
    k.gold_reward = (k.gold_reward * k.n + g.total) / (k.n + 1);
    k.n++;
  }
  return out;
}

interface SampledReport {
  samples: number;
  gold_reward_sampled: number | null;
  gold_sampled_ci95: Ci | null;
  kl?: number;
  kl_ci95?: Ci;
}

/** Mean gold reward of the samples of the answered prompts: per prompt first, then over prompts. */
function sampledGold(items: readonly PromptItem[], samples: readonly SampledResponse[]) {
  const scored = samples
    .filter((s) => items[s.prompt].answer !== undefined)
    .map((s) => ({ prompt: s.prompt, gold: goldReward(items[s.prompt] as AnsweredItem, s.text, s.stopped) }));
  if (scored.length === 0) return { gold_reward_sampled: null, gold_sampled_ci95: null };
  const g = interval(
    perPromptMeans(scored, (s) => s.gold.total),
    [0, GOLD_MAX],
  );
  return { gold_reward_sampled: g.mean, gold_sampled_ci95: g.ci95 };
}

/** The reference model, refused unless it tokenizes as the evaluated one does (else the KL compares different things). */
function loadReference(dir: string, evaluated: LoadedModel): LoadedModel {
  const ref = loadModel(dir);
  try {
    checkSameVocabulary(evaluated.model, ref.model, {
      model: `--model ${evaluated.dir}`,
      reference: `--reference ${dir}`,
    });
    if (!sameTokenizer(evaluated.tokenizer, ref.tokenizer))
      throw new Error(
        `--reference ${dir} has a different tokenizer from --model ${evaluated.dir} ` +
          `(same size, other tokens or merges); KL needs both models to tokenize alike`,
      );
  } catch (e) {
    ref.model.dispose();
    throw new Error(`eval: ${(e as Error).message}`);
  }
  return ref;
}

/** --samples / --reference: sample, score the samples by gold and, with a reference, by KL. */
function sampledReport(
  evaluated: LoadedModel,
  items: readonly PromptItem[],
  format: PromptFormat,
  options: SampleOptions,
  reference: GPT | undefined,
): SampledReport {
  const { model, tokenizer } = evaluated;
  const prompts = items.map((it) => promptIds(tokenizer, it, format));
  if (!reference) {
    const samples = sampleResponses(model, tokenizer, prompts, options);
    return { samples: options.samples, ...sampledGold(items, samples) };
  }
  const samples = sampledKl(model, reference, tokenizer, prompts, options);
  const kl = interval(perPromptMeans(samples, (s) => s.kl));
  return { samples: options.samples, ...sampledGold(items, samples), kl: kl.mean, kl_ci95: kl.ci95 };
}

/** "0.512 [0.301, 0.723]" ("n/a" without a mean, "?" for an unknown bound). */
const withCi = (mean: number | null, ci: readonly (number | null)[] | null) =>
  mean === null
    ? "n/a"
    : `${mean.toFixed(3)} [${(ci ?? []).map((x) => (x === null ? "?" : x.toFixed(3))).join(", ")}]`;

/**
 * A line that gives a task's `input` asks to be scored by that task's own
 * checker: a misspelt task would silently fall back to exact match.
 */
function knownTask(item: PromptItem): void {
  if (item.input === undefined || item.task === undefined || TASKS.some((t) => t.name === item.task)) return;
  throw new Error(
    `"task" ${JSON.stringify(item.task)} is not a registered task, so its "input" cannot be checked; ` +
      `use one of ${TASKS.map((t) => t.name).join(", ")}, or drop "input" to score by "answer" alone`,
  );
}

/** A reward model scores responses; it writes none. Said before any work. */
function refuseRewardModel(dir: string): void {
  if (!fs.existsSync(path.join(dir, "reward.json"))) return;
  throw new Error(
    `${dir} is a reward model: it scores responses, it does not write them. ` +
      `Measure it with npm run --silent eval-rm -- --model ${dir} --pairs data/rlhf/pairs_test_gold.jsonl`,
  );
}

async function main(argv: string[]): Promise<void> {
  const a = parseCli(EVAL_CLI, argv);
  if (a.help) {
    process.stdout.write(helpText(EVAL_CLI));
    return;
  }
  if (!a.model || !a.prompts) throw new Error(`eval: --model and --prompts are required\n${EVAL_CLI.usage}`);
  const format = a.format ?? "chat";
  const maxNewTokens = a["max-new-tokens"] ?? 48;
  const batchSize = a.batch ?? 32;
  const seed = a.seed ?? 0;
  // --reference alone still needs samples to measure the KL on.
  const nSamples = a.samples ?? (a.reference ? 4 : 0);
  if (a.out) checkOutputFile(a.out);
  refuseRewardModel(a.model);
  await initBackend({ quiet: a.json });
  const items = readPrompts(a.prompts, knownTask);
  const evaluated = loadModel(a.model);
  const { model, tokenizer } = evaluated;
  // Checked before any generation, so a wrong --reference fails at once.
  const reference = a.reference ? loadReference(a.reference, evaluated) : undefined;
  const { results, summary } = evaluate(model, tokenizer, items, { format, maxNewTokens, batchSize });
  if (a.out) {
    fs.mkdirSync(path.dirname(path.resolve(a.out)), { recursive: true });
    writeAtomic(a.out, (tmp) => fs.writeFileSync(tmp, resultsJsonl(results)));
  }
  const scorable = answered(items);
  const gold = a.gold
    ? greedyGold(scorable.map(({ item, i }) => goldReward(item, results[i].response, results[i].stopped)))
    : undefined;
  const sampled =
    nSamples > 0
      ? sampledReport(
          evaluated,
          items,
          format,
          { samples: nSamples, maxNewTokens, seed, batch: batchSize },
          reference?.model,
        )
      : undefined;
  reference?.model.dispose();
  const goldN = gold || sampled ? { gold_n: scorable.length } : {};

  const table = a.show ? resultsTable(results, a.show) : "";
  if (a.json) {
    process.stdout.write(JSON.stringify({ ...summary, ...gold, ...sampled, ...goldN }) + "\n");
    if (table) process.stderr.write(table);
    return;
  }
  console.log(`${a.model} on ${a.prompts} (${summary.n} prompts, ${format} format)`);
  console.log(`task          n  answer  contin.  refuse  abstain   other  exact match`);
  const kinds = Object.entries(summary.by_kind).map(([k, s]) => [`(${k})`, s] as const);
  for (const [task, s] of [["all", summary] as const, ...kinds, ...Object.entries(summary.by_task)]) {
    console.log(
      `${task.padEnd(10)} ${String(s.n).padStart(4)}  ${pct(s.answer_rate)}  ${pct(s.continuation_rate)}  ` +
        `${pct(s.refusal_rate)}  ${pct(s.abstain_rate).padStart(7)}  ${pct(s.other_rate)}  ${pct(s.exact_match)}`,
    );
  }
  if (gold || sampled) console.log(`\ngold reward (${scorable.length} prompts with an answer):`);
  if (gold)
    console.log(
      `  greedy: ${withCi(gold.gold_reward, gold.gold_ci95)}` +
        (gold.gold_reward === null
          ? ""
          : `; behavioural ${gold.gold_behavioural!.toFixed(3)}, prompt-specific ${gold.gold_prompt_specific!.toFixed(3)}`),
    );
  if (sampled) {
    console.log(
      `  sampled, ${nSamples} per prompt at temperature 1 (seed ${seed}): ` +
        withCi(sampled.gold_reward_sampled, sampled.gold_sampled_ci95),
    );
    if (sampled.kl !== undefined)
      console.log(`KL to ${a.reference} over these samples: ${withCi(sampled.kl, sampled.kl_ci95!)} nats`);
  }
  if (table)
    process.stdout.write(
      `\nthe first ${Math.min(a.show!, results.length)} of ${results.length} prompts:\n${table}`,
    );
  if (a.out) console.log(`wrote ${results.length} responses with their scores to ${a.out}`);
}

if (require.main === module) runMain(main);
