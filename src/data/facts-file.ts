/**
 * data/wordnet/facts.json: the committed, self-describing list of headwords
 * and facts. The corpus and the probe are built from this file, so nobody
 * downstream needs WordNet installed. Loading validates every field and
 * names the file and field that is wrong.
 */
import * as fs from "fs";
import * as path from "path";
import { Fact, Headword, RELATIONS, allFacts, factStats } from "./facts";
import { POS_NAMES } from "./wordnet";
import { PATHS } from "./paths";

/** Default location of the committed facts file. */
export const FACTS_PATH = PATHS.facts;

/** Contents of facts.json. */
export interface FactsFile {
  source: string;
  license: string;
  generatedBy: string;
  words: number;
  seed: number;
  stats: ReturnType<typeof factStats>;
  headwords: Headword[];
}

/** Header fields: where the data comes from and under which licence. */
export const FACTS_SOURCE =
  "WordNet 3.0, Princeton University (https://wordnet.princeton.edu/), read from the Debian package wordnet-base";
export const FACTS_LICENSE =
  "WordNet 3.0 license (see data/wordnet/LICENSE, which must accompany this file). WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.";

/** Wraps selected headwords with the header. */
export function makeFactsFile(headwords: Headword[], words: number, seed: number): FactsFile {
  return {
    source: FACTS_SOURCE,
    license: FACTS_LICENSE,
    generatedBy: `npx tsx src/cli/build-data.ts --words ${words} --seed ${seed}`,
    words,
    seed,
    stats: factStats(allFacts(headwords)),
    headwords,
  };
}

/** Writes facts.json (pretty enough to diff: one headword per few lines). */
export function writeFactsFile(file: string, data: FactsFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const { headwords, ...header } = data;
  const body = headwords.map((h) => "    " + JSON.stringify(h)).join(",\n");
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, "");
  fs.writeFileSync(file, `${head},\n  "headwords": [\n${body}\n  ]\n}\n`);
}

/** Reads and validates a facts file; errors name the file and the field. */
export function readFactsFile(file: string = FACTS_PATH): FactsFile {
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file}: not found. Rebuild it with \`npx tsx src/cli/build-data.ts --words 200\` (needs wordnet-base).`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return validateFactsFile(raw, file);
}

type Obj = Record<string, unknown>;

function fail(file: string, field: string, msg: string): never {
  throw new Error(`${file}: field ${field}: ${msg}`);
}

function str(o: Obj, k: string, file: string, at: string, allowed?: readonly string[]): string {
  const v = o[k];
  const field = at ? `${at}.${k}` : k;
  if (typeof v !== "string" || v.length === 0)
    fail(file, field, `expected a non-empty string, got ${JSON.stringify(v)}`);
  if (allowed && !allowed.includes(v))
    fail(file, field, `expected one of ${allowed.join("|")}, got ${JSON.stringify(v)}`);
  return v;
}

function obj(v: unknown, file: string, at: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(file, at, "expected an object");
  return v as Obj;
}

function arr(v: unknown, file: string, at: string): unknown[] {
  if (!Array.isArray(v)) fail(file, at, "expected an array");
  return v;
}

const SPLITS = ["train", "heldout"] as const;

function validateFact(v: unknown, file: string, at: string): Fact {
  const o = obj(v, file, at);
  const accepted = arr(o.accepted, file, `${at}.accepted`);
  if (!accepted.every((a) => typeof a === "string"))
    fail(file, `${at}.accepted`, "expected an array of strings");
  return {
    word: str(o, "word", file, at),
    relation: str(o, "relation", file, at, RELATIONS) as Fact["relation"],
    answer: str(o, "answer", file, at),
    accepted: accepted as string[],
    pos: str(o, "pos", file, at, POS_NAMES) as Fact["pos"],
    split: str(o, "split", file, at, SPLITS) as Fact["split"],
  };
}

function validateHeadword(v: unknown, file: string, at: string): Headword {
  const o = obj(v, file, at);
  const h: Headword = {
    word: str(o, "word", file, at),
    pos: str(o, "pos", file, at, POS_NAMES) as Headword["pos"],
    gloss: str(o, "gloss", file, at),
    tagCount: typeof o.tagCount === "number" ? o.tagCount : fail(file, `${at}.tagCount`, "expected a number"),
    split: str(o, "split", file, at, SPLITS) as Headword["split"],
    facts: arr(o.facts, file, `${at}.facts`).map((f, i) => validateFact(f, file, `${at}.facts[${i}]`)),
  };
  if (o.example !== undefined) h.example = str(o, "example", file, at);
  return h;
}

/** Checks a list of headwords (facts.json's, or world.json's groups); errors name `field[i]`. */
export function validateHeadwordList(v: unknown, file: string, field: string): Headword[] {
  return arr(v, file, field).map((h, i) => validateHeadword(h, file, `${field}[${i}]`));
}

/** Checks the shape of parsed facts.json; `file` is only used in messages. */
export function validateFactsFile(raw: unknown, file: string): FactsFile {
  const o = obj(raw, file, "(root)");
  const headwords = validateHeadwordList(o.headwords, file, "headwords");
  if (headwords.length === 0) fail(file, "headwords", "is empty");
  const num = (k: string) =>
    typeof o[k] === "number" ? (o[k] as number) : fail(file, k, "expected a number");
  return {
    source: str(o, "source", file, ""),
    license: str(o, "license", file, ""),
    generatedBy: str(o, "generatedBy", file, ""),
    words: num("words"),
    seed: num("seed"),
    stats: factStats(allFacts(headwords)),
    headwords,
  };
}
