#!/usr/bin/env node
/**
 * Kernel launcher: Jupyter runs this (see register-kernel.cjs) with
 * `kernel --config-path <connection file>`.
 *
 * Why it exists: tslab compiles with TypeScript's rootDir set to the working
 * directory, and Jupyter starts kernels in the notebook's folder, so
 * `import "../src/..."` from notebooks/ would fail ("not under rootDir").
 * Starting from the project root makes every notebook import "./src/...",
 * the same as the headless runner.
 */
const path = require("path");

process.chdir(path.resolve(__dirname, ".."));

// Without this, editing any file under src/ while the kernel runs makes
// every later cell fail with "Unexpected pending rebuildTimer".
require("../src/notebook/tslab-fixes.cjs").disableDirectoryWatches();

// tslab answers shutdown_request and closes its sockets, but a process kept
// alive by anything else (e.g. the Chromium that saveFigure opened) would
// linger until Jupyter kills it, orphaning the browser. Exit once closed;
// exiting also lets playwright kill its browser.
const jupyter = require("tslab/dist/jupyter");
const close = jupyter.ZmqServer.prototype.close;
jupyter.ZmqServer.prototype.close = function (...args) {
  const result = close.apply(this, args);
  setTimeout(() => process.exit(0), 300).unref();
  return result;
};

require("tslab/dist/main.js").main();
