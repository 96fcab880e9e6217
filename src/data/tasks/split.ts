/**
 * The held-in / held-out split of clusters that later notebooks use: SFT
 * trains on held-in clusters only; held-out clusters measure transfer to kinds
 * of task never tuned on (FLAN's evaluation design). Knowledge stays held in:
 * it is where the model can be right, and its held-out axis is the split by
 * word instead (facts of "heldout" words are never shown during SFT).
 *
 * Held out: summarisation (a "format" cluster, so transfer could show) and
 * translation (mostly "unlikely", a control).
 */
import { CLUSTERS, Cluster } from "./types";

/** Clusters SFT trains on, and clusters kept for measuring transfer. */
export interface ClusterSplit {
  heldIn: readonly Cluster[];
  heldOut: readonly Cluster[];
}

const HELD_OUT: readonly Cluster[] = ["summarisation", "translation"];

/** The default split: seven clusters held in, two held out. */
export const CLUSTER_SPLIT: Readonly<ClusterSplit> = Object.freeze({
  heldIn: Object.freeze(CLUSTERS.filter((c) => !HELD_OUT.includes(c))),
  heldOut: Object.freeze(HELD_OUT.slice()),
});
