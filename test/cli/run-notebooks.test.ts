import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runNotebooks } from "../../src/notebook/runner";
import { ROOT, tempDir, tinyNotebook, writeFile } from "../notebook/helpers";

/** Run the runner on notebooks in a temporary folder, capturing its messages. */
async function runIn(dir: string, args: string[]) {
  const lines = { log: [] as string[], error: [] as string[] };
  const code = await runNotebooks(args, {
    rootDir: ROOT,
    notebooksDir: path.join(dir, "notebooks"),
    buildDir: path.join(dir, "build"),
    sign: false,
    log: (l) => lines.log.push(l),
    error: (l) => lines.error.push(l),
  });
  return { code, log: lines.log.join("\n"), error: lines.error.join("\n") };
}

describe("npm start (notebook runner)", function () {
  this.timeout(90000); // each notebook is a fresh Node process with the TypeScript compiler
  let t: ReturnType<typeof tempDir>;
  let nbDir: string;
  before(() => {
    t = tempDir("tl-runner-");
    nbDir = path.join(t.dir, "notebooks");
    fs.mkdirSync(nbDir);
  });
  after(() => t.cleanup());

  it("runs a notebook in its own process and writes the executed notebook and an HTML page", async () => {
    const file = writeFile(
      nbDir,
      "01_ok.ipynb",
      tinyNotebook(
        'import { plot, show } from "./src/display/index";\nimport * as aq from "arquero";',
        'show(aq.table({ a: [1, 2] }));\nplot({ data: [{ x: [1, 2], y: [3, 4] }] });\nconsole.log("cwd", process.cwd());',
      ),
    );
    const r = await runIn(t.dir, [file]);
    assert.equal(r.code, 0, r.error);
    assert.match(r.log, /ok {3}.*01_ok\.ipynb {2}2 code cells, 0 figure files, [\d.]+ s/);
    const nb = JSON.parse(fs.readFileSync(path.join(t.dir, "build/notebooks/01_ok.ipynb"), "utf8"));
    const outputs = nb.cells[2].outputs;
    assert.ok(outputs.some((o: { data?: object }) => o.data && "application/vnd.plotly.v1+json" in o.data));
    assert.ok(
      outputs.some((o: { text?: string }) => o.text === `cwd ${ROOT}\n`),
      "cells run in the project root",
    );
    const html = fs.readFileSync(path.join(t.dir, "build/html/01_ok.html"), "utf8");
    assert.match(html, /<table/);
    assert.match(html, /tuning-lab-plot/);
    assert.ok(html.length > 1e6, "plotly is inlined so the page works offline");
  });

  it("stops at a failing cell with exit code 1, printing the notebook, cell, source and TypeScript error", async () => {
    const file = writeFile(
      nbDir,
      "02_bad.ipynb",
      tinyNotebook('const ok = "fine";', "const n: number = ok;", "console.log(1);"),
    );
    const r = await runIn(t.dir, [file]);
    assert.equal(r.code, 1);
    assert.match(r.log, /FAIL .*02_bad\.ipynb/);
    assert.match(r.error, /02_bad\.ipynb, cell 3 of 4 failed/);
    assert.match(r.error, /const n: number = ok;/);
    assert.match(r.error, /Type 'string' is not assignable to type 'number'/);
    assert.ok(!fs.existsSync(path.join(t.dir, "build/html/02_bad.html")), "no page for a failed run");
  });

  it("names the file and the parse error for a notebook that is not JSON", async () => {
    const file = writeFile(nbDir, "03_broken.ipynb", '{"cells": [');
    const r = await runIn(t.dir, [file]);
    assert.equal(r.code, 2);
    assert.match(r.error, /03_broken\.ipynb is not valid JSON: /);
  });

  it("lists the available notebooks when a path matches none (through the real command line)", () => {
    const cli = path.join(ROOT, "src/cli/run-notebooks.ts");
    const r = spawnSync(
      process.execPath,
      ["--require", require.resolve("tsx/cjs"), cli, "notebooks/99_nothing*.ipynb"],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, INIT_CWD: ROOT },
      },
    );
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /No notebook matches ".*99_nothing\*\.ipynb"\. Available notebooks:\n {2}notebooks\/00_workbench\.ipynb/,
    );
  });
});
