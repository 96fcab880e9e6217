import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Tokenizer } from "@huggingface/tokenizers";
import { BYTE_SYMBOLS, BpeTokenizer, MIN_VOCAB_SIZE, SPECIAL_TOKENS, trainBpe } from "../src/tokenizer/index";
import { learnMerges } from "../src/tokenizer/merges";
import { preTokenize, splitSpecials } from "../src/tokenizer/pretokenize";

const PARAGRAPH =
  "The cold wind blew over the hill, and the children ran home. It was cold; the snow fell all night. " +
  "She said it's colder than last winter, but we'll be fine. Add 12345 and 678 to get 13023.\n" +
  "Question: what is 7 plus 5? Answer: 12.\tThe answer is short.\n";
const CORPUS = Array.from({ length: 40 }, (_, i) => `${PARAGRAPH}Line ${i} ends here.<|eos|>`);

/** Texts that the training corpus never shows, or shows only in part. */
const HARD_TEXTS = [
  "",
  "naïve café Éric, Ωμέγα, Привет",
  "東京タワー 中文字符",
  "emoji 🙂👍🏽 family 👨‍👩‍👧 flag 🇫🇷",
  "line one\nline two\r\n\ttabbed\n\n\n",
  "   three leading spaces",
  "trailing spaces   ",
  " cold",
  "\u0000\u0001\u007f\ufeff control and BOM",
  "it's they'll I'D we've 'quoted'",
  "x<|eos|>y <|user|> <|eos",
  "2024-01-01 3.14159 ٣ ½ ²",
];

