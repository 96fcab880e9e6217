/**
 * Translation, deterministic: pig latin, a one-letter Caesar shift (ROT-1),
 * and word-for-word translation with a tiny dictionary stated in the prompt.
 */
import { exactCheck } from "./check";
import { poolWords, T } from "./gen";
import type { Task } from "./types";

const VOWELS = "aeiou";

/**
 * Pig latin, the simple rule: a word that starts with a vowel gets "way";
 * otherwise its leading consonants (up to the first vowel, or a "y" after
 * the first letter) move to the end, followed by "ay": "string" → "ingstray".
 */
export function pigLatin(word: string): string {
  if (VOWELS.includes(word[0])) return word + "way";
  let i = 1;
  while (i < word.length && !VOWELS.includes(word[i]) && word[i] !== "y") i++;
  return word.slice(i) + word.slice(0, i) + "ay";
}

/** Shift every letter forward by `k` places in the alphabet (z wraps to a). */
export function caesar(word: string, k = 1): string {
  return word.replace(/[a-z]/g, (ch) => String.fromCharCode(((ch.charCodeAt(0) - 97 + k) % 26) + 97));
}

/** English → a toy Spanish, adjectives and nouns (ASCII only, for the tokenizer). */
export const DICTIONARY = {
  adjectives: { big: "grande", small: "chico", red: "rojo", green: "verde", old: "viejo", new: "nuevo" },
  nouns: { cat: "gato", dog: "perro", house: "casa", book: "libro", car: "coche", tree: "arbol" },
} as const;

const pig: Task = {
  name: "pig_latin",
  cluster: "translation",
  description:
    'Translate one word into pig latin (leading consonants to the end, then "ay"; vowel-initial words add "way").',
  learnable: "unlikely",
  why: "needs the letters inside BPE tokens and moving them; the experiment's letter tasks stayed at 0 %",
  generate(rng, ctx) {
    const word = rng.pick(poolWords(ctx));
    return { input: { word }, answer: pigLatin(word), word };
  },
  templates: [
    T.imp("Translate {word} into pig latin."),
    T.q("What is {word} in pig latin?"),
    T.inv("{word}\nWrite this word in pig latin."),
    T.held(T.q("How would you say {word} in pig latin?")),
  ],
  check: exactCheck,
};

const rot1: Task = {
  name: "caesar_cipher",
  cluster: "translation",
  description: "Encode one word with a Caesar shift of one (a→b, …, z→a).",
  learnable: "unlikely",
  why: "a per-letter mapping the model cannot see through BPE tokens",
  generate(rng, ctx) {
    const word = rng.pick(poolWords(ctx));
    return { input: { word }, answer: caesar(word), word };
  },
  templates: [
    T.imp("Shift each letter of {word} forward by one (a becomes b)."),
    T.q("What is {word} in a Caesar cipher with a shift of one?"),
    T.inv("{word}\nEncode this word by moving every letter one place later in the alphabet."),
    T.held(T.imp("Apply ROT-1 to the word {word}.")),
  ],
  check: exactCheck,
};

const ADJ = Object.keys(DICTIONARY.adjectives) as (keyof typeof DICTIONARY.adjectives)[];
const NOUN = Object.keys(DICTIONARY.nouns) as (keyof typeof DICTIONARY.nouns)[];

const dictionary: Task = {
  name: "dictionary_translate",
  cluster: "translation",
  description:
    "Translate a two-word phrase word for word, keeping the order, with the dictionary entries given in the prompt (one is a distractor).",
  learnable: "format",
  why: 'a lookup in the prompt: copy the word after each "="',
  generate(rng) {
    const adj = rng.pick(ADJ),
      noun = rng.pick(NOUN);
    const distractor = rng.pick(NOUN.filter((n) => n !== noun));
    const entries = rng.shuffle<[string, string]>([
      [adj, DICTIONARY.adjectives[adj]],
      [noun, DICTIONARY.nouns[noun]],
      [distractor, DICTIONARY.nouns[distractor]],
    ]);
    return {
      input: { dictionary: entries.map(([en, es]) => `${en} = ${es}`).join(", "), phrase: `${adj} ${noun}` },
      answer: `${DICTIONARY.adjectives[adj]} ${DICTIONARY.nouns[noun]}`,
    };
  },
  templates: [
    T.imp("Dictionary: {dictionary}.\nTranslate word for word: {phrase}"),
    T.q('Using {dictionary}, what is "{phrase}" word for word?'),
    T.inv("{phrase}\nTranslate each word with this dictionary: {dictionary}."),
    T.held(T.imp('With the word list {dictionary}, render "{phrase}" one word at a time.')),
  ],
  check: exactCheck,
};

/** The translation cluster. */
export const TRANSLATION_TASKS: readonly Task[] = [pig, rot1, dictionary];
