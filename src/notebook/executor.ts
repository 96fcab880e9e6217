/**
 * Runs a notebook's code cells in this process with tslab's own executor
 * (no Jupyter, no ZeroMQ), recording outputs the way the kernel would send
 * them: stdout/stderr streams and display_data, with in-place updates.
 *
 * tslab's `dist/` modules are internals, which is why package.json pins tslab.
 */
import { createRequire } from "module";
import * as util from "util";
import type { Converter } from "tslab/dist/converter";
import type { ConverterSet, Executor } from "tslab/dist/executor";
import { Cell, codeCells, DisplayDataOutput, joinText, Notebook, Output } from "./ipynb";

/** Why a run stopped: the cell (index among all cells) and what it printed to stderr. */
export interface CellFailure {
  index: number;
  source: string;
  error: string;
}

/** The executed notebook (outputs filled in) and how the run went. */
export interface ExecutionResult {
  notebook: Notebook;
  failure?: CellFailure;
  cellsRun: number;
  seconds: number;
}

// tslab must be the same module instance that notebook code gets from
// require("tslab") and that src/display finds in require.cache. This file may
// be loaded through tsx's namespaced require (see child-entry.cjs), which
// caches modules under separate keys, so load tslab with Node's own require.
const nodeRequire = createRequire(__filename);

interface DisplayMessage {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
}

/** Collects outputs into the current cell, like the kernel's iopub channel. */
class OutputSink {
  cell: Cell | undefined;
  /** Outputs shown under a display id, so updates can replace them. */
  private readonly byDisplayId = new Map<string, DisplayDataOutput[]>();

  private outputs(): Output[] {
    if (!this.cell) return [];
    return (this.cell.outputs ??= []);
  }

  stream(name: "stdout" | "stderr", text: string): void {
    const outputs = this.outputs();
    const last = outputs[outputs.length - 1];
    if (last?.output_type === "stream" && last.name === name) last.text = joinText(last.text) + text;
    else outputs.push({ output_type: "stream", name, text });
  }

  display(msg: DisplayMessage, update: boolean): void {
    const id = msg.transient?.display_id;
    const shown = id ? this.byDisplayId.get(id) : undefined;
    if (update && shown) {
      for (const out of shown) {
        out.data = msg.data;
        out.metadata = msg.metadata ?? {};
      }
      return;
    }
    const out: DisplayDataOutput = {
      output_type: "display_data",
      data: msg.data,
      metadata: msg.metadata ?? {},
    };
    this.outputs().push(out);
    if (id) this.byDisplayId.set(id, [...(shown ?? []), out]);
  }

  stderrOf(cell: Cell): string {
    return (cell.outputs ?? [])
      .map((o) => (o.output_type === "stream" && o.name === "stderr" ? joinText(o.text) : ""))
      .join("");
  }
}

type Write = typeof process.stdout.write;

/**
 * Route process output and tslab's display hook into `sink` until the
 * returned function is called. User code's console.log writes straight to
 * process.stdout, so the streams themselves are replaced (as tslab's kernel does).
 */
function capture(sink: OutputSink, onAsyncError: (what: string, e: unknown) => void): () => void {
  const jupyter = nodeRequire("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  const saved = {
    out: process.stdout.write,
    err: process.stderr.write,
    display: jupyter.lastWriteDisplayData,
  };
  const writer = (name: "stdout" | "stderr"): Write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink.stream(name, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as Write;
  process.stdout.write = writer("stdout");
  process.stderr.write = writer("stderr");
  jupyter.lastWriteDisplayData = (msg: DisplayMessage, update: boolean) => sink.display(msg, update);
  // Un-awaited rejections and throws in timers would otherwise vanish (the
  // kernel only logs them); the runner fails the cell that was running.
  const onRejection = (e: unknown) => onAsyncError("Unhandled promise rejection", e);
  const onException = (e: unknown) => onAsyncError("Uncaught exception", e);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    jupyter.lastWriteDisplayData = saved.display;
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  };
}

/** tslab's converters, created lazily as its kernel does. */
function converters(): ConverterSet {
  (nodeRequire("./tslab-fixes.cjs") as { disableDirectoryWatches(): void }).disableDirectoryWatches();
  const { createConverter } = nodeRequire("tslab/dist/converter") as typeof import("tslab/dist/converter");
  let node: Converter | undefined;
  let browser: Converter | undefined;
  return {
    get node() {
      return (node ??= createConverter({}));
    },
    get browser() {
      return (browser ??= createConverter({ isBrowser: true }));
    },
    close() {
      node?.close();
      browser?.close();
    },
  };
}

/**
 * Execute every code cell of `nb` in order with tslab, `rootDir` being the
 * TypeScript root (imports like "./src/display" resolve from it). Stops at
 * the first failing cell. Outputs are written into `nb`'s cells.
 */
export async function executeNotebook(nb: Notebook, rootDir: string): Promise<ExecutionResult> {
  const { createExecutor } = nodeRequire("tslab/dist/executor") as typeof import("tslab/dist/executor");
  const started = Date.now();
  const sink = new OutputSink();
  let asyncError = false;
  const release = capture(sink, (what, e) => {
    asyncError = true;
    sink.stream("stderr", `${what}: ${util.inspect(e)}\n`);
  });
  const convs = converters();
  const log =
    (name: "stdout" | "stderr") =>
    (...args: unknown[]) =>
      sink.stream(name, util.format(...args) + "\n");
  const executor: Executor = createExecutor(rootDir, convs, { log: log("stdout"), error: log("stderr") });
  let failure: CellFailure | undefined;
  let cellsRun = 0;
  for (const { cell } of codeCells(nb)) {
    cell.outputs = []; // a fresh run: cells after a failure show no stale outputs
    cell.execution_count = null;
  }
  try {
    for (const { index, cell } of codeCells(nb)) {
      cell.execution_count = ++cellsRun;
      sink.cell = cell;
      const ok = await executor.execute(joinText(cell.source)).catch((e: Error) => {
        sink.stream("stderr", `tslab failed internally: ${e.stack ?? e}\n`); // not the cell's own error
        return false;
      });
      await new Promise((r) => setImmediate(r)); // let a stray rejection surface in this cell
      if (!ok || asyncError) {
        failure = { index, source: joinText(cell.source), error: sink.stderrOf(cell) };
        break;
      }
    }
  } finally {
    release();
    executor.close();
    convs.close();
  }
  return { notebook: nb, failure, cellsRun, seconds: (Date.now() - started) / 1000 };
}
