/**
 * The pairwise objectives: one small pure function each, in one table.
 * `trainDpo` (src/train/dpo.ts) trains any of them through the pair loop of
 * src/train/pairs.ts; adding a method is adding a row here (and its knobs to
 * `OBJECTIVE_PARAMS`), nothing else.
 *
 * A pair objective reads four numbers per pair: the summed log-probs of the
 * chosen and rejected responses under the policy (π_c, π_r) and under the
 * frozen reference (ρ_c, ρ_r), mostly through h = (π_c − ρ_c) − (π_r − ρ_r).
 * An unpaired objective (`unit: "response"`) reads one labelled response at a
 * time instead: its π, ρ and whether it is desirable.
 *
 * | loss      | per unit                                          | paper |
 * |-----------|---------------------------------------------------|-------|
 * | `sigmoid` | −log σ(β h)                                       | DPO, Rafailov et al. 2023 |
 * | `cdpo`    | −(1−ε) log σ(β h) − ε log σ(−β h)                 | conservative DPO: labels flipped with prob. ε (Mitchell 2023) |
 * | `ipo`     | (h − 1/(2β))²                                     | IPO, Azar et al. 2023 |
 * | `hinge`   | max(0, 1 − β h)                                   | SLiC, Zhao et al. 2023 |
 * | `simpo`   | −log σ(β (π_c/|y_c| − π_r/|y_r|) − γ)             | SimPO, Meng et al. 2024: no reference, length-normalised |
 * | `kto`     | λ_D (1 − σ(β (r − z₀))) if desirable, λ_U (1 − σ(β (z₀ − r))) if not | KTO, Ethayarajh et al. 2024: unpaired labels |
 * | `orpo`    | −ℓ_c + λ · −log σ(log odds(ℓ_c) − log odds(ℓ_r))  | ORPO, Hong et al. 2024: no reference |
 *
 * KTO: r = π − ρ of one labelled response; z₀ = max(0, mean r over
 * mismatched prompt–response pairs of the micro-batch), with no gradient,
 * the paper's estimate of KL(π ‖ π_ref). ORPO: ℓ = π/|y|, the mean log-prob
 * per token, and log odds(ℓ) = ℓ − log(1 − e^ℓ); the NLL term −ℓ_c is the
 * SFT loss on the chosen response, so no reference and no SFT stage are needed.
 *
 * Where this departs from TRL: IPO reads summed log-probs, as Azar et al.
 * write it (TRL averages them per token).
 */
import { tf } from "../backend";
import { softplus } from "../model/ops";

/** Per-pair inputs, each [P]. Lengths count response tokens (end token included). */
export interface PairLogps {
  policyChosen: tf.Tensor1D;
  policyRejected: tf.Tensor1D;
  refChosen: tf.Tensor1D;
  refRejected: tf.Tensor1D;
  lenChosen: tf.Tensor1D;
  lenRejected: tf.Tensor1D;
}

/** Per labelled response inputs, each [U], for unpaired objectives. */
export interface LabelledLogps {
  policy: tf.Tensor1D;
  ref: tf.Tensor1D;
  len: tf.Tensor1D;
  /** 1 for a desirable response, 0 for an undesirable one. */
  desirable: tf.Tensor1D;
  /**
   * Mean of π − ρ over mismatched prompt–response rows of the micro-batch
   * (each response under the next group's prompt), no gradient: an estimate
   * of KL(π ‖ π_ref) that an unpaired objective can use as its reference point.
   */
  mismatchedKl: number;
}

/** What an objective reads of one micro-batch. */
export interface ObjectiveInputs {
  pairs: PairLogps;
  /** Present when the objective's `unit` is "response". */
  labelled?: LabelledLogps;
}

/** A knob that only some objectives read: its default, range and meaning. */
export interface ObjectiveParam {
  doc: string;
  default: number;
  min?: number;
  max?: number;
  /** The losses that read it; a non-default value with another loss is refused. */
  readBy: readonly string[];
}

