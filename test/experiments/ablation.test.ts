import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readFactsFile } from "../../src/data/facts-file";
import { corruptAnswers } from "../../src/data/noise";
import { buildSftDataset } from "../../src/data/sft-data";
import { CLUSTER_SPLIT, getTask, requestText, TRANSFER_CLUSTERS } from "../../src/data/tasks/index";
import { tInterval } from "../../src/eval/stats";
import {
  ABLATION_EVAL,
  ablationPrompts,
  checkJob,
  loadAblationInputs,
  runAblationJob,
  TRAINING_CLUSTERS,
} from "../../src/experiments/ablation";
import {
  GRIDS,
  getGrid,
  gridRows,
  runGrid,
  tunedJob,
  untunedJob,
} from "../../src/experiments/ablation-grids";
import { runInPool } from "../../src/experiments/pool";
import {
  codeHash,
  isCached,
  jobKey,
  runCached,
  runPoolResumable,
  sweepDir,
} from "../../src/experiments/sweep";
import { Rng } from "../../src/random";
import { modelShape } from "../../src/cli/pretrain";
import { BASE_MODEL } from "../../src/model/config";
import { setup } from "../helpers";
import type { EchoJob } from "./fixtures/echo-worker";

const { headwords } = readFactsFile();

describe("experiments/ablation: held-out transfer clusters and coding", () => {
  const ctx = { headwords };
  it("choose_word offers the answer among three distinct options, and says what a wrong reply was", () => {
    const t = getTask("choose_word");
    const rng = new Rng(4);
    for (let i = 0; i < 50; i++) {
      const inst = t.generate(rng, ctx);
      const opts = [inst.input.a, inst.input.b, inst.input.c].map(String);
      assert.equal(new Set(opts).size, 3);
      assert.ok(opts.includes(inst.answer));
      assert.ok(t.check(inst.answer, inst).correct);
      const other = opts.find((o) => o !== inst.answer)!;
      assert.equal(t.check(other, inst).reason, "chose a distractor");
      assert.equal(t.check("zzz", inst).reason, "not one of the options");
    }
  });

  it("complete_fact asks for the last word of a corpus statement", () => {
    const t = getTask("complete_fact");
    const inst = t.generate(new Rng(2), ctx);
    const text = requestText(t, inst, 0);
    assert.ok(text.startsWith("Complete the sentence: "));
    assert.ok(!text.includes(inst.answer) || text.includes(`${inst.word}`), text);
    assert.ok(t.check(` ${inst.answer}.`, inst).correct);
  });

  it("function_call accepts either quote and spacing, and program_value copies the asked-for variable", () => {
    const call = getTask("function_call");
    const inst = call.generate(new Rng(1), ctx);
    const word = String(inst.input.word);
    assert.ok(call.check(`${inst.input.fn}( '${word}' )`, inst).correct);
    assert.ok(!call.check(`${inst.input.fn}("x${word}")`, inst).correct);
    const prog = getTask("program_value");
    const p = prog.generate(new Rng(1), ctx);
    const line = String(p.input.code)
      .split("\n")
      .find((l) => l.startsWith(`${p.input.var} = `))!;
    assert.equal(line, `${p.input.var} = "${p.answer}"`);
    assert.ok(prog.check(p.answer, p).correct);
  });

  it("keeps the transfer clusters and coding out of SFT's default data", () => {
    for (const c of [...TRANSFER_CLUSTERS, "coding" as const]) {
      assert.ok(CLUSTER_SPLIT.heldOut.includes(c));
      assert.ok(!CLUSTER_SPLIT.heldIn.includes(c));
    }
    assert.ok(TRAINING_CLUSTERS.includes("coding"));
    assert.ok(TRAINING_CLUSTERS.every((c) => !TRANSFER_CLUSTERS.includes(c)));
  });
});

