/**
 * Inline display of arquero tables: an HTML table in notebooks, a
 * markdown table on terminals. Long tables are cut to a few rows.
 */
import { displayBundle, escapeHtml } from "./channel";

/**
 * What `show` needs from a table. Every arquero table has these methods;
 * typing it structurally keeps arquero (ESM-only) out of this module's imports.
 */
export interface TableLike {
  numRows(): number;
  toHTML(options?: { limit?: number; maxdigits?: number; style?: Record<string, string> }): string;
  toMarkdown(options?: { limit?: number; maxdigits?: number }): string;
}

/** Options for `show`. */
export interface ShowOptions {
  /** Most rows to print (default 20); a note says how many were left out. */
  limit?: number;
  /** Most fractional digits for numbers (default 4). */
  maxdigits?: number;
  /** A caption above the table. */
  caption?: string;
}

const STYLE = {
  table: "border-collapse: collapse; font-size: 13px; margin: 4px 0;",
  th: "text-align: right; padding: 2px 10px; border-bottom: 1px solid #999;",
  td: "text-align: right; padding: 2px 10px; border-bottom: 1px solid #eee;",
};

/** "37 more rows (57 in all)", or "" when nothing was cut. */
export function moreRowsNote(total: number, limit: number): string {
  return total > limit ? `${total - limit} more rows (${total} in all)` : "";
}

/** The HTML `show` displays: optional caption, the table, the more-rows note. */
export function tableHtml(table: TableLike, opts: ShowOptions = {}): string {
  const limit = opts.limit ?? 20;
  const note = moreRowsNote(table.numRows(), limit);
  const caption = opts.caption ? `<div style="font-weight:bold">${escapeHtml(opts.caption)}</div>` : "";
  const body = table.toHTML({ limit, maxdigits: opts.maxdigits ?? 4, style: STYLE });
  return `<div class="tuning-lab-table">${caption}${body}${note ? `<div style="color:#666;font-size:12px">… ${note}</div>` : ""}</div>`;
}

/** The plain-text form: a markdown table, usable in terminals and logs. */
export function tableText(table: TableLike, opts: ShowOptions = {}): string {
  const limit = opts.limit ?? 20;
  const note = moreRowsNote(table.numRows(), limit);
  const caption = opts.caption ? `${opts.caption}\n\n` : "";
  const body = table.toMarkdown({ limit, maxdigits: opts.maxdigits ?? 4 }).trimEnd();
  return `${caption}${body}${note ? `\n… ${note}` : ""}`;
}

/**
 * Show an arquero table inline (HTML in notebooks, markdown text elsewhere),
 * at most `limit` rows.
 */
export function show(table: TableLike, opts: ShowOptions = {}): void {
  if (!table || typeof table.toHTML !== "function" || typeof table.numRows !== "function") {
    throw new TypeError("show(table): expected an arquero table, e.g. aq.table({ x: [1, 2] })");
  }
  const text = tableText(table, opts);
  if (!displayBundle({ "text/html": tableHtml(table, opts), "text/plain": text })) console.log(text);
}
