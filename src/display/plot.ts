/**
 * Inline plotly figures that render in the classic Notebook, JupyterLab,
 * VS Code and the runner's HTML pages, without copying the 5 MB plotly
 * library into every output.
 */
import { displayBundle, MimeBundle } from "./channel";

/** One plotly trace, e.g. `{ type: "scatter", x: [...], y: [...], name: "loss" }`. */
export interface Trace {
  type?: string;
  [key: string]: unknown;
}

/** A plotly figure: traces plus optional layout and config (plotly's JSON schema). */
export interface Figure {
  data: Trace[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** The mime type JupyterLab (with the plotly extension) and VS Code render natively. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/**
 * Where the classic Notebook finds plotly: its `files/` handler serves the
 * project root (`npm run lab` starts Jupyter there), so the package that npm
 * installed is loaded once per page instead of being inlined per output.
 */
export const PLOTLY_SERVER_PATH = "files/node_modules/plotly.js-dist-min/plotly.min.js";

let plotCount = 0;

/** JSON that is safe inside an inline `<script>` (no `</script>`, no U+2028). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The text/html part: a div and a loader. It draws with `window.Plotly` when
 * the page already has it (the exported HTML inlines it once), otherwise it
 * loads plotly from the Jupyter server, sharing one load across all plots.
 * Drawing waits a tick because the classic Notebook runs output scripts
 * before it attaches the output to the page.
 */
function plotHtml(figure: Figure, id: string): string {
  const height = typeof figure.layout?.height === "number" ? figure.layout.height : 420;
  const fig = scriptJson({
    data: figure.data,
    layout: figure.layout ?? {},
    config: { responsive: true, ...figure.config },
  });
  return `<div id="${id}" class="tuning-lab-plot" style="width:100%;height:${height}px"></div>
<script type="text/javascript">
(function () {
  var fig = ${fig}, id = "${id}", w = window, tries = 0;
  function draw() {
    var el = document.getElementById(id);
    if (!el) { if (tries++ < 50) setTimeout(draw, 100); return; }
    w.Plotly.newPlot(el, fig.data, fig.layout, fig.config);
  }
  function base() {
    var b = document.body && document.body.getAttribute("data-base-url");
    var cfg = document.getElementById("jupyter-config-data");
    if (!b && cfg) { try { b = JSON.parse(cfg.textContent).baseUrl; } catch (e) {} }
    return (b || "/").replace(/\\/?$/, "/");
  }
  if (w.Plotly) { setTimeout(draw, 0); return; }
  var src = base() + "${PLOTLY_SERVER_PATH}";
  w.__tuningLabPlotly = w.__tuningLabPlotly || new Promise(function (ok, fail) {
    var s = document.createElement("script");
    s.src = src; s.onload = ok; s.onerror = fail;
    document.head.appendChild(s);
  });
  w.__tuningLabPlotly.then(draw, function () {
    var el = document.getElementById(id);
    if (el) el.textContent = "Plot not drawn: plotly.js did not load from " + src + " (start Jupyter with npm run lab).";
  });
})();
</script>`;
}

/** A one-line description, for the text/plain part and for terminals. */
export function describeFigure(figure: Figure): string {
  const title = figure.layout?.title;
  const text = typeof title === "string" ? title : (title as { text?: unknown } | undefined)?.text;
  const kinds = [...new Set(figure.data.map((t) => t.type ?? "scatter"))].join(", ");
  const name = typeof text === "string" && text ? ` "${text}"` : "";
  return `Plotly figure${name}: ${figure.data.length} trace(s) (${kinds || "none"})`;
}

/**
 * The display bundle for a figure: plotly's own mime type (JupyterLab with
 * the plotly extension, VS Code), HTML (classic Notebook, Lab, exported
 * pages) and plain text (everything else).
 */
export function plotBundle(figure: Figure): MimeBundle {
  const id = `tuning-lab-plot-${process.pid}-${Date.now()}-${plotCount++}`;
  return {
    [PLOTLY_MIME]: {
      data: figure.data,
      layout: figure.layout ?? {},
      ...(figure.config ? { config: figure.config } : {}),
    },
    "text/html": plotHtml(figure, id),
    "text/plain": describeFigure(figure),
  };
}

/**
 * Show a plotly figure inline in the notebook. Outside a notebook (plain
 * Node, tests) it prints a one-line description instead; use `saveFigure`
 * to get PNG/SVG files.
 */
export function plot(figure: Figure): void {
  if (!figure || !Array.isArray(figure.data)) {
    throw new TypeError("plot(figure): expected a plotly figure like { data: [{ x, y }], layout: {...} }");
  }
  if (!displayBundle(plotBundle(figure))) console.log(`[${describeFigure(figure)}]`);
}
