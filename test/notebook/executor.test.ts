import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { executeNotebook } from "../../src/notebook/executor";
import { DisplayDataOutput, Notebook } from "../../src/notebook/ipynb";
import { ROOT, tinyNotebook } from "./helpers";

/** Run cells with tslab in this process, as the runner's child process does. */
function run(...code: string[]) {
  return executeNotebook(tinyNotebook(...code) as unknown as Notebook, ROOT);
}

describe("in-process executor", function () {
  this.timeout(60000); // tslab starts the TypeScript compiler for each notebook

  it("records stdout, stderr, displays and execution counts per cell, keeping state across cells", async () => {
    const r = await run(
      'const n: number = 20; console.log("out"); console.error("err");',
      'import * as tslab from "tslab"; tslab.display.html("<b>hi</b>"); n + 1',
    );
    assert.equal(r.failure, undefined);
    const [, a, b] = r.notebook.cells;
    assert.deepEqual(a.outputs, [
      { output_type: "stream", name: "stdout", text: "out\n" },
      { output_type: "stream", name: "stderr", text: "err\n" },
    ]);
    assert.deepEqual((b.outputs![0] as DisplayDataOutput).data, { "text/html": "<b>hi</b>" });
    assert.deepEqual(b.outputs![1], { output_type: "stream", name: "stdout", text: "21\n" });
    assert.deepEqual([a.execution_count, b.execution_count], [1, 2]);
  });

  it("keeps only the final state of a display updated in place", async () => {
    const r = await run(
      'import * as tslab from "tslab"; const d = tslab.newDisplay(); d.text("1"); d.text("2"); d.text("3");',
    );
    assert.equal(r.notebook.cells[1].outputs!.length, 1);
    assert.deepEqual((r.notebook.cells[1].outputs![0] as DisplayDataOutput).data, { "text/plain": "3" });
  });

  it("stops at a type error and reports the cell and the diagnostic", async () => {
    const r = await run("const ok = 1;", "const s: string = 1;", 'console.log("never")');
    assert.equal(r.failure?.index, 2);
    assert.equal(r.failure?.source, "const s: string = 1;");
    assert.match(r.failure!.error, /Type 'number' is not assignable to type 'string'/);
    assert.deepEqual(r.notebook.cells[3].outputs, []);
  });

  it("fails the cell on an un-awaited rejection instead of losing it", async () => {
    const r = await run('Promise.reject(new Error("lost"));');
    assert.equal(r.failure?.index, 1);
    assert.match(r.failure!.error, /Unhandled promise rejection: Error: lost/);
  });

  it("keeps running cells after files change under node_modules/ or src/ mid-run", async () => {
    // tslab's TypeScript watches those folders; a change used to make every
    // later cell fail with "Unexpected pending rebuildTimer".
    const dir = path.join(ROOT, "node_modules", "tuning-lab-watch-test");
    try {
      const r = await run(
        'import * as aq from "arquero";',
        `require("fs").mkdirSync(${JSON.stringify(dir)}, { recursive: true });
require("fs").writeFileSync(${JSON.stringify(path.join(dir, "package.json"))}, "{}");
await new Promise((r) => setTimeout(r, 1000));`,
        "1 + 1",
      );
      assert.equal(r.failure, undefined, r.failure?.error);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("restores the process streams afterwards", async () => {
    const write = process.stdout.write;
    await run("1");
    assert.equal(process.stdout.write, write);
  });
});
