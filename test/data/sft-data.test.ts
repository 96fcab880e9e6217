import * as assert from "assert";
import * as fs from "fs";
import { hhhDemos } from "../../src/data/hhh";
import { readWorld } from "../../src/data/world";
import * as os from "os";
import * as path from "path";
import { buildPreferencePrompts, requestedForms } from "../../src/data/tasks/form-requests";
import { renderChat } from "../../src/chat/template";
import { readFactsFile } from "../../src/data/facts-file";
import {
  CLUSTER_SPLIT,
  EVAL_SET_NAMES,
  EvalItem,
  SftRecord,
  buildEvalSets,
  PROMPT_POOL_NAMES,
  buildSftDataset,
  checkEvalItem,
  readEvalJsonl,
  readPreferenceJsonl,
  writePreferenceJsonl,
  readSftJsonl,
  sftExamples,
  writeEvalJsonl,
  writeSftJsonl,
} from "../../src/data/sft-data";
import { getTask } from "../../src/data/tasks/index";
import { readPrompts } from "../../src/data/tasks/jsonl";
import { BpeTokenizer, trainBpe } from "../../src/tokenizer/index";

const { headwords } = readFactsFile();
const SFT_DIR = path.join(__dirname, "..", "..", "data", "sft");
const trainWords = new Set(headwords.filter((h) => h.split === "train").map((h) => h.word));
const heldoutWords = new Set(headwords.filter((h) => h.split === "heldout").map((h) => h.word));
const tmpFile = (text: string, name = "d.jsonl") => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tl-sft-")), name);
  fs.writeFileSync(f, text);
  return f;
};
const quiet = { log: () => undefined };

let tok512: BpeTokenizer;
let records: SftRecord[];

