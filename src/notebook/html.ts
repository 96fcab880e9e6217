/**
 * A self-contained HTML page for an executed notebook: markdown rendered,
 * code and outputs shown, and plotly inlined once (only when the page has
 * plots) so figures draw offline from a single file.
 */
import * as fs from "fs";
import { createRequire } from "module";
import { marked } from "marked";
import { escapeHtml } from "../display/channel";
import { Figure, plotBundle, PLOTLY_MIME } from "../display/plot";
import { joinText, Notebook, Output } from "./ipynb";

/** Terminal colour codes (tfjs, chalk) make no sense in a page. */
function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

/** Base64 or text payloads as stored in nbformat. */
function payload(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value);
}

/** The richest representation this page can show, as HTML. */
export function outputHtml(out: Output): string {
  if (out.output_type === "stream") {
    return `<pre class="stream ${out.name}">${escapeHtml(stripAnsi(joinText(out.text)))}</pre>`;
  }
  if (out.output_type === "error") {
    const text = [`${out.ename}: ${out.evalue}`, ...out.traceback].join("\n");
    return `<pre class="stream stderr">${escapeHtml(stripAnsi(text))}</pre>`;
  }
  const d = out.data;
  if (d["text/html"] !== undefined) return `<div class="html">${payload(d["text/html"])}</div>`;
  if (d[PLOTLY_MIME] !== undefined) return String(plotBundle(d[PLOTLY_MIME] as Figure)["text/html"]);
  if (d["image/svg+xml"] !== undefined) return `<div class="svg">${payload(d["image/svg+xml"])}</div>`;
  for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
    if (d[mime] !== undefined)
      return `<img src="data:${mime};base64,${payload(d[mime]).replace(/\s/g, "")}">`;
  }
  if (d["text/markdown"] !== undefined)
    return `<div class="markdown">${marked.parse(payload(d["text/markdown"]), { async: false })}</div>`;
  if (d["text/plain"] !== undefined)
    return `<pre class="stream">${escapeHtml(stripAnsi(payload(d["text/plain"])))}</pre>`;
  return "";
}

/** True when some output needs plotly.js in the page. */
export function hasPlots(nb: Notebook): boolean {
  return nb.cells.some((c) =>
    (c.outputs ?? []).some(
      (o) => o.output_type !== "stream" && o.output_type !== "error" && PLOTLY_MIME in o.data,
    ),
  );
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; background: #fafafa; color: #222; }
main { max-width: 980px; margin: 0 auto; padding: 24px; background: #fff; }
.cell { margin: 14px 0; }
.source { background: #f5f5f7; border-left: 3px solid #8aa; padding: 8px 10px; overflow-x: auto; font-size: 13px; }
.count { color: #888; font: 12px monospace; }
.outputs { margin-left: 4px; }
.stream { margin: 4px 0; padding: 4px 8px; white-space: pre-wrap; font-size: 12.5px; }
.stderr { background: #fff3f3; }
img { max-width: 100%; }
table { border-collapse: collapse; }`;

/**
 * Render `nb` as one HTML page. `plotlyJs` is the plotly.js source to
 * inline; by default the installed plotly.js-dist-min, read only if needed.
 */
export function notebookHtml(nb: Notebook, title: string, plotlyJs?: string): string {
  const parts = nb.cells.map((cell) => {
    const src = joinText(cell.source);
    if (cell.cell_type === "markdown")
      return `<section class="cell markdown">${marked.parse(src, { async: false })}</section>`;
    if (cell.cell_type !== "code") return `<section class="cell raw"><pre>${escapeHtml(src)}</pre></section>`;
    const count = `<div class="count">[${cell.execution_count ?? " "}]</div>`;
    const outs = (cell.outputs ?? []).map(outputHtml).join("\n");
    return `<section class="cell code">${count}<pre class="source"><code>${escapeHtml(src)}</code></pre><div class="outputs">${outs}</div></section>`;
  });
  let plotly = "";
  if (hasPlots(nb)) {
    // Node's resolver: tsx's namespaced require (child-entry.cjs) would add a query to the path.
    const js = plotlyJs ?? fs.readFileSync(createRequire(__filename).resolve("plotly.js-dist-min"), "utf8");
    plotly = `<script>${js.replace(/<\/script/gi, "<\\/script")}</script>`;
  }
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${plotly}</head>
<body><main>
${parts.join("\n")}
</main></body></html>
`;
}
