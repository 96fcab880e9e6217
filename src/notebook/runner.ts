/**
 * Headless runs of the notebooks: each one in its own Node process with
 * tslab's in-process executor (Node is all it needs), writing
 *   build/notebooks/<name>.ipynb   executed notebook with outputs
 *   build/html/<name>.html         self-contained page, plots included
 *   build/figures/<name>/          everything saveFigure wrote
 * The first failing cell stops the run.
 */
import { fork } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ChildJob, ChildResult } from "./child";
import { NotebookFileError, readNotebook } from "./ipynb";
import { selectNotebooks, SelectionError } from "./select";
import { signNotebooks } from "./sign";

/** Where things are, and where messages go (tests capture them). */
export interface RunnerOptions {
  rootDir: string;
  buildDir?: string;
  notebooksDir?: string;
  /** Where relative arguments start from (default rootDir). */
  baseDir?: string;
  /** Sign executed notebooks so the classic Notebook trusts them (default true). */
  sign?: boolean;
  log?: (line: string) => void;
  error?: (line: string) => void;
}

/** The per-notebook output paths. */
export function outputPaths(buildDir: string, notebook: string) {
  const stem = path.basename(notebook, ".ipynb");
  return {
    notebook: path.join(buildDir, "notebooks", `${stem}.ipynb`),
    html: path.join(buildDir, "html", `${stem}.html`),
    figures: path.join(buildDir, "figures", stem),
  };
}

/** Run one notebook in a child process; resolves with its report. */
function runChild(job: ChildJob, figuresDir: string): Promise<ChildResult> {
  const child = fork(path.join(__dirname, "child-entry.cjs"), [JSON.stringify(job)], {
    cwd: job.rootDir,
    env: { ...process.env, TUNING_LAB_FIGURES_DIR: figuresDir },
    execArgv: [], // no tsx loader flags from this process: see child-entry.cjs
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve) => {
    let result: ChildResult | undefined;
    child.on("message", (m) => {
      result = m as ChildResult;
    });
    child.on("exit", (code, signal) => {
      resolve(
        result ?? {
          ok: false,
          cellsRun: 0,
          seconds: 0,
          crash: `the notebook process exited with ${signal ?? `code ${code}`} before reporting`,
        },
      );
    });
  });
}

function failureReport(file: string, totalCells: number, r: ChildResult): string {
  if (!r.failure) return `${file}: ${r.crash ?? "failed"}`;
  const { index, source, error } = r.failure;
  return [
    `${file}, cell ${index + 1} of ${totalCells} failed.`,
    "--- cell source ---",
    source.trimEnd(),
    "--- error (the cell's stderr) ---",
    error.trimEnd() || "(no message)",
  ].join("\n");
}

const rel = (root: string, p: string) => path.relative(root, p) || ".";

/**
 * Run the notebooks named by `args` (paths or globs; none means all of
 * notebooks/). Returns the process exit code: 0 all passed, 1 a cell failed,
 * 2 bad input (no match, unreadable or invalid notebook).
 */
export async function runNotebooks(args: string[], opts: RunnerOptions): Promise<number> {
  const { rootDir } = opts;
  const buildDir = opts.buildDir ?? path.join(rootDir, "build");
  const log = opts.log ?? ((l: string) => console.log(l));
  const error = opts.error ?? ((l: string) => console.error(l));
  let files: string[];
  const cellCounts = new Map<string, number>();
  try {
    files = selectNotebooks(
      args,
      rootDir,
      opts.notebooksDir ?? path.join(rootDir, "notebooks"),
      opts.baseDir,
    );
    // Parse everything first: a broken file fails fast, before minutes of training.
    for (const f of files) cellCounts.set(f, readNotebook(path.resolve(rootDir, f)).cells.length);
  } catch (e) {
    if (e instanceof SelectionError || e instanceof NotebookFileError) {
      error(e.message);
      return 2;
    }
    throw e;
  }
  log(
    `Running ${files.length} notebook(s) with tslab's in-process executor; outputs in ${rel(rootDir, buildDir)}/`,
  );
  const started = Date.now();
  const written: string[] = [];
  for (const file of files) {
    const out = outputPaths(buildDir, file);
    fs.rmSync(out.figures, { recursive: true, force: true }); // figures are exactly this run's
    const job: ChildJob = {
      notebook: path.resolve(rootDir, file),
      rootDir,
      outNotebook: out.notebook,
      outHtml: out.html,
    };
    const t0 = Date.now();
    const r = await runChild(job, out.figures);
    const wall = ((Date.now() - t0) / 1000).toFixed(1); // includes process and compiler start
    const cells = cellCounts.get(file) ?? 0;
    if (!r.ok) {
      log(`  FAIL ${file}  (${wall} s)`);
      error(`\n${failureReport(file, cells, r)}\n\nPartial output: ${rel(rootDir, out.notebook)}`);
      return 1;
    }
    const figures = fs.existsSync(out.figures) ? fs.readdirSync(out.figures).length : 0;
    log(`  ok   ${file}  ${r.cellsRun} code cells, ${figures} figure files, ${wall} s`);
    written.push(out.notebook);
  }
  if (opts.sign !== false && signNotebooks(written) === "failed")
    error("warning: could not sign the executed notebooks (they open untrusted)");
  log(
    `Done: ${files.length} notebook(s) in ${((Date.now() - started) / 1000).toFixed(1)} s -> ` +
      ["notebooks", "html", "figures"].map((d) => rel(rootDir, path.join(buildDir, d))).join(", "),
  );
  return 0;
}
