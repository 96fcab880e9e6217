/**
 * A decoder-only transformer in the shape of GPT-2 / nanoGPT's model.py:
 * token + learned position embeddings, pre-LayerNorm blocks of causal
 * multi-head attention and a GELU MLP, a final LayerNorm, and an LM head tied
 * to the token embedding. An optional scalar head on the same trunk serves as
 * the reward model's score and PPO's value.
 *
 * Departures from GPT-2: no dropout (the models here are too small and train
 * too briefly to overfit), and every matmul goes through the 2-D fast path of
 * ./ops (see the note there on the wasm backend).
 */
import { tf } from "../backend";
import { Rng } from "../random";
import { GPTConfig, gptConfig, parameterShapes, countParameters } from "./config";
import { attentionWeights, embed, gelu, layerNorm, linear, matmulTransposed, tokenLogProbs } from "./ops";

/** Keys and values of one layer, [B, H, T, headDim] each. */
export type LayerKV = { k: tf.Tensor4D; v: tf.Tensor4D };

/** Optional inputs that batched generation and padded batches need. */
export interface ForwardOptions {
  /** Position of each token [B, T] (int32); default 0..T-1. Left-padded rows start later. */
  positions?: tf.Tensor2D;
  /** 1 where a key is a real token, 0 for padding, over all keys (past + new) [B, Tk]. */
  keyMask?: tf.Tensor2D;
  /** Keys/values of earlier tokens (the KV cache), one entry per layer. */
  past?: LayerKV[];
}

/** Output of the trunk: the final hidden state and this call's keys/values. */
export interface TrunkOutput {
  hidden: tf.Tensor3D;
  present: LayerKV[];
}

const NEG = -1e9;

export class GPT {
  readonly config: Readonly<GPTConfig>;
  /** Parameters by name, in `parameterShapes` order. */
  readonly params: Map<string, tf.Variable>;

  private constructor(config: Readonly<GPTConfig>, params: Map<string, tf.Variable>) {
    this.config = config;
    this.params = params;
  }

  /** A freshly initialised model; the same seed gives the same weights on any backend. */
  static create(config: Partial<GPTConfig>, seed = 0): GPT {
    const c = gptConfig(config);
    const rng = new Rng(seed).fork("init");
    const params = new Map<string, tf.Variable>();
    for (const [name, shape] of parameterShapes(c)) {
      params.set(name, tf.variable(tf.tensor(initValues(name, shape, c, rng), shape)));
    }
    return new GPT(c, params);
  }

  /** A model over the given weights (checkpoint loading); shapes are checked by the caller. */
  static fromWeights(config: Partial<GPTConfig>, weights: Map<string, tf.Tensor>): GPT {
    const c = gptConfig(config);
    const params = new Map<string, tf.Variable>();
    for (const [name] of parameterShapes(c)) params.set(name, tf.variable(weights.get(name)!));
    return new GPT(c, params);
  }

  /** An independent copy (e.g. the frozen reference policy of DPO and PPO). */
  clone(): GPT {
    const params = new Map<string, tf.Variable>();
    for (const [name, v] of this.params) params.set(name, tf.variable(v.clone(), v.trainable));
    return new GPT(this.config, params);
  }

  /**
   * A copy with a scalar head added (the reward model from the SFT model):
   * the trunk's weights are copied, the head starts at zero, so every score
   * starts at 0 and the first steps move the head before the trunk.
   */
  withScalarHead(): GPT {
    if (this.config.scalarHead) return this.clone();
    const c = gptConfig({ ...this.config, scalarHead: true });
    const params = new Map<string, tf.Variable>();
    for (const [name, shape] of parameterShapes(c)) {
      const old = this.params.get(name);
      params.set(name, tf.variable(old ? old.clone() : tf.zeros(shape)));
    }
    return new GPT(c, params);
  }

  /** A copy without the scalar head (a PPO policy without its value head: a plain LM again). */
  withoutScalarHead(): GPT {
    const c = gptConfig({ ...this.config, scalarHead: false });
    const params = new Map<string, tf.Variable>();
    for (const [name] of parameterShapes(c)) params.set(name, tf.variable(this.p(name).clone()));
    return new GPT(c, params);
  }

