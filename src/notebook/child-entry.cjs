/**
 * Entry point of a notebook process (forked by runner.ts with no loader
 * flags). It loads the TypeScript harness through tsx in a private
 * namespace, so tsx's .ts hook never applies to notebook code: cells must
 * load ./src exactly as the Jupyter kernel does, through tslab alone.
 * (With a global hook, imports that the kernel cannot resolve, such as a
 * folder import "./src/x" without src/x.ts, would pass here and fail there.)
 */
const { register } = require("tsx/cjs/api");

const tsx = register({ namespace: "tuning-lab-notebook-runner" });
tsx.require("./child.ts", __filename).main(process.argv[2]);
