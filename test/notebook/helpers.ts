/** Tiny notebooks written to temporary folders for runner tests. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The project root (tslab compiles cells with it as rootDir). */
export const ROOT = path.resolve(__dirname, "..", "..");

/** A notebook with one markdown cell and the given code cells. */
export function tinyNotebook(...code: string[]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "tuning-lab", display_name: "TypeScript (Tuning Lab)", language: "typescript" },
    },
    cells: [
      { cell_type: "markdown", id: "intro", metadata: {}, source: "# A *tiny* notebook" },
      ...code.map((source, i) => ({
        cell_type: "code",
        id: `c${i}`,
        metadata: {},
        execution_count: null,
        outputs: [],
        source,
      })),
    ],
  };
}

/** A fresh temporary folder; removed by the returned cleanup function. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Write `content` (JSON unless a string) to dir/name and return the path. */
export function writeFile(dir: string, name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 1));
  return file;
}
