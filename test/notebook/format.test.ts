import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { formatNotebook, formatNotebooks, prettierOptions, withForm } from "../../src/notebook/format";
import { ROOT, tempDir, tinyNotebook } from "./helpers";

describe("notebook/format: prettier over the notebooks' code cells", () => {
  const options = { printWidth: 110, trailingComma: "all" as const, parser: "typescript" };
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir("tl-format-")));
  afterEach(() => t.cleanup());

  /** A notebook with a string cell, a list-of-lines cell, an output, written as Jupyter writes it. */
  const notebook = () => {
    const nb = tinyNotebook("const a = {x:1,\n  y:2}", "const formatted = 1;");
    const list = nb.cells[1] as { source: unknown; outputs: unknown[] };
    list.source = ["let b=[1,2,\n", "3]\n", "b"];
    list.outputs = [{ output_type: "stream", name: "stdout", text: ["kept\n"] }];
    return JSON.stringify(nb, null, 1) + "\n";
  };

  it("reads the project's .prettierrc.json", async () => {
    const o = await prettierOptions(path.join(ROOT, "notebooks", "04_reward_model.ipynb"));
    assert.equal(o.printWidth, 110);
    assert.equal(o.trailingComma, "all");
    assert.equal(o.parser, "typescript");
  });

  it("formats each code cell, keeping its form (a string or a list of lines) and its outputs", async () => {
    const r = await formatNotebook(notebook(), "nb.ipynb", options);
    assert.deepEqual(r.changed, [1], "cells are numbered among all cells; cell 2 was formatted already");
    const nb = JSON.parse(r.text);
    assert.deepEqual(nb.cells[1].source, ["let b = [1, 2, 3];\n", "b;"]);
    assert.deepEqual(nb.cells[1].outputs, [{ output_type: "stream", name: "stdout", text: ["kept\n"] }]);
    assert.equal(nb.cells[0].source, "# A *tiny* notebook", "markdown is left alone");
    assert.equal(nb.cells[2].source, "const formatted = 1;");
    assert.ok(
      r.text.startsWith('{\n "nbformat"') && r.text.endsWith("}\n"),
      "Jupyter's layout: 1-space indent",
    );
    const again = await formatNotebook(r.text, "nb.ipynb", options);
    assert.deepEqual(again.changed, []);
    assert.equal(again.text, r.text);
  });

  it("keeps a string a string, and a list a list", () => {
    assert.equal(withForm("x", "a\nb"), "a\nb");
    assert.deepEqual(withForm(["x"], "a\nb\n"), ["a\n", "b\n"]);
    assert.deepEqual(withForm([], ""), []);
  });

  it("reports lines over the print width, and a cell that does not parse, by notebook and cell", async () => {
    const long = `const s = "${"x".repeat(120)}";`;
    const r = await formatNotebook(JSON.stringify(tinyNotebook("1;", long)), "nb.ipynb", options);
    assert.deepEqual(
      r.long,
      [{ cell: 2, line: 2, length: 125 }],
      "prettier breaks before the string, no more",
    );
    await assert.rejects(
      formatNotebook(JSON.stringify(tinyNotebook("const = ;")), "bad.ipynb", options),
      /bad\.ipynb: cell 1 does not parse/,
    );
  });

  it("--check names every unformatted cell and changes nothing; without it, writes the cells back", async () => {
    const file = path.join(t.dir, "nb.ipynb");
    fs.writeFileSync(file, notebook());
    const problems = await formatNotebooks([file], { check: true, root: t.dir });
    assert.deepEqual(problems, ["nb.ipynb: cell 1 is not formatted (npm run format)"]);
    assert.equal(fs.readFileSync(file, "utf8"), notebook());
    assert.deepEqual(await formatNotebooks([file], { check: false, root: t.dir }), []);
    assert.deepEqual(await formatNotebooks([file], { check: true, root: t.dir }), []);
  });
});
