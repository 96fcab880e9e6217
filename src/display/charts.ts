/**
 * Figure builders shared by the notebooks: pure functions from results to
 * plotly figures, so every notebook draws the same quantity the same way
 * (colours per behaviour, axis labels from the metric registry).
 */
import { meanSd } from "../eval/stats";
import { describeMetric, isMetricName, MetricName, StepRow } from "../metrics";
import type { RunRecord } from "../run-record";
import type { Figure, Trace } from "./plot";

/** One colour per behaviour, in every figure. */
export const BEHAVIOUR_COLOURS = Object.freeze({
  answer: "#2a9d8f",
  continuation: "#e76f51",
  refusal: "#6a4c93",
  abstention: "#e9c46a",
  other: "#adb5bd",
});

const axis = (text: string, extra: Record<string, unknown> = {}) => ({ title: { text }, ...extra });

/** A metric's axis label: its registered description (and unit). */
export function metricLabel(name: string): string {
  const m = describeMetric(name);
  return m.unit ? `${m.description} (${m.unit})` : m.description;
}

/**
 * Training loss against optimizer steps, its terms when the trainer logs
 * them (`loss/sft`, `loss/replay`), and every validation loss evaluated.
 */
export function lossCurve(run: RunRecord, title = `${run.method} loss`): Figure {
  const series = (rows: readonly StepRow[], key: MetricName, name: string, mode: string): Trace => {
    const pts = rows.filter((r) => r[key] !== undefined);
    return { type: "scatter", mode, name, x: pts.map((r) => r.step), y: pts.map((r) => r[key]) };
  };
  const keys = (rows: readonly StepRow[]) =>
    [...new Set(rows.flatMap((r) => Object.keys(r)))].filter(isMetricName);
  const trainKeys = keys(run.metrics).filter((k) => k.startsWith("loss/"));
  const valKeys = keys(run.evals).filter((k) => k.startsWith("val/") && k.endsWith("loss"));
  return {
    data: [
      series(run.metrics, "loss", trainKeys.length ? "train (total)" : "train", "lines"),
      ...trainKeys.map((k) => series(run.metrics, k, `train: ${k.slice(5)}`, "lines")),
      ...valKeys.map((k) =>
        series(
          run.evals,
          k,
          valKeys.length > 1 || k !== "val/loss" ? `validation: ${k.slice(4)}` : "validation",
          "lines+markers",
        ),
      ),
    ],
    layout: { title: { text: title }, xaxis: axis("step"), yaxis: axis(metricLabel("loss")), height: 380 },
  };
}

/** One metric of the eval rows against steps (e.g. the knowledge probe during pretraining). */
export function evalCurve(rows: readonly StepRow[], metric: MetricName, title?: string): Figure {
  const pts = rows.filter((r) => r[metric] !== undefined);
  return {
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: metric,
        x: pts.map((r) => r.step),
        y: pts.map((r) => r[metric]),
      },
    ],
    layout: {
      title: { text: title ?? metricLabel(metric) },
      xaxis: axis("step"),
      yaxis: axis(metricLabel(metric)),
      height: 340,
    },
  };
}

export interface BehaviourBar {
  label: string;
  /** Optional outer group (e.g. the eval set); bars then sit in groups on a two-level axis. */
  group?: string;
  answer_rate: number;
  continuation_rate: number;
  /** Refusals and abstentions (src/eval/behaviour.ts); drawn only where some bar has any. */
  refusal_rate?: number;
  abstain_rate?: number;
  other_rate: number;
}

const RATE_OF = {
  answer: "answer_rate",
  continuation: "continuation_rate",
  refusal: "refusal_rate",
  abstention: "abstain_rate",
  other: "other_rate",
} as const;

/**
 * Stacked bars of answer / continuation / refusal / abstention / other per
 * label (style, model, cluster, request kind). Refusal and abstention get a
 * segment only when some bar has them, so a figure of a world without them
 * keeps three.
 */
export function behaviourBars(bars: readonly BehaviourBar[], title: string, xTitle = ""): Figure {
  const grouped = bars.some((r) => r.group !== undefined);
  const x = grouped ? [bars.map((r) => r.group ?? ""), bars.map((r) => r.label)] : bars.map((r) => r.label);
  const shown = (Object.keys(RATE_OF) as (keyof typeof RATE_OF)[]).filter(
    (b) =>
      b === "answer" || b === "continuation" || b === "other" || bars.some((r) => (r[RATE_OF[b]] ?? 0) > 0),
  );
  const traces: Trace[] = shown.map((b) => ({
    type: "bar",
    name: b,
    x,
    y: bars.map((r) => r[RATE_OF[b]] ?? 0),
    marker: { color: BEHAVIOUR_COLOURS[b] },
    hovertemplate: `%{x}: %{y:.0%} ${b}<extra></extra>`,
  }));
  return {
    data: traces,
    layout: {
      title: { text: title },
      barmode: "stack",
      height: 400,
      // Two-level labels stay horizontal, with room below for the group names.
      xaxis: axis(xTitle, grouped ? { tickangle: 0 } : {}),
      ...(grouped ? { margin: { b: 110 } } : {}),
      yaxis: axis("share of responses", { tickformat: ".0%", range: [0, 1] }),
    },
  };
}

