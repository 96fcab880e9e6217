/**
 * Fast pre-tokenization on raw text, equal to the `tokenizer.json` pre-tokenizer
 * (`PRE_TOKENIZER` in format.ts) up to the byte-level spelling: the tests check that
 * `preTokenize(s)`, spelled in byte symbols, equals `@huggingface/tokenizers`' output for `s`.
 * Working on raw pieces lets training count them and encoding cache them, instead of
 * re-encoding every occurrence of " the" to bytes.
 */
import { SPECIAL_TOKEN_NAMES, SPECIAL_TOKENS } from "./format";

/** Digits(individual_digits: true): runs of non-digits, and each ASCII digit alone. */
const DIGITS = /[^\d]+|\d/gu;
/** GPT-2's pattern, as in the ByteLevel pre-tokenizer with use_regex: words keep their leading space. */
const GPT2 = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
/** One capture group, so `split` keeps the special tokens between the plain sections. */
const SPECIAL_SPLIT = new RegExp(
  `(${SPECIAL_TOKEN_NAMES.map((n) => SPECIAL_TOKENS[n].replace(/[|\\^$.*+?()[\]{}-]/g, "\\$&")).join("|")})`,
  "g",
);

/**
 * Splits `text` around special-token strings: even indices are plain text (maybe empty),
 * odd indices are special-token strings.
 */
export function splitSpecials(text: string): string[] {
  return text.split(SPECIAL_SPLIT);
}

/** The pre-tokens of plain text (no special tokens), as raw substrings that concatenate to `text`. */
export function preTokenize(text: string): string[] {
  const pieces: string[] = [];
  for (const run of text.match(DIGITS) ?? []) {
    if (run.length === 1 && run >= "0" && run <= "9") pieces.push(run);
    else for (const piece of run.match(GPT2) ?? []) pieces.push(piece);
  }
  return pieces;
}
