import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  CORPUS_FILES,
  DEFAULT_MIXTURE,
  DocKind,
  buildCorpus,
  ensureCorpus,
  iterateCorpus,
  readCorpus,
  writeCorpus,
} from "../../src/data/corpus";
import {
  QuestionTemplate,
  RELATIONS,
  RELATION_PHRASING,
  SKILLS,
  SKILL_PHRASING,
  DEFINITION_PHRASING,
  ONE_WAY_REVERSE_CLOZE,
  render,
  statedFacts,
} from "../../src/data/facts";
import { readFactsFile } from "../../src/data/facts-file";

const { headwords } = readFactsFile();
const facts = statedFacts(headwords);

/** A regex matching any rendering of a template (placeholders as wildcards). */
function templateRegex(t: string, anchored: boolean): RegExp {
  const esc = t.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  const body = esc
    .replace(/\{(word|answer)\}/g, "[a-z]+")
    .replace(/\{(a|b)\}/g, "\\d+")
    .replace(/\{words\}/g, "[a-z]+(?:, [a-z]+)+");
  return new RegExp(anchored ? `^${body}$` : body);
}

const allQuestions: QuestionTemplate[] = [
  ...RELATIONS.flatMap((r) => RELATION_PHRASING[r].questions),
  ...SKILLS.flatMap((s) => SKILL_PHRASING[s].questions),
];
const corpusQuestionRes = allQuestions
  .filter((t) => t.use === "corpus")
  .map((t) => templateRegex(t.text, true));

describe("data/corpus", () => {
  const docs = Array.from(iterateCorpus(headwords, { seed: 1, documents: 4000 }));
  const byKind = (k: DocKind) => docs.filter((d) => d.kind === k).map((d) => d.text);

  it("is deterministic per seed", () => {
    const a = buildCorpus(headwords, { seed: 7, documents: 300 });
    assert.deepEqual(a, buildCorpus(headwords, { seed: 7, documents: 300 }));
    assert.notDeepEqual(a, buildCorpus(headwords, { seed: 8, documents: 300 }));
  });

  it("respects the mixture shares", () => {
    for (const [k, share] of Object.entries(DEFAULT_MIXTURE)) {
      const got = byKind(k as DocKind).length / docs.length;
      assert.ok(Math.abs(got - share) < 0.025, `${k}: ${got} vs ${share}`);
    }
    const onlyQuiz = buildCorpus(headwords, {
      seed: 1,
      documents: 50,
      mixture: { ...zeroMixture(), quiz: 1 },
    });
    assert.ok(onlyQuiz.every((d) => /^\d+\. /m.test(d)));
  });

  it("stops at targetChars", () => {
    const d = buildCorpus(headwords, { seed: 2, targetChars: 20_000 });
    const chars = d.reduce((n, s) => n + s.length, 0);
    assert.ok(chars >= 20_000 && chars - d[d.length - 1].length < 20_000);
  });

  it("contains no chat special tokens", () => {
    assert.ok(docs.every((d) => !d.text.includes("<|") && d.text.trim() === d.text && d.text.length > 0));
  });

  it("quiz sheets have numbered questions and no answers", () => {
    for (const q of byKind("quiz")) {
      const numbered = q.split("\n").filter((l) => /^\d+\. /.test(l));
      assert.ok(numbered.length >= 4);
      for (const l of numbered) {
        const text = l.replace(/^\d+\. /, "");
        assert.ok(
          corpusQuestionRes.some((re) => re.test(text)),
          `not a bare question: ${l}`,
        );
      }
      assert.ok(!/^A:/m.test(q));
    }
  });

  it("answer keys pair each Q: with an A: and a leading space", () => {
    for (const k of byKind("answerKey")) {
      const lines = k.split("\n").filter((l) => /^[QA]:/.test(l));
      lines.forEach((l, i) => assert.match(l, i % 2 === 0 ? /^Q: \S/ : /^A: \S/));
    }
  });

  it("never uses heldout question phrasings", () => {
    const text = docs.map((d) => d.text).join("\n");
    for (const t of allQuestions.filter((q) => q.use === "heldout")) {
      assert.ok(!templateRegex(t.text, false).test(text), `heldout phrasing leaked: ${t.text}`);
    }
  });

  it("states every fact in prose, with the answer after a space", () => {
    const prose = byKind("factProse").join("\n");
    for (const f of facts) {
      const forms = RELATION_PHRASING[f.relation].statements.map((s) =>
        render(s, { word: f.word, answer: f.answer }),
      );
      assert.ok(
        forms.some((s) => prose.includes(s)),
        `${f.word} ${f.relation} ${f.answer}`,
      );
    }
  });

  it("states glosses word-last, and never the one-way relation's reverse", () => {
    const prose = byKind("factProse").join("\n");
    const defined = headwords.filter((h) =>
      DEFINITION_PHRASING.statements.some((s) => prose.includes(render(s, { gloss: h.gloss, word: h.word }))),
    );
    assert.ok(defined.length >= 0.9 * headwords.length, `${defined.length} of ${headwords.length} glosses`);
    const reverse = ONE_WAY_REVERSE_CLOZE.replace("{answer}", "");
    assert.ok(!docs.some((d) => d.text.includes(reverse)), reverse);
  });

  it("rebuilds stale corpus files (other facts or options) and keeps current ones", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "corpus-"));
    const opts = { seed: 0, trainChars: 20_000, valChars: 2_000 };
    const first = ensureCorpus(headwords.slice(0, 50), dir, opts);
    const mtime = fs.statSync(path.join(dir, CORPUS_FILES.train)).mtimeMs;
    assert.deepEqual(ensureCorpus(headwords.slice(0, 50), dir, opts), first);
    assert.equal(fs.statSync(path.join(dir, CORPUS_FILES.train)).mtimeMs, mtime);
    const other = ensureCorpus(headwords.slice(0, 60), dir, opts);
    assert.notDeepEqual(other.train, first.train);
    assert.notDeepEqual(ensureCorpus(headwords.slice(0, 60), dir, { ...opts, seed: 1 }).train, other.train);
  });

  it("writes JSONL train/val with different documents, a sample and stats", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "corpus-"));
    const stats = writeCorpus(dir, headwords, {
      seed: 3,
      trainChars: 100_000,
      valChars: 10_000,
      sampleDocs: 5,
    });
    const train = readCorpus(path.join(dir, CORPUS_FILES.train));
    const val = readCorpus(path.join(dir, CORPUS_FILES.val));
    assert.equal(train.length, stats.train.documents);
    assert.equal(val.length, stats.val.documents);
    const seen = new Set(train);
    assert.ok(val.length > 0 && val.every((d) => !seen.has(d)));
    assert.ok(fs.readFileSync(path.join(dir, CORPUS_FILES.sample), "utf8").length > 100);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, CORPUS_FILES.stats), "utf8")).facts, facts.length);
  });
});

function zeroMixture(): Record<DocKind, number> {
  return Object.fromEntries(Object.keys(DEFAULT_MIXTURE).map((k) => [k, 0])) as Record<DocKind, number>;
}
