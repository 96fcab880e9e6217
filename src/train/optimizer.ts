/**
 * AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019),
 * a warmup-then-cosine learning-rate schedule, and global-norm clipping.
 *
 * tfjs ships Adam but not AdamW, and its optimizers keep state we could not
 * checkpoint by parameter name; this one is ~80 lines and keeps both moments
 * per named parameter. As in nanoGPT, only matrices (rank ≥ 2) are decayed:
 * biases and LayerNorm gains are not.
 */
import { tf } from "../backend";
import type { OptimizerState } from "../model/checkpoint";
import { fused, nativeActive } from "../native/index";

export interface AdamWOptions {
  /** Exponential decay of the first moment (0.9 in most LM recipes). */
  beta1: number;
  /** Exponential decay of the second moment (0.95 for small LMs, as nanoGPT). */
  beta2: number;
  /** Added to the denominator for stability. */
  eps: number;
  /** Decoupled weight decay per unit of learning rate. */
  weightDecay: number;
}

/** Optimizer state as plain tensors: what a checkpoint stores (the type lives with the checkpoint). */
export type AdamWState = OptimizerState;

export class AdamW {
  /** Updates applied so far (bias correction uses it). */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly params: Map<string, tf.Variable>,
    readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of params) {
      if (!p.trainable) continue;
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** One update with gradients by parameter name, at learning rate `lr`. */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    const { beta1: b1, beta2: b2, eps, weightDecay } = this.opts;
    const c1 = 1 - Math.pow(b1, this.step);
    const c2 = 1 - Math.pow(b2, this.step);
    tf.tidy(() => {
      for (const [name, g] of grads) {
        const p = this.params.get(name)!;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        if (nativeActive()) {
          // One fused kernel instead of ~15 (native/tl_blas.c: same float32 operations).
          const decay = p.rank >= 2 && weightDecay > 0 ? 1 - lr * weightDecay : 1;
          const [pNew, mNew, vNew] = fused.adamw(p, g, m, v, { b1, b2, eps, lr, decay, c1, c2 });
          m.assign(mNew);
          v.assign(vNew);
          p.assign(pNew);
          continue;
        }
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        const decayed = p.rank >= 2 && weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
  }

  /** A copy of the state (the caller disposes the tensors). */
  state(): AdamWState {
    const copy = (src: Map<string, tf.Variable>) =>
      new Map([...src].map(([k, t]) => [k, t.clone()] as [string, tf.Tensor]));
    return { step: this.step, m: copy(this.m), v: copy(this.v) };
  }

  /** Restore a state saved by `state()`; names and shapes must match. */
  load(state: AdamWState, source = "optimizer state"): void {
    for (const [kind, src, dst] of [
      ["m", state.m, this.m],
      ["v", state.v, this.v],
    ] as const) {
      for (const [name, t] of dst) {
        const s = src.get(name);
        if (!s) throw new Error(`${source}: no ${kind} moment for parameter "${name}"`);
        if (s.shape.join() !== t.shape.join()) {
          throw new Error(
            `${source}: ${kind} moment of "${name}" has shape [${s.shape}], model needs [${t.shape}]`,
          );
        }
        t.assign(s);
      }
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/** The schedule's knobs (a subset of every trainer's config). */
export interface ScheduleOptions {
  /** Peak learning rate. */
  lr: number;
  /** Linear warmup from 0 over this many steps. */
  warmupSteps: number;
  /** Total steps; the cosine decay ends here unless decaySteps says otherwise. */
  steps: number;
  /** Step where the cosine decay reaches its minimum (nanoGPT's lr_decay_iters); default `steps`. */
  decaySteps?: number;
  /** Final learning rate as a fraction of the peak. */
  minLrRatio: number;
}

/** Learning rate at `step` (0-based): linear warmup, then cosine to lr·minLrRatio at decaySteps, then flat. */
export function learningRate(step: number, o: ScheduleOptions): number {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  const span = Math.max(1, (o.decaySteps ?? o.steps) - o.warmupSteps);
  const progress = Math.min(1, (step - o.warmupSteps) / span);
  const min = o.lr * o.minLrRatio;
  return min + 0.5 * (o.lr - min) * (1 + Math.cos(Math.PI * progress));
}

/**
 * Scale gradients so their global L2 norm is at most `maxNorm` (no-op when
 * maxNorm ≤ 0). Returns the new gradients and the norm *before* clipping.
 */
export function clipByGlobalNorm(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { grads: Map<string, tf.Tensor>; norm: number } {
  const sq = tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt(sq.dataSync()[0]);
  sq.dispose();
  if (!(maxNorm > 0) || norm <= maxNorm || !Number.isFinite(norm)) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of grads) out.set(k, tf.mul(g, scale));
  return { grads: out, norm };
}
