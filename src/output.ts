/**
 * The output rule of every command that writes a folder, checked before any
 * work starts:
 *
 * - `--out` may not be a file;
 * - it may not be, contain, or lie inside a folder the run reads (its
 *   reference model, its SFT model, the model it exports), symlinks
 *   resolved: a run must never overwrite its own input;
 * - a non-empty `--out` must hold what this command makes (a run record of
 *   the same kind, or the command's own marker file), unless `--force`;
 * - the nearest existing parent must be writable (tried, not asked).
 *
 * The writing itself is atomic already: checkpoints and exports are written
 * to a temporary sibling and renamed into place (`saveCheckpoint`,
 * `swapInto`), so a crash never leaves half a folder.
 */
import * as fs from "fs";
import * as path from "path";

/** What a command will write and read. */
export interface OutputCheck {
  /** The folder the command writes (created, or replaced as a whole). */
  out: string;
  /** What the command makes, for messages ("SFT model", "reward model"). */
  what: string;
  /** Does an existing folder hold this command's output? (e.g. a run.json of its kind) */
  ours: (dir: string) => boolean;
  /** Folders the run reads; `out` may not be, contain or lie inside any of them. */
  reads?: readonly string[];
  /** Replace a folder that holds something else. */
  force?: boolean;
  /** The option that named `out`, for messages (default "--out"). */
  flag?: string;
  /** Whether the command replaces the folder as a whole (true) or writes files into it (false). */
  replaces?: boolean;
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
export function realish(p: string): string {
  const abs = path.resolve(p);
  if (fs.existsSync(abs)) return fs.realpathSync(abs);
  const parent = path.dirname(abs);
  return parent === abs ? abs : path.join(realish(parent), path.basename(abs));
}

const inside = (child: string, parent: string) => {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
};

/** A predicate for model folders: a run.json whose `method` is one of `methods`. */
export function runOfKind(...methods: string[]): (dir: string) => boolean {
  return (dir) => {
    try {
      const run = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8")) as { method?: unknown };
      return typeof run.method === "string" && methods.includes(run.method);
    } catch {
      return false;
    }
  };
}

/** Throws, naming the rule and the fix, when writing `c.out` would break the output rule. */
export function checkOutput(c: OutputCheck): void {
  const flag = c.flag ?? "--out";
  const out = realish(c.out);
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory())
    throw new Error(`${flag} ${c.out} is a file; give a folder for the ${c.what}`);
  for (const r of c.reads ?? []) {
    const read = realish(r);
    if (inside(out, read) || inside(read, out))
      throw new Error(
        `${flag} ${c.out} ${out === read ? "is" : inside(out, read) ? "lies inside" : "contains"} ${r}, ` +
          `which this run reads; write the ${c.what} somewhere else`,
      );
  }
  if (fs.existsSync(out)) {
    const entries = fs.readdirSync(out);
    if (entries.length > 0 && !c.ours(out) && !c.force)
      throw new Error(
        `${flag} ${c.out} holds ${entries.length} entr${entries.length === 1 ? "y" : "ies"} this command did not make ` +
          `(${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}); ` +
          `choose an empty or new folder, or add --force to ${c.replaces === false ? "write into it anyway" : "replace it"}`,
      );
  }
  checkWritable(out, flag, c.out);
}

/**
 * Tries to write in the nearest existing ancestor of `out` (a temporary
 * folder, removed at once). Asking `access(W_OK)` is not enough: as root it
 * says yes for /proc, where the write itself fails or hangs.
 */
function checkWritable(out: string, flag: string, given: string): void {
  let parent = path.dirname(out);
  while (!fs.existsSync(parent) && path.dirname(parent) !== parent) parent = path.dirname(parent);
  try {
    if (!fs.statSync(parent).isDirectory()) throw new Error("not a folder");
    fs.rmdirSync(fs.mkdtempSync(path.join(parent, ".write-check-")));
  } catch (e) {
    throw new Error(
      `${flag} ${given}: cannot write in ${parent} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
        "choose a folder you can write to",
    );
  }
}

/**
 * The same rule for a command that writes one file (`eval --out`): not a
 * folder, and a parent where a test write succeeds, checked before the work.
 */
export function checkOutputFile(file: string, flag = "--out"): void {
  const real = realish(file);
  if (fs.existsSync(real) && fs.statSync(real).isDirectory())
    throw new Error(
      `${flag} ${file} is a folder; give a file name, e.g. ${path.join(file, "responses.jsonl")}`,
    );
  checkWritable(real, flag, file);
}

/**
 * Writes `file` through a temporary sibling renamed into place, so a crash
 * never leaves half a file: `write` writes the temporary path.
 */
export function writeAtomic(file: string, write: (tmp: string) => void): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    write(tmp);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
