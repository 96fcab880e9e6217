import { strict as assert } from "assert";
import {
  codeCells,
  joinText,
  NotebookFileError,
  parseNotebook,
  readNotebook,
} from "../../src/notebook/ipynb";
import { tinyNotebook } from "./helpers";

describe("ipynb", () => {
  it("names the file and the parse error for invalid JSON", () => {
    assert.throws(
      () => parseNotebook("{ nope", "notebooks/bad.ipynb"),
      (e: Error) =>
        e instanceof NotebookFileError && /^notebooks\/bad\.ipynb is not valid JSON: .+/.test(e.message),
    );
  });

  it("rejects JSON that is not a notebook", () => {
    assert.throws(() => parseNotebook("[1, 2]", "x.ipynb"), /x\.ipynb is not a Jupyter notebook/);
  });

  it("rejects notebooks older than nbformat 4", () => {
    assert.throws(() => parseNotebook(JSON.stringify({ nbformat: 3, cells: [] }), "old.ipynb"), /nbformat 3/);
  });

  it("names a file that cannot be read", () => {
    assert.throws(() => readNotebook("/nonexistent/x.ipynb"), /cannot read \/nonexistent\/x\.ipynb/);
  });

  it("joins Jupyter's list-of-lines text", () => {
    assert.equal(joinText(["a\n", "b"]), "a\nb");
    assert.equal(joinText(undefined), "");
  });

  it("lists code cells with their index among all cells", () => {
    const nb = parseNotebook(JSON.stringify(tinyNotebook("1", "2")), "t.ipynb");
    assert.deepEqual(
      codeCells(nb).map((c) => c.index),
      [1, 2],
    );
  });
});
