/**
 * A progress bar for long loops: count/total, rate, time left and live
 * metrics (e.g. loss). It redraws one output in place in a notebook, one
 * `\r` line on an interactive terminal, and prints a line per 10% when
 * stderr is a file or pipe (CI logs stay short).
 */
import { escapeHtml, inNotebook, LiveDisplay } from "./channel";

/** Numbers (formatted to 4 significant digits) or labels shown after the bar. */
export type Metrics = Record<string, number | string>;

/** Everything a progress line shows; the formatters below are pure functions of it. */
export interface ProgressState {
  label: string;
  count: number;
  total: number;
  /** Seconds since the bar started. */
  elapsed: number;
  metrics: Metrics;
  done: boolean;
}

/** Where terminal output goes; defaults to process.stderr. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options for `progress` and `track`. */
export interface ProgressOptions {
  label?: string;
  /** Fewest milliseconds between redraws (default 150). */
  interval?: number;
  stream?: ProgressStream;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/** "0:07", "12:05", "1:02:03"; "--:--" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}

/** "12.3 it/s", or "4.2 s/it" for slow loops; "-- it/s" before the first step. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return "-- it/s";
  if (perSecond < 1) return `${(1 / perSecond).toFixed(1)} s/it`;
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond.toFixed(1)} it/s`;
}

/** "loss=0.1234 lr=0.001": numbers to 4 significant digits. */
export function formatMetrics(metrics: Metrics): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
    .join(" ");
}

/** Seconds left at the average rate so far (NaN before the first step). */
export function secondsLeft(state: ProgressState): number {
  if (state.count <= 0 || state.elapsed <= 0) return NaN;
  return Math.max(0, state.total - state.count) * (state.elapsed / state.count);
}

function fraction(state: ProgressState): number {
  return state.total > 0 ? Math.min(1, state.count / state.total) : 1;
}

/** One line: "train  37/100 [█████░░░░░] 37% | 12.3 it/s | 0:05 left | loss=0.12". */
export function progressText(state: ProgressState, width = 20): string {
  const f = fraction(state);
  const filled = Math.round(f * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const time = state.done
    ? `took ${formatDuration(state.elapsed)}`
    : `${formatDuration(secondsLeft(state))} left`;
  const parts = [
    `${state.label ? `${state.label} ` : ""}${state.count}/${state.total} [${bar}] ${Math.floor(f * 100)}%`,
    formatRate(state.count / state.elapsed),
    time,
  ];
  const metrics = formatMetrics(state.metrics);
  return (metrics ? [...parts, metrics] : parts).join(" | ");
}

/** The notebook form: an HTML <progress> element plus the same facts as text. */
export function progressHtml(state: ProgressState): string {
  const text = escapeHtml(progressText(state).replace(/^.*?%/, `${state.count}/${state.total}`));
  const label = state.label ? `<b>${escapeHtml(state.label)}</b> ` : "";
  return (
    `<div class="tuning-lab-progress" style="font-family:monospace;font-size:12px">${label}` +
    `<progress value="${state.count}" max="${state.total}" style="width:240px;vertical-align:middle"></progress> ${text}</div>`
  );
}

/** A progress bar over `total` steps; call `tick` per step and `done` at the end. */
export class Progress {
  private readonly start: number;
  private readonly display = inNotebook() ? new LiveDisplay() : undefined;
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private count = 0;
  private metrics: Metrics = {};
  private lastDraw = -Infinity;
  private lastDecile = 0;
  private finished = false;

  constructor(
    readonly total: number,
    private readonly opts: ProgressOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.start = this.now();
    this.stream = opts.stream ?? process.stderr;
  }

  /** The current state, e.g. for logging. */
  state(): ProgressState {
    const elapsed = (this.now() - this.start) / 1000;
    return {
      label: this.opts.label ?? "",
      count: this.count,
      total: this.total,
      elapsed,
      metrics: this.metrics,
      done: this.finished,
    };
  }

  /** Advance by `n` steps and merge in new metric values. */
  tick(n = 1, metrics?: Metrics): void {
    this.count += n;
    if (metrics) this.metrics = { ...this.metrics, ...metrics };
    this.draw(false);
  }

  /** Finish: draw the final state (always shown, and kept in the notebook). */
  done(metrics?: Metrics): void {
    if (this.finished) return;
    if (metrics) this.metrics = { ...this.metrics, ...metrics };
    this.finished = true;
    this.draw(true);
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDraw < (this.opts.interval ?? 150)) return;
    this.lastDraw = t;
    const state = this.state();
    if (this.display) {
      this.display.update({ "text/html": progressHtml(state), "text/plain": progressText(state) });
    } else if (this.stream.isTTY) {
      // \r and erase-to-end-of-line redraw the same terminal line.
      this.stream.write(`\r${progressText(state)}\x1b[K${state.done ? "\n" : ""}`);
    } else {
      this.drawSparse(state);
    }
  }

  /** Logs and pipes: one line per 10% and a final line, never a flood. */
  private drawSparse(state: ProgressState): void {
    const decile = Math.floor(fraction(state) * 10);
    if (!state.done && (decile <= this.lastDecile || decile >= 10)) return; // 100% waits for done()
    this.lastDecile = decile;
    this.stream.write(`${progressText(state)}\n`);
  }
}

/** Start a progress bar over `total` steps. */
export function progress(total: number, opts: ProgressOptions = {}): Progress {
  if (!Number.isFinite(total) || total < 0)
    throw new RangeError(`progress(total): total must be a number >= 0, got ${total}`);
  return new Progress(total, opts);
}

/** Iterate over `items` with a progress bar (for loops that need no metrics). */
export function* track<T>(items: Iterable<T>, opts: ProgressOptions = {}): Generator<T> {
  const list = Array.isArray(items) ? (items as T[]) : [...items];
  const bar = progress(list.length, opts);
  for (const item of list) {
    yield item;
    bar.tick();
  }
  bar.done();
}
