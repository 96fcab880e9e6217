/**
 * The model card (README.md) of a Hugging Face export: what the model is, how
 * to load it, what it was trained on and how, the run's record, the licence.
 * Everything in it comes from the model config and the run record, so a card
 * never states a number the run did not produce.
 */
import type { RunRecord } from "../run-record";
import { GPTConfig, countParameters } from "./config";
import { hfArchitecture } from "./hf";
import { LN_EPS } from "./ops";

export interface CardInputs {
  config: GPTConfig;
  run?: RunRecord;
  /** The checkpoint folder it was exported from. */
  source?: string;
  /** The export folder's name, for the title and the snippets. */
  name: string;
  /** A reward model's score table (reward.json), when the export is one. */
  reward?: { likelihoodWeight: number; mean: number; std: number };
}

/**
 * The notes fields a card reads, from pretraining's and SFT's records. Stated
 * here, not imported, so `model/` depends on no trainer; every field is
 * optional because a card is written for whatever record came with a folder.
 */
interface CardNotes {
  trainTokens?: number;
  valTokens?: number;
  base?: string;
  trainExamples?: number;
  valExamples?: number;
  mask?: string;
  eval?: Record<string, { n?: number; answer_rate?: number; exact_match?: number } | undefined>;
}

/** A number for people: 4 significant digits, no exponent for everyday sizes. */
const num = (x: unknown) => (typeof x === "number" ? String(Number(x.toPrecision(4))) : JSON.stringify(x));
const pct = (x: number | null | undefined) => (typeof x === "number" ? `${(100 * x).toFixed(1)} %` : "n/a");

export function modelCard(inp: CardInputs): string {
  const c = inp.config;
  const sections = [
    frontMatter(c),
    `# ${inp.name}\n\n${summary(inp)}`,
    loading(inp),
    architecture(c),
    ...(c.scalarHead ? [scoreHead(c)] : []),
    ...(inp.reward ? [rewardScore(inp.reward)] : []),
    `## Data\n\n${data(inp.run)}`,
    `## Training recipe\n\n${recipe(inp.run)}`,
    `## Run record\n\n${runRecord(inp.run)}`,
    licence(),
  ];
  return sections.join("\n\n") + "\n";
}

function frontMatter(c: GPTConfig): string {
  const task = c.scalarHead ? "text-classification" : "text-generation";
  return [
    "---",
    "license: mit",
    "library_name: transformers",
    `pipeline_tag: ${task}`,
    "tags:",
    "  - gpt2",
    "  - tuning-lab",
    "---",
  ].join("\n");
}

function summary({ config: c, run, source }: CardInputs): string {
  const size = `${(countParameters(c) / 1e6).toFixed(2)} M-parameter`;
  const made = run
    ? ` by Tuning Lab's \`${run.method}\` trainer (backend: ${run.backend?.path ?? run.backend?.name})`
    : " with Tuning Lab";
  const from = source ? ` Exported by \`npm run export\` from \`${source}\`.` : "";
  return (
    `A ${size} GPT-2 (\`${hfArchitecture(c)}\`): ${c.nLayers} layers, width ${c.dModel}, ${c.nHeads} heads, ` +
    `${c.contextLength}-token context, ${c.vocabSize}-token byte-level BPE, trained${made}.${from}`
  );
}

function loading({ config: c, name }: CardInputs): string {
  const cls = c.scalarHead ? "GPT2ForSequenceClassification" : "GPT2LMHeadModel";
  const use = c.scalarHead
    ? [
        'ids = tok.apply_chat_template(messages, return_tensors="pt", return_dict=True)["input_ids"]  # ends with <|eos|>',
        "print(model(ids).logits[0, 0].item())  # the score, less score.bias (below)",
      ]
    : [
        'ids = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)["input_ids"]',
        "print(tok.decode(model.generate(ids, max_new_tokens=24)[0, ids.shape[1]:]))",
      ];
  const messages = c.scalarHead
    ? '[{"role": "user", "content": "What is the opposite of hot?"}, {"role": "assistant", "content": "cold"}]'
    : '[{"role": "user", "content": "What is the opposite of hot?"}]';
  return [
    "## Loading",
    "",
    "```python",
    `from transformers import AutoTokenizer, ${cls}`,
    `folder = "${name}"  # this folder (or its Hub id)`,
    `model = ${cls}.from_pretrained(folder)`,
    "tok = AutoTokenizer.from_pretrained(folder)",
    `messages = ${messages}`,
    ...use,
    "```",
    "",
    "The chat template (`tokenizer_config.json`) renders `<|system|> …<|user|> …<|assistant|> …<|eos|>`: each turn's " +
      "content after its role token with one leading space, each answer closed by `<|eos|>`, where generation stops. " +
      "It gives the same token ids as Tuning Lab's `renderChat` (tested). Token ids: `<|pad|>` 0, `<|bos|>` 1, " +
      "`<|eos|>` 2, `<|system|>` 3, `<|user|>` 4, `<|assistant|>` 5; no token is added automatically.",
  ].join("\n");
}

