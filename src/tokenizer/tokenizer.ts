/**
 * Byte-level BPE as in GPT-2 (Radford et al. 2019): text becomes UTF-8 bytes, so any string
 * round-trips and nothing is ever "unknown". Departures from GPT-2: every digit is its own
 * pre-token (arithmetic needs `1`,`2`,`3`, not `123`), and the chat format's special tokens
 * take ids 0..5.
 *
 * Encoding and decoding run in `@huggingface/tokenizers` (pure JS) from the same
 * `tokenizer.json` that Python's `tokenizers` reads; training is our own (`merges.ts`), because
 * no JS package can train. Both find pre-tokens with `pretokenize.ts` (tested equal to the
 * library's pre-tokenizer), so the pieces merged in training are the pieces encoded later.
 * Training spells each distinct piece in bytes with the library's pre-tokenizer, built from
 * the very JSON we write; `encode` asks the library once per distinct piece and caches the ids
 * (5 MB: about 0.5 s warm instead of about 10 s through the library's own `encode`).
 */
import * as fs from "fs";
import * as path from "path";
import { Tokenizer } from "@huggingface/tokenizers";
import { learnMerges } from "./merges";
import { preTokenize, splitSpecials } from "./pretokenize";
import {
  BYTE_SYMBOLS,
  MAX_VOCAB_SIZE,
  MIN_VOCAB_SIZE,
  SPECIAL_TOKEN_NAMES,
  SPECIAL_TOKENS,
  type SpecialToken,
  type TokenizerJson,
  buildTokenizerJson,
  parseTokenizerJson,
  stringifyTokenizerJson,
} from "./format";

/** Options of {@link trainBpe}. */
export interface BpeTrainOptions {
  /** Exact size of the vocabulary, special tokens and the 256 bytes included: 262..65536 (this project uses 512..4096). */
  vocabSize: number;
  /** A pair must occur at least this often (counted over the whole corpus) to be merged. Default 2. */
  minFrequency?: number;
}

/** Options of {@link BpeTokenizer.decode}. */
export interface DecodeOptions {
  /** Leave special tokens (`<|eos|>` …) out of the text. Default false. */
  skipSpecial?: boolean;
}

/** Distinct pre-tokens remembered by `encode` (a few MB); English text needs far fewer. */
const PIECE_CACHE_LIMIT = 200_000;
const BYTE_OF = new Map(BYTE_SYMBOLS.map((s, b) => [s, b]));

/**
 * Trains a byte-level BPE tokenizer whose vocabulary has exactly `opts.vocabSize` tokens:
 * ids 0..5 are the special tokens, 6..261 the 256 bytes, then one token per learned merge.
 * Special-token strings inside `texts` are cut out and not learned from. Deterministic: the
 * same texts give the same tokenizer.
 *
 * @param texts the corpus: one string, or many (documents, lines); merges never cross them.
 * @throws if `vocabSize` is out of range, the text is empty, or the text has too few distinct
 *   pairs to reach `vocabSize` (the message says how many tokens it could reach).
 */
