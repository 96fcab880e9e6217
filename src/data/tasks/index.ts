/**
 * The task registry: 35 tasks in 12 clusters, each a seeded generator,
 * FLAN-style templates and a checker (see `types.ts`). Import with the
 * explicit `/index` (tslab cannot resolve folder imports):
 *
 * ```ts
 * import { TASKS, getTask, zeroShot } from "../src/data/tasks/index";
 * const t = getTask("antonym");
 * const inst = t.generate(new Rng(0), { headwords });
 * t.check("cold", inst); // { correct: true, score: 1, reason: "exact match" }
 * ```
 */
export * from "./types";
export * from "./registry";
export * from "./render";
export * from "./split";
export * from "./eval-sets";
export { normalise, firstLine, words, wordF1, constraintCheck, C, type Constraint } from "./check";
export { definable, factInstance, definitionInstance } from "./knowledge";
export { pigLatin, caesar, DICTIONARY } from "./translation";
export { SENTIMENT_LEXICON, LEXICON_TEXT, TOPIC_KEYWORDS } from "./classification";