function architecture(c: GPTConfig): string {
  return [
    "## Architecture",
    "",
    "GPT-2's exactly, so `GPT2LMHeadModel` computes the same logits as Tuning Lab (tested against a PyTorch " +
      "reference to 1e-4): pre-LayerNorm blocks, learned positions, biases on every linear layer, " +
      `tanh-GELU (\`activation_function: "gelu_new"\`), LayerNorm epsilon ${LN_EPS} (\`layer_norm_epsilon\`), ` +
      `MLP width ${c.mlpRatio * c.dModel} (\`n_inner\`), and the LM head tied to \`transformer.wte.weight\` ` +
      "(so the file has no `lm_head.weight`). Dropout is 0 in `config.json` because the model was trained without " +
      "it; raise `resid_pdrop`, `embd_pdrop` and `attn_pdrop` to train with it. Weights are float32.",
  ].join("\n");
}

function scoreHead(c: GPTConfig): string {
  return [
    "## Scalar head (reward score)",
    "",
    `The scalar head is \`score.weight\` [1, ${c.dModel}] and \`score.bias\` [1]: score = ln_f(h) · weight + bias, ` +
      "read at the last token of the conversation (its closing `<|eos|>`). The name and layout are those of " +
      "`GPT2ForSequenceClassification` with one label, which reads the score at the last token that is not " +
      "`<|pad|>` (id 0, `pad_token_id`): pad on the right. That class's head has no bias, so it loads " +
      "`score.weight` and drops `score.bias` (transformers warns about an unused weight): the head's outputs " +
      "less a constant. For a reward model trained with a likelihood term or normalised after training, " +
      "that is not its score: see the next section. " +
      "The same folder also loads as `GPT2LMHeadModel` (the trunk and the tied LM head, without the score).",
  ].join("\n");
}

/**
 * A reward model's exact score, in words and as a PyTorch function that
 * reproduces it from the exported tensors (test/model/export.test.ts checks
 * the TypeScript side; the function is the same arithmetic).
 */
function rewardScore(r: { likelihoodWeight: number; mean: number; std: number }): string {
  return [
    "## Scoring as the original reward model",
    "",
    "The reward model's score of a conversation (prompt x, response y) is",
    "",
    "```",
    "raw(x, y) = ln_f(h_end) · score.weight + score.bias + λ · mean_t log p(y_t | x, y_<t)",
    "score     = (raw − mean) / std",
    "```",
    "",
    `with λ = ${r.likelihoodWeight}, mean = ${r.mean}, std = ${r.std} (\`reward.json\`), h_end the hidden state at ` +
      "the response's last token (its `<|eos|>`, or its last token when it was cut), and the log-probs from the " +
      "tied LM head over the response tokens (the assistant turn's content and its `<|eos|>`). " +
      "**A plain `GPT2ForSequenceClassification` load loses three things**: `score.bias` (a constant), the " +
      "normalisation (an affine map: order kept), and the likelihood term, which differs from response to response " +
      "and so changes which of two responses scores higher. Score with this instead:",
    "",
    "```python",
    "import json, torch",
    "from safetensors.torch import load_file",
    "from transformers import GPT2LMHeadModel",
    "",
    "def tuning_lab_reward(folder, ids, response_start):",
    '    """Score one conversation: ids [T] (chat template, ending with the response), response tokens from response_start."""',
    "    lm = GPT2LMHeadModel.from_pretrained(folder).eval()",
    '    w = load_file(f"{folder}/model.safetensors")',
    '    head = json.load(open(f"{folder}/reward.json"))',
    "    with torch.no_grad():",
    "        out = lm(torch.tensor([ids]), output_hidden_states=True)",
    "        h = out.hidden_states[-1][0, -1]  # after ln_f, at the last token",
    '        raw = h @ w["score.weight"][0] + w["score.bias"][0]',
    "        lp = torch.log_softmax(out.logits[0, :-1], -1).gather(1, torch.tensor(ids[1:])[:, None])[:, 0]",
    '        raw = raw + head["likelihoodWeight"] * lp[response_start - 1:].mean()',
    '    return ((raw - head["mean"]) / head["std"]).item()',
    "```",
    "",
    "In this lab, `loadRewardModel` (src/model/reward-model.ts) reads the exported folder back and scores as " +
      "the original, and `npm run --silent eval-rm -- --model <this folder> --pairs …` measures it.",
  ].join("\n");
}

