/**
 * `tsx src/cli/format-notebooks.ts [--check] [notebooks...]`: prettier over
 * every code cell of notebooks/*.ipynb (or the notebooks given), with the
 * project's .prettierrc.json and parser "typescript" (src/notebook/format.ts).
 * Without --check it writes the cells back (`npm run format` runs it); with
 * --check it changes nothing and exits 1 naming the notebook and cell index
 * of each unformatted cell (`npm run format:check`, part of `npm test`).
 * Either way a code line longer than the print width is an error.
 */
import * as path from "path";
import { formatNotebooks, projectNotebooks } from "../notebook/format";

const ROOT = path.resolve(__dirname, "..", "..");

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log("usage: tsx src/cli/format-notebooks.ts [--check] [notebook.ipynb...]");
    return 0;
  }
  const check = argv.includes("--check");
  const given = argv.filter((a) => a !== "--check").map((f) => path.resolve(process.env.INIT_CWD ?? ".", f));
  const files = given.length ? given : projectNotebooks(ROOT);
  const problems = await formatNotebooks(files, { check, root: ROOT });
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`${problems.length} problem(s) in the notebooks' code cells`);
    return 1;
  }
  console.log(`${files.length} notebook(s): every code cell ${check ? "is" : "now"} formatted`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      console.error(e.message);
      process.exitCode = 1;
    },
  );
}
