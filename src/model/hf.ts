/**
 * Our GPT in Hugging Face's terms: `GPT2LMHeadModel`. The architectures are
 * the same (pre-LN blocks, learned positions, biases on every linear and
 * LayerNorm, tanh-GELU, an LM head tied to the token embedding), so the
 * mapping is names and layout, with no approximation:
 *
 *   ours                      GPT-2 (transformer.*)
 *   wte, wpe                  wte.weight, wpe.weight
 *   h{l}.ln1.g / .b           h.{l}.ln_1.weight / .bias        (ln2 → ln_2, lnf → ln_f)
 *   h{l}.attn.wq|wk|wv        h.{l}.attn.c_attn.weight [D, 3D]: q | k | v side by side
 *   h{l}.attn.bq|bk|bv        h.{l}.attn.c_attn.bias [3D]
 *   h{l}.attn.wo / .bo        h.{l}.attn.c_proj.weight / .bias
 *   h{l}.mlp.w1 / .b1         h.{l}.mlp.c_fc.weight / .bias
 *   h{l}.mlp.w2 / .b2         h.{l}.mlp.c_proj.weight / .bias
 *   (tied head)               lm_head.weight, not written: GPT-2 ties it to wte.weight
 *   score.w [D, 1] / .b [1]   score.weight [1, D] / score.bias [1]  (scalar head only)
 *
 * GPT-2's linears are `Conv1D`, which stores its weight [in, out] and computes
 * x W + b, as `linear` in ops.ts does, so weights are copied untransposed.
 * GPT-2 splits c_attn's output into q, k, v and each into heads of D/H in
 * order, as our separate projections reshaped to [B, T, H, D/H] do.
 *
 * The config fields that make GPT-2 compute exactly our function are in
 * `hfConfig`: `activation_function: "gelu_new"` (the tanh approximation),
 * `layer_norm_epsilon` = LN_EPS, n_inner = mlpRatio · dModel, dropout 0
 * (we train without it, so a run continued in PyTorch starts the same way).
 *
 * The scalar head is `score`, the name of GPT2ForSequenceClassification's
 * head (num_labels 1), in nn.Linear's [out, in] layout. That class's head has
 * no bias, so it loads score.weight and drops score.bias (the model card says
 * so); importing a head without score.bias reads it as zero.
 */
import { SPECIAL_TOKEN_NAMES, type SpecialToken } from "../tokenizer/index";
import { GPTConfig, gptConfig, parameterShapes } from "./config";
import { LN_EPS } from "./ops";
import { NamedTensor, expectTensor } from "./safetensors";

/** One tensor of the export: `parts` of ours, concatenated along the last axis. */
export interface TensorLink {
  hf: string;
  shape: number[];
  parts: string[];
}

/** The export's tensors, in the order written, each with the parameters it is made of. */
export function tensorLinks(c: GPTConfig): TensorLink[] {
  const D = c.dModel;
  const F = c.mlpRatio * D;
  const links: TensorLink[] = [
    { hf: "transformer.wte.weight", shape: [c.vocabSize, D], parts: ["wte"] },
    { hf: "transformer.wpe.weight", shape: [c.contextLength, D], parts: ["wpe"] },
  ];
  const layerNorm = (hf: string, ours: string): TensorLink[] => [
    { hf: `${hf}.weight`, shape: [D], parts: [`${ours}.g`] },
    { hf: `${hf}.bias`, shape: [D], parts: [`${ours}.b`] },
  ];
  const linear = (hf: string, w: string[], b: string[], shape: [number, number]): TensorLink[] => [
    { hf: `${hf}.weight`, shape, parts: w },
    { hf: `${hf}.bias`, shape: [shape[1]], parts: b },
  ];
  for (let l = 0; l < c.nLayers; l++) {
    const h = `transformer.h.${l}.`;
    const p = `h${l}.`;
    const qkv = (x: string) => ["q", "k", "v"].map((n) => `${p}attn.${x}${n}`);
    links.push(
      ...layerNorm(`${h}ln_1`, `${p}ln1`),
      ...linear(`${h}attn.c_attn`, qkv("w"), qkv("b"), [D, 3 * D]),
      ...linear(`${h}attn.c_proj`, [`${p}attn.wo`], [`${p}attn.bo`], [D, D]),
      ...layerNorm(`${h}ln_2`, `${p}ln2`),
      ...linear(`${h}mlp.c_fc`, [`${p}mlp.w1`], [`${p}mlp.b1`], [D, F]),
      ...linear(`${h}mlp.c_proj`, [`${p}mlp.w2`], [`${p}mlp.b2`], [F, D]),
    );
  }
  links.push(...layerNorm("transformer.ln_f", "lnf"));
  if (c.scalarHead) {
    // nn.Linear's [out, in] = [1, D]: our [D, 1] column read as a row, the same values in the same order.
    links.push(
      { hf: "score.weight", shape: [1, D], parts: ["score.w"] },
      { hf: "score.bias", shape: [1], parts: ["score.b"] },
    );
  }
  return links;
}