/** Every objective-specific knob (β is everyone's and lives in the trainer's config). */
export const OBJECTIVE_PARAMS = {
  labelSmoothing: {
    doc: "cDPO's label-flip probability ε, 0 ≤ ε < 0.5",
    default: 0,
    min: 0,
    max: 0.499,
    readBy: ["cdpo"],
  },
  simpoGamma: { doc: "SimPO's target margin γ", default: 0, min: 0, readBy: ["simpo"] },
  desirableWeight: { doc: "KTO's λ_D: weight of desirable responses", default: 1, min: 0, readBy: ["kto"] },
  undesirableWeight: {
    doc: "KTO's λ_U: weight of undesirable responses",
    default: 1,
    min: 0,
    readBy: ["kto"],
  },
  orpoLambda: { doc: "ORPO's λ: weight of the odds-ratio term, ≥ 0", default: 0.1, min: 0, readBy: ["orpo"] },
} as const satisfies Record<string, ObjectiveParam>;

export type ObjectiveParamName = keyof typeof OBJECTIVE_PARAMS;
export type ObjectiveParams = { [K in ObjectiveParamName]: number };

/** The knobs a loss reads: β and the objective-specific ones. */
export type LossParams = { beta: number } & ObjectiveParams;

/** One pairwise objective. */
export interface PairObjective {
  /** The paper it follows (for --help and the table above). */
  paper: string;
  /** One loss term per pair, or per labelled response (unpaired data). */
  unit: "pair" | "response";
  /** Whether it reads the reference's log-probs (false: no reference pass is made). */
  reference: boolean;
  /** The loss of each unit, [P] or [U]. */
  loss: (x: ObjectiveInputs, c: LossParams) => tf.Tensor1D;
  /** Implicit rewards of each pair's chosen and rejected responses (the rewards/* metrics). */
  rewards: (p: PairLogps, c: LossParams) => { chosen: tf.Tensor1D; rejected: tf.Tensor1D };
}

/** h = (π_c − ρ_c) − (π_r − ρ_r): how much more the policy has raised chosen than rejected. */
export const logRatioMargin = (p: PairLogps): tf.Tensor1D =>
  tf.sub(tf.sub(p.policyChosen, p.refChosen), tf.sub(p.policyRejected, p.refRejected));

/** DPO's implicit reward β (π − ρ) of each side. */
const logRatioRewards = (p: PairLogps, c: LossParams) => ({
  chosen: tf.mul(c.beta, tf.sub(p.policyChosen, p.refChosen)) as tf.Tensor1D,
  rejected: tf.mul(c.beta, tf.sub(p.policyRejected, p.refRejected)) as tf.Tensor1D,
});

/** β times the mean log-prob per token of each side (the reference-free methods' reward). */
const lengthNormalisedRewards = (p: PairLogps, c: LossParams) => ({
  chosen: tf.mul(c.beta, tf.div(p.policyChosen, p.lenChosen)) as tf.Tensor1D,
  rejected: tf.mul(c.beta, tf.div(p.policyRejected, p.lenRejected)) as tf.Tensor1D,
});

/**
 * log(p / (1 − p)) of a mean log-prob ℓ = log p, as ℓ − log(−expm1(ℓ)); ℓ is
 * kept below −1e-6 so that a response the model is sure of has a finite odds.
 */
const logOdds = (l: tf.Tensor) => {
  const safe = tf.minimum(l, -1e-6);
  return tf.sub(safe, tf.log(tf.neg(tf.expm1(safe))));
};

const pairLoss = (
  paper: string,
  loss: (p: PairLogps, c: LossParams) => tf.Tensor,
  o: { reference?: boolean; rewards?: PairObjective["rewards"] } = {},
): PairObjective & { unit: "pair" } => ({
  paper,
  unit: "pair",
  reference: o.reference ?? true,
  loss: (x, c) => loss(x.pairs, c) as tf.Tensor1D,
  rewards: o.rewards ?? logRatioRewards,
});

