/**
 * `npm run bench:sizes [-- --repeats N]`: training-step time of candidate
 * base-model shapes on this machine (batch 16 × 128, the same step as
 * `npm run bench`), to choose the base model's size from the pretraining
 * budget: tokens/s × budget = tokens the model can read (BENCHMARKS.md,
 * "Choosing the base model's size").
 */
import { initBackend } from "../src/backend";
import { CliSpec, Flag, helpText, parseCli, runMain } from "../src/cli/args";
import { GPTConfig, countParameters, gptConfig } from "../src/model/config";
import { BATCH, trainingStep } from "./step";

export const SIZES_CLI = {
  name: "bench:sizes",
  usage: "usage: npm run bench:sizes [-- --repeats N]",
  summary: "Median training-step time of candidate base-model shapes.",
  flags: { repeats: { type: "int", min: 1, doc: "timed steps per shape (median reported)", default: 8 } },
} as const satisfies CliSpec<Record<string, Flag>>;

/** The shapes compared when the base model was chosen (context 128 throughout). */
export const CANDIDATES: Record<string, Partial<GPTConfig>> = {
  "d128 L4, vocab 512 (config A)": { vocabSize: 512, dModel: 128, nLayers: 4, nHeads: 4 },
  "d128 L4, vocab 1024": { vocabSize: 1024, dModel: 128, nLayers: 4, nHeads: 4 },
  "d192 L4, vocab 1024 (the base model)": { vocabSize: 1024, dModel: 192, nLayers: 4, nHeads: 6 },
  "d256 L4, vocab 1024": { vocabSize: 1024, dModel: 256, nLayers: 4, nHeads: 8 },
};

async function main(argv: string[]): Promise<void> {
  const a = parseCli(SIZES_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(SIZES_CLI));
  const backend = await initBackend({ quiet: true });
  console.log(
    `${backend.path}; median of ${a.repeats ?? 8} steps of ${BATCH}×128 tokens after 3 warm-up steps\n`,
  );
  console.log("| shape | parameters | ms/step | tokens/s | M tokens per hour |\n|---|---:|---:|---:|---:|");
  for (const [name, o] of Object.entries(CANDIDATES)) {
    const c = gptConfig(o);
    const { model, step } = trainingStep(c);
    for (let i = 0; i < 3; i++) step();
    const ms: number[] = [];
    for (let i = 0; i < (a.repeats ?? 8); i++) {
      const t = performance.now();
      step();
      ms.push(performance.now() - t);
    }
    ms.sort((x, y) => x - y);
    const med = ms[Math.floor(ms.length / 2)];
    const tps = (BATCH * c.contextLength * 1000) / med;
    console.log(
      `| ${name} | ${countParameters(c).toLocaleString("en")} | ${med.toFixed(0)} | ` +
        `${tps.toFixed(0)} | ${((tps * 3600) / 1e6).toFixed(1)} |`,
    );
    model.dispose();
  }
}

runMain(main);