describe("data/sft-data", () => {
  before(() => {
    // A realistic tokenizer: 512 tokens, as the base model's, trained on the committed corpus sample.
    tok512 = trainBpe(
      fs.readFileSync(path.join(__dirname, "..", "..", "data", "corpus", "sample.txt"), "utf8"),
      { vocabSize: 512 },
    );
    records = buildSftDataset({ seed: 0, perTask: 40, headwords, ...quiet });
  });

  it("builds perTask examples of every held-in task, in the chat format, ending with the answer", () => {
    const tasks = new Set(records.map((r) => r.task));
    assert.ok(tasks.size >= 20);
    for (const t of tasks) assert.strictEqual(records.filter((r) => r.task === t).length, 40);
    for (const r of records) assert.strictEqual(r.messages[r.messages.length - 1].role, "assistant");
    assert.ok(
      records.some((r) => r.messages[0].role === "system"),
      "some examples carry a system prompt",
    );
    assert.ok(
      records.some((r) => r.messages.filter((m) => m.role === "user").length > 1),
      "some are few-shot",
    );
  });

  it("is deterministic per seed", () => {
    assert.deepStrictEqual(buildSftDataset({ seed: 0, perTask: 40, headwords, ...quiet }), records);
    assert.notDeepStrictEqual(buildSftDataset({ seed: 1, perTask: 40, headwords, ...quiet }), records);
  });

  it("uses only train-split words, so no held-out word appears in any SFT record", () => {
    for (const r of records.filter((x) => x.word)) assert.ok(trainWords.has(r.word!), `${r.task}: ${r.word}`);
    // Rename every held-out headword to a marker: no task may put one in any turn, demos and passages included.
    const marked = headwords.map((h, i) =>
      h.split === "train"
        ? h
        : { ...h, word: `zzheld${i}`, facts: h.facts.map((f) => ({ ...f, word: `zzheld${i}` })) },
    );
    const all = buildSftDataset({ seed: 5, perTask: 60, headwords: marked, fewShotShare: 0.5, ...quiet });
    assert.ok(all.every((r) => r.messages.every((m) => !m.content.includes("zzheld"))));
  });

  it("leaves out train facts whose answer is a held-out word, and says how many", () => {
    const lines: string[] = [];
    const recs = buildSftDataset({
      seed: 0,
      perTask: 100,
      headwords,
      clusters: ["knowledge"],
      log: (m) => lines.push(m),
    });
    assert.ok(
      lines.some((l) => /left out \d+ train-word fact\(s\) whose answer is a held-out word/.test(l)),
      lines.join("\n"),
    );
    for (const r of recs) {
      for (const m of r.messages.filter((x) => x.role === "assistant"))
        assert.ok(!heldoutWords.has(m.content), `${r.task}: ${m.content}`);
    }
  });

  it("never puts a held-out cluster in train, and uses only held-in templates", () => {
    assert.ok(CLUSTER_SPLIT.heldOut.length >= 2 && CLUSTER_SPLIT.heldIn.includes("knowledge"));
    for (const r of records) {
      assert.ok(!CLUSTER_SPLIT.heldOut.includes(r.cluster), r.task);
      assert.notStrictEqual(
        getTask(r.task).templates[r.template].use,
        "heldout",
        `${r.task} template ${r.template}`,
      );
    }
  });

  it("renders every built example within the 128-token context", () => {
    const big = buildSftDataset({
      seed: 3,
      perTask: 100,
      headwords,
      fewShotShare: 0.5,
      fit: { tokenizer: tok512, contextLength: 128 },
      ...quiet,
    });
    for (const r of big) assert.ok(renderChat(tok512, r.messages).ids.length <= 128, JSON.stringify(r));
    const zeroShot = buildSftDataset({
      seed: 4,
      perTask: 100,
      headwords,
      fewShotShare: 0,
      systemShare: 1,
      ...quiet,
    });
    const longest = Math.max(...zeroShot.map((r) => renderChat(tok512, r.messages).ids.length));
    assert.ok(longest <= 112, `zero-shot with a system prompt reaches ${longest} tokens; leave room`);
  });

  it("prints how many examples it shortened or dropped to fit the context, never silently", () => {
    const lines: string[] = [];
    const out = buildSftDataset({
      seed: 0,
      perTask: 20,
      headwords,
      clusters: ["closed_qa"],
      fewShotShare: 0.5,
      fit: { tokenizer: tok512, contextLength: 60 },
      log: (m) => lines.push(m),
    });
    assert.ok(out.every((r) => renderChat(tok512, r.messages).ids.length <= 60));
    const dropped = lines.filter((l) =>
      /dropped \d+ of 20 example\(s\): longer than the 60-token context/.test(l),
    );
    assert.ok(dropped.length > 0, lines.join("\n"));
    const n = dropped.map((l) => Number(/dropped (\d+)/.exec(l)![1])).reduce((a, b) => a + b, 0);
    assert.strictEqual(out.length + n, 60);
  });

  it("round-trips through JSONL, with file:line sources", () => {
    const f = tmpFile("");
    writeSftJsonl(f, records.slice(0, 5));
    const back = readSftJsonl(f);
    assert.deepStrictEqual(
      back.map(({ source: _s, ...r }) => r),
      records.slice(0, 5),
    );
    assert.strictEqual(back[2].source, `${f}:3`);
  });

  it("lists every bad SFT line as file:line with what is wrong", () => {
    const good = '{"messages":[{"role":"user","content":"Hi?"},{"role":"assistant","content":"hello"}]}';
    const f = tmpFile(
      [
        good,
        "{not json",
        '{"messages":[{"role":"robot","content":"x"},{"role":"assistant","content":"y"}]}',
        '{"messages":[{"role":"user","content":"  "},{"role":"assistant","content":"y"}]}',
        '{"messages":[{"role":"user","content":"Hi?"}]}',
        '{"messages":[{"role":"user","content":"Hi?"},{"role":"assistant","content":""}]}',
        '{"messages":[{"role":"user","content":"Hi?"},{"role":"assistant","content":"a"},{"role":"user","content":"and?"}]}',
        '{"text":"plain"}',
      ].join("\n") + "\n",
    );
    assert.throws(
      () => readSftJsonl(f),
      (e: Error) => {
        const m = e.message;
        return (
          /7 bad line\(s\)/.test(m) &&
          !m.includes(`${f}:1:`) &&
          m.includes(`${f}:2: not valid JSON`) &&
          m.includes(`${f}:3: messages[0].role must be one of system, user, assistant, got "robot"`) &&
          m.includes(`${f}:4: messages[0] (user) has empty content`) &&
          m.includes(`${f}:5: has no assistant turn: the answer is missing`) &&
          m.includes(`${f}:6: messages[1] (assistant) has empty content (the answer is missing)`) &&
          m.includes(
            `${f}:7: the conversation ends with a user turn; a training example must end with the assistant's answer`,
          ) &&
          m.includes(`${f}:8: "messages" must be a non-empty list`)
        );
      },
    );
  });

  it("names file:line of an example longer than the context, or drops it with a printed count", () => {
    const long = `{"messages":[{"role":"user","content":"${"What is the opposite of hot? ".repeat(30)}"},{"role":"assistant","content":"cold"}]}`;
    const f = tmpFile(
      `{"messages":[{"role":"user","content":"Hot?"},{"role":"assistant","content":"cold"}]}\n${long}\n`,
    );
    const lines = readSftJsonl(f);
    assert.throws(
      () => sftExamples(tok512, lines, 128),
      new RegExp(
        `${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: renders to \\d+ tokens but the context is 128`,
      ),
    );
    const logged: string[] = [];
    const ex = sftExamples(tok512, lines, 128, { dropTooLong: true, log: (m) => logged.push(m) });
    assert.strictEqual(ex.length, 1);
    assert.deepStrictEqual(logged, [
      "sftExamples: dropped 1 of 2 example(s) longer than the 128-token context",
    ]);
  });

  it("writes preference pairs in both TRL forms with the rater's fields, and reads them back", () => {
    const pair = {
      prompt: [{ role: "user" as const, content: "What is the opposite of hot?" }],
      chosen: [{ role: "assistant" as const, content: "cold" }],
      rejected: [{ role: "assistant" as const, content: "warm" }],
      meta: { prompt_id: "p1", rater: "r0", gold_chosen: 1, gold_rejected: 0.4 },
    };
    for (const form of ["conversational", "plain"] as const) {
      const f = tmpFile("");
      writePreferenceJsonl(f, [pair], form);
      const line = JSON.parse(fs.readFileSync(f, "utf8").trim());
      assert.equal(typeof line.prompt, form === "plain" ? "string" : "object");
      assert.equal(line.rater, "r0");
      const [back] = readPreferenceJsonl(f);
      assert.deepStrictEqual({ ...back, source: undefined }, { ...pair, source: undefined });
    }
    const twoTurns = { ...pair, prompt: [...pair.prompt, { role: "user" as const, content: "And cold?" }] };
    assert.throws(
      () => writePreferenceJsonl(tmpFile(""), [twoTurns], "plain"),
      /pair 1: prompt has 2 turns; the plain form holds one, write the conversational form instead/,
    );
    const bad = tmpFile('{"prompt":"Hot?","chosen":"cold","rejected":"warm","gold_chosen":"high"}\n');
    assert.throws(
      () => readPreferenceJsonl(bad),
      new RegExp(`${bad}:1: field gold_chosen: expected a finite number`),
    );
  });

  it("validates preference lines: prompt, chosen, rejected", () => {
    const ok = '{"prompt":"What is the opposite of hot?","chosen":"cold","rejected":"warm"}';
    const conv =
      '{"prompt":[{"role":"user","content":"Hot?"}],"chosen":[{"role":"assistant","content":"cold"}],"rejected":[{"role":"assistant","content":"hot"}]}';
    const pairs = readPreferenceJsonl(tmpFile(`${ok}\n${conv}\n`));
    assert.deepStrictEqual(pairs[0].chosen, [{ role: "assistant", content: "cold" }]);
    const f = tmpFile(
      [
        ok,
        '{"prompt":"Hot?","chosen":"cold"}',
        '{"prompt":"Hot?","chosen":"cold","rejected":"cold"}',
        '{"prompt":[{"role":"user","content":"Hot?"},{"role":"assistant","content":"x"}],"chosen":"a","rejected":"b"}',
        '{"prompt":"Hot?","chosen":[{"role":"user","content":"a"}],"rejected":"b"}',
        '{"prompt":"Hot?","chosen":"","rejected":"b"}',
      ].join("\n"),
    );
    assert.throws(
      () => readPreferenceJsonl(f),
      (e: Error) =>
        /5 bad line\(s\)/.test(e.message) &&
        e.message.includes(`${f}:2: missing "rejected"`) &&
        e.message.includes(`${f}:3: chosen and rejected are identical`) &&
        e.message.includes(`${f}:4: the prompt must end with the user's request`) &&
        e.message.includes(`${f}:5: "chosen" must hold only assistant turns`) &&
        e.message.includes(`${f}:6: chosen[0] (assistant) has empty content`),
    );
  });

  it("names a missing or empty file", () => {
    assert.throws(
      () => readSftJsonl("/nonexistent.jsonl"),
      /SFT examples file not found: \/nonexistent\.jsonl/,
    );
    assert.throws(() => readPreferenceJsonl(tmpFile("\n")), /no preference pairs \(the file is empty\)/);
  });
});