/** The objectives `trainDpo` can train, by loss name. */
export const PAIR_OBJECTIVES = {
  sigmoid: pairLoss("DPO, Rafailov et al. 2023", (p, c) => softplus(tf.mul(-c.beta, logRatioMargin(p)))),
  cdpo: pairLoss("conservative DPO, Mitchell 2023", (p, c) => {
    const z = tf.mul(c.beta, logRatioMargin(p));
    return tf.add(tf.mul(1 - c.labelSmoothing, softplus(tf.neg(z))), tf.mul(c.labelSmoothing, softplus(z)));
  }),
  ipo: pairLoss("IPO, Azar et al. 2023", (p, c) => tf.square(tf.sub(logRatioMargin(p), 1 / (2 * c.beta)))),
  hinge: pairLoss("SLiC, Zhao et al. 2023", (p, c) => tf.relu(tf.sub(1, tf.mul(c.beta, logRatioMargin(p))))),
  simpo: pairLoss(
    "SimPO, Meng et al. 2024",
    (p, c) => {
      const norm = tf.sub(tf.div(p.policyChosen, p.lenChosen), tf.div(p.policyRejected, p.lenRejected));
      return softplus(tf.neg(tf.sub(tf.mul(c.beta, norm), c.simpoGamma)));
    },
    { reference: false, rewards: lengthNormalisedRewards },
  ),
  orpo: pairLoss(
    "ORPO, Hong et al. 2024",
    (p, c) => {
      const chosen = tf.div(p.policyChosen, p.lenChosen);
      const ratio = tf.sub(logOdds(chosen), logOdds(tf.div(p.policyRejected, p.lenRejected)));
      return tf.add(tf.neg(chosen), tf.mul(c.orpoLambda, softplus(tf.neg(ratio))));
    },
    { reference: false, rewards: lengthNormalisedRewards },
  ),
  kto: {
    paper: "KTO, Ethayarajh et al. 2024",
    unit: "response" as const,
    reference: true,
    loss: (x, c) => {
      if (!x.labelled) throw new Error("kto: the micro-batch has no labelled responses");
      const { policy, ref, desirable, mismatchedKl } = x.labelled;
      const z0 = Math.max(0, mismatchedKl);
      const r = tf.sub(policy, ref);
      const lossD = tf.mul(c.desirableWeight, tf.sub(1, tf.sigmoid(tf.mul(c.beta, tf.sub(r, z0)))));
      const lossU = tf.mul(c.undesirableWeight, tf.sub(1, tf.sigmoid(tf.mul(c.beta, tf.sub(z0, r)))));
      return tf.add(tf.mul(desirable, lossD), tf.mul(tf.sub(1, desirable), lossU)) as tf.Tensor1D;
    },
    rewards: logRatioRewards,
  },
} as const satisfies Record<string, PairObjective>;

export type DpoLoss = keyof typeof PAIR_OBJECTIVES;
export const DPO_LOSSES = Object.keys(PAIR_OBJECTIVES) as DpoLoss[];

/** Every objective knob at its default (a loss reads only its own). */
export const OBJECTIVE_DEFAULTS = Object.freeze(
  Object.fromEntries(Object.entries(OBJECTIVE_PARAMS).map(([k, v]) => [k, v.default])) as ObjectiveParams,
);

/** Knobs as a caller gives them: β, and any objective knob it sets (the rest at their defaults). */
export type GivenParams = { beta: number } & Partial<ObjectiveParams>;

/** The objectives that read pairs (not labelled responses). */
export type PairLoss = {
  [K in DpoLoss]: (typeof PAIR_OBJECTIVES)[K]["unit"] extends "pair" ? K : never;
}[DpoLoss];

const PAIR_UNIT = Object.entries(PAIR_OBJECTIVES).filter(([, o]) => o.unit === "pair");

/** The loss of each pair, [P], of the pair objectives by name (what notebook 07's loss plot reads). */
export const PAIR_LOSSES: Readonly<Record<PairLoss, (p: PairLogps, c: GivenParams) => tf.Tensor1D>> =
  Object.fromEntries(
    PAIR_UNIT.map(([k, o]) => [
      k,
      (p: PairLogps, c: GivenParams) => o.loss({ pairs: p }, { ...OBJECTIVE_DEFAULTS, ...c }),
    ]),
  ) as Record<PairLoss, (p: PairLogps, c: GivenParams) => tf.Tensor1D>;

/** Implicit rewards of the chosen and rejected responses under a loss at β (tidied). */
export function implicitRewards(p: PairLogps, loss: DpoLoss, beta: number) {
  return tf.tidy(() => PAIR_OBJECTIVES[loss].rewards(p, { ...OBJECTIVE_DEFAULTS, beta }));
}