describe("experiments/ablation: data variants", () => {
  const base = { seed: 0, perTask: 4, headwords, clusters: ["knowledge" as const], log: () => undefined };
  it("words requests as instructions, inputs only, or task name and inputs (FLAN Table 3)", () => {
    const user = (style: "instructions" | "inputs" | "task-name") =>
      buildSftDataset({ ...base, templateStyle: style, fewShotShare: 0, systemShare: 0 }).map(
        (r) => r.messages[0].content,
      );
    const [ins, inputs, named] = [user("instructions"), user("inputs"), user("task-name")];
    const words = buildSftDataset({ ...base, fewShotShare: 0, systemShare: 0 }).map((r) => r.word);
    inputs.forEach((u, i) => {
      assert.ok(ins[i].length > u.length);
      assert.ok(named[i].startsWith("["));
    });
    assert.throws(
      () =>
        requestText(
          getTask("antonym"),
          getTask("antonym").generate(new Rng(0), { headwords }),
          0,
          "x" as never,
        ),
      /unknown template style "x"; styles are: instructions, inputs, task-name/,
    );
    // "inputs" is the bare word for a relation task: nothing says which relation is asked for.
    assert.ok(inputs.some((u, i) => u === words[i]));
  });

  it("corrupts the asked-for share of answers per task with another answer of that task", () => {
    const records = buildSftDataset({ ...base, perTask: 20 });
    const { records: noisy, corrupted } = corruptAnswers(records, 0.3, 1);
    assert.equal(corrupted, 4 * Math.round(0.3 * 20));
    let changed = 0;
    noisy.forEach((r, i) => {
      const a = r.messages[r.messages.length - 1].content;
      const b = records[i].messages[records[i].messages.length - 1].content;
      if (a !== b) {
        changed++;
        assert.ok(records.some((x) => x.task === r.task && x.messages[x.messages.length - 1].content === a));
      }
      assert.deepEqual(r.messages.slice(0, -1), records[i].messages.slice(0, -1));
    });
    assert.equal(changed, corrupted);
    assert.deepEqual(corruptAnswers(records, 0.3, 1).records, noisy);
    assert.throws(() => corruptAnswers(records, 1.5, 1), /share 1.5/);
  });

  it("draws wrong answers from donors when a small subset has one answer per task, and keeps them fitting", () => {
    const conv = (task: string, answer: string) => ({
      task,
      messages: [
        { role: "user" as const, content: "Label: a fine day." },
        { role: "assistant" as const, content: answer },
      ],
    });
    const subset = [conv("sentiment", "positive"), conv("sentiment", "positive")];
    assert.throws(() => corruptAnswers(subset, 0.5, 0), /no other "sentiment" answer exists/);
    const donors = [...subset, conv("sentiment", "negative"), conv("sentiment", "a very long answer indeed")];
    const short = (m: { content: string }[]) => m[m.length - 1].content.length < 10;
    for (let seed = 0; seed < 5; seed++) {
      const out = corruptAnswers(subset, 0.5, seed, { donors, fits: short });
      assert.equal(out.corrupted, 1);
      assert.deepEqual(
        out.records.map((r) => r.messages[1].content).sort(),
        ["negative", "positive"],
        "the only fitting wrong answer",
      );
    }
    assert.throws(
      () => corruptAnswers(subset, 0.5, 0, { donors, fits: () => false }),
      /no other "sentiment" answer fits/,
    );
  });

  it("intervals over a few seeds use Student's t (wider than the normal's)", () => {
    const i = tInterval([0.4, 0.5, 0.6]);
    assert.ok(Math.abs(i.hi - i.mean - (4.303 * 0.1) / Math.sqrt(3)) < 1e-9);
    assert.equal(tInterval([0.5]).hi, Infinity);
  });
});

