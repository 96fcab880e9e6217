/**
 * One notebook per process: the runner forks child-entry.cjs, which loads
 * this file, so every notebook starts from a clean Node (no state, tfjs
 * backend or browser left over from the previous one). It executes the
 * notebook, writes the results, reports to the parent over IPC and exits.
 */
import * as fs from "fs";
import * as path from "path";
import { executeNotebook, CellFailure } from "./executor";
import { notebookHtml } from "./html";
import { readNotebook, writeNotebook } from "./ipynb";

/** What the parent asks for. */
export interface ChildJob {
  notebook: string;
  rootDir: string;
  outNotebook: string;
  outHtml: string;
}

/** What the child reports back. */
export interface ChildResult {
  ok: boolean;
  cellsRun: number;
  seconds: number;
  failure?: CellFailure;
  /** Set when the run could not even start (e.g. unreadable notebook). */
  crash?: string;
}

/** saveFigure keeps its browser here; close it so no Chromium outlives the run. */
async function closeFigureBrowser(): Promise<void> {
  const session = (globalThis as Record<symbol, { close?: () => Promise<void> } | undefined>)[
    Symbol.for("tuning-lab.figures")
  ];
  await session?.close?.().catch(() => undefined);
}

async function run(job: ChildJob): Promise<ChildResult> {
  const nb = readNotebook(job.notebook);
  const result = await executeNotebook(nb, job.rootDir);
  await closeFigureBrowser();
  writeNotebook(job.outNotebook, result.notebook);
  if (result.failure) {
    fs.rmSync(job.outHtml, { force: true }); // no stale page that looks like a pass
  } else {
    fs.mkdirSync(path.dirname(job.outHtml), { recursive: true });
    fs.writeFileSync(job.outHtml, notebookHtml(result.notebook, path.basename(job.notebook, ".ipynb")));
  }
  return { ok: !result.failure, cellsRun: result.cellsRun, seconds: result.seconds, failure: result.failure };
}

function report(result: ChildResult): void {
  const code = result.ok ? 0 : 1;
  // Exit explicitly: timers or handles left by notebook code must not hang the run.
  if (process.send) process.send(result, () => process.exit(code));
  else {
    process.stdout.write(JSON.stringify(result) + "\n");
    process.exit(code);
  }
}

/** Run the job given as JSON (argv[2] of the notebook process), then exit. */
export function main(jobJson: string | undefined): void {
  const job = JSON.parse(jobJson ?? "{}") as ChildJob;
  run(job).then(report, (e: Error) =>
    report({ ok: false, cellsRun: 0, seconds: 0, crash: e.stack ?? String(e) }),
  );
}
