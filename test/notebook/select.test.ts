import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { globRegExp, selectNotebooks, SelectionError } from "../../src/notebook/select";
import { tempDir, tinyNotebook, writeFile } from "./helpers";

describe("notebook selection", () => {
  let t: ReturnType<typeof tempDir>;
  let nbDir: string;
  before(() => {
    t = tempDir("tl-select-");
    nbDir = path.join(t.dir, "notebooks");
    fs.mkdirSync(nbDir);
    for (const name of ["02_b.ipynb", "00_a.ipynb", "03_c.ipynb", "notes.txt"])
      writeFile(nbDir, name, tinyNotebook());
  });
  after(() => t.cleanup());

  it("takes every notebook in name order when given nothing", () => {
    assert.deepEqual(selectNotebooks([], t.dir, nbDir), [
      "notebooks/00_a.ipynb",
      "notebooks/02_b.ipynb",
      "notebooks/03_c.ipynb",
    ]);
  });

  it("expands a glob the shell left alone", () => {
    assert.deepEqual(selectNotebooks(["notebooks/03*.ipynb"], t.dir, nbDir), ["notebooks/03_c.ipynb"]);
  });

  it("keeps argument order and drops repeats", () => {
    const got = selectNotebooks(["notebooks/03_c.ipynb", "notebooks/0*.ipynb"], t.dir, nbDir);
    assert.deepEqual(got, ["notebooks/03_c.ipynb", "notebooks/00_a.ipynb", "notebooks/02_b.ipynb"]);
  });

  it("takes a folder to mean its notebooks", () => {
    assert.equal(selectNotebooks(["notebooks"], t.dir, nbDir).length, 3);
  });

  it("lists the available notebooks when nothing matches", () => {
    assert.throws(
      () => selectNotebooks(["notebooks/99*.ipynb"], t.dir, nbDir),
      (e: Error) =>
        e instanceof SelectionError &&
        e.message.includes('No notebook matches "notebooks/99*.ipynb"') &&
        e.message.includes("notebooks/00_a.ipynb") &&
        e.message.includes("notebooks/03_c.ipynb"),
    );
  });

  it("matches * and ? within one path segment only", () => {
    assert.ok(globRegExp("0?_*.ipynb").test("03_c.ipynb"));
    assert.ok(!globRegExp("*.ipynb").test("a/b.ipynb"));
  });
});