describe("data/sft-data eval sets", () => {
  const sets = buildEvalSets(headwords, { seed: 1, perTask: 5 });

  it("draws every eval set from held-out words, and the cluster and template split it names", () => {
    // A reversed two-way fact ("frigid → cold" from cold → frigid) is about its answer, the held-out
    // headword, and no SFT knowledge question is answered with that word, so SFT taught the fact in
    // neither direction.
    const sftAnswers = new Set(
      readSftJsonl(path.join(SFT_DIR, "train.jsonl"))
        .filter((r) => r.cluster === "knowledge")
        .flatMap((r) => r.messages.filter((m) => m.role === "assistant").map((m) => m.content.trim())),
    );
    for (const name of EVAL_SET_NAMES) {
      for (const it of sets[name].filter((x) => x.word)) {
        const reversed = name === "knowledge_heldout_words" && !heldoutWords.has(it.word!);
        const about = reversed ? it.answer : it.word!;
        assert.ok(heldoutWords.has(about), `${name}: ${it.word}`);
        if (reversed) assert.ok(!sftAnswers.has(it.answer), `${name}: SFT answers "${it.answer}"`);
      }
    }
    const use = (it: EvalItem) => getTask(it.task).templates[it.template].use ?? "corpus";
    assert.ok(sets.heldin.every((it) => CLUSTER_SPLIT.heldIn.includes(it.cluster) && use(it) === "corpus"));
    assert.ok(
      sets.new_phrasings.every((it) => CLUSTER_SPLIT.heldIn.includes(it.cluster) && use(it) === "heldout"),
    );
    assert.ok(
      sets.heldout_clusters.length > 0 &&
        sets.heldout_clusters.every((it) => CLUSTER_SPLIT.heldOut.includes(it.cluster)),
    );
    const facts = headwords.filter((h) => h.split === "heldout").flatMap((h) => h.facts).length;
    assert.ok(
      sets.knowledge_heldout_words.length > facts &&
        sets.knowledge_heldout_words.every((it) => it.cluster === "knowledge"),
    );
  });

  it("writes files the eval CLI reads, and re-scores responses with the task's checker", () => {
    const f = tmpFile("");
    writeEvalJsonl(f, sets.heldin);
    assert.strictEqual(readPrompts(f).length, sets.heldin.length);
    const back = readEvalJsonl(f);
    assert.deepStrictEqual(back, sets.heldin);
    for (const it of back) assert.ok(checkEvalItem(it, it.answer).correct, `${it.task}: ${it.answer}`);
    const nWords =
      sets.heldin.find((x) => x.task === "n_words") ??
      buildEvalSets(headwords, { seed: 1, perTask: 5 }).heldin.find((x) => x.task === "n_words");
    if (nWords) assert.strictEqual(checkEvalItem(nWords, "no").correct, false);
  });

  it("leaves every eval prompt room for its answer in the 128-token context", () => {
    for (const name of EVAL_SET_NAMES) {
      for (const it of sets[name]) {
        const n = renderChat(tok512, [...it.messages, { role: "assistant", content: it.answer }]).ids.length;
        assert.ok(n <= 128, `${name}/${it.task}: ${n} tokens`);
      }
    }
  });
});