  numParameters(): number {
    return countParameters(this.config);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`GPT: no parameter "${name}" (scalarHead is ${this.config.scalarHead})`);
    return v;
  }

  /** Run the transformer on ids [B, T] (int32); returns final-LN hidden states [B, T, D]. */
  trunk(ids: tf.Tensor2D, opts: ForwardOptions = {}): TrunkOutput {
    const [B, T] = ids.shape;
    const c = this.config;
    const pastLen = opts.past?.[0]?.k.shape[2] ?? 0;
    if (pastLen + T > c.contextLength) {
      throw new Error(
        `sequence of ${pastLen + T} tokens is longer than the model's context of ${c.contextLength}; shorten the prompt or raise contextLength`,
      );
    }
    const pos =
      opts.positions ?? tf.tile(tf.expandDims(tf.range(pastLen, pastLen + T, 1, "int32"), 0), [B, 1]);
    let x = tf.add(
      embed(this.p("wte"), tf.reshape(ids, [B * T])),
      embed(this.p("wpe"), tf.reshape(pos, [B * T])),
    ) as tf.Tensor2D;
    const bias = attentionBias(B, T, pastLen, opts.keyMask);
    const present: LayerKV[] = [];
    for (let l = 0; l < c.nLayers; l++) {
      const { out, kv } = this.attention(
        l,
        layerNorm(x, this.p(`h${l}.ln1.g`), this.p(`h${l}.ln1.b`)),
        B,
        T,
        bias,
        opts.past?.[l],
      );
      x = tf.add(x, out);
      x = tf.add(x, this.mlp(l, layerNorm(x, this.p(`h${l}.ln2.g`), this.p(`h${l}.ln2.b`))));
      present.push(kv);
    }
    const hidden = tf.reshape(layerNorm(x, this.p("lnf.g"), this.p("lnf.b")), [
      B,
      T,
      c.dModel,
    ]) as tf.Tensor3D;
    return { hidden, present };
  }

  private attention(l: number, h: tf.Tensor2D, B: number, T: number, bias: tf.Tensor, past?: LayerKV) {
    const { nHeads: H, dModel: D } = this.config;
    const hd = D / H;
    // Separate q/k/v projections rather than one fused [D, 3D]: splitting the
    // fused activation (SplitV) cost more on wasm than three matmuls.
    const proj = (n: string) => {
      const t = linear(h, this.p(`h${l}.attn.w${n}`), this.p(`h${l}.attn.b${n}`)); // [B*T, D]
      return swapHeadsAndTime(tf.reshape(t, [B, T, H, hd])); // [B, H, T, hd]
    };
    const [q, kNew, vNew] = [proj("q"), proj("k"), proj("v")];
    const k = past ? tf.concat([past.k, kNew], 2) : kNew;
    const v = past ? tf.concat([past.v, vNew], 2) : vNew;
    const Tk = k.shape[2];
    const scores = tf.matMul(tf.reshape(q, [B * H, T, hd]), tf.reshape(k, [B * H, Tk, hd]), false, true); // [B*H, T, Tk]
    const att = attentionWeights(tf.reshape(scores, [B, H, T, Tk]), bias, 1 / Math.sqrt(hd)); // [B, H, T, Tk]
    const y = tf.matMul(tf.reshape(att, [B * H, T, Tk]), tf.reshape(v, [B * H, Tk, hd])); // [B*H, T, hd]
    const merged = tf.reshape(swapHeadsAndTime(tf.reshape(y, [B, H, T, hd])), [B * T, D]) as tf.Tensor2D;
    return { out: linear(merged, this.p(`h${l}.attn.wo`), this.p(`h${l}.attn.bo`)), kv: { k, v } };
  }

  private mlp(l: number, h: tf.Tensor2D): tf.Tensor2D {
    const up = gelu(linear(h, this.p(`h${l}.mlp.w1`), this.p(`h${l}.mlp.b1`))) as tf.Tensor2D;
    return linear(up, this.p(`h${l}.mlp.w2`), this.p(`h${l}.mlp.b2`));
  }

  /** Next-token logits from hidden states [B, T, D] → [B, T, V] (head tied to wte). */
  head(hidden: tf.Tensor3D): tf.Tensor3D {
    const [B, T, D] = hidden.shape;
    const logits = matmulTransposed(tf.reshape(hidden, [B * T, D]) as tf.Tensor2D, this.p("wte"));
    return tf.reshape(logits, [B, T, this.config.vocabSize]);
  }

  /** Logits for ids [B, T] → [B, T, V]. */
  logits(ids: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    return this.head(this.trunk(ids, opts).hidden);
  }

  /**
   * log p(ids[:, t+1] | ids[:, ..t]) for every position: ids [B, T] → [B, T-1].
   * Differentiable; SFT, DPO and PPO all build their losses from it (through
   * src/model/logprobs.ts).
   */
  sequenceLogProbs(ids: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
    return this.nextTokenLogProbs(this.trunk(ids, opts).hidden, ids);
  }

  /**
   * The same from the trunk's hidden states [B, T, D]: the LM head, then the
   * log-softmax read at each next token. A caller that also needs the scalar
   * head (PPO's critic) reads both from one trunk pass.
   */
  nextTokenLogProbs(hidden: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
    const [B, T] = ids.shape;
    const logits = this.head(hidden);
    const V = this.config.vocabSize;
    const flat = tf.reshape(tf.slice(logits, [0, 0, 0], [B, T - 1, V]), [B * (T - 1), V]) as tf.Tensor2D;
    const targets = tf.reshape(tf.slice(ids, [0, 1], [B, T - 1]), [B * (T - 1)]) as tf.Tensor1D;
    return tf.reshape(tokenLogProbs(flat, targets), [B, T - 1]);
  }

  /** Scalar head per position: [B, T] (reward score at the last token, PPO value everywhere). */
  scores(hidden: tf.Tensor3D): tf.Tensor2D {
    const [B, T, D] = hidden.shape;
    const s = linear(tf.reshape(hidden, [B * T, D]), this.p("score.w"), this.p("score.b"));
    return tf.reshape(s, [B, T]);
  }

  /** Trainable variables, for the optimizer. */
  trainableVariables(): tf.Variable[] {
    return [...this.params.values()].filter((v) => v.trainable);
  }
}

