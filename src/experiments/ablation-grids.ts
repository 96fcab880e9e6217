/**
 * The named ablation grids of notebook 08 and `npm run sweep -- NAME`: each
 * is a list of cells (the values that vary) × seeds, every cell an
 * `AblationJob`. A grid has a *default* size (what the notebook runs in its
 * time budget) and a *full* size (what `npm run sweep -- NAME --full` runs);
 * both fill one cache, build/sweeps/ablations, keyed by job and code, so a
 * job two grids share (SFT on every cluster, seed 0, …) runs once.
 */
import { TemplateStyle, TEMPLATE_STYLES } from "../data/tasks/index";
import { progress as progressBar } from "../display/progress";
import type { ProgressSink } from "../train/loop";
import {
  ABLATION_DATA,
  ABLATION_EVAL,
  ABLATION_SFT,
  AblationData,
  AblationJob,
  AblationResult,
  checkJob,
  TRAINING_CLUSTERS,
} from "./ablation";
import { runInPool, sharedProgress } from "./pool";
import { codeHash, isCached, runCached, stableJson, sweepDir } from "./sweep";
import { sftConfig } from "../train/sft";

/** The values that vary in one cell of a grid, e.g. { clusters: 3 }. */
export type Cell = Record<string, string | number>;

export interface GridRow {
  cell: Cell;
  seed: number;
  job: AblationJob;
}

export type GridSize = "default" | "full";

export interface Grid {
  name: string;
  title: string;
  /** The paper's finding it tests, with the paper's numbers. */
  paper: string;
  rows(size: GridSize): GridRow[];
}

/** Seeds of every tuned cell (the "≥ 3 seeds"). */
export const SEEDS = Object.freeze([0, 1, 2]);

/** Base models of the scale grid, by width (`npm run pretrain -- --width N --out data/models/base-dN`). */
export const WIDTHS: Readonly<Record<number, string>> = Object.freeze({
  32: "data/models/base-d32",
  64: "data/models/base-d64",
  192: "data/models/base",
});

/** A tuned job: the default data with `data` changed, from `base`. */
export function tunedJob(seed: number, data: Partial<AblationData> = {}, base = WIDTHS[192]): AblationJob {
  return { base, data: { ...ABLATION_DATA, ...data }, sft: { seed }, eval: { ...ABLATION_EVAL } };
}

/** The base model untuned (greedy decoding: one run, no seed). */
export const untunedJob = (base = WIDTHS[192]): AblationJob => ({
  base,
  sft: {},
  eval: { ...ABLATION_EVAL },
});

const seeded = (cell: Cell, job: (seed: number) => AblationJob): GridRow[] =>
  SEEDS.map((seed) => ({ cell, seed, job: job(seed) }));

const scaleRows = (): GridRow[] =>
  Object.entries(WIDTHS).flatMap(([w, dir]) => [
    { cell: { width: Number(w), model: "base" }, seed: 0, job: untunedJob(dir) },
    ...seeded({ width: Number(w), model: "tuned" }, (s) => tunedJob(s, {}, dir)),
  ]);

/** Every grid, by name. */
export const GRIDS: Readonly<Record<string, Grid>> = Object.freeze({
  clusters: {
    name: "clusters",
    title: "FLAN Fig. 6: held-out exact match against the number of clusters tuned on",
    paper: "FLAN (Wei et al., 2022), Fig. 6: held-out average 49.9 → 63.5 % going from 1 to 7 clusters",
    rows: (size) => [
      { cell: { clusters: 0 }, seed: 0, job: untunedJob() },
      ...(size === "full"
        ? TRAINING_CLUSTERS.map((_, i) => i + 1)
        : [1, 3, TRAINING_CLUSTERS.length]
      ).flatMap((k) =>
        seeded({ clusters: k }, (s) => tunedJob(s, { clusters: TRAINING_CLUSTERS.slice(0, k) })),
      ),
    ],
  },
  templates: {
    name: "templates",
    title: "FLAN Table 3: instructions against no template against task-name templates",
    paper: "FLAN, Table 3: held-out 55.2 (instructions) / 37.3 (no template) / 46.6 (dataset name)",
    rows: () =>
      TEMPLATE_STYLES.flatMap((style: TemplateStyle) =>
        seeded({ style }, (s) => tunedJob(s, { templateStyle: style })),
      ),
  },
  "few-shot": {
    name: "few-shot",
    title: "Flan 2022: share of few-shot conversations in the mix",
    paper:
      "Flan Collection (Longpre et al., 2023), Fig. 5: mixing ≥ 5 % few-shot templates improves zero-shot and few-shot held-out scores",
    rows: (size) =>
      (size === "full" ? [0, 0.05, 0.1, 0.25, 0.5, 0.9] : [0, 0.1, 0.5]).flatMap((share) =>
        seeded({ fewShotShare: share }, (s) => tunedJob(s, { fewShotShare: share })),
      ),
  },
  scale: {
    name: "scale",
    title: "FLAN §4.2: untuned against tuned at three widths",
    paper: "FLAN, Fig. 7: instruction tuning helps held-out tasks at 68B and 137B but hurts at 8B and below",
    rows: scaleRows,
  },
  instructgpt: {
    name: "instructgpt",
    title: "InstructGPT: a small tuned model against a larger base and a larger tuned model",
    paper:
      "InstructGPT (Ouyang et al., 2022): outputs of the 1.3B InstructGPT are preferred to the 175B GPT-3's",
    rows: scaleRows,
  },
  lima: {
    name: "lima",
    title: "LIMA: clean against noisy instruction data at several sizes",
    paper:
      "LIMA (Zhou et al., 2023), Fig. 5–6: filtered data 3.83 vs unfiltered 3.33 (helpfulness, of 6); 2K → 32K examples plateaus",
    rows: (size) =>
      [0, 0.3].flatMap((noise) =>
        (size === "full" ? [100, 200, 400, 800, 0] : [200, 0]).flatMap((n) =>
          seeded({ noise, examples: n || "all" }, (s) =>
            tunedJob(s, { noise, ...(n ? { examples: n } : {}) }),
          ),
        ),
      ),
  },
});

