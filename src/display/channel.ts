/**
 * The link to the notebook front end: sends rich "display_data" bundles when
 * code runs inside tslab (the Jupyter kernel, or the headless runner's
 * in-process executor), and reports "no notebook" everywhere else.
 */

/** A Jupyter mime bundle: mime type → string (or JSON for `*+json` types). */
export type MimeBundle = Record<string, unknown>;

/** The message shape tslab's kernel sends as display_data. */
interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

type WriteDisplayData = (msg: DisplayMessage, update: boolean) => void;

/**
 * tslab's kernel keeps the current cell's display writer in the module
 * "tslab/dist/jupyter" (`lastWriteDisplayData`); its public `display` API
 * sends one mime type per output, so multi-mime bundles go through it directly.
 * We only look at the module if something already loaded it: requiring it
 * ourselves would load the TypeScript compiler (~0.4 s) in plain Node/tsx.
 */
function writer(): WriteDisplayData | undefined {
  try {
    const loaded = require.cache[require.resolve("tslab/dist/jupyter")];
    const write = (loaded?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    return typeof write === "function" ? (write as WriteDisplayData) : undefined;
  } catch {
    return undefined; // tslab not installed: certainly not a notebook
  }
}

/** True when rich output reaches a notebook (tslab kernel or headless runner). */
export function inNotebook(): boolean {
  return writer() !== undefined;
}

/**
 * Send one output with several representations; the front end picks the
 * richest it can render. Returns false (and sends nothing) outside a notebook.
 */
export function displayBundle(data: MimeBundle): boolean {
  const write = writer();
  if (!write) return false;
  write({ data, metadata: {}, transient: {} }, false);
  return true;
}

let nextId = 0;

/**
 * An output that can be replaced in place, like tslab's `newDisplay()`, but
 * carrying a whole bundle (e.g. HTML plus plain text) on every update.
 */
export class LiveDisplay {
  private readonly id = `tuning-lab-${process.pid}-${Date.now()}-${nextId++}`;
  private shown = false;

  /** Show `data` (first call) or replace what this display showed before. */
  update(data: MimeBundle): boolean {
    const write = writer();
    if (!write) return false;
    write({ data, metadata: {}, transient: { display_id: this.id } }, this.shown);
    this.shown = true;
    return true;
  }
}

/** Escape text for use inside HTML element content or attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