export function trainBpe(texts: string | Iterable<string>, opts: BpeTrainOptions): BpeTokenizer {
  const { vocabSize, minFrequency } = resolveTrainOptions(opts);
  const preTokenizer = new Tokenizer(buildTokenizerJson(baseTokens(), []), {}).pre_tokenizer;
  if (preTokenizer === null) throw new Error("trainBpe: the tokenizer.json has no pre_tokenizer");

  const pieceCounts = new Map<string, number>();
  for (const text of typeof texts === "string" ? [texts] : texts) {
    if (typeof text !== "string") throw new TypeError(`trainBpe: texts must be strings, got ${typeof text}`);
    const sections = splitSpecials(text);
    for (let i = 0; i < sections.length; i += 2) {
      for (const piece of preTokenize(sections[i])) pieceCounts.set(piece, (pieceCounts.get(piece) ?? 0) + 1);
    }
  }
  // Spell each distinct piece in byte symbols with the pre-tokenizer that the JSON declares.
  const wordCounts = new Map<string, number>();
  for (const [piece, count] of pieceCounts) {
    for (const word of preTokenizer.pre_tokenize(piece))
      wordCounts.set(word, (wordCounts.get(word) ?? 0) + count);
  }
  if (wordCounts.size === 0)
    throw new Error("trainBpe: the training text is empty (nothing left once special tokens are removed)");

  const wanted = vocabSize - MIN_VOCAB_SIZE;
  const { merges, newSymbols } = learnMerges(wordCounts, BYTE_SYMBOLS, wanted, minFrequency);
  if (newSymbols.length < wanted) {
    throw new Error(
      `trainBpe: vocabSize ${vocabSize} needs ${wanted} merges, but this text allows only ${newSymbols.length} ` +
        `(pairs seen at least ${minFrequency} times). Train on more text, lower minFrequency, ` +
        `or ask for vocabSize ${MIN_VOCAB_SIZE + newSymbols.length} or less.`,
    );
  }
  return BpeTokenizer.fromJSON(buildTokenizerJson([...baseTokens(), ...newSymbols], merges), "trainBpe");
}

function resolveTrainOptions(opts: BpeTrainOptions): Required<BpeTrainOptions> {
  const unknown = Object.keys(opts).filter((k) => k !== "vocabSize" && k !== "minFrequency");
  if (unknown.length > 0)
    throw new Error(`trainBpe: unknown option(s) ${unknown.join(", ")}; known: vocabSize, minFrequency`);
  const { vocabSize, minFrequency = 2 } = opts;
  if (!Number.isInteger(vocabSize) || vocabSize < MIN_VOCAB_SIZE || vocabSize > MAX_VOCAB_SIZE) {
    throw new Error(
      `trainBpe: vocabSize must be an integer from ${MIN_VOCAB_SIZE} to ${MAX_VOCAB_SIZE}, got ${vocabSize}. ` +
        `The vocabulary always holds the ${SPECIAL_TOKEN_NAMES.length} special tokens and all 256 bytes, ` +
        `so ${MIN_VOCAB_SIZE} is the minimum (no merges).`,
    );
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 1) {
    throw new Error(`trainBpe: minFrequency must be an integer ≥ 1, got ${minFrequency}`);
  }
  return { vocabSize, minFrequency };
}

function baseTokens(): string[] {
  return [...SPECIAL_TOKEN_NAMES.map((n) => SPECIAL_TOKENS[n]), ...BYTE_SYMBOLS];
}

/**
 * A trained byte-level BPE tokenizer. Make one with {@link trainBpe},
 * {@link BpeTokenizer.load} or {@link BpeTokenizer.fromJSON}.
 */
export class BpeTokenizer {
  /** Number of token ids: every id is in `0 .. vocabSize - 1`. */
  readonly vocabSize: number;
  /** Id of each special token, e.g. `special.eos === 2`. */
  readonly special: Readonly<Record<SpecialToken, number>>;
  /** The learned merges in rank order, in the byte-level spelling of `tokenizer.json` (`Ġ` is a space). */
  readonly merges: ReadonlyArray<readonly [string, string]>;

  private readonly tokens: readonly string[];
  private readonly hf: Tokenizer;
  private readonly cache = new Map<string, readonly number[]>(); // pre-token → ids

  private constructor(tokens: string[], merges: [string, string][]) {
    this.tokens = tokens;
    this.merges = merges;
    this.vocabSize = tokens.length;
    this.special = Object.freeze(
      Object.fromEntries(SPECIAL_TOKEN_NAMES.map((n, id) => [n, id])) as Record<SpecialToken, number>,
    );
    // clean_up_tokenization_spaces would turn " ." into "." when decoding: not lossless.
    this.hf = new Tokenizer(buildTokenizerJson(tokens, merges), { clean_up_tokenization_spaces: false });
  }