/** The grid called `name`; the error lists the names there are. */
export function getGrid(name: string): Grid {
  const g = GRIDS[name];
  if (!g) throw new Error(`unknown grid "${name}"; grids are: ${Object.keys(GRIDS).join(", ")}`);
  return g;
}

/** Where every ablation run is cached (one folder for all grids: shared jobs run once). */
export const ABLATION_CACHE = sweepDir("ablations");

/** A grid's rows with overrides of the SFT config applied to every tuned job (fields checked first). */
export function gridRows(grid: Grid, size: GridSize, sft: Record<string, unknown> = {}): GridRow[] {
  sftConfig(sft as object, ABLATION_SFT); // an unknown field: the error lists the known ones
  return grid
    .rows(size)
    .map((r) =>
      r.job.data && Object.keys(sft).length ? { ...r, job: { ...r.job, sft: { ...r.job.sft, ...sft } } } : r,
    );
}

export interface GridRun {
  grid: Grid;
  size: GridSize;
  rows: (GridRow & { result: AblationResult; cached: boolean })[];
}

export interface GridOptions {
  /** "auto" (default): the full grid if every run of it is cached, else the default grid. */
  size?: GridSize | "auto";
  workers?: number;
  /** Show a bar over every optimizer step of the runs not cached (default true). */
  progress?: boolean | ProgressSink;
  sft?: Record<string, unknown>;
  dir?: string;
  /**
   * Train again every run cached before this time, and cache the new results
   * (notebook 08's rerun passes its start, so a run two grids share trains once).
   */
  rerunBefore?: Date;
}

/**
 * Run a grid through the cache: finished runs are read back, the rest run in
 * worker processes (two by default, one per core), each result written as it
 * arrives. A failed run fails the grid with its config and error; the runs
 * that finished stay cached.
 */
export async function runGrid(name: string, o: GridOptions = {}): Promise<GridRun> {
  const grid = getGrid(name);
  const dir = o.dir ?? ABLATION_CACHE;
  const code = codeHash();
  const full = gridRows(grid, "full", o.sft);
  const size: GridSize =
    o.size === "auto" || o.size === undefined
      ? isCached(
          dir,
          full.map((r) => r.job),
          code,
        ).every(Boolean)
        ? "full"
        : "default"
      : o.size;
  const rows = size === "full" ? full : gridRows(grid, "default", o.sft);
  rows.forEach((r) => checkJob(r.job));
  const jobs = rows.map((r) => r.job);
  const cachedBefore = isCached(dir, jobs, code, o.rerunBefore);
  const steps = rows.reduce(
    (n, r, i) => n + (cachedBefore[i] || !r.job.data ? 0 : sftConfig(r.job.sft, ABLATION_SFT).steps),
    0,
  );
  const missing = cachedBefore.filter((c) => !c).length;
  const bar =
    o.progress === false || missing === 0
      ? undefined
      : o.progress === true || o.progress === undefined
        ? progressBar(steps, { label: `${grid.name}: ${missing} runs, ${o.workers ?? 2} at a time` })
        : o.progress;
  const out = await runCached<AblationJob, AblationResult>({
    dir,
    jobs,
    code,
    rerunBefore: o.rerunBefore,
    run: (todo, done) =>
      runInPool({
        worker: "ablation-worker.ts",
        inputs: {},
        jobs: todo,
        name: (j) => `ablation run ${stableJson(j)}`,
        workers: o.workers ?? 2,
        progress: sharedProgress(bar),
        onResult: done,
      }),
  });
  bar?.done();
  return {
    grid,
    size,
    rows: rows.map((r, i) => ({ ...r, result: out.results[i], cached: out.cached[i] })),
  };
}