/** Grouped bars of a rate (e.g. exact match) per label, one group per series; `lo`/`hi` draw its interval. */
export function rateBars(
  series: Record<string, { label: string; value: number | null; lo?: number; hi?: number }[]>,
  title: string,
  yTitle: string,
): Figure {
  return {
    data: Object.entries(series).map(([name, pts]) => {
      // Asymmetric error bars where the points carry an interval (e.g. Wilson's).
      const withCi = pts.some((p) => p.lo !== undefined && p.hi !== undefined);
      const v = (p: { value: number | null }) => p.value ?? 0;
      return {
        type: "bar",
        name,
        x: pts.map((p) => p.label),
        y: pts.map(v),
        ...(withCi
          ? {
              error_y: {
                type: "data",
                symmetric: false,
                array: pts.map((p) => (p.hi ?? v(p)) - v(p)),
                arrayminus: pts.map((p) => v(p) - (p.lo ?? v(p))),
                visible: true,
              },
            }
          : {}),
      };
    }),
    layout: {
      title: { text: title },
      barmode: "group",
      yaxis: axis(yTitle, { tickformat: ".0%", range: [0, 1] }),
      height: 380,
    },
  };
}

/** Scatter of P(end) against P(new question) right after each prompt, one trace per group. */
export function oddsScatter(
  groups: Record<string, { pEnd: number; pNewQuestion: number }[]>,
  title: string,
): Figure {
  return {
    data: Object.entries(groups).map(([name, pts]) => ({
      type: "scatter",
      mode: "markers",
      name,
      x: pts.map((p) => p.pNewQuestion),
      y: pts.map((p) => p.pEnd),
      marker: { size: 6, opacity: 0.6 },
    })),
    layout: {
      title: { text: title },
      height: 420,
      xaxis: axis("P(next token opens a new line or question)", { range: [0, 1] }),
      yaxis: axis("P(next token ends the response)", { range: [0, 1] }),
    },
  };
}

/** Bars of a histogram given as bin centres and counts (e.g. from `histogram` in src/data/rouge.ts). */
export function histogramBars(
  centers: readonly number[],
  counts: readonly number[],
  title: string,
  xTitle: string,
  yTitle = "count",
): Figure {
  return {
    data: [{ type: "bar", x: centers.slice(), y: counts.slice(), marker: { color: "#457b9d" } }],
    layout: { title: { text: title }, bargap: 0.05, xaxis: axis(xTitle), yaxis: axis(yTitle), height: 360 },
  };
}

/** Horizontal bars of labelled counts, largest first (e.g. examples per task, root verbs). */
export function countBars(
  rows: readonly { label: string; count: number }[],
  title: string,
  xTitle = "count",
): Figure {
  const sorted = rows.slice().sort((a, b) => a.count - b.count);
  return {
    data: [
      {
        type: "bar",
        orientation: "h",
        y: sorted.map((r) => r.label),
        x: sorted.map((r) => r.count),
        marker: { color: "#457b9d" },
      },
    ],
    layout: {
      title: { text: title },
      xaxis: axis(xTitle),
      height: Math.max(300, 22 * rows.length + 120),
      margin: { l: 160 },
    },
  };
}

/** Lines of y against x, one per series (optionally with ±error bars, a log x axis, a 0–100 % y axis). */
export function lines(
  series: Record<string, { x: readonly number[]; y: readonly number[]; error?: readonly number[] }>,
  title: string,
  xTitle: string,
  yTitle: string,
  o: { logX?: boolean; percent?: boolean } = {},
): Figure {
  return {
    data: Object.entries(series).map(([name, s]) => ({
      type: "scatter",
      mode: "lines+markers",
      name,
      x: s.x.slice(),
      y: s.y.slice(),
      ...(s.error ? { error_y: { type: "data", array: s.error.slice(), visible: true } } : {}),
    })),
    layout: {
      title: { text: title },
      height: 360,
      xaxis: axis(xTitle, o.logX ? { type: "log" } : {}),
      yaxis: axis(yTitle, o.percent ? { tickformat: ".0%", range: [0, 1.02] } : {}),
    },
  };
}

/**
 * Mean ± one standard deviation over seeds, as grouped bars: one bar group per
 * label (e.g. mask mode), one bar per series (e.g. metric); the hover shows n.
 */
