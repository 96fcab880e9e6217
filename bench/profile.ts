/**
 * `npm run bench:profile [-- --config A|B|base]`: where a training step's time goes.
 * Runs one forward + backward + AdamW step of the config under tf.profile and
 * prints kernel time by kernel and by input shape. (tf.profile syncs after
 * every kernel, so its total exceeds a normal step's wall time; read it for
 * shares, and `npm run bench` for speed.)
 */
import { initBackend, tf } from "../src/backend";
import { PRESETS } from "../src/model/config";
import { CliSpec, Flag, helpText, parseCli, runMain } from "../src/cli/args";
import { trainingStep } from "./step";

export const PROFILE_CLI = {
  name: "bench:profile",
  usage: "usage: npm run bench:profile [-- --config A|B|base]",
  summary: "Kernel time of one training step, by kernel and by input shape.",
  flags: {
    config: { type: "string", arg: "NAME", choices: ["A", "B", "base"], doc: "model config", default: "A" },
  },
} as const satisfies CliSpec<Record<string, Flag>>;

async function main(argv: string[]): Promise<void> {
  const a = parseCli(PROFILE_CLI, argv);
  if (a.help) return void process.stdout.write(helpText(PROFILE_CLI));
  const name: keyof typeof PRESETS = a.config ?? "A";
  await initBackend();
  const { step } = trainingStep(PRESETS[name]);
  step();
  const t = performance.now();
  step();
  const wall = performance.now() - t;
  const prof = await tf.profile(step);
  // Custom-gradient wrappers appear as kernels named "forward" or "unnamed
  // scope" whose time includes the kernels inside them: skip them.
  const kernels = prof.kernels.filter((k) => k.name !== "forward" && k.name !== "unnamed scope");
  const total = kernels.reduce((s, k) => s + (k.kernelTimeMs as number), 0);
  const group = (key: (k: (typeof kernels)[number]) => string) => {
    const m = new Map<string, { ms: number; n: number }>();
    for (const k of kernels) {
      const g = m.get(key(k)) ?? { ms: 0, n: 0 };
      g.ms += k.kernelTimeMs as number;
      g.n += 1;
      m.set(key(k), g);
    }
    return [...m].sort((a, b) => b[1].ms - a[1].ms);
  };
  console.log(
    `config ${name}: one step ${wall.toFixed(0)} ms wall; ${kernels.length} kernels, ${total.toFixed(0)} ms of kernel time under tf.profile\n`,
  );
  console.log("| kernel | calls | ms | share |\n|---|---:|---:|---:|");
  for (const [k, g] of group((k) => k.name).slice(0, 14))
    console.log(`| ${k} | ${g.n} | ${g.ms.toFixed(0)} | ${((100 * g.ms) / total).toFixed(1)}% |`);
  console.log("\n| kernel and input shapes | calls | ms | share |\n|---|---:|---:|---:|");
  for (const [k, g] of group((k) => `${k.name} ${JSON.stringify(k.inputShapes)}`).slice(0, 14))
    console.log(`| ${k} | ${g.n} | ${g.ms.toFixed(0)} | ${((100 * g.ms) / total).toFixed(1)}% |`);
}

runMain(main);
