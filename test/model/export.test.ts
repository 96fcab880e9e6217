import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tf } from "../../src/backend";
import { CHAT_TEMPLATE_JINJA } from "../../src/chat/template";
import { saveCheckpoint } from "../../src/model/checkpoint";
import { gptConfig, parameterShapes } from "../../src/model/config";
import type { GPT } from "../../src/model/gpt";
import { concatColumns, splitColumns, tensorLinks } from "../../src/model/hf";
import { exportHf } from "../../src/model/hf-folder";
import { loadModel } from "../../src/model/load";
import { endScores, loadRewardModel, rewardModel } from "../../src/model/reward-model";
import { NamedTensor, readSafetensors, writeSafetensors } from "../../src/model/safetensors";
import type { RunRecord } from "../../src/run-record";
import {
  ids2d,
  maxAbsDiff,
  runSystemPython,
  setup,
  SYSTEM_PYTHON,
  systemPythonHas,
  testTokenizer,
  TINY,
  tinyModel,
} from "../helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "tl-hf-"));
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const BATCH = [
  [5, 6, 7, 8, 100, 200, 3, 2, 17, 250],
  [9, 10, 11, 299, 0, 1, 2, 4, 5, 6],
];

/**
 * Gains and biases made distinct (they start at 1 and 0): a tensor mapped to the wrong
 * place, or dropped, then changes the output.
 */
function jitterVectors(m: GPT): GPT {
  [...m.params.values()].forEach((v, seed) => {
    if (v.shape.length === 1) v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.1, "float32", seed)));
  });
  return m;
}

/** Export `model` with the test tokenizer into a fresh folder. */
async function exported(model: GPT, run?: RunRecord): Promise<string> {
  const dir = path.join(tmp(), "hf");
  await exportHf(dir, { model, tokenizer: testTokenizer(), run });
  return dir;
}

/** Rewrite an export's model.safetensors through `edit` (what another tool might have saved). */
function editWeights(dir: string, edit: (t: Map<string, NamedTensor>) => NamedTensor[]): void {
  const file = path.join(dir, "model.safetensors");
  writeSafetensors(file, edit(readSafetensors(file).tensors), { format: "pt" });
}

function editConfig(dir: string, change: Record<string, unknown>): void {
  const file = path.join(dir, "config.json");
  fs.writeFileSync(file, JSON.stringify({ ...readJson(file), ...change }));
}

