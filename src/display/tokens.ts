/**
 * Tokens made visible: each token of a rendered conversation as a box, green
 * where it carries loss and grey where it is context, special tokens in bold.
 * This is the picture to check before any training run: a wrong mask is the
 * quietest bug an SFT pipeline can have.
 */
import { displayBundle, escapeHtml } from "./channel";

export interface TokenView {
  /** Readable text of each token (e.g. from BpeTokenizer.tokenString). */
  texts: string[];
  /** 1 where the token carries loss. */
  mask: number[];
  /** Which tokens are special (role markers, end token). */
  special?: boolean[];
}

const STYLE = {
  learned: "background:#cdeee9;border:1px solid #2a9d8f",
  context: "background:#eef0f2;border:1px solid #ced4da",
};

/** HTML of the token boxes, with a legend. */
export function tokensHtml(v: TokenView, caption = ""): string {
  const boxes = v.texts.map((t, i) => {
    const shown = escapeHtml(t.replace(/ /g, "␣").replace(/\n/g, "⏎"));
    const weight = v.special?.[i] ? "font-weight:bold;" : "";
    return `<span style="${v.mask[i] ? STYLE.learned : STYLE.context};${weight}border-radius:3px;padding:1px 3px;margin:1px;display:inline-block;font-family:monospace">${shown}</span>`;
  });
  const n = v.mask.filter((m) => m === 1).length;
  const legend = `<div style="font-size:90%;margin-top:4px"><span style="${STYLE.learned};padding:0 4px">trained</span> ${n} of ${v.texts.length} tokens carry loss; <span style="${STYLE.context};padding:0 4px">context</span>; ␣ is a space</div>`;
  return `<div>${caption ? `<div><b>${escapeHtml(caption)}</b></div>` : ""}<div style="line-height:1.9">${boxes.join("")}</div>${legend}</div>`;
}

/** Plain-text version: trained tokens in [brackets]. */
export function tokensText(v: TokenView): string {
  return v.texts.map((t, i) => (v.mask[i] ? `[${t}]` : t)).join("|");
}

/** Show the tokens inline (notebook) or as text (terminal). */
export function showTokens(v: TokenView, caption = ""): void {
  if (!displayBundle({ "text/html": tokensHtml(v, caption), "text/plain": tokensText(v) }))
    console.log(`${caption}\n${tokensText(v)}`);
}
