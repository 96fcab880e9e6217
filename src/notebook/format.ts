/**
 * Prettier for notebooks: every code cell of a notebook formatted as the
 * project's TypeScript is (parser "typescript", the settings of
 * .prettierrc.json), each cell kept in the JSON form it has (one string, or
 * a list of lines), outputs and everything else left as they are.
 * `npm run format` writes the cells back; `npm run format:check` (part of
 * `npm test`) fails on a cell that is not formatted, or that has a line
 * longer than the print width (a string prettier cannot break).
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { codeCells, joinText, MultilineString, parseNotebook } from "./ipynb";

/** What formatting found in one notebook. */
export interface NotebookFormat {
  /** The notebook's JSON with every code cell formatted. */
  text: string;
  /** Indices (among all cells) of the code cells prettier changed. */
  changed: number[];
  /** Lines of formatted code cells longer than the print width. */
  long: { cell: number; line: number; length: number }[];
}

/** A cell's new source, in the cell's own form: a string stays one, a list of lines stays a list. */
export function withForm(old: MultilineString, source: string): MultilineString {
  return Array.isArray(old) ? source.split(/(?<=\n)/).filter((line) => line !== "") : source;
}

/** The project's prettier settings for `file` (found from its folder up, as the prettier CLI finds them). */
export async function prettierOptions(file: string): Promise<prettier.Options> {
  return { ...((await prettier.resolveConfig(file, { editorconfig: false })) ?? {}), parser: "typescript" };
}

/** Format the code cells of a notebook's JSON text; `file` names it in errors. */
export async function formatNotebook(
  json: string,
  file: string,
  options: prettier.Options,
): Promise<NotebookFormat> {
  const nb = parseNotebook(json, file);
  const width = options.printWidth ?? 80;
  const out: NotebookFormat = { text: "", changed: [], long: [] };
  for (const { index, cell } of codeCells(nb)) {
    const source = joinText(cell.source);
    let formatted: string;
    try {
      formatted = (await prettier.format(source, { ...options, parser: "typescript" })).replace(/\n$/, "");
    } catch (e) {
      throw new Error(`${file}: cell ${index} does not parse: ${(e as Error).message.split("\n")[0]}`);
    }
    if (formatted !== source) {
      out.changed.push(index);
      cell.source = withForm(cell.source, formatted);
    }
    formatted.split("\n").forEach((line, i) => {
      if (line.length > width) out.long.push({ cell: index, line: i + 1, length: line.length });
    });
  }
  out.text = out.changed.length ? JSON.stringify(nb, null, 1) + "\n" : json;
  return out;
}

/** The notebooks `npm run format` covers: notebooks/*.ipynb under `root`, in name order. */
export function projectNotebooks(root: string): string[] {
  const dir = path.join(root, "notebooks");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Format (`check: false`: write back changed notebooks) or check notebooks;
 * returns one line per problem: an unformatted cell (in check mode) or a
 * line too long for the print width.
 */
export async function formatNotebooks(
  files: readonly string[],
  o: { check: boolean; root?: string },
): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    const name = o.root ? path.relative(o.root, file) : file;
    const json = fs.readFileSync(file, "utf8");
    const options = await prettierOptions(file);
    const r = await formatNotebook(json, name, options);
    if (o.check)
      for (const c of r.changed) problems.push(`${name}: cell ${c} is not formatted (npm run format)`);
    else if (r.text !== json) fs.writeFileSync(file, r.text);
    for (const l of r.long)
      problems.push(
        `${name}: cell ${l.cell}, line ${l.line} is ${l.length} characters, over the print width ` +
          `${options.printWidth}: break the string into a concatenation`,
      );
  }
  return problems;
}
