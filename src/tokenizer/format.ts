/**
 * The Hugging Face `tokenizer.json` layout this project writes and accepts: a byte-level BPE
 * model (as GPT-2's), its pre-tokenizer and decoder, and the chat format's special tokens.
 * Files written here load in Python with `tokenizers.Tokenizer.from_file`.
 */

/**
 * The special tokens of the chat format, by name. `eos` also ends each document in
 * pretraining, as GPT-2's `<|endoftext|>` does. Their ids are 0..5 in this order.
 */
export const SPECIAL_TOKENS = {
  pad: "<|pad|>",
  bos: "<|bos|>",
  eos: "<|eos|>",
  system: "<|system|>",
  user: "<|user|>",
  assistant: "<|assistant|>",
} as const;

/** The name of a special token: `"pad" | "bos" | "eos" | "system" | "user" | "assistant"`. */
export type SpecialToken = keyof typeof SPECIAL_TOKENS;

/** Special token names in id order (`pad` is id 0). */
export const SPECIAL_TOKEN_NAMES = Object.keys(SPECIAL_TOKENS) as SpecialToken[];

/**
 * GPT-2's `bytes_to_unicode` table: `BYTE_SYMBOLS[b]` is the printable character that stands
 * for byte `b` inside vocabulary strings (space is `Ġ`, newline is `Ċ`, printable ASCII is itself).
 */
export const BYTE_SYMBOLS: readonly string[] = (() => {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) table.push(String.fromCharCode(printable(b) ? b : next++));
  return table;
})();

/** The smallest vocabulary: the special tokens plus one token per byte, before any merge. */
export const MIN_VOCAB_SIZE = SPECIAL_TOKEN_NAMES.length + 256;
/** The largest vocabulary this project accepts. */
export const MAX_VOCAB_SIZE = 65536;

/** GPT-2 pre-tokenization (words keep their leading space), after splitting off each digit. */
export const PRE_TOKENIZER = {
  type: "Sequence",
  pretokenizers: [
    { type: "Digits", individual_digits: true },
    { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
  ],
} as const;

const DECODER = { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true } as const;

/** One entry of `added_tokens` in `tokenizer.json`. */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** The `tokenizer.json` this project reads and writes (a subset of the Hugging Face format). */
export interface TokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: AddedTokenJson[];
  normalizer: null;
  pre_tokenizer: typeof PRE_TOKENIZER;
  post_processor: null;
  decoder: typeof DECODER;
  model: {
    type: "BPE";
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: [string, string][];
  };
}

/** Builds the canonical `tokenizer.json` object; `tokens[i]` is the string of id `i`. */
export function buildTokenizerJson(
  tokens: readonly string[],
  merges: readonly (readonly [string, string])[],
): TokenizerJson {
  const vocab: Record<string, number> = Object.create(null);
  tokens.forEach((t, id) => (vocab[t] = id));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKEN_NAMES.map((name, id) => ({
      id,
      content: SPECIAL_TOKENS[name],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: PRE_TOKENIZER,
    post_processor: null,
    decoder: DECODER,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([l, r]) => [l, r]),
    },
  };
}

/**
 * Checks that `obj` is a `tokenizer.json` of this project's shape and returns its vocabulary
 * (token strings by id) and merges. Throws an error that starts with `source` and says what
 * is wrong.
 */
