/**
 * Work-arounds for tslab 1.0.22 internals, shared by the Jupyter kernel
 * launcher (scripts/tslab-kernel.cjs) and the headless runner (executor.ts).
 * Plain CommonJS so the launcher can load it without a TypeScript loader.
 */
const { createRequire } = require("module");

/**
 * tslab's compiler host accepts only one pending rebuild timer and throws
 * "Unexpected pending rebuildTimer" otherwise. TypeScript's directory
 * watchers (it watches src/ and node_modules/ recursively, for module
 * lookups that failed) schedule a second kind of timer whenever any file
 * there changes, so editing or adding any file under src/ while a kernel is
 * open broke every later cell. Edits to imported files are still picked up:
 * those come through file watchers, which stay on. The cost: a module that
 * was missing at first (e.g. installed later) needs a kernel restart.
 */
function disableDirectoryWatches() {
  const tslabRequire = createRequire(require.resolve("tslab/package.json"));
  const ts = tslabRequire("@tslab/typescript-for-tslab");
  ts.sys.watchDirectory = () => ({ close() {} });
}

module.exports = { disableDirectoryWatches };
