/**
 * What a notebook's `CONFIG.rerun` runs when the library has no function
 * that makes a record (the record is the CLI's): the npm command that
 * rebuilds a committed record (`npm run rlaif`, `npm run dpo -- --sweep`,
 * ...), run from the project root with its output printed in the cell as it
 * comes. The command writes the record; the notebook then reads it with its
 * reader, as it reads the committed one.
 */
import { spawn } from "child_process";
import * as path from "path";

/** The project root: this file lives in <root>/src/notebook. */
const ROOT = path.resolve(__dirname, "..", "..");

/** Run `command` (through the shell) from the project root; rejects, naming it, unless it exits 0. */
export function rebuild(
  command: string,
  o: { cwd?: string; print?: (line: string) => void } = {},
): Promise<void> {
  const print = o.print ?? ((line: string) => console.log(line));
  const t = Date.now();
  print(`$ ${command}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd: o.cwd ?? ROOT, shell: true, stdio: ["ignore", "pipe", "pipe"] });
    const lines = (stream: NodeJS.ReadableStream) => {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (rest + chunk).split(/\r?\n|\r/);
        rest = parts.pop() ?? "";
        for (const p of parts) if (p.trim()) print(p);
      });
      stream.on("end", () => {
        if (rest.trim()) print(rest);
      });
    };
    lines(child.stdout!);
    lines(child.stderr!);
    child.on("error", (e) => reject(new Error(`${command}: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) {
        print(`${command}: done in ${((Date.now() - t) / 60000).toFixed(1)} min`);
        resolve();
      } else reject(new Error(`${command} exited with code ${code}; its output is above`));
    });
  });
}
