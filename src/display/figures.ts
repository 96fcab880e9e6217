/**
 * PNG and SVG export of plotly figures through headless Chromium
 * (playwright-core drives a Chromium found on the machine; nothing is
 * downloaded). One browser and page serve every figure of a process.
 */
import * as fs from "fs";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import type { Figure } from "./plot";

/** Launch flags: no sandbox (root in containers), no GPU, no network chatter. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Environment variables: the browser to use, and where figures go. */
export const CHROMIUM_ENV = "TUNING_LAB_CHROMIUM";
export const FIGURES_DIR_ENV = "TUNING_LAB_FIGURES_DIR";

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
const MAC_CHROME = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";

/** Options for `saveFigure`; width/height default to the layout's or 800×500. */
export interface SaveOptions {
  width?: number;
  height?: number;
  /** Pixel density of the PNG (default 2, for sharp figures in papers). */
  scale?: number;
  /** Output folder; default $TUNING_LAB_FIGURES_DIR or build/figures. */
  dir?: string;
}

/** The folder figures go to: the runner sets one per notebook. */
export function figuresDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env[FIGURES_DIR_ENV] || path.join("build", "figures"));
}

/**
 * The Chromium to use: $TUNING_LAB_CHROMIUM, else /usr/bin/chromium or
 * another Chromium/Chrome on PATH. Undefined when there is none, or when
 * TUNING_LAB_CHROMIUM=none switches figure export off.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const forced = env[CHROMIUM_ENV];
  if (forced === "none") return undefined; // export switched off on purpose
  if (forced) {
    if (!fs.existsSync(forced)) throw new Error(`${CHROMIUM_ENV}=${forced}: no such file`);
    return forced;
  }
  const dirs = ["/usr/bin", ...(env.PATH ?? "").split(path.delimiter).filter(Boolean)];
  for (const name of CANDIDATES) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (fs.existsSync(file)) return file;
    }
  }
  return fs.existsSync(MAC_CHROME) ? MAC_CHROME : undefined;
}

/** Reject names that could escape the figures folder; drop a .png/.svg suffix. */
export function checkFigureName(name: string): string {
  const base = String(name ?? "").replace(/\.(png|svg)$/i, "");
  if (!base || /[\/\\\0]/.test(base) || base.includes("..") || base.startsWith(".")) {
    throw new Error(
      `saveFigure: bad figure name ${JSON.stringify(name)}; use a plain file name such as "loss-curve" ` +
        `(no folders, no "..": figures always go to the figures folder).`,
    );
  }
  return base;
}

/** Reject figures that would export as blank images. */
export function checkFigure(figure: Figure): void {
  if (!figure || !Array.isArray(figure.data) || figure.data.length === 0) {
    throw new Error(
      "saveFigure: the figure has no traces (figure.data is empty); add at least one trace, e.g. { x, y }.",
    );
  }
}

// Runs inside the page. A string, not a function: tsx/esbuild may inject
// helpers (__name) into named functions, and those do not exist in the page.
const EXPORT_SCRIPT = `
window.__tuningLabExport = async function (fig, o) {
  var gd = document.createElement("div");
  document.body.appendChild(gd);
  try {
    await Plotly.newPlot(gd, fig.data, fig.layout || {}, { staticPlot: true });
    var out = {};
    for (var i = 0; i < o.formats.length; i++) {
      var f = o.formats[i];
      out[f] = await Plotly.toImage(gd, { format: f, width: o.width, height: o.height, scale: f === "png" ? o.scale : 1 });
    }
    return out;
  } finally { Plotly.purge(gd); gd.remove(); }
};`;

type ExportFn = (figure: Figure, opts: object) => Promise<Record<string, string>>;

interface Session {
  /** Undefined when no browser exists on this machine. */
  page: Promise<Page | undefined>;
  close(): Promise<void>;
}

