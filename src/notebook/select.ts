/**
 * Which notebooks a run covers: all of notebooks/ in name order, or the
 * paths and globs given on the command line (shells that leave an
 * unmatched glob as-is, like bash, hand it to us to match or report).
 */
import * as fs from "fs";
import * as path from "path";

/** No notebook matched; the message lists the ones that exist. */
export class SelectionError extends Error {
  override name = "SelectionError";
}

/** The .ipynb files directly in `dir`, sorted by name, as paths relative to `rootDir`. */
export function listNotebooks(dir: string, rootDir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => path.relative(rootDir, path.join(dir, f)));
}

/** `*` and `?` (within one path segment) as a regular expression. */
export function globRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

function expand(arg: string, rootDir: string, baseDir: string): string[] {
  const abs = path.resolve(baseDir, arg);
  if (!/[*?]/.test(arg)) {
    if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) return listNotebooks(abs, rootDir);
    return fs.existsSync(abs) ? [path.relative(rootDir, abs)] : [];
  }
  const dir = path.dirname(abs);
  const re = globRegExp(path.basename(abs));
  return listNotebooks(dir, rootDir).filter((f) => re.test(path.basename(f)));
}

/**
 * Resolve command-line arguments (relative to `baseDir`, where the user
 * typed them) to notebook paths relative to `rootDir`, keeping argument order
 * and dropping repeats. No arguments means every notebook in `notebooksDir`.
 */
export function selectNotebooks(
  args: string[],
  rootDir: string,
  notebooksDir: string,
  baseDir = rootDir,
): string[] {
  const available = listNotebooks(notebooksDir, rootDir);
  const list = (files: string[]) => (files.length ? files.map((f) => `  ${f}`).join("\n") : "  (none)");
  if (args.length === 0) {
    if (available.length === 0)
      throw new SelectionError(`No notebooks in ${path.relative(rootDir, notebooksDir) || "."}/.`);
    return available;
  }
  const chosen: string[] = [];
  for (const arg of args) {
    const found = expand(arg, rootDir, baseDir);
    if (found.length === 0) {
      throw new SelectionError(`No notebook matches "${arg}". Available notebooks:\n${list(available)}`);
    }
    for (const f of found) if (!chosen.includes(f)) chosen.push(f);
  }
  return chosen;
}
