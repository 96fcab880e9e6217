/**
 * The parts of the Jupyter notebook format (nbformat 4) the runner reads
 * and writes, with loading that names the file in every error.
 */
import * as fs from "fs";
import * as path from "path";

/** A string, or a list of lines as Jupyter often stores text. */
export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}

export interface DisplayDataOutput {
  output_type: "display_data" | "execute_result";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  execution_count?: number | null;
}

export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

export type Output = StreamOutput | DisplayDataOutput | ErrorOutput;

export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  outputs?: Output[];
  execution_count?: number | null;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** A notebook file that cannot be used, with the file named in the message. */
export class NotebookFileError extends Error {
  override name = "NotebookFileError";
}

/** Join Jupyter's multi-line form into one string. */
export function joinText(text: MultilineString | undefined): string {
  return Array.isArray(text) ? text.join("") : (text ?? "");
}

/** Parse notebook JSON; `file` only names the source in error messages. */
export function parseNotebook(json: string, file: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(json) as Notebook;
  } catch (e) {
    throw new NotebookFileError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!nb || typeof nb !== "object" || !Array.isArray(nb.cells)) {
    throw new NotebookFileError(`${file} is not a Jupyter notebook: it has no "cells" list`);
  }
  if (nb.nbformat !== 4) {
    throw new NotebookFileError(
      `${file} has nbformat ${nb.nbformat}; only nbformat 4 notebooks are supported`,
    );
  }
  return nb;
}

/** Read and parse a notebook file. */
export function readNotebook(file: string): Notebook {
  let json: string;
  try {
    json = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new NotebookFileError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseNotebook(json, file);
}

/** Write a notebook the way Jupyter does (1-space indent, trailing newline). */
export function writeNotebook(file: string, nb: Notebook): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
}

/** The code cells with their index among all cells (what error messages cite). */
export function codeCells(nb: Notebook): { index: number; cell: Cell }[] {
  return nb.cells.map((cell, index) => ({ index, cell })).filter((c) => c.cell.cell_type === "code");
}
