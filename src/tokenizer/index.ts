/**
 * Tokenizer: byte-level BPE with an exact vocabulary size, the chat format's special tokens,
 * and Hugging Face `tokenizer.json` load/save.
 *
 * ```ts
 * const tok = trainBpe(corpus, { vocabSize: 512 });
 * tok.encode(" cold<|eos|>");   // [..., tok.special.eos]
 * tok.save("data/tokenizer.json");
 * const same = BpeTokenizer.load("data/tokenizer.json");
 * ```
 */
export { BpeTokenizer, trainBpe, type BpeTrainOptions, type DecodeOptions } from "./tokenizer";
export {
  BYTE_SYMBOLS,
  MAX_VOCAB_SIZE,
  MIN_VOCAB_SIZE,
  SPECIAL_TOKEN_NAMES,
  SPECIAL_TOKENS,
  type SpecialToken,
  type TokenizerJson,
} from "./format";
