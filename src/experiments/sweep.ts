/**
 * Sweeps that survive interruption: a grid of job configs (seeds included)
 * whose finished runs are cached on disk, each under a hash of its full
 * config and of the code it ran with. A rerun reads what is cached and runs
 * only the rest; a changed config field or a changed source file runs again.
 *
 * The runner is generic over how the missing jobs run (`run`): in worker
 * processes through ./pool.ts, or in this process. Each result is written
 * as it arrives (atomically: a temporary file renamed into place), so an
 * interrupted or failed grid keeps every run that finished, and the error
 * of a failed one names its config.
 *
 * Groundwork for the ablation notebook (08) and its `npm run sweep`.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aq from "arquero";
import { tInterval } from "../eval/stats";
import { PoolRun, runInPool } from "./pool";
import { writeAtomic } from "../output";

const ROOT = path.resolve(__dirname, "..", "..");

/** JSON with object keys sorted, so equal configs hash equally whatever their key order. */
export function stableJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stableJson).join(",")}]`;
  if (x !== null && typeof x === "object")
    return `{${Object.keys(x)
      .sort()
      .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((x as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(x);
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

let srcHash: string | undefined;
/** A hash of every TypeScript file under src/ (paths and contents): the code a run ran with. */
export function codeHash(dir = path.join(ROOT, "src")): string {
  if (dir === path.join(ROOT, "src") && srcHash) return srcHash;
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith(".ts")) files.push(f);
    }
  };
  walk(dir);
  const h = sha(files.map((f) => `${path.relative(dir, f)}\n${sha(fs.readFileSync(f, "utf8"))}`).join("\n"));
  if (dir === path.join(ROOT, "src")) srcHash = h;
  return h;
}

/** The cache key of one job: its full config and the code, hashed. */
export const jobKey = (job: unknown, code: string): string => sha(stableJson({ job, code })).slice(0, 20);

/** What a cache file holds. */
interface CacheEntry<J, R> {
  job: J;
  code: string;
  finishedAt: string;
  result: R;
}

export interface CachedSweep<J, R> {
  /** Folder of the cache (default build/sweeps/<name>). */
  dir: string;
  jobs: readonly J[];
  /** Runs the jobs not in the cache; calls `done` as each finishes (index into its `jobs`). */
  run: (jobs: J[], done: (result: R, index: number) => void) => Promise<unknown>;
  /** The code hash (default: `codeHash()` of src/). */
  code?: string;
  /**
   * Run again every job whose cached result finished before this time, and
   * cache the new result in its place (a notebook's rerun passes its start:
   * a job two grids share then runs once).
   */
  rerunBefore?: Date;
}

export interface SweepOutcome<R> {
  results: R[];
  /** Which results were read from the cache rather than run now. */
  cached: boolean[];
}

export const sweepDir = (name: string) => path.join(ROOT, "build", "sweeps", name);

/**
 * Which of `jobs` have a cached result for `code` (a damaged file counts as
 * missing, and so does one that finished before `rerunBefore`).
 */
export function isCached<J>(
  dir: string,
  jobs: readonly J[],
  code = codeHash(),
  rerunBefore?: Date,
): boolean[] {
  return jobs.map((j) => readEntry(path.join(dir, `${jobKey(j, code)}.json`), rerunBefore) !== undefined);
}

function readEntry<R>(file: string, rerunBefore?: Date): R | undefined {
  if (!fs.existsSync(file)) return undefined;
  let entry: CacheEntry<unknown, R>;
  try {
    entry = JSON.parse(fs.readFileSync(file, "utf8")) as CacheEntry<unknown, R>;
  } catch {
    return undefined; // a damaged entry is run again
  }
  if (rerunBefore && !(new Date(entry.finishedAt) >= rerunBefore)) return undefined;
  return entry.result;
}

/**
 * Every job's result, from the cache where a run with the same config and
 * code finished before, else from `run`. A failure in `run` is rethrown
 * after the finished results are on disk, so the next call resumes.
 */
export async function runCached<J, R>(o: CachedSweep<J, R>): Promise<SweepOutcome<R>> {
  const code = o.code ?? codeHash();
  fs.mkdirSync(o.dir, { recursive: true });
  const files = o.jobs.map((j) => path.join(o.dir, `${jobKey(j, code)}.json`));
  const results: (R | undefined)[] = files.map((f) => readEntry<R>(f, o.rerunBefore));
  const cached = results.map((r) => r !== undefined);
  const missing = o.jobs.flatMap((_, i) => (cached[i] ? [] : [i]));
  if (missing.length)
    await o.run(
      missing.map((i) => o.jobs[i]),
      (result, k) => {
        const i = missing[k];
        results[i] = result;
        const entry: CacheEntry<J, R> = {
          job: o.jobs[i],
          code,
          finishedAt: new Date().toISOString(),
          result,
        };
        writeAtomic(files[i], (tmp) => fs.writeFileSync(tmp, JSON.stringify(entry)));
      },
    );
  const lost = results.findIndex((r) => r === undefined);
  if (lost >= 0) throw new Error(`runCached: the run gave no result for job ${stableJson(o.jobs[lost])}`);
  return { results: results as R[], cached };
}

/**
 * Rows (one per run) → one row per cell of the grid: the mean of `metric`
 * over the cell's runs (its seeds) with a 95 % Student-t interval (few seeds:
 * wide, as it should be) and the count.
 */
export function cellTable<T>(
  rows: readonly T[],
  cell: (r: T) => Record<string, string | number>,
  metric: (r: T) => number,
) {
  const cells = new Map<string, { key: Record<string, string | number>; values: number[] }>();
  for (const r of rows) {
    const key = cell(r);
    const id = stableJson(key);
    if (!cells.has(id)) cells.set(id, { key, values: [] });
    cells.get(id)!.values.push(metric(r));
  }
  return aq.from(
    [...cells.values()].map(({ key, values }) => {
      const i = tInterval(values);
      return { ...key, mean: i.mean, lo: i.lo, hi: i.hi, n: i.n };
    }),
  );
}

/**
 * Jobs in worker processes (./pool.ts) whose finished results are cached
 * under build/sweeps/<name>, so that after a failure, rerunning `command`
 * runs only what did not finish (the error says so).
 */
export async function runPoolResumable<I, J, R>(
  name: string,
  command: string,
  o: PoolRun<I, J, R>,
): Promise<R[]> {
  const dir = sweepDir(name);
  const out = await runCached<J, R>({
    dir,
    jobs: o.jobs,
    run: (todo, done) =>
      runInPool<I, J, R>({
        ...o,
        jobs: todo,
        onResult: (r, i) => {
          done(r, i);
          o.onResult?.(r, i);
        },
        resume: `Rerun \`${command}\`: the runs that finished are read back from ${path.relative(ROOT, dir)}/.`,
      }),
  });
  const cached = out.cached.filter(Boolean).length;
  if (cached) console.log(`${cached} of ${o.jobs.length} runs read back from ${path.relative(ROOT, dir)}/`);
  return out.results;
}
