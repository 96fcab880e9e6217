/**
 * The held-in / held-out split of clusters that later notebooks use: SFT
 * trains on held-in clusters only; held-out clusters measure transfer to kinds
 * of task never tuned on (FLAN's evaluation design). Knowledge stays held in:
 * it is where the model can be right, and its held-out axis is the split by
 * word instead (facts of "heldout" words are never shown during SFT).
 *
 * Held out:
 * - choice and completion: the skill (word facts) is in the base model from
 *   pretraining, the request format is not in SFT; these are the clusters
 *   zero-shot transfer can move (notebook 08's FLAN curves are measured on them);
 * - summarisation (a "format" cluster) and translation (mostly "unlikely", a control);
 * - coding, learnable when trained on, held out by default so the committed
 *   SFT data and models stay as they were made (notebook 08 trains on it).
 */
import { CLUSTERS, Cluster } from "./types";

/** Clusters SFT trains on, and clusters kept for measuring transfer. */
export interface ClusterSplit {
  heldIn: readonly Cluster[];
  heldOut: readonly Cluster[];
}

const HELD_OUT: readonly Cluster[] = ["summarisation", "translation", "coding", "choice", "completion"];

/** The held-out clusters whose skill the base model has: where transfer can show. */
export const TRANSFER_CLUSTERS: readonly Cluster[] = Object.freeze(["choice", "completion"]);

/** The default split: seven clusters held in, five held out. */
export const CLUSTER_SPLIT: Readonly<ClusterSplit> = Object.freeze({
  heldIn: Object.freeze(CLUSTERS.filter((c) => !HELD_OUT.includes(c))),
  heldOut: Object.freeze(HELD_OUT.slice()),
});