describe("model/hf: Hugging Face export and import", () => {
  before(setup);

  it("puts every parameter into exactly one GPT-2 tensor, none twice, none left out", () => {
    const c = gptConfig({ ...TINY, scalarHead: true });
    const links = tensorLinks(c);
    const used = links.flatMap((l) => l.parts).sort();
    assert.deepStrictEqual(
      used,
      parameterShapes(c)
        .map(([n]) => n)
        .sort(),
    );
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const shapes = new Map(parameterShapes(c));
    for (const l of links)
      assert.strictEqual(
        size(l.shape),
        l.parts.map((p) => size(shapes.get(p)!)).reduce((a, b) => a + b),
        l.hf,
      );
    const names = links.map((l) => l.hf);
    assert.ok(
      names.includes("transformer.h.1.attn.c_attn.weight") && names.includes("transformer.ln_f.bias"),
    );
    assert.ok(!names.includes("lm_head.weight"), "the LM head is tied to wte and not written");
    assert.deepStrictEqual(names.slice(-2), ["score.weight", "score.bias"]);
  });

  it("lays q | k | v side by side along the output axis (GPT-2's Conv1D is [in, out])", () => {
    const q = Float32Array.from([1, 2, 3, 4]); // [2, 2]: rows are inputs
    const k = Float32Array.from([5, 6, 7, 8]);
    const v = Float32Array.from([9, 10, 11, 12]);
    const qkv = concatColumns([q, k, v], 2);
    assert.deepStrictEqual([...qkv], [1, 2, 5, 6, 9, 10, 3, 4, 7, 8, 11, 12]);
    assert.deepStrictEqual(splitColumns(qkv, 2, [2, 2, 2]), [q, k, v]);
    assert.deepStrictEqual([...concatColumns([q.subarray(0, 2), k.subarray(0, 2)], 1)], [1, 2, 5, 6]);
  });

  it("writes the files transformers reads, with a GPT-2 config that computes this model", async () => {
    const m = tinyModel();
    const run = readJson(path.join(ROOT, "data/models/sft/run.json")) as RunRecord;
    const dir = await exported(m, run);
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), [
      "README.md",
      "config.json",
      "generation_config.json",
      "model.safetensors",
      "run.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const cfg = readJson(path.join(dir, "config.json"));
    assert.deepStrictEqual(
      [
        cfg.model_type,
        cfg.architectures,
        cfg.activation_function,
        cfg.layer_norm_epsilon,
        cfg.tie_word_embeddings,
      ],
      ["gpt2", ["GPT2LMHeadModel"], "gelu_new", 1e-5, true],
    );
    assert.deepStrictEqual(
      [cfg.vocab_size, cfg.n_positions, cfg.n_embd, cfg.n_layer, cfg.n_head, cfg.n_inner],
      [300, 32, 32, 2, 2, 128],
    );
    assert.deepStrictEqual([cfg.pad_token_id, cfg.bos_token_id, cfg.eos_token_id], [0, 1, 2]);
    assert.deepStrictEqual([cfg.resid_pdrop, cfg.embd_pdrop, cfg.attn_pdrop], [0, 0, 0]);
    assert.strictEqual(readJson(path.join(dir, "generation_config.json")).eos_token_id, 2);
    const tc = readJson(path.join(dir, "tokenizer_config.json"));
    assert.strictEqual(tc.chat_template, CHAT_TEMPLATE_JINJA);
    assert.deepStrictEqual([tc.eos_token, tc.pad_token, tc.bos_token], ["<|eos|>", "<|pad|>", "<|bos|>"]);
    const st = readSafetensors(path.join(dir, "model.safetensors"));
    assert.deepStrictEqual(st.metadata, { format: "pt" }, "transformers refuses safetensors without it");
    assert.deepStrictEqual(st.tensors.get("transformer.h.0.attn.c_attn.weight")!.shape, [32, 96]);
    const card = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    for (const heading of ["## Loading", "## Data", "## Training recipe", "## Run record", "## Licence"])
      assert.ok(card.includes(heading), heading);
    assert.match(card, /^---\nlicense: mit\n/);
    assert.match(card, /Instruction-tuned from the base model `data\/models\/base` on 2526 conversations/);
    assert.match(card, /\| `lr` \| 0\.0005 \|/);
    m.dispose();
  });

  it("round-trips export → loadModel to identical logits, tokenizer and run record", async () => {
    const m = jitterVectors(tinyModel(2));
    const run = { method: "pretrain", config: { steps: 3 }, seed: 5, metrics: [], evals: [], notes: {} };
    const dir = await exported(m, run as unknown as RunRecord);
    const back = loadModel(dir);
    const x = ids2d(BATCH);
    assert.strictEqual(maxAbsDiff(m.logits(x).dataSync(), back.model.logits(x).dataSync()), 0);
    assert.deepStrictEqual(back.model.config, m.config);
    for (const [name, v] of m.params)
      assert.strictEqual(maxAbsDiff(v.dataSync(), back.model.params.get(name)!.dataSync()), 0, name);
    assert.deepStrictEqual(
      back.tokenizer.encode(" the cold river"),
      testTokenizer().encode(" the cold river"),
    );
    assert.strictEqual(back.run?.seed, 5);
    m.dispose();
    back.model.dispose();
  });

  it("round-trips a reward model's scalar head as score.weight / score.bias", async () => {
    const m = jitterVectors(tinyModel(3, { scalarHead: true }));
    m.params.get("score.b")!.assign(tf.tensor1d([0.25]));
    const dir = await exported(m);
    const cfg = readJson(path.join(dir, "config.json"));
    assert.deepStrictEqual(
      [cfg.architectures, cfg.id2label],
      [["GPT2ForSequenceClassification"], { 0: "LABEL_0" }],
    );
    const st = readSafetensors(path.join(dir, "model.safetensors")).tensors;
    assert.deepStrictEqual(
      [st.get("score.weight")!.shape, [...st.get("score.bias")!.data]],
      [[1, 32], [0.25]],
    );
    assert.match(
      fs.readFileSync(path.join(dir, "README.md"), "utf8"),
      /`score\.weight` \[1, 32\] and `score\.bias` \[1\]/,
    );
    const back = loadModel(dir);
    const x = ids2d(BATCH);
    const score = (g: GPT) => g.scores(g.trunk(x).hidden).dataSync();
    assert.strictEqual(maxAbsDiff(score(m), score(back.model)), 0);
    m.dispose();
    back.model.dispose();
  });

  it("reads a transformers save: no 'transformer.' prefix, a tied lm_head.weight, no score.bias", async () => {
    const m = jitterVectors(tinyModel(4, { scalarHead: true }));
    const dir = await exported(m);
    editWeights(dir, (t) => {
      const out = [...t.values()]
        .filter((x) => x.name !== "score.bias") // GPT2ForSequenceClassification's head has no bias
        .map((x) => ({ ...x, name: x.name.replace(/^transformer\./, "") }));
      const wte = t.get("transformer.wte.weight")!;
      return [
        ...out,
        { ...wte, name: "lm_head.weight" },
        { name: "h.0.attn.bias", shape: [1], data: new Float32Array(1) },
      ];
    });
    const back = loadModel(dir);
    const x = ids2d(BATCH);
    assert.strictEqual(maxAbsDiff(m.logits(x).dataSync(), back.model.logits(x).dataSync()), 0);
    assert.deepStrictEqual([...back.model.params.get("score.b")!.dataSync()], [0]);
    m.dispose();
    back.model.dispose();
  });

  it("names the tensor that is missing, has the wrong shape, or is cut off", async () => {
    const m = tinyModel();
    const dir = await exported(m);
    const file = path.join(dir, "model.safetensors");
    const good = fs.readFileSync(file);
    const name = "transformer.h.1.mlp.c_fc.weight";
    editWeights(dir, (t) => [...t.values()].filter((x) => x.name !== name));
    assert.throws(() => loadModel(dir), new RegExp(`model.safetensors: tensor "${name}" is missing`));
    fs.writeFileSync(file, good);
    editWeights(dir, (t) => [...t.values()].map((x) => (x.name === name ? { ...x, shape: [128, 32] } : x)));
    assert.throws(
      () => loadModel(dir),
      new RegExp(
        `model.safetensors: tensor "${name}" has shape \\[128,32\\], the model config needs \\[32,128\\]`,
      ),
    );
    fs.writeFileSync(file, good.subarray(0, good.byteLength - 100));
    assert.throws(
      () => loadModel(dir),
      /model.safetensors is truncated: tensor "transformer.ln_f.bias" needs data bytes/,
    );
    m.dispose();
  });

  it("refuses an untied LM head, tensors GPT-2 does not have, and config fields this model cannot compute", async () => {
    const m = tinyModel();
    const dir = await exported(m);
    const file = path.join(dir, "model.safetensors");
    const good = fs.readFileSync(file);
    editWeights(dir, (t) => {
      const wte = t.get("transformer.wte.weight")!;
      return [...t.values(), { ...wte, name: "lm_head.weight", data: wte.data.map((v) => v + 1) }];
    });
    assert.throws(() => loadModel(dir), /tensor "lm_head.weight" differs from "transformer.wte.weight"/);
    fs.writeFileSync(file, good);
    editWeights(dir, (t) => [
      ...t.values(),
      { name: "transformer.h.0.adapter.weight", shape: [1], data: new Float32Array(1) },
    ]);
    assert.throws(
      () => loadModel(dir),
      /1 tensor\(s\) that a GPT-2 of this config does not have: transformer.h.0.adapter.weight/,
    );
    fs.writeFileSync(file, good);
    const cfg = fs.readFileSync(path.join(dir, "config.json"), "utf8");
    for (const [change, error] of [
      [{ activation_function: "gelu" }, /activation_function is "gelu"; this model computes tanh-GELU/],
      [{ layer_norm_epsilon: 1e-6 }, /layer_norm_epsilon is 0.000001; this model's LayerNorm uses 0.00001/],
      [{ model_type: "llama" }, /model_type is "llama"; only GPT-2/],
      [{ n_inner: 100 }, /n_inner = 100 is not a multiple of n_embd = 32/],
    ] as const) {
      editConfig(dir, change);
      assert.throws(() => loadModel(dir), error);
      fs.writeFileSync(path.join(dir, "config.json"), cfg);
    }
    m.dispose();
  });

  it("exports a reward model that, loaded back, scores and orders held-out pairs as the original (1e-4)", async () => {
    const rm = rewardModel(jitterVectors(tinyModel().withScalarHead()), 0.3);
    rm.head = { ...rm.head, mean: 0.12, std: 0.45 };
    const tok = testTokenizer();
    const dir = path.join(tmp(), "rm-hf");
    const files = await exportHf(dir, { model: rm.model, tokenizer: tok, reward: rm.head });
    assert.ok(files.includes("reward.json"));
    assert.match(
      fs.readFileSync(path.join(dir, "README.md"), "utf8"),
      /loses three things[\s\S]*def tuning_lab_reward/,
    );
    const back = loadRewardModel(dir);
    assert.deepStrictEqual(back.head, rm.head);
    const rows = [BATCH[0], BATCH[1], BATCH[0].slice(0, 7), BATCH[1].slice(0, 8)];
    const starts = [4, 3, 5, 6];
    const a = await endScores(rm, rows, starts, 0).array();
    const b = await endScores(back, rows, starts, 0).array();
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-4, `row ${i}: ${x} against ${b[i]}`));
    const order = (xs: number[]) => xs.map((x, i) => xs.map((y) => Math.sign(x - y)));
    assert.deepStrictEqual(order(b), order(a), "every pair ordered alike");
    // Without reward.json the folder is the head alone: the likelihood term and normalisation are lost.
    fs.rmSync(path.join(dir, "reward.json"));
    assert.throws(() => loadRewardModel(dir), /reward\.json is missing/);
    rm.model.dispose();
    back.model.dispose();
  });

  it("refuses a non-empty folder without force, replaces it with force, and never writes over its source", async () => {
    const m = tinyModel();
    const parent = tmp();
    const out = path.join(parent, "hf");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "notes.txt"), "mine");
    const parts = { model: m, tokenizer: testTokenizer() };
    await assert.rejects(
      exportHf(out, parts),
      /export: .*hf is not empty \(notes.txt\); pass --force to replace/,
    );
    await exportHf(out, parts, { force: true });
    assert.ok(!fs.existsSync(path.join(out, "notes.txt")));
    assert.deepStrictEqual(fs.readdirSync(parent), ["hf"], "no temporary folder left behind");
    const ck = path.join(parent, "ck");
    await saveCheckpoint(ck, { model: m, tokenizer: testTokenizer() });
    await assert.rejects(
      exportHf(parent, { ...parts, source: ck }, { force: true }),
      /holds the model being exported/,
    );
    assert.ok(fs.existsSync(path.join(ck, "weights.bin")));
    m.dispose();
  });

  it("says what is wrong with a folder that is neither a checkpoint nor a safetensors export", () => {
    const dir = tmp();
    assert.throws(() => loadModel(dir), /no checkpoint at .*: .* has no config.json/);
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ model_type: "gpt2" }));
    fs.writeFileSync(path.join(dir, "pytorch_model.bin"), "");
    assert.throws(
      () => loadModel(dir),
      /no model.safetensors \(it has pytorch_model.bin: save with save_pretrained/,
    );
  });

  it("gives the PyTorch reference model (bench/torch_gpt.py) the same logits and scores, to 1e-4", async function () {
    if (!systemPythonHas("torch")) {
      console.log(`      (skipped: ${SYSTEM_PYTHON} has no torch; apt-get install python3-torch to run it)`);
      this.skip();
    }
    this.timeout(60000);
    const m = tinyModel(5, { scalarHead: true, initStd: 0.2 });
    // Large weights (peaked attention) and jittered vectors: a swapped or dropped tensor (even q
    // for k, ln_1 for ln_2) moves the logits far past 1e-4.
    jitterVectors(m);
    const dir = await exported(m);
    const py = runSystemPython([path.join(ROOT, "bench/torch_hf_logits.py"), dir], BATCH) as {
      logits: number[][][];
      scores: number[][];
    };
    const x = ids2d(BATCH);
    const hidden = m.trunk(x).hidden;
    const logits = m.head(hidden).dataSync();
    assert.deepStrictEqual([py.logits.length, py.logits[0].length, py.logits[0][0].length], [2, 10, 300]);
    const diff = maxAbsDiff(logits, py.logits.flat(2));
    assert.ok(diff < 1e-4, `logits differ by up to ${diff}`);
    const scoreDiff = maxAbsDiff(m.scores(hidden).dataSync(), py.scores.flat());
    assert.ok(scoreDiff < 1e-4, `scores differ by up to ${scoreDiff}`);
    m.dispose();
  });

  it("scores as the original in PyTorch with the model card's tuning_lab_reward (1e-4)", async function () {
    if (!systemPythonHas("torch", "transformers", "safetensors")) {
      console.log(`      (skipped: ${SYSTEM_PYTHON} lacks torch, transformers or safetensors)`);
      this.skip();
    }
    this.timeout(120000);
    const rm = rewardModel(jitterVectors(tinyModel(5, { scalarHead: true, initStd: 0.2 })), 0.3);
    rm.head = { ...rm.head, mean: 0.12, std: 0.45 };
    const dir = path.join(tmp(), "rm-hf");
    await exportHf(dir, { model: rm.model, tokenizer: testTokenizer(), reward: rm.head });
    const card = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    const code = /def tuning_lab_reward[\s\S]*?```/.exec(card)![0].replace(/```$/, "");
    const imports =
      "import json, sys, torch\nfrom safetensors.torch import load_file\nfrom transformers import GPT2LMHeadModel\n";
    const run = `${imports}${code}\nrows = json.load(sys.stdin)\nprint(json.dumps([tuning_lab_reward(${JSON.stringify(dir)}, r[0], r[1]) for r in rows]))`;
    const starts = [4, 3];
    const py = runSystemPython(
      ["-c", run],
      BATCH.map((r, i) => [r, starts[i]]),
    ) as number[];
    const ts = await endScores(rm, BATCH, starts, 0).array();
    const diff = maxAbsDiff(Float32Array.from(ts), py);
    assert.ok(diff < 1e-4, `PyTorch scores differ by up to ${diff}`);
    rm.model.dispose();
  });
});
