import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { findChromium } from "../../src/display/figures";
import { ROOT, tempDir, tinyNotebook, writeFile } from "./helpers";

const PYTHON = "/usr/bin/python3";
const KERNEL_SPEC = path.join(ROOT, ".jupyter/share/jupyter/kernels/tuning-lab/kernel.json");
const RUNNER = path.join(ROOT, "tools/run_notebooks.py");

/** Jupyter's Python with nbclient, and the project kernel registered by npm install. */
function kernelAvailable(): string | undefined {
  if (!fs.existsSync(KERNEL_SPEC)) return "kernel not registered (run npm install)";
  const r = spawnSync(PYTHON, ["-c", "import nbclient"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `${PYTHON} cannot import nbclient (apt-get install python3-nbclient)`;
}

/** Run tools/run_notebooks.py without blocking mocha's timers. */
function runPython(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [RUNNER, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("notebooks through the real Jupyter kernel (nbclient)", function () {
  this.timeout(120000);
  let t: ReturnType<typeof tempDir>;
  before(function () {
    const missing = kernelAvailable();
    if (missing) {
      console.log(`      (skipped: ${missing})`);
      this.skip();
    }
    t = tempDir("tl-kernel-");
  });
  after(() => t?.cleanup());

  it("runs notebooks/00_workbench.ipynb with a plot output, a saved figure and no cell error", async () => {
    const out = path.join(t.dir, "out");
    const figures = path.join(t.dir, "figures");
    const r = await runPython([
      "--out",
      out,
      "--figures-dir",
      figures,
      path.join(ROOT, "notebooks/00_workbench.ipynb"),
    ]);
    assert.equal(r.code, 0, r.out);
    if (findChromium()) {
      assert.deepEqual(fs.readdirSync(path.join(figures, "00_workbench")).sort(), [
        "toy-loss-curve.png",
        "toy-loss-curve.svg",
      ]);
    }
    const nb = JSON.parse(fs.readFileSync(path.join(out, "00_workbench.ipynb"), "utf8"));
    const mimes = nb.cells.flatMap((c: { outputs?: { data?: object }[] }) =>
      (c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {})),
    );
    assert.ok(mimes.includes("application/vnd.plotly.v1+json"), "the plot reached the notebook");
    assert.ok(mimes.includes("text/html"), "the table reached the notebook");
  });

  // Every numbered notebook, not just the workbench: the same notebooks `npm start` runs
  // in-process must also pass over Jupyter's protocol.
  const numbered = fs
    .readdirSync(path.join(ROOT, "notebooks"))
    .filter((f) => /^\d\d_.*\.ipynb$/.test(f) && f !== "00_workbench.ipynb")
    .sort();
  for (const name of numbered) {
    it(`runs notebooks/${name} with no cell error`, async function () {
      this.timeout(900000);
      const r = await runPython([
        "--out",
        path.join(t.dir, "out"),
        "--figures-dir",
        path.join(t.dir, "figures"),
        path.join(ROOT, "notebooks", name),
      ]);
      assert.equal(r.code, 0, r.out);
    });
  }

  it("fails with the cell's source and the TypeScript error from its stderr", async () => {
    const file = writeFile(t.dir, "bad.ipynb", tinyNotebook("const x = 1;", "const s: string = x;"));
    const r = await runPython([file], { TUNING_LAB_CHROMIUM: "none" });
    assert.equal(r.code, 1);
    assert.match(r.out, /FAIL .*bad\.ipynb, cell 3 of 3/);
    assert.match(r.out, /const s: string = x;/);
    assert.match(r.out, /Type 'number' is not assignable to type 'string'/);
  });

  it("fails a cell that calls plot() but shows no plot", async () => {
    const file = writeFile(t.dir, "noplot.ipynb", tinyNotebook("const plot = (x: unknown) => x;\nplot(1);"));
    const r = await runPython([file], { TUNING_LAB_CHROMIUM: "none" });
    assert.equal(r.code, 1);
    assert.match(r.out, /calls plot\(\) but shows no plot output/);
  });
});
