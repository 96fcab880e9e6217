/**
 * `npm start [-- notebooks/03*.ipynb ...]`: run notebooks headless and
 * write build/notebooks, build/html and build/figures. See
 * src/notebook/runner.ts for what happens per notebook.
 */
import * as path from "path";
import { runNotebooks } from "../notebook/runner";

const USAGE = `Usage: npm start [-- <notebook paths or globs>...]
Runs every notebook in notebooks/ (or the ones given) in name order and writes
build/notebooks/*.ipynb, build/html/*.html and build/figures/<notebook>/*.{png,svg}.`;

/** The project root: this file lives in <root>/src/cli. */
export const ROOT = path.resolve(__dirname, "..", "..");

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  // npm runs scripts from the project root; INIT_CWD is where the user typed the command.
  return runNotebooks(argv, { rootDir: ROOT, baseDir: process.env.INIT_CWD ?? process.cwd() });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      console.error(e.stack ?? e);
      process.exitCode = 1;
    },
  );
}