export function errorBars(
  series: Record<string, { label: string; values: readonly number[] }[]>,
  title: string,
  yTitle: string,
): Figure {
  const names = Object.keys(series);
  const data: Trace[] = names.map((name) => {
    const pts = series[name];
    const stats = pts.map((p) => meanSd(p.values));
    return {
      type: "bar",
      name,
      x: pts.map((p) => p.label),
      y: stats.map((s) => s.mean),
      offsetgroup: name,
      error_y: { type: "data", array: stats.map((s) => s.sd), visible: true },
      customdata: stats.map((s) => s.n),
      hovertemplate: `${name} %{x}: %{y:.1%} ± %{error_y.array:.1%} (n = %{customdata})<extra></extra>`,
    };
  });
  return {
    data,
    layout: {
      title: { text: title },
      barmode: "group",
      yaxis: axis(yTitle, { tickformat: ".0%", range: [0, 1.02] }),
      height: 400,
    },
  };
}

/**
 * Points of y against x, one trace per series; optional vertical error bars
 * (lo/hi per point) and a dashed y = x line (for calibration plots).
 */
export function scatter(
  series: Record<
    string,
    {
      x: readonly (number | string)[];
      y: readonly number[];
      lo?: readonly number[];
      hi?: readonly number[];
      text?: readonly string[];
    }
  >,
  title: string,
  xTitle: string,
  yTitle: string,
  o: { diagonal?: [number, number]; lines?: boolean } = {},
): Figure {
  const data: Trace[] = Object.entries(series).map(([name, s]) => ({
    type: "scatter",
    mode: o.lines ? "lines+markers" : "markers",
    name,
    x: s.x.slice(),
    y: s.y.slice(),
    ...(s.text ? { text: s.text.slice(), hoverinfo: "text" } : {}),
    marker: { size: 6, opacity: o.lines ? 1 : 0.5 },
    ...(s.lo && s.hi
      ? {
          error_y: {
            type: "data",
            symmetric: false,
            array: s.hi.map((h, i) => h - s.y[i]),
            arrayminus: s.lo.map((l, i) => s.y[i] - l),
            visible: true,
          },
        }
      : {}),
  }));
  if (o.diagonal)
    data.push({
      type: "scatter",
      mode: "lines",
      name: "y = x",
      x: o.diagonal.slice(),
      y: o.diagonal.slice(),
      line: { dash: "dash", color: "#999" },
    });
  return {
    data,
    layout: { title: { text: title }, height: 420, xaxis: axis(xTitle), yaxis: axis(yTitle) },
  };
}

/** One series of our measurements: a mean per x with its 95 % interval. */
export interface MeasuredSeries {
  name: string;
  x: readonly (string | number)[];
  y: readonly number[];
  lo: readonly number[];
  hi: readonly number[];
}

/**
 * Our result beside the paper's, as two panels on shared terms: ours (left,
 * means with 95 % intervals) and the paper's reported numbers (right, no
 * intervals: papers of this kind report single runs). Rates on both sides
 * are shares (0–1), so the paper's percentages are divided by 100 first.
 * Without `paper` (a paper that reports no comparable number) ours fills the figure.
 */
export function besidePaper(
  ours: readonly MeasuredSeries[],
  paper: { name: string; x: readonly (string | number)[]; y: readonly number[] } | undefined,
  title: string,
  xTitle: string,
  yTitle: string,
  o: { kind?: "bar" | "line"; paperXTitle?: string; yRange?: [number, number] } = {},
): Figure {
  const kind = o.kind ?? "line";
  const trace = (s: MeasuredSeries): Trace => ({
    type: kind === "bar" ? "bar" : "scatter",
    ...(kind === "line" ? { mode: "lines+markers" } : {}),
    name: s.name,
    x: s.x.slice(),
    y: s.y.slice(),
    error_y: {
      type: "data",
      symmetric: false,
      array: s.hi.map((h, i) => Math.max(0, Math.min(1, h) - s.y[i])),
      arrayminus: s.lo.map((l, i) => Math.max(0, s.y[i] - Math.max(0, l))),
      visible: true,
    },
    xaxis: "x",
    yaxis: "y",
  });
  const range = o.yRange ?? [0, 1];
  if (!paper)
    return {
      data: ours.map(trace),
      layout: {
        title: { text: title },
        height: 400,
        barmode: "group",
        xaxis: { ...axis(xTitle), type: "category" },
        yaxis: axis(yTitle, { tickformat: ".0%", range }),
      },
    };
  return {
    data: [
      ...ours.map(trace),
      {
        type: kind === "bar" ? "bar" : "scatter",
        ...(kind === "line" ? { mode: "lines+markers" } : {}),
        name: paper.name,
        x: paper.x.slice(),
        y: paper.y.slice(),
        marker: { color: "#888" },
        line: { color: "#888", dash: "dot" },
        xaxis: "x2",
        yaxis: "y2",
      },
    ],
    layout: {
      title: { text: title },
      height: 400,
      barmode: "group",
      xaxis: { ...axis(xTitle), domain: [0, 0.58], type: "category" },
      yaxis: axis(yTitle, { tickformat: ".0%", range }),
      xaxis2: { ...axis(o.paperXTitle ?? xTitle), domain: [0.7, 1], type: "category" },
      yaxis2: { ...axis("paper"), anchor: "x2", tickformat: ".0%", range },
      legend: { orientation: "h", y: -0.25 },
    },
  };
}
