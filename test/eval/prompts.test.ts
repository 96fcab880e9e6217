import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readFactsFile } from "../../src/data/facts-file";
import { readPrompts, writePrompts } from "../../src/data/tasks/jsonl";
import { factPrompts, skillPrompts, styled } from "../../src/eval/prompts";

const tmpFile = (text: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tl-prompts-")), "p.jsonl");
  fs.writeFileSync(f, text);
  return f;
};

describe("eval/prompts", () => {
  const { headwords } = readFactsFile();

  it("reads the chat format with optional answer, accepted and task, and system turns", () => {
    const f = tmpFile(
      '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi?"}],"answer":"hello","task":"greet"}\n\n{"messages":[{"role":"user","content":"Yo"}]}\n',
    );
    const items = readPrompts(f);
    assert.strictEqual(items.length, 2);
    assert.strictEqual(items[0].answer, "hello");
  });

  it("lists every bad line with its number and what is wrong", () => {
    const f = tmpFile(
      '{"messages":[{"role":"user","content":"ok"}]}\nnot json\n{"messages":[{"role":"robot","content":"x"}]}\n{"messages":[{"role":"user","content":""}]}\n{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}\n',
    );
    assert.throws(
      () => readPrompts(f),
      (e: Error) =>
        /4 bad line\(s\)/.test(e.message) &&
        e.message.includes(`${f}:2:`) &&
        /:3: messages\[0\]\.role must be one of system, user, assistant, got "robot"/.test(e.message) &&
        /:4: .*empty content/.test(e.message) &&
        /:5: the last message must be the user's request/.test(e.message),
    );
  });

  it("names a missing or empty file", () => {
    assert.throws(() => readPrompts("/nonexistent.jsonl"), /prompts file not found: \/nonexistent.jsonl/);
    assert.throws(() => readPrompts(tmpFile("\n")), /no prompts \(the file is empty\)/);
  });

  it("round-trips through writePrompts", () => {
    const items = skillPrompts(headwords, { perSkill: 2, use: "corpus", seed: 0 });
    const f = tmpFile("");
    writePrompts(f, items);
    assert.deepStrictEqual(readPrompts(f), items);
  });

  it("asks about held-out words only, deterministically", () => {
    const a = factPrompts(headwords, { split: "heldout", use: "corpus", seed: 1 });
    const heldout = new Set(headwords.filter((h) => h.split === "heldout").map((h) => h.word));
    assert.ok(a.every((p) => [...heldout].some((w) => p.messages[0].content.includes(w))));
    assert.deepStrictEqual(a, factPrompts(headwords, { split: "heldout", use: "corpus", seed: 1 }));
  });

  it("builds few-shot prompts from k demos of the same task, never the item itself", () => {
    const demos = factPrompts(headwords, { split: "train", use: "corpus", seed: 3 });
    const item = factPrompts(headwords, { split: "heldout", use: "corpus", seed: 1 }).find(
      (p) => p.task === "antonym",
    )!;
    const text = styled(item, "few-shot-3", demos).messages[0].content;
    assert.strictEqual(text.split("Q: ").length - 1, 4);
    assert.ok(text.endsWith(`Q: ${item.messages[0].content}\nA:`));
    assert.strictEqual(styled(item, "qa", demos).messages[0].content, `Q: ${item.messages[0].content}\nA:`);
  });
});