// Kept on globalThis so that re-importing this module in a kernel (tslab
// reloads edited files) reuses the browser instead of starting another.
const SESSION_KEY = Symbol.for("tuning-lab.figures");
const WARNED_KEY = Symbol.for("tuning-lab.figures.warned");
type Globals = { [SESSION_KEY]?: Session; [WARNED_KEY]?: boolean };
const globals = globalThis as unknown as Globals;

async function openPage(executablePath: string): Promise<{ browser: Browser; page: Page }> {
  const { chromium } = await import("playwright-core");
  // handleSIGINT off: tslab interrupts cells with SIGINT, which must not kill the browser.
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], handleSIGINT: false });
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: require.resolve("plotly.js-dist-min") }); // ~1.2 s, once
  await page.addScriptTag({ content: EXPORT_SCRIPT });
  return { browser, page };
}

function session(): Session {
  const existing = globals[SESSION_KEY];
  if (existing) return existing;
  const exe = findChromium();
  const opened = exe ? openPage(exe) : Promise.resolve(undefined);
  const created: Session = {
    page: opened.then((s) => s?.page),
    close: async () => {
      if (globals[SESSION_KEY] === created) delete globals[SESSION_KEY];
      const s = await opened.catch(() => undefined);
      await s?.browser.close();
    },
  };
  opened.catch(() => {
    if (globals[SESSION_KEY] === created) delete globals[SESSION_KEY];
  }); // retry next time
  globals[SESSION_KEY] = created;
  return created;
}

function warnNoBrowser(): void {
  if (globals[WARNED_KEY]) return;
  globals[WARNED_KEY] = true;
  if (process.env[CHROMIUM_ENV] === "none") {
    console.warn(`saveFigure: figure export is off (${CHROMIUM_ENV}=none); figures are not written.`);
    return;
  }
  console.warn(
    "saveFigure: no Chromium found, so figures are not written (notebooks still run).\n" +
      `  Install one with \`apt-get install chromium\`, or set ${CHROMIUM_ENV}=/path/to/chrome.`,
  );
}

/** Decode Plotly.toImage's data URL (base64 PNG, URL-encoded SVG). */
function dataUrlBytes(url: string): Buffer {
  const body = url.slice(url.indexOf(",") + 1);
  return url.slice(0, url.indexOf(",")).endsWith(";base64")
    ? Buffer.from(body, "base64")
    : Buffer.from(decodeURIComponent(body));
}

/** A path for messages: relative to the working directory when inside it. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Write `figure` as `<name>.png` and `<name>.svg` in the figures folder and
 * return the written paths (relative to the working directory, which is the
 * project root in notebooks). Returns [] when no browser is installed.
 */
export async function saveFigure(figure: Figure, name: string, opts: SaveOptions = {}): Promise<string[]> {
  const base = checkFigureName(name);
  checkFigure(figure);
  const page = await session().page;
  if (!page) {
    warnNoBrowser();
    return [];
  }
  const layout = figure.layout ?? {};
  const o = {
    formats: ["png", "svg"],
    width: opts.width ?? (typeof layout.width === "number" ? layout.width : 800),
    height: opts.height ?? (typeof layout.height === "number" ? layout.height : 500),
    scale: opts.scale ?? 2,
  };
  // An anonymous arrow: esbuild adds no helpers to it, so it runs in the page as written.
  const urls: Record<string, string> = await page.evaluate(
    ([f, opt]) => (globalThis as unknown as { __tuningLabExport: ExportFn }).__tuningLabExport(f, opt),
    [figure, o] as const,
  );
  const dir = path.resolve(opts.dir ?? figuresDir());
  fs.mkdirSync(dir, { recursive: true });
  return o.formats.map((format) => {
    const file = path.join(dir, `${base}.${format}`);
    fs.writeFileSync(file, dataUrlBytes(urls[format]));
    return shown(file);
  });
}

/** Close the export browser (the runner and tests call this; exiting also does). */
export async function closeFigureBrowser(): Promise<void> {
  await globals[SESSION_KEY]?.close();
}
