/**
 * Classification: sentiment from a fixed lexicon, topic from a keyword, and
 * whether two words are antonyms or synonyms (which needs the corpus's facts).
 */
import { exactCheck } from "./check";
import { pickDistinct, poolFacts, T } from "./gen";
import type { Task } from "./types";

/** The sentiment lexicon: a sentence's label is the polarity of its lexicon words. */
export const SENTIMENT_LEXICON = {
  positive: ["good", "happy", "nice"],
  negative: ["bad", "sad", "awful"],
} as const;

/** The lexicon as the prompt states it. */
export const LEXICON_TEXT = `Positive: ${SENTIMENT_LEXICON.positive.join(", ")}. Negative: ${SENTIMENT_LEXICON.negative.join(", ")}.`;

const THINGS = ["day", "film", "meal", "trip", "party", "game", "song"];

const sentiment: Task = {
  name: "sentiment",
  cluster: "classification",
  description: `Label "The <thing> was <w1> and <w2>." positive or negative; both words come from one side of the lexicon (${LEXICON_TEXT})`,
  learnable: "format",
  why: "six words map to two labels; SFT examples can teach that mapping",
  generate(rng) {
    const label = rng.random() < 0.5 ? "positive" : "negative";
    const [a, b] = pickDistinct(rng, SENTIMENT_LEXICON[label], 2);
    return {
      input: { sentence: `The ${rng.pick(THINGS)} was ${a} and ${b}.`, lexicon: LEXICON_TEXT },
      answer: label,
    };
  },
  templates: [
    T.imp("{lexicon}\nLabel this sentence: {sentence}"),
    T.q("Is this sentence positive or negative? {sentence}"),
    T.inv("{sentence}\nWas the writer positive or negative?"),
    T.held(T.q("{lexicon}\nDoes this sound positive or negative: {sentence}")),
  ],
  check: exactCheck,
};

/** Topic keywords: a sentence's label is the topic of the one keyword it contains. */
export const TOPIC_KEYWORDS = {
  animals: ["dog", "cat", "horse", "bird", "cow", "fish"],
  food: ["bread", "apple", "cheese", "soup", "rice", "cake"],
  weather: ["rain", "snow", "wind", "storm", "cloud", "fog"],
  sport: ["football", "tennis", "goal", "race", "match", "team"],
} as const;
type Topic = keyof typeof TOPIC_KEYWORDS;
const TOPICS = Object.keys(TOPIC_KEYWORDS) as Topic[];
const FRAMES = [
  "We talked about the {kw} all day.",
  "I read a story about the {kw}.",
  "There was news about the {kw}.",
  "She drew a picture of the {kw}.",
];

const topic: Task = {
  name: "topic",
  cluster: "classification",
  description:
    "Say which of four topics (animals, food, weather, sport) a sentence with one keyword is about.",
  learnable: "format",
  why: "24 keywords map to four labels named in the prompt",
  generate(rng) {
    const label = rng.pick(TOPICS);
    const sentence = rng.pick(FRAMES).replace("{kw}", rng.pick(TOPIC_KEYWORDS[label]));
    return { input: { sentence, options: "animals, food, weather or sport" }, answer: label };
  },
  templates: [
    T.imp("Give the topic of this sentence ({options}): {sentence}"),
    T.q("Is this sentence about {options}? {sentence}"),
    T.inv("{sentence}\nWhich topic is that: {options}?"),
    T.held(T.imp("Sort this sentence into one of {options}: {sentence}")),
  ],
  check: exactCheck,
};

const pairRelation: Task = {
  name: "pair_relation",
  cluster: "classification",
  description: "Say whether two words are antonyms or synonyms (an antonym or synonym fact of the corpus).",
  learnable: "knowledge",
  why: "the label follows from a fact the base model holds; chance is 50 %",
  generate(rng, ctx) {
    const relation = rng.random() < 0.5 ? "antonym" : "synonym";
    const f = rng.pick(poolFacts(ctx, [relation]));
    const accepted = relation === "antonym" ? ["antonym", "opposites"] : ["synonym", "same meaning"];
    return { input: { word: f.word, other: f.answer }, answer: relation + "s", accepted, word: f.word };
  },
  templates: [
    T.q("Are {word} and {other} antonyms or synonyms?"),
    T.imp("Say whether {word} and {other} are antonyms or synonyms."),
    T.inv("{word}, {other}: antonyms or synonyms?"),
    T.held(T.q("Do {word} and {other} mean the same or the opposite? Answer antonyms or synonyms.")),
  ],
  check: exactCheck,
};

/** The classification cluster. */
export const CLASSIFICATION_TASKS: readonly Task[] = [sentiment, topic, pairRelation];