describe("tokenizer", function () {
  const tok = trainBpe(CORPUS, { vocabSize: 320 });

  it("has exactly vocabSize tokens: 6 specials, then the 256 bytes, then merges", function () {
    for (const vocabSize of [MIN_VOCAB_SIZE, 300, 320]) {
      const t = trainBpe(CORPUS, { vocabSize });
      const vocab = t.toJSON().model.vocab;
      assert.strictEqual(t.vocabSize, vocabSize);
      assert.strictEqual(Object.keys(vocab).length, vocabSize);
      assert.deepStrictEqual(
        Object.values(vocab).sort((a, b) => a - b),
        [...Array(vocabSize).keys()],
      );
      assert.strictEqual(vocab[SPECIAL_TOKENS.pad], 0);
      assert.strictEqual(vocab[BYTE_SYMBOLS[0]], 6);
      assert.strictEqual(vocab[BYTE_SYMBOLS[255]], 261);
    }
  });

  it("round-trips any text exactly, including unseen characters, emoji and whitespace", function () {
    for (const text of [...HARD_TEXTS, CORPUS.join("")]) {
      assert.strictEqual(tok.decode(tok.encode(text)), text, JSON.stringify(text));
    }
  });

  it("keeps a word's leading space: a frequent ' cold' is one token", function () {
    const ids = tok.encode(" cold");
    assert.strictEqual(ids.length, 1);
    assert.strictEqual(tok.tokenString(ids[0]), " cold");
  });

  it("gives every digit its own token, however often a number occurs", function () {
    const ids = tok.encode(" 12345");
    assert.deepStrictEqual(
      ids.map((id) => tok.tokenString(id)),
      [" ", "1", "2", "3", "4", "5"],
    );
    const merged = Object.keys(tok.toJSON().model.vocab).filter((t) => t.length > 1 && /[0-9]/.test(t));
    assert.deepStrictEqual(merged, [], "no learned token holds a digit");
  });

  it("maps special-token strings to their ids and never merges them with neighbours", function () {
    assert.deepStrictEqual(tok.special, { pad: 0, bos: 1, eos: 2, system: 3, user: 4, assistant: 5 });
    const ids = tok.encode("<|system|>Be brief.<|user|>hi<|eos|><|assistant|>Hello<|eos|><|pad|><|bos|>");
    for (const name of ["system", "user", "assistant", "eos", "pad", "bos"] as const) {
      assert.ok(ids.includes(tok.special[name]), name);
    }
    assert.deepStrictEqual(tok.encode("x<|eos|>y"), [...tok.encode("x"), 2, ...tok.encode("y")]);
    assert.strictEqual(tok.decode(ids, { skipSpecial: true }), "Be brief.hiHello");
    assert.strictEqual(tok.tokenString(tok.special.eos), "<|eos|>");
  });

  it("does not learn merges from special-token strings in the training text", function () {
    for (let id = MIN_VOCAB_SIZE; id < tok.vocabSize; id++) {
      assert.ok(!/<\||\|>|eos/.test(tok.tokenString(id)), tok.tokenString(id));
    }
  });

  it("encodes exactly as @huggingface/tokenizers does from the same tokenizer.json", function () {
    const hf = new Tokenizer(tok.toJSON(), {});
    for (const text of [...HARD_TEXTS.slice(1), CORPUS.join("")]) {
      assert.deepStrictEqual(tok.encode(text), hf.encode(text).ids, JSON.stringify(text));
    }
  });

  it("pre-tokenizes like the library's pre_tokenizer declared in the JSON", function () {
    const hfPre = new Tokenizer(tok.toJSON(), {}).pre_tokenizer!;
    const toBytes = (s: string) => Array.from(new TextEncoder().encode(s), (b) => BYTE_SYMBOLS[b]).join("");
    for (const text of [...HARD_TEXTS, PARAGRAPH]) {
      const ours = splitSpecials(text)
        .filter((_, i) => i % 2 === 0)
        .flatMap((s) => preTokenize(s).map(toBytes));
      const theirs = splitSpecials(text)
        .filter((_, i) => i % 2 === 0)
        .flatMap((s) => (s ? hfPre.pre_tokenize(s) : []));
      assert.deepStrictEqual(ours, theirs, JSON.stringify(text));
    }
  });

  it("shows tokens readably: bytes decoded, partial characters as <0xNN>", function () {
    assert.strictEqual(tok.tokenString(6 + 0x20), " ");
    assert.strictEqual(tok.tokenString(6 + 0xe2), "<0xE2>");
    assert.strictEqual(tok.decode([]), "");
    assert.throws(() => tok.decode([tok.vocabSize]), /token id 320 is not an integer in 0\.\.319/);
  });

  it("saves and loads to the same ids and the same tokenizer.json", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tok-"));
    const file = path.join(dir, "sub", "tokenizer.json");
    tok.save(file);
    const loaded = BpeTokenizer.load(file);
    assert.deepStrictEqual(loaded.toJSON(), tok.toJSON());
    const text = HARD_TEXTS.join(" ") + CORPUS[0];
    assert.deepStrictEqual(loaded.encode(text), tok.encode(text));
    assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ["tokenizer.json"]);
    fs.rmSync(dir, { recursive: true });
  });

  it("learns the same merges from the same text", function () {
    assert.deepStrictEqual(trainBpe(CORPUS, { vocabSize: 320 }).toJSON(), tok.toJSON());
  });

  it("breaks ties between equally frequent pairs towards older symbols", function () {
    const { merges } = learnMerges(
      new Map([
        ["cd", 3],
        ["ab", 3],
        ["xy", 5],
      ]),
      [..."abcdxy"],
      3,
      1,
    );
    assert.deepStrictEqual(merges, [
      ["x", "y"],
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  describe("errors", function () {
    it("rejects a vocabulary smaller than the byte alphabet plus the special tokens", function () {
      assert.throws(
        () => trainBpe(CORPUS, { vocabSize: 261 }),
        /from 262 to 65536, got 261.*6 special tokens and all 256 bytes/,
      );
      assert.throws(() => trainBpe(CORPUS, { vocabSize: 300.5 }), /vocabSize must be an integer/);
      assert.throws(
        () => trainBpe(CORPUS, { vocabSize: 300, vocab: 1 } as never),
        /unknown option\(s\) vocab/,
      );
    });

    it("rejects empty training text", function () {
      for (const texts of ["", [], ["", "<|eos|>"]]) {
        assert.throws(() => trainBpe(texts, { vocabSize: 300 }), /training text is empty/);
      }
    });

    it("says how many merges a too-small corpus allows", function () {
      assert.throws(
        () => trainBpe("ab ab ab", { vocabSize: 512 }),
        /needs 250 merges, but this text allows only 2 .*vocabSize 264 or less/,
      );
    });

    it("names the file and the problem when loading fails", function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tok-"));
      const file = path.join(dir, "tokenizer.json");
      assert.throws(
        () => BpeTokenizer.load(file),
        (e: Error) => e.message === `Tokenizer file not found: ${file}`,
      );
      fs.writeFileSync(file, "{ not json");
      assert.throws(
        () => BpeTokenizer.load(file),
        (e: Error) => e.message.startsWith(`${file}: not valid JSON`),
      );

      const broken = (edit: (j: any) => void) => {
        const j = tok.toJSON() as any;
        edit(j);
        fs.writeFileSync(file, JSON.stringify(j));
        return () => BpeTokenizer.load(file);
      };
      const expect = (edit: (j: any) => void, what: RegExp) =>
        assert.throws(
          broken(edit),
          (e: Error) => e.message.startsWith(`${file}: `) && what.test(e.message),
          String(what),
        );
      expect((j) => (j.model.type = "WordPiece"), /model.type must be "BPE"/);
      expect(
        (j) => delete j.model.vocab[BYTE_SYMBOLS[200]],
        /has 319 tokens|lacks the symbol for byte 200|not in 0\.\.318/,
      );
      expect(
        (j) =>
          (j.model.vocab = Object.fromEntries(
            Object.entries(j.model.vocab).map(([t, id]) => [t, id === 0 ? 1 : id === 1 ? 0 : id]),
          )),
        /id 0 must be the special token <\|pad\|>/,
      );
      expect((j) => (j.model.merges = [["Ġ", "zz"]]), /merges\[0\] uses "zz"/);
      expect((j) => (j.added_tokens = []), /added_tokens must hold <\|pad\|>/);
      expect(
        (j) => (j.pre_tokenizer = { type: "ByteLevel", add_prefix_space: false }),
        /pre_tokenizer must be/,
      );
      expect((j) => (j.normalizer = { type: "NFC" }), /normalizer must be null/);
      fs.rmSync(dir, { recursive: true });
    });
  });
});
