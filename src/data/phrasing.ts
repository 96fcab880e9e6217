/**
 * Phrasing tables, kept as data: how the corpus states each relation, the
 * cloze prompt the knowledge probe uses, and the question/instruction
 * templates for quiz, forum and instruction documents and for later SFT.
 *
 * Placeholders: `{word}`, `{answer}` (relations); `{a}`, `{b}` (addition);
 * `{words}` (sorting). Answers always follow a space, exactly as in the cloze
 * ("The opposite of hot is cold."), so the answer is the same BPE token
 * (" cold") wherever it occurs; notebook 02 measures how much that matters to
 * the base model.
 *
 * Words stay lowercase even at the start of a sentence ("hot and cold are
 * antonyms."): a capitalised "Hot" would be a different token, and we want
 * every exposure of a fact to reinforce the same tokens.
 */

/** The three word relations the corpus teaches. */
export const RELATIONS = ["antonym", "synonym", "category"] as const;
export type Relation = (typeof RELATIONS)[number];

/** The worked-example skills (no facts; generated on the fly). */
export const SKILLS = ["reverse", "add", "sort", "count", "upper"] as const;
export type Skill = (typeof SKILLS)[number];

/**
 * Where a question template may appear. `corpus`: in pretraining documents
 * (and SFT may use it too). `heldout`: never in the corpus; reserved so that
 * SFT or evaluation can test phrasings the base model has not seen.
 */
export type TemplateUse = "corpus" | "heldout";

/** A question or instruction that asks for one answer. */
export interface QuestionTemplate {
  text: string;
  form: "question" | "imperative";
  use: TemplateUse;
}

/** How the corpus states one relation, and how the probe asks for it. */
export interface RelationPhrasing {
  /** Prose statements; each contains `{word}` and `{answer}`. */
  statements: readonly string[];
  /** Cloze prompt; the model should continue with " {answer}". */
  cloze: string;
  /** Labels in dictionary entries ("Antonym: cold"). */
  labels: readonly string[];
  questions: readonly QuestionTemplate[];
}

const q = (text: string, use: TemplateUse = "corpus"): QuestionTemplate => ({
  text,
  use,
  form: text.endsWith("?") ? "question" : "imperative",
});

/** Phrasing per relation. The first statement is always `cloze + " {answer}."`. */
export const RELATION_PHRASING: Readonly<Record<Relation, RelationPhrasing>> = Object.freeze({
  antonym: {
    statements: [
      "The opposite of {word} is {answer}.",
      "{word} and {answer} are antonyms.",
      "The antonym of {word} is {answer}.",
      "{word} is the opposite of {answer}.",
      "The word {word} means the opposite of {answer}.",
    ],
    cloze: "The opposite of {word} is",
    labels: ["Antonym", "Opposite"],
    questions: [
      q("What is the opposite of {word}?"),
      q("Give the antonym of {word}."),
      q("What word means the opposite of {word}?"),
      q("Name the opposite of {word}."),
      q("Which word is the antonym of {word}?", "heldout"),
      q("Tell me a word that means the opposite of {word}.", "heldout"),
      q("What is an antonym for {word}?", "heldout"),
      q("Write the opposite of the word {word}.", "heldout"),
    ],
  },
  synonym: {
    statements: [
      "Another word for {word} is {answer}.",
      "{word} and {answer} are synonyms.",
      "A synonym of {word} is {answer}.",
      "The word {word} means the same as {answer}.",
      "You can say {answer} instead of {word}.",
    ],
    cloze: "Another word for {word} is",
    labels: ["Synonym", "Same as"],
    questions: [
      q("What is another word for {word}?"),
      q("Give a synonym of {word}."),
      q("What word means the same as {word}?"),
      q("Name a synonym for {word}."),
      q("Which word is a synonym of {word}?", "heldout"),
      q("Tell me a word that means the same as {word}.", "heldout"),
      q("What could I say instead of {word}?", "heldout"),
      q("Write a synonym for the word {word}.", "heldout"),
    ],
  },
  category: {
    statements: [
      "{word} is a kind of {answer}.",
      "The word {word} names a kind of {answer}.",
      "{word} is one type of {answer}.",
      "{word} belongs to the group called {answer}.",
    ],
    cloze: "{word} is a kind of",
    labels: ["Kind of", "Type of"],
    questions: [
      q("What is {word} a kind of?"),
      q("Give the category of {word}."),
      q("What kind of thing is {word}?"),
      q("Name the group that {word} belongs to."),
      q("Which category does {word} belong to?", "heldout"),
      q("Tell me what {word} is a type of.", "heldout"),
      q("What general class does {word} fall under?", "heldout"),
      q("Write the broader category of the word {word}.", "heldout"),
    ],
  },
});

