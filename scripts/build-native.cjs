#!/usr/bin/env node
/**
 * Builds the native matmul addon (native/tl_blas.c) with node-gyp when the
 * system BLAS is there: OpenBLAS's headers on Linux (Debian/Ubuntu:
 * libopenblas-dev), Accelerate on macOS (untested). Runs from `npm install`
 * and as `npm run build:native`. Never fails the install: without OpenBLAS,
 * or when the build fails, it says so in one line and the notebooks use the
 * pure wasm path (src/native-blas.ts prints the same hint at run time).
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const NATIVE = path.join(ROOT, "native");
const HINT = "sudo apt-get install libopenblas-dev && npm run build:native";

function say(msg) {
  console.log(`tuning-lab: ${msg}`);
}

/** Is cblas.h (from OpenBLAS) on the compiler's usual include paths? */
function hasOpenBlas() {
  if (process.platform === "darwin") return true; // Accelerate ships with the OS
  const arch = spawnSync("gcc", ["-print-multiarch"], { encoding: "utf8" }).stdout?.trim();
  const dirs = ["/usr/include", "/usr/local/include", arch && `/usr/include/${arch}`].filter(Boolean);
  return dirs.some((d) => fs.existsSync(path.join(d, "cblas.h")) || fs.existsSync(path.join(d, "openblas", "cblas.h")));
}

/** npm puts its bundled node-gyp on PATH for lifecycle scripts; outside them, find it beside npm. */
function nodeGyp() {
  const onPath = spawnSync("node-gyp", ["--version"], { encoding: "utf8" });
  if (onPath.status === 0) return ["node-gyp"];
  const npmCli = process.env.npm_execpath;
  const candidates = [
    npmCli && path.join(path.dirname(npmCli), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ].filter(Boolean);
  const js = candidates.find((p) => fs.existsSync(p));
  return js ? [process.execPath, js] : null;
}

function main() {
  if (process.env.TUNING_LAB_NATIVE === "0") {
    say("native matmuls skipped (TUNING_LAB_NATIVE=0)");
    return;
  }
  if (!hasOpenBlas()) {
    say(`OpenBLAS not found: notebooks use the pure wasm path. For ~4x faster training: ${HINT}`);
    return;
  }
  const gyp = nodeGyp();
  if (!gyp) {
    say(`node-gyp not found: notebooks use the pure wasm path. Rebuild from npm: npm run build:native`);
    return;
  }
  const args = [...gyp.slice(1), "rebuild"];
  // Build against the running Node's headers when npm did not say where they are.
  const headers = path.join(path.dirname(process.execPath), "..", "include", "node", "node_api.h");
  if (!process.env.npm_config_nodedir && fs.existsSync(headers)) args.push(`--nodedir=${path.resolve(headers, "..", "..", "..")}`);
  const r = spawnSync(gyp[0], args, { cwd: NATIVE, encoding: "utf8" });
  if (r.status !== 0) {
    const lines = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.split("\n").filter((l) => /error/i.test(l));
    say(`native matmul build failed (${lines[0]?.trim() ?? `exit ${r.status}`}); using the pure wasm path. Retry: npm run build:native`);
    return;
  }
  say("native matmuls built (native/build/Release/tl_blas.node): wasm + OpenBLAS");
}

main();