/** Matrices of `rows` rows side by side: [rows, w1] | [rows, w2] | … → [rows, w1 + w2 + …]. */
export function concatColumns(parts: readonly Float32Array[], rows: number): Float32Array {
  const widths = parts.map((p) => p.length / rows);
  const width = widths.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    let col = 0;
    parts.forEach((p, i) => {
      out.set(p.subarray(r * widths[i], (r + 1) * widths[i]), r * width + col);
      col += widths[i];
    });
  }
  return out;
}

/** The inverse of `concatColumns`: [rows, Σw] → one [rows, w] per width. */
export function splitColumns(data: Float32Array, rows: number, widths: readonly number[]): Float32Array[] {
  const width = widths.reduce((a, b) => a + b, 0);
  let col = 0;
  return widths.map((w) => {
    const out = new Float32Array(rows * w);
    for (let r = 0; r < rows; r++) out.set(data.subarray(r * width + col, r * width + col + w), r * w);
    col += w;
    return out;
  });
}

const rowsOf = (shape: readonly number[]) => (shape.length === 2 ? shape[0] : 1);

/** Our parameters (values by name) as the export's tensors. */
export function toHfTensors(c: GPTConfig, values: ReadonlyMap<string, Float32Array>): NamedTensor[] {
  const get = (name: string) => {
    const v = values.get(name);
    if (!v) throw new Error(`export: the model has no parameter "${name}"`);
    return v;
  };
  return tensorLinks(c).map(({ hf, shape, parts }) => ({
    name: hf,
    shape,
    data: parts.length === 1 ? get(parts[0]) : concatColumns(parts.map(get), rowsOf(shape)),
  }));
}

/** Buffers older GPT-2 files carry (the causal mask): not weights, so skipped on import. */
const IGNORED = /^transformer\.h\.\d+\.attn\.(bias|masked_bias)$/;

/**
 * Our parameters from a GPT-2 safetensors' tensors, checked against `c`.
 * Throws, naming `source` and the tensor, on a missing tensor, a wrong shape,
 * an untied `lm_head.weight` or a tensor GPT-2 of this config does not have.
 */
export function fromHfTensors(
  c: GPTConfig,
  file: ReadonlyMap<string, NamedTensor>,
  source: string,
): Map<string, { shape: number[]; data: Float32Array }> {
  const tensors = withTransformerPrefix(file);
  const shapes = new Map(parameterShapes(c));
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  const used = new Set<string>();
  for (const { hf, shape, parts } of tensorLinks(c)) {
    const data =
      hf === "score.bias" && !tensors.has(hf)
        ? new Float32Array(1) // GPT2ForSequenceClassification saves no bias: it is zero
        : expectTensor(source, tensors, hf, shape);
    used.add(hf);
    const pieces =
      parts.length === 1
        ? [data]
        : splitColumns(
            data,
            rowsOf(shape),
            parts.map((p) => shapes.get(p)!.at(-1)!),
          );
    parts.forEach((p, i) => out.set(p, { shape: shapes.get(p)!, data: pieces[i] }));
  }
  const head = tensors.get("lm_head.weight");
  if (head) {
    used.add("lm_head.weight");
    const wte = out.get("wte")!.data;
    if (head.shape.join() !== [c.vocabSize, c.dModel].join() || head.data.some((x, i) => x !== wte[i]))
      throw new Error(
        `${source}: tensor "lm_head.weight" differs from "transformer.wte.weight"; this model ties its LM head to the token embedding, so an untied head cannot be imported`,
      );
  }
  const unknown = [...tensors.keys()].filter((n) => !used.has(n) && !IGNORED.test(n));
  if (unknown.length > 0) {
    const list = unknown.slice(0, 5).join(", ") + (unknown.length > 5 ? ", …" : "");
    throw new Error(
      `${source}: ${unknown.length} tensor(s) that a GPT-2 of this config does not have: ${list}`,
    );
  }
  return out;
}