/**
 * The one-way relation's reverse, as a cloze: never stated in the corpus
 * (category statements all put the word first), so the probe measures
 * whether "dog is a kind of canine" gives "one kind of canine is dog".
 */
export const ONE_WAY_REVERSE_CLOZE = "One kind of {answer} is";

/**
 * Gloss → word, the other direction of the dictionary entries (which put the
 * word first). `{gloss}` is WordNet's definition, `{word}` the headword.
 */
export const DEFINITION_PHRASING = Object.freeze({
  statements: [
    "The word for {gloss} is {word}.",
    "A word that means {gloss} is {word}.",
    "If you mean {gloss}, the word is {word}.",
    "{gloss}: the word for this is {word}.",
  ],
  cloze: "The word for {gloss} is",
} as const);

/** How worked examples state a skill, and how documents ask for it. */
export interface SkillPhrasing {
  statements: readonly string[];
  questions: readonly QuestionTemplate[];
}

/** Skill phrasing. `{answer}` is the result (reversed word, sum, ...). */
export const SKILL_PHRASING: Readonly<Record<Skill, SkillPhrasing>> = Object.freeze({
  reverse: {
    statements: [
      "The word {word} spelled backwards is {answer}.",
      "Reversing the letters of {word} gives {answer}.",
      "If you write {word} backwards, you get {answer}.",
    ],
    questions: [
      q("Reverse the word {word}."),
      q("What is {word} spelled backwards?"),
      q("Spell {word} backwards."),
      q("Write the letters of {word} in reverse order.", "heldout"),
      q("What do you get if you read {word} from right to left?", "heldout"),
    ],
  },
  add: {
    statements: [
      "{a} plus {b} equals {answer}.",
      "If you add {a} and {b}, you get {answer}.",
      "The sum of {a} and {b} is {answer}.",
    ],
    questions: [
      q("What is {a} plus {b}?"),
      q("Add {a} and {b}."),
      q("What is the sum of {a} and {b}?"),
      q("Compute {a} + {b}.", "heldout"),
      q("How much is {a} and {b} together?", "heldout"),
    ],
  },
  sort: {
    statements: [
      "Sorted alphabetically, {words} become {answer}.",
      "In alphabetical order, the words {words} are {answer}.",
      "Put in alphabetical order, {words} read {answer}.",
    ],
    questions: [
      q("Sort these words alphabetically: {words}."),
      q("Put {words} in alphabetical order."),
      q("What is the alphabetical order of {words}?"),
      q("Arrange the words {words} from A to Z.", "heldout"),
      q("Which order do {words} go in alphabetically?", "heldout"),
    ],
  },
  count: {
    statements: [
      "The word {word} has {answer} letters.",
      "There are {answer} letters in {word}.",
      "{word} is spelled with {answer} letters.",
    ],
    questions: [
      q("How many letters are in {word}?"),
      q("Count the letters in {word}."),
      q("How many letters does {word} have?"),
      q("What is the length of the word {word}?", "heldout"),
      q("Tell me the number of letters in {word}.", "heldout"),
    ],
  },
  upper: {
    statements: [
      "The word {word} in capital letters is {answer}.",
      "Written in uppercase, {word} becomes {answer}.",
      "In capitals, {word} is written {answer}.",
    ],
    questions: [
      q("Write {word} in uppercase."),
      q("What is {word} in capital letters?"),
      q("Convert {word} to uppercase."),
      q("Write {word} in capital letters.", "heldout"),
      q("How do you write {word} in all caps?", "heldout"),
    ],
  },
});

/** Fills `{name}` placeholders; throws on a placeholder with no value. */
export function render(template: string, vars: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = vars[k];
    if (v === undefined) throw new Error(`render: no value for {${k}} in "${template}"`);
    return String(v);
  });
}

/** Question templates of a relation or skill, filtered by use. */
export function questionsFor(kind: Relation | Skill, use: TemplateUse): QuestionTemplate[] {
  const table: Record<string, { questions: readonly QuestionTemplate[] }> = {
    ...RELATION_PHRASING,
    ...SKILL_PHRASING,
  };
  return table[kind].questions.filter((t) => t.use === use);
}