export function parseTokenizerJson(
  obj: unknown,
  source: string,
): { tokens: string[]; merges: [string, string][] } {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (!isRecord(obj)) return fail("not a tokenizer.json object");
  const model = obj.model;
  if (!isRecord(model) || model.type !== "BPE")
    return fail(`model.type must be "BPE", got ${show(isRecord(model) ? model.type : model)}`);
  const vocab = model.vocab;
  if (!isRecord(vocab)) return fail("model.vocab must be an object of token → id");

  const entries = Object.entries(vocab);
  if (entries.length < MIN_VOCAB_SIZE || entries.length > MAX_VOCAB_SIZE) {
    fail(`model.vocab has ${entries.length} tokens; expected ${MIN_VOCAB_SIZE} to ${MAX_VOCAB_SIZE}`);
  }
  const tokens: string[] = new Array(entries.length);
  for (const [token, id] of entries) {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= entries.length) {
      fail(`model.vocab id ${show(id)} of ${show(token)} is not in 0..${entries.length - 1}`);
    }
    if (tokens[id as number] !== undefined) fail(`model.vocab id ${id} is used twice`);
    tokens[id as number] = token;
  }
  SPECIAL_TOKEN_NAMES.forEach((name, id) => {
    if (tokens[id] !== SPECIAL_TOKENS[name])
      fail(`id ${id} must be the special token ${SPECIAL_TOKENS[name]}, got ${show(tokens[id])}`);
  });
  const missing = BYTE_SYMBOLS.findIndex((s) => !Object.hasOwn(vocab, s));
  if (missing >= 0)
    fail(`model.vocab lacks the symbol for byte ${missing}, so some text could not be encoded`);

  if (!Array.isArray(model.merges)) return fail("model.merges must be an array");
  const merges = model.merges.map((m, rank): [string, string] => {
    const pair = typeof m === "string" ? m.split(" ") : m;
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== "string" ||
      typeof pair[1] !== "string"
    ) {
      return fail(`model.merges[${rank}] is not a pair of tokens: ${show(m)}`);
    }
    for (const token of [pair[0], pair[1], pair[0] + pair[1]]) {
      if (!Object.hasOwn(vocab, token))
        fail(`model.merges[${rank}] uses ${show(token)}, which is not in model.vocab`);
    }
    return [pair[0], pair[1]];
  });

  const added = Array.isArray(obj.added_tokens) ? obj.added_tokens : [];
  SPECIAL_TOKEN_NAMES.forEach((name, id) => {
    const entry = added.find((t) => isRecord(t) && t.content === SPECIAL_TOKENS[name]);
    if (!isRecord(entry) || entry.id !== id || entry.special !== true) {
      fail(`added_tokens must hold ${SPECIAL_TOKENS[name]} with id ${id} and special: true`);
    }
  });
  if (!samePreTokenizer(obj.pre_tokenizer)) {
    fail(
      `pre_tokenizer must be ${JSON.stringify(PRE_TOKENIZER)} (digits split, GPT-2 regex), got ${show(obj.pre_tokenizer)}`,
    );
  }
  if (!isRecord(obj.decoder) || obj.decoder.type !== "ByteLevel")
    fail(`decoder must be ByteLevel, got ${show(obj.decoder)}`);
  if (obj.normalizer != null)
    fail(`normalizer must be null (text is tokenized as is), got ${show(obj.normalizer)}`);
  if (
    obj.post_processor != null &&
    !(isRecord(obj.post_processor) && obj.post_processor.type === "ByteLevel")
  ) {
    fail(`post_processor must be null (no tokens are added automatically), got ${show(obj.post_processor)}`);
  }
  return { tokens, merges };
}

function samePreTokenizer(p: unknown): boolean {
  if (
    !isRecord(p) ||
    p.type !== "Sequence" ||
    !Array.isArray(p.pretokenizers) ||
    p.pretokenizers.length !== 2
  )
    return false;
  const [digits, byteLevel] = p.pretokenizers as unknown[];
  return (
    isRecord(digits) &&
    digits.type === "Digits" &&
    digits.individual_digits === true &&
    isRecord(byteLevel) &&
    byteLevel.type === "ByteLevel" &&
    !byteLevel.add_prefix_space &&
    byteLevel.use_regex !== false
  );
}

/**
 * Writes `json` as text with each vocabulary entry and merge on its own line, the vocabulary in
 * id order (plain `JSON.stringify` would list digit-named tokens such as `"7"` first).
 */
export function stringifyTokenizerJson(json: TokenizerJson): string {
  const { vocab, merges, ...modelRest } = json.model;
  const ids = Object.entries(vocab).sort((a, b) => a[1] - b[1]);
  const vocabText = `{\n${ids.map(([t, id]) => `      ${JSON.stringify(t)}: ${id}`).join(",\n")}\n    }`;
  const mergesText =
    merges.length === 0 ? "[]" : `[\n${merges.map((m) => `      ${JSON.stringify(m)}`).join(",\n")}\n    ]`;
  const skeleton = { ...json, model: { ...modelRest, vocab: "@VOCAB@", merges: "@MERGES@" } };
  return (
    JSON.stringify(skeleton, null, 2)
      .replace('"@VOCAB@"', () => vocabText)
      .replace('"@MERGES@"', () => mergesText) + "\n"
  );
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function show(x: unknown): string {
  const text = JSON.stringify(x) ?? String(x);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
