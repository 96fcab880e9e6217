#!/usr/bin/env node
/**
 * Registers the project's Jupyter kernel ("TypeScript (Tuning Lab)") inside
 * the checkout, in .jupyter/share/jupyter/kernels/tuning-lab/ (git-ignored).
 * Runs as npm's postinstall; `npm run lab` sets JUPYTER_PATH so Jupyter finds it.
 * The spec holds absolute paths, so moving the checkout needs `npm install`
 * (or `npm run lab`, which registers again) to refresh it.
 */
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const KERNEL_NAME = "tuning-lab";
const JUPYTER_PATH = path.join(ROOT, ".jupyter", "share", "jupyter");

/** Write kernel.json; returns its path. */
function registerKernel() {
  const dir = path.join(JUPYTER_PATH, "kernels", KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const spec = {
    // The Node that ran npm install, by absolute path: Jupyter started from a
    // desktop launcher may not have the same PATH as the shell.
    argv: [process.execPath, path.join(ROOT, "scripts", "tslab-kernel.cjs"), "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (Tuning Lab)",
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { project: "tuning-lab" },
  };
  const file = path.join(dir, "kernel.json");
  fs.writeFileSync(file, JSON.stringify(spec, null, 2) + "\n");
  return file;
}

module.exports = { registerKernel, KERNEL_NAME, JUPYTER_PATH, ROOT };

if (require.main === module) {
  const file = registerKernel();
  console.log(`Registered Jupyter kernel "${KERNEL_NAME}" (TypeScript (Tuning Lab)): ${path.relative(ROOT, file)}`);
}