function data(run?: RunRecord): string {
  if (!run) return "No run record came with this model, so its training data is not recorded here.";
  const corpus =
    "Tuning Lab's generated English corpus (`data/corpus/train.jsonl`): prose that states facts about WordNet 3.0 " +
    "headwords (antonyms, synonyms, categories) and quotes their glosses and examples (`src/data/corpus.ts`).";
  if (run.method === "pretrain") {
    const n = run.notes as CardNotes;
    const tokens = n.trainTokens
      ? ` ${n.trainTokens.toLocaleString("en")} training tokens, ${n.valTokens?.toLocaleString("en")} validation tokens.`
      : "";
    return `${corpus} Raw text, no chat format.${tokens}`;
  }
  if (run.method === "sft") {
    const n = run.notes as CardNotes;
    const base = n.base ? ` the base model \`${n.base}\`` : " a base model";
    const replay = Number((run.config as { replayBatchSize?: number })?.replayBatchSize) > 0;
    return (
      `Instruction-tuned from${base} on ${n.trainExamples ?? "?"} conversations of \`data/sft/train.jsonl\` ` +
      `(the Hugging Face \`messages\` format, generated from the task registry in \`src/data/tasks/\`; ` +
      `${n.valExamples ?? "?"} held out for validation), loss on \`${n.mask ?? "?"}\` tokens` +
      (replay
        ? ", with windows of the pretraining corpus replayed in every step against forgetting. "
        : ", without replay. ") +
      `The pretraining corpus: ${corpus}`
    );
  }
  return `A \`${run.method}\` run; \`run.json\` has its configuration and notes.`;
}

function recipe(run?: RunRecord): string {
  if (!run) return "Not recorded.";
  const rows = Object.entries((run.config ?? {}) as Record<string, unknown>).map(
    ([k, v]) => `| \`${k}\` | ${num(v)} |`,
  );
  return [
    `Optimizer AdamW, learning rate warmup then cosine; the \`${run.method}\` trainer's config:`,
    "",
    "| setting | value |",
    "|---|---|",
    ...rows,
  ].join("\n");
}

function runRecord(run?: RunRecord): string {
  if (!run) return "Not recorded.";
  // A row's metrics, its step aside: "`loss` 0.7230, `lr` 0.0002".
  const row = (label: string, r?: Record<string, unknown>) =>
    r
      ? `- ${label} (step ${r.step}): ` +
        Object.entries(r)
          .filter(([k]) => k !== "step")
          .map(([k, v]) => `\`${k}\` ${num(v)}`)
          .join(", ")
      : `- ${label}: none logged`;
  const b = run.backend;
  const v = run.versions;
  const lines = [
    `- seed ${run.seed}; started ${run.startedAt}; ${num(run.durationS / 60)} min`,
    `- backend: ${b?.path ?? b?.name} (${b?.provider}, tfjs ${v?.tfjs}, Node ${v?.node}, tuning-lab ${v?.tuningLab})`,
    row("last training row", run.metrics?.at(-1)),
    row("last evaluation", run.evals?.at(-1)),
  ];
  const evals = (run.notes as CardNotes)?.eval;
  if (run.method === "sft" && evals) {
    for (const [set, s] of Object.entries(evals))
      lines.push(
        `- eval set \`${set}\` (${s?.n} prompts): answer rate ${pct(s?.answer_rate)}, exact match ${pct(s?.exact_match)}`,
      );
  }
  lines.push("", "`run.json` beside this card is the whole record (every logged step and evaluation).");
  return lines.join("\n");
}

function licence(): string {
  return [
    "## Licence",
    "",
    "MIT, like Tuning Lab. The training text quotes WordNet 3.0 glosses and examples, which are under the " +
      "WordNet 3.0 licence of Princeton University (https://wordnet.princeton.edu/license-and-commercial-use; " +
      "a copy is in Tuning Lab's `data/wordnet/LICENSE`); keep that notice with copies of the data.",
  ].join("\n");
}
