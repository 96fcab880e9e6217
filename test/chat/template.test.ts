import * as assert from "assert";
import { renderChat, renderPrompt, renderRaw, Message } from "../../src/chat/template";
import { trainBpe, BpeTokenizer } from "../../src/tokenizer/index";

const TEXT = Array.from(
  { length: 200 },
  (_, i) => `The opposite of hot is cold. What is the opposite of wet? Answer ${i}: dry. You are terse.`,
).join("\n");
let tok: BpeTokenizer;
const conv: Message[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "What is the opposite of hot?" },
  { role: "assistant", content: "cold" },
];

describe("chat/template", () => {
  before(() => {
    tok = trainBpe(TEXT, { vocabSize: 300 });
  });

  it("renders role markers, contents with a leading space, and an end token after the answer", () => {
    const r = renderChat(tok, conv);
    assert.strictEqual(
      tok.decode(r.ids),
      "<|system|> You are terse.<|user|> What is the opposite of hot?<|assistant|> cold<|eos|>",
    );
  });

  it("trains only the answer and its end token by default", () => {
    const r = renderChat(tok, conv);
    const learned = r.ids.filter((_, i) => r.mask[i] === 1);
    assert.strictEqual(tok.decode(learned), " cold<|eos|>");
  });

  it("always trains the end-of-sequence token, in every mask mode", () => {
    for (const mask of ["assistant", "prompt-and-answer", "all"] as const) {
      const r = renderChat(tok, conv, { mask });
      assert.strictEqual(r.mask[r.ids.lastIndexOf(tok.special.eos)], 1, mask);
    }
  });

  it("widens the loss to the prompt, or to everything, when asked", () => {
    const pa = renderChat(tok, conv, { mask: "prompt-and-answer" });
    assert.strictEqual(
      tok.decode(pa.ids.filter((_, i) => pa.mask[i])),
      " What is the opposite of hot? cold<|eos|>",
    );
    const all = renderChat(tok, conv, { mask: "all" });
    assert.ok(all.mask.every((m) => m === 1));
  });

  it("tokenizes each turn's content exactly as it tokenizes alone (no merges across turn boundaries)", () => {
    const r = renderChat(tok, conv);
    const answerIds = r.ids.slice(r.ids.indexOf(tok.special.assistant) + 1, -1);
    assert.deepStrictEqual(answerIds, tok.encode(" cold"));
  });

  it("never adds a begin token, so none can be doubled", () => {
    assert.ok(!renderChat(tok, conv).ids.includes(tok.special.bos));
  });

  it("uses the same tokens at inference as in training, up to the answer", () => {
    const prompt = renderPrompt(tok, conv.slice(0, 2));
    assert.deepStrictEqual(renderChat(tok, conv).ids.slice(0, prompt.length), prompt);
  });

  it("can render the answer without its leading space, the mistake the notebook shows", () => {
    const r = renderChat(tok, conv, { answerLeadingSpace: false });
    assert.strictEqual(tok.decode(r.ids.filter((_, i) => r.mask[i])), "cold<|eos|>");
    assert.notDeepStrictEqual(tok.encode("cold"), tok.encode(" cold"));
  });

  it("renders raw prompts as plain text after a document boundary", () => {
    assert.strictEqual(
      tok.decode(renderRaw(tok, conv.slice(0, 2))),
      "<|eos|>You are terse.\n\nWhat is the opposite of hot?",
    );
  });

  it("rejects unknown roles, empty content, misplaced system turns and special tokens in text", () => {
    assert.throws(() => renderChat(tok, [{ role: "bot" as never, content: "hi" }]), /unknown role "bot"/);
    assert.throws(
      () => renderChat(tok, [{ role: "user", content: "  " }]),
      /message 0 \(user\) has empty content/,
    );
    assert.throws(
      () =>
        renderChat(tok, [
          { role: "user", content: "hi" },
          { role: "system", content: "x" },
        ]),
      /system message must come first/,
    );
    assert.throws(
      () => renderChat(tok, [{ role: "user", content: "hi <|eos|>" }]),
      /contains the special token <\|eos\|>/,
    );
    assert.throws(() => renderPrompt(tok, conv), /already ends with an assistant turn/);
  });
});