/**
 * [B, X, Y, hd] → [B, Y, X, hd]. When either axis has length 1 (a decode
 * step: one new token) the order of elements is unchanged, so a reshape (no
 * copy) does what a Transpose kernel would.
 */
function swapHeadsAndTime(t: tf.Tensor4D): tf.Tensor4D {
  const [b, x, y, hd] = t.shape;
  return x === 1 || y === 1 ? tf.reshape(t, [b, y, x, hd]) : tf.transpose(t, [0, 2, 1, 3]);
}

/**
 * Additive attention bias [B|1, 1, T, Tk]: 0 where query i may see key j,
 * -1e9 elsewhere. Causal over absolute positions (key j ≤ pastLen + i),
 * and padded keys (keyMask 0) are hidden from every query.
 */
function attentionBias(B: number, T: number, pastLen: number, keyMask?: tf.Tensor2D): tf.Tensor {
  const Tk = pastLen + T;
  const causal = new Float32Array(T * Tk);
  for (let i = 0; i < T; i++) for (let j = pastLen + i + 1; j < Tk; j++) causal[i * Tk + j] = NEG;
  const bias = tf.tensor4d(causal, [1, 1, T, Tk]);
  if (!keyMask) return bias;
  if (keyMask.shape[0] !== B || keyMask.shape[1] !== Tk) {
    throw new Error(
      `keyMask has shape [${keyMask.shape}] but must be [${B}, ${Tk}] (batch, past + new tokens)`,
    );
  }
  return tf.add(bias, tf.reshape(tf.mul(tf.sub(1, keyMask), NEG), [B, 1, 1, Tk]));
}

/** GPT-2 init: N(0, std) weights, residual projections scaled by 1/sqrt(2L), zero biases, unit LN gains. */
function initValues(name: string, shape: number[], c: GPTConfig, rng: Rng): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (name.endsWith(".g")) return out.fill(1);
  const isWeight = shape.length === 2;
  if (!isWeight) return out;
  const residual = name.endsWith("attn.wo") || name.endsWith("mlp.w2");
  const std = residual ? c.initStd / Math.sqrt(2 * c.nLayers) : c.initStd;
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}
