import * as assert from "assert";
import { Message } from "../../src/chat/template";
import { renderExample, stepBatches, toBatch } from "../../src/data/sft-batches";
import type { BpeTokenizer } from "../../src/tokenizer/index";
import { testTokenizer } from "../helpers";

let tok: BpeTokenizer;
const conv = (q: string, a: string): Message[] => [
  { role: "user", content: q },
  { role: "assistant", content: a },
];

describe("data/sft-batches", () => {
  before(() => {
    tok = testTokenizer();
  });

  it("weights exactly the answer and end tokens, shifted to next-token positions", () => {
    const e = renderExample(tok, conv("What is the opposite of hot?", "cold"), 64, "test:1");
    const b = toBatch([e], tok.special.pad);
    const targets = Array.from(b.tokens.slice(1)).filter((_, t) => b.weights[t] === 1);
    assert.strictEqual(tok.decode(targets), " cold<|eos|>");
  });

  it("pads on the right with no loss on padding", () => {
    const short = renderExample(tok, conv("Hot?", "cold"), 64, "a");
    const long = renderExample(tok, conv("What is the opposite of hot?", "cold"), 64, "b");
    const b = toBatch([short, long], tok.special.pad);
    assert.strictEqual(b.T, long.ids.length);
    const row0 = Array.from(b.weights.slice(0, b.T - 1));
    assert.ok(row0.slice(short.ids.length - 1).every((w) => w === 0));
    assert.strictEqual(b.tokens[short.ids.length], tok.special.pad);
  });

  it("refuses a conversation that does not end with the assistant, naming its source", () => {
    assert.throws(
      () => renderExample(tok, [{ role: "user", content: "hi" }], 64, "data.jsonl:7"),
      /data\.jsonl:7: a training conversation must end with an assistant turn/,
    );
  });

  it("refuses an example that would be truncated, rather than cut off its answer", () => {
    assert.throws(
      () => renderExample(tok, conv("What is the opposite of hot? ".repeat(10), "cold"), 32, "data.jsonl:3"),
      /data\.jsonl:3: renders to \d+ tokens but the context is 32; truncating would cut off the answer/,
    );
  });

  it("refuses a dataset smaller than one batch before any step runs", () => {
    const e = renderExample(tok, conv("Hot?", "cold"), 64, "a");
    assert.throws(
      () => stepBatches([e, e], 0, 4, 4, 0, tok.special.pad),
      /has 2 examples, fewer than one batch of 4/,
    );
  });

  it("visits every example once per epoch, in a seeded order, split into micro-batches", () => {
    const exs = Array.from({ length: 8 }, (_, i) =>
      renderExample(tok, conv(`Item ${i}?`, "cold"), 64, `x:${i}`),
    );
    const seen = [0, 1]
      .flatMap((s) => stepBatches(exs, s, 4, 2, 5, tok.special.pad))
      .map((b) => tok.decode(Array.from(b.tokens)));
    assert.strictEqual(seen.length, 4);
    const items = seen.join("|").match(/Item \d/g)!;
    assert.deepStrictEqual(
      [...new Set(items)].sort(),
      Array.from({ length: 8 }, (_, i) => `Item ${i}`),
    );
    assert.deepStrictEqual(
      stepBatches(exs, 1, 4, 2, 5, tok.special.pad),
      stepBatches(exs, 1, 4, 2, 5, tok.special.pad),
    );
  });

  it("sorts a step's examples by length, so each micro-batch pads only to its own longest", () => {
    const exs = [40, 2, 30, 5, 20, 8, 10, 3].map((n, i) =>
      renderExample(tok, conv(`Item ${"x ".repeat(n)}?`, "cold"), 128, `x:${i}`),
    );
    const micro = stepBatches(exs, 0, 8, 2, 0, tok.special.pad);
    const widths = micro.map((b) => b.T);
    assert.deepStrictEqual(
      widths,
      widths.slice().sort((a, b) => a - b),
    );
    const padded = micro.reduce((n, b) => n + b.B * b.T, 0);
    assert.ok(
      padded < 8 * Math.max(...exs.map((e) => e.ids.length)),
      `${padded} token slots, no fewer than one padded batch`,
    );
  });
});