describe("data/sft committed files", () => {
  it("are in the formats their loaders accept, and match the split", () => {
    const train = readSftJsonl(path.join(SFT_DIR, "train.jsonl"));
    assert.ok(train.length >= 1000);
    // The HHH demonstrations are about training hazards and training pseudo-words.
    const world = readWorld();
    const worldTrain = new Set([
      ...world.hazards.filter((h) => h.split === "train").map((h) => h.word),
      ...world.pseudowords.filter((p) => p.split === "train").map((p) => p.word),
    ]);
    for (const r of train) {
      assert.ok(!CLUSTER_SPLIT.heldOut.includes(r.cluster!), `${r.source}: held-out cluster`);
      if (r.word)
        assert.ok(trainWords.has(r.word) || worldTrain.has(r.word), `${r.source}: held-out word ${r.word}`);
    }
    for (const name of EVAL_SET_NAMES)
      assert.ok(readEvalJsonl(path.join(SFT_DIR, `eval_${name}.jsonl`)).length > 0, name);
  });

  it("are what src/cli/build-sft.ts writes (rebuild it after changing a task)", () => {
    // As the CLI: lengths are fitted with the base model's tokenizer when it exists.
    const base = path.join(__dirname, "..", "..", "data", "models", "base", "tokenizer.json");
    const fitTok = fs.existsSync(base) ? BpeTokenizer.load(base) : tok512;
    const want = buildSftDataset({
      seed: 0,
      perTask: 100,
      headwords,
      fit: { tokenizer: fitTok, contextLength: 128 },
      ...quiet,
    });
    const f = tmpFile("");
    writeSftJsonl(f, [...want, ...hhhDemos(readWorld(), 0)]);
    assert.ok(
      fs.readFileSync(f, "utf8") === fs.readFileSync(path.join(SFT_DIR, "train.jsonl"), "utf8"),
      "data/sft/train.jsonl is stale: run npx tsx src/cli/build-sft.ts",
    );
    const sets = buildEvalSets(headwords, { seed: 1, perTask: 20 });
    for (const name of EVAL_SET_NAMES) {
      writeEvalJsonl(f, sets[name]);
      assert.ok(
        fs.readFileSync(f, "utf8") === fs.readFileSync(path.join(SFT_DIR, `eval_${name}.jsonl`), "utf8"),
        `eval_${name}.jsonl is stale`,
      );
    }
  });

  it("has reward-model and RL prompt pools of held-in tasks over train words, as build-sft writes them", () => {
    const heldin = buildEvalSets(headwords, { seed: 1, perTask: 20 }).heldin;
    const pools = buildPreferencePrompts(headwords, { seed: 2, heldin });
    const f = tmpFile("");
    const trainWords = new Set(headwords.filter((h) => h.split === "train").map((h) => h.word));
    for (const name of [...PROMPT_POOL_NAMES, "heldout"] as const) {
      writeEvalJsonl(f, pools[name]);
      assert.ok(
        fs.readFileSync(f, "utf8") === fs.readFileSync(path.join(SFT_DIR, `prompts_${name}.jsonl`), "utf8"),
        `prompts_${name}.jsonl is stale: run npx tsx src/cli/build-sft.ts`,
      );
      if (name === "heldout") continue;
      for (const it of pools[name].filter((x) => x.word))
        assert.ok(trainWords.has(it.word!), `${name}: ${it.word} is not a train word`);
    }
    assert.notDeepEqual(pools.rm.slice(0, 5), pools.policy.slice(0, 5), "the two pools draw different items");
    // The held-out prompts are eval_heldin's, some with a form request; nothing else differs.
    assert.equal(pools.heldout.length, heldin.length);
    const asked = pools.heldout.filter((x, i) => x !== heldin[i]);
    assert.ok(asked.length > 100 && asked.length < 300, `${asked.length} of ${heldin.length} with a request`);
    for (const x of asked) assert.equal(requestedForms(x.messages.at(-1)!.content).length, 1);
    for (const name of PROMPT_POOL_NAMES) {
      const share = pools[name].filter((x) => requestedForms(x.messages.at(-1)!.content).length).length;
      assert.ok(share / pools[name].length > 0.3 && share / pools[name].length < 0.5, `${name}: ${share}`);
    }
  });
});
