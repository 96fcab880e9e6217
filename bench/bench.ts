/**
 * `npm run bench [-- --json] [-- --configs A,B] [-- --repeats N]`
 *
 * Training tokens/s, generation tokens/s (KV cache, batch 1 and 16) and peak
 * RSS for the model-core configs A (~0.9 M params) and B (~5 M), each measured
 * in its own child process so peak memory is per config. Beside them, the
 * same configs in PyTorch on the CPU (bench/torch_gpt.py, Debian's
 * python3-torch under /usr/bin/python3), skipped with a note when absent.
 * Figures are medians over `repeats` timed runs after warm-up.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../src/backend";
import { PRESETS } from "../src/model/config";
import { generate } from "../src/model/generate";
import { CliSpec, Flag, helpText, parseCli, runMain } from "../src/cli/args";
import { BATCH, trainingStep } from "./step";
const PROMPT = 16;
const NEW_TOKENS = 64;
type Name = keyof typeof PRESETS;

interface ConfigResult {
  /** True when this row's matmuls ran on the system BLAS (src/native/). */
  native: boolean;
  /** The backend line's matmul path, e.g. "wasm + OpenBLAS (2 threads)". */
  path: string;
  params: number;
  train_ms_per_step: number;
  train_tokens_per_s: number;
  gen_tokens_per_s_b1: number;
  gen_tokens_per_s_b16: number;
  peak_rss_mb: number;
  torch_train_tokens_per_s: number | null;
  ratio: number | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeIt(repeats: number, warmup: number, f: () => void): number {
  for (let i = 0; i < warmup; i++) f();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** Runs inside the child: one config, prints one JSON line. */
async function child(name: Name, repeats: number): Promise<void> {
  const backend = await initBackend({ quiet: true });
  const c = PRESETS[name];
  const { model, step } = trainingStep(c);
  const trainMs = timeIt(repeats, 2, step);
  const gen = (B: number) => {
    const prompts = Array.from({ length: B }, (_, b) =>
      Array.from({ length: PROMPT }, (_, t) => (b * 31 + t * 7) % c.vocabSize),
    );
    const ms = timeIt(Math.max(3, Math.ceil(repeats / 2)), 1, () =>
      generate(model, prompts, { maxNewTokens: NEW_TOKENS, stopTokens: [] }),
    );
    return (B * NEW_TOKENS * 1000) / ms;
  };
  const out = {
    native: backend.native,
    path: backend.path,
    params: model.numParameters(),
    train_ms_per_step: trainMs,
    train_tokens_per_s: (BATCH * c.contextLength * 1000) / trainMs,
    gen_tokens_per_s_b1: gen(1),
    gen_tokens_per_s_b16: gen(16),
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

function runChild(
  name: Name,
  repeats: number,
  native: boolean,
): Omit<ConfigResult, "torch_train_tokens_per_s" | "ratio"> {
  const env = { ...process.env, TUNING_LAB_NATIVE: native ? "1" : "0" };
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, __filename, "--child", name, "--repeats", String(repeats)],
    { encoding: "utf8", env },
  );
  if (r.status !== 0) throw new Error(`benchmark of config ${name} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** PyTorch reference training tokens/s per config, or null with the reason. */
function torchReference(
  names: Name[],
  repeats: number,
): { results: Record<string, number> | null; note: string } {
  const py = "/usr/bin/python3";
  if (!fs.existsSync(py))
    return { results: null, note: "PyTorch reference skipped: /usr/bin/python3 not found" };
  const probe = spawnSync(py, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0)
    return { results: null, note: "PyTorch reference skipped: `apt-get install python3-torch` to compare" };
  const cfgs = names.map((n) => ({ name: n, ...PRESETS[n], batch: BATCH }));
  const outText = execFileSync(
    py,
    [path.join(__dirname, "torch_gpt.py"), JSON.stringify({ configs: cfgs, repeats })],
    { encoding: "utf8" },
  );
  const results = JSON.parse(outText.trim().split("\n").pop()!) as Record<string, number>;
  const gemm = results.gemm_gflops;
  const version = spawnSync(py, ["-c", "import torch; print(torch.__version__)"], {
    encoding: "utf8",
  }).stdout.trim();
  const warn =
    gemm < 20
      ? "; WARNING: PyTorch matmul is slow, probably Debian's reference BLAS: `apt-get install libopenblas0-pthread`"
      : "";
  return {
    results,
    note: `PyTorch ${version} (CPU, default threads; GEMM ${gemm.toFixed(0)} GFLOP/s)${warn}`,
  };
}

function table(results: Record<string, ConfigResult>): string {
  const rows: [string, (r: ConfigResult) => string][] = [
    ["matmul path", (r) => r.path],
    ["parameters", (r) => r.params.toLocaleString("en")],
    ["train ms/step (16×128)", (r) => r.train_ms_per_step.toFixed(0)],
    ["train tokens/s", (r) => r.train_tokens_per_s.toFixed(0)],
    ["generate tokens/s, batch 1", (r) => r.gen_tokens_per_s_b1.toFixed(0)],
    ["generate tokens/s, batch 16", (r) => r.gen_tokens_per_s_b16.toFixed(0)],
    ["peak RSS (MB)", (r) => r.peak_rss_mb.toFixed(0)],
    [
      "PyTorch train tokens/s",
      (r) => (r.torch_train_tokens_per_s === null ? "n/a" : r.torch_train_tokens_per_s.toFixed(0)),
    ],
    ["ours ÷ PyTorch", (r) => (r.ratio === null ? "n/a" : r.ratio.toFixed(3))],
  ];
  const names = Object.keys(results);
  const lines = [`| metric | ${names.join(" | ")} |`, `|---|${names.map(() => "---:").join("|")}|`];
  for (const [label, f] of rows) lines.push(`| ${label} | ${names.map((n) => f(results[n])).join(" | ")} |`);
  return lines.join("\n");
}

export const BENCH_CLI = {
  name: "bench",
  usage: "usage: npm run bench [-- --configs A,B] [-- --repeats N] [-- --json]",
  summary:
    "Times a training step and generation of the model-core configs on every matmul path, beside PyTorch.",
  flags: {
    configs: {
      type: "string",
      arg: "A,B",
      doc: "configs to time, comma-separated (A, B, base)",
      default: "A,B",
    },
    repeats: { type: "int", min: 1, doc: "runs per figure (medians are reported)", default: 5 },
    json: { type: "boolean", doc: "print one JSON object and nothing else" },
    child: { type: "string", arg: "NAME", doc: "internal: time one config in this process" },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

async function main(argv: string[]): Promise<void> {
  const a = parseCli(BENCH_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(BENCH_CLI));
  const repeats = a.repeats ?? 5;
  if (a.child) return child(a.child as Name, repeats);
  const json = a.json ?? false;
  const names = (a.configs ?? "A,B").split(",") as Name[];
  for (const n of names)
    if (!(n in PRESETS))
      throw new Error(`bench: unknown config "${n}"; use ${Object.keys(PRESETS).join(", ")}`);
  const backend = await initBackend({ quiet: true });
  // Both matmul paths when the native one is available, so one run compares them.
  const paths = backend.native ? [true, false] : [false];
  const ours: Record<string, ConfigResult> = {};
  for (const n of names) {
    for (const native of paths) {
      const key = paths.length > 1 ? `${n} ${native ? "native" : "wasm"}` : n;
      if (!json) process.stderr.write(`config ${n}: timing tfjs (${native ? backend.path : "wasm"}) …\n`);
      ours[key] = { ...runChild(n, repeats, native), torch_train_tokens_per_s: null, ratio: null };
    }
  }
  if (!json) process.stderr.write("PyTorch reference …\n");
  const torch = torchReference(names, repeats);
  for (const [key, r] of Object.entries(ours)) {
    const t = torch.results?.[key.split(" ")[0]];
    if (t) {
      r.torch_train_tokens_per_s = t;
      r.ratio = r.train_tokens_per_s / t;
    }
  }
  const report = {
    backend: backend.name,
    path: backend.path,
    repeats,
    batch: BATCH,
    torch: torch.note,
    configs: ours,
  };
  if (json) {
    process.stdout.write(JSON.stringify(report) + "\n");
    return;
  }
  console.log(`tfjs ${backend.path} (${backend.detail}); medians of ${repeats} runs; ${torch.note}\n`);
  console.log(table(ours));
  console.log("\n" + JSON.stringify(report));
}

runMain(main);
