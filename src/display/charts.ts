/**
 * Figure builders shared by the notebooks: pure functions from results to
 * plotly figures, so every notebook draws the same quantity the same way
 * (colours per behaviour, axis labels from the metric registry).
 */
import { describeMetric } from "../train/metrics";
import type { MetricRow, RunRecord } from "../train/run-record";
import type { Figure, Trace } from "./plot";

/** One colour per behaviour, in every figure. */
export const BEHAVIOUR_COLOURS = Object.freeze({ answer: "#2a9d8f", continuation: "#e76f51", other: "#adb5bd" });

const axis = (text: string, extra: Record<string, unknown> = {}) => ({ title: { text }, ...extra });

/** A metric's axis label: its registered description (and unit). */
export function metricLabel(name: string): string {
  const m = describeMetric(name);
  return m.unit ? `${m.description} (${m.unit})` : m.description;
}

/** Training loss, and validation loss where evaluated, against optimizer steps. */
export function lossCurve(run: RunRecord, title = `${run.method} loss`): Figure {
  const val = run.evals.filter((r) => r["val/loss"] !== undefined);
  return {
    data: [
      { type: "scatter", mode: "lines", name: "train", x: run.metrics.map((r) => r.step), y: run.metrics.map((r) => r.loss) },
      { type: "scatter", mode: "lines+markers", name: "validation", x: val.map((r) => r.step), y: val.map((r) => r["val/loss"]) },
    ],
    layout: { title: { text: title }, xaxis: axis("step"), yaxis: axis(metricLabel("loss")), height: 380 },
  };
}

/** One metric of the eval rows against steps (e.g. the knowledge probe during pretraining). */
export function evalCurve(rows: readonly MetricRow[], metric: string, title?: string): Figure {
  const pts = rows.filter((r) => r[metric] !== undefined);
  return {
    data: [{ type: "scatter", mode: "lines+markers", name: metric, x: pts.map((r) => r.step), y: pts.map((r) => r[metric]) }],
    layout: { title: { text: title ?? metricLabel(metric) }, xaxis: axis("step"), yaxis: axis(metricLabel(metric)), height: 340 },
  };
}

export interface BehaviourBar {
  label: string;
  answer_rate: number;
  continuation_rate: number;
  other_rate: number;
}

/** Stacked bars of answer / continuation / other per label (style, model, cluster). */
export function behaviourBars(bars: readonly BehaviourBar[], title: string, xTitle = ""): Figure {
  const traces: Trace[] = (["answer", "continuation", "other"] as const).map((b) => ({
    type: "bar", name: b, x: bars.map((r) => r.label), y: bars.map((r) => r[`${b}_rate`]),
    marker: { color: BEHAVIOUR_COLOURS[b] }, hovertemplate: `%{x}: %{y:.0%} ${b}<extra></extra>`,
  }));
  return {
    data: traces,
    layout: { title: { text: title }, barmode: "stack", xaxis: axis(xTitle), yaxis: axis("share of responses", { tickformat: ".0%", range: [0, 1] }), height: 400 },
  };
}

/** Grouped bars of a rate (e.g. exact match) per label, one group per series. */
export function rateBars(series: Record<string, { label: string; value: number | null }[]>, title: string, yTitle: string): Figure {
  return {
    data: Object.entries(series).map(([name, pts]) => ({ type: "bar", name, x: pts.map((p) => p.label), y: pts.map((p) => p.value ?? 0) })),
    layout: { title: { text: title }, barmode: "group", yaxis: axis(yTitle, { tickformat: ".0%", range: [0, 1] }), height: 380 },
  };
}

/** Scatter of P(end) against P(new question) right after each prompt, one trace per group. */
export function oddsScatter(groups: Record<string, { pEnd: number; pNewQuestion: number }[]>, title: string): Figure {
  return {
    data: Object.entries(groups).map(([name, pts]) => ({
      type: "scatter", mode: "markers", name, x: pts.map((p) => p.pNewQuestion), y: pts.map((p) => p.pEnd), marker: { size: 6, opacity: 0.6 },
    })),
    layout: {
      title: { text: title }, height: 420,
      xaxis: axis("P(next token opens a new line or question)", { range: [0, 1] }),
      yaxis: axis("P(next token ends the response)", { range: [0, 1] }),
    },
  };
}

/** Bars of a histogram given as bin centres and counts (e.g. from `histogram` in src/data/rouge.ts). */
export function histogramBars(centers: readonly number[], counts: readonly number[], title: string, xTitle: string, yTitle = "count"): Figure {
  return {
    data: [{ type: "bar", x: centers.slice(), y: counts.slice(), marker: { color: "#457b9d" } }],
    layout: { title: { text: title }, bargap: 0.05, xaxis: axis(xTitle), yaxis: axis(yTitle), height: 360 },
  };
}

/** Horizontal bars of labelled counts, largest first (e.g. examples per task, root verbs). */
export function countBars(rows: readonly { label: string; count: number }[], title: string, xTitle = "count"): Figure {
  const sorted = rows.slice().sort((a, b) => a.count - b.count);
  return {
    data: [{ type: "bar", orientation: "h", y: sorted.map((r) => r.label), x: sorted.map((r) => r.count), marker: { color: "#457b9d" } }],
    layout: { title: { text: title }, xaxis: axis(xTitle), height: Math.max(300, 22 * rows.length + 120), margin: { l: 160 } },
  };
}

/** Lines of y against x, one per series. */
export function lines(series: Record<string, { x: readonly number[]; y: readonly number[] }>, title: string, xTitle: string, yTitle: string): Figure {
  return {
    data: Object.entries(series).map(([name, s]) => ({ type: "scatter", mode: "lines", name, x: s.x.slice(), y: s.y.slice() })),
    layout: { title: { text: title }, xaxis: axis(xTitle), yaxis: axis(yTitle), height: 360 },
  };
}
