/**
 * Weight averaging: one model whose every parameter is the mean of the same
 * parameter in several fine-tuned copies of one starting model.
 *
 * Why it works at all: models fine-tuned from the same pretrained weights stay
 * in one linearly connected basin, so their average is a good model, often
 * better than each ("model soups", Wortsman et al. 2022,
 * https://arxiv.org/abs/2203.05482). For reward models, WARM (Ramé et al.
 * 2024, https://arxiv.org/abs/2401.12187) averages RMs trained with different
 * seeds to make them more reliable under distribution shift, at the cost of
 * one model at inference, where an ensemble costs one per member.
 */
import { tf } from "../backend";
import { GPT } from "./gpt";

/** The element-wise mean of `models`' weights, as a new model (the inputs are not changed). */
export function averageModels(models: readonly GPT[]): GPT {
  if (models.length === 0) throw new Error("averageModels: no models to average");
  const config = models[0].config;
  models.forEach((m, i) => {
    if (JSON.stringify(m.config) !== JSON.stringify(config))
      throw new Error(
        `averageModels: model ${i} has config ${JSON.stringify(m.config)}, ` +
          `model 0 ${JSON.stringify(config)}; ` +
          "only fine-tunes of one architecture can be averaged",
      );
  });
  const weights = new Map<string, tf.Tensor>();
  for (const name of models[0].params.keys())
    weights.set(
      name,
      tf.tidy(() => tf.div(tf.addN(models.map((m) => m.params.get(name)!)), models.length)),
    );
  const out = GPT.fromWeights(config, weights);
  // fromWeights made variables of these tensors; the variables keep their own reference.
  for (const w of weights.values()) w.dispose();
  return out;
}