  /**
   * Token ids of `text`. Special-token strings in the text (e.g. `"<|eos|>"`) become their
   * special ids, as in Hugging Face tokenizers; no tokens are added at the start or end.
   * Lone UTF-16 surrogates (not valid Unicode) are encoded as U+FFFD.
   */
  encode(text: string): number[] {
    if (typeof text !== "string") throw new TypeError(`encode: expected a string, got ${typeof text}`);
    const ids: number[] = [];
    const sections = splitSpecials(text);
    for (let i = 0; i < sections.length; i++) {
      if (i % 2 === 1) {
        ids.push(this.tokens.indexOf(sections[i])); // a special token: ids 0..5
        continue;
      }
      for (const piece of preTokenize(sections[i])) {
        for (const id of this.pieceIds(piece)) ids.push(id);
      }
    }
    return ids;
  }

  /** Ids of one pre-token, from the library on first sight and from the cache after that. */
  private pieceIds(piece: string): readonly number[] {
    let ids = this.cache.get(piece);
    if (ids === undefined) {
      ids = this.hf.encode(piece).ids;
      if (this.cache.size >= PIECE_CACHE_LIMIT) this.cache.clear();
      this.cache.set(piece, ids);
    }
    return ids;
  }

  /**
   * The text of `ids`. Decoding all ids of `encode(text)` gives back `text` exactly; a slice
   * that cuts a multi-byte character shows it as U+FFFD.
   */
  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    for (const id of ids) this.checkId(id, "decode");
    if (ids.length === 0) return ""; // the library throws on an empty list
    return this.hf.decode(ids.slice(), {
      skip_special_tokens: opts.skipSpecial ?? false,
      clean_up_tokenization_spaces: false,
    });
  }

  /**
   * The text of one token, for display: `" cold"` for the vocabulary entry `Ġcold`, the
   * special string for a special token, and `<0xE2>` for a byte that is part of a
   * multi-byte character the token holds only partly.
   */
  tokenString(id: number): string {
    this.checkId(id, "tokenString");
    if (id < SPECIAL_TOKEN_NAMES.length) return this.tokens[id];
    const bytes = Uint8Array.from(this.tokens[id], (ch) => BYTE_OF.get(ch) as number);
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return Array.from(bytes, (b) =>
        b < 0x80 ? String.fromCharCode(b) : `<0x${b.toString(16).toUpperCase()}>`,
      ).join("");
    }
  }

  /** The Hugging Face `tokenizer.json` object (a fresh copy). */
  toJSON(): TokenizerJson {
    return buildTokenizerJson(this.tokens, this.merges);
  }

  /** Writes `tokenizer.json` to `file` atomically (a temporary file, then a rename), creating its folder. */
  save(file: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, stringifyTokenizerJson(this.toJSON()));
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }

  /**
   * A tokenizer from a parsed `tokenizer.json` object. Only its vocabulary and merges are
   * kept; {@link BpeTokenizer.toJSON} writes everything else in this project's canonical form.
   * @param source names the object in error messages (e.g. its file path).
   * @throws if the object is not a byte-level BPE `tokenizer.json` with this project's special
   *   tokens, pre-tokenizer and decoder; the message says what differs.
   */
  static fromJSON(obj: unknown, source = "tokenizer JSON"): BpeTokenizer {
    const { tokens, merges } = parseTokenizerJson(obj, source);
    return new BpeTokenizer(tokens, merges);
  }

  /**
   * Reads a `tokenizer.json` written by {@link BpeTokenizer.save} (or by Python `tokenizers`,
   * if it has this project's layout).
   * @throws naming `file` if it is missing, not JSON, or not this project's layout.
   */
  static load(file: string): BpeTokenizer {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(
        code === "ENOENT"
          ? `Tokenizer file not found: ${file}`
          : `Cannot read tokenizer file ${file}: ${(e as Error).message}`,
      );
    }
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
    }
    return BpeTokenizer.fromJSON(obj, file);
  }

  private checkId(id: number, where: string): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`${where}: token id ${id} is not an integer in 0..${this.vocabSize - 1}`);
    }
  }
}