describe("experiments/ablation-grids: the registry", () => {
  it("names the valid grids and SFT fields when given a wrong one", () => {
    assert.throws(() => getGrid("flan"), /unknown grid "flan"; grids are: clusters, templates, few-shot/);
    assert.throws(
      () => gridRows(GRIDS.clusters, "default", { stepz: 3 }),
      /unknown key "stepz".*known keys: steps/,
    );
    assert.throws(
      () => checkJob({ ...tunedJob(0, { clusters: ["choice"] }) }),
      /choice are both trained on and held out/,
    );
    assert.throws(
      () => checkJob(tunedJob(0, { clusters: ["poetry" as never] })),
      /unknown cluster\(s\) poetry/,
    );
  });

  it("gives every tuned cell at least 3 seeds, and the full grid contains the default one", () => {
    for (const g of Object.values(GRIDS)) {
      const rows = g.rows("default");
      const tuned = rows.filter((r) => r.job.data);
      const byCell = new Map<string, number>();
      for (const r of tuned)
        byCell.set(JSON.stringify(r.cell), (byCell.get(JSON.stringify(r.cell)) ?? 0) + 1);
      assert.ok(
        [...byCell.values()].every((n) => n >= 3),
        g.name,
      );
      const full = new Set(g.rows("full").map((r) => jobKey(r.job, "x")));
      assert.ok(
        rows.every((r) => full.has(jobKey(r.job, "x"))),
        `${g.name}: a default run is missing from the full grid`,
      );
    }
  });

  it("shares one job between grids that ask for the same run (one cache entry)", () => {
    const key = (j: unknown) => jobKey(j, "code");
    const all = GRIDS.clusters
      .rows("default")
      .find((r) => r.cell.clusters === TRAINING_CLUSTERS.length && r.seed === 0)!;
    const instr = GRIDS.templates
      .rows("default")
      .find((r) => r.cell.style === "instructions" && r.seed === 0)!;
    const share = GRIDS["few-shot"].rows("default").find((r) => r.cell.fewShotShare === 0.1 && r.seed === 0)!;
    assert.equal(key(all.job), key(instr.job));
    assert.equal(key(all.job), key(share.job));
    assert.notEqual(key(all.job), key(tunedJob(1)));
    assert.equal(key(untunedJob()), key({ ...untunedJob() }));
  });

  it("shows a full grid from the cache without running anything once every run of it is cached", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grid-"));
    const code = codeHash();
    const fake = (i: number) => ({ result: { marker: i }, job: null, code, finishedAt: "" });
    const put = (rows: ReturnType<typeof gridRows>) =>
      rows.forEach((r, i) =>
        fs.writeFileSync(path.join(dir, `${jobKey(r.job, code)}.json`), JSON.stringify(fake(i))),
      );
    // Only the default grid cached: "auto" picks the default grid, all of it from the cache.
    put(gridRows(GRIDS.clusters, "default"));
    const first = await runGrid("clusters", { dir, progress: false });
    assert.equal(first.size, "default");
    assert.ok(first.rows.every((r) => r.cached));
    // Every run of the full grid cached: "auto" shows the full grid.
    put(gridRows(GRIDS["few-shot"], "full"));
    const full = await runGrid("few-shot", { dir, progress: false });
    assert.equal(full.size, "full");
    assert.equal(full.rows.length, GRIDS["few-shot"].rows("full").length);
    assert.ok(full.rows.every((r) => r.cached));
  });

  it("draws the same prompts for every job, few-shot ones with their own demos", () => {
    const a = ablationPrompts(headwords, ABLATION_EVAL);
    const b = ablationPrompts(headwords, ABLATION_EVAL);
    assert.deepEqual(a, b);
    assert.equal(a.zero.length, ABLATION_EVAL.perTask * 2);
    assert.equal(a.gold.length, ABLATION_EVAL.gold);
    assert.ok(a.zero.every((z) => TRANSFER_CLUSTERS.includes(z.cluster)));
    const firstDemo = (i: number) => a.few[i].messages[0].content;
    assert.notEqual(firstDemo(0), firstDemo(1));
    assert.equal(a.few[0].messages.length, 2 * ABLATION_EVAL.fewShot + 1);
    // held-out words only, in the prompts scored zero-shot
    const heldout = new Set(headwords.filter((h) => h.split === "heldout").map((h) => h.word));
    assert.ok(a.zero.every((z) => !z.word || heldout.has(z.word)));
  });
});

