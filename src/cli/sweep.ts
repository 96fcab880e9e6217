/**
 * `npm run sweep -- NAME [--full] [--workers N] [--set FIELD=VALUE,...]`
 *
 * Runs one ablation grid of notebook 08 (src/experiments/ablation-grids.ts)
 * through the run cache in build/sweeps/ablations: finished runs are read
 * back, the rest run in worker processes, each written as it finishes, so an
 * interrupted sweep resumes where it stopped. --full runs the full grid
 * (the notebook then shows it without retraining); --set overrides SFT
 * settings of every tuned run (e.g. --set steps=120,lr=0.0005). Prints the
 * grid's cells: mean and 95 % interval over seeds.
 */
import { initBackend } from "../backend";
import { cellRows, goldMean, heldinEm, transferEm } from "../experiments/ablation-analysis";
import { GRIDS, getGrid, gridRows, runGrid } from "../experiments/ablation-grids";
import { CliSpec, Flag, helpText, parseCli, runMain } from "./args";

export const SWEEP_CLI = {
  name: "sweep",
  usage: `usage: npm run sweep -- NAME [--full] [--workers N] [--set FIELD=VALUE,...]   (NAME: ${Object.keys(GRIDS).join(", ")})`,
  summary:
    "Run an ablation grid of notebook 08 through the run cache (build/sweeps/ablations) and print its cells.",
  listOptions: true,
  flags: {
    full: { type: "boolean", doc: "the full grid (default: the notebook's default grid)" },
    workers: { type: "int", min: 1, doc: "worker processes", default: 2 },
    set: {
      type: "string",
      arg: "FIELD=VALUE,...",
      doc: "SFT settings of every tuned run (SftConfig fields)",
    },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

/** "steps=120,lr=5e-4" → { steps: 120, lr: 0.0005 }; the fields are checked by the grid. */
export function parseSettings(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  return Object.fromEntries(
    text.split(",").map((kv) => {
      const m = /^\s*([A-Za-z]\w*)\s*=\s*(\S+)\s*$/.exec(kv);
      if (!m) throw new Error(`sweep: --set takes FIELD=VALUE pairs separated by commas, got "${kv}"`);
      const n = Number(m[2]);
      return [m[1], Number.isFinite(n) ? n : m[2] === "true" ? true : m[2] === "false" ? false : m[2]];
    }),
  );
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function main(argv: string[]): Promise<void> {
  const name = argv[0] && !argv[0].startsWith("-") ? argv[0] : undefined;
  const args = parseCli(SWEEP_CLI, name ? argv.slice(1) : argv);
  if (args.help) {
    process.stdout.write(helpText(SWEEP_CLI));
    return;
  }
  if (!name)
    throw new Error(`sweep: name a grid; grids are: ${Object.keys(GRIDS).join(", ")}\n${SWEEP_CLI.usage}`);
  const grid = getGrid(name);
  const sft = parseSettings(args.set);
  gridRows(grid, "default", sft); // a bad field fails here, before the backend starts
  await initBackend();
  const t0 = Date.now();
  const run = await runGrid(name, {
    size: args.full ? "full" : "default",
    workers: args.workers,
    sft,
  });
  const ran = run.rows.filter((r) => !r.cached).length;
  console.log(
    `${grid.title}\n${run.size} grid: ${run.rows.length} runs, ${ran} run now, ${run.rows.length - ran} from the cache ` +
      `(${((Date.now() - t0) / 60000).toFixed(1)} min)\npaper: ${grid.paper}`,
  );
  const metrics: [string, (r: Parameters<typeof heldinEm>[0]) => number][] = [
    ["transfer EM, zero-shot", (r) => transferEm(r)],
    ["transfer EM, few-shot", (r) => transferEm(r, "fewShot")],
    ["held-in EM", heldinEm],
    ["held-in gold reward", goldMean],
  ];
  for (const [label, metric] of metrics) {
    console.log(`\n${label} (mean over seeds, 95 % t interval):`);
    for (const c of cellRows(run, metric)) {
      const { mean, lo, hi, n, ...cell } = c;
      const key = Object.entries(cell)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      const interval = n > 1 ? `[${pct(Math.max(0, lo))}, ${pct(Math.min(1, hi))}]` : "(one run)";
      console.log(`  ${key.padEnd(28)} ${pct(mean).padStart(6)}  ${interval}  n=${n}`);
    }
  }
}

if (require.main === module) runMain(main);
