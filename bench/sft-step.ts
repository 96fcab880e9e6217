/**
 * `npm run bench:sft`: the time of one SFT gradient computation (forward +
 * backward) on real SFT conversations with the base model, by how a step's
 * conversations are laid out: one batch padded to its longest conversation,
 * or sorted by length and cut into micro-batches (what src/data/sft-batches.ts
 * does), and the replay windows mixed into each step. Prints the median of
 * REPEATS steps per layout.
 */
import { initBackend, tf } from "../src/backend";
import { Example, sortedMicroBatches, toBatch } from "../src/data/sft-batches";
import { readSftJsonl, sftExamples } from "../src/data/sft-data";
import { SFT_PATHS } from "../src/experiments/sft";
import { loadModel } from "../src/model/load";
import { Rng } from "../src/random";
import { accumulateGradients } from "../src/train/loop";
import { LMBatch, lmObjective, randomWindows } from "../src/train/lm";

const REPEATS = 9;

async function main(): Promise<void> {
  const backend = await initBackend({ quiet: true });
  const { model, tokenizer } = loadModel(SFT_PATHS.base);
  const examples = sftExamples(tokenizer, readSftJsonl(SFT_PATHS.train), model.config.contextLength);
  const objective = lmObjective(model);
  const stream = new Int32Array(100000).map((_, i) => 6 + ((i * 7919) % 500));
  const draw = (seed: number, n: number) => {
    const r = new Rng(seed);
    return Array.from({ length: n }, () => examples[r.int(0, examples.length)]);
  };
  const sorted = (xs: Example[], per: number) => sortedMicroBatches(xs, per, tokenizer.special.pad);
  const time = (label: string, make: (i: number) => LMBatch[]) => {
    for (let w = 0; w < 2; w++)
      tf.tidy(() => {
        accumulateGradients(model, objective, make(1000 + w));
      });
    let slots = 0;
    const times: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const micros = make(i);
      slots += micros.reduce((n, b) => n + b.B * b.T, 0);
      const t0 = performance.now();
      tf.tidy(() => {
        accumulateGradients(model, objective, micros);
      });
      times.push(performance.now() - t0);
    }
    const ms = times.sort((a, b) => a - b)[REPEATS >> 1];
    console.log(
      `${label.padEnd(46)} ${ms.toFixed(0).padStart(6)} ms  ${(slots / REPEATS).toFixed(0).padStart(6)} token slots`,
    );
  };
  console.log(
    `SFT gradient step on ${backend.name}, base model, conversations from data/sft/train.jsonl (median of ${REPEATS} steps, each on other conversations)`,
  );
  for (const B of [16, 32]) {
    time(`${B} conversations, one padded batch`, (i) => [toBatch(draw(i, B), tokenizer.special.pad)]);
    for (const per of [8, 4, 2])
      time(`${B} conversations, sorted, micro-batches of ${per}`, (i) => sorted(draw(i, B), per));
  }
  const rng = new Rng(0);
  for (const [n, T] of [
    [8, 128],
    [8, 64],
    [4, 128],
  ])
    time(`replay: ${n} windows of ${T} tokens`, () => [randomWindows(stream, n, T, rng)]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
