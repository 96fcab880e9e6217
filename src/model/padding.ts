/**
 * Left padding for batches of prompts of different lengths: every row's last
 * token lands in the same column, padded keys are masked out, and positions
 * count from each row's first real token, so a row's logits do not depend on
 * what else is in the batch.
 */
export interface LeftPadded {
  /** [B, L] token ids, padding first. */
  ids: number[][];
  /** [B, L] 1 for real tokens, 0 for padding. */
  mask: number[][];
  /** [B, L] position of each token (padding gets 0). */
  positions: number[][];
  /** L: the longest prompt. */
  length: number;
}

export function leftPad(prompts: readonly number[][], padId: number): LeftPadded {
  const L = Math.max(...prompts.map((p) => p.length));
  const offset = (p: readonly number[]) => L - p.length;
  return {
    ids: prompts.map((p) => [...new Array(offset(p)).fill(padId), ...p]),
    mask: prompts.map((p) => Array.from({ length: L }, (_, t) => (t >= offset(p) ? 1 : 0))),
    positions: prompts.map((p) => Array.from({ length: L }, (_, t) => Math.max(0, t - offset(p)))),
    length: L,
  };
}