/** Files saved from GPT2Model (the original gpt2 weights) name tensors without "transformer.". */
function withTransformerPrefix(tensors: ReadonlyMap<string, NamedTensor>): ReadonlyMap<string, NamedTensor> {
  if (tensors.has("transformer.wte.weight") || !tensors.has("wte.weight")) return tensors;
  const out = new Map<string, NamedTensor>();
  for (const [name, t] of tensors)
    out.set(/^(wte|wpe|h\.|ln_f)/.test(name) ? `transformer.${name}` : name, t);
  return out;
}

/** Token ids of the special tokens by name (pad 0, bos 1, eos 2, …). */
const specialId = (name: SpecialToken) => SPECIAL_TOKEN_NAMES.indexOf(name);

/** The Hugging Face architecture a model exports as. */
export const hfArchitecture = (c: GPTConfig) =>
  c.scalarHead ? "GPT2ForSequenceClassification" : "GPT2LMHeadModel";

/** `config.json` of the export: GPT2Config with every field that our forward pass depends on. */
export function hfConfig(c: GPTConfig): Record<string, unknown> {
  return {
    architectures: [hfArchitecture(c)],
    model_type: "gpt2",
    vocab_size: c.vocabSize,
    n_positions: c.contextLength,
    n_embd: c.dModel,
    n_layer: c.nLayers,
    n_head: c.nHeads,
    n_inner: c.mlpRatio * c.dModel,
    activation_function: "gelu_new",
    layer_norm_epsilon: LN_EPS,
    initializer_range: c.initStd,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: true,
    use_cache: true,
    bos_token_id: specialId("bos"),
    eos_token_id: specialId("eos"),
    pad_token_id: specialId("pad"),
    torch_dtype: "float32",
    // One output: the reward model's score (or PPO's value).
    ...(c.scalarHead ? { id2label: { "0": "LABEL_0" }, label2id: { LABEL_0: 0 } } : {}),
  };
}

/** `generation_config.json`: stop at <|eos|>, pad with <|pad|>, never past the learned positions. */
export function hfGenerationConfig(c: GPTConfig): Record<string, unknown> {
  return {
    bos_token_id: specialId("bos"),
    eos_token_id: specialId("eos"),
    pad_token_id: specialId("pad"),
    max_length: c.contextLength,
  };
}

/** The activations that are tanh-GELU under two names in transformers. */
const TANH_GELU = ["gelu_new", "gelu_pytorch_tanh"];

/**
 * Our model config from a GPT-2 `config.json` (ours, or one transformers wrote
 * after a fine-tune). Fields with no counterpart here must hold the value our
 * forward pass computes; otherwise the error says which and why.
 */
export function gptConfigFromHf(hf: Record<string, unknown>, source: string, scalarHead: boolean): GPTConfig {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (hf.model_type !== "gpt2")
    fail(`model_type is ${JSON.stringify(hf.model_type)}; only GPT-2 ("gpt2") models can be imported`);
  const int = (key: string): number => {
    const v = hf[key];
    return Number.isInteger(v)
      ? (v as number)
      : fail(`"${key}" must be a whole number, got ${JSON.stringify(v)}`);
  };
  const dModel = int("n_embd");
  const inner = hf.n_inner ?? 4 * dModel; // transformers' default when n_inner is null
  if (!Number.isInteger(inner) || (inner as number) % dModel !== 0)
    fail(`n_inner = ${JSON.stringify(hf.n_inner)} is not a multiple of n_embd = ${dModel}`);
  const activation = hf.activation_function ?? "gelu_new";
  if (!TANH_GELU.includes(activation as string))
    fail(`activation_function is ${JSON.stringify(activation)}; this model computes tanh-GELU ("gelu_new")`);
  const eps = hf.layer_norm_epsilon ?? 1e-5;
  if (eps !== LN_EPS)
    fail(`layer_norm_epsilon is ${JSON.stringify(eps)}; this model's LayerNorm uses ${LN_EPS}`);
  if (hf.scale_attn_weights === false)
    fail("scale_attn_weights is false; this model scales by 1/sqrt(head size)");
  if (hf.scale_attn_by_inverse_layer_idx === true)
    fail("scale_attn_by_inverse_layer_idx is true; this model scales every layer the same");
  if (hf.tie_word_embeddings === false)
    fail("tie_word_embeddings is false; this model's LM head is the token embedding");
  try {
    return gptConfig({
      vocabSize: int("vocab_size"),
      contextLength: int("n_positions"),
      dModel,
      nLayers: int("n_layer"),
      nHeads: int("n_head"),
      mlpRatio: (inner as number) / dModel,
      scalarHead,
      initStd: typeof hf.initializer_range === "number" ? hf.initializer_range : 0.02,
    });
  } catch (e) {
    return fail((e as Error).message);
  }
}
