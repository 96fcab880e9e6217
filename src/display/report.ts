/**
 * Findings written from numbers computed in the run: a notebook states a claim
 * through `report(markdown)` in the cell that computes its number, so the
 * prose can never drift from the result.
 */
import { displayBundle } from "./channel";

/** Show markdown inline (notebook) or print it (terminal). */
export function report(markdown: string): void {
  if (!displayBundle({ "text/markdown": markdown, "text/plain": markdown })) console.log(markdown);
}

/** 0.1234 → "12.3%"; null → "n/a". */
export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || Number.isNaN(x) ? "n/a" : `${(100 * x).toFixed(digits)}%`;
}
