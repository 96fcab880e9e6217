/**
 * Display helpers used by every notebook:
 *
 * ```ts
 * import { plot, saveFigure, show, progress } from "./src/display/index";
 * ```
 * (tslab resolves "./src/x" to the file src/x.ts only, not to a folder's index.)
 *
 * They emit rich output inside tslab (Jupyter or the headless runner) and
 * fall back to plain text in Node, so library code may call them anywhere.
 * The number formats (`f3`, `ci`, `pctCi`, ...: ./format.ts) and the small
 * computations figures share (`smooth`, `share`, `poolSeeds`, ...:
 * ./series.ts) are here too; each notebook's findings sentences are in
 * ./findings/<notebook>.ts.
 */
export { plot, plotBundle, describeFigure, PLOTLY_MIME } from "./plot";
export type { Figure, Trace } from "./plot";
export { saveFigure, closeFigureBrowser, findChromium, figuresDir, CHROMIUM_ARGS } from "./figures";
export type { SaveOptions } from "./figures";
export { show } from "./table";
export type { TableLike, ShowOptions } from "./table";
export { progress, track, Progress } from "./progress";
export type { Metrics, ProgressOptions, ProgressState } from "./progress";
export { inNotebook } from "./channel";
export { report, pct } from "./report";
export { ci, f2, f3, minutes, pctCi, pctRange, plusMinus, seedInterval, valueRange } from "./format";
export type { Bounds, Interval, ShareInterval } from "./format";
export {
  behaviourBar,
  kindBars,
  kindRows,
  excludes,
  pairedVsSft,
  pooledPoint,
  poolSeeds,
  seedGroups,
  share,
  smooth,
  tailMean,
} from "./series";
export {
  behaviourBars,
  countBars,
  errorBars,
  evalCurve,
  histogramBars,
  lines,
  lossCurve,
  oddsScatter,
  rateBars,
  scatter,
  BEHAVIOUR_COLOURS,
  besidePaper,
} from "./charts";
export type { BehaviourBar, MeasuredSeries } from "./charts";
export { showTokens, tokensHtml, tokensText } from "./tokens";
export type { TokenView } from "./tokens";