describe("experiments/ablation: one run, and the pool under failure", function () {
  this.timeout(300000);
  before(setup);

  it("tunes, counts corrupted answers, and scores every prompt", async () => {
    const inputs = loadAblationInputs();
    const job = {
      ...tunedJob(0, { clusters: ["knowledge"], perTask: 10, noise: 0.5 }),
      sft: { seed: 0, steps: 2, batchSize: 4, microBatchSize: 4, warmupSteps: 1, replayBatchSize: 2 },
      eval: { ...ABLATION_EVAL, perTask: 3, fewShot: 1, gold: 4 },
    };
    let ticks = 0;
    const r = await runAblationJob(inputs, job, { tick: () => void ticks++, done: () => undefined });
    assert.equal(ticks, 2);
    assert.equal(r.steps, 2);
    assert.equal(r.format, "chat");
    assert.equal(r.trainExamples, 40);
    assert.equal(r.corrupted, 20);
    assert.deepEqual(
      Object.values(r.zeroShot).map((s) => s.n),
      [3, 3],
    );
    assert.deepEqual(
      Object.values(r.fewShot).map((s) => s.n),
      [3, 3],
    );
    assert.equal(r.gold.length, 4);
    const untuned = await runAblationJob(inputs, { ...untunedJob(), eval: job.eval });
    assert.equal(untuned.format, "raw");
    assert.equal(untuned.steps, 0);
  });

  it("keeps every result that finished when one job fails, and names the failed job", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pool-"));
    const jobs: EchoJob[] = [
      { value: 1 },
      { value: 2, fail: true },
      { value: 3 },
      { value: 4 },
      { value: 5 },
    ];
    const run = (todo: EchoJob[], done: (r: number, i: number) => void) =>
      runInPool({
        worker: "../../test/experiments/fixtures/echo-worker.ts",
        inputs: {},
        jobs: todo,
        name: (j) => `echo ${j.value}`,
        workers: 2,
        onResult: done,
      });
    await assert.rejects(runCached({ dir, jobs, run, code: "v" }), /echo 2: value 2 is not allowed/);
    assert.deepEqual(isCached(dir, jobs, "v"), [true, false, true, true, true]);
    // The rerun runs only the failed job (now fixed).
    const fixed = jobs.map((j) => ({ ...j, fail: undefined }));
    const out = await runCached({ dir, jobs: fixed, run, code: "v" });
    assert.deepEqual(out.results, [2, 4, 6, 8, 10]);
    assert.deepEqual(out.cached, [true, false, true, true, true]);
  });

  it("reports a crashed worker with the job it was running", async () => {
    await assert.rejects(
      runInPool<object, EchoJob, number>({
        worker: "../../test/experiments/fixtures/echo-worker.ts",
        inputs: {},
        jobs: [{ value: 7, crash: true }],
        name: (j) => `echo ${j.value}`,
        workers: 1,
      }),
      /echo 7: its worker exited with code 3, and again when the job was retried/,
    );
  });

  it("resumes a failed pool run: the rerun reads the finished jobs back and runs only the rest", async () => {
    const name = `test-resumable-${process.pid}`;
    const worker = "../../test/experiments/fixtures/echo-worker.ts";
    const jobs: EchoJob[] = [{ value: 1 }, { value: 2, fail: true }, { value: 3 }];
    try {
      await assert.rejects(
        runPoolResumable<object, EchoJob, number>(name, "npm run echo", {
          worker,
          inputs: {},
          jobs,
          name: (j) => `echo ${j.value}`,
          workers: 2,
        }),
        /echo 2: value 2 is not allowed\nRerun `npm run echo`: the runs that finished are read back from build\/sweeps\/test-resumable/,
      );
      const ran: number[] = [];
      const fixed = jobs.map((j) => ({ ...j, fail: undefined }));
      const out = await runPoolResumable<object, EchoJob, number>(name, "npm run echo", {
        worker,
        inputs: {},
        jobs: fixed,
        name: (j) => `echo ${j.value}`,
        workers: 2,
        onResult: (r) => ran.push(r),
      });
      assert.deepEqual(out, [2, 4, 6]);
      assert.deepEqual(ran, [4], "only the failed job ran again");
    } finally {
      fs.rmSync(sweepDir(name), { recursive: true, force: true });
    }
  });

  it("runs a job whose worker was killed once more on a fresh worker, keeping every result", async () => {
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tl-pool-")), "killed");
    const seen: number[] = [];
    const out = await runInPool<object, EchoJob, number>({
      worker: "../../test/experiments/fixtures/echo-worker.ts",
      inputs: {},
      jobs: [{ value: 1 }, { value: 2, killOnce: marker }, { value: 3 }, { value: 4 }],
      name: (j) => `echo ${j.value}`,
      workers: 2,
      onResult: (r) => seen.push(r),
    });
    assert.deepEqual(out, [2, 4, 6, 8]);
    assert.deepEqual(seen.sort(), [2, 4, 6, 8]);
    assert.ok(fs.existsSync(marker), "the worker was killed once");
  });

  it("names the job, the signal and the command that resumes the rest when a retried job dies again", async () => {
    await assert.rejects(
      runInPool<object, EchoJob, number>({
        worker: "../../test/experiments/fixtures/echo-worker.ts",
        inputs: {},
        jobs: [{ value: 5 }, { value: 7, crash: true }],
        name: (j) => `echo ${j.value}`,
        workers: 2,
        resume: "rerun `npm run echo`: finished jobs are read back",
      }),
      /echo 7: its worker exited with code 3, and again[\s\S]*rerun `npm run echo`/,
    );
  });
});

describe("cli/pretrain: --width", () => {
  it("keeps the base model's shape at its own width and refuses a width heads cannot split", () => {
    assert.equal(modelShape(undefined), BASE_MODEL);
    assert.deepEqual(
      { d: modelShape(64).dModel, h: modelShape(64).nHeads, L: modelShape(64).nLayers },
      { d: 64, h: 2, L: BASE_MODEL.nLayers },
    );
    assert.throws(() => modelShape(48), /--width 48: use a multiple of 32/);
  });
});
